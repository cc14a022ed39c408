"""The one-number functions a language model applies, and the arithmetic of growth.

Each function takes and returns pure numbers (no units) unless its docstring
says otherwise. They are written to stay finite where a naive formula would
overflow: ``sigmoid(-1000)`` is 0.0, not an ``OverflowError``.

Sources for where they appear: the sigmoid gate of gated linear units
(Shazeer, GLU Variants Improve Transformer, 2020, arXiv 2002.05202), tanh
soft-capping of scores (Gemma Team, Gemma 2, 2024, arXiv 2408.00118: caps of
50 in attention and 30 on the final layer), softplus for Mamba's step size
(Gu & Dao, 2023, arXiv 2312.00752), and power laws for loss against model
size (Kaplan et al., 2020, arXiv 2001.08361, equation 1.1).
"""
from __future__ import annotations

import math
from typing import Iterable

from ._checks import finite, positive

LN2 = math.log(2.0)

# Gemma 2 caps scores with cap·tanh(x/cap): 50 inside self-attention, 30 on the final layer
# (Gemma 2 report, arXiv 2408.00118, "Logit soft-capping"; config.json attn_logit_softcapping
# and final_logit_softcapping).
GEMMA2_SOFT_CAP_ATTENTION = 50.0
GEMMA2_SOFT_CAP_FINAL = 30.0
# Kaplan et al. (2020), equation 1.1: L(N) = (N_c / N)^alpha_N for N non-embedding parameters.
KAPLAN_ALPHA_N = 0.076
KAPLAN_N_C = 8.8e13


def sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^(−x)), a number strictly between 0 and 1 (pure number).

    σ(0) = 0.5 and σ(−x) = 1 − σ(x). Computed from e^(−|x|) so that no
    exponential of a large positive number is ever formed.
    """
    finite("x", x)
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def softplus(x: float, beta: float = 1.0) -> float:
    """softplus(x) = ln(1 + e^(βx)) / β, a smooth, always positive version of max(0, x).

    ``beta`` (> 0) sharpens the bend at 0: the gap to max(0, x) is
    ln(1 + e^(−β|x|)) / β, at most ln 2 / β (reached at x = 0).
    """
    finite("x", x)
    positive("beta", beta)
    z = beta * x
    return (max(z, 0.0) + math.log1p(math.exp(-abs(z)))) / beta


def soft_cap(x: float, cap: float) -> float:
    """cap · tanh(x / cap): x squeezed smoothly into (−cap, cap), in the units of x.

    Near 0 it leaves x almost unchanged (slope 1); far out it flattens at ±cap.
    """
    finite("x", x)
    positive("cap", cap)
    return cap * math.tanh(x / cap)


def log_base(x: float, base: float) -> float:
    """log_b(x) = ln x / ln b: the power the base must be raised to to give x (pure number).

    ``x`` must be > 0; ``base`` must be > 0 and not 1.
    """
    positive("x", x)
    positive("base", base)
    if base == 1:
        raise ValueError("base must not be 1 (1 raised to any power is 1), got 1")
    return math.log(x) / math.log(base)


def doubling_distance(rate: float) -> float:
    """How far x must move for e^(rate·x) to double: ln 2 / rate (in the units of x).

    ``rate`` (> 0) is the growth rate per unit of x. For a decay e^(−rate·x)
    the same number is the halving distance.
    """
    positive("rate", rate)
    return LN2 / rate


def decades(lo: float, hi: float) -> float:
    """How many factors of ten separate ``lo`` from ``hi``: log₁₀(hi / lo) (both > 0, same unit)."""
    positive("lo", lo)
    positive("hi", hi)
    return math.log10(hi / lo)


def log_of_product(factors: Iterable[float]) -> float:
    """ln(f₁ · f₂ · … · fₙ) computed as ln f₁ + ln f₂ + … + ln fₙ (factors > 0, pure numbers).

    The sum stays an ordinary number even when the product itself is far
    too small (or too large) for a float to hold.
    """
    total = 0.0
    n = 0
    for f in factors:
        positive("factors", f)
        total += math.log(f)
        n += 1
    if n == 0:
        raise ValueError("factors must hold at least one number, got none")
    return total


def power_law(x: float, scale: float, exponent: float) -> float:
    """(scale / x)^exponent: a power law that falls as x grows (for exponent > 0).

    Kaplan et al. (2020) fit test loss against non-embedding parameters N as
    L(N) = (N_c / N)^α_N with N_c ≈ 8.8·10¹³ and α_N ≈ 0.076 (loss in nats
    per token). ``x`` and ``scale`` share a unit; the result is a pure number.
    On log-log axes it is a straight line of slope −exponent.
    """
    positive("x", x)
    positive("scale", scale)
    finite("exponent", exponent)
    return (scale / x) ** exponent
