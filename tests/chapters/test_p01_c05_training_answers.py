"""Chapter p01-c05's answers against independent oracles: numpy, closed forms and published figures.

The training runs are recomputed in numpy as dense arrays: the one-hidden-layer
network, its gradient and AdamW written as array expressions, on the same
points, starting weights and minibatch order (the order is the data, not the
thing under test). The deep stacks are recomputed with matrices.

Published figures: GPT-3 (Brown et al. 2020) Table 2.1, 300B training tokens,
batches of 0.5M tokens (125M model) and 3.2M (175B), 2,048-token sequences;
Table 2.2, Common Crawl (filtered) 410B tokens at 60 % of the mix for 0.44
epochs, WebText2 19B at 22 %, Books1 12B at 8 %, Books2 55B at 8 % for 0.43,
Wikipedia 3B at 3 %. Goyal et al. 2017: 0.1 for 256 images,
scaled linearly. Llama 3 8B config.json: 32 layers, hidden_size 4096,
rms_norm_eps 1e-05, 8.03B parameters.
"""
import math

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.calc.dynamics import fit_start, minibatch, noisy_sine
from llmviz.calc.dynamics import deep_init
from llmviz.modes.part01_networks.training import (BASE, CURVE_STEPS, EVAL, INIT_SEED, SWEEP_LRS, SWEEP_POINTS,
                                                   SWEEP_STEPS, SWEEP_WIDTH, TRAIN_SEED, VAL_POINTS, VAL_SEED,
                                                   TrainingMode)

A = answers_for("p01-c05-training")


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


# -- numpy oracles -------------------------------------------------------------------------------------


def np_loss_grad(p, xs, ys):
    w, b, a, c = p
    z = np.outer(xs, w) + b
    on = (z > 0).astype(float)
    h = z * on
    e = c + h @ a - ys
    g = 2 / len(xs)
    return (float(np.mean(e ** 2)),
            (g * a * ((e[:, None] * on * xs[:, None]).sum(0)), g * a * ((e[:, None] * on).sum(0)), g * (e @ h),
             g * e.sum()))


def np_run(width=32, lr=0.01, batch=4, points=12, decay=0.0, steps=CURVE_STEPS, seed=INIT_SEED):
    """AdamW on minibatches, in numpy: training and validation losses every EVAL steps."""
    xs, ys = map(np.asarray, noisy_sine(points, TRAIN_SEED))
    vx, vy = map(np.asarray, noisy_sine(VAL_POINTS, VAL_SEED))
    th = np.asarray(fit_start(width, seed).theta)
    m, v = np.zeros_like(th), np.zeros_like(th)
    unpack = lambda t: (t[:width], t[width:2 * width], t[2 * width:3 * width], t[3 * width])
    train, valid = [], []
    batch = min(batch, points)
    for s in range(steps + 1):
        if s % EVAL == 0:
            train.append(np_loss_grad(unpack(th), xs, ys)[0])
            valid.append(np_loss_grad(unpack(th), vx, vy)[0])
        if s == steps:
            break
        idx = minibatch(points, batch, s, seed)
        _, g = np_loss_grad(unpack(th), xs[idx], ys[idx])
        g = np.concatenate([g[0], g[1], g[2], [g[3]]])
        th = th * (1 - lr * decay)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        th = th - lr * (m / (1 - 0.9 ** (s + 1))) / (np.sqrt(v / (1 - 0.999 ** (s + 1))) + 1e-8)
    return np.asarray(train), np.asarray(valid)


_RUNS = {}


def run(**kw):
    key = tuple(sorted(kw.items()))
    if key not in _RUNS:
        _RUNS[key] = np_run(**kw)
    return _RUNS[key]


# -- the curves run -------------------------------------------------------------------------------------


def test_the_default_run_matches_numpy():
    train, valid = run()
    assert val("start_train") == pytest.approx(train[0], rel=1e-9)
    assert val("start_val") == pytest.approx(valid[0], rel=1e-9)
    assert val("end_train") == pytest.approx(train[-1], rel=1e-5)
    assert val("end_val") == pytest.approx(valid[-1], rel=1e-5)
    assert val("best_val") == pytest.approx(valid.min(), rel=1e-6)
    assert val("best_step") == EVAL * int(valid.argmin())
    assert val("end_gap") == pytest.approx(valid[-1] - train[-1], rel=1e-5)
    # the chapter's claims about it
    assert train[0] / train[-1] > 500 and train[-1] < 0.09 < valid.min() < valid[-1]


def test_the_same_numbers_the_view_shows():
    m = TrainingMode(submode="curves")
    end = {e["id"]: e["value"] for e in m.frame(1e6)["telemetry"]}
    assert (end["train"], end["val"], end["best_val"], end["best_step"]) == (
        val("end_train"), val("end_val"), val("best_val"), val("best_step"))


@pytest.mark.parametrize("name,over", [
    ("narrow", dict(width=4)), ("more", dict(points=48)), ("b1", dict(batch=1)), ("full", dict(batch=12)),
("decay01", dict(decay=0.1)), ("decay03", dict(decay=0.3)), ("decay1", dict(decay=1.0)),
])
def test_other_runs_match_numpy(name, over):
    train, valid = run(**over)
    assert val(f"{name}_train") == pytest.approx(train[-1], rel=1e-4)
    assert val(f"{name}_val") == pytest.approx(valid[-1], rel=1e-4)


def test_what_the_prose_says_about_those_runs():
    # four units: both losses above the noise floor, no gap; 48 points: the gap closes
    assert val("narrow_train") > 0.09 and abs(val("narrow_val") - val("narrow_train")) < 0.02
    assert abs(val("more_val") - val("more_train")) < 0.02
    # the full batch overfits most; decay 0.3 closes the gap and stays above the floor; λ = 1 underfits
    assert val("full_train") < val("end_train") and val("full_val") > val("end_val") > val("b1_val")
    assert val("decay03_train") > 0.09 and abs(val("decay03_val") - val("decay03_train")) < 0.01
    assert val("decay03_val") > val("decay01_val")        # "already higher than at 0.1"
    assert val("decay1_train") > 0.25 and val("decay1_val") > val("best_val")
    assert val("decay03_best") == pytest.approx(run(decay=0.3)[1].min(), rel=1e-6)
    assert val("ex10_width8_val") == pytest.approx(run(width=8)[1][-1], rel=1e-4)
    assert val("ex10_width8_train") == pytest.approx(run(width=8)[0][-1], rel=1e-4)
    assert val("ex10_decay01_best") == pytest.approx(run(decay=0.1)[1].min(), rel=1e-6)
    assert val("ex10_more_best") == pytest.approx(run(points=48)[1].min(), rel=1e-6)
    assert val("ex10_more_best") < min(val("best_val"), val("ex10_decay01_best"))
    # decay 0.1 still drifts up from its best, but less than the undecayed run does
    assert val("ex10_decay01_best") < val("decay01_val") < val("end_val")
    assert val("decay01_val") - val("ex10_decay01_best") < 0.5 * (val("end_val") - val("best_val"))


def test_settings_and_counting():
    assert (val("points"), val("val_points"), val("width"), val("lr"), val("batch"), val("steps")) == (
        12, 60, 32, 0.01, 4, 1000)
    assert val("params") == 3 * 32 + 1 and val("narrow_params") == 13
    assert val("noise_sd") == 0.3 and val("noise_floor") == pytest.approx(0.3 ** 2)
    assert val("steps_per_epoch") == 3 and val("end_epochs") == pytest.approx(1000 / 3)
    assert text("end_epochs") == "333"
    assert val("ex1_steps_epoch48") == 12 and val("ex1_epochs48") == pytest.approx(1000 * 4 / 48)
    # the true curve's own loss on the noisy points: the noise's mean square on that sample
    xs, ys = map(np.asarray, noisy_sine(12, TRAIN_SEED))
    vx, vy = map(np.asarray, noisy_sine(VAL_POINTS, VAL_SEED))
    assert val("sine_train") == pytest.approx(np.mean((np.sin(xs) - ys) ** 2), rel=1e-12)
    assert val("sine_val") == pytest.approx(np.mean((np.sin(vx) - vy) ** 2), rel=1e-12)
    # what the prose says: the default run's training loss ends far below the sine's own score
    assert val("end_train") < 0.25 * val("sine_train") and val("more_train") > val("sine_train") * 0.9


# -- the sweep ------------------------------------------------------------------------------------------


def np_sweep(batch):
    xs, ys = map(np.asarray, noisy_sine(SWEEP_POINTS, TRAIN_SEED))
    out = []
    for lr in SWEEP_LRS:
        w = SWEEP_WIDTH
        th = np.asarray(fit_start(w, INIT_SEED).theta)
        m, v = np.zeros_like(th), np.zeros_like(th)
        for s in range(SWEEP_STEPS):
            idx = minibatch(SWEEP_POINTS, batch, s, INIT_SEED)
            _, g = np_loss_grad((th[:w], th[w:2 * w], th[2 * w:3 * w], th[3 * w]), xs[idx], ys[idx])
            g = np.concatenate([g[0], g[1], g[2], [g[3]]])
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            th = th - lr * (m / (1 - 0.9 ** (s + 1))) / (np.sqrt(v / (1 - 0.999 ** (s + 1))) + 1e-8)
        out.append(np_loss_grad((th[:w], th[w:2 * w], th[2 * w:3 * w], th[3 * w]), xs, ys)[0])
    return out


def test_the_sweep_matches_numpy():
    full, one = np_sweep(12), np_sweep(1)
    assert val("sweep_small") == pytest.approx(full[0], rel=1e-4)
    assert val("sweep_large") == pytest.approx(full[-1], rel=1e-4)
    assert val("sweep_best_lr") == SWEEP_LRS[int(np.argmin(full))]
    assert val("sweep_best") == pytest.approx(min(full), rel=1e-4)
    assert val("sweep_b1_best_lr") == SWEEP_LRS[int(np.argmin(one))]
    assert val("sweep_b1_best") == pytest.approx(min(one), rel=1e-4)
    assert val("sweep_b1_at_full_best") == pytest.approx(one[int(np.argmin(full))], rel=1e-4)
    # a U: both ends far above the bottom; and the best rate falls with the batch
    assert min(full[0], full[-1]) > 10 * min(full)
    assert val("sweep_b1_best_lr") < val("sweep_best_lr")
    assert val("sweep_width") == SWEEP_WIDTH and val("sweep_steps") == SWEEP_STEPS


# -- deep stacks ----------------------------------------------------------------------------------------


def np_stack(block, depth, steps=0, lr=3e-3):
    """The depth view's stack with matrices: forward, backward, and optionally full-batch Adam steps."""
    xs, _ = noisy_sine(16, TRAIN_SEED, noise=0.0)
    x = np.asarray(xs)[None, :]
    y = np.sin(np.asarray(xs))
    net = deep_init(depth, 8, 1)
    P = {"w_in": np.asarray(net.w_in), "b_in": np.asarray(net.b_in), "w": np.asarray(net.w), "b": np.asarray(net.b),
         "g": np.asarray(net.gains), "w_out": np.asarray(net.w_out), "b_out": np.asarray(net.b_out)}
    norm, resid = block in ("norm", "prenorm"), block in ("residual", "prenorm")

    def pass_(P):
        h = P["w_in"][:, None] * x + P["b_in"][:, None]
        cache, rms = [], [np.sqrt((h ** 2).mean())]
        for l in range(depth):
            r = np.sqrt((h ** 2).mean(0, keepdims=True) + 1e-5) if norm else None
            u = P["g"][l][:, None] * h / r if norm else h
            a = np.maximum(u, 0)
            f = P["w"][l] @ a + P["b"][l][:, None]
            cache.append((h, r, u, a))
            h = h + f if resid else f
            rms.append(np.sqrt((h ** 2).mean()))
        err = P["w_out"] @ h + P["b_out"] - y
        dout = 2 * err / len(y)
        G = {"w_out": h @ dout, "b_out": dout.sum(), "w": np.zeros_like(P["w"]), "b": np.zeros_like(P["b"]),
             "g": np.zeros_like(P["g"])}
        dh = np.outer(P["w_out"], dout)
        for l in reversed(range(depth)):
            hi, r, u, a = cache[l]
            G["w"][l], G["b"][l] = dh @ a.T, dh.sum(1)
            du = (P["w"][l].T @ dh) * (u > 0)
            if norm:
                g = P["g"][l][:, None]
                G["g"][l] = (du * hi / r).sum(1)
                dhi = g * du / r - hi * (g * du * hi).sum(0, keepdims=True) / (8 * r ** 3)
            else:
                dhi = du
            dh = dhi + dh if resid else dhi
        G["w_in"], G["b_in"] = dh @ x[0], dh.sum(1)
        return float((err ** 2).mean()), G, rms

    loss, G, rms = pass_(P)
    losses = [loss]
    M = {k: np.zeros_like(v, dtype=float) for k, v in P.items()}
    V = {k: np.zeros_like(v, dtype=float) for k, v in P.items()}
    for t in range(1, steps + 1):
        for k in P:
            M[k] = 0.9 * M[k] + 0.1 * G[k]
            V[k] = 0.999 * V[k] + 0.001 * G[k] * G[k]
            P[k] = P[k] - lr * (M[k] / (1 - 0.9 ** t)) / (np.sqrt(V[k] / (1 - 0.999 ** t)) + 1e-8)
        loss, G, _ = pass_(P)
        losses.append(loss)
    norms = [np.linalg.norm(G0) for G0 in pass_({k: v for k, v in P.items()})[1]["w"]] if steps == 0 else None
    return losses, norms, rms


@pytest.mark.parametrize("block,depth,name", [("plain", 16, "plain16_ratio"), ("plain", 32, "plain32_ratio"),
                                              ("norm", 16, "norm16_ratio"), ("residual", 16, "residual16_ratio"),
                                              ("prenorm", 16, "prenorm16_ratio")])
def test_gradient_ratios_match_numpy(block, depth, name):
    _, norms, _ = np_stack(block, depth)
    assert val(name) == pytest.approx(norms[0] / norms[-1], rel=1e-8)


def fd_weight_gradient_norms(block, depth, blocks, h=1e-6):
    """‖∂L/∂W_l‖ for the listed blocks by central differences of the stack's loss: no backward pass at all."""
    xs, _ = noisy_sine(16, TRAIN_SEED, noise=0.0)
    x, y = np.asarray(xs), np.sin(np.asarray(xs))
    net = deep_init(depth, 8, 1)
    w = np.asarray(net.w)
    norm, resid = block in ("norm", "prenorm"), block in ("residual", "prenorm")

    def loss(w):
        hh = np.outer(net.w_in, x) + np.asarray(net.b_in)[:, None]
        for l in range(depth):
            u = hh / np.sqrt((hh ** 2).mean(0) + 1e-5) if norm else hh   # gains start at 1
            f = w[l] @ np.maximum(u, 0) + np.asarray(net.b[l])[:, None]
            hh = hh + f if resid else f
        return np.mean((np.asarray(net.w_out) @ hh + net.b_out - y) ** 2)

    out = []
    for l in blocks:
        g = np.zeros((8, 8))
        for i in range(8):
            for j in range(8):
                wp, wm = w.copy(), w.copy()
                wp[l, i, j] += h
                wm[l, i, j] -= h
                g[i, j] = (loss(wp) - loss(wm)) / (2 * h)
        out.append(np.linalg.norm(g))
    return out


@pytest.mark.parametrize("block,name", [("plain", "plain16_ratio"), ("norm", "norm16_ratio"),
                                        ("residual", "residual16_ratio"), ("prenorm", "prenorm16_ratio")])
def test_gradient_ratios_match_finite_differences(block, name):
    g1, g16 = fd_weight_gradient_norms(block, 16, (0, 15))
    assert val(name) == pytest.approx(g1 / g16, rel=1e-3)


def test_sizes_of_h_match_numpy():
    assert val("start_rms") == pytest.approx(np_stack("plain", 16)[2][0], rel=1e-10)
    assert val("plain16_top_rms") == pytest.approx(np_stack("plain", 16)[2][-1], rel=1e-10)
    assert val("residual16_top_rms") == pytest.approx(np_stack("residual", 16)[2][-1], rel=1e-10)
    assert val("prenorm16_top_rms") == pytest.approx(np_stack("prenorm", 16)[2][-1], rel=1e-10)


@pytest.mark.parametrize("block,depth,name", [("plain", 16, "deep_plain16"), ("plain", 4, "deep_plain4"),
                                              ("norm", 16, "deep_norm16"), ("residual", 16, "deep_residual16"),
                                              ("prenorm", 16, "deep_prenorm16")])
def test_deep_training_matches_numpy(block, depth, name):
    losses, _, _ = np_stack(block, depth, steps=100)
    assert val(name) == pytest.approx(losses[-1], rel=1e-4)
    if name == "deep_plain16":
        assert val("deep_start_plain16") == pytest.approx(losses[0], rel=1e-10)


def test_what_the_prose_says_about_depth():
    # the plain 16-block stack ends where one constant prediction would: the targets' variance
    xs, _ = noisy_sine(16, TRAIN_SEED, noise=0.0)
    assert val("const_loss") == pytest.approx(float(np.var(np.sin(xs))), rel=1e-12)
    assert val("deep_plain16") == pytest.approx(val("const_loss"), rel=1e-3)
    assert max(val("deep_residual16"), val("deep_prenorm16")) < val("deep_plain4") < 0.1 * val("deep_plain16")
    # normalized plain blocks: better than 16 plain blocks, worse than 4 (He et al.'s 34 against 18 layers)
    assert val("deep_plain4") < val("deep_norm16") < val("deep_plain16")
    # each PyTorch-initialized ReLU block divides the size of h by √6; 15 of them predict the ratio's order
    assert val("block_factor") == pytest.approx(math.sqrt(6))
    assert val("plain16_predicted") == pytest.approx(6 ** -7.5)
    assert 0.1 < val("plain16_ratio") / val("plain16_predicted") < 10
    assert val("ex9_blocks_to_1e6") == math.ceil(6 / math.log10(math.sqrt(6)))
    assert val("deep_lr") == 3e-3 and val("deep_steps") == 100 and val("llama_layers") == 32


# -- norms, Llama 3 and the exercises -------------------------------------------------------------------


def test_norm_view_numbers():
    x = np.asarray(BASE)
    assert val("base_mean") == pytest.approx(x.mean()) and val("base_rms") == pytest.approx(np.sqrt((x ** 2).mean()))
    tiny = 1e-3 * x
    out = tiny / np.sqrt((tiny ** 2).mean() + 1e-5)
    assert val("tiny_rms_out") == pytest.approx(np.sqrt((out ** 2).mean()), rel=1e-9)
    shifted = x + 2
    assert val("shift_rms_mean") == pytest.approx((shifted / np.sqrt((shifted ** 2).mean() + 1e-5)).mean(), rel=1e-9)
    assert val("eps") == 1e-5 and text("eps") == "1 × 10⁻⁵"


def test_llama_norm_parameters():
    # two RMSNorms per layer and one before the output head, 4,096 gains each; 8.03B parameters
    assert val("llama_norm_params") == (2 * 32 + 1) * 4096 == 266_240
    assert val("llama_norm_share") == pytest.approx(266_240 / 8.03e9, rel=0.01)
    assert val("llama_dim") == 4096


def test_published_figure_exercises():
    assert val("ex2_steps") == 300e9 / 3.2e6 == 93_750
    assert val("ex2_sequences") == pytest.approx(3.2e6 / 2048) and text("ex2_sequences") == "1,562.5"
    assert val("ex2_small_steps") == 600_000
    assert val("ex3_cc") == pytest.approx(0.44, abs=0.005) and val("ex3_books2") == pytest.approx(0.43, abs=0.01)
    assert val("ex3_cc_tokens") == 180e9
    # Books2's 0.43 epochs of 55B is 7.9 % of 300B: the printed 8 % is rounded
    assert val("ex3_books2_implied") == pytest.approx(0.43 * 55 / 300) and text("ex3_books2_implied") == "7.9 %"
    # Table 2.2's quantities: 410 + 19 + 12 + 55 + 3 billion tokens
    assert val("ex3_total") == 499e9 and text("ex3_total") == "499 B"
    assert val("ex3_cc_share") == pytest.approx(410 / 499) and val("ex3_books2_share") == pytest.approx(55 / 499)
    assert val("ex2_ratio") == 6.4
    assert val("ex5_k") == 32 and val("ex5_lr") == pytest.approx(3.2)


def test_by_hand_exercises():
    x = np.array([1.0, 2.0, 3.0, 6.0])
    ln = (x - x.mean()) / x.std()
    rn = x / np.sqrt((x ** 2).mean())
    assert (val("ex6_mean"), val("ex6_var")) == (3, 3.5)
    assert [val("ex6_ln1"), val("ex6_ln2"), val("ex6_ln4")] == pytest.approx([ln[0], ln[1], ln[3]])
    assert val("ex6_rms") == pytest.approx(math.sqrt(12.5))
    assert [val("ex6_rn1"), val("ex6_rn4")] == pytest.approx([rn[0], rn[3]])
    assert val("ex7_factor") == pytest.approx(1 / math.sqrt(1.1))
    rms = val("ex7_rms")                                  # at this RMS, ε costs exactly 1 %
    assert 1 / math.sqrt(1 + 1e-5 / rms ** 2) == pytest.approx(0.99)
    assert val("ex7_shrink_at_1") == pytest.approx(1 - 1 / math.sqrt(1 + 1e-5), rel=1e-6)   # about ε/2
    # RMSNorm's gradient at x = (3, 4), g = (1, 0), by central differences
    f = lambda v: v[0] / np.sqrt((v ** 2).mean())
    v0, h = np.array([3.0, 4.0]), 1e-6
    fd = [(f(v0 + h * e) - f(v0 - h * e)) / (2 * h) for e in np.eye(2)]
    assert [val("ex8_dx1"), val("ex8_dx2")] == pytest.approx(fd, rel=1e-6)
    assert val("ex8_dx1") * 3 + val("ex8_dx2") * 4 == pytest.approx(0, abs=1e-12)
    assert val("ex8_r") == pytest.approx(math.sqrt(12.5)) and val("ex8_dg1") == pytest.approx(3 / math.sqrt(12.5))
    assert val("ex4_val_above") == pytest.approx(val("end_val") - 0.09)
    assert val("ex4_train_below") == pytest.approx(0.09 - val("end_train"))
    assert val("ex4_best_above") == pytest.approx(val("best_val") - 0.09)
