"""Plots: a data window drawn in a box of the scene, linear or logarithmic on each axis.

Any mode that draws curves (functions, losses, schedules, growth) can use
:class:`Plot` instead of mapping coordinates by hand:

    p = Plot(80, 90, 500, 400, xlim=(-6, 6), ylim=(-0.25, 1.25))
    p.frame(sc, xticks=nice_ticks(-6, 6), yticks=(0, 0.5, 1))
    p.curve(sc, sigmoid, stroke="accent", lw=3)
    sc.circle(p.fx(0), p.fy(0.5), 5, fill="ink")

:meth:`Plot.curve` samples a Python function, breaks the line wherever the
function is undefined (it returns ``None``, raises ``ValueError``,
``OverflowError`` or ``ZeroDivisionError``, or gives a value a log axis
cannot show) and clips every piece to the window, so a curve that leaves the
box and comes back is drawn as separate paths and never spills over tick
labels. It only sees the samples: a pole between two of them, such as 1/x
across 0, is joined by a straight segment unless the function returns
``None`` near it. :func:`nice_ticks` and
:func:`log_ticks` choose tick values, :func:`fmt_tick` writes them.

Everything here is pure Python and cheap: a 200-sample curve costs well
under a millisecond, and callers cache whole drawings per parameter version.
"""
from __future__ import annotations

import math
from typing import Callable, Iterable, Sequence

from .geometry import clip_params
from .scene import Scene

MINUS = "\u2212"
_SUP = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def nice_ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) covering ``[lo, hi]``.

    At most ``target`` ticks (fewer when a round step leaves some out); every
    returned value lies inside the interval, is the float nearest its round
    decimal (0.3, not 0.30000000000000004) and appears once, however narrow
    the interval is beside its magnitude.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        raise ValueError(f"nice_ticks: need finite lo < hi, got lo={lo!r}, hi={hi!r}")
    raw = (hi - lo) / max(1, target - 1)
    e = math.floor(math.log10(raw))
    m = next(m for m in (1, 2, 5, 10) if m * 10.0 ** e >= raw * 0.999)
    step = m * 10.0 ** e
    # tick k is k·m·10^e; building each from its integer index (never by adding steps) keeps the
    # loop bounded and the values exact, and dividing by 10^−e rounds a negative power of ten once
    k0 = math.ceil(lo / step - 1e-9)
    k1 = math.floor(hi / step + 1e-9)
    out: list[float] = []
    for k in range(k0, k1 + 1):
        v = (k * m * 10 ** e if e >= 0 else k * m / 10 ** -e) + 0.0
        if lo - step * 1e-9 <= v <= hi + step * 1e-9 and (not out or v != out[-1]):
            out.append(float(v))
    return out


def log_ticks(lo: float, hi: float) -> list[float]:
    """The powers of ten inside ``[lo, hi]`` (both positive): one tick per decade."""
    if not (lo > 0 and hi > lo):
        raise ValueError(f"log_ticks: need 0 < lo < hi, got lo={lo!r}, hi={hi!r}")
    a = math.ceil(math.log10(lo) - 1e-9)
    b = math.floor(math.log10(hi) + 1e-9)
    return [10.0 ** e for e in range(a, b + 1)]


def fmt_tick(v: float) -> str:
    """A tick label with a real minus sign: m×10ⁿ (m to three significant figures, "10ⁿ" alone
    when m is 1) from 10⁴ up and below 10⁻³; otherwise three significant figures, except
    that a whole number under 10⁴ is written in full (1234, not 1.23e+03)."""
    if v == 0:
        return "0"
    av = abs(v)
    if av >= 1e4 or av < 1e-3:
        e = math.floor(math.log10(av) + 1e-9)
        m = v / 10 ** e
        if abs(float(f"{m:.3g}")) >= 10:      # 99,999 rounds to 10×10⁴: carry into the exponent
            e += 1
            m = v / 10 ** e
        head = "" if abs(float(f"{m:.3g}") - 1) < 1e-9 else (f"{m:.3g}\u00d7".replace("-", MINUS))
        if abs(float(f"{m:.3g}") + 1) < 1e-9:
            head = MINUS
        return f"{head}10{str(e).translate(_SUP)}"
    s = f"{v:.3g}"
    if "e" in s:
        s = f"{v:.0f}"
    return s.replace("-", MINUS)



class Plot:
    """A data window ``xlim`` × ``ylim`` shown in the box ``(x, y, w, h)`` of a scene.

    ``xlog``/``ylog`` make an axis logarithmic: equal distances then mean
    equal ratios, and the limits must be positive. Data outside the window
    is clipped by the drawing methods; :meth:`fx` and :meth:`fy` map any
    value (also outside the window) linearly in the axis's own scale, except
    a value ≤ 0 on a log axis, which has no place and raises ``ValueError``.
    """

    __slots__ = ("x", "y", "w", "h", "xlim", "ylim", "xlog", "ylog", "_u", "_v")

    def __init__(self, x: float, y: float, w: float, h: float,
                 xlim: tuple[float, float], ylim: tuple[float, float],
                 xlog: bool = False, ylog: bool = False):
        for name, (lo, hi), log in (("xlim", xlim, xlog), ("ylim", ylim, ylog)):
            if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                raise ValueError(f"Plot: {name} must be finite with lo < hi, got {(lo, hi)!r}")
            if log and lo <= 0:
                raise ValueError(f"Plot: {name} of a log axis must be positive, got {(lo, hi)!r}")
        if w <= 0 or h <= 0:
            raise ValueError(f"Plot: the box needs a positive size, got w={w!r}, h={h!r}")
        self.x, self.y, self.w, self.h = x, y, w, h
        self.xlim, self.ylim, self.xlog, self.ylog = tuple(xlim), tuple(ylim), xlog, ylog
        # the window in each axis's own scale (log10 on a log axis)
        self._u = (self._tx(xlim[0]), self._tx(xlim[1]))
        self._v = (self._ty(ylim[0]), self._ty(ylim[1]))

    # -- scales -----------------------------------------------------------

    def _tx(self, v: float) -> float:
        return math.log10(v) if self.xlog else v

    def _ty(self, v: float) -> float:
        return math.log10(v) if self.ylog else v

    def _ok(self, vx, vy) -> bool:
        """Whether a data point can be placed at all (finite, positive on a log axis)."""
        if vx is None or vy is None:
            return False
        if not (math.isfinite(vx) and math.isfinite(vy)):
            return False
        return not ((self.xlog and vx <= 0) or (self.ylog and vy <= 0))

    def fx(self, v: float) -> float:
        """Logical x of data value ``v``."""
        u0, u1 = self._u
        return self.x + (self._tx(v) - u0) / (u1 - u0) * self.w

    def fy(self, v: float) -> float:
        """Logical y of data value ``v`` (y grows downwards on the canvas)."""
        v0, v1 = self._v
        return self.y + self.h - (self._ty(v) - v0) / (v1 - v0) * self.h

    def contains(self, vx: float, vy: float) -> bool:
        """Whether the data point ``(vx, vy)`` lies inside the window."""
        if not self._ok(vx, vy):
            return False
        return (self.xlim[0] <= vx <= self.xlim[1]) and (self.ylim[0] <= vy <= self.ylim[1])

    def box(self) -> tuple[float, float, float, float]:
        """The plot's logical box ``(x0, y0, x1, y1)``."""
        return self.x, self.y, self.x + self.w, self.y + self.h

    # -- furniture --------------------------------------------------------

    def frame(self, sc: Scene, xticks: Iterable[float] = (), yticks: Iterable[float] = (),
              xfmt: Callable[[float], str] = fmt_tick, yfmt: Callable[[float], str] = fmt_tick,
              size: float = 15, xlabel: str = "", ylabel: str = "", grid: bool = True,
              zero: bool = True, fill: str | None = "panel", marks: bool = True) -> None:
        """Background, grid lines at the ticks, tick labels outside the box, axis names.

        With ``zero`` the lines x = 0 and y = 0 are drawn darker where they
        fall inside a linear window. ``xlabel`` sits under the tick labels
        at the right end; ``ylabel`` above the box at its left edge.
        ``marks=False`` leaves out the short tick strokes (the grid lines
        already show where the ticks are), which keeps a scene smaller.
        """
        x0, y0, x1, y1 = self.box()
        if fill:
            sc.rect(x0, y0, self.w, self.h, fill=fill, stroke="faint")
        for v in xticks:
            px = self.fx(v)
            if grid:
                sc.line(px, y0, px, y1, stroke="grid", lw=1)
            if marks:
                sc.line(px, y1, px, y1 + 5, stroke="muted")
            sc.text(px, y1 + 7, xfmt(v), size=size, fill="muted", align="c", base="t")
        for v in yticks:
            py = self.fy(v)
            if grid:
                sc.line(x0, py, x1, py, stroke="grid", lw=1)
            if marks:
                sc.line(x0 - 5, py, x0, py, stroke="muted")
            sc.text(x0 - 8, py, yfmt(v), size=size, fill="muted", align="r", base="m")
        if zero:
            if not self.ylog and self.ylim[0] < 0 < self.ylim[1]:
                sc.line(x0, self.fy(0), x1, self.fy(0), stroke="muted", lw=1.2)
            if not self.xlog and self.xlim[0] < 0 < self.xlim[1]:
                sc.line(self.fx(0), y0, self.fx(0), y1, stroke="muted", lw=1.2)
        if xlabel:
            sc.text(x1, y1 + 9 + size * 1.3, xlabel, size=size, fill="muted", align="r", base="t")
        if ylabel:
            sc.text(x0, y0 - 8, ylabel, size=size, fill="muted", align="l", base="b")

    # -- data ---------------------------------------------------------------

    def samples(self, fn: Callable[[float], float | None], n: int = 160,
                lo: float | None = None, hi: float | None = None) -> list[tuple[float, float | None]]:
        """``n`` points ``(x, fn(x))`` evenly spaced in the x scale; ``None`` where undefined."""
        if n < 2:
            raise ValueError(f"samples: n must be at least 2, got {n!r}")
        lo = self.xlim[0] if lo is None else lo
        hi = self.xlim[1] if hi is None else hi
        out = []
        for i in range(n):
            s = i / (n - 1)
            vx = 10 ** (math.log10(lo) + s * (math.log10(hi) - math.log10(lo))) if self.xlog \
                else lo + s * (hi - lo)
            try:
                vy = fn(vx)
            except (ValueError, OverflowError, ZeroDivisionError):
                vy = None
            out.append((vx, vy))
        return out

    def pieces(self, pts: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
        """Logical polylines of the data points ``pts``, broken at gaps and clipped to the window."""
        u0, u1 = self._u
        v0, v1 = self._v
        runs: list[list[tuple[float, float]]] = []
        cur: list[tuple[float, float]] = []
        prev = None
        for vx, vy in pts:
            if not self._ok(vx, vy):
                prev = None
                if cur:
                    runs.append(cur)
                    cur = []
                continue
            p = (self._tx(vx), self._ty(vy))
            if prev is not None:
                ts = clip_params(prev[0], prev[1], p[0], p[1], u0, u1, v0, v1)
                if ts is None:
                    if cur:
                        runs.append(cur)
                        cur = []
                else:
                    t0, t1 = ts
                    dx, dy = p[0] - prev[0], p[1] - prev[1]
                    # a segment entering the window starts a new run
                    if t0 > 0 and cur:
                        runs.append(cur)
                        cur = []
                    if not cur:
                        cur.append((self._lx(prev[0] + t0 * dx), self._ly(prev[1] + t0 * dy)))
                    if t1 < 1:
                        cur.append((self._lx(prev[0] + t1 * dx), self._ly(prev[1] + t1 * dy)))
                        runs.append(cur)
                        cur = []
                    else:
                        cur.append((self._lx(p[0]), self._ly(p[1])))
            prev = p
        if cur:
            runs.append(cur)
        return [r for r in runs if len(r) >= 2]

    def _lx(self, u: float) -> float:
        u0, u1 = self._u
        return self.x + (u - u0) / (u1 - u0) * self.w

    def _ly(self, v: float) -> float:
        v0, v1 = self._v
        return self.y + self.h - (v - v0) / (v1 - v0) * self.h

    def polyline(self, sc: Scene, pts: Sequence[tuple[float, float | None]], stroke: str = "accent",
                 lw: float = 2.5, dash=None, alpha: float = 1.0) -> list[dict]:
        """Draw data points joined by straight segments, clipped; returns the path items."""
        return [sc.path(run, stroke=stroke, lw=lw, dash=dash, alpha=alpha) for run in self.pieces(pts)]

    def curve(self, sc: Scene, fn: Callable[[float], float | None], n: int = 160,
              lo: float | None = None, hi: float | None = None, stroke: str = "accent",
              lw: float = 2.5, dash=None, alpha: float = 1.0) -> list[dict]:
        """Draw ``y = fn(x)`` over the window (or ``[lo, hi]``); returns the path items."""
        return self.polyline(sc, self.samples(fn, n, lo, hi), stroke=stroke, lw=lw, dash=dash, alpha=alpha)

    def hline(self, sc: Scene, vy: float, stroke: str = "muted", lw: float = 1.2, dash=(6, 5),
              alpha: float = 1.0) -> dict | None:
        """A horizontal line across the box at data ``vy`` (an asymptote, a level), if visible."""
        if not self._ok(self.xlim[0], vy) or not (self.ylim[0] <= vy <= self.ylim[1]):
            return None
        py = self.fy(vy)
        return sc.line(self.x, py, self.x + self.w, py, stroke=stroke, lw=lw, dash=dash, alpha=alpha)

    def vline(self, sc: Scene, vx: float, stroke: str = "muted", lw: float = 1.2, dash=(6, 5),
              alpha: float = 1.0) -> dict | None:
        """A vertical line across the box at data ``vx``, if visible."""
        if not self._ok(vx, self.ylim[0]) or not (self.xlim[0] <= vx <= self.xlim[1]):
            return None
        px = self.fx(vx)
        return sc.line(px, self.y, px, self.y + self.h, stroke=stroke, lw=lw, dash=dash, alpha=alpha)
