"""The backpropagation calculators against numpy: closed-form gradients, numpy secants, numpy matrices."""
import math
import struct

import numpy as np
import pytest

from llmviz.calc.backprop import (GraphNode, backward_matmul_flops_per_token, best_central_step, central_difference,
                                  central_difference_error_bound, check_graph, graph_backward, graph_forward,
                                  linear_backward_flops, local_gradients, matmul, mlp_backward_flops, mlp_descent,
                                  mlp_forward_flops, mlp_passes, numerical_gradient, relative_error, round_to_float32,
                                  transpose, unit_roundoff)
from llmviz.calc.gemm import matmul_flops_per_token

RNG = np.random.default_rng(14)


def neuron(y=1.0, decay=None):
    nodes = [GraphNode("w", "input"), GraphNode("x", "input"), GraphNode("b", "input"),
             GraphNode("m", "mul", ("w", "x")), GraphNode("z", "add", ("m", "b")),
             GraphNode("q", "sigmoid", ("z",)), GraphNode("L", "bce", ("q",), y)]
    if decay is not None:
        nodes += [GraphNode("r", "half_sq", ("w",), decay), GraphNode("J", "add", ("L", "r"))]
    return nodes


@pytest.mark.parametrize("trial", range(20))
def test_the_neurons_gradients_are_the_closed_forms(trial):
    x, w, b = RNG.uniform(-2, 2, 3)
    y = float(trial % 2)
    vals = graph_forward(neuron(y), {"x": x, "w": w, "b": b})
    grads, steps = graph_backward(neuron(y), vals)
    q = 1 / (1 + np.exp(-(w * x + b)))
    assert vals["q"] == pytest.approx(q, rel=1e-12)
    assert vals["L"] == pytest.approx(-(y * np.log(q) + (1 - y) * np.log(1 - q)), rel=1e-12)
    # ∂L/∂z = q − y, then the product and sum rules by hand
    assert grads["z"] == pytest.approx(q - y, abs=1e-12)
    assert grads["w"] == pytest.approx((q - y) * x, abs=1e-12)
    assert grads["x"] == pytest.approx((q - y) * w, abs=1e-12)
    assert grads["b"] == pytest.approx(q - y, abs=1e-12)
    assert [(s.node, s.to) for s in steps] == [("L", "q"), ("q", "z"), ("z", "m"), ("z", "b"), ("m", "w"),
                                                ("m", "x")]
    for s in steps:
        assert s.product == pytest.approx(s.upstream * s.local)


def test_a_value_read_twice_gets_the_sum_of_both_paths():
    lam = 0.1
    x, w, b = 1.5, 0.8, -2.0
    nodes = neuron(1.0, decay=lam)
    grads, steps = graph_backward(nodes, graph_forward(nodes, {"x": x, "w": w, "b": b}))
    q = 1 / (1 + math.exp(-(w * x + b)))
    assert grads["w"] == pytest.approx(lam * w + x * (q - 1), abs=1e-12)
    into_w = [s for s in steps if s.to == "w"]
    assert len(into_w) == 2 and into_w[-1].total == pytest.approx(sum(s.product for s in into_w))


@pytest.mark.parametrize("trial", range(10))
def test_random_expressions_match_numpy_secants(trial):
    """(a + b)·c − relu(a·d) + sigmoid(b)², differentiated by the graph and by numpy central differences."""
    nodes = [GraphNode(n, "input") for n in "abcd"] + [
        GraphNode("s", "add", ("a", "b")), GraphNode("p", "mul", ("s", "c")), GraphNode("e", "mul", ("a", "d")),
        GraphNode("r", "relu", ("e",)), GraphNode("t", "sub", ("p", "r")), GraphNode("g", "sigmoid", ("b",)),
        GraphNode("g2", "square", ("g",)), GraphNode("f", "add", ("t", "g2"))]
    leaves = dict(zip("abcd", RNG.uniform(-2, 2, 4)))

    def f(v):
        a, b, c, d = v
        return (a + b) * c - max(a * d, 0.0) + (1 / (1 + np.exp(-b))) ** 2

    grads, _ = graph_backward(nodes, graph_forward(nodes, leaves))
    v0 = np.array([leaves[k] for k in "abcd"])
    for i, k in enumerate("abcd"):
        e = np.zeros(4)
        e[i] = 1e-6
        assert grads[k] == pytest.approx((f(v0 + e) - f(v0 - e)) / 2e-6, abs=1e-6)


def test_graph_checks_and_errors():
    with pytest.raises(ValueError, match="defined twice"):
        check_graph([GraphNode("a", "input"), GraphNode("a", "input")])
    with pytest.raises(ValueError, match="op must be"):
        check_graph([GraphNode("a", "input"), GraphNode("b", "cube", ("a",))])
    with pytest.raises(ValueError, match="reads 2 input"):
        check_graph([GraphNode("a", "input"), GraphNode("b", "add", ("a",))])
    with pytest.raises(ValueError, match="not defined before"):
        check_graph([GraphNode("b", "sigmoid", ("a",)), GraphNode("a", "input")])
    with pytest.raises(ValueError, match="no value given"):
        graph_forward([GraphNode("a", "input")], {})
    with pytest.raises(ValueError, match="output must name"):
        graph_backward([GraphNode("a", "input")], {"a": 1.0}, output="zz")
    with pytest.raises(ValueError):
        graph_forward([GraphNode("a", "input")], {"a": math.nan})
    # a loss node fed a probability of exactly 1 against label 0 is infinite: refused, not returned
    with pytest.raises(ValueError):
        graph_forward([GraphNode("q", "input"), GraphNode("L", "bce", ("q",), 0.0)], {"q": 1.0})
    assert local_gradients(GraphNode("a", "input"), {"a": 2.0}) == ()


def test_backward_from_an_inner_node_ignores_what_comes_after():
    nodes = neuron()
    vals = graph_forward(nodes, {"x": 1.5, "w": 0.8, "b": -2.0})
    grads, _ = graph_backward(nodes, vals, output="z")
    assert grads["w"] == pytest.approx(1.5) and grads["b"] == 1.0 and grads["L"] == 0.0


def test_rounding_each_node_is_float32_arithmetic():
    nodes = [GraphNode("a", "input"), GraphNode("b", "input"), GraphNode("p", "mul", ("a", "b")),
             GraphNode("s", "add", ("p", "a"))]
    for a, b in RNG.uniform(-3, 3, (50, 2)):
        got = graph_forward(nodes, {"a": a, "b": b}, round_to_float32)["s"]
        fa, fb = np.float32(a), np.float32(b)
        assert got == float(fa * fb + fa)


def test_round_to_float32_and_unit_roundoff_match_numpy():
    for v in RNG.normal(size=100) * 10.0 ** RNG.integers(-20, 20, 100):
        assert round_to_float32(float(v)) == float(np.float32(v))
    assert unit_roundoff("fp64") == np.finfo(np.float64).eps / 2
    assert unit_roundoff("fp32") == np.finfo(np.float32).eps / 2
    assert unit_roundoff("bf16") == 2.0 ** -8
    with pytest.raises(ValueError):
        unit_roundoff("int8")


def test_central_difference_error_falls_as_h_squared_then_round_off_rises():
    f, x, exact = math.sin, 0.7, math.cos(0.7)
    errs = {h: abs(central_difference(f, x, h) - exact) for h in (1e-1, 1e-2, 1e-3)}
    assert errs[1e-1] / errs[1e-2] == pytest.approx(100, rel=0.02)
    assert errs[1e-2] / errs[1e-3] == pytest.approx(100, rel=0.02)
    # the leading term is |f‴|h²/6 = cos(x)·h²/6
    assert errs[1e-2] == pytest.approx(math.cos(x) * 1e-4 / 6, rel=1e-3)
    # far below the best step, round-off (about u/h) swamps the truncation error
    assert abs(central_difference(f, x, 1e-13) - exact) > errs[1e-3]
    with pytest.raises(ValueError):
        central_difference(f, x, 0.0)


def test_numerical_gradient_of_a_quadratic():
    a = RNG.normal(size=(3, 3))
    A = a @ a.T
    p = RNG.normal(size=3)
    g = numerical_gradient(lambda v: 0.5 * float(np.asarray(v) @ A @ np.asarray(v)), list(p))
    assert np.allclose(g, A @ p, atol=1e-7)


def test_relative_error():
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, 1.001) == pytest.approx(0.001 / 1.001)
    assert relative_error(-1.0, 1.0) == 2.0


def test_the_best_step_minimises_the_error_bound():
    value, third, u = 1.171, 0.274, 2.0 ** -53
    hs = np.logspace(-9, -2, 20001)
    bound = np.abs(third) * hs ** 2 / 6 + u * abs(value) / hs
    h_star = best_central_step(value, third, u)
    assert h_star == pytest.approx(hs[np.argmin(bound)], rel=1e-3)
    assert central_difference_error_bound(h_star, value, third, u) == pytest.approx(bound.min(), rel=1e-6)
    with pytest.raises(ValueError):
        best_central_step(value, 0.0, u)
    with pytest.raises(ValueError):
        central_difference_error_bound(0.0, value, third, u)


def test_matmul_and_transpose_are_numpys():
    a, b = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 5))
    assert np.allclose(matmul(a.tolist(), b.tolist()), a @ b)
    assert np.array_equal(np.array(transpose(a.tolist())), a.T)
    with pytest.raises(ValueError, match="inner dimensions"):
        matmul(a.tolist(), a.tolist())


def np_passes(X, y, W1, b1, W2, b2):
    """Forward and backward of the classifier, written with numpy's broadcasting."""
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0)
    S = H @ W2 + b2
    P = np.exp(S - S.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    B = len(X)
    loss = -np.log(P[np.arange(B), y]).mean()
    dS = P.copy()
    dS[np.arange(B), y] -= 1
    dS /= B
    dH = dS @ W2.T
    dZ1 = dH * (Z1 > 0)
    return loss, {"dW2": H.T @ dS, "db2": dS.sum(0), "dW1": X.T @ dZ1, "db1": dZ1.sum(0), "dX": dZ1 @ W1.T}


@pytest.mark.parametrize("B,d,h,C", [(4, 2, 3, 3), (7, 5, 6, 4), (1, 3, 2, 2)])
def test_mlp_passes_match_numpy_and_numpy_secants(B, d, h, C):
    X, W1, b1 = RNG.normal(size=(B, d)), RNG.normal(size=(d, h)), RNG.normal(size=h)
    W2, b2 = RNG.normal(size=(h, C)), RNG.normal(size=C)
    y = RNG.integers(0, C, B)
    p = mlp_passes(X.tolist(), [int(v) for v in y], W1.tolist(), b1.tolist(), W2.tolist(), b2.tolist())
    loss, g = np_passes(X, y, W1, b1, W2, b2)
    assert p.loss == pytest.approx(loss, rel=1e-12)
    for k, v in g.items():
        assert np.allclose(getattr(p, k), v, atol=1e-12), k
    # each gradient has its matrix's shape
    assert np.shape(p.dW1) == W1.shape and np.shape(p.dW2) == W2.shape and np.shape(p.dH) == (B, h)
    # and one entry of dW1 against a numpy central difference of the loss
    e = np.zeros_like(W1)
    e[0, 0] = 1e-6
    num = (np_passes(X, y, W1 + e, b1, W2, b2)[0] - np_passes(X, y, W1 - e, b1, W2, b2)[0]) / 2e-6
    assert p.dW1[0][0] == pytest.approx(num, abs=1e-7)


def test_mlp_passes_reject_shapes_that_do_not_chain():
    with pytest.raises(ValueError, match="do not chain"):
        mlp_passes([[1.0, 2.0]], [0], [[1.0]], [0.0], [[1.0, 1.0]], [0.0, 0.0])
    with pytest.raises(ValueError, match="labels"):
        mlp_passes([[1.0]], [5], [[1.0]], [0.0], [[1.0, 1.0]], [0.0, 0.0])


def test_one_descent_step_is_numpys_and_the_loss_falls():
    X, W1, b1 = RNG.normal(size=(6, 2)), RNG.normal(size=(2, 4)), np.full(4, 0.1)
    W2, b2 = RNG.normal(size=(4, 3)) * 0.3, np.zeros(3)
    y = np.arange(6) % 3
    states, losses = mlp_descent(X.tolist(), y.tolist(), (W1.tolist(), b1.tolist(), W2.tolist(), b2.tolist()),
                                 0.5, 50)
    _, g = np_passes(X, y, W1, b1, W2, b2)
    W1n, b1n, W2n, b2n = states[1]
    assert np.allclose(W1n, W1 - 0.5 * g["dW1"]) and np.allclose(W2n, W2 - 0.5 * g["dW2"])
    assert np.allclose(b1n, b1 - 0.5 * g["db1"]) and np.allclose(b2n, b2 - 0.5 * g["db2"])
    assert len(states) == len(losses) == 51
    assert losses[-1] < 0.5 * losses[0]


def test_backward_flops_are_two_forward_gemms():
    for d_in, d_out, T in ((4096, 4096, 2048), (14336, 4096, 1), (3, 5, 7)):
        fwd = 2 * T * d_in * d_out
        assert linear_backward_flops(d_in, d_out, T) == 2 * fwd
        assert linear_backward_flops(d_in, d_out, T, input_grad=False) == fwd
    for B, h in ((6, 4), (3, 8)):
        assert mlp_forward_flops(B, 2, h, 3) == 10 * B * h
        assert mlp_backward_flops(B, 2, h, 3) == 16 * B * h
        assert mlp_backward_flops(B, 2, h, 3, input_grad=True) == 20 * B * h
    with pytest.raises(ValueError):
        linear_backward_flops(0, 4, 4)


def test_llama_3_8b_backward_is_twice_its_forward():
    # config.json of meta-llama/Meta-Llama-3-8B: 32 layers, hidden 4096, 8 KV heads of 128, FFN 14336, vocab 128256
    per_layer = 2 * 4096 * 4096 + 2 * 4096 * 1024 + 3 * 4096 * 14336
    forward = 2 * (32 * per_layer + 4096 * 128256)
    assert matmul_flops_per_token("llama-3-8b") == forward
    assert backward_matmul_flops_per_token("llama-3-8b") == 2 * forward


def test_float32_bits_are_the_struct_round_trip():
    assert round_to_float32(0.1) == struct.unpack("<f", struct.pack("<f", 0.1))[0] != 0.1
