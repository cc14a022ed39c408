"""Answers for chapter p02-c03 (positional encoding and RoPE).

Speeds, wavelengths and rotations go through :mod:`llmviz.calc.rope` over the
catalog's ``head_dim`` and ``rope_theta``; the learned table through
:func:`llmviz.calc.model_size.param_breakdown`; the tiny model's scores
through the simulation's own functions, which read its weights.
"""
from __future__ import annotations

import math

from ..calc.model_size import param_breakdown, param_count
from ..calc.rope import (pairs_turning_within, rope_angles, rope_half_distance, rope_inverse_frequencies,
                         rope_mean_cosine, rope_relative_score, rope_wavelengths, rotate_pair, sinusoidal_encoding)
from ..catalog import MODELS, get_model
from ..modes.part02_transformer import positions as pm
from ..units import fmt_count, fmt_percent, fmt_sci
from . import Answer

L3 = "llama-3-8b"         # rope_theta 500,000, head_dim 128, context 8,192
#: the base of the Transformer's sines (Vaswani et al. 2017, section 3.5) and of RoFormer (Su et al., section 3.3)
ORIGINAL_BASE = 10000.0
LONG = "llama-3.1-405b"   # the same base, context 131,072
OPT = "opt-13b"           # learned positions
# exercise "by hand": a query pair (1, 0) at position 5, a key pair (0, 1) at position 3, θ = 1 rad/token
HAND_Q, HAND_K, HAND_M, HAND_N, HAND_SHIFT = (1.0, 0.0), (0.0, 1.0), 5, 3, 10
# the sinusoidal table by hand: d_model 4, positions 2 and 1
SIN_D, SIN_POS = 4, 2
# the tiny model's measured pair: layer 0, head 1, query " the", key " of"
LM_QUERY, LM_KEY, LM_HEAD = " the", " of", 1
LM_FAR_QUERY, LM_FAR_KEY = " head", " the"
LM_PROBE = (20, 60, 127)          # query positions of the three pairs the view checks at distance 20


def _p(v: float, digits: int = 2) -> Answer:
    """A decimal with ``digits`` places and a real minus sign."""
    return Answer(v, f"{v:,.{digits}f}".replace("-", "\u2212"))


def _g(v: float, sig: int = 3) -> Answer:
    """``sig`` significant figures, thousands separators for large values."""
    if abs(v) >= 10 ** sig:
        return Answer(v, f"{v:,.0f}")
    return Answer(v, f"{v:.{sig}g}".replace("-", "\u2212"))


def _int(v: float) -> Answer:
    return Answer(v, f"{int(round(v)):,}")


def _m(name: str):
    return get_model(name)


def _wave(name: str, i: int, base: float | None = None) -> float:
    """Wavelength of pair i of ``name``'s heads, at its own rope_theta or at ``base`` (tokens)."""
    m = _m(name)
    return rope_wavelengths(m.head_dim, base or m.rope_theta)[i]


def _theta(name: str, i: int, base: float | None = None) -> float:
    m = _m(name)
    return rope_inverse_frequencies(m.head_dim, base or m.rope_theta)[i]


def _turning(name: str, context: int | None = None, base: float | None = None) -> int:
    m = _m(name)
    return pairs_turning_within(context or m.max_context, m.head_dim, base or m.rope_theta)


def _base_for(count: int, context: int, head_dim: int) -> float:
    """The base at which exactly ``count`` pairs complete a turn within ``context`` tokens, at the boundary:
    the wavelength of pair ``count − 1`` equals the context (a hair above it, the count drops by one)."""
    # 2π·b^(2(count−1)/d) = context  →  b = (context/2π)^(d / (2(count−1)))
    return (context / (2 * math.pi)) ** (head_dim / (2 * (count - 1)))


def _bound(context: float, head_dim: int, base: float) -> float:
    """(d/2)·ln(context/2π)/ln b: pair i comes round within the context if i is at most this."""
    return head_dim / 2 * math.log(context / (2 * math.pi)) / math.log(base)


def _hand(shift: int = 0) -> dict:
    qx, qy = rotate_pair(*HAND_Q, HAND_M + shift)
    kx, ky = rotate_pair(*HAND_K, HAND_N + shift)
    return {"q": (qx, qy), "k": (kx, ky), "dot": qx * kx + qy * ky}


def _lm(query: str = LM_QUERY, key: str = LM_KEY) -> dict:
    return pm.lm_scores(query, key, LM_HEAD)


def _lm_best(query: str = LM_QUERY, key: str = LM_KEY) -> int:
    c = _lm(query, key)["curve"]
    return max(range(len(c)), key=c.__getitem__)


def _lm_probe_spread() -> float:
    data = _lm()
    scores = [pm.lm_score_at(data["q"], data["k"], m, m - 20) for m in LM_PROBE]
    return max(scores) - min(scores)


def _lm_cfg():
    return pm.lm_model().cfg


ANSWERS = {
    # the catalog
    "catalog_rope": lambda: _int(sum(1 for m in MODELS.values() if m.rope_theta)),
    "catalog_models": lambda: _int(len(MODELS)),
    # the learned table
    "opt_rows": lambda: _int(_m(OPT).learned_positions),
    "opt_ctx": lambda: _int(_m(OPT).max_context),
    "opt_width": lambda: _int(_m(OPT).hidden),
    "opt_table": lambda: _int(param_breakdown(OPT)["positions"]),
    "opt_total": lambda: Answer(param_count(OPT), fmt_count(param_count(OPT))),
    "opt_share": lambda: Answer(param_breakdown(OPT)["positions"] / param_count(OPT),
                                fmt_percent(param_breakdown(OPT)["positions"] / param_count(OPT), 2)),
    # Llama 3 8B and Llama 2 7B: speeds and wavelengths
    "l3_base": lambda: _int(_m(L3).rope_theta),
    "b10k": lambda: _int(ORIGINAL_BASE),
    "l3_head_dim": lambda: _int(_m(L3).head_dim),
    "l3_pairs": lambda: _int(_m(L3).head_dim // 2),
    "l3_last": lambda: _int(_m(L3).head_dim // 2 - 1),
    "wave0": lambda: _p(_wave(L3, 0)),
    "l3_theta_last": lambda: Answer(_theta(L3, -1), fmt_sci(_theta(L3, -1))),
    "b10k_theta_last": lambda: _g(_theta(L3, -1, ORIGINAL_BASE)),
    "l3_wave_last": lambda: _int(_wave(L3, -1)),
    "b10k_wave_last": lambda: _int(_wave(L3, -1, ORIGINAL_BASE)),
    "wave_last_ratio": lambda: _g(_wave(L3, -1) / _wave(L3, -1, ORIGINAL_BASE), 3),
    "l3_step": lambda: _p(_theta(L3, 1), 4),
    "b10k_step": lambda: _p(_theta(L3, 1, ORIGINAL_BASE), 4),
    "l3_ctx": lambda: _int(_m(L3).max_context),
    "l3_turning": lambda: _int(_turning(L3)),
    "b10k_turning": lambda: _int(_turning(L3, base=ORIGINAL_BASE)),
    "l3_bound": lambda: _p(_bound(_m(L3).max_context, _m(L3).head_dim, _m(L3).rope_theta)),
    "b10k_bound": lambda: _p(_bound(_m(L3).max_context, _m(L3).head_dim, ORIGINAL_BASE)),
    "tiny_bound": lambda: _p(_bound(_lm_cfg().n_ctx, _lm_cfg().d_head, _lm_cfg().rope_base)),
    "long_bound": lambda: _p(_bound(_m(LONG).max_context, _m(LONG).head_dim, _m(LONG).rope_theta)),
    # distance curves of equal pairs (d = 128)
    "half_10k": lambda: _int(rope_half_distance(_m(L3).head_dim, ORIGINAL_BASE)),
    "half_500k": lambda: _int(rope_half_distance(_m(L3).head_dim, _m(L3).rope_theta)),
    "equal_8k_10k": lambda: _p(rope_mean_cosine(_m(L3).max_context, _m(L3).head_dim, ORIGINAL_BASE), 3),
    "equal_8k_500k": lambda: _p(rope_mean_cosine(_m(L3).max_context, _m(L3).head_dim, _m(L3).rope_theta), 3),
    # the rotation by hand
    "hand_qx": lambda: _p(_hand()["q"][0], 3),
    "hand_qy": lambda: _p(_hand()["q"][1], 3),
    "hand_kx": lambda: _p(_hand()["k"][0], 3),
    "hand_ky": lambda: _p(_hand()["k"][1], 3),
    "hand_dot": lambda: _p(_hand()["dot"], 3),
    "hand_dot_shift": lambda: _p(_hand(HAND_SHIFT)["dot"], 3),
    "hand_formula": lambda: _p(rope_relative_score(list(HAND_Q), list(HAND_K), HAND_M - HAND_N, 2.0), 3),
    # the sinusoidal table by hand
    "sin_a": lambda: _p(sinusoidal_encoding(SIN_POS, SIN_D)[0], 3),
    "sin_b": lambda: _p(sinusoidal_encoding(SIN_POS, SIN_D)[1], 3),
    "sin_c": lambda: _p(sinusoidal_encoding(SIN_POS, SIN_D)[2], 3),
    "sin_d": lambda: _p(sinusoidal_encoding(SIN_POS, SIN_D)[3], 4),
    "sin_cos1": lambda: _p(math.cos(1 * rope_inverse_frequencies(SIN_D, ORIGINAL_BASE)[0]), 3),
    "sin_cos2": lambda: _p(math.cos(1 * rope_inverse_frequencies(SIN_D, ORIGINAL_BASE)[1]), 3),
    "sin_dot": lambda: _p(sum(a * b for a, b in zip(sinusoidal_encoding(SIN_POS, SIN_D),
                                                    sinusoidal_encoding(SIN_POS - 1, SIN_D))), 3),
    # the workshop's window, and the tiny model
    "window": lambda: _int(pm.WINDOW),
    "tiny_d_head": lambda: _int(_lm_cfg().d_head),
    "tiny_pairs": lambda: _int(_lm_cfg().d_head // 2),
    "tiny_heads": lambda: _int(_lm_cfg().n_head),
    "tiny_ctx": lambda: _int(_lm_cfg().n_ctx),
    "tiny_base": lambda: _int(_lm_cfg().rope_base),
    "tiny_params": lambda: _int(pm.lm_model().header["n_params"]),
    "tiny_theta_last": lambda: _g(rope_inverse_frequencies(_lm_cfg().d_head, _lm_cfg().rope_base)[-1]),
    "tiny_turns_100": lambda: _p(rope_angles(100, _lm_cfg().d_head, _lm_cfg().rope_base)[0] / (2 * math.pi), 1),
    "tiny_rad_100_last": lambda: _p(rope_angles(100, _lm_cfg().d_head, _lm_cfg().rope_base)[-1], 4),
    "tiny_deg_100_last": lambda: _p(math.degrees(rope_angles(100, _lm_cfg().d_head, _lm_cfg().rope_base)[-1]), 1),
    "tiny_turning": lambda: _int(pairs_turning_within(_lm_cfg().n_ctx, _lm_cfg().d_head, _lm_cfg().rope_base)),
    "tiny_not_turning": lambda: _int(_lm_cfg().d_head // 2 - pairs_turning_within(
        _lm_cfg().n_ctx, _lm_cfg().d_head, _lm_cfg().rope_base)),
    "tiny_wave_last": lambda: _int(rope_wavelengths(_lm_cfg().d_head, _lm_cfg().rope_base)[-1]),
    "lm_flat": lambda: _p(_lm()["flat"]),
    "lm_d1": lambda: _p(_lm()["curve"][1]),
    "lm_d10": lambda: _p(_lm()["curve"][10]),
    "lm_d20": lambda: _p(_lm()["curve"][20]),
    "lm_best": lambda: _int(_lm_best()),
    "lm_far_mean": lambda: _p(sum(_lm()["curve"][8:]) / len(_lm()["curve"][8:])),
    "lm_gap_ratio": lambda: Answer(math.exp(_lm()["curve"][1] - _lm()["curve"][10]),
                                   f"{math.exp(_lm()['curve'][1] - _lm()['curve'][10]):,.0f}"),
    "lm_probe_spread": lambda: Answer(_lm_probe_spread(), fmt_sci(_lm_probe_spread(), digits=1)),
    "lm_head_flat": lambda: _p(_lm(LM_FAR_QUERY, LM_FAR_KEY)["flat"]),
    "lm_head_d1": lambda: _p(_lm(LM_FAR_QUERY, LM_FAR_KEY)["curve"][1]),
    "lm_head_best": lambda: _int(_lm_best(LM_FAR_QUERY, LM_FAR_KEY)),
    "lm_head_best_score": lambda: _p(_lm(LM_FAR_QUERY, LM_FAR_KEY)["curve"][_lm_best(LM_FAR_QUERY, LM_FAR_KEY)]),
    # a longer context with the same number of turning pairs
    "long_ctx": lambda: _int(_m(LONG).max_context),
    "long_base": lambda: _int(_m(LONG).rope_theta),
    "long_turning": lambda: _int(_turning(LONG)),
    "base_for_long": lambda: Answer(_base_for(_turning(L3), _m(LONG).max_context, _m(L3).head_dim),
                                    fmt_sci(_base_for(_turning(L3), _m(LONG).max_context, _m(L3).head_dim))),
    "base_ratio_long": lambda: _int(_base_for(_turning(L3), _m(LONG).max_context, _m(L3).head_dim)
                                    / _m(L3).rope_theta),
    # a rotation keeps lengths
    "norm_q": lambda: _p(math.hypot(*rotate_pair(3.0, 4.0, 1000 * 0.3)), 3),
}
