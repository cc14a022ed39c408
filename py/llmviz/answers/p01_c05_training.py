"""Answers for chapter p01-c05 (training dynamics).

The training runs are the workshop's own: the same data, starting weights,
minibatches and AdamW steps (:mod:`llmviz.calc.dynamics`), so every loss the
chapter prints is one the curves and sweep views show. The deep stacks are
the depth view's, and their short training runs use the same stacks,
points and starting weights. Norms, ε and Llama 3's layer count come from
:mod:`llmviz.calc.dynamics` and the catalog. Figures quoted from papers are
named where they are used.

Cost: the five deep-stack runs (100 full-batch Adam steps each, pure Python)
take about 2 s of CPU, the nine curves runs and two sweeps under 1 s more. Every run is memoised with ``lru_cache`` and nothing runs at import,
so a build or a test session pays this once, and only when an answer is
asked for. The workshop itself never imports this module.
"""
from __future__ import annotations

import math
from functools import lru_cache

from ..calc.dynamics import (deep_forward_backward, deep_init, epochs_seen, fit_loss, fit_start, layer_norm,
                             mean_and_variance, noisy_sine, rms_norm, rms_norm_backward, root_mean_square,
                             train_deep, train_fit)
from ..calc.model_size import param_breakdown, param_count
from ..catalog import get_model
from ..modes.part01_networks.training import (CURVE_STEPS, DEPTH_POINTS, DEPTH_SEED, DEPTH_WIDTH, EPS, EVAL,
                                              FLOOR, INIT_SEED, NOISE, SWEEP_LRS, SWEEP_POINTS, SWEEP_STEPS,
                                              SWEEP_WIDTH, TRAIN_SEED, VAL_POINTS, VAL_SEED, BASE, TrainingMode)
from ..units import fmt_count, fmt_percent, fmt_sci
from . import Answer

L8 = "llama-3-8b"
CURVES = {k: v for k, v in TrainingMode.submodes["curves"].values.items()}
# the depth view's short training runs: Adam at this rate for this many full-batch steps
DEEP_LR, DEEP_STEPS = 3e-3, 100
# GPT-3 (Brown et al. 2020): Table 2.1 batch sizes in tokens, 300B training tokens, 2,048-token sequences;
# Table 2.2: Common Crawl (filtered) 410B tokens at 60 % of the mix, Books2 55B at 8 %
GPT3_TOKENS, GPT3_CTX = 300e9, 2048
GPT3_BATCH_175B, GPT3_BATCH_SMALL = 3.2e6, 0.5e6
GPT3_MIX = {"cc": (410e9, 0.60), "webtext2": (19e9, 0.22), "books1": (12e9, 0.08), "books2": (55e9, 0.08),
            "wikipedia": (3e9, 0.03)}
# Goyal et al. 2017, section 2.1 and 5.1: the reference rate 0.1 for 256 images, scaled linearly
GOYAL_LR, GOYAL_BATCH, GOYAL_BIG = 0.1, 256, 8192
# Exercise 6: one vector by hand; exercise 7: a vector of this RMS; exercise 8: RMSNorm's gradient
EX6_X = (1.0, 2.0, 3.0, 6.0)
EX7_RMS, EX7_SHRINK = 0.01, 0.01
EX8_X, EX8_DY = (3.0, 4.0), (1.0, 0.0)


def _num(v: float, sig: int = 3) -> str:
    """Integers exactly (with separators), others to ``sig`` significant figures, ×10ⁿ when tiny."""
    if float(v).is_integer() and abs(v) < 1e15:
        return f"{int(v):,}".replace("-", "\u2212")
    if abs(v) >= 1000:
        return f"{v:,.1f}".replace("-", "\u2212")
    if v != 0 and abs(v) < 1e-3:
        return fmt_sci(v, digits=2)
    return f"{v:.{sig}g}".replace("-", "\u2212")


def _plain(v: float, sig: int = 3) -> Answer:
    return Answer(v, _num(v, sig))


def _lr(v: float) -> Answer:
    return Answer(v, _num(v, 2) if v >= 1e-3 else fmt_sci(v, digits=1))


# -- the curves view ----------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def curves(**over) -> dict:
    """The curves run with the view's defaults changed by ``over``: losses every EVAL steps up to CURVE_STEPS."""
    v = dict(CURVES, **over)
    n = v["points"]
    xs, ys = noisy_sine(n, TRAIN_SEED)
    vx, vy = noisy_sine(VAL_POINTS, VAL_SEED)
    states = train_fit(v["width"], v["lr"], min(v["batch"], n), v["decay"], CURVE_STEPS, xs, ys, INIT_SEED)
    thetas = [fit_start(v["width"], INIT_SEED).theta] + [s.theta for s in states]
    train = [fit_loss(thetas[k], xs, ys) for k in range(0, len(thetas), EVAL)]
    val = [fit_loss(thetas[k], vx, vy) for k in range(0, len(thetas), EVAL)]
    best = min(range(len(val)), key=val.__getitem__)
    return {"train": train, "val": val, "best": best, "n": n, "batch": min(v["batch"], n), "width": v["width"]}


def _sine_loss(n: int, seed: int) -> float:
    """The loss of the true curve, sin x, on the noisy points: their own noise's mean square."""
    xs, ys = noisy_sine(n, seed)
    return sum((math.sin(x) - y) ** 2 for x, y in zip(xs, ys)) / n


def _end(key: str, **over) -> float:
    return curves(**over)[key][-1]


def _best_val(**over) -> float:
    r = curves(**over)
    return r["val"][r["best"]]


# -- the sweep view -------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def sweep(batch: int) -> list[float]:
    """Every sweep run's training loss after SWEEP_STEPS steps, in SWEEP_LRS order."""
    xs, ys = noisy_sine(SWEEP_POINTS, TRAIN_SEED)
    out = []
    for lr in SWEEP_LRS:
        states = train_fit(SWEEP_WIDTH, lr, min(batch, SWEEP_POINTS), 0.0, SWEEP_STEPS, xs, ys, INIT_SEED)
        out.append(fit_loss(states[-1].theta, xs, ys) if len(states) == SWEEP_STEPS else math.inf)
    return out


def _sweep_best(batch: int) -> tuple[float, float]:
    losses = sweep(batch)
    r = min(range(len(losses)), key=losses.__getitem__)
    return SWEEP_LRS[r], losses[r]


# -- the depth view ---------------------------------------------------------------------------------------


def _depth_points() -> tuple[list[float], list[float]]:
    xs, _ = noisy_sine(DEPTH_POINTS, TRAIN_SEED, noise=0.0)
    return xs, [math.sin(x) for x in xs]


@lru_cache(maxsize=None)
def depth(block: str, blocks: int) -> dict:
    """The depth view's forward and backward pass for ``blocks`` blocks of kind ``block``."""
    xs, ys = _depth_points()
    return deep_forward_backward(deep_init(blocks, DEPTH_WIDTH, DEPTH_SEED), xs, ys, block, EPS)


def _ratio(block: str, blocks: int) -> float:
    g = depth(block, blocks)["grad_norms"]
    return g[0] / g[-1]


@lru_cache(maxsize=None)
def deep_run(block: str, blocks: int) -> list[float]:
    xs, ys = _depth_points()
    return train_deep(blocks, DEPTH_WIDTH, block, xs, ys, DEEP_LR, DEEP_STEPS, DEPTH_SEED)


def _const_loss() -> float:
    """The best loss of a network that outputs one number for every x: the variance of the targets."""
    return mean_and_variance(_depth_points()[1])[1]


def _relu_block_factor() -> float:
    """How much one plain block at PyTorch's start divides the size of h by: √6.

    A weight uniform in ±1/√d has mean square 1/(3d); a sum of d such
    weights times inputs has 1/3 of the inputs' mean square, and ReLU keeps
    half of it: 1/6 in mean square, √6 in size.
    """
    d = DEPTH_WIDTH
    mean_square_weight = (1 / math.sqrt(d)) ** 2 / 3
    return math.sqrt(1 / (d * mean_square_weight * 0.5))


# -- the norm view and Llama 3 ------------------------------------------------------------------------------


def _norm_view(scale: float, shift: float) -> dict:
    x = [scale * (v + shift) for v in BASE]
    ln, rn = layer_norm(x, eps=EPS), rms_norm(x, eps=EPS)
    return {"x": x, "ln": ln, "rn": rn}


def _llama_norms() -> tuple[int, float]:
    n = param_breakdown(L8)["norms"]
    return n, n / param_count(L8)


def _ex6() -> dict:
    mu, var = mean_and_variance(EX6_X)
    return {"mu": mu, "var": var, "ln": layer_norm(EX6_X, eps=0.0), "rms": root_mean_square(EX6_X),
            "rn": rms_norm(EX6_X, eps=0.0)}


def _eps_factor(rms: float) -> float:
    """What ε shrinks an RMSNorm output by, for an input of root mean square ``rms``."""
    x = [rms] * 4
    return root_mean_square(rms_norm(x, eps=EPS))


def _rms_for_shrink(shrink: float) -> float:
    """The input RMS at which ε cuts RMSNorm's output by the fraction ``shrink``: 1/√(1 + ε/ms) = 1 − shrink."""
    ms = EPS / (1 / (1 - shrink) ** 2 - 1)
    return math.sqrt(ms)


def _mix_total() -> float:
    """Tokens in GPT-3's five training sets together (Table 2.2's quantities)."""
    return sum(size for size, _ in GPT3_MIX.values())


def _implied_share(name: str, epochs: float) -> float:
    """The share of the 300B tokens that Table 2.2's epochs imply for a set: epochs × size / 300B."""
    return epochs * GPT3_MIX[name][0] / GPT3_TOKENS


def _ex8() -> tuple[list[float], list[float]]:
    return rms_norm_backward(EX8_X, [1.0, 1.0], EX8_DY, eps=0.0)


ANSWERS = {
    # the task and the curves run
    "points": lambda: _plain(CURVES["points"]),
    "val_points": lambda: _plain(VAL_POINTS),
    "noise_sd": lambda: _plain(NOISE),
    "noise_floor": lambda: _plain(FLOOR),
    "width": lambda: _plain(CURVES["width"]),
    "params": lambda: _plain(3 * CURVES["width"] + 1),
    "lr": lambda: _plain(CURVES["lr"]),
    "batch": lambda: _plain(CURVES["batch"]),
    "steps": lambda: _plain(CURVE_STEPS),
    "start_train": lambda: _plain(curves()["train"][0]),
    "start_val": lambda: _plain(curves()["val"][0]),
    "end_train": lambda: _plain(_end("train")),
    "end_val": lambda: _plain(_end("val")),
    "end_gap": lambda: _plain(_end("val") - _end("train")),
    "sine_train": lambda: _plain(_sine_loss(CURVES["points"], TRAIN_SEED)),
    "sine_val": lambda: _plain(_sine_loss(VAL_POINTS, VAL_SEED)),
    "best_val": lambda: _plain(_best_val()),
    "best_step": lambda: _plain(curves()["best"] * EVAL),
    "steps_per_epoch": lambda: _plain(CURVES["points"] / CURVES["batch"]),
    "end_epochs": lambda: _plain(epochs_seen(CURVE_STEPS, CURVES["batch"], CURVES["points"])),
    "narrow_params": lambda: _plain(3 * 4 + 1),
    "narrow_train": lambda: _plain(_end("train", width=4)),
    "narrow_val": lambda: _plain(_end("val", width=4)),
    "more_train": lambda: _plain(_end("train", points=48)),
    "more_val": lambda: _plain(_end("val", points=48)),
    "b1_train": lambda: _plain(_end("train", batch=1)),
    "b1_val": lambda: _plain(_end("val", batch=1)),
    "full_train": lambda: _plain(_end("train", batch=12)),
    "full_val": lambda: _plain(_end("val", batch=12)),
    "decay01_train": lambda: _plain(_end("train", decay=0.1)),
    "decay01_val": lambda: _plain(_end("val", decay=0.1)),
    "decay03_train": lambda: _plain(_end("train", decay=0.3)),
    "decay03_val": lambda: _plain(_end("val", decay=0.3)),
    "decay03_best": lambda: _plain(_best_val(decay=0.3)),
    "decay1_train": lambda: _plain(_end("train", decay=1.0)),
    "decay1_val": lambda: _plain(_end("val", decay=1.0)),
    # the sweep
    "sweep_width": lambda: _plain(SWEEP_WIDTH),
    "sweep_steps": lambda: _plain(SWEEP_STEPS),
    "sweep_small": lambda: _plain(sweep(12)[0]),
    "sweep_large": lambda: _plain(sweep(12)[-1]),
    "sweep_best_lr": lambda: _lr(_sweep_best(12)[0]),
    "sweep_best": lambda: _plain(_sweep_best(12)[1]),
    "sweep_b1_best_lr": lambda: _lr(_sweep_best(1)[0]),
    "sweep_b1_best": lambda: _plain(_sweep_best(1)[1]),
    "sweep_b1_at_full_best": lambda: _plain(sweep(1)[SWEEP_LRS.index(_sweep_best(12)[0])]),
    # depth
    "llama_layers": lambda: _plain(get_model(L8).layers),
    "block_factor": lambda: _plain(_relu_block_factor()),
    "plain16_ratio": lambda: _plain(_ratio("plain", 16), 2),
    "plain16_predicted": lambda: _plain(_relu_block_factor() ** -15, 2),
    "plain32_ratio": lambda: _plain(_ratio("plain", 32), 2),
    "norm16_ratio": lambda: _plain(_ratio("norm", 16), 2),
    "residual16_ratio": lambda: _plain(_ratio("residual", 16), 2),
    "prenorm16_ratio": lambda: _plain(_ratio("prenorm", 16), 2),
    "start_rms": lambda: _plain(depth("plain", 16)["act_rms"][0]),
    "plain16_top_rms": lambda: _plain(depth("plain", 16)["act_rms"][-1]),
    "residual16_top_rms": lambda: _plain(depth("residual", 16)["act_rms"][-1], 2),
    "prenorm16_top_rms": lambda: _plain(depth("prenorm", 16)["act_rms"][-1], 2),
    "deep_lr": lambda: _lr(DEEP_LR),
    "deep_steps": lambda: _plain(DEEP_STEPS),
    "deep_start_plain16": lambda: _plain(deep_run("plain", 16)[0]),
    "deep_plain16": lambda: _plain(deep_run("plain", 16)[-1]),
    "deep_plain4": lambda: _plain(deep_run("plain", 4)[-1]),
    "deep_norm16": lambda: _plain(deep_run("norm", 16)[-1]),
    "deep_residual16": lambda: _plain(deep_run("residual", 16)[-1]),
    "deep_prenorm16": lambda: _plain(deep_run("prenorm", 16)[-1]),
    "const_loss": lambda: _plain(_const_loss()),
    # the norm view
    "eps": lambda: Answer(EPS, fmt_sci(EPS, digits=1)),
    "base_mean": lambda: _plain(mean_and_variance(BASE)[0]),
    "base_rms": lambda: _plain(root_mean_square(BASE)),
    "tiny_rms_out": lambda: _plain(root_mean_square(_norm_view(1e-3, 0.0)["rn"])),
    "shift_rms_mean": lambda: _plain(sum(_norm_view(1.0, 2.0)["rn"]) / len(BASE)),
    "llama_norm_params": lambda: _plain(_llama_norms()[0]),
    "llama_norm_share": lambda: Answer(_llama_norms()[1], fmt_percent(_llama_norms()[1], 2)),
    "llama_dim": lambda: _plain(get_model(L8).hidden),
    # exercises
    "ex1_epochs48": lambda: _plain(epochs_seen(CURVE_STEPS, 4, 48)),
    "ex1_steps_epoch48": lambda: _plain(48 / 4),
    "ex2_steps": lambda: _plain(GPT3_TOKENS / GPT3_BATCH_175B),
    "ex2_sequences": lambda: _plain(GPT3_BATCH_175B / GPT3_CTX, 5),
    "ex2_small_steps": lambda: _plain(GPT3_TOKENS / GPT3_BATCH_SMALL),
    "ex2_ratio": lambda: _plain(GPT3_BATCH_175B / GPT3_BATCH_SMALL),
    "ex3_total": lambda: Answer(_mix_total(), fmt_count(_mix_total())),
    "ex3_cc_share": lambda: Answer(GPT3_MIX["cc"][0] / _mix_total(), fmt_percent(GPT3_MIX["cc"][0] / _mix_total(), 2)),
    "ex3_books2_share": lambda: Answer(GPT3_MIX["books2"][0] / _mix_total(),
                                      fmt_percent(GPT3_MIX["books2"][0] / _mix_total(), 2)),
    "ex3_books2_implied": lambda: Answer(_implied_share("books2", 0.43), fmt_percent(_implied_share("books2", 0.43), 2)),
    "ex3_cc": lambda: _plain(GPT3_MIX["cc"][1] * GPT3_TOKENS / GPT3_MIX["cc"][0]),
    "ex3_books2": lambda: _plain(GPT3_MIX["books2"][1] * GPT3_TOKENS / GPT3_MIX["books2"][0]),
    "ex3_cc_tokens": lambda: Answer(GPT3_MIX["cc"][1] * GPT3_TOKENS, fmt_count(GPT3_MIX["cc"][1] * GPT3_TOKENS)),
    "ex4_val_above": lambda: _plain(_end("val") - FLOOR),
    "ex4_train_below": lambda: _plain(FLOOR - _end("train")),
    "ex4_best_above": lambda: _plain(_best_val() - FLOOR),
    "ex5_k": lambda: _plain(GOYAL_BIG / GOYAL_BATCH),
    "ex5_lr": lambda: _plain(GOYAL_LR * GOYAL_BIG / GOYAL_BATCH),
    "ex6_mean": lambda: _plain(_ex6()["mu"]),
    "ex6_var": lambda: _plain(_ex6()["var"]),
    "ex6_ln1": lambda: _plain(_ex6()["ln"][0]),
    "ex6_ln2": lambda: _plain(_ex6()["ln"][1]),
    "ex6_ln4": lambda: _plain(_ex6()["ln"][3]),
    "ex6_rms": lambda: _plain(_ex6()["rms"]),
    "ex6_rn1": lambda: _plain(_ex6()["rn"][0]),
    "ex6_rn4": lambda: _plain(_ex6()["rn"][3]),
    "ex7_factor": lambda: _plain(_eps_factor(EX7_RMS)),
    "ex7_rms": lambda: _plain(_rms_for_shrink(EX7_SHRINK)),
    "ex7_shrink_at_1": lambda: _plain(1 - _eps_factor(1.0), 2),
    "ex8_r": lambda: _plain(root_mean_square(EX8_X)),
    "ex8_dx1": lambda: _plain(_ex8()[0][0]),
    "ex8_dx2": lambda: _plain(_ex8()[0][1]),
    "ex8_dg1": lambda: _plain(_ex8()[1][0]),
    "ex9_blocks_to_1e6": lambda: _plain(math.ceil(math.log(1e6) / math.log(_relu_block_factor()))),
    "ex10_width8_val": lambda: _plain(_end("val", width=8)),
    "ex10_width8_train": lambda: _plain(_end("train", width=8)),
    "ex10_decay01_best": lambda: _plain(_best_val(decay=0.1)),
    "ex10_more_best": lambda: _plain(_best_val(points=48)),
}
