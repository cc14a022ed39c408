"""Answers for chapter p01-c02 (activations and MLPs).

Activation values and slopes come from :mod:`llmviz.calc.activations`;
ReLU interpolation, the one-hidden-layer network and its gradient from
:mod:`llmviz.calc.mlp`; feed-forward parameters and FLOPs from
:func:`llmviz.calc.model_size.mlp_param_count` and
:func:`llmviz.calc.mlp.mlp_flops_per_token` over the catalog. The training
runs are the fit view's own (same samples, starting weights and steps), so
the losses printed in the chapter are the ones the simulation shows.
"""
from __future__ import annotations

import math
from functools import lru_cache

from ..calc.activations import gelu, gelu_slope, relu, sigmoid, silu, silu_slope, tanh_slope
from ..calc.derivatives import sigmoid_slope
from ..calc.gemm import matmul_flops_per_token
from ..calc.mlp import (fit_loss_and_gradient, fit_step, fit_trajectory, interpolation_error_bound,
                        llama_ffn_width, mlp_flops_per_token, one_hidden_layer_output, pieces_for_error)
from ..calc.model_size import mlp_param_count, param_breakdown, param_count
from ..catalog import get_model
from ..modes.part01_networks.mlp import BLOWUP, FIT_STEPS, SAMPLES, MLPMode, initial_params, samples
from ..units import fmt_count, fmt_flops, fmt_percent
from . import Answer

L8, L70, L405, OPT = "llama-3-8b", "llama-3-70b", "llama-3.1-405b", "opt-13b"

# The collapse example: W1 (3×2), b1, then the row W2 and b2, at x = (1, −1)
COLLAPSE_W1 = ((1, 2), (-1, 1), (0, 1))
COLLAPSE_B1 = (0, 1, -1)
COLLAPSE_W2 = (1, -1, 2)
COLLAPSE_B2 = 0.5
COLLAPSE_X = (1, -1)
# Exercise 1
EX1_W1 = ((2, 0), (1, -1))
EX1_B1 = (1, 0)
EX1_W2 = (1, 3)
EX1_B2 = -2
EX1_X = (1, 2)
# Exercise 6: one hidden unit, two samples, one step
EX6_PARAMS = ([1.0], [0.0], [0.5], 0.0)
EX6_XS, EX6_YS = (-1.0, 2.0), (0.0, 2.0)
EX6_LR = 0.1
# Exercise 4: the sine's broken line within this tolerance
EX4_TOL = 0.01
# Exercise 10: cut this many parameters by narrowing d_ff in blocks of 1,024
EX10_CUT, EX10_BLOCK = 1e9, 1024
# Llama 3's FFN recipe (reference code llama/model.py with torchtitan's configurations)
LLAMA3_RECIPE = {L8: (1.3, 1024), L70: (1.3, 4096), L405: (1.2, 4096)}


def _num(v: float, sig: int = 3) -> str:
    """Integers exactly (with separators), others to ``sig`` significant figures, real minus signs."""
    if float(v).is_integer() and abs(v) < 1e15:
        return f"{int(v):,}".replace("-", "\u2212")
    return f"{v:.{sig}g}".replace("-", "\u2212")


def _plain(v: float, sig: int = 3) -> Answer:
    return Answer(v, _num(v, sig))


def _fixed(v: float, decimals: int) -> Answer:
    s = f"{v:.{decimals}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return Answer(v, s.replace("-", "\u2212"))


def _count(v: float) -> Answer:
    return Answer(v, fmt_count(v))


def _flops(v: float) -> Answer:
    return Answer(v, fmt_flops(v))


def _percent(v: float) -> Answer:
    return Answer(v, fmt_percent(v))


# -- small networks, by hand ---------------------------------------------------------------------


def _layer(w, b, x, bend: bool = False) -> list[float]:
    out = [sum(wi * xi for wi, xi in zip(row, x)) + bi for row, bi in zip(w, b)]
    return [relu(v) for v in out] if bend else out


def _two_layers(w1, b1, w2, b2, x, bend: bool) -> float:
    h = _layer(w1, b1, x, bend)
    return sum(wi * hi for wi, hi in zip(w2, h)) + b2


def _xor(x1: float, x2: float) -> float:
    return relu(x1 + x2) - 2 * relu(x1 + x2 - 1)


def _hat_sum(x: float) -> float:
    return relu(x + 1) - 2 * relu(x) + relu(x - 1)


# -- the simulation's views ----------------------------------------------------------------------


@lru_cache(maxsize=None)
def _build(target: str, pieces: int) -> dict:
    return MLPMode(submode="build", values={"target": target, "pieces": pieces})._build_static()


@lru_cache(maxsize=None)
def _run(target: str = "sine", width: int = 8, lr: float = 0.03, seed: int = 4, act: str = "relu"):
    """A fit-view run to the end: (states, losses, diverged), exactly as the simulation trains it."""
    xs, ys = samples(target)
    return fit_trajectory(initial_params(width, seed), xs, ys, lr, FIT_STEPS, act, BLOWUP)


def _fit_default() -> dict:
    return MLPMode.submodes["fit"].values


def _activation_min(f, slope, lo: float, hi: float) -> tuple[float, float]:
    """Where f is lowest on [lo, hi] (its slope changes sign from − to + there), and f's value there."""
    while hi - lo > 1e-12:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if slope(mid) < 0 else (lo, mid)
    x = (lo + hi) / 2
    return x, f(x)


# -- feed-forward blocks from the catalog ----------------------------------------------------------


@lru_cache(maxsize=None)
def _ffn(model: str) -> dict:
    m = get_model(model)
    layers = len(m.dense_layers())
    per_layer = mlp_param_count(m.hidden, m.ffn, gated=m.gated_ffn, bias=m.ffn_bias)
    total = layers * per_layer
    flops = mlp_flops_per_token(m.hidden, m.ffn, gated=m.gated_ffn)
    return {"m": m, "layers": layers, "per_layer": per_layer, "total": total,
            "params": param_count(m), "share": total / param_count(m),
            "flops": flops, "ffn_flops": layers * flops, "model_flops": matmul_flops_per_token(m)}


@lru_cache(maxsize=None)
def _ex10() -> dict:
    m = get_model(L8)
    per_unit = mlp_param_count(m.hidden, 1, gated=True) * m.layers
    units = math.ceil(EX10_CUT / per_unit)
    max_dff = m.ffn - units
    dff = (max_dff // EX10_BLOCK) * EX10_BLOCK
    saved = m.layers * (mlp_param_count(m.hidden, m.ffn) - mlp_param_count(m.hidden, dff))
    flops_saved = m.layers * (mlp_flops_per_token(m.hidden, m.ffn) - mlp_flops_per_token(m.hidden, dff))
    return {"per_unit": per_unit, "units": units, "max_dff": max_dff, "dff": dff,
            "params": param_count(m) - saved, "saved": saved, "flops_saved": flops_saved}


@lru_cache(maxsize=None)
def _ex6() -> dict:
    loss, (gw, gb, ga, gc) = fit_loss_and_gradient(EX6_PARAMS, EX6_XS, EX6_YS)
    new, _ = fit_step(EX6_PARAMS, EX6_XS, EX6_YS, EX6_LR)
    new_loss, _ = fit_loss_and_gradient(new, EX6_XS, EX6_YS)
    return {"loss": loss, "gw": gw[0], "gb": gb[0], "ga": ga[0], "ga0": gc, "new": new, "new_loss": new_loss}


def _bound(pieces: int) -> float:
    return interpolation_error_bound(6.0 / pieces, 1.0)


ANSWERS = {
    # two layers without a bend
    "collapse_y": lambda: _plain(_two_layers(COLLAPSE_W1, COLLAPSE_B1, COLLAPSE_W2, COLLAPSE_B2, COLLAPSE_X, False)),
    "relu_y_11": lambda: _plain(_two_layers(COLLAPSE_W1, COLLAPSE_B1, COLLAPSE_W2, COLLAPSE_B2, (1, 1), True)),
    "relu_y_m1m1": lambda: _plain(_two_layers(COLLAPSE_W1, COLLAPSE_B1, COLLAPSE_W2, COLLAPSE_B2, (-1, -1), True)),
    "relu_y_mid_avg": lambda: _plain((_two_layers(COLLAPSE_W1, COLLAPSE_B1, COLLAPSE_W2, COLLAPSE_B2, (1, 1), True)
                                      + _two_layers(COLLAPSE_W1, COLLAPSE_B1, COLLAPSE_W2, COLLAPSE_B2, (-1, -1),
                                                    True)) / 2),
    "relu_y_00": lambda: _plain(_two_layers(COLLAPSE_W1, COLLAPSE_B1, COLLAPSE_W2, COLLAPSE_B2, (0, 0), True)),
    "llama_d": lambda: _plain(get_model(L8).hidden),
    "llama_dff": lambda: _plain(get_model(L8).ffn),
    "llama_layers": lambda: _plain(get_model(L8).layers),
    "collapsed_weights": lambda: _count(get_model(L8).hidden ** 2),
    "up_down_weights": lambda: _count(mlp_param_count(get_model(L8).hidden, get_model(L8).ffn, gated=False)),
    "linear_final_loss": lambda: _plain(_run(act="linear")[1][-1]),
    # building curves from pieces
    "zigzag_gap": lambda: _plain(_build("zigzag", 4)["gap"]),
    "sine5_gap": lambda: _plain(_build("sine", 5)["gap"], 2),
    "sine5_bound": lambda: _plain(_bound(5), 2),
    "sine10_gap": lambda: _plain(_build("sine", 10)["gap"], 2),
    "sine10_bound": lambda: _plain(_bound(10), 2),
    # training
    "fit_samples": lambda: _plain(SAMPLES),
    "fit_lr": lambda: _plain(_fit_default()["lr"]),
    "fit_steps": lambda: _plain(FIT_STEPS),
    "fit_start_loss": lambda: _plain(_run()[1][0], 2),
    "fit_end_loss": lambda: _plain(_run()[1][-1], 2),
    "w1_end_loss": lambda: _plain(_run(width=1)[1][-1], 2),
    "diverge_steps": lambda: _plain(len(_run(lr=0.3)[0]) - 1),
    "zig4_loss": lambda: _plain(_run("zigzag", 4)[1][-1], 2),
    "zig4_seed5_loss": lambda: _plain(_run("zigzag", 4, seed=5)[1][-1], 2),
    "zig8_loss": lambda: _plain(_run("zigzag", 8)[1][-1], 2),
    # activations
    "gelu_min": lambda: _fixed(_activation_min(gelu, gelu_slope, -2.0, 0.0)[1], 3),
    "gelu_min_x": lambda: _fixed(_activation_min(gelu, gelu_slope, -2.0, 0.0)[0], 2),
    "silu_min": lambda: _fixed(_activation_min(silu, silu_slope, -3.0, 0.0)[1], 3),
    "sigmoid_slope_3": lambda: _fixed(sigmoid_slope(3.0), 3),
    "tanh_slope_3": lambda: _fixed(tanh_slope(3.0), 3),
    # Llama 3 8B's FFN
    "llama8_layer_params": lambda: _plain(_ffn(L8)["per_layer"]),
    "llama8_ffn_total": lambda: _count(_ffn(L8)["total"]),
    "llama8_params": lambda: _count(_ffn(L8)["params"]),
    "llama8_share": lambda: _percent(_ffn(L8)["share"]),
    "llama8_layer_flops": lambda: _flops(_ffn(L8)["flops"]),
    "llama8_ffn_flops": lambda: _flops(_ffn(L8)["ffn_flops"]),
    "llama8_model_flops": lambda: Answer(_ffn(L8)["model_flops"], fmt_flops(_ffn(L8)["model_flops"], 4)),
    "llama8_flops_share": lambda: _percent(_ffn(L8)["ffn_flops"] / _ffn(L8)["model_flops"]),
    "llama8_dff_rule": lambda: _plain(llama_ffn_width(get_model(L8).hidden, *LLAMA3_RECIPE[L8])),
    "llama8_ratio": lambda: _plain(get_model(L8).ffn / get_model(L8).hidden),
    # Llama 3 70B and OPT-13B
    "llama70_layer_params": lambda: _plain(_ffn(L70)["per_layer"]),
    "llama70_ffn_total": lambda: _count(_ffn(L70)["total"]),
    "llama70_params": lambda: _count(_ffn(L70)["params"]),
    "llama70_share": lambda: _percent(_ffn(L70)["share"]),
    "llama70_dff_rule": lambda: _plain(llama_ffn_width(get_model(L70).hidden, *LLAMA3_RECIPE[L70])),
    "llama405_d": lambda: _plain(get_model(L405).hidden),
    "llama405_dff_rule": lambda: _plain(llama_ffn_width(get_model(L405).hidden, *LLAMA3_RECIPE[L405])),
    "llama405_ratio": lambda: _plain(get_model(L405).ffn / get_model(L405).hidden),
    "opt_layer_params": lambda: _plain(_ffn(OPT)["per_layer"]),
    "opt_share": lambda: _percent(_ffn(OPT)["share"]),
    "opt_layer_flops": lambda: _flops(_ffn(OPT)["flops"]),
    "opt_ffn_flops": lambda: _flops(_ffn(OPT)["ffn_flops"]),
    "opt_flops_share": lambda: _percent(_ffn(OPT)["ffn_flops"] / _ffn(OPT)["model_flops"]),
    "opt_bias_params": lambda: _plain(_ffn(OPT)["per_layer"] - mlp_param_count(get_model(OPT).hidden,
                                                                               get_model(OPT).ffn, gated=False)),
    # exercises
    "ex1_linear": lambda: _plain(_two_layers(EX1_W1, EX1_B1, EX1_W2, EX1_B2, EX1_X, False)),
    "ex1_relu": lambda: _plain(_two_layers(EX1_W1, EX1_B1, EX1_W2, EX1_B2, EX1_X, True)),
    "ex2_y11": lambda: _plain(_xor(1, 1)),
    "ex2_params": lambda: _plain(2 * 2 + 2 + 2 + 1),
    "ex3_half": lambda: _plain(_hat_sum(0.5)),
    "ex3_far": lambda: _plain(_hat_sum(1.5)),
    "ex4_pieces": lambda: _plain(pieces_for_error(6.0, 1.0, EX4_TOL)),
    "ex4_bound": lambda: _plain(_bound(pieces_for_error(6.0, 1.0, EX4_TOL)), 3),
    "ex4_gap": lambda: _plain(_build("sine", pieces_for_error(6.0, 1.0, EX4_TOL))["gap"], 3),
    "ex5_gelu_1": lambda: _fixed(gelu_slope(1.0), 4),
    "ex5_silu_1": lambda: _fixed(silu_slope(1.0), 4),
    "ex5_sig_1": lambda: _fixed(sigmoid_slope(1.0), 4),
    "ex5_tanh_1": lambda: _fixed(tanh_slope(1.0), 4),
    "ex5_gelu_m2": lambda: _fixed(gelu_slope(-2.0), 4),
    "ex5_silu_m2": lambda: _fixed(silu_slope(-2.0), 4),
    "ex5_sig_m2": lambda: _fixed(sigmoid_slope(-2.0), 4),
    "ex5_tanh_m2": lambda: _fixed(tanh_slope(-2.0), 4),
    "ex6_loss": lambda: _plain(_ex6()["loss"]),
    "ex6_ga": lambda: _plain(_ex6()["ga"]),
    "ex6_gw": lambda: _plain(_ex6()["gw"]),
    "ex6_gb": lambda: _plain(_ex6()["gb"]),
    "ex6_ga0": lambda: _plain(_ex6()["ga0"]),
    "ex6_new_loss": lambda: _plain(_ex6()["new_loss"], 3),
    "ex8_matched": lambda: Answer(8 * get_model(L8).hidden / 3, f"{8 * get_model(L8).hidden / 3:,.1f}"),
    "ex8_extra": lambda: _percent(get_model(L8).ffn / (8 * get_model(L8).hidden / 3) - 1),
    "ex10_per_unit": lambda: _plain(_ex10()["per_unit"]),
    "ex10_units_needed": lambda: _plain(_ex10()["units"]),
    "ex10_max_dff": lambda: _plain(_ex10()["max_dff"]),
    "ex10_dff": lambda: _plain(_ex10()["dff"]),
    "ex10_params": lambda: _count(_ex10()["params"]),
    "ex10_saved": lambda: _count(_ex10()["saved"]),
    "ex10_flops_saved": lambda: _flops(_ex10()["flops_saved"]),
}
