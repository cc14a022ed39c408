"""llmviz.calc.dynamics (and calc.mlp.relu_fit_polyline, calc.optimizers' AdamW arithmetic) against numpy.

The oracles are written differently from the code under test: the networks
in numpy as dense matrices over the whole batch, their gradients by the
matrix chain rule or by central differences in float64, AdamW as array
expressions.
"""
import math
import random

import numpy as np
import pytest

from llmviz.calc.dynamics import (BLOCKS, X_HI, X_LO, adamw_fit_step, deep_flatten, deep_forward_backward,
                                  deep_init, deep_unflatten, epoch_order, epochs_seen, fit_loss, fit_start,
                                  layer_norm, mean_and_variance, minibatch, noisy_sine, rms_norm, rms_norm_backward,
                                  root_mean_square, train_deep, train_fit, unflatten)
from llmviz.calc.mlp import initial_params, one_hidden_layer_output, relu_fit_polyline
from llmviz.calc.optimizers import adam_step, adamw_step


# -- numpy oracles -------------------------------------------------------------------------------------


def np_fit(theta, xs, ys):
    """Loss and gradient of ŷ = c + Σ a·ReLU(w·x + b) as dense (points × units) arrays."""
    w, b, a, c = unflatten(theta)
    w, b, a = (np.asarray(v, dtype=float) for v in (w, b, a))
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    z = np.outer(xs, w) + b
    on = (z > 0).astype(float)
    h = z * on
    e = c + h @ a - ys
    n = len(xs)
    g = 2 / n
    grad = np.concatenate([g * a * ((e[:, None] * on * xs[:, None]).sum(0)), g * a * ((e[:, None] * on).sum(0)),
                           g * (e @ h), [g * e.sum()]])
    return float(np.mean(e ** 2)), grad


def np_adamw(theta, m, v, g, t, lr, wd, b1=0.9, b2=0.999, eps=1e-8):
    theta = np.asarray(theta, dtype=float) * (1 - lr * wd)
    m = b1 * np.asarray(m) + (1 - b1) * g
    v = b2 * np.asarray(v) + (1 - b2) * g * g
    theta = theta - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return theta, m, v


def np_deep(net, xs, ys, block, eps=1e-5):
    """The deep stack's loss and gradients with (units × samples) matrices and the matrix chain rule."""
    depth = len(net.w)
    x = np.asarray(xs, dtype=float)[None, :]
    y = np.asarray(ys, dtype=float)
    norm, resid = block in ("norm", "prenorm"), block in ("residual", "prenorm")
    h = np.asarray(net.w_in)[:, None] * x + np.asarray(net.b_in)[:, None]
    cache = []
    for l in range(depth):
        W, bb, g = np.asarray(net.w[l]), np.asarray(net.b[l])[:, None], np.asarray(net.gains[l])[:, None]
        if norm:
            r = np.sqrt((h ** 2).mean(0, keepdims=True) + eps)
            u = g * h / r
        else:
            r, u = None, h
        a = np.maximum(u, 0)
        f = W @ a + bb
        cache.append((h, r, u, a))
        h = h + f if resid else f
    out = np.asarray(net.w_out) @ h + net.b_out
    err = out - y
    n = len(y)
    loss = float((err ** 2).mean())
    dout = 2 * err / n
    gw_out, gb_out = h @ dout, dout.sum()
    dh = np.outer(net.w_out, dout)
    gw, gg = [None] * depth, [None] * depth
    for l in reversed(range(depth)):
        h_in, r, u, a = cache[l]
        W, g = np.asarray(net.w[l]), np.asarray(net.gains[l])[:, None]
        gw[l] = dh @ a.T
        du = (W.T @ dh) * (u > 0)
        if norm:
            gg[l] = (du * h_in / r).sum(1)
            d = h_in.shape[0]
            dh_in = g * du / r - h_in * (g * du * h_in).sum(0, keepdims=True) / (d * r ** 3)
        else:
            gg[l] = np.zeros(h_in.shape[0])
            dh_in = du
        dh = dh_in + dh if resid else dh_in
    gw_in, gb_in = dh @ x[0], dh.sum(1)
    return loss, gw, gg, gw_out, gb_out, gw_in, gb_in


# -- data and minibatches --------------------------------------------------------------------------------


def test_noisy_sine_is_stratified_sorted_and_repeatable():
    xs, ys = noisy_sine(12, 301)
    assert xs == sorted(xs) and len(xs) == len(ys) == 12
    for i, x in enumerate(xs):        # one point inside each twelfth of [−3, 3]
        assert X_LO + 6 * i / 12 <= x <= X_LO + 6 * (i + 1) / 12
    assert noisy_sine(12, 301) == (xs, ys)
    assert noisy_sine(12, 302) != (xs, ys)
    clean = noisy_sine(12, 301, noise=0.0)
    assert clean[0] == xs and all(y == math.sin(x) for x, y in zip(*clean))


def test_noise_has_the_stated_spread():
    xs, ys = noisy_sine(20_000, 11)
    r = np.asarray(ys) - np.sin(np.asarray(xs))
    assert abs(r.mean()) < 0.01 and r.std() == pytest.approx(0.3, rel=0.02)


def test_every_point_once_per_epoch():
    n, b = 12, 4
    for epoch in range(5):
        seen = sum((minibatch(n, b, s, 7) for s in range(epoch * 3, epoch * 3 + 3)), [])
        assert sorted(seen) == list(range(n))
    assert minibatch(12, 12, 0, 7) == list(range(12)) == sorted(epoch_order(12, 0, 7))
    assert epoch_order(12, 0, 7) != epoch_order(12, 1, 7)
    # a batch that does not divide n straddles two epochs and still reads every point once per pass
    reads = sum((minibatch(10, 4, s, 3) for s in range(5)), [])
    assert sorted(reads) == sorted(list(range(10)) * 2)
    assert epochs_seen(1000, 4, 12) == pytest.approx(1000 * 4 / 12)


@pytest.mark.parametrize("bad", [dict(n=0, batch=1), dict(n=4, batch=5), dict(n=4, batch=0), dict(n=4, batch=1.5)])
def test_bad_minibatch_arguments_raise(bad):
    with pytest.raises(ValueError):
        minibatch(bad["n"], bad["batch"], 0, 1)


# -- AdamW on the one-hidden-layer network ---------------------------------------------------------------


def test_one_adamw_step_with_weight_decay_matches_numpy():
    xs, ys = noisy_sine(12, 301)
    state = fit_start(8, 3)
    # take a few steps first so m and v are not zero, then compare one step in full
    state = train_fit(8, 0.01, 4, 0.3, 7, xs, ys, 3, start=state)[-1]
    idx = minibatch(12, 4, state.step, 3)
    bx, by = [xs[i] for i in idx], [ys[i] for i in idx]
    loss, g = np_fit(state.theta, bx, by)
    th, m, v = np_adamw(state.theta, state.m, state.v, g, state.step + 1, 0.01, 0.3)
    new, batch_loss = adamw_fit_step(state, bx, by, 0.01, 0.3)
    assert batch_loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(new.theta, th, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(new.m, m, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(new.v, v, rtol=1e-12, atol=1e-18)
    assert new.step == state.step + 1
    # decay moves every parameter towards zero by lr·λ of itself, on top of Adam's step
    plain, _ = adamw_fit_step(state, bx, by, 0.01, 0.0)
    np.testing.assert_allclose(np.asarray(new.theta) - np.asarray(plain.theta),
                               -0.01 * 0.3 * np.asarray(state.theta), rtol=1e-9, atol=1e-15)


def test_a_run_extended_in_pieces_equals_one_run():
    xs, ys = noisy_sine(12, 301)
    whole = train_fit(16, 0.01, 4, 0.1, 23, xs, ys, 3)
    first = train_fit(16, 0.01, 4, 0.1, 10, xs, ys, 3)
    rest = train_fit(16, 0.01, 4, 0.1, 13, xs, ys, 3, start=first[-1])
    assert [s.theta for s in first + rest] == [s.theta for s in whole]


def test_training_learns():
    """The chapter's default run (32 units, η 0.01, batches of 4 of 12 points, seed 3) learns its points."""
    xs, ys = noisy_sine(12, 301)
    start = fit_start(32, 3)
    end = train_fit(32, 0.01, 4, 0.0, 1000, xs, ys, 3)[-1]
    before, after = fit_loss(start.theta, xs, ys), fit_loss(end.theta, xs, ys)
    assert before > 10 and after < 0.02 and before / after > 500
    assert fit_loss(start.theta, xs, ys) == pytest.approx(np_fit(start.theta, xs, ys)[0], rel=1e-12)


def test_adam_arithmetic_is_the_plain_loop_bit_for_bit():
    r = random.Random(5)
    for _ in range(200):
        n = r.randint(1, 40)
        th = [r.gauss(0, 3) for _ in range(n)]
        m = [r.gauss(0, 1) for _ in range(n)]
        v = [r.random() * r.choice([1, 1e-6, 1e3]) for _ in range(n)]
        g = [r.gauss(0, 1) * r.choice([1, 1e-4, 100]) for _ in range(n)]
        t, lr, wd = r.randint(1, 3000), 10 ** r.uniform(-5, 0), r.choice([0.0, 0.1, 0.7])
        b1, b2 = r.choice([0.9, 0.5, 0.0]), r.choice([0.999, 0.95])
        c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
        th_d = [p * (1 - lr * wd) for p in th]
        mm = [b1 * a + (1 - b1) * b for a, b in zip(m, g)]
        vv = [b2 * a + (1 - b2) * b * b for a, b in zip(v, g)]
        ref = [p - lr * (a / c1) / (math.sqrt(b / c2) + 1e-8) for p, a, b in zip(th_d, mm, vv)]
        assert adamw_step(th, m, v, g, t, lr, wd, b1, b2) == (ref, mm, vv)
        if wd == 0.0:
            assert adam_step(th, m, v, g, t, lr, b1, b2) == (ref, mm, vv)


def test_fit_polyline_is_the_network():
    r = random.Random(2)
    for _ in range(400):
        k = r.randint(1, 12)
        w = [r.choice([0.0, r.gauss(0, 1)]) for _ in range(k)]
        b = [r.gauss(0, 1) for _ in range(k)]
        if w[0]:
            b[0] = 3.0 * w[0]           # a bend exactly at the left end
        a = [r.gauss(0, 1) for _ in range(k)]
        p = (w, b, a, r.gauss(0, 1))
        pts = relu_fit_polyline(p, -3.0, 3.0)
        xs = [x for x, _ in pts]
        assert xs == sorted(xs) and xs[0] == -3.0 and xs[-1] == 3.0
        W, B, A = map(np.asarray, (w, b, a))
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            for f in (0.0, 0.3, 0.7, 1.0):
                x = x0 + f * (x1 - x0)
                dense = p[3] + A @ np.maximum(W * x + B, 0)
                assert y0 + f * (y1 - y0) == pytest.approx(dense, abs=1e-9)
    with pytest.raises(ValueError):
        relu_fit_polyline(initial_params(4, 1), 1.0, 1.0)


# -- normalization ---------------------------------------------------------------------------------------


def test_norms_match_numpy():
    r = np.random.default_rng(0)
    for _ in range(50):
        x = r.normal(size=8) * r.choice([1e-3, 1.0, 50.0]) + r.normal()
        g, b = r.normal(size=8), r.normal(size=8)
        ln = (x - x.mean()) / np.sqrt(x.var() + 1e-5) * g + b
        rn = x / np.sqrt((x ** 2).mean() + 1e-5) * g
        np.testing.assert_allclose(layer_norm(x.tolist(), g.tolist(), b.tolist()), ln, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(rms_norm(x.tolist(), g.tolist()), rn, rtol=1e-10, atol=1e-12)
        mu, var = mean_and_variance(x.tolist())
        assert mu == pytest.approx(x.mean()) and var == pytest.approx(x.var())
        assert root_mean_square(x.tolist()) == pytest.approx(np.sqrt((x ** 2).mean()))


def test_what_each_norm_ignores():
    x = [0.9, -1.3, 0.4, 1.8, -0.6, 0.1, -1.5, 0.7]
    big = [1000 * v for v in x]
    shifted = [v + 2 for v in x]
    np.testing.assert_allclose(layer_norm(big, eps=0), layer_norm(x, eps=0), rtol=1e-12)
    np.testing.assert_allclose(rms_norm(big, eps=0), rms_norm(x, eps=0), rtol=1e-12)
    np.testing.assert_allclose(layer_norm(shifted, eps=0), layer_norm(x, eps=0), rtol=1e-9, atol=1e-12)
    assert sum(rms_norm(shifted)) / 8 > 0.5          # RMSNorm keeps the mean
    tiny = [1e-3 * v for v in x]                      # mean square ~1e-6, small beside ε = 1e-5
    assert root_mean_square(rms_norm(tiny, eps=1e-5)) < 0.35
    with pytest.raises(ValueError):
        rms_norm([0.0, 0.0], eps=0.0)
    with pytest.raises(ValueError):
        layer_norm([])
    with pytest.raises(ValueError):
        rms_norm([1.0, 2.0], gain=[1.0])


def test_rms_norm_gradient_matches_central_differences():
    r = np.random.default_rng(1)
    for eps in (0.0, 1e-5, 0.3):
        x, g, dy = r.normal(size=6), r.normal(size=6), r.normal(size=6)
        loss = lambda xx, gg: float(np.dot(dy, gg * xx / np.sqrt((xx ** 2).mean() + eps)))
        dx, dg = rms_norm_backward(x.tolist(), g.tolist(), dy.tolist(), eps)
        h = 1e-6
        for i in range(6):
            e = np.zeros(6)
            e[i] = h
            assert dx[i] == pytest.approx((loss(x + e, g) - loss(x - e, g)) / (2 * h), rel=1e-6, abs=1e-9)
            assert dg[i] == pytest.approx((loss(x, g + e) - loss(x, g - e)) / (2 * h), rel=1e-6, abs=1e-9)
        if eps == 0.0:   # moving x along itself changes nothing the norm lets through
            assert float(np.dot(dx, x)) == pytest.approx(0.0, abs=1e-12)


# -- deep stacks -------------------------------------------------------------------------------------------


def test_deep_init_is_pytorchs_default():
    net = deep_init(20, 8, 1)
    k = 1 / math.sqrt(8)
    ws = np.asarray(net.w).ravel()
    assert np.all(np.abs(ws) <= k) and np.all(np.abs(net.b) <= k) and np.all(np.abs(net.w_out) <= k)
    assert np.all(np.abs(net.w_in) <= 1) and np.all(np.asarray(net.gains) == 1)
    assert (ws ** 2).mean() == pytest.approx(k * k / 3, rel=0.1)     # uniform in ±k: mean square k²/3
    assert deep_init(20, 8, 1) == net and deep_init(20, 8, 2) != net
    assert deep_unflatten(deep_flatten(net), 20, 8) == net


@pytest.mark.parametrize("block", BLOCKS)
def test_deep_gradients_match_numpy(block):
    xs = [-2.5, -1.0, 0.3, 1.7, 2.9]
    ys = [math.sin(x) for x in xs]
    net = deep_init(6, 5, 4)
    if block in ("norm", "prenorm"):   # gains away from 1 so their gradient is tested too
        net = net._replace(gains=[[1 + 0.1 * (i - j) for j in range(5)] for i in range(6)])
    res = deep_forward_backward(net, xs, ys, block)
    loss, gw, gg, gw_out, gb_out, gw_in, gb_in = np_deep(net, xs, ys, block)
    assert res["loss"] == pytest.approx(loss, rel=1e-12)
    g = res["grads"]
    for l in range(6):
        np.testing.assert_allclose(g.w[l], gw[l], rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(g.gains[l], gg[l], rtol=1e-9, atol=1e-13)
        assert res["grad_norms"][l] == pytest.approx(np.linalg.norm(gw[l]), rel=1e-9)
    np.testing.assert_allclose(g.w_out, gw_out, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(g.w_in, gw_in, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(g.b_in, gb_in, rtol=1e-9, atol=1e-13)
    assert g.b_out == pytest.approx(gb_out, rel=1e-12)
    # and the biases by central differences, the loss's own definition
    flat = deep_flatten(net)
    grads = deep_flatten(g)
    start = 2 * 5 + 6 * 25                       # the first block bias in flatten order
    for i in (start, start + 7, start + 29):
        up, dn = list(flat), list(flat)
        up[i] += 1e-6
        dn[i] -= 1e-6
        fd = (deep_forward_backward(deep_unflatten(up, 6, 5), xs, ys, block)["loss"]
              - deep_forward_backward(deep_unflatten(dn, 6, 5), xs, ys, block)["loss"]) / 2e-6
        assert grads[i] == pytest.approx(fd, rel=1e-5, abs=1e-10)


def test_one_adamw_step_on_a_prenorm_stack_matches_numpy():
    """One step including weight decay and the gradient through every RMSNorm."""
    xs = [-2.0, -0.5, 0.4, 1.1, 2.6]
    ys = [math.sin(x) for x in xs]
    net = deep_init(4, 6, 2)
    res = deep_forward_backward(net, xs, ys, "prenorm")
    flat = deep_flatten(net)
    theta, m, v = adamw_step(flat, [0.0] * len(flat), [0.0] * len(flat), deep_flatten(res["grads"]), 1, 0.01, 0.1)
    loss, gw, gg, gw_out, gb_out, gw_in, gb_in = np_deep(net, xs, ys, "prenorm")
    # the numpy gradient in flatten order: w_in, b_in, blocks' W, blocks' b, gains, w_out, b_out
    gb = [None] * 4
    np_flat_grad = deep_flatten(res["grads"]._replace(w=[m_.tolist() for m_ in gw], gains=[x.tolist() for x in gg],
                                                      w_out=gw_out.tolist(), w_in=gw_in.tolist(),
                                                      b_in=gb_in.tolist(), b_out=float(gb_out)))
    th_np, _, _ = np_adamw(flat, np.zeros(len(flat)), np.zeros(len(flat)), np.asarray(np_flat_grad), 1, 0.01, 0.1)
    np.testing.assert_allclose(theta, th_np, rtol=1e-12, atol=1e-15)
    # Adam's first step moves every parameter by lr·|g|/(|g| + ε) on top of the decay: about lr
    g = np.abs(np.asarray(np_flat_grad))
    moved = np.abs(np.asarray(theta) - np.asarray(flat) * (1 - 0.01 * 0.1))
    np.testing.assert_allclose(moved, 0.01 * g / (g + 1e-8), rtol=1e-6, atol=1e-15)


def test_plain_stacks_lose_the_gradient_and_residual_ones_keep_it():
    xs, _ = noisy_sine(16, 301, noise=0.0)
    ys = [math.sin(x) for x in xs]
    ratio = {}
    for block in BLOCKS:
        g = deep_forward_backward(deep_init(16, 8, 1), xs, ys, block)["grad_norms"]
        ratio[block] = g[0] / g[-1]
    assert ratio["plain"] < 1e-4
    assert 0.1 < ratio["residual"] < 10 and 0.1 < ratio["prenorm"] < 10
    assert ratio["norm"] > 1e3 * ratio["plain"]


def test_train_deep_learns_with_residuals():
    xs, _ = noisy_sine(16, 301, noise=0.0)
    ys = [math.sin(x) for x in xs]
    plain = train_deep(16, 8, "plain", xs, ys, 3e-3, 60, 1)
    resid = train_deep(16, 8, "prenorm", xs, ys, 3e-3, 60, 1)
    assert len(plain) == len(resid) == 61
    assert resid[-1] < 0.1 * plain[-1]
    assert plain[-1] == pytest.approx(float(np.var(ys)), rel=0.05)    # still predicting about the mean
    with pytest.raises(ValueError):
        deep_forward_backward(deep_init(2, 3, 1), xs, ys, "dense")
