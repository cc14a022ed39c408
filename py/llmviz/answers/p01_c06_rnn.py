"""Answers for chapter p01-c06 (RNNs and the sequential bottleneck).

The network, its phrase and its 64-word passage are the simulation's own
(:mod:`llmviz.modes.part01_networks.rnn`); every state, Jacobian norm,
gradient and clipped step goes through :mod:`llmviz.calc.recurrence`, and
the GPU times through its roofline floors over the catalog.
"""
from __future__ import annotations

import math

from ..calc.gemm import gemm_bytes, gemm_flops, gemm_intensity
from ..calc.recurrence import parallel_time_floor, recurrence_time_floor, spectral_norm, step_jacobian
from ..calc.roofline import ridge_point
from ..modes.part01_networks.rnn import D, E, LR, PHRASES, T_GRAD, gradient_story, network, read_states, word_vector
from ..catalog.hardware import get_gpu
from ..units import fmt_bytes, fmt_flops, fmt_general, fmt_plain, fmt_rate, fmt_seconds
from . import Answer

GPU = "h100-sxm"
WIDTH, LENGTH = 1024, 1024          # the parallel view's defaults: d and N
READ_RHO, VANISH_RHO, EXPLODE_RHO = 0.8, 0.8, 2.5
CLIP = 1.0
# Exercise: a two-unit network's recurrent matrix and the state a step produced
EX_WH = ((0.5, -0.3), (0.8, 0.2))
EX_H = (0.6, -0.2)
# Exercise: a factor of 0.8 per step, and the tolerance it must fall below
EX_FACTOR, EX_TOL = 0.8, 1e-3
# Exercise: one unit, weight 1.5, sitting at h = 0.9
EX_W, EX_HSAT, EX_STEPS = 1.5, 0.9, 10
# Exercises: batches of sequences for the recurrence
BATCH_MID, BATCH_BIG = 64, 256


def _plain(v: float, digits: int = 2) -> Answer:
    return Answer(v, fmt_plain(v, digits))


def _sci(v: float, digits: int = 2) -> Answer:
    """Plain between 0.01 and 1,000, m × 10ⁿ outside."""
    return Answer(v, fmt_general(v, digits))


def _int(v: int) -> Answer:
    return Answer(v, f"{v:,}")


def _ratio(v: float) -> Answer:
    return Answer(v, f"{v:,.0f}\u00d7" if v >= 10 else f"{v:.1f}\u00d7")


def _read() -> dict:
    words = PHRASES["cat"].split()
    net = network(READ_RHO)
    x1 = word_vector(words[0])
    wx = sum(w * v for w, v in zip(net["w_x"][0], x1))
    return {"states": read_states(READ_RHO, words), "wx": wx, "b": net["b"][0], "z": wx + net["b"][0]}


def _story(rho: float) -> dict:
    return gradient_story(rho, CLIP)


def _jacobian():
    return step_jacobian([list(r) for r in EX_WH], list(EX_H))


def _steps_below(factor: float, tol: float) -> int:
    return math.ceil(math.log(tol) / math.log(factor))


def _t_rnn(batch: int = 1, gpu: str = GPU) -> float:
    return recurrence_time_floor(WIDTH, LENGTH, gpu, batch)


def _t_par(batch: int = 1, gpu: str = GPU) -> float:
    return parallel_time_floor(WIDTH, LENGTH, gpu, batch)


ANSWERS = {
    # the read view
    "params": lambda: _int(D * D + D * E + D),
    "macs_step": lambda: _int(D * D + D * E),
    "macs_passage": lambda: _int((D * D + D * E) * T_GRAD),
    "read_wx": lambda: _plain(_read()["wx"]),
    "read_b": lambda: _plain(_read()["b"]),
    "read_z": lambda: _plain(_read()["z"]),
    "read_h": lambda: _plain(_read()["states"][1][0]),
    "the_first": lambda: _plain(_read()["states"][1][0]),
    "the_second": lambda: _plain(_read()["states"][5][0]),
    # vanishing
    "sigma_wh": lambda: _plain(spectral_norm(network(VANISH_RHO)["w_h"])),
    "vanish_16": lambda: _sci(_story(VANISH_RHO)["norms"][16]),
    "vanish_64": lambda: _sci(_story(VANISH_RHO)["norms"][64]),
    "vanish_guide_16": lambda: _sci(VANISH_RHO ** 16),
    "vanish_guide_64": lambda: _sci(VANISH_RHO ** 64),
    "rho1_64": lambda: _sci(_story(1.0)["norms"][64]),
    "rho12_64": lambda: _sci(_story(1.2)["norms"][64]),
    # exploding and clipping
    "explode_16": lambda: _sci(_story(EXPLODE_RHO)["norms"][16]),
    "explode_64": lambda: _sci(_story(EXPLODE_RHO)["norms"][64]),
    "explode_guide_64": lambda: _sci(EXPLODE_RHO ** 64),
    "mean_h_explode": lambda: _plain(_story(EXPLODE_RHO)["mean_abs_h"]),
    "grad_raw": lambda: _sci(_story(EXPLODE_RHO)["dw_norms"][-1]),
    "clip_factor": lambda: _sci(_story(EXPLODE_RHO)["factor"]),
    "step_raw": lambda: _sci(LR * _story(EXPLODE_RHO)["dw_norms"][-1]),
    "step_clip": lambda: _sci(LR * CLIP),
    "rho_after_raw": lambda: _sci(_story(EXPLODE_RHO)["rho_raw"], 3),
    "rho_after_clip": lambda: _plain(_story(EXPLODE_RHO)["rho_clip"]),
    "lr": lambda: _plain(LR),
    # the sequential bottleneck on an H100
    "step_flops": lambda: Answer(gemm_flops(WIDTH, 1, WIDTH), fmt_flops(gemm_flops(WIDTH, 1, WIDTH))),
    "step_bytes": lambda: Answer(gemm_bytes(WIDTH, 1, WIDTH), fmt_bytes(gemm_bytes(WIDTH, 1, WIDTH))),
    "step_intensity": lambda: _plain(gemm_intensity(WIDTH, 1, WIDTH)),
    "t_step": lambda: Answer(_t_rnn() / LENGTH, fmt_seconds(_t_rnn() / LENGTH)),
    "t_rnn": lambda: Answer(_t_rnn(), fmt_seconds(_t_rnn())),
    "t_par": lambda: Answer(_t_par(), fmt_seconds(_t_par())),
    # the other side of each floor: a step's FLOPs at peak, the GEMM's bytes at full bandwidth
    "t_step_compute": lambda: Answer(gemm_flops(WIDTH, 1, WIDTH) / get_gpu(GPU).peak_flops("bf16"),
                                     fmt_seconds(gemm_flops(WIDTH, 1, WIDTH) / get_gpu(GPU).peak_flops("bf16"))),
    "t_par_memory": lambda: Answer(gemm_bytes(WIDTH, LENGTH, WIDTH) / get_gpu(GPU).hbm_bytes_per_s,
                                   fmt_seconds(gemm_bytes(WIDTH, LENGTH, WIDTH) / get_gpu(GPU).hbm_bytes_per_s)),
    "par_flops": lambda: Answer(gemm_flops(WIDTH, LENGTH, WIDTH), fmt_flops(gemm_flops(WIDTH, LENGTH, WIDTH))),
    "par_bytes": lambda: Answer(gemm_bytes(WIDTH, LENGTH, WIDTH), fmt_bytes(gemm_bytes(WIDTH, LENGTH, WIDTH))),
    "par_intensity": lambda: _plain(gemm_intensity(WIDTH, LENGTH, WIDTH), 0),
    "h100_bw": lambda: Answer(get_gpu(GPU).hbm_bytes_per_s, fmt_rate(get_gpu(GPU).hbm_bytes_per_s, "B/s")),
    "h100_peak": lambda: Answer(get_gpu(GPU).peak_flops("bf16"), fmt_rate(get_gpu(GPU).peak_flops("bf16"), digits=4)),
    "ridge": lambda: _plain(ridge_point(GPU), 0),
    "ratio": lambda: _ratio(_t_rnn() / _t_par()),
    "t_rnn_b64": lambda: Answer(_t_rnn(BATCH_MID), fmt_seconds(_t_rnn(BATCH_MID))),
    "t_par_b64": lambda: Answer(_t_par(BATCH_MID), fmt_seconds(_t_par(BATCH_MID))),
    "ratio_b64": lambda: _ratio(_t_rnn(BATCH_MID) / _t_par(BATCH_MID)),
    "int_b64": lambda: _plain(gemm_intensity(WIDTH, BATCH_MID, WIDTH), 1),
    "ratio_b256": lambda: _ratio(_t_rnn(BATCH_BIG) / _t_par(BATCH_BIG)),
    "int_b256": lambda: _plain(gemm_intensity(WIDTH, BATCH_BIG, WIDTH), 0),
    "ratio_b200": lambda: _ratio(_t_rnn(1, "b200") / _t_par(1, "b200")),
    "ridge_b200": lambda: _plain(ridge_point("b200"), 0),
    "steps_at_gemm": lambda: _int(int(_t_par() / (_t_rnn() / LENGTH))),
    "wh_bytes": lambda: Answer(2 * WIDTH * WIDTH, fmt_bytes(2 * WIDTH * WIDTH)),
    "h100_l2": lambda: Answer(get_gpu(GPU).l2_bytes, fmt_bytes(get_gpu(GPU).l2_bytes, binary=True)),
    # BPTT keeps every state h_t of every sequence for the backward pass: batch × N × d numbers, bf16
    "states_b256": lambda: Answer(BATCH_BIG * LENGTH * WIDTH * 2, fmt_bytes(BATCH_BIG * LENGTH * WIDTH * 2)),
    "t_rnn_b200": lambda: Answer(_t_rnn(1, "b200"), fmt_seconds(_t_rnn(1, "b200"))),
    # exercises
    "jac_11": lambda: _plain(_jacobian()[0][0], 3),
    "jac_12": lambda: _plain(_jacobian()[0][1], 3),
    "jac_21": lambda: _plain(_jacobian()[1][0], 3),
    "jac_22": lambda: _plain(_jacobian()[1][1], 3),
    "geo_20": lambda: _sci(EX_FACTOR ** 20),
    "geo_50": lambda: _sci(EX_FACTOR ** 50),
    "geo_steps": lambda: _int(_steps_below(EX_FACTOR, EX_TOL)),
    "sat_slope": lambda: _plain(1 - EX_HSAT ** 2, 3),
    "sat_factor": lambda: _plain(EX_W * (1 - EX_HSAT ** 2), 3),
    "sat_10": lambda: _sci((EX_W * (1 - EX_HSAT ** 2)) ** EX_STEPS),
}
