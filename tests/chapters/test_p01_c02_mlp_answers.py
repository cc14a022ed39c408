"""Chapter p01-c02's answers against independent oracles: numpy, closed forms and published figures.

Published figures: Llama 3 8B config.json (hidden_size 4096, intermediate_size 14336, 32 layers,
hidden_act silu, 8.03B parameters), Llama 3 70B config.json (8192, 28672, 80 layers), OPT-13B
config.json (hidden_size 5120, ffn_dim 20480, 40 layers, relu, biases), and Llama 3's reference
FeedForward with ffn_dim_multiplier 1.3 and multiple_of 1024 (8B) or 4096 (70B).
"""
import math

import numpy as np
import pytest

from llmviz.answers import answers_for

A = answers_for("p01-c02-mlp")


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


def np_sigmoid(x):
    return 1 / (1 + np.exp(-np.float64(x)))


PHI = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))
PDF = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


# -- two layers collapse --------------------------------------------------------------------------


def test_collapse_example_with_numpy():
    W1 = np.array([[1, 2], [-1, 1], [0, 1]])
    b1 = np.array([0, 1, -1])
    W2 = np.array([[1, -1, 2]])
    b2 = 0.5
    x = np.array([1, -1])
    two_step = W2 @ (W1 @ x + b1) + b2
    one_step = (W2 @ W1) @ x + (W2 @ b1 + b2)
    assert (W2 @ W1).tolist() == [[2, 3]] and (W2 @ b1 + b2).item() == -2.5
    assert val("collapse_y") == two_step.item() == one_step.item() == -3.5
    # with a ReLU the same x gives b2, and the midpoint test fails: no affine map fits
    net = lambda v: (W2 @ np.maximum(W1 @ np.asarray(v) + b1, 0) + b2).item()
    assert net(x) == 0.5
    assert (val("relu_y_11"), val("relu_y_m1m1"), val("relu_y_00")) == (net([1, 1]), net([-1, -1]), net([0, 0]))
    assert val("relu_y_mid_avg") == (net([1, 1]) + net([-1, -1])) / 2 != net([0, 0])


def test_collapsed_llama_matrices():
    d, dff = 4096, 14336
    assert val("llama_d") == d and val("llama_dff") == dff and val("llama_layers") == 32
    assert val("collapsed_weights") == d * d and text("collapsed_weights") == "16.8 M"
    assert val("up_down_weights") == 2 * d * dff and text("up_down_weights") == "117 M"


def test_linear_network_ends_at_the_best_straight_line():
    xs = np.linspace(-3, 3, 25)
    A_ = np.vstack([xs, np.ones_like(xs)]).T
    coef, *_ = np.linalg.lstsq(A_, np.sin(xs), rcond=None)
    best = np.mean((A_ @ coef - np.sin(xs)) ** 2)
    assert val("linear_final_loss") == pytest.approx(best, rel=0.02)
    assert text("linear_final_loss") == "0.19"


# -- broken lines -----------------------------------------------------------------------------------


def _gap(f, n):
    knots = np.linspace(-3, 3, n + 1)
    grid = np.linspace(-3, 3, 601)
    return np.max(np.abs(np.interp(grid, knots, [f(k) for k in knots]) - [f(g) for g in grid]))


def test_broken_line_gaps_with_numpy_interp():
    zig = lambda x: abs(abs(x) - 1.5) - 0.75
    assert val("zigzag_gap") == pytest.approx(_gap(zig, 4), abs=1e-12) and val("zigzag_gap") < 1e-12
    assert val("sine5_gap") == pytest.approx(_gap(math.sin, 5), abs=1e-12)
    assert val("sine10_gap") == pytest.approx(_gap(math.sin, 10), abs=1e-12)
    assert val("sine5_bound") == pytest.approx(1.2 ** 2 / 8)
    assert val("sine10_bound") == pytest.approx(0.6 ** 2 / 8)
    assert val("sine5_gap") <= val("sine5_bound") and val("sine10_gap") <= val("sine10_bound")


def test_pieces_for_a_sine_within_one_hundredth():
    n = math.ceil(6 / math.sqrt(8 * 0.01))
    assert val("ex4_pieces") == n == 22
    assert val("ex4_bound") == pytest.approx((6 / 22) ** 2 / 8)
    assert val("ex4_gap") == pytest.approx(_gap(math.sin, 22), abs=1e-12)
    assert val("ex4_gap") <= 0.01


# -- training runs: the fit view's, recomputed with numpy ----------------------------------------------


def _np_run(target, width, lr, seed, steps=1000, act="relu"):
    """Full-batch gradient descent written sample by sample in numpy, from the mode's start."""
    from llmviz.modes.part01_networks.mlp import initial_params, samples

    xs, ys = map(np.asarray, samples(target))
    w, b, a = (np.asarray(v, dtype=float) for v in initial_params(width, seed)[:3])
    c = 0.0
    losses = []
    for _ in range(steps + 1):
        z = np.outer(xs, w) + b
        on = (z > 0).astype(float) if act == "relu" else np.ones_like(z)
        h = z * on
        e = c + h @ a - ys
        losses.append(np.mean(e ** 2))
        if not np.isfinite(losses[-1]) or losses[-1] > 1e6:
            break
        n = len(xs)
        ga = 2 / n * e @ h
        gw = 2 / n * a * ((e[:, None] * on * xs[:, None]).sum(0))
        gb = 2 / n * a * ((e[:, None] * on).sum(0))
        gc = 2 / n * e.sum()
        w, b, a, c = w - lr * gw, b - lr * gb, a - lr * ga, c - lr * gc
    return losses


def test_default_run_matches_numpy_and_learns():
    losses = _np_run("sine", 8, 0.03, 4)
    assert val("fit_start_loss") == pytest.approx(losses[0], rel=1e-9)
    assert val("fit_end_loss") == pytest.approx(losses[-1], rel=1e-6)
    # the chapter's claim: the loss falls by about a factor of a thousand
    assert losses[0] / losses[-1] > 500
    assert val("fit_samples") == 25 and val("fit_lr") == 0.03 and val("fit_steps") == 1000


def test_other_runs_match_numpy():
    assert val("w1_end_loss") == pytest.approx(_np_run("sine", 1, 0.03, 4)[-1], rel=1e-6)
    assert val("zig4_loss") == pytest.approx(_np_run("zigzag", 4, 0.03, 4)[-1], rel=1e-6)
    assert val("zig4_seed5_loss") == pytest.approx(_np_run("zigzag", 4, 0.03, 5)[-1], rel=1e-6)
    assert val("zig8_loss") == pytest.approx(_np_run("zigzag", 8, 0.03, 4)[-1], rel=1e-6)
    assert val("zig4_loss") > 10 * val("zig4_seed5_loss")
    diverging = _np_run("sine", 8, 0.3, 4)
    assert diverging[-1] > 1e6 and val("diverge_steps") == len(diverging) - 1 == 3


# -- activations ----------------------------------------------------------------------------------------


def test_activation_minima_and_far_slopes():
    xs = np.linspace(-3, 0, 300_001)
    gelu = xs * 0.5 * (1 + np.vectorize(math.erf)(xs / np.sqrt(2)))
    assert val("gelu_min") == pytest.approx(gelu.min(), abs=1e-6)
    assert val("gelu_min_x") == pytest.approx(xs[gelu.argmin()], abs=1e-4)
    silu = xs * np_sigmoid(xs)
    assert val("silu_min") == pytest.approx(silu.min(), abs=1e-6)
    assert (text("gelu_min"), text("gelu_min_x"), text("silu_min")) == ("\u22120.170", "\u22120.75", "\u22120.278")
    s3 = np_sigmoid(3)
    assert val("sigmoid_slope_3") == pytest.approx(s3 * (1 - s3))
    assert val("tanh_slope_3") == pytest.approx(1 - np.tanh(3) ** 2)


def test_slopes_at_one_and_minus_two():
    for x, suffix in ((1.0, "1"), (-2.0, "m2")):
        s = np_sigmoid(x)
        assert val(f"ex5_gelu_{suffix}") == pytest.approx(PHI(x) + x * PDF(x))
        assert val(f"ex5_silu_{suffix}") == pytest.approx(s + x * s * (1 - s))
        assert val(f"ex5_sig_{suffix}") == pytest.approx(s * (1 - s))
        assert val(f"ex5_tanh_{suffix}") == pytest.approx(1 / np.cosh(x) ** 2)
    assert text("ex5_gelu_1") == "1.0833" and text("ex5_silu_m2") == "\u22120.0908"


# -- small networks by hand ------------------------------------------------------------------------------


def test_exercise_networks_with_numpy():
    W1, b1, W2, b2 = np.array([[2, 0], [1, -1]]), np.array([1, 0]), np.array([1, 3]), -2
    x = np.array([1, 2])
    assert val("ex1_linear") == W2 @ (W1 @ x + b1) + b2 == -2
    assert val("ex1_relu") == W2 @ np.maximum(W1 @ x + b1, 0) + b2 == 1
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    H = np.maximum(X @ np.array([[1, 1], [1, 1]]) + np.array([0, -1]), 0)
    assert (H @ np.array([1, -2])).tolist() == [0, 1, 1, 0]
    assert val("ex2_y11") == 0 and val("ex2_params") == 4 + 2 + 2 + 1
    hat = lambda x: max(0.0, 1 - abs(x))
    assert val("ex3_half") == hat(0.5) and val("ex3_far") == hat(1.5)


def test_gradient_step_by_hand_against_numpy():
    xs, ys = np.array([-1.0, 2.0]), np.array([0.0, 2.0])
    w, b, a, a0 = 1.0, 0.0, 0.5, 0.0
    h = np.maximum(w * xs + b, 0)
    e = a0 + a * h - ys
    on = (w * xs + b > 0)
    assert val("ex6_loss") == np.mean(e ** 2) == 0.5
    assert val("ex6_ga") == np.sum(e * h) == -2
    assert val("ex6_gw") == a * np.sum(e * on * xs) == -1
    assert val("ex6_gb") == a * np.sum(e * on) == -0.5
    assert val("ex6_ga0") == np.sum(e) == -1
    w, b, a, a0 = 1.1, 0.05, 0.7, 0.1
    e = a0 + a * np.maximum(w * xs + b, 0) - ys
    assert val("ex6_new_loss") == pytest.approx(np.mean(e ** 2)) == pytest.approx(0.0578125)


# -- feed-forward blocks from published configs -------------------------------------------------------------


def test_llama_3_8b_ffn():
    per_layer = 3 * 4096 * 14336
    assert val("llama8_layer_params") == per_layer == 176_160_768
    assert val("llama8_ffn_total") == 32 * per_layer
    assert val("llama8_params") == pytest.approx(8.03e9, rel=1e-3)
    assert val("llama8_share") == pytest.approx(32 * per_layer / 8_030_261_248)
    assert text("llama8_share") == "70.2 %"
    assert val("llama8_layer_flops") == 2 * per_layer and val("llama8_ffn_flops") == 64 * per_layer
    # the matrices chapter's per-token total: seven matrices a layer plus the output matrix
    h, kv, ff, V = 4096, 1024, 14336, 128256
    model = 32 * 2 * (2 * h * h + 2 * h * kv + 3 * h * ff) + 2 * h * V
    assert val("llama8_model_flops") == model
    assert val("llama8_flops_share") == pytest.approx(64 * per_layer / model)
    assert val("llama8_ratio") == 3.5


def test_llama_3_widths_from_the_reference_recipe():
    def recipe(d, mult, block):
        hidden = int(mult * int(2 * 4 * d / 3))
        return -(-hidden // block) * block
    assert val("llama8_dff_rule") == recipe(4096, 1.3, 1024) == 14336
    assert val("llama70_dff_rule") == recipe(8192, 1.3, 4096) == 28672
    # the 405B: multiplier 1.2, block 4,096, and its published width is only 3.25·d
    assert val("llama405_d") == 16384
    assert val("llama405_dff_rule") == recipe(16384, 1.2, 4096) == 53248
    assert val("llama405_ratio") == 53248 / 16384 == 3.25
    assert val("ex8_matched") == pytest.approx(8 * 4096 / 3)
    assert text("ex8_matched") == "10,922.7"
    assert val("ex8_extra") == pytest.approx(14336 / (8 * 4096 / 3) - 1)


def test_llama_3_70b_ffn():
    per_layer = 3 * 8192 * 28672
    assert val("llama70_layer_params") == per_layer
    assert val("llama70_ffn_total") == 80 * per_layer
    assert val("llama70_params") == pytest.approx(70.55e9, rel=1e-3)
    assert val("llama70_share") == pytest.approx(80 * per_layer / val("llama70_params"))


def test_opt_13b_ffn():
    d, ff, L = 5120, 20480, 40
    per_layer = 2 * d * ff + ff + d
    assert val("opt_layer_params") == per_layer == 209_740_800
    assert val("opt_bias_params") == ff + d
    assert val("opt_layer_flops") == 2 * 2 * d * ff
    assert val("opt_ffn_flops") == L * 2 * 2 * d * ff
    # OPT-13B's matrix FLOPs: four d×d attention projections, two FFN matrices, the tied output matrix
    model = L * 2 * (4 * d * d + 2 * d * ff) + 2 * d * 50272
    assert val("opt_flops_share") == pytest.approx(L * 4 * d * ff / model)
    assert 0.6 < val("opt_share") < 0.7


def test_shrinking_llama_3_8b():
    per_unit = 3 * 4096 * 32
    assert val("ex10_per_unit") == per_unit
    units = math.ceil(1e9 / per_unit)
    assert val("ex10_units_needed") == units == 2544
    assert val("ex10_max_dff") == 14336 - units
    assert val("ex10_dff") == 11264 and 11264 % 1024 == 0 and 11264 + 1024 > 14336 - units
    saved = 3 * 4096 * (14336 - 11264) * 32
    assert val("ex10_saved") == saved and saved >= 1e9
    assert val("ex10_params") == 8_030_261_248 - saved
    assert val("ex10_flops_saved") == 2 * saved
