"""Plane geometry the scenes need: clipping a segment to a box.

One implementation (Liang and Barsky's parametric clip) serves every mode
that draws lines which may leave their plot: grids under a matrix, tangent
lines, descent paths.
"""
from __future__ import annotations

# |dx| or |dy| below this counts as a segment parallel to that side (logical or data units)
_PARALLEL = 1e-12


def clip_params(x1: float, y1: float, x2: float, y2: float,
                xlo: float, xhi: float, ylo: float, yhi: float) -> tuple[float, float] | None:
    """Parameters ``(t0, t1)``, 0 ≤ t0 ≤ t1 ≤ 1, of the part of the segment from
    ``(x1, y1)`` to ``(x2, y2)`` inside ``[xlo, xhi] × [ylo, yhi]``, or ``None`` when it
    misses the box. The point at ``t`` is ``(x1 + t·dx, y1 + t·dy)``."""
    dx, dy = x2 - x1, y2 - y1
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x1 - xlo), (dx, xhi - x1), (-dy, y1 - ylo), (dy, yhi - y1)):
        if abs(p) < _PARALLEL:
            if q < 0:
                return None
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return None
    return t0, t1


def clip_segment(x1: float, y1: float, x2: float, y2: float,
                 xlo: float, xhi: float, ylo: float, yhi: float) -> tuple[float, float, float, float] | None:
    """The part of a segment inside the box ``[xlo, xhi] × [ylo, yhi]`` as
    ``(x1, y1, x2, y2)``, or ``None`` when none of it is inside."""
    ts = clip_params(x1, y1, x2, y2, xlo, xhi, ylo, yhi)
    if ts is None:
        return None
    t0, t1 = ts
    dx, dy = x2 - x1, y2 - y1
    return x1 + t0 * dx, y1 + t0 * dy, x1 + t1 * dx, y1 + t1 * dy
