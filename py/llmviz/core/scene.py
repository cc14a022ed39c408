"""Scenes: plain-data drawing primitives in a logical coordinate space.

A :class:`Scene` is what a mode's ``frame(t)`` hands to the browser. Its
vocabulary is small (rect, line, path, circle, text, arrow, grid) and every
colour is a palette token. The painter scales the logical ``w``×``h`` space
to the canvas. Text carries an estimated box (:func:`text_box`) that the
painter enforces with ``maxWidth``, so CPython tests can check that labels
sit inside the canvas and do not overlap.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from .palette import TOKENS

# Average glyph advance as a share of the font size. Conservative for the
# painter's sans-serif; the painter squeezes any longer string to this width.
CHAR_W = {"sans": 0.56, "mono": 0.62}
LINE_H = 1.25


def text_box(x: float, y: float, s: str, size: float, align: str = "l",
             base: str = "m", font: str = "sans") -> tuple[float, float, float, float]:
    """Box ``(x0, y0, x1, y1)`` in logical units that a text primitive occupies."""
    w = len(s) * size * CHAR_W[font]
    h = size * LINE_H
    x0 = {"l": x, "c": x - w / 2, "r": x - w}[align]
    y0 = {"t": y, "m": y - h / 2, "b": y - h}[base]
    return (x0, y0, x0 + w, y0 + h)


def _check_token(t: str | None) -> None:
    if t is not None and t not in TOKENS:
        raise ValueError(f"unknown palette token {t!r}")


class Scene:
    """A frame's drawing: ``items`` are dicts with a kind ``k`` and fields.

    Methods append one primitive each and return the dict, so a caller can
    tweak it. ``to_dict()`` is what crosses to the browser.
    """

    __slots__ = ("w", "h", "items")

    def __init__(self, w: float = 960, h: float = 600):
        self.w = w
        self.h = h
        self.items: list[dict] = []

    def rect(self, x, y, w, h, fill=None, stroke=None, lw=1.0, r=0.0, alpha=1.0, label=None):
        """Rectangle at top-left ``(x, y)``; ``label`` is a hover/accessibility name."""
        _check_token(fill); _check_token(stroke)
        d = {"k": "rect", "x": x, "y": y, "w": w, "h": h}
        if fill: d["fill"] = fill
        if stroke: d["stroke"] = stroke; d["lw"] = lw
        if r: d["r"] = r
        if alpha != 1.0: d["a"] = alpha
        if label: d["label"] = label
        self.items.append(d)
        return d

    def line(self, x1, y1, x2, y2, stroke="ink", lw=1.0, dash=None, alpha=1.0):
        """Straight segment; ``dash`` is a list of on/off lengths."""
        _check_token(stroke)
        d = {"k": "line", "x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": stroke, "lw": lw}
        if dash: d["dash"] = list(dash)
        if alpha != 1.0: d["a"] = alpha
        self.items.append(d)
        return d

    def path(self, pts: Sequence[tuple[float, float]], stroke="ink", lw=1.5, fill=None,
             closed=False, alpha=1.0, dash=None):
        """Polyline through ``pts``; closed and filled when ``fill`` is given."""
        _check_token(stroke); _check_token(fill)
        flat: list[float] = []
        for x, y in pts:
            flat.append(round(x, 2)); flat.append(round(y, 2))
        d = {"k": "path", "pts": flat, "lw": lw}
        if stroke: d["stroke"] = stroke
        if fill: d["fill"] = fill
        if closed or fill: d["closed"] = True
        if alpha != 1.0: d["a"] = alpha
        if dash: d["dash"] = list(dash)
        self.items.append(d)
        return d

    def circle(self, x, y, r, fill=None, stroke=None, lw=1.0, alpha=1.0):
        """Circle of radius ``r`` centred at ``(x, y)``."""
        _check_token(fill); _check_token(stroke)
        d = {"k": "circle", "x": x, "y": y, "r": r}
        if fill: d["fill"] = fill
        if stroke: d["stroke"] = stroke; d["lw"] = lw
        if alpha != 1.0: d["a"] = alpha
        self.items.append(d)
        return d

    def arrow(self, x1, y1, x2, y2, stroke="ink", lw=1.5, head=8.0, alpha=1.0, dash=None):
        """Arrow from ``(x1, y1)`` to ``(x2, y2)`` with a head of ``head`` units."""
        _check_token(stroke)
        d = {"k": "arrow", "x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": stroke,
             "lw": lw, "head": head}
        if alpha != 1.0: d["a"] = alpha
        if dash: d["dash"] = list(dash)
        self.items.append(d)
        return d

    def text(self, x, y, s, size=13.0, fill="ink", align="l", base="m", bold=False,
             font="sans", collide=True):
        """Text anchored at ``(x, y)``: ``align`` l/c/r, ``base`` t/m/b.

        ``collide=False`` marks text that may sit on top of a shape's own
        label area on purpose (cell values inside a heatmap cell); it still
        must lie inside the canvas.
        """
        _check_token(fill)
        s = str(s)
        d = {"k": "text", "x": x, "y": y, "s": s, "size": size, "fill": fill,
             "align": align, "base": base}
        if bold: d["bold"] = True
        if font != "sans": d["font"] = font
        if not collide: d["nc"] = True
        d["mw"] = round(len(s) * size * CHAR_W[font], 2)
        self.items.append(d)
        return d

    def grid(self, x, y, w, h, rows: int, cols: int, values: Iterable[float | None],
             cmap="seq", vmin=0.0, vmax=1.0, stroke="bg", label=None):
        """Heatmap of ``rows``×``cols`` cells, row-major ``values``; ``None`` is masked.

        ``cmap`` "seq" runs heat-lo→heat-hi, "div" runs div-lo→bg→div-hi.
        """
        vals = [None if v is None else round(float(v), 4) for v in values]
        if len(vals) != rows * cols:
            raise ValueError(f"grid: {len(vals)} values for {rows}x{cols} cells")
        d = {"k": "grid", "x": x, "y": y, "w": w, "h": h, "rows": rows, "cols": cols,
             "v": vals, "cmap": cmap, "vmin": vmin, "vmax": vmax, "stroke": stroke}
        if label: d["label"] = label
        self.items.append(d)
        return d

    def axes(self, x, y, w, h, xlim, ylim, xlabel="", ylabel="", xticks=(), yticks=(),
             tick_fmt=str, size=11.0):
        """Draw axes with ticks in the box and return a ``(fx, fy)`` data→logical map.

        ``xticks``/``yticks`` are data values; ``tick_fmt`` formats them.
        """
        x0, x1 = xlim; y0, y1 = ylim

        def fx(v: float) -> float:
            return x + (v - x0) / (x1 - x0) * w

        def fy(v: float) -> float:
            return y + h - (v - y0) / (y1 - y0) * h

        self.line(x, y + h, x + w, y + h, stroke="muted")
        self.line(x, y, x, y + h, stroke="muted")
        for v in xticks:
            self.line(fx(v), y + h, fx(v), y + h + 4, stroke="muted")
            self.text(fx(v), y + h + 6, tick_fmt(v), size=size, fill="muted", align="c", base="t")
        for v in yticks:
            self.line(x - 4, fy(v), x, fy(v), stroke="muted")
            self.text(x - 6, fy(v), tick_fmt(v), size=size, fill="muted", align="r", base="m")
        if xlabel:
            self.text(x + w / 2, y + h + 8 + size * 1.4, xlabel, size=size, fill="muted", align="c", base="t")
        if ylabel:
            self.text(x, y - 8, ylabel, size=size, fill="muted", align="l", base="b")
        return fx, fy

    def texts(self) -> list[dict]:
        """The text primitives, for tests."""
        return [d for d in self.items if d["k"] == "text"]

    def to_dict(self) -> dict:
        """Plain data for the browser: ``{"w", "h", "items"}``."""
        return {"w": self.w, "h": self.h, "items": self.items}
