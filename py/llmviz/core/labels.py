"""Labels beside points: the first free spot near an anchor, clear of labels already placed.

One implementation serves every mode that names points of a plot or a map (the functions
chapter's curves, the embeddings chapter's tokens): try spots around the anchor in order,
keep the first that stays inside the bounds and overlaps no box in ``placed``.
"""
from __future__ import annotations

from .scene import LINE_H, Scene, text_box

#: right-above, right-below, left-above, left-below, above, below, right, left (logical units)
DEFAULT_OFFSETS = ((10, -14, "l"), (10, 14, "l"), (-10, -14, "r"), (-10, 14, "r"),
                   (0, -22, "c"), (0, 22, "c"), (14, 0, "l"), (-14, 0, "r"))


def boxes_overlap(a, b) -> bool:
    """Whether two boxes ``(x0, y0, x1, y1)`` share any area (touching edges do not count)."""
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def around(gap: float, size: float) -> tuple[tuple[float, float, str], ...]:
    """Offsets for a label ``gap`` logical units from its point, text of ``size``: right, left,
    above, below (the side closest to the point, not the text's middle, is ``gap`` away)."""
    half = size * LINE_H / 2
    return ((gap, 0, "l"), (-gap, 0, "r"), (0, -gap - half, "c"), (0, gap + half, "c"))


def place_label(sc: Scene, placed: list, bounds, ax: float, ay: float, s: str, *, size: float,
                fill: str = "ink", bold: bool = False, offsets=None, halo: bool = False,
                plate: str = "bg", margin: float = 0.0) -> bool:
    """Put a label near ``(ax, ay)`` where it fits inside ``bounds`` and clear of ``placed``.

    Tries the ``offsets`` ``(dx, dy, align)`` in order (:data:`DEFAULT_OFFSETS` if none), text
    vertically centred on ``ay + dy``; returns False, drawing nothing, when no spot fits, so the
    caller's panel or list must carry the name too. ``halo`` lays a plate of palette colour
    ``plate`` (the background under the plot) beneath the text, so lines crossing the spot pass
    under the label. ``margin`` (logical units) keeps the label that far from every box already
    placed, so two labels never run together into one word. ``bounds`` and the boxes in
    ``placed`` are ``(x0, y0, x1, y1)``; the label's box is appended to ``placed``.
    """
    x0, y0, x1, y1 = bounds
    for dx, dy, align in offsets or DEFAULT_OFFSETS:
        box = text_box(ax + dx, ay + dy, s, size, align, "m")
        if box[0] < x0 + 2 or box[2] > x1 - 2 or box[1] < y0 + 2 or box[3] > y1 - 2:
            continue
        grown = (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
        if any(boxes_overlap(grown, p) for p in placed):
            continue
        placed.append(box)
        if halo:
            sc.rect(box[0] - 3, box[1] + 1, box[2] - box[0] + 6, box[3] - box[1] - 2, fill=plate, alpha=0.85, r=3)
        sc.text(ax + dx, ay + dy, s, size=size, fill=fill, align=align, base="m", bold=bold)
        return True
    return False
