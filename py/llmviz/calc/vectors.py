"""Vectors: length, dot product, angle, projection and cosine similarity.

A vector here is a plain sequence of d numbers (a list or tuple of floats).
Every formula works for any d: the plane is only where the book draws it.
Results are pure numbers (the vectors' own units multiplied, for a dot
product), angles are in radians.

The last functions are predictions for random vectors whose d components
are drawn independently from one distribution symmetric about 0 (the
standard normal, say): the spread of their cosine similarity and of their
dot product, and, for directions with no preferred axis (standard-normal
components), how often chance alone gives a cosine at least a given size.
The workshop measures the spreads and compares.
"""
from __future__ import annotations

import math
from operator import mul

from ._checks import in_range, positive_int


def _vector(name: str, v) -> list[float]:
    """``v`` as a list of finite floats; ``ValueError`` naming ``name`` otherwise."""
    try:
        out = [float(x) for x in v]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers, got {v!r}") from None
    if not out:
        raise ValueError(f"{name} must have at least one component, got an empty sequence")
    if not all(math.isfinite(x) for x in out):
        raise ValueError(f"{name} must hold finite numbers only, got {v!r}")
    return out


def _pair(a, b) -> tuple[list[float], list[float]]:
    va, vb = _vector("a", a), _vector("b", b)
    if len(va) != len(vb):
        raise ValueError(f"a and b must have the same length, got {len(va)} and {len(vb)} components")
    return va, vb


def _exponent(v: list[float]) -> int | None:
    """e with 2^(e−1) ≤ max |v_i| < 2^e, or ``None`` for the zero vector."""
    big = max(map(abs, v))
    return math.frexp(big)[1] if big else None


def _shift(v: list[float], e: int) -> list[float]:
    """v·2^(−e): its largest component lands in [½, 1). A power of two changes no bit of a
    normal float, so products and sums round exactly as they would unscaled, but squares of
    numbers near 10³⁰⁰ or 10⁻³⁰⁰ neither overflow to infinity nor vanish to 0."""
    return [math.ldexp(x, -e) for x in v]


def dot(a, b) -> float:
    """The dot product a·b = a₁b₁ + a₂b₂ + … + a_d·b_d (one multiply-add per component).

    ``ValueError`` if ``a`` and ``b`` differ in length, are empty, hold a
    non-finite number, or if a·b itself is beyond the range of a double.
    """
    va, vb = _pair(a, b)
    ea, eb = _exponent(va), _exponent(vb)
    if ea is None or eb is None:
        return 0.0
    s = sum(map(mul, _shift(va, ea), _shift(vb, eb)))
    try:
        return math.ldexp(s, ea + eb)
    except OverflowError:
        raise ValueError("a·b is beyond the range of a double (about 1.8e308)") from None


def norm(a) -> float:
    """The length ‖a‖ = √(a₁² + … + a_d²): Pythagoras applied to every component.

    Computed by :func:`math.hypot`, which scales internally, so no square
    overflows or vanishes on the way.
    """
    return math.hypot(*_vector("a", a))


def _direction(name: str, v: list[float], why: str) -> list[float]:
    """v scaled by a power of two (same direction); ``ValueError`` naming ``name`` if v = 0."""
    e = _exponent(v)
    if e is None:
        raise ValueError(f"{name} is the zero vector: it has no direction, so {why}")
    return _shift(v, e)


def cosine_similarity(a, b) -> float:
    """cos θ = a·b / (‖a‖·‖b‖), a pure number in [−1, 1]: direction only, lengths divided out.

    ``ValueError`` if ``a`` and ``b`` differ in length, or if either is the
    zero vector (it has no direction, so no angle to anything). Both are
    scaled by a power of two first, which changes no cosine.
    """
    va, vb = _pair(a, b)
    ua = _direction("a", va, "its cosine similarity is undefined")
    ub = _direction("b", vb, "its cosine similarity is undefined")
    cos = sum(map(mul, ua, ub)) / (math.hypot(*ua) * math.hypot(*ub))
    # rounding can push |cos| a hair past 1 for parallel vectors; the true value never does
    return max(-1.0, min(1.0, cos))


def angle_between(a, b) -> float:
    """The angle θ between ``a`` and ``b`` in radians, in [0, π]: arccos of :func:`cosine_similarity`."""
    return math.acos(cosine_similarity(a, b))


def scalar_projection(a, b) -> float:
    """How far ``a`` reaches along ``b``: a·b / ‖b‖ = ‖a‖·cos θ, in a's units (negative if θ > 90°).

    ``ValueError`` if ``b`` is the zero vector (there is no direction to project onto).
    """
    va, vb = _pair(a, b)
    ub = _direction("b", vb, "there is no direction to project onto")
    ea = _exponent(va)
    if ea is None:
        return 0.0
    return math.ldexp(sum(map(mul, _shift(va, ea), ub)) / math.hypot(*ub), ea)


def vector_projection(a, b) -> list[float]:
    """The shadow of ``a`` on the line through ``b``: (a·b / ‖b‖²)·b, a vector of b's length d.

    What is left over, a − projection, is perpendicular to ``b``. The formula
    gives the same vector for b and any multiple of b, so b is scaled by a
    power of two first. ``ValueError`` if ``b`` is the zero vector.
    """
    va, vb = _pair(a, b)
    ub = _direction("b", vb, "there is no direction to project onto")
    s = sum(map(mul, va, ub)) / sum(map(mul, ub, ub))
    return [s * x for x in ub]


def random_cosine_std(d: int) -> float:
    """Standard deviation of the cosine similarity of two random d-component vectors: 1/√d.

    For components drawn independently from one distribution symmetric
    about 0, the mean cosine is 0 and the mean of cos² is exactly 1/d (no
    axis is special and the squared components of a unit vector sum to 1).
    A pure number.
    """
    positive_int("d", d)
    return 1.0 / math.sqrt(d)


def random_dot_std(d: int, component_std: float = 1.0) -> float:
    """Standard deviation of the dot product of two random d-component vectors: √d·σ².

    Each component has standard deviation ``component_std`` (σ) and mean 0,
    all independent: each of the d products has mean 0 and variance σ⁴, and
    the variances of independent terms add. In the vectors' units squared.
    """
    positive_int("d", d)
    if isinstance(component_std, bool) or not isinstance(component_std, (int, float)) \
            or not math.isfinite(component_std) or component_std <= 0:
        raise ValueError(f"component_std must be a finite number > 0, got {component_std!r}")
    return math.sqrt(d) * component_std ** 2


def _beta_cf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz), for x < (a+1)/(a+b+2)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            return h
    raise ArithmeticError("incomplete beta: the continued fraction did not converge")  # pragma: no cover


def _beta_reg(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1]."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, 1.0 - x) / b


def random_cosine_tail(d: int, c: float) -> float:
    """Share of pairs of random directions in d dimensions whose cosine is at least ``c`` in size.

    P(|cos θ| ≥ c) for two vectors with independent standard-normal
    components (no preferred direction). cos θ then has the density
    ∝ (1 − x²)^((d−3)/2) on [−1, 1], and the two tails together are the
    regularised incomplete beta function I_(1−c²)((d−1)/2, ½). At d = 2
    this is 2·arccos(c)/π, at d = 3 it is 1 − c; for large d it
    approaches the normal distribution's two tails beyond c·√d. A pure
    number in [0, 1]. ``ValueError`` if d < 2 or c is outside [0, 1].
    """
    positive_int("d", d)
    if d < 2:
        raise ValueError(f"d must be at least 2 (one dimension has no angles), got {d!r}")
    in_range("c", c, 0.0, 1.0)
    return _beta_reg((d - 1) / 2, 0.5, 1.0 - c * c)
