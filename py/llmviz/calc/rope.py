"""Positions: rotary position embedding (RoPE) and the sinusoidal encoding it grew from.

Su et al., RoFormer (2021), arXiv 2104.09864, section 3.2.2: the query and key
widths are split into pairs (2i, 2i+1), and pair i turns by an angle of
position · θ_i, with θ_i = base^(−2i/d) for i = 0 … d/2 − 1, d the head
width. Hugging Face's Llama code computes the same numbers as
``1 / base ** (arange(0, d, 2) / d)`` with ``base`` = the configuration's
``rope_theta``. Because a rotation by m·θ followed by the inverse of a
rotation by n·θ is a rotation by (m − n)·θ, the dot product of a rotated
query and a rotated key depends on the two positions only through m − n
(:func:`rope_relative_score`).

Vaswani et al. (2017), section 3.5, add to each token's vector a fixed
vector of sines and cosines of the same angles, pos / 10000^(2i/d_model)
(:func:`sinusoidal_encoding`).

Units: positions and distances in tokens, angles in radians, rotation speeds
in radians per token, wavelengths in tokens.
"""
from __future__ import annotations

import math
from typing import Sequence

from ..catalog.models import ModelConfig, get_model
from ._checks import finite, in_range, positive, positive_int


def _head_dim(head_dim: int, name: str = "head_dim") -> int:
    if isinstance(head_dim, bool) or not isinstance(head_dim, int):
        raise ValueError(f"{name} must be an integer, got {head_dim!r}")
    if head_dim <= 0 or head_dim % 2:
        raise ValueError(f"{name} must be a positive even number (its numbers are used in pairs), got {head_dim!r}")
    return head_dim


def _base(base: float) -> float:
    if isinstance(base, bool) or not isinstance(base, (int, float)) or not math.isfinite(base):
        raise ValueError(f"base must be a finite number, got {base!r}")
    if base <= 1:
        raise ValueError(f"base must be greater than 1 (a base of 1 or less would not slow the pairs down), "
                         f"got {base!r}")
    return float(base)


def _vector(name: str, v) -> list[float]:
    try:
        out = [float(x) for x in v]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers, got {v!r}") from None
    if not out or len(out) % 2:
        raise ValueError(f"{name} must have a positive even number of components, got {len(out)}")
    if not all(math.isfinite(x) for x in out):
        raise ValueError(f"{name} must hold finite numbers only")
    return out


def rope_inverse_frequencies(head_dim: int, base: float) -> tuple[float, ...]:
    """The head_dim/2 rotation speeds θ_i = base^(−2i/head_dim), i = 0 … head_dim/2 − 1, in radians per token.

    Pair 0 turns one radian per token; each later pair turns slower by the
    same factor base^(−2/head_dim), down to base^(−(head_dim−2)/head_dim).
    ``ValueError`` if ``head_dim`` is not a positive even integer or ``base``
    is not a finite number greater than 1.
    """
    d = _head_dim(head_dim)
    b = _base(base)
    return tuple(b ** (-2 * i / d) for i in range(d // 2))


def rope_frequencies(model: ModelConfig | str) -> tuple[float, ...]:
    """The d/2 rotation speeds θ_i = rope_theta^(−2i/d) of one of ``model``'s heads, in radians per token.

    ``d`` is the model's ``head_dim`` and the base its ``rope_theta``
    (:func:`rope_inverse_frequencies`). ``ValueError`` for a model without
    rotary positions.
    """
    m = get_model(model)
    if not m.rope_theta or m.head_dim <= 0:
        raise ValueError(f"model {m.name!r} has no rotary position embedding (rope_theta is {m.rope_theta!r})")
    return rope_inverse_frequencies(m.head_dim, m.rope_theta)


def rope_wavelengths(head_dim: int, base: float) -> tuple[float, ...]:
    """Tokens each pair needs for one full turn: 2π/θ_i = 2π·base^(2i/head_dim), in tokens.

    From 2π ≈ 6.28 tokens for pair 0 up to 2π·base^((head_dim−2)/head_dim).
    Same ``ValueError`` as :func:`rope_inverse_frequencies`.
    """
    return tuple(2 * math.pi / f for f in rope_inverse_frequencies(head_dim, base))


def rope_angles(position: float, head_dim: int, base: float) -> tuple[float, ...]:
    """The angle each pair is turned by at ``position`` (tokens): position·θ_i, in radians (not reduced mod 2π)."""
    p = finite("position", position)
    return tuple(p * f for f in rope_inverse_frequencies(head_dim, base))


def pairs_turning_within(context: float, head_dim: int, base: float) -> int:
    """How many pairs complete at least one full turn within ``context`` tokens: those with 2π/θ_i ≤ context (count).

    The others never come back to where they started inside the context,
    so their angle grows monotonically with distance there.
    """
    c = positive("context", context)
    return sum(1 for w in rope_wavelengths(head_dim, base) if w <= c)


def rotate_pair(x: float, y: float, angle: float) -> tuple[float, float]:
    """The point (x, y) turned anticlockwise by ``angle`` radians: (x cos a − y sin a, x sin a + y cos a).

    This is the rotation matrix [[cos a, −sin a], [sin a, cos a]] times the
    column (x, y); lengths and the angle between any two points turned
    together do not change.
    """
    finite("x", x)
    finite("y", y)
    a = finite("angle", angle)
    c, s = math.cos(a), math.sin(a)
    return x * c - y * s, x * s + y * c


def rope_rotate(vector: Sequence[float], position: float, base: float) -> list[float]:
    """RoPE applied to one query or key: each pair (2i, 2i+1) turned by position·θ_i (same units as ``vector``).

    ``vector``'s length is the head width d (positive and even); θ_i =
    base^(−2i/d). Position 0 leaves the vector as it is.
    """
    v = _vector("vector", vector)
    angles = rope_angles(position, len(v), base)
    out: list[float] = []
    for i, a in enumerate(angles):
        out.extend(rotate_pair(v[2 * i], v[2 * i + 1], a))
    return out


def rope_relative_score(q: Sequence[float], k: Sequence[float], distance: float, base: float) -> float:
    """The dot product of q turned to position m and k turned to position n, for m − n = ``distance`` (tokens).

    Pair by pair, R(mθ)q · R(nθ)k = q · R((n − m)θ)k
    = (q₀k₀ + q₁k₁)·cos(dθ) + (q₀k₁ − q₁k₀)·sin(dθ) with d = m − n: the
    positions enter only through their difference. Summed over the pairs,
    with θ_i = base^(−2i/len(q)). Units: those of q times those of k.
    """
    a, b = _vector("q", q), _vector("k", k)
    if len(a) != len(b):
        raise ValueError(f"q and k must have the same length, got {len(a)} and {len(b)}")
    d = finite("distance", distance)
    total = 0.0
    for i, f in enumerate(rope_inverse_frequencies(len(a), base)):
        q0, q1, k0, k1 = a[2 * i], a[2 * i + 1], b[2 * i], b[2 * i + 1]
        total += (q0 * k0 + q1 * k1) * math.cos(d * f) + (q0 * k1 - q1 * k0) * math.sin(d * f)
    return total


def rope_mean_cosine(distance: float, head_dim: int, base: float) -> float:
    """The mean over the pairs of cos(distance·θ_i): RoPE's score at ``distance`` when q = k and every pair
    has the same length, as a share of the score at distance 0 (pure number, between −1 and 1)."""
    d = finite("distance", distance)
    f = rope_inverse_frequencies(head_dim, base)
    return sum(math.cos(d * x) for x in f) / len(f)


def rope_half_distance(head_dim: int, base: float, level: float = 0.5, limit: int = 100_000) -> int | None:
    """The first whole distance (tokens) at which :func:`rope_mean_cosine` falls below ``level``; ``None``
    if it stays at or above it up to ``limit`` tokens.

    The curve wiggles, so this is found by walking the distances one by one,
    not by halving an interval: a later stretch can climb back above the level.
    """
    in_range("level", level, -1.0, 1.0)
    lim = positive_int("limit", limit)
    f = rope_inverse_frequencies(head_dim, base)
    n = len(f)
    for d in range(1, lim + 1):
        if sum(math.cos(d * x) for x in f) < level * n:
            return d
    return None


def rope_decay_bound(distance: float, head_dim: int, base: float) -> float:
    """RoFormer's "relative upper bound" at ``distance`` (tokens): (1/(d/2))·Σ_{j=1}^{d/2} |S_j| (pure number).

    S_j = Σ_{i<j} e^{i·distance·θ_i} is the sum of the first j pairs' unit
    turns (Su et al., section 3.4.3, equations 36–37 and Figure 2). Any
    score is at most max_i |h_{i+1} − h_i| times Σ_j |S_j|, so where this
    average falls, the largest possible score falls with it. It starts at
    (d/2 + 1)/2 for distance 0.
    """
    d = finite("distance", distance)
    re = im = 0.0
    acc = 0.0
    f = rope_inverse_frequencies(head_dim, base)
    for x in f:
        re += math.cos(d * x)
        im += math.sin(d * x)
        acc += math.hypot(re, im)
    return acc / len(f)


def sinusoidal_encoding(position: float, d_model: int, base: float = 10000.0) -> list[float]:
    """Vaswani et al.'s position vector: entry 2i is sin(position/base^(2i/d_model)), entry 2i+1 the cosine.

    ``d_model`` numbers (a positive even integer), each between −1 and 1; the
    angles are :func:`rope_angles` of the same position with head_dim =
    d_model. The Transformer adds this vector to the token's embedding.
    """
    _head_dim(d_model, "d_model")
    out: list[float] = []
    for a in rope_angles(position, d_model, base):
        out += [math.sin(a), math.cos(a)]
    return out
