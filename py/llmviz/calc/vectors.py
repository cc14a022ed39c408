"""Vectors: length, dot product, angle, projection and cosine similarity.

A vector here is a plain sequence of d numbers (a list or tuple of floats).
Every formula works for any d: the plane is only where the book draws it.
Results are pure numbers (the vectors' own units multiplied, for a dot
product), angles are in radians.

The last two functions are predictions for random vectors whose d
components are drawn independently from one distribution symmetric about 0
(the standard normal, say): the spread of their cosine similarity and of
their dot product. The workshop measures both and compares.
"""
from __future__ import annotations

import math
from operator import mul

from ._checks import positive_int


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


def dot(a, b) -> float:
    """The dot product a·b = a₁b₁ + a₂b₂ + … + a_d·b_d (one multiply-add per component).

    ``ValueError`` if ``a`` and ``b`` differ in length, are empty or hold a
    non-finite number.
    """
    va, vb = _pair(a, b)
    return sum(map(mul, va, vb))


def norm(a) -> float:
    """The length ‖a‖ = √(a₁² + … + a_d²): Pythagoras applied to every component."""
    va = _vector("a", a)
    return math.sqrt(sum(map(mul, va, va)))


def cosine_similarity(a, b) -> float:
    """cos θ = a·b / (‖a‖·‖b‖), a pure number in [−1, 1]: direction only, lengths divided out.

    ``ValueError`` if ``a`` and ``b`` differ in length, or if either is the
    zero vector (it has no direction, so no angle to anything).
    """
    va, vb = _pair(a, b)
    na, nb = norm(va), norm(vb)
    for name, n in (("a", na), ("b", nb)):
        if n == 0:
            raise ValueError(f"{name} is the zero vector: it has no direction, so its cosine similarity is undefined")
    # rounding can push |cos| a hair past 1 for parallel vectors; the true value never does
    return max(-1.0, min(1.0, dot(va, vb) / (na * nb)))


def angle_between(a, b) -> float:
    """The angle θ between ``a`` and ``b`` in radians, in [0, π]: arccos of :func:`cosine_similarity`."""
    return math.acos(cosine_similarity(a, b))


def scalar_projection(a, b) -> float:
    """How far ``a`` reaches along ``b``: a·b / ‖b‖ = ‖a‖·cos θ, in a's units (negative if θ > 90°).

    ``ValueError`` if ``b`` is the zero vector (there is no direction to project onto).
    """
    va, vb = _pair(a, b)
    nb = norm(vb)
    if nb == 0:
        raise ValueError("b is the zero vector: there is no direction to project onto")
    return dot(va, vb) / nb


def vector_projection(a, b) -> list[float]:
    """The shadow of ``a`` on the line through ``b``: (a·b / ‖b‖²)·b, a vector of b's length d.

    What is left over, a − projection, is perpendicular to ``b``.
    ``ValueError`` if ``b`` is the zero vector.
    """
    va, vb = _pair(a, b)
    bb = dot(vb, vb)
    if bb == 0:
        raise ValueError("b is the zero vector: there is no direction to project onto")
    s = dot(va, vb) / bb
    return [s * x for x in vb]


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
