"""Summary statistics for timing samples: medians, percentiles, counts over a threshold.

Pure functions over lists of numbers; ``None`` when there is nothing to
summarise, so a missing measurement shows as missing instead of as zero.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) of ``values`` with linear interpolation between
    closest ranks (numpy's default method); ``None`` for no values."""
    xs = sorted(float(v) for v in values)
    if not xs:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must lie in [0, 100], got {q}")
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(values: Iterable[float]) -> float | None:
    """The median of ``values`` (mean of the two middle values for an even count); ``None`` for none."""
    return percentile(values, 50)


def over(values: Iterable[float], threshold: float) -> int:
    """How many of ``values`` exceed ``threshold`` strictly."""
    return sum(1 for v in values if v > threshold)


def intervals(timestamps: Sequence[float]) -> list[float]:
    """Differences between consecutive timestamps (same unit as the input)."""
    return [b - a for a, b in zip(timestamps, timestamps[1:])]


def ratio(num: float | None, den: float | None) -> float | None:
    """``num / den``, or ``None`` when either is missing or the denominator is zero."""
    if num is None or den is None or den == 0:
        return None
    return num / den


def growth(before: float | None, after: float | None) -> float | None:
    """Relative growth from ``before`` to ``after`` (0.1 = 10 % larger); ``None`` if unknown."""
    r = ratio(after, before)
    return None if r is None else r - 1
