"""Answers for chapter p00-c02 (functions and their families).

Every value goes through :mod:`llmviz.calc.functions` (sigmoid, softplus,
soft cap, logs, doubling distances, power laws), :mod:`llmviz.calc.rope`
over the catalog, or the model-size view's own geometry, so the numbers in
the text are the numbers the simulation draws.
"""
from __future__ import annotations

import math
import struct
import sys

from ..calc.functions import (GEMMA2_SOFT_CAP_ATTENTION, GEMMA2_SOFT_CAP_FINAL, KAPLAN_ALPHA_N, KAPLAN_N_C,
                              decades, doubling_distance, log_base, log_of_product, power_law, sigmoid, soft_cap,
                              softplus)
from ..calc.gemm import layer_projections, linear_flops
from ..calc.model_size import param_count
from ..calc.rope import rope_frequencies
from ..catalog import MODELS, get_model
from ..units import fmt_count, fmt_sci
from . import Answer

MODEL = "llama-3-8b"
GEMMA2_FINAL_CAP = GEMMA2_SOFT_CAP_FINAL
# the log-scale example: y = e^(0.7 x) on 0 ≤ x ≤ 10
RATE = 0.7
# a text of equal-probability tokens
HALF_TOKENS = 1000
CONTEXT_P = 0.9


def _num(v: float, sig: int = 3) -> str:
    """Integers exactly (with separators), others to ``sig`` significant figures, real minus signs."""
    if float(v).is_integer() and abs(v) < 1e15:
        return f"{int(v):,}".replace("-", "\u2212")
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
        return fmt_sci(v, digits=sig).replace("-", "\u2212")
    if abs(v) >= 100:
        return f"{v:,.0f}".replace("-", "\u2212")
    return f"{v:.{sig}g}".replace("-", "\u2212")


def _plain(v: float, sig: int = 3) -> Answer:
    return Answer(v, _num(v, sig))


def _fixed(v: float, decimals: int = 1) -> Answer:
    """A value to a fixed number of decimals, for sums a reader adds up by hand."""
    return Answer(v, f"{v:,.{decimals}f}".replace("-", "\u2212"))


def _gelu_tanh(x: float) -> float:
    """The tanh approximation of GELU (Hendrycks & Gimpel 2016): a composition of five steps."""
    inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
    return 0.5 * x * (1 + math.tanh(inner))


def _first_zero_power(p: float, f32: bool = False) -> int:
    """The smallest n for which the float product p·p·…·p (n factors) is exactly 0.

    With ``f32`` every partial product is rounded to a 32-bit float, as a
    GPU multiplying in that format would store it.
    """
    prod, n = (_f32(1.0), _f32(p)) if f32 else (1.0, p)
    count = 0
    while prod > 0.0:
        prod = _f32(prod * n) if f32 else prod * n
        count += 1
    return count


def _f32(x: float) -> float:
    """``x`` rounded to the nearest 32-bit float (ties to even), back as a Python float.

    The product of two 32-bit floats is exact in a 64-bit one (24 + 24 bits
    of mantissa fit in 53), so rounding that product once gives exactly what
    32-bit arithmetic gives.
    """
    return struct.unpack("<f", struct.pack("<f", x))[0]


def _f32_next_up(x: float) -> float:
    """The next 32-bit float above a positive 32-bit float ``x``: one more in its bit pattern."""
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    return struct.unpack("<f", struct.pack("<I", bits + 1))[0]


def _silu_min() -> tuple[float, float]:
    """Where z·σ(z) is lowest, and its value there: the root of its slope σ(z)(1 + z(1 − σ(z))).

    The slope is negative at z = −3 and positive at z = 0, with one root
    between; bisection halves the bracket until it is below 1e-12.
    """
    def slope(z):
        s = sigmoid(z)
        return s * (1 + z * (1 - s))
    lo, hi = -3.0, 0.0
    while hi - lo > 1e-12:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if slope(mid) < 0 else (lo, mid)
    z = (lo + hi) / 2
    return z, z * sigmoid(z)


def _gelu_exact(x: float) -> float:
    """GELU as defined, x·Φ(x), with Φ(x) = (1 + erf(x/√2)) / 2 the standard normal's cumulative share."""
    return x * 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _sizes() -> list[tuple[str, float]]:
    return sorted(((m.display_name, float(param_count(m))) for m in MODELS.values()), key=lambda r: r[1])


def _size_of(name: str) -> float:
    return next(n for d, n in _sizes() if d == name)


def _sizes_plot(log: bool):
    """The model-size view's value axis, as the simulation draws it."""
    from ..modes.part00_math.functions import FunctionsMode

    mode = FunctionsMode(submode="sizes", values={"log": log})
    return mode._sizes_static()


def _gap(log: bool) -> float:
    st = _sizes_plot(log)
    p = st["plot"]
    return p.fx(_size_of("Llama 3 8B")) - p.fx(_size_of("Mamba 2.8B"))


def _units_per_billion() -> float:
    p = _sizes_plot(False)["plot"]
    return p.fx(1e9) - p.fx(0.0)


def _units_per_decade() -> float:
    p = _sizes_plot(True)["plot"]
    return p.fx(1e10) - p.fx(1e9)


def _units(v: float) -> Answer:
    from ..modes.part00_math.functions import units_text

    return Answer(v, units_text(v))


def _rope():
    return rope_frequencies(MODEL)


ANSWERS = {
    # the model the chapter keeps returning to
    "llama_layers": lambda: _plain(get_model(MODEL).layers),
    "llama_ffn": lambda: _plain(get_model(MODEL).ffn),
    "llama_context": lambda: _plain(get_model(MODEL).max_context),
    "fn_calls_token": lambda: _plain(get_model(MODEL).ffn * get_model(MODEL).layers),
    "fn_calls_context": lambda: Answer(get_model(MODEL).ffn * get_model(MODEL).layers * get_model(MODEL).max_context,
                                       f"{get_model(MODEL).ffn * get_model(MODEL).layers * get_model(MODEL).max_context / 1e9:.2f} billion"),
    "q_weights": lambda: Answer(layer_projections(MODEL)["q"][0] * layer_projections(MODEL)["q"][1],
                                f"{layer_projections(MODEL)['q'][0] * layer_projections(MODEL)['q'][1] / 1e6:.1f} million"),
    "llama_hidden": lambda: _plain(get_model(MODEL).hidden),
    "llama_heads": lambda: _plain(get_model(MODEL).heads),
    "q_per_token": lambda: Answer(linear_flops(*layer_projections(MODEL)["q"]),
                                  f"{linear_flops(*layer_projections(MODEL)['q']) / 1e6:.1f} million"),
    # the sigmoid and its relatives
    "sig_0": lambda: _plain(sigmoid(0.0)),
    "sig_2": lambda: _plain(sigmoid(2.0)),
    "sig_m2": lambda: _plain(sigmoid(-2.0)),
    "sig_3": lambda: _plain(sigmoid(3.0)),
    "gate_10": lambda: _plain(10 * sigmoid(2.0)),
    "tanh_1": lambda: _plain(math.tanh(1.0)),
    "two_sig_2_minus_1": lambda: _plain(2 * sigmoid(2.0) - 1),
    "cap_10": lambda: _plain(soft_cap(10.0, GEMMA2_FINAL_CAP)),
    "cap_60": lambda: _plain(soft_cap(60.0, GEMMA2_FINAL_CAP)),
    "cap_300_short": lambda: _plain(GEMMA2_FINAL_CAP - soft_cap(300.0, GEMMA2_FINAL_CAP)),
    "cap_300_f32": lambda: _plain(_f32(soft_cap(300.0, GEMMA2_FINAL_CAP))),
    "f32_spacing_30": lambda: _plain(_f32_next_up(GEMMA2_FINAL_CAP) - GEMMA2_FINAL_CAP, 2),
    "gemma_cap_final": lambda: _plain(GEMMA2_SOFT_CAP_FINAL),
    "gemma_cap_attn": lambda: _plain(GEMMA2_SOFT_CAP_ATTENTION),
    "silu_min": lambda: _plain(_silu_min()[1], 2),
    "sp_0": lambda: _plain(softplus(0.0)),
    "sp_5": lambda: _plain(softplus(5.0), 4),
    "sp_5_gap": lambda: _plain(softplus(5.0) - 5.0),
    "sp_m5": lambda: _plain(softplus(-5.0)),
    "sp_m3": lambda: _plain(softplus(-3.0)),
    "gelu_1": lambda: _plain(_gelu_tanh(1.0), 4),
    "gelu_exact_1": lambda: _plain(_gelu_exact(1.0), 4),
    # exponentials
    "e_07": lambda: _plain(math.exp(RATE)),
    "e_14": lambda: _plain(math.exp(2 * RATE)),
    "e_2": lambda: _plain(math.exp(2.0)),
    "e_m2": lambda: _plain(math.exp(-2.0)),
    "dd_07": lambda: _plain(doubling_distance(RATE)),
    "tenfold_07": lambda: _plain(log_base(10.0, math.e) / RATE),
    "exp_07_10": lambda: _plain(math.exp(RATE * 10)),
    "exp_07_5": lambda: _plain(math.exp(RATE * 5)),
    "share_5_10": lambda: Answer(math.exp(RATE * 5) / math.exp(RATE * 10),
                                 f"{100 * math.exp(RATE * 5) / math.exp(RATE * 10):.3g} %"),
    "fg_1": lambda: _plain(math.exp(2 * 1 + 1)),
    "gf_1": lambda: _plain(2 * math.exp(1) + 1),
    # logarithms and products of probabilities
    "nll_09": lambda: _plain(-math.log(0.9)),
    "nll_05": lambda: _plain(-math.log(0.5)),
    "nll_001": lambda: _plain(-math.log(0.01)),
    "half_1000": lambda: _plain(0.5 ** HALF_TOKENS),
    "half_1000_ln": lambda: _fixed(log_of_product([0.5] * HALF_TOKENS)),
    "half_zero_at": lambda: _plain(_first_zero_power(0.5)),
    "half_zero_at_f32": lambda: _plain(_first_zero_power(0.5, f32=True)),
    "float_min": lambda: _plain(sys.float_info.min),
    # how many more halvings take 0.5^1000 down to the smallest full-precision float
    "half_to_min": lambda: _plain(round(math.log2(0.5 ** HALF_TOKENS / sys.float_info.min))),
    "float_tiny": lambda: _plain(math.ulp(0.0)),
    "ctx_ln": lambda: _fixed(log_of_product([CONTEXT_P] * get_model(MODEL).max_context)),
    "ctx_log10": lambda: _fixed(log_of_product([CONTEXT_P] * get_model(MODEL).max_context) / math.log(10)),
    "ctx_float_product": lambda: _plain(math.prod([CONTEXT_P] * get_model(MODEL).max_context)),
    # Llama 3 8B's rotation speeds
    "rope_theta": lambda: _plain(get_model(MODEL).rope_theta),
    "head_dim": lambda: _plain(get_model(MODEL).head_dim),
    "rope_pairs": lambda: _plain(len(_rope())),
    "rope_ratio": lambda: _plain(_rope()[1] / _rope()[0], 4),
    "rope_slowest": lambda: _plain(_rope()[-1]),
    "rope_decades": lambda: _plain(decades(_rope()[-1], _rope()[0])),
    "rope_ln_step": lambda: _plain(math.log(_rope()[1] / _rope()[0])),
    # the catalog on a log axis
    "size_smallest": lambda: Answer(_sizes()[0][1], fmt_count(_sizes()[0][1])),
    "size_largest": lambda: Answer(_sizes()[-1][1], fmt_count(_sizes()[-1][1])),
    "size_ratio": lambda: _plain(round(_sizes()[-1][1] / _sizes()[0][1])),
    "size_decades": lambda: _plain(decades(_sizes()[0][1], _sizes()[-1][1])),
    "llama_minus_mamba": lambda: Answer(_size_of("Llama 3 8B") - _size_of("Mamba 2.8B"),
                                        fmt_count(_size_of("Llama 3 8B") - _size_of("Mamba 2.8B"))),
    "llama_over_mamba": lambda: _plain(_size_of("Llama 3 8B") / _size_of("Mamba 2.8B")),
    "llama_over_mamba_decades": lambda: _plain(decades(_size_of("Mamba 2.8B"), _size_of("Llama 3 8B"))),
    "units_per_billion": lambda: _plain(_units_per_billion()),
    "units_per_decade": lambda: _plain(_units_per_decade()),
    "axis_width": lambda: _units(_sizes_plot(False)["plot"].w),
    "gap_linear": lambda: _units(_gap(False)),
    "gap_log": lambda: _units(_gap(True)),
    # power laws
    "kaplan_alpha": lambda: _plain(KAPLAN_ALPHA_N),
    "kaplan_10x": lambda: _plain(power_law(10 * 1e9, KAPLAN_N_C, KAPLAN_ALPHA_N) / power_law(1e9, KAPLAN_N_C, KAPLAN_ALPHA_N)),
    "kaplan_100x": lambda: _plain(power_law(100 * 1e9, KAPLAN_N_C, KAPLAN_ALPHA_N) / power_law(1e9, KAPLAN_N_C, KAPLAN_ALPHA_N)),
}
