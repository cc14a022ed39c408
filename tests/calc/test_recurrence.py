"""The recurrent network's step, Jacobians, spectral radius and norm, BPTT, clipping and sequential cost.

Oracles: numpy (tanh, matrix products, eigenvalues, singular values),
finite differences of the forward pass for every gradient, and the
roofline written out by hand from the catalog's datasheet figures.
"""
import math

import numpy as np
import pytest

from llmviz.calc import bptt as lazy_bptt
from llmviz.calc.recurrence import (bptt, clip_by_norm, jacobian_product_norms, parallel_time_floor,
                                    recurrence_time_floor, rnn_run, rnn_step, scale_to_spectral_radius,
                                    spectral_norm, spectral_radius, step_jacobian)
from llmviz.catalog import get_gpu

RNG = np.random.default_rng(7)


def _net(d=6, e=3, rho=0.9, steps=20, scale=0.5):
    w0 = RNG.normal(size=(d, d))
    w_h = w0 * rho / max(abs(np.linalg.eigvals(w0)))
    w_x = RNG.normal(size=(d, e)) * scale
    b = RNG.normal(size=d) * 0.1
    xs = RNG.normal(size=(steps, e))
    return w_h, w_x, b, xs


def _np_run(w_h, w_x, b, xs):
    h = np.zeros(len(b))
    out = [h]
    for x in xs:
        h = np.tanh(w_h @ h + w_x @ x + b)
        out.append(h)
    return out


def test_step_and_run_match_numpy():
    w_h, w_x, b, xs = _net()
    ref = _np_run(w_h, w_x, b, xs)
    got = rnn_run(w_h.tolist(), w_x.tolist(), b.tolist(), [0.0] * 6, xs.tolist())
    assert len(got) == len(xs) + 1
    assert np.allclose(got, ref, atol=1e-13)
    one = rnn_step(w_h.tolist(), w_x.tolist(), b.tolist(), ref[3].tolist(), xs[3].tolist())
    assert np.allclose(one, ref[4], atol=1e-14)


def test_step_jacobian_is_the_finite_difference_of_a_step():
    w_h, w_x, b, xs = _net()
    h_prev = np.tanh(RNG.normal(size=6))
    x = xs[0]

    def f(h):
        return np.tanh(w_h @ h + w_x @ x + b)

    h = f(h_prev)
    j = np.array(step_jacobian(w_h.tolist(), h.tolist()))
    eps = 1e-6
    fd = np.stack([(f(h_prev + eps * e) - f(h_prev - eps * e)) / (2 * eps) for e in np.eye(6)], axis=1)
    assert np.allclose(j, fd, atol=1e-8)
    assert np.allclose(j, np.diag(1 - h ** 2) @ w_h)


@pytest.mark.parametrize("seed", range(6))
def test_spectral_radius_is_numpys_largest_eigenvalue_modulus(seed):
    m = np.random.default_rng(seed).normal(size=(7, 7))
    assert spectral_radius(m.tolist()) == pytest.approx(max(abs(np.linalg.eigvals(m))), rel=1e-9)


def test_spectral_radius_of_a_rotation_and_a_nilpotent_matrix():
    c, s = math.cos(0.3), math.sin(0.3)
    assert spectral_radius([[2 * c, -2 * s], [2 * s, 2 * c]]) == pytest.approx(2.0, rel=1e-12)
    assert spectral_radius([[0.0, 1.0], [0.0, 0.0]]) == 0.0


@pytest.mark.parametrize("seed", range(6))
def test_spectral_norm_is_numpys_largest_singular_value(seed):
    m = np.random.default_rng(100 + seed).normal(size=(6, 6))
    assert spectral_norm(m.tolist()) == pytest.approx(np.linalg.norm(m, 2), rel=1e-9)


def test_scale_to_spectral_radius():
    m = RNG.normal(size=(5, 5))
    w = np.array(scale_to_spectral_radius(m.tolist(), 1.3))
    assert max(abs(np.linalg.eigvals(w))) == pytest.approx(1.3, rel=1e-9)
    with pytest.raises(ValueError):
        scale_to_spectral_radius([[0.0, 1.0], [0.0, 0.0]], 1.0)


@pytest.mark.parametrize("rho", [0.5, 1.0, 2.5])
def test_jacobian_product_norms_match_numpy_and_the_finite_difference(rho):
    w_h, w_x, b, xs = _net(rho=rho, steps=15)
    states = _np_run(w_h, w_x, b, xs)
    got = jacobian_product_norms(w_h.tolist(), [s.tolist() for s in states])
    p = np.eye(6)
    ref = [1.0]
    for t in range(15, 0, -1):
        p = p @ (np.diag(1 - states[t] ** 2) @ w_h)
        ref.append(np.linalg.norm(p, 2))
    assert np.allclose(got, ref, rtol=1e-9)
    # the product is the real sensitivity of h_T to h_{T-k}: rerun from a nudged state
    k, eps = 5, 1e-6
    start = 15 - k
    cols = []
    for e in np.eye(6):
        hi, lo = states[start] + eps * e, states[start] - eps * e
        for x in xs[start:]:
            hi = np.tanh(w_h @ hi + w_x @ x + b)
            lo = np.tanh(w_h @ lo + w_x @ x + b)
        cols.append((hi - lo) / (2 * eps))
    assert np.linalg.norm(np.stack(cols, axis=1), 2) == pytest.approx(got[k], rel=1e-6)


def test_tanh_only_shrinks_the_linear_bound():
    w_h, w_x, b, xs = _net(rho=0.8, steps=30)
    states = _np_run(w_h, w_x, b, xs)
    got = jacobian_product_norms(w_h.tolist(), [s.tolist() for s in states])
    sigma = np.linalg.norm(w_h, 2)
    assert all(g <= sigma ** k * (1 + 1e-9) for k, g in enumerate(got))


def test_bptt_matches_finite_differences_of_the_loss():
    w_h, w_x, b, xs = _net(rho=1.2, steps=12)
    u = RNG.normal(size=6)

    def loss(w):
        return float(u @ _np_run(w, w_x, b, xs)[-1])

    states = _np_run(w_h, w_x, b, xs)
    gs, dws = bptt(w_h.tolist(), [s.tolist() for s in states], u.tolist())
    assert len(gs) == len(dws) == 13
    assert np.allclose(dws[0], 0.0)
    eps = 1e-6
    fd = np.zeros((6, 6))
    for i in range(6):
        for j in range(6):
            e = np.zeros((6, 6))
            e[i, j] = eps
            fd[i, j] = (loss(w_h + e) - loss(w_h - e)) / (2 * eps)
    assert np.allclose(dws[-1], fd, atol=1e-7)
    # ∂L/∂h_{T−k} is the transposed Jacobian product applied to u
    p = np.eye(6)
    for k, t in enumerate(range(12, 0, -1), start=1):
        p = p @ (np.diag(1 - states[t] ** 2) @ w_h)
        assert np.allclose(gs[k], p.T @ u, atol=1e-12)
    assert lazy_bptt is bptt


def test_clip_by_norm_caps_the_length_and_keeps_the_direction():
    g = RNG.normal(size=(4, 4)) * 50
    clipped, s = clip_by_norm(g.tolist(), 1.0)
    assert np.linalg.norm(clipped) == pytest.approx(1.0)
    assert s == pytest.approx(1.0 / np.linalg.norm(g))
    assert np.allclose(np.array(clipped) / np.linalg.norm(clipped), g / np.linalg.norm(g))
    small, s2 = clip_by_norm((g / 1000).tolist(), 1.0)
    assert s2 == 1.0 and np.allclose(small, g / 1000)
    with pytest.raises(ValueError):
        clip_by_norm(g.tolist(), 0.0)


def _floor(flops, nbytes, gpu):
    g = get_gpu(gpu)
    return max(flops / g.peak_flops("bf16"), nbytes / g.hbm_bytes_per_s)


@pytest.mark.parametrize("gpu", ["a100-80gb-sxm", "h100-sxm", "b200", "mi300x"])
@pytest.mark.parametrize("d,n,batch", [(1024, 1024, 1), (4096, 2048, 1), (1024, 4096, 64)])
def test_time_floors_are_the_roofline_by_hand(gpu, d, n, batch):
    step = _floor(2 * d * d * batch, 2 * (d * d + 2 * d * batch), gpu)
    assert recurrence_time_floor(d, n, gpu, batch) == pytest.approx(n * step, rel=1e-12)
    m = n * batch
    gemm = _floor(2 * d * d * m, 2 * (d * d + 2 * d * m), gpu)
    assert parallel_time_floor(d, n, gpu, batch) == pytest.approx(gemm, rel=1e-12)
    assert parallel_time_floor(d, n, gpu, batch) < recurrence_time_floor(d, n, gpu, batch)


def test_bad_inputs_raise():
    with pytest.raises(ValueError):
        rnn_step([[1.0, 0.0]], [[1.0]], [0.0], [0.0], [1.0])
    with pytest.raises(ValueError):
        rnn_run([[0.5]], [[1.0]], [0.0], [0.0], [])
    with pytest.raises(ValueError):
        spectral_radius([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with pytest.raises(ValueError):
        step_jacobian([[1.0]], [float("nan")])
    with pytest.raises(ValueError):
        recurrence_time_floor(0, 10, "h100-sxm")
    with pytest.raises(ValueError):
        parallel_time_floor(1024, 10, "no-such-gpu")
