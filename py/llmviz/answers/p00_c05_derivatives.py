"""Answers for chapter p00-c05 (derivatives and gradient descent).

Slopes go through :mod:`llmviz.calc.derivatives`, every iterate, factor and
step count through :mod:`llmviz.calc.descent`, and the Llama 3 8B and H100
figures through the catalog. The numbers quoted in the prose come from the
simulation's own presets, so the text and the workshop cannot drift apart.
"""
from __future__ import annotations

import math

from ..calc.derivatives import chain_slope, curve, secant_slope, sigmoid_slope
from ..calc.descent import (best_contraction_factor, best_fixed_learning_rate, bowl_gradient, condition_number,
                            contraction_factor, critical_learning_rate, finite_difference_gradient_flops,
                            gradient_step, gradient_step_flops, quadratic_gd_iterate, quadratic_loss,
                            quadratic_slope, steps_to_shrink)
from ..calc.model_size import param_count
from ..catalog.hardware import get_gpu
from ..modes.part00_math.derivatives import C_STEEP, CHAINS, HALVINGS, W0, W_LIM, DerivativesMode
from ..units import fmt_bytes, fmt_count, fmt_flops, fmt_rate, fmt_sci
from . import Answer

MODEL = "llama-3-8b"
GPU = "h100-sxm"

# Exercise 1: f(x) = x³ at x = 2
EX1_X, EX1_H = 2.0, (0.1, 0.01)
# Exercise 2: the neuron y = σ(2x − 1) at x = 1
EX2_X = 1.0
# Exercise 3: one weight, L(w) = (x·w − y)² with x = 2, y = 3, from w = 1
EX3_X, EX3_Y, EX3_W0, EX3_LR, EX3_LR_BAD = 2.0, 3.0, 1.0, 0.1, 0.3
# Exercise 4: f(w1, w2) = w1² + 3·w1·w2 at (1, 2), direction (0.6, 0.8)
EX4_P, EX4_U = (1.0, 2.0), (0.6, 0.8)
# Exercise 5: ten sigmoids in a row
EX5_DEPTH = 10
# Exercise 6: the overshooting run, five steps; |w| below 0.01
EX6_STEPS, EX6_TARGET = 5, 0.01
# Exercise 7: curvatures 50 and 0.5, to 1 % of the start
EX7_CURVS, TO_1PCT = (50.0, 0.5), 0.01
# Exercise 8: η = 0.3 took w from 1 to −0.5
EX8_LR, EX8_W0, EX8_W1 = 0.3, 1.0, -0.5
# Exercise 9: bytes per gradient entry
FP32, BF16 = 4, 2
# Exercise 10: backpropagation's cost per token, forward plus a backward of twice its cost (Kaplan et al. 2020)
BACKPROP_FLOPS_PER_PARAM = 6


def _num(v: float, sig: int = 3) -> str:
    """A plain number: integers exactly, others to ``sig`` significant figures, a real minus sign."""
    r = round(v, 9)
    if float(r).is_integer() and abs(r) < 1e15:
        return f"{int(r):,}".replace("-", "\u2212")
    if abs(v) < 1e-4:
        return fmt_sci(v, "", sig)
    return f"{v:.{sig}g}".replace("-", "\u2212")


def _plain(v: float, sig: int = 3) -> Answer:
    return Answer(v, _num(v, sig))


def _preset(name: str) -> dict:
    return DerivativesMode.submodes[name].values


# -- the secant view's default: x² at 1, starting from h = 1 ------------------------------------


def _secant(k: int) -> float:
    v = _preset("secant")
    return secant_slope(curve(v["fn"]).f, v["x0"], v["h"] / 2 ** k)


def _chain_default() -> float:
    v = _preset("chain")
    ch = CHAINS[v["chain"]]
    return chain_slope(ch["df"], ch["g"], ch["dg"], v["x0"])


# -- the gradient view: the bowl with κ = 4 ----------------------------------------------------


def _grad(p1: float | None = None, p2: float | None = None) -> tuple[float, float]:
    v = _preset("gradient")
    c1, c2 = C_STEEP / v["kappa"], C_STEEP
    return bowl_gradient(v["p1"] if p1 is None else p1, v["p2"] if p2 is None else p2, c1, c2)


# -- 1-D descent presets ------------------------------------------------------------------------


def _diverge_steps() -> int:
    """Steps until the diverge preset's ball leaves the picture (|w| > W_LIM)."""
    v = _preset("diverge")
    k = 0
    while abs(quadratic_gd_iterate(W0, v["lr"], v["curv"], k)) <= W_LIM:
        k += 1
    return k


# -- 2-D descent presets ------------------------------------------------------------------------


def _bowl(name: str) -> dict:
    v = _preset(name)
    c1, c2 = C_STEEP / v["kappa"], C_STEEP
    f1, f2 = contraction_factor(v["lr"], c1), contraction_factor(v["lr"], c2)
    return {"c1": c1, "c2": c2, "f1": f1, "f2": f2, "worst": max(abs(f1), abs(f2)),
            "kappa": condition_number((c1, c2))}


# -- exercise helpers ---------------------------------------------------------------------------


def _ex3() -> dict:
    """(x·w − y)² is ½·c·(w − w*)² with c = 2x² and w* = y/x."""
    c, w_star = 2 * EX3_X ** 2, EX3_Y / EX3_X
    slope = quadratic_slope(EX3_W0, c, w_star)
    (w1,) = gradient_step((EX3_W0,), (slope,), EX3_LR)
    (w1_bad,) = gradient_step((EX3_W0,), (slope,), EX3_LR_BAD)
    return {"c": c, "w_star": w_star, "loss0": quadratic_loss(EX3_W0, c, w_star), "slope": slope, "w1": w1,
            "loss1": quadratic_loss(w1, c, w_star), "w1_bad": w1_bad,
            "loss1_bad": quadratic_loss(w1_bad, c, w_star)}


def _ex4() -> dict:
    w1, w2 = EX4_P
    g1, g2 = 2 * w1 + 3 * w2, 3 * w1
    norm = math.hypot(g1, g2)
    d = g1 * EX4_U[0] + g2 * EX4_U[1]
    return {"g1": g1, "g2": g2, "norm": norm, "d": d, "cos": d / norm}


def _ex8_curvature() -> float:
    # one step multiplies w by 1 − η·c, so c = (1 − w1/w0)/η
    return (1 - EX8_W1 / EX8_W0) / EX8_LR


def _fd_flops() -> float:
    n = param_count(MODEL)
    return finite_difference_gradient_flops(n, 2 * n)


def _fd_seconds() -> float:
    return _fd_flops() / get_gpu(GPU).peak_flops("bf16")


ANSWERS = {
    "llama_params": lambda: Answer(param_count(MODEL), fmt_count(param_count(MODEL), 4)),
    # slope as a limit
    "secant_h1": lambda: _plain(_secant(0)),
    "secant_h_half": lambda: _plain(_secant(1)),
    "secant_h_quarter": lambda: _plain(_secant(2)),
    "secant_last": lambda: _plain(_secant(HALVINGS - 1), 8),
    # the chain rule
    "chain_default": lambda: _plain(_chain_default()),
    # the gradient
    "grad_g1": lambda: _plain(_grad()[0]),
    "grad_g2": lambda: _plain(_grad()[1]),
    "grad_norm": lambda: _plain(math.hypot(*_grad())),
    "grad_floor_norm": lambda: _plain(math.hypot(*_grad(2.4, 0.0))),
    # descent
    "diverge_steps": lambda: _plain(_diverge_steps()),
    "bowl_steps": lambda: _plain(steps_to_shrink(_bowl("bowl")["worst"], TO_1PCT)),
    "bowl_best_lr": lambda: _plain(best_fixed_learning_rate(_bowl("bowl")["c1"], _bowl("bowl")["c2"])),
    "bowl_best_factor": lambda: _plain(best_contraction_factor(_bowl("bowl")["kappa"])),
    "crawl_factor": lambda: _plain(_bowl("crawl")["f1"]),
    "crawl_steps": lambda: _plain(steps_to_shrink(_bowl("crawl")["worst"], TO_1PCT)),
    # exercise 1
    "ex1_secant_01": lambda: _plain(secant_slope(curve("cube").f, EX1_X, EX1_H[0]), 4),
    "ex1_secant_001": lambda: _plain(secant_slope(curve("cube").f, EX1_X, EX1_H[1]), 6),
    "ex1_true": lambda: _plain(curve("cube").slope(EX1_X)),
    "ex1_error_01": lambda: _plain(secant_slope(curve("cube").f, EX1_X, EX1_H[0]) - curve("cube").slope(EX1_X)),
    "ex1_error_001": lambda: _plain(secant_slope(curve("cube").f, EX1_X, EX1_H[1]) - curve("cube").slope(EX1_X)),
    # exercise 2
    "ex2_sigma_slope": lambda: _plain(sigmoid_slope(2 * EX2_X - 1), 4),
    "ex2_dydx": lambda: _plain(chain_slope(sigmoid_slope, lambda x: 2 * x - 1, lambda x: 2.0, EX2_X), 4),
    # exercise 3
    "ex3_loss0": lambda: _plain(_ex3()["loss0"]),
    "ex3_slope": lambda: _plain(_ex3()["slope"]),
    "ex3_w1": lambda: _plain(_ex3()["w1"]),
    "ex3_loss1": lambda: _plain(_ex3()["loss1"]),
    "ex3_curvature": lambda: _plain(_ex3()["c"]),
    "ex3_one_step_lr": lambda: _plain(1 / _ex3()["c"]),
    "ex3_critical": lambda: _plain(critical_learning_rate(_ex3()["c"])),
    "ex3_w1_bad": lambda: _plain(_ex3()["w1_bad"]),
    "ex3_loss1_bad": lambda: _plain(_ex3()["loss1_bad"]),
    # exercise 4
    "ex4_g1": lambda: _plain(_ex4()["g1"]),
    "ex4_g2": lambda: _plain(_ex4()["g2"]),
    "ex4_norm": lambda: _plain(_ex4()["norm"], 4),
    "ex4_directional": lambda: _plain(_ex4()["d"]),
    "ex4_cos": lambda: _plain(_ex4()["cos"], 3),
    "ex4_angle": lambda: Answer(math.degrees(math.acos(_ex4()["cos"])),
                                f"{math.degrees(math.acos(_ex4()['cos'])):.1f}\u00b0"),
    # exercise 5
    "ex5_sigma_max": lambda: _plain(sigmoid_slope(0.0)),
    "ex5_bound": lambda: Answer(sigmoid_slope(0.0) ** EX5_DEPTH, fmt_sci(sigmoid_slope(0.0) ** EX5_DEPTH, "", 3)),
    # exercise 6
    "ex6_w5": lambda: _plain(quadratic_gd_iterate(W0, _preset("overshoot")["lr"], _preset("overshoot")["curv"],
                                                  EX6_STEPS), 5),
    "ex6_loss5": lambda: _plain(quadratic_loss(quadratic_gd_iterate(W0, _preset("overshoot")["lr"],
                                                                    _preset("overshoot")["curv"], EX6_STEPS),
                                               _preset("overshoot")["curv"])),
    "ex6_steps": lambda: _plain(steps_to_shrink(contraction_factor(_preset("overshoot")["lr"],
                                                                   _preset("overshoot")["curv"]), EX6_TARGET / W0)),
    # exercise 7
    "ex7_limit": lambda: _plain(critical_learning_rate(max(EX7_CURVS))),
    "ex7_kappa": lambda: _plain(condition_number(EX7_CURVS)),
    "ex7_best_lr": lambda: _plain(best_fixed_learning_rate(min(EX7_CURVS), max(EX7_CURVS))),
    "ex7_best_factor": lambda: _plain(best_contraction_factor(condition_number(EX7_CURVS)), 4),
    "ex7_steps": lambda: _plain(steps_to_shrink(best_contraction_factor(condition_number(EX7_CURVS)), TO_1PCT)),
    # exercise 8
    "ex8_curvature": lambda: _plain(_ex8_curvature()),
    "ex8_critical": lambda: _plain(critical_learning_rate(_ex8_curvature())),
    "ex8_one_step": lambda: _plain(1 / _ex8_curvature()),
    "ex8_w2": lambda: _plain(quadratic_gd_iterate(EX8_W0, EX8_LR, _ex8_curvature(), 2)),
    # exercise 9
    "ex9_bytes_4": lambda: Answer(FP32 * param_count(MODEL), fmt_bytes(FP32 * param_count(MODEL))),
    "ex9_bytes_2": lambda: Answer(BF16 * param_count(MODEL), fmt_bytes(BF16 * param_count(MODEL))),
    "ex9_update_flops": lambda: Answer(gradient_step_flops(param_count(MODEL)),
                                       fmt_flops(gradient_step_flops(param_count(MODEL)), 4)),
    # exercise 10
    "h100_bf16": lambda: Answer(get_gpu(GPU).peak_flops("bf16"), fmt_rate(get_gpu(GPU).peak_flops("bf16"))),
    "ex10_fd_flops": lambda: Answer(_fd_flops(), fmt_sci(_fd_flops(), "FLOP")),
    "ex10_fd_seconds": lambda: Answer(_fd_seconds(), fmt_sci(_fd_seconds(), "s")),
    "ex10_fd_hours": lambda: Answer(_fd_seconds() / 3600, f"{_fd_seconds() / 3600:.0f} hours"),
    "ex10_backprop_flops": lambda: Answer(BACKPROP_FLOPS_PER_PARAM * param_count(MODEL),
                                          fmt_flops(BACKPROP_FLOPS_PER_PARAM * param_count(MODEL))),
    "ex10_ratio": lambda: Answer(_fd_flops() / (BACKPROP_FLOPS_PER_PARAM * param_count(MODEL)),
                                 fmt_sci(_fd_flops() / (BACKPROP_FLOPS_PER_PARAM * param_count(MODEL)), "")),
}
