"""Answers for chapter p00-c03 (vectors, dot products, cosine similarity).

Every length, dot product, angle and projection goes through
:mod:`llmviz.calc.vectors`; widths come from the catalog; the measured
spread of random cosines comes from the workshop's own random vectors.
"""
from __future__ import annotations

import math
from functools import lru_cache

from ..calc.gemm import gemm_flops, layer_projections
from ..calc.vectors import (angle_between, cosine_similarity, dot, norm, random_cosine_std, random_cosine_tail,
                            random_dot_std, scalar_projection, vector_projection)
from ..catalog import get_model
from ..modes.part00_math.vectors import VectorsMode, ledger_vectors, pairs_of
from . import Answer

MODEL = "llama-3-8b"

# the plane view's starting pair, and the obtuse preset
A, B = (3.0, 1.0), (3.0, 4.0)
A_OBTUSE = (-3.0, -1.0)
# exercises
EX1 = (2, -1, 2)
EX2_A, EX2_B = (3, 4), (4, 3)
EX3_KNOWN = ((2, None, 1), (1, 3, -5))      # find the missing component that makes them perpendicular
EX4_A, EX4_B = (1, 3), (4, 2)
EX5 = (1, 2, 3)
EX7_COSINE = 0.1                             # a measured cosine at Llama 3 8B's width
SMALL_COSINE, LARGE_COSINE = 0.05, 0.2       # "a small cosine can be a strong signal"
STORE = 1_000_000                            # stored vectors a query is compared with
EX9_STORE = 1_000_000                        # stored vectors searched per query
TARGET_SPREAD = 0.01                         # exercise 10: random cosines no wider than this


def _num(v: float, digits: int = 3) -> str:
    """Integers exactly, others to ``digits`` significant figures; a real minus sign."""
    r = round(v, 9)
    if float(r).is_integer():
        return f"{int(r):,}".replace("-", "\u2212")
    return f"{v:.{digits}g}".replace("-", "\u2212")


def _plain(v: float, digits: int = 3) -> Answer:
    return Answer(v, _num(v, digits))


def _deg(rad: float) -> Answer:
    d = math.degrees(rad)
    return Answer(d, f"{d:.1f}\u00b0")


def _flops(v: int) -> Answer:
    return Answer(v, f"{v:,} FLOP" if v < 1e6 else f"{v / 1e9:.3g} GFLOP")


def _hidden(model: str = MODEL) -> int:
    return get_model(model).hidden


def _dots_per_token(model: str = MODEL) -> int:
    """Dot products the weight matrices compute for one token: one per output of every matrix.

    Each of a matrix's outputs is one row of weights against the input
    vector. All layers' matrices plus the output matrix's ``vocab`` scores.
    """
    m = get_model(model)
    return m.layers * sum(d_out for _d_in, d_out in layer_projections(m).values()) + m.vocab


def _ex3_missing() -> float:
    """The x that makes (2, x, 1)·(1, 3, −5) = 0: the known terms plus 3x must cancel."""
    (a1, _, a3), (b1, b2, b3) = EX3_KNOWN
    return -(a1 * b1 + a3 * b3) / b2


@lru_cache(maxsize=4)
def measured(d: int, m: int) -> dict:
    """The workshop's random view at width ``d`` with ``m`` vectors, every pair arrived."""
    mode = VectorsMode(submode="random", values={"dim": d, "vectors": m})
    st = mode.random_stats(1e9)
    return {"std": st["std"], "max": st["max_abs"], "pairs": st["n"], "mean": st["mean"],
            "fill_s": st["plan"]["fill_s"]}


def _one_in(p: float) -> Answer:
    """1/p as a reader says it: "730", "7 billion"."""
    n = 1 / p
    if n >= 1e9:
        return Answer(n, f"{n / 1e9:.0f} billion")
    if n >= 1e6:
        return Answer(n, f"{n / 1e6:.0f} million")
    return Answer(n, f"{float(f'{n:.2g}'):,.0f}")


def _power_of_ten(v: float) -> Answer:
    """A tiny share as m × 10⁻ⁿ, m to one significant figure."""
    e = math.floor(math.log10(v))
    m = round(v / 10 ** e)
    sup = str(e).replace("-", "\u207b").translate(str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"))
    return Answer(v, f"{m} \u00d7 10{sup}")


def _min_width(spread: float) -> int:
    """Smallest whole d with 1/√d ≤ ``spread``."""
    d = math.ceil(1 / spread ** 2)
    while random_cosine_std(d) > spread:
        d += 1
    return d


def _narrowest_enough(spread: float) -> tuple[str, int]:
    """The narrowest catalog model whose width keeps random cosines within ``spread``: (name, width)."""
    from ..catalog import MODELS
    need = _min_width(spread)
    fits = sorted({(m.hidden, m.display_name) for m in MODELS.values() if m.hidden >= need})
    return fits[0][1], fits[0][0]


ANSWERS = {
    # the plane: a = (3, 1), b = (2, 2)
    "geo_na": lambda: _plain(norm(A)),
    "geo_nb": lambda: _plain(norm(B)),
    "geo_dot": lambda: _plain(dot(A, B)),
    "geo_norms_product": lambda: _plain(norm(A) * norm(B)),
    "geo_cos": lambda: _plain(cosine_similarity(A, B)),
    "geo_theta": lambda: _deg(angle_between(A, B)),
    "geo_angle_a": lambda: _deg(math.atan2(A[1], A[0])),
    "geo_angle_b": lambda: _deg(math.atan2(B[1], B[0])),
    "geo_p1": lambda: _plain(vector_projection(A, B)[0]),
    "geo_p2": lambda: _plain(vector_projection(A, B)[1]),
    "geo_r1": lambda: _plain(A[0] - vector_projection(A, B)[0]),
    "geo_r2": lambda: _plain(A[1] - vector_projection(A, B)[1]),
    "geo_shadow": lambda: _plain(scalar_projection(A, B)),
    "geo_unit_a1": lambda: _plain(A[0] / norm(A)),
    "geo_unit_a2": lambda: _plain(A[1] / norm(A)),
    "obtuse_dot": lambda: _plain(dot(A_OBTUSE, B)),
    "obtuse_cos": lambda: _plain(cosine_similarity(A_OBTUSE, B)),
    "obtuse_theta": lambda: _deg(angle_between(A_OBTUSE, B)),
    "obtuse_shadow": lambda: _plain(scalar_projection(A_OBTUSE, B)),
    # the ledger
    "ledger_total": lambda: _plain(dot(*ledger_vectors(0, 6, "random"))),
    "ledger_square": lambda: _plain(dot(*ledger_vectors(0, 6, "same"))),
    "ledger_norm": lambda: _plain(norm(ledger_vectors(0, 6, "same")[0])),
    # Llama 3 8B
    "llama_hidden": lambda: _plain(_hidden()),
    "llama_head_dim": lambda: _plain(get_model(MODEL).head_dim),
    "llama_dot_flops": lambda: _flops(gemm_flops(1, 1, _hidden())),
    "llama_norm_of_ones": lambda: _plain(norm([1.0] * _hidden())),
    "llama_dots_per_token": lambda: Answer(_dots_per_token(), f"{_dots_per_token() / 1e6:.1f} million"),
    # random vectors
    "spread_2": lambda: _plain(random_cosine_std(2)),
    "spread_3": lambda: _plain(random_cosine_std(3)),
    "spread_64": lambda: _plain(random_cosine_std(64)),
    "spread_llama": lambda: _plain(random_cosine_std(_hidden())),
    "spread_llama_deg": lambda: _deg(math.asin(random_cosine_std(_hidden()))),
    "pairs_32": lambda: _plain(pairs_of(32)),
    "pairs_48": lambda: _plain(pairs_of(48)),
    "measured_llama": lambda: _plain(measured(_hidden(), 32)["std"]),
    "measured_llama_ratio": lambda: Answer(measured(_hidden(), 32)["std"] / random_cosine_std(_hidden()),
                                           f"{measured(_hidden(), 32)['std'] / random_cosine_std(_hidden()):.2f}"),
    "measured_llama_max": lambda: _plain(measured(_hidden(), 32)["max"], 2),
    "measured_llama_band": lambda: _deg(math.asin(measured(_hidden(), 32)["max"])),
    "measured_llama_48": lambda: _plain(measured(_hidden(), 48)["std"]),
    "measured_llama_48_ratio": lambda: Answer(measured(_hidden(), 48)["std"] / random_cosine_std(_hidden()),
                                              f"{measured(_hidden(), 48)['std'] / random_cosine_std(_hidden()):.2f}"),
    "fill_llama_48": lambda: Answer(measured(_hidden(), 48)["fill_s"], f"{measured(_hidden(), 48)['fill_s']:.0f}"),
    "measured_2": lambda: _plain(measured(2, 32)["std"]),
    # how often chance alone gives a cosine this large at Llama 3 8B's width
    "small_cos_sigmas": lambda: _plain(SMALL_COSINE / random_cosine_std(_hidden()), 2),
    "large_cos_sigmas": lambda: _plain(LARGE_COSINE / random_cosine_std(_hidden()), 2),
    "chance_small_one_in": lambda: _one_in(random_cosine_tail(_hidden(), SMALL_COSINE)),
    "chance_small_store": lambda: Answer(STORE * random_cosine_tail(_hidden(), SMALL_COSINE),
                                         f"{float(f'{STORE * random_cosine_tail(_hidden(), SMALL_COSINE):.2g}'):,.0f}"),
    "chance_large": lambda: _power_of_ten(random_cosine_tail(_hidden(), LARGE_COSINE)),
    "head_dot_spread": lambda: _plain(random_dot_std(get_model(MODEL).head_dim)),
    "head_cos_spread": lambda: _plain(random_cosine_std(get_model(MODEL).head_dim)),
    # exercises
    "ex1_norm": lambda: _plain(norm(EX1)),
    "ex1_u1": lambda: _plain(EX1[0] / norm(EX1)),
    "ex1_u2": lambda: _plain(EX1[1] / norm(EX1)),
    "ex2_dot": lambda: _plain(dot(EX2_A, EX2_B)),
    "ex2_cos": lambda: _plain(cosine_similarity(EX2_A, EX2_B)),
    "ex2_theta": lambda: _deg(angle_between(EX2_A, EX2_B)),
    "ex3_x": lambda: _plain(_ex3_missing()),
    "ex4_dot": lambda: _plain(dot(EX4_A, EX4_B)),
    "ex4_shadow": lambda: _plain(scalar_projection(EX4_A, EX4_B)),
    "ex4_p1": lambda: _plain(vector_projection(EX4_A, EX4_B)[0]),
    "ex4_p2": lambda: _plain(vector_projection(EX4_A, EX4_B)[1]),
    "ex4_r1": lambda: _plain(EX4_A[0] - vector_projection(EX4_A, EX4_B)[0]),
    "ex4_r2": lambda: _plain(EX4_A[1] - vector_projection(EX4_A, EX4_B)[1]),
    "ex5_dot_double": lambda: _plain(dot(EX5, [2 * x for x in EX5])),
    "ex5_cos_double": lambda: _plain(cosine_similarity(EX5, [2 * x for x in EX5])),
    "ex5_dot_negative": lambda: _plain(dot(EX5, [-x for x in EX5])),
    "ex5_cos_negative": lambda: _plain(cosine_similarity(EX5, [-x for x in EX5])),
    "ex6_cosine_flops": lambda: _flops(3 * gemm_flops(1, 1, _hidden())),
    "ex7_spread_70b": lambda: _plain(random_cosine_std(_hidden("llama-3-70b"))),
    "ex7_hidden_70b": lambda: _plain(_hidden("llama-3-70b")),
    "ex7_sigmas": lambda: _plain(EX7_COSINE / random_cosine_std(_hidden()), 2),
    "ex7_chance_one_in": lambda: _one_in(random_cosine_tail(_hidden(), EX7_COSINE)),
    "ex9_unit_flops": lambda: _flops(EX9_STORE * gemm_flops(1, 1, _hidden())),
    "ex9_naive_flops": lambda: _flops(EX9_STORE * 3 * gemm_flops(1, 1, _hidden())),
    "ex10_min_width": lambda: _plain(_min_width(TARGET_SPREAD)),
    "ex10_model": lambda: Answer(_narrowest_enough(TARGET_SPREAD)[1], _narrowest_enough(TARGET_SPREAD)[0]),
    "ex10_model_width": lambda: _plain(_narrowest_enough(TARGET_SPREAD)[1]),
    "ex10_model_spread": lambda: _plain(random_cosine_std(_narrowest_enough(TARGET_SPREAD)[1])),
    # 1/√(k·d) = ½·1/√d  ⇔  k = 4, whatever d is
    "ex10_halving": lambda: _plain((random_cosine_std(_hidden()) / (random_cosine_std(_hidden()) / 2)) ** 2),
}
