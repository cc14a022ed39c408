"""Chapter p01-c01's answers against independent oracles: numpy, closed forms and the published config."""
import itertools
import math

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.modes.part01_networks.neuron import NeuronMode, separable_dataset

A = answers_for("p01-c01-neuron")


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


def sig(z):
    return 1 / (1 + np.exp(-z))


def numpy_perceptron(points, labels, max_passes=100_000):
    """The folded-in rule w̃ ← w̃ + t·x̃ on numpy arrays: (updates, passes, w̃, status)."""
    X = np.hstack([np.asarray(points, float), np.ones((len(points), 1))])
    w = np.zeros(X.shape[1])
    updates, passes = 0, 0
    for _ in range(max_passes):
        m = 0
        for xi, ti in zip(X, labels):
            if ti * (w @ xi) <= 0:
                w = w + ti * xi
                m += 1
        updates += m
        passes += 1
        if m == 0:
            return updates, passes, w, "converged"
    return updates, passes, w, "capped"


def radius_and_margin(points, labels, u, c):
    X = np.hstack([np.asarray(points, float), np.ones((len(points), 1))])
    ut = np.array([u[0], u[1], -c]) / np.sqrt(1 + c * c)
    return np.linalg.norm(X, axis=1).max(), (np.asarray(labels) * (X @ ut)).min()




def test_the_worked_neuron():
    w, b, x = np.array([2.0, -1.0]), -0.5, np.array([1.0, 0.5])
    z = w @ x + b
    assert val("neuron_z") == z == 1.0
    assert val("neuron_sigma") == pytest.approx(sig(1.0)) and text("neuron_sigma") == "0.731"
    assert val("neuron_norm") == pytest.approx(np.sqrt(5))
    assert val("neuron_dist") == pytest.approx(z / np.linalg.norm(w))
    assert val("neuron_on_line_z") == w @ [0.5, 0.5] + b == 0
    assert val("neuron_far_z") == w @ [-1, 1] + b == -3.5
    assert val("neuron_far_sigma") == pytest.approx(sig(-3.5))
    assert val("shifted_b_z") == w @ x + 1.5
    assert val("shifted_b_origin") == pytest.approx(1.5 / np.sqrt(5))
    assert val("default_b_origin") == pytest.approx(0.5 / np.sqrt(5))
    assert val("rotated_z") == np.array([1.0, 2.0]) @ x + b


def test_the_layer():
    W = np.array([[1.5, -0.5], [0.5, 1.0], [-1.0, 0.8]])
    b = np.array([-0.5, -1.5, 1.6])
    x = np.array([1.0, 0.5])
    assert val("layer_z1") == pytest.approx((W @ x + b)[0]) == 0.75
    # one multiply and one add per weight of the 3x2 matrix
    assert val("layer_flops") == 2 * W.size == 12


def test_llama_gate_as_neurons_against_the_config():
    # config.json: hidden_size 4096, intermediate_size 14336, num_hidden_layers 32
    h, ff, L = 4096, 14336, 32
    assert (val("llama_hidden"), val("llama_ffn"), val("llama_layers")) == (h, ff, L)
    assert val("llama_neuron_flops") == 2 * h
    assert val("llama_gate_flops") == 2 * ff * h and text("llama_gate_flops") == "117 MFLOP"
    assert val("llama_gate_all_layers") == L * 2 * ff * h
    assert val("llama_gate_neurons_all") == L * ff
    assert val("llama_bias_share") == pytest.approx(ff / (2 * ff * h)) == pytest.approx(1 / 8192)


@pytest.mark.parametrize("margin,updates_name,bound_name", [(0.1, "train_updates", "train_bound"),
                                                            (0.3, "wide_updates", "wide_bound"),
                                                            (0.05, "narrow_updates", "narrow_bound")])
def test_training_runs_against_a_numpy_perceptron(margin, updates_name, bound_name):
    p = NeuronMode.submodes["train"].values
    d = separable_dataset(p["data"], p["points"], margin)
    pts, labels = np.array(d["points"]), np.array(d["labels"])
    # the dataset is what the chapter says: separated by u·x = c, the nearest points exactly γ away
    dist = labels * (pts @ np.array(d["u"]) - d["c"])
    assert dist.min() == pytest.approx(margin)
    updates, passes, _, status = numpy_perceptron(pts, labels)
    assert status == "converged"
    assert val(updates_name) == updates
    R, gamma = radius_and_margin(pts, labels, d["u"], d["c"])
    assert val(bound_name) == math.floor((R / gamma) ** 2)
    assert updates <= val(bound_name)
    if margin == 0.1:
        assert val("train_passes") == passes
        assert val("train_R") == pytest.approx(R) and val("train_gamma") == pytest.approx(gamma)
        assert val("train_gamma") == pytest.approx(margin / np.sqrt(1 + d["c"] ** 2))
    assert val("offset_factor") == pytest.approx(1 / np.sqrt(1 + val("offset") ** 2))


def test_gates():
    corners = np.array([(0, 0), (0, 1), (1, 0), (1, 1)], float)
    u_and, p_and, _, s = numpy_perceptron(corners, [-1, -1, -1, 1])
    assert s == "converged" and (val("and_updates"), val("and_passes")) == (u_and, p_and) == (18, 9)
    u_or, _, _, s = numpy_perceptron(corners, [-1, 1, 1, 1])
    assert s == "converged" and val("or_updates") == u_or
    # AND's separator x1 + x2 = 1.5, folded: (1, 1, -1.5)/|.|, margin 0.5/sqrt(4.25); R = sqrt(3)
    assert val("and_gamma") == pytest.approx(0.5 / np.sqrt(4.25))
    assert val("and_bound") == math.floor(3 / (0.25 / 4.25) + 1e-9) == 51
    # XOR: every pass makes four mistakes and ends at zero
    _, _, w, s = numpy_perceptron(corners, [-1, 1, 1, -1], max_passes=50)
    assert s == "capped" and np.allclose(w, 0)
    assert val("xor_mistakes") == 4 and val("xor_z") == 3


def test_fourteen_of_sixteen_gates_are_separable():
    # an independent check: search a grid of weights for a line that gets every corner right
    corners = np.array([(0, 0), (0, 1), (1, 0), (1, 1)], float)
    grid = np.arange(-3, 3.01, 0.5)
    separable = 0
    for bits in range(16):
        t = np.array([1 if bits >> k & 1 else -1 for k in range(4)])
        ok = any(np.all(t * (corners @ [w1, w2] + b) > 0) for w1, w2, b in itertools.product(grid, grid, grid))
        separable += ok
        xor_like = list(t) in ([-1, 1, 1, -1], [1, -1, -1, 1])
        assert ok != xor_like
    assert val("separable_gates") == separable == 14


def test_exercise_one_and_two():
    w, b = np.array([3.0, -2.0]), 1.0
    assert val("ex1_z1") == w @ [2, 1] + b == 5 and val("ex1_sig1") == pytest.approx(sig(5))
    assert val("ex1_z2") == w @ [0, 1] + b == -1 and val("ex1_sig2") == pytest.approx(sig(-1))
    w, b = np.array([3.0, 4.0]), -10.0
    assert val("ex2_cross1") == pytest.approx(10 / 3) and val("ex2_cross2") == 2.5
    assert val("ex2_origin") == pytest.approx(abs(b) / np.linalg.norm(w)) == pytest.approx(2)
    assert val("ex2_point_z") == w @ [2, 3] + b == 8
    assert val("ex2_point") == pytest.approx(8 / 5)


def test_exercise_three_by_hand():
    # pass 1: (1,2) z=0 mistake -> w=(1,2), b=1; (2,0) z=3, t=-1 mistake -> w=(-1,2), b=0; (0,-1) z=-2 fine
    assert (val("ex3_z1"), val("ex3_z2"), val("ex3_z3")) == (0, 3, -2)
    updates, passes, w, status = numpy_perceptron([(1, 2), (2, 0), (0, -1)], [1, -1, -1])
    assert status == "converged" and passes == 2
    assert (val("ex3_w1"), val("ex3_w2"), val("ex3_b")) == tuple(w) == (-1, 2, 0)
    assert val("ex3_updates") == updates == 2


def test_exercise_five_closed_form():
    assert val("ex5_bound") == 900 and val("ex5_half") == 3600 and val("ex5_double") == 225


def test_exercise_ten_moving_and_centring():
    p = NeuronMode.submodes["train"].values
    d = separable_dataset(p["data"], p["points"], p["margin"])
    pts, labels, u = np.array(d["points"]), np.array(d["labels"]), np.array(d["u"])
    moved = pts + 10.0
    c_moved = d["c"] + u @ [10.0, 10.0]
    R, gamma = radius_and_margin(moved, labels, u, c_moved)
    assert val("shift_R") == pytest.approx(R) and val("shift_gamma") == pytest.approx(gamma)
    assert val("shift_bound") == pytest.approx((R / gamma) ** 2)
    updates, _, _, status = numpy_perceptron(moved, labels)
    assert status == "converged" and val("shift_updates") == updates
    centred = moved - moved.mean(axis=0)
    Rc, gc = radius_and_margin(centred, labels, u, c_moved - u @ moved.mean(axis=0))
    assert val("centred_bound") == math.floor((Rc / gc) ** 2)
    assert val("centred_updates") == numpy_perceptron(centred, labels)[0]
    assert val("shift_bound_factor") == pytest.approx((R / gamma) ** 2 / val("train_bound"), rel=1e-2)
