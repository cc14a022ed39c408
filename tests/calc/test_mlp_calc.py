"""Activation functions, the one-hidden-layer network and its gradient, ReLU interpolation, and FFN sizes.

Oracles: numpy (the network, its loss and gradient summed sample by sample,
finite differences), scipy-free closed forms for the normal distribution,
the model-size module's own per-layer FFN count, and the published widths
of Llama 3 (config.json intermediate_size 14336, 28672, 53248).
"""
import math

import numpy as np
import pytest

from llmviz.calc import mlp_param_count as lazy_mlp_param_count
from llmviz.calc.activations import (ACTIVATIONS, activation_slope, activation_value, gelu, gelu_slope,
                                     get_activation, normal_cdf, relu, relu_slope, silu, silu_slope, tanh_slope)
from llmviz.calc.mlp import (fit_loss_and_gradient, fit_step, fit_trajectory, gated_width_for_same_params,
                             interpolation_error_bound, llama_ffn_width, mlp_flops_per_token,
                             one_hidden_layer_output, pieces_for_error, relu_interpolant, relu_knot, relu_sum,
                             sampled_max_gap)
from llmviz.calc.model_size import param_breakdown, param_count
from llmviz.catalog import MODELS, get_model

XS = np.linspace(-4, 4, 81)


# -- activations -----------------------------------------------------------------------------------


def test_activations_against_numpy():
    erf = np.vectorize(math.erf)
    sig = 1 / (1 + np.exp(-XS))
    phi = 0.5 * (1 + erf(XS / np.sqrt(2)))
    pdf = np.exp(-XS ** 2 / 2) / np.sqrt(2 * np.pi)
    assert [relu(x) for x in XS] == pytest.approx(np.maximum(0, XS))
    assert [gelu(x) for x in XS] == pytest.approx(XS * phi)
    assert [gelu_slope(x) for x in XS] == pytest.approx(phi + XS * pdf)
    assert [silu(x) for x in XS] == pytest.approx(XS * sig)
    assert [silu_slope(x) for x in XS] == pytest.approx(sig + XS * sig * (1 - sig))
    assert [tanh_slope(x) for x in XS] == pytest.approx(1 / np.cosh(XS) ** 2)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_slope_is_the_derivative(name):
    h = 1e-6
    for x in (-3.1, -1.0, -0.3, 0.4, 1.7, 3.3):   # away from ReLU's corner
        numeric = (activation_value(name, x + h) - activation_value(name, x - h)) / (2 * h)
        assert activation_slope(name, x) == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_relu_slope_at_the_corner_is_the_convention_zero():
    assert relu_slope(0.0) == 0.0 and relu_slope(1e-12) == 1.0 and relu_slope(-1e-12) == 0.0


def test_gelu_and_silu_minima_match_their_papers():
    # Elfwing et al.: SiLU's global minimum is about -0.28 at about -1.28
    xs = np.linspace(-3, 0, 300_001)
    silu_vals = np.array([silu(x) for x in xs[::100]])
    assert silu_vals.min() == pytest.approx(-0.2785, abs=1e-3)
    assert xs[::100][silu_vals.argmin()] == pytest.approx(-1.278, abs=2e-3)
    gelu_vals = np.array([gelu(x) for x in xs[::100]])
    assert gelu_vals.min() == pytest.approx(-0.16997, abs=1e-4)
    assert normal_cdf(0.0) == 0.5


def test_bad_activation_names_and_inputs():
    with pytest.raises(ValueError, match="activation"):
        get_activation("swish2")
    with pytest.raises(ValueError, match="x"):
        relu(float("nan"))


# -- the one-hidden-layer network --------------------------------------------------------------------


def _np_net(params, xs):
    w, b, a, c = (np.asarray(params[0]), np.asarray(params[1]), np.asarray(params[2]), params[3])
    z = np.outer(xs, w) + b                      # samples × units
    h = np.maximum(z, 0)
    return z, h, c + h @ a


def _np_loss_grad(params, xs, ys):
    xs, ys = np.asarray(xs), np.asarray(ys)
    w, b, a, c = (np.asarray(params[0]), np.asarray(params[1]), np.asarray(params[2]), params[3])
    z, h, yhat = _np_net(params, xs)
    e = yhat - ys
    n = len(xs)
    on = (z > 0).astype(float)
    ga = 2 / n * e @ h
    gw = 2 / n * a * ((e[:, None] * on * xs[:, None]).sum(0))
    gb = 2 / n * a * ((e[:, None] * on).sum(0))
    return (e ** 2).mean(), gw, gb, ga, 2 / n * e.sum()


def _random_net(seed, width):
    rng = np.random.default_rng(seed)
    return (list(rng.normal(0, 1.2, width)), list(rng.normal(0, 1.5, width)), list(rng.normal(0, 0.5, width)),
            float(rng.normal()))


@pytest.mark.parametrize("seed", range(6))
def test_loss_and_gradient_match_numpy_sample_by_sample(seed):
    params = _random_net(seed, 7)
    xs = np.sort(np.random.default_rng(100 + seed).uniform(-3, 3, 31))
    ys = np.sin(xs)
    loss, (gw, gb, ga, gc) = fit_loss_and_gradient(params, xs, ys)
    l2, gw2, gb2, ga2, gc2 = _np_loss_grad(params, xs, ys)
    assert loss == pytest.approx(l2, rel=1e-12)
    assert gw == pytest.approx(gw2, abs=1e-12) and gb == pytest.approx(gb2, abs=1e-12)
    assert ga == pytest.approx(ga2, abs=1e-12) and gc == pytest.approx(gc2, abs=1e-12)
    for x in xs[::5]:
        assert one_hidden_layer_output(x, params) == pytest.approx(_np_net(params, [x])[2][0])


def test_gradient_is_the_loss_slope_by_finite_differences():
    params = _random_net(3, 4)
    xs = list(np.linspace(-3, 3, 25))
    ys = [math.sin(x) for x in xs]
    _, grads = fit_loss_and_gradient(params, xs, ys)
    h = 1e-6
    for group in range(3):
        for j in range(4):
            up = [list(p) for p in params[:3]] + [params[3]]
            dn = [list(p) for p in params[:3]] + [params[3]]
            up[group][j] += h
            dn[group][j] -= h
            numeric = (fit_loss_and_gradient(up, xs, ys)[0] - fit_loss_and_gradient(dn, xs, ys)[0]) / (2 * h)
            assert grads[group][j] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_linear_hidden_units_give_a_straight_line_and_its_gradient():
    params = _random_net(5, 3)
    xs = list(np.linspace(-2, 2, 9))
    ys = [x * x for x in xs]
    loss, (gw, gb, ga, gc) = fit_loss_and_gradient(params, xs, ys, act="linear")
    w, b, a, c = map(np.asarray, params)
    xa = np.asarray(xs)
    e = c + np.outer(xa, w) @ a + b @ a - np.asarray(ys)
    assert loss == pytest.approx((e ** 2).mean())
    assert ga == pytest.approx(2 / 9 * (e @ (np.outer(xa, w) + b)))
    assert gw == pytest.approx(2 / 9 * a * (e @ xa))


def test_one_step_is_the_gradient_step_numpy_computes():
    params = _random_net(7, 5)
    xs = list(np.linspace(-3, 3, 25))
    ys = [math.sin(x) for x in xs]
    new, loss = fit_step(params, xs, ys, 0.05)
    l2, gw, gb, ga, gc = _np_loss_grad(params, xs, ys)
    assert loss == pytest.approx(l2)
    assert new[0] == pytest.approx(np.asarray(params[0]) - 0.05 * gw)
    assert new[1] == pytest.approx(np.asarray(params[1]) - 0.05 * gb)
    assert new[2] == pytest.approx(np.asarray(params[2]) - 0.05 * ga)
    assert new[3] == pytest.approx(params[3] - 0.05 * gc)


def test_a_unit_off_at_every_sample_gets_no_gradient():
    xs = list(np.linspace(-3, 3, 13))
    ys = [math.sin(x) for x in xs]
    # bend at x = 5, rising to the right: 0 at every sample
    _, (gw, gb, ga, _) = fit_loss_and_gradient(([1.0, 1.0], [-5.0, 0.5], [0.7, 0.3], 0.0), xs, ys)
    assert gw[0] == gb[0] == ga[0] == 0.0
    assert gw[1] != 0.0


def test_trajectory_learns_and_stops_when_it_diverges():
    xs = list(np.linspace(-3, 3, 25))
    ys = [math.sin(x) for x in xs]
    start = _random_net(1, 6)
    states, losses, diverged = fit_trajectory(start, xs, ys, 0.02, 400)
    assert len(states) == len(losses) == 401 and not diverged
    assert losses[-1] < losses[0] / 10
    assert losses[7] == pytest.approx(fit_loss_and_gradient(states[7], xs, ys)[0])
    states, losses, diverged = fit_trajectory(start, xs, ys, 5.0, 400)
    assert diverged and len(states) == len(losses) < 401
    # continuing from a state reproduces the same run (the mode extends runs in chunks)
    a, la, _ = fit_trajectory(start, xs, ys, 0.02, 50)
    b, lb, _ = fit_trajectory(a[20], xs, ys, 0.02, 30)
    assert b[-1] == a[-1] and lb == la[20:]


def test_network_checks_its_inputs():
    with pytest.raises(ValueError, match="sorted"):
        fit_loss_and_gradient(([1.0], [0.0], [1.0], 0.0), [1.0, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="act"):
        fit_loss_and_gradient(([1.0], [0.0], [1.0], 0.0), [0.0, 1.0], [0.0, 0.0], act="tanh")
    with pytest.raises(ValueError, match="lr"):
        fit_step(([1.0], [0.0], [1.0], 0.0), [0.0, 1.0], [0.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="params"):
        fit_loss_and_gradient(([1.0, 2.0], [0.0], [1.0], 0.0), [0.0, 1.0], [0.0, 0.0])
    assert relu_knot(2.0, 3.0) == -1.5 and relu_knot(0.0, 1.0) is None


# -- ReLU interpolation -------------------------------------------------------------------------------


def test_relu_interpolant_is_the_broken_line():
    knots = np.linspace(-3, 3, 8)
    c, pieces = relu_interpolant(knots, np.sin(knots))
    grid = np.linspace(-3, 3, 401)
    ours = [relu_sum(x, c, pieces) for x in grid]
    assert ours == pytest.approx(np.interp(grid, knots, np.sin(knots)), abs=1e-12)
    assert len(pieces) == 7 and [k for _, k in pieces] == pytest.approx(knots[:-1])


def test_zigzag_from_four_pieces_is_exact():
    f = lambda x: abs(abs(x) - 1.5) - 0.75
    knots = [-3.0, -1.5, 0.0, 1.5, 3.0]
    c, pieces = relu_interpolant(knots, [f(x) for x in knots])
    assert c == 0.75 and [d for d, _ in pieces] == [-1.0, 2.0, -2.0, 2.0]
    assert sampled_max_gap(f, lambda x: relu_sum(x, c, pieces), -3, 3) < 1e-12


def test_interpolation_bound_holds_and_is_tight_for_a_parabola():
    for n in (2, 5, 11):
        knots = np.linspace(-3, 3, n + 1)
        c, pieces = relu_interpolant(knots, np.sin(knots))
        gap = sampled_max_gap(math.sin, lambda x: relu_sum(x, c, pieces), -3, 3, 2001)
        assert gap <= interpolation_error_bound(6 / n, 1.0) + 1e-12
    # x²/2 has curvature exactly 1: the gap is h²/8 at each segment's middle
    knots = np.linspace(0, 4, 5)
    c, pieces = relu_interpolant(knots, knots ** 2 / 2)
    assert relu_sum(0.5, c, pieces) - 0.125 == pytest.approx(interpolation_error_bound(1.0, 1.0))
    assert pieces_for_error(6.0, 1.0, 0.01) == 22
    assert interpolation_error_bound(6 / 21, 1.0) > 0.01 >= interpolation_error_bound(6 / 22, 1.0)
    with pytest.raises(ValueError, match="increasing"):
        relu_interpolant([0.0, 0.0, 1.0], [0.0, 1.0, 2.0])


# -- the feed-forward block -----------------------------------------------------------------------------


def test_mlp_param_count_matches_the_llama_3_8b_ffn():
    m = get_model("llama-3-8b")
    per_layer = lazy_mlp_param_count(4096, 14336)
    assert per_layer == 3 * 4096 * 14336 == 176_160_768
    assert param_breakdown(m)["ffn"] == m.layers * per_layer
    assert lazy_mlp_param_count(4096, 14336, gated=False) == 2 * 4096 * 14336
    assert lazy_mlp_param_count(5120, 20480, gated=False, bias=True) == 2 * 5120 * 20480 + 20480 + 5120
    assert lazy_mlp_param_count(8, 24, gated=True, bias=True) == 3 * 8 * 24 + 24 + 24 + 8


@pytest.mark.parametrize("name", [n for n, m in MODELS.items() if m.dense_layers() and not m.moe_layers()])
def test_one_formula_serves_every_dense_model(name):
    m = get_model(name)
    per_layer = lazy_mlp_param_count(m.hidden, m.ffn, gated=m.gated_ffn, bias=m.ffn_bias)
    assert param_breakdown(m)["ffn"] == len(m.dense_layers()) * per_layer


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, None])
def test_mlp_param_count_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="d_model"):
        lazy_mlp_param_count(bad, 14336)
    with pytest.raises(ValueError, match="d_ff"):
        lazy_mlp_param_count(4096, bad)


def test_ffn_flops_are_two_per_weight():
    assert mlp_flops_per_token(4096, 14336) == 2 * lazy_mlp_param_count(4096, 14336)
    assert mlp_flops_per_token(4096, 14336, gated=False, tokens=512) == 512 * 2 * 2 * 4096 * 14336


def test_llama_3_widths_follow_the_reference_recipe():
    # config.json intermediate_size of Llama 3 8B, 70B and 3.1 405B
    assert llama_ffn_width(4096, 1.3, 1024) == get_model("llama-3-8b").ffn == 14336
    assert llama_ffn_width(8192, 1.3, 4096) == get_model("llama-3-70b").ffn == 28672
    assert llama_ffn_width(16384, 1.2, 4096) == get_model("llama-3.1-405b").ffn == 53248
    # LLaMA (2023): 2/3·4d rounded up to a multiple of 256 gives Llama 2 7B's 11,008
    assert llama_ffn_width(4096, None, 256) == get_model("llama-2-7b").ffn == 11008
    assert gated_width_for_same_params(3072) == 2048   # Shazeer's 768-wide models
    assert param_count("llama-3-8b") == 8_030_261_248
