"""Matrices as transforms, and GEMM: the workshop of chapter p00-c04.

Three views, one idea each:

* transform (and its presets rotation, shear, scale, singular): a 2×2
  matrix A = [[a, b], [c, d]] bends the plane. The grid morphs from the
  identity to A; the unit square becomes the parallelogram spanned by A's
  columns, with area |det A|.
* gemm (and matvec, its N = 1 case): C = A·B for small integer matrices,
  computed one multiply-add at a time. Row i of A and column j of B light
  up, the current product flies into C[i, j], and a ledger keeps the
  running sum, while a counter climbs towards 2·M·N·K FLOPs.
* layer: one weight matrix of a Llama 3 8B layer drawn to scale, applied
  to T tokens at once. Reading W row by row fills the matching row of the
  output for every token: the FLOPs grow with T, the weight bytes do not.
  A bar splits one token's FLOPs through the whole layer by matrix.

Each view shows only the sliders that change its own picture (a
``Submode``'s ``controls``); a hidden slider set from a link keeps its value.
"""
from __future__ import annotations

import math

from ...calc.gemm import (PROJECTIONS, gemm_bytes, gemm_flops, gemm_intensity, gemm_macs,
                          layer_projections, matmul_flops_per_token)
from ...catalog import get_model
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.rng import lcg_ints
from ...core.scene import Scene, text_box
from ...units import fmt_bytes, fmt_flops, fmt_percent
from ...core.geometry import clip_segment as _clip_box
from ...units import fmt_factor as _pnum, fmt_int as _int, fmt_int_factor as _paren, fmt_plain as _num

MODEL = "llama-3-8b"
BF16_BYTES = 2

MORPH_S = 2.5          # seconds for the grid to travel from the identity to A
HOLD_S = 4.0           # seconds the finished product C stays up before the GEMM restarts
SWEEP_S = 3.0          # seconds to read W once in the layer view
LAYER_PERIOD_S = 7.0   # sweep, then hold the finished output
VALUE_RANGE = 3        # GEMM entries are non-zero integers in [-3, 3], easy to multiply by hand
MAX_DIM = 8            # largest M, N, K a reader can pick

TRANSFORM_VIEWS = ("transform", "rotation", "shear", "scale", "singular")
GEMM_VIEWS = ("gemm", "matvec")
LAYER_VIEWS = ("layer",)
# the sliders the plane views show
_PLANE = ("a", "b", "c", "d")
_FAMILY = {"transform": TRANSFORM_VIEWS, "gemm": GEMM_VIEWS, "layer": LAYER_VIEWS}

# slider labels name each matrix by its shape, the only property this chapter needs
_PROJ_LABELS = {name: f"{name}: {d_in:,} \u2192 {d_out:,}"
                for name, (d_in, d_out) in layer_projections(MODEL).items()}

# plane view geometry: a square plot of the world square [-R, R]²
PLOT_X, PLOT_Y, PLOT_S = 20.0, 76.0, 450.0
WORLD_R = 4.5
GRID_LINES = 4         # the grid from -4 to 4 moves: what the plot shows before the map
PANEL_X = 496.0
# type sizes: the page shows the 960-wide canvas at about 0.6×, so nothing smaller than SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15
LEDGER = 18


# -- small pure helpers ---------------------------------------------------------


def _ratio(x: float) -> str:
    """A ratio to three significant figures, with thousands separators above 100."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}" if x >= 10 else f"{x:.2f}"


def det2(a: float, b: float, c: float, d: float) -> float:
    """Determinant of [[a, b], [c, d]]: the factor by which the map scales areas (signed)."""
    return a * d - b * c


def classify2(a: float, b: float, c: float, d: float, tol: float = 2e-3) -> str:
    """A short name for what [[a, b], [c, d]] does to the plane."""
    det = det2(a, b, c, d)
    if max(abs(a), abs(b), abs(c), abs(d)) < tol:
        return "zero matrix: every point goes to 0"
    if abs(det) < tol:
        return "singular (det 0): plane collapses to a line"
    if abs(b) < tol and abs(c) < tol:
        if abs(a - 1) < tol and abs(d - 1) < tol:
            return "identity: nothing moves"
        if a > 0 and d > 0:
            return f"scale: x by {_num(a)}, y by {_num(d)}"
    if abs(a - d) < tol and abs(b + c) < tol and abs(a * a + c * c - 1) < 2 * tol:
        return f"rotation by {_num(math.degrees(math.atan2(c, a)))}\u00b0"
    if abs(a - 1) < tol and abs(d - 1) < tol and (abs(b) < tol or abs(c) < tol):
        return "shear: one axis slides along the other"
    if det < 0:
        return "flips the plane over (det < 0)"
    return "general linear map"


def _nonzero(v: int) -> int:
    # [-3, 2] -> {-3, -2, -1, 1, 2, 3}: a zero factor would make its step invisible
    return v + 1 if v >= 0 else v


def gemm_operands(seed: int, size: int = MAX_DIM) -> tuple[list[list[int]], list[list[int]]]:
    """Two ``size``×``size`` integer matrices; a product uses their top-left corners.

    Cutting both from fixed 8×8 tables keeps every entry in place when the
    reader changes M, N or K.
    """
    va = [_nonzero(v) for v in lcg_ints(2 * seed + 1, size * size, -VALUE_RANGE, VALUE_RANGE - 1)]
    vb = [_nonzero(v) for v in lcg_ints(2 * seed + 2, size * size, -VALUE_RANGE, VALUE_RANGE - 1)]
    a = [va[r * size:(r + 1) * size] for r in range(size)]
    b = [vb[r * size:(r + 1) * size] for r in range(size)]
    return a, b


def matmul(a: list[list[int]], b: list[list[int]], m: int, n: int, k: int) -> list[list[int]]:
    """C = A·B for the top-left (m×k) of ``a`` and (k×n) of ``b``: m·n dot products of length k."""
    return [[sum(a[i][p] * b[p][j] for p in range(k)) for j in range(n)] for i in range(m)]


def gemm_position(t: float, pace: float, macs: int) -> tuple[int, int, float, bool]:
    """Where the animation is at time ``t``: (cycle, multiply-adds done, phase of the next, finished).

    Multiply-add ``q`` runs during ``[q, q+1)/pace`` seconds of a cycle; a
    cycle is the whole product plus :data:`HOLD_S` seconds showing C.
    """
    run = macs / pace
    cycle = run + HOLD_S
    n = int(t // cycle)
    tc = t - n * cycle
    if tc >= run:
        return n, macs, 0.0, True
    x = tc * pace
    q = min(int(x), macs - 1)
    return n, q, x - q, False


def _ease(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)


def _overlaps(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def clip_segment(x1, y1, x2, y2, lo, hi):
    """The part of a segment inside the square [lo, hi]², or None (core.geometry's clip)."""
    return _clip_box(x1, y1, x2, y2, lo, hi, lo, hi)


# -- the mode -------------------------------------------------------------------


class MatricesMode(Mode):
    """A 2×2 matrix bending the plane; a GEMM built one multiply-add at a time; a real layer's cost."""

    id = "p00-c04-matrices"
    chapter = "p00-c04-matrices"
    title = "Matrices as transforms, and GEMM"
    step_dt = 0.5
    size = (960, 600)

    params = (
        Number("a", "a (row 1, column 1)", lo=-2, hi=2, step=0.05, default=1.5,
               help="Top-left entry of the 2×2 matrix: where e₁ lands, x part."),
        Number("b", "b (row 1, column 2)", lo=-2, hi=2, step=0.05, default=0.5,
               help="Top-right entry: where e₂ lands, x part."),
        Number("c", "c (row 2, column 1)", lo=-2, hi=2, step=0.05, default=0.5,
               help="Bottom-left entry: where e₁ lands, y part."),
        Number("d", "d (row 2, column 2)", lo=-2, hi=2, step=0.05, default=1.0,
               help="Bottom-right entry: where e₂ lands, y part."),
        Number("m", "M (rows of A and C)", lo=1, hi=MAX_DIM, step=1, default=3, integer=True,
               help="A is M×K, C is M×N."),
        Number("n", "N (columns of B and C)", lo=1, hi=MAX_DIM, step=1, default=3, integer=True,
               help="B is K×N, C is M×N. N = 1 makes it a matrix-vector product."),
        Number("k", "K (inner dimension)", lo=1, hi=MAX_DIM, step=1, default=4, integer=True,
               help="Length of every dot product: columns of A, rows of B."),
        Number("pace", "Pace", lo=0.5, hi=32, step=0.5, default=2, unit="multiply-adds/s", log=True,
               help="How many multiply-adds the animation performs per second."),
        Choice("proj", "Llama 3 8B weight matrix", default="q",
               options=tuple((p, _PROJ_LABELS[p]) for p in PROJECTIONS),
               help="One of the seven weight matrices in each of the model's 32 layers."),
        Number("tokens", "Tokens T", lo=1, hi=4096, step=1, default=1, unit="tokens", integer=True,
               log=True, help="How many tokens pass through the matrix together (the N of the GEMM)."),
    )

    submodes = {
        "transform": Submode("Transform", {"a": 1.5, "b": 0.5, "c": 0.5, "d": 1.0},
                             "A 2×2 matrix moves every point of the plane; its columns are where e₁ and e₂ land.", _PLANE),
        "rotation": Submode("Rotation", {"a": 0.866, "b": -0.5, "c": 0.5, "d": 0.866},
                            "cos 30° and sin 30°: a rotation by 30°, area unchanged (det 1).", _PLANE),
        "shear": Submode("Shear", {"a": 1.0, "b": 1.0, "c": 0.0, "d": 1.0},
                         "e₁ stays, e₂ slides right: squares become parallelograms of the same area.", _PLANE),
        "scale": Submode("Scale", {"a": 2.0, "b": 0.0, "c": 0.0, "d": 0.5},
                         "x doubles, y halves: the area stays the same (det 1).", _PLANE),
        "singular": Submode("Singular", {"a": 1.0, "b": 2.0, "c": 0.5, "d": 1.0},
                            "The second column is twice the first: det 0, the plane collapses onto a line.", _PLANE),
        "gemm": Submode("GEMM", {"m": 3, "n": 3, "k": 4},
                        "C = A·B one multiply-add at a time; the FLOP counter climbs to 2·M·N·K.",
                        ("m", "n", "k", "pace")),
        "matvec": Submode("Matrix-vector", {"m": 4, "n": 1, "k": 3},
                          "N = 1: y = W·x, a layer of neurons, is the thinnest GEMM.",
                          ("m", "k", "pace")),
        "layer": Submode("Llama layer", {"proj": "q", "tokens": 1},
                         "One real weight matrix to scale; more tokens, more FLOPs, the same weight bytes.",
                         ("proj", "tokens")),
    }
    default_submode = "transform"

    # -- which view ------------------------------------------------------------

    def view(self) -> str:
        """The picture the current sub-mode shows: "transform", "gemm" or "layer"."""
        for name, members in _FAMILY.items():
            if self.submode in members:
                return name
        return "transform"

    # -- frames ------------------------------------------------------------------

    def draw(self, t: float):
        v = self.view()
        if v == "gemm":
            return self._draw_gemm(t)
        if v == "layer":
            return self._draw_layer(t)
        return self._draw_transform(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        if v == "gemm":
            return self._gemm_events(t0, t1)
        if v == "layer":
            return self._layer_events(t0, t1)
        return self._transform_events(t0, t1)

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SUB, fill="muted")

    # -- transform view ----------------------------------------------------------------

    def _matrix(self) -> tuple[float, float, float, float]:
        return self["a"], self["b"], self["c"], self["d"]

    def _draw_transform(self, t: float):
        s = _ease(t / MORPH_S)
        if s >= 1:
            return self.memo("transform", "settled", lambda: self._transform_frame(1.0))
        return self._transform_frame(s)

    def _transform_frame(self, s: float):
        a, b, c, d = self._matrix()
        # the matrix at this moment: a straight-line walk from I to A
        ma, mb, mc, md = 1 + s * (a - 1), s * b, s * c, 1 + s * (d - 1)
        sc = self.new_scene()
        self._header(sc, "A 2×2 matrix moves every point of the plane",
                     "Each output coordinate is a dot product of a row of A with the point.")
        sc.items.extend(self.cached("plane", self._plane_static))
        unit = PLOT_S / (2 * WORLD_R)
        ox, oy = PLOT_X + PLOT_S / 2, PLOT_Y + PLOT_S / 2

        def px(x, y):
            return ox + x * unit, oy - y * unit

        # the moving grid: images of the lines x = i and y = i
        L = GRID_LINES
        for i in range(-L, L + 1):
            for (x1, y1, x2, y2) in ((i, -L, i, L), (-L, i, L, i)):
                seg = clip_segment(ma * x1 + mb * y1, mc * x1 + md * y1,
                                   ma * x2 + mb * y2, mc * x2 + md * y2, -WORLD_R, WORLD_R)
                if seg:
                    p1, p2 = px(seg[0], seg[1]), px(seg[2], seg[3])
                    sc.line(p1[0], p1[1], p2[0], p2[1], stroke="ink",
                            lw=2.0 if i == 0 else 1.1, alpha=0.85 if i == 0 else 0.5)
        # where the unit square ends up (dashed) and where it is now (filled)
        if s < 1:
            # where the square and the axes are heading, so a paused frame shows the destination
            sc.path([px(0, 0), px(a, c), px(a + b, c + d), px(b, d)], stroke="accent3", lw=1.2,
                    closed=True, dash=(5, 4), alpha=0.8)
            o = px(0, 0)
            for vx, vy, col in ((a, c, "q"), (b, d, "k")):
                if math.hypot(vx, vy) * PLOT_S / (2 * WORLD_R) > 4:
                    tip = px(vx, vy)
                    sc.arrow(o[0], o[1], tip[0], tip[1], stroke=col, lw=1.5, head=8, dash=(4, 4), alpha=0.6)
        sc.path([px(0, 0), px(ma, mc), px(ma + mb, mc + md), px(mb, md)], fill="accent3",
                stroke="accent3", lw=1.5, alpha=0.25)
        placed: list[tuple] = []
        o = px(0, 0)
        for (vx, vy, col, tag) in ((ma, mc, "q", "Ae\u2081"), (mb, md, "k", "Ae\u2082")):
            if math.hypot(vx, vy) * unit > 4:
                tip = px(vx, vy)
                sc.arrow(o[0], o[1], tip[0], tip[1], stroke=col, lw=3, head=10)
                self._tag(sc, placed, tip, (vx, vy), tag, col)
        corner = px(ma + mb, mc + md)
        sc.circle(corner[0], corner[1], 4.5, fill="ink")
        self._tag(sc, placed, corner, (ma + mb, mc + md), "Ax", "ink")

        sc.items.extend(self.cached("tpanel", lambda: self._transform_panel(a, b, c, d)))
        sc.text(PANEL_X, 514, f"showing (1 \u2212 s)\u00b7I + s\u00b7A, s = {s:.2f}", size=SMALL,
                fill="muted")
        det = det2(a, b, c, d)
        tel = [
            metric("det", "det A (area factor)", det, _num(det), "",
                   "ad − bc: the unit square's area after the map, signed"),
            metric("e1", "A·e₁ (column 1)", a, f"({_num(a)}, {_num(c)})", ""),
            metric("e2", "A·e₂ (column 2)", b, f"({_num(b)}, {_num(d)})", ""),
            metric("morph", "morph from I to A", s, f"{round(100 * s)} %", "%"),
            metric("flops", "FLOPs per point (2×2 · 2×1)", gemm_flops(2, 1, 2),
                   f"{gemm_flops(2, 1, 2)} FLOP", "FLOP"),
        ]
        return sc, tel

    def _plane_static(self) -> list[dict]:
        """The fixed backdrop of the plane view: the untouched grid and the frame."""
        sc = Scene(*self.size)
        unit = PLOT_S / (2 * WORLD_R)
        ox, oy = PLOT_X + PLOT_S / 2, PLOT_Y + PLOT_S / 2
        sc.rect(PLOT_X, PLOT_Y, PLOT_S, PLOT_S, fill="panel", stroke="faint")
        for i in range(-4, 5):
            sc.line(ox + i * unit, PLOT_Y, ox + i * unit, PLOT_Y + PLOT_S, stroke="grid", lw=1)
            sc.line(PLOT_X, oy + i * unit, PLOT_X + PLOT_S, oy + i * unit, stroke="grid", lw=1)
        sc.text(PLOT_X, PLOT_Y + PLOT_S + 20, "pale: the plane before \u00b7 dark: after A \u00b7 1 square = 1 unit",
                size=SMALL, fill="muted")
        return sc.items

    def _tag(self, sc: Scene, placed: list, at, direction, s: str, fill: str) -> None:
        """A short label just beyond a point, nudged so it stays in the plot and clear of others."""
        dx, dy = direction
        nrm = math.hypot(dx, dy) or 1.0
        ux, uy = dx / nrm, -dy / nrm
        size = BODY
        for extra in (0, 16, 32, -16, 48, -32, 64):
            x = at[0] + ux * 20 + (extra if abs(uy) > abs(ux) else 0)
            y = at[1] + uy * 20 + (extra if abs(uy) <= abs(ux) else 0)
            box = text_box(x, y, s, size, "c", "m")
            inside = (box[0] >= PLOT_X + 2 and box[2] <= PLOT_X + PLOT_S - 2
                      and box[1] >= PLOT_Y + 2 and box[3] <= PLOT_Y + PLOT_S - 2)
            if inside and not any(_overlaps(box, p) for p in placed):
                placed.append(box)
                sc.text(x, y, s, size=size, fill=fill, align="c", base="m", bold=True)
                return

    def _transform_panel(self, a, b, c, d) -> list[dict]:
        """The matrix and its arithmetic beside the plane (depends on a, b, c, d only)."""
        sc = Scene(*self.size)
        x = PANEL_X
        sc.text(x, 118, "A =", size=22, bold=True)
        # the matrix, drawn with brackets; column 1 blue, column 2 orange
        bx, by, bw, bh = x + 52, 84, 176, 70
        for side in (bx, bx + bw):
            inward = 7 if side == bx else -7
            sc.path([(side + inward, by), (side, by), (side, by + bh), (side + inward, by + bh)],
                    stroke="ink", lw=1.8)
        for col, (top, bot, fill) in enumerate(((a, c, "q"), (b, d, "k"))):
            cx = bx + 46 + col * 84
            sc.text(cx, by + 18, _num(top), size=20, fill=fill, align="c", bold=True)
            sc.text(cx, by + 52, _num(bot), size=20, fill=fill, align="c", bold=True)
        sc.text(bx + bw + 16, 106, "columns: where", size=SMALL, fill="muted")
        sc.text(bx + bw + 16, 126, "e\u2081 and e\u2082 land", size=SMALL, fill="muted")
        det = det2(a, b, c, d)
        rows = [
            (f"A\u00b7e\u2081 = (a, c) = ({_num(a)}, {_num(c)})", "q", False),
            (f"A\u00b7e\u2082 = (b, d) = ({_num(b)}, {_num(d)})", "k", False),
            ("x = (1, 1): one dot product per row", "ink", False),
            (f"  row 1 \u00b7 x = {_pnum(a)}\u00b71 + {_pnum(b)}\u00b71 = {_num(a + b)}", "ink", False),
            (f"  row 2 \u00b7 x = {_pnum(c)}\u00b71 + {_pnum(d)}\u00b71 = {_num(c + d)}", "ink", False),
            (f"det A = ad \u2212 bc = {_num(a * d)} \u2212 {_pnum(b * c)} = {_num(det)}", "ink", True),
            (f"areas scale by |det A| = {_num(abs(det))}", "muted", False),
            (classify2(a, b, c, d), "accent3", True),
        ]
        y = 194
        for text, fill, bold in rows:
            sc.text(x, y, text, size=BODY, fill=fill, bold=bold)
            y += 40
        return sc.items

    def _transform_events(self, t0: float, t1: float) -> list[dict]:
        if not (t0 < MORPH_S <= t1):
            return []
        a, b, c, d = self._matrix()
        det = det2(a, b, c, d)
        what = classify2(a, b, c, d)
        return [{"level": "info",
                 "text": f"A reached: e\u2081 \u2192 ({_num(a)}, {_num(c)}), e\u2082 \u2192 ({_num(b)}, {_num(d)}); "
                         f"areas scale by |det A| = {_num(abs(det))} ({what})."}]

    # -- GEMM view ------------------------------------------------------------------------

    def _shape(self) -> tuple[int, int, int]:
        return self["m"], self["n"], self["k"]

    def _gemm_layout(self):
        m, n, k = self._shape()
        # whole, even cell sizes put every cell centre on a whole unit: exact
        # layout, and integers serialise at half the cost of fractions each frame
        cs = 2 * (min(64, 446 // (k + m), 520 // (k + n)) // 2)
        ax = 30
        cx = ax + k * cs + 30
        by = 84
        cy = by + k * cs + 30
        return cs, ax, cx, by, cy

    def _gemm_static(self) -> dict:
        """Everything in the GEMM view that depends only on the parameters.

        ``under`` (cell backgrounds) is painted before the moving highlights,
        ``over`` (the numbers and names) after them, so a highlight never hides a number.
        """
        m, n, k = self._shape()
        A, B = self.cached("operands", lambda: gemm_operands(self.seed))
        C = matmul(A, B, m, n, k)
        cs, ax, cx, by, cy = self._gemm_layout()
        under, over = Scene(*self.size), Scene(*self.size)
        fs = min(22, round(cs * 0.45))
        under.grid(ax, cy, k * cs, m * cs, m, k, [0.5] * (m * k), vmin=0, vmax=4, label="A")
        under.grid(cx, by, n * cs, k * cs, k, n, [0.5] * (k * n), vmin=0, vmax=4, label="B")
        for i in range(m):
            for p in range(k):
                over.text(ax + p * cs + cs // 2, cy + i * cs + cs // 2, _int(A[i][p]), size=fs,
                          align="c", font="mono", collide=False)
        for p in range(k):
            for j in range(n):
                over.text(cx + j * cs + cs // 2, by + p * cs + cs // 2, _int(B[p][j]), size=fs,
                          align="c", font="mono", collide=False)
        # names and shapes, in the free corner above A and beside B
        mv = n == 1
        over.text(ax, cy - 8, f"{'W' if mv else 'A'}  ({m}\u00d7{k})", size=BODY, bold=True, base="b")
        over.text(cx - 10, by + 4, f"{'x' if mv else 'B'}  ({k}\u00d7{n})", size=BODY, bold=True,
                  align="r", base="t")
        out_name = "y = W\u00b7x" if mv else "C = A\u00b7B"
        over.text(cx, cy + m * cs + 8, f"{out_name}  ({m}\u00d7{n})", size=BODY, bold=True, base="t")
        # every finished value of C, in the order the cursor completes them
        done = Scene(*self.size)
        for r in range(m):
            for cc in range(n):
                done.text(cx + cc * cs + cs // 2, cy + r * cs + cs // 2, _int(C[r][cc]), size=fs,
                          align="c", font="mono", collide=False)
        return {"under": under.items, "over": over.items, "done": done.items,
                "C": C, "A": A, "B": B, "fs": fs}

    def _draw_gemm(self, t: float):
        m, n, k = self._shape()
        macs = gemm_macs(m, n, k)
        _cycle, q, phase, finished = gemm_position(t, self["pace"], macs)
        items, tel = self.memo("gemm", (q, finished), lambda: self._gemm_state(q, finished))
        sc = self.new_scene()
        sc.items = list(items)
        # the product travelling from A[i,p] and B[p,j] into C[i,j]
        if not finished and phase < 0.7:
            cs, ax, cx, by, cy = self._gemm_layout()
            i, j = divmod(q // k, n)
            p = q % k
            u = _ease(phase / 0.7)
            tx, ty = cx + j * cs + cs // 2, cy + i * cs + cs // 2
            for sx, sy in ((ax + p * cs + cs // 2, cy + i * cs + cs // 2),
                           (cx + j * cs + cs // 2, by + p * cs + cs // 2)):
                sc.line(sx, sy, tx, ty, stroke="accent2", lw=1, dash=(3, 3), alpha=0.6)
                sc.circle(sx + (tx - sx) * u, sy + (ty - sy) * u, max(3.0, cs * 0.1), fill="accent2",
                          alpha=0.85)
        return sc, tel

    def _gemm_state(self, q: int, finished: bool):
        """Scene items and telemetry after ``q`` multiply-adds (all of them if ``finished``)."""
        m, n, k = self._shape()
        macs = gemm_macs(m, n, k)
        total = gemm_flops(m, n, k)
        st = self.cached("gemm", self._gemm_static)
        A, B, fs = st["A"], st["B"], st["fs"]
        cs, ax, cx, by, cy = self._gemm_layout()
        cell, p = divmod(q, k)
        i, j = divmod(cell, n)
        if finished:
            cell, p, i, j = m * n - 1, k - 1, m - 1, n - 1
        mv = n == 1

        sc = self.new_scene()
        if mv:
            self._header(sc, "y = W\u00b7x: a matrix-vector product is a GEMM with N = 1",
                         "Each output is one neuron's weighted sum: a dot product of a row of W with x.")
        else:
            self._header(sc, "C = A\u00b7B, one multiply-add at a time",
                         "C[i,j] is the dot product of row i of A with column j of B.")
        # output cells: finished ones tinted, the rest blank
        done_cells = m * n if finished else cell
        sc.grid(cx, cy, n * cs, m * cs, m, n,
                [1.0 if r * n + cc < done_cells else 0.0 for r in range(m) for cc in range(n)],
                vmin=0, vmax=4, label="C")
        sc.items.extend(st["under"])
        # the pairs already multiplied, the pair in flight, and the cell they add into
        used = p + (1 if finished else 0)
        if used:
            sc.rect(ax + 2, cy + i * cs + 2, used * cs - 4, cs - 4, fill="hl", alpha=0.45)
            sc.rect(cx + j * cs + 2, by + 2, cs - 4, used * cs - 4, fill="hl", alpha=0.45)
        if not finished:
            sc.rect(ax + p * cs + 2, cy + i * cs + 2, cs - 4, cs - 4, fill="hl", stroke="accent2", lw=2)
            sc.rect(cx + j * cs + 2, by + p * cs + 2, cs - 4, cs - 4, fill="hl", stroke="accent2", lw=2)
        sc.rect(cx + j * cs + 1, cy + i * cs + 1, cs - 2, cs - 2, fill="hl", stroke="accent2", lw=2.5)
        # the row and the column being combined
        sc.rect(ax, cy + i * cs, k * cs, cs, stroke="accent", lw=2.5)
        sc.rect(cx + j * cs, by, cs, k * cs, stroke="accent", lw=2.5)
        sc.items.extend(st["over"])
        # values in C: the finished cells before the current one, and its running sum
        sc.items.extend(st["done"][:cell])
        terms = k if finished else p
        partial = sum(A[i][pp] * B[pp][j] for pp in range(terms))
        sc.text(cx + j * cs + cs // 2, cy + i * cs + cs // 2, _int(partial), size=fs, align="c",
                font="mono", bold=True, collide=False)

        done = macs if finished else q
        self._ledger(sc, A, B, i, j, p, k, finished, done, macs, total, m, n)
        tel = [
            metric("cell", "current cell", cell, f"C[{i + 1},{j + 1}]", ""),
            metric("sum", "running sum", partial, _int(partial), ""),
            metric("macs", "multiply-adds done", done, f"{done} of {macs}", ""),
            metric("flops", "FLOPs done", 2 * done, f"{2 * done} of {total} FLOP", "FLOP"),
            metric("total", "2\u00b7M\u00b7N\u00b7K", total, f"2\u00b7{m}\u00b7{n}\u00b7{k} = {total} FLOP", "FLOP"),
        ]
        return sc.items, tel

    def _ledger(self, sc, A, B, i, j, p, k, finished, done, macs, total, m, n) -> None:
        x, right = 604.0, 930.0
        if n == 1:
            head = f"y[{i + 1}] = \u03a3 W[{i + 1},p]\u00b7x[p], p = 1\u2026{k}"
            cols = "p   W \u00d7 x"
        else:
            head = f"C[{i + 1},{j + 1}] = \u03a3 A[{i + 1},p]\u00b7B[p,{j + 1}], p = 1\u2026{k}"
            cols = "p   A \u00d7 B"
        name = "y" if n == 1 else "C"
        sc.text(x, 84, head, size=17, bold=True, base="t")
        sc.text(x, 114, cols, size=SMALL, fill="muted", font="mono", base="t")
        sc.text(right, 114, "running sum", size=SMALL, fill="muted", align="r", base="t")
        y = 138.0
        acc = 0
        for pp in range(k):
            av, bv = A[i][pp], B[pp][j]
            product = f"{pp + 1}   {_paren(av)} \u00d7 {_paren(bv)}"
            if pp < p or finished:
                acc += av * bv
                sc.text(x, y, f"{product} = {_int(av * bv)}", size=LEDGER, font="mono", base="t")
                sc.text(right, y, _int(acc), size=LEDGER, font="mono", align="r", base="t")
            elif pp == p:
                sc.text(x, y, f"{product} = {_int(av * bv)}", size=LEDGER, font="mono", bold=True,
                        fill="accent2", base="t")
                sc.text(right, y, _int(acc + av * bv), size=LEDGER, font="mono", align="r",
                        fill="accent2", bold=True, base="t")
            else:
                sc.text(x, y, product, size=LEDGER, font="mono", fill="muted", base="t")
            y += 28
        y = max(y, 138 + 4 * 28) + 12
        sc.line(x, y, right, y, stroke="faint")
        y += 14
        sc.text(x, y, f"multiply-adds: {done} of {m}\u00b7{n}\u00b7{k} = {macs}", size=BODY, base="t")
        y += 28
        sc.text(x, y, f"FLOPs: {2 * done} of 2\u00b7{m}\u00b7{n}\u00b7{k} = {total}", size=BODY, base="t",
                bold=True)
        y += 30
        # progress towards 2·M·N·K
        sc.rect(x, y, right - x, 14, fill="panel", stroke="faint")
        if done:
            sc.rect(x, y, (right - x) * done / macs, 14, fill="accent")
        y += 28
        sc.text(x, y, f"{m * n} cells \u00d7 {k} multiply-adds each", size=SMALL, fill="muted", base="t")
        y += 20
        sc.text(x, y, "1 multiply-add = 2 FLOPs", size=SMALL, fill="muted", base="t")
        if finished:
            sc.text(x, y + 28, f"{name} complete: {total} FLOPs", size=BODY, fill="good", bold=True,
                    base="t")

    def _gemm_events(self, t0: float, t1: float) -> list[dict]:
        m, n, k = self._shape()
        pace = self["pace"]
        macs = gemm_macs(m, n, k)
        total = gemm_flops(m, n, k)
        C = self.cached("gemm", self._gemm_static)["C"]
        name = "y" if n == 1 else "C"

        def absolute(t):
            if t < 0:
                return -1
            cyc, q, _, fin = gemm_position(t, pace, macs)
            return cyc * (macs + 1) + (macs if fin else q)

        lo, hi = absolute(t0), absolute(t1)
        out = []
        # every multiply-add count crossed in (t0, t1]; cell ends are multiples of k
        for x in range(lo + 1, hi + 1):
            cyc, q = divmod(x, macs + 1)
            if q == macs:
                out.append(f"{name}[{m},{n}] = {_int(C[m - 1][n - 1])} after {k} multiply-adds.")
                out.append(f"{name} complete: {m * n} cells \u00d7 {k} multiply-adds = {macs} "
                           f"multiply-adds = 2\u00b7{m}\u00b7{n}\u00b7{k} = {total} FLOPs.")
            elif q == 0:
                if cyc > 0:
                    out.append(f"Starting the product again from {name}[1,1].")
            elif q % k == 0:
                cell = q // k - 1
                i, j = divmod(cell, n)
                out.append(f"{name}[{i + 1},{j + 1}] = {_int(C[i][j])} after {k} multiply-adds "
                           f"({2 * q} of {total} FLOPs so far).")
        if len(out) > 6:
            out = [f"\u2026 {len(out) - 5} earlier updates skipped."] + out[-5:]
        return [{"level": "info", "text": s} for s in out]

    # -- layer view -------------------------------------------------------------------------

    def _layer_numbers(self) -> dict:
        model = get_model(MODEL)
        proj = self["proj"]
        T = self["tokens"]
        shapes = layer_projections(model)
        d_in, d_out = shapes[proj]
        per_matrix = {name: gemm_flops(o, 1, i) for name, (i, o) in shapes.items()}
        return {
            "model": model, "proj": proj, "T": T, "d_in": d_in, "d_out": d_out,
            "weights": d_in * d_out,
            "weight_bytes": BF16_BYTES * d_in * d_out,
            "x_bytes": BF16_BYTES * d_in * T,
            "y_bytes": BF16_BYTES * d_out * T,
            "per_token": gemm_flops(d_out, 1, d_in),
            "flops": gemm_flops(d_out, T, d_in),
            "bytes": gemm_bytes(d_out, T, d_in, BF16_BYTES),
            "intensity": gemm_intensity(d_out, T, d_in, BF16_BYTES),
            "per_matrix": per_matrix,
            "layer_per_token": sum(per_matrix.values()),
            "model_per_token": matmul_flops_per_token(model),
        }

    def _layer_geometry(self, nums: dict) -> dict:
        """Blocks W, X, Y side by side, top-aligned, all to one scale (units per number)."""
        d_in, d_out, T = nums["d_in"], nums["d_out"], nums["T"]
        t_max = self.values.find("tokens").hi
        slot_min, op_w = 170.0, 44.0
        x0, y0, width, height = 24.0, 84.0, 912.0, 250.0
        # one scale for this matrix at every T, so the T slider only widens X and Y
        s = min((width - 2 * op_w) / (d_in + 2 * t_max), height / max(d_in, d_out))
        w_w, w_h = d_in * s, d_out * s
        x_w, x_h = max(2.0, T * s), d_in * s
        slot_w, slot_x = max(w_w, slot_min), max(x_w, slot_min)
        wx = x0 + (slot_w - w_w) / 2
        xx = x0 + slot_w + op_w + (slot_x - x_w) / 2
        yx = x0 + slot_w + op_w + slot_x + op_w + (max(x_w, slot_min) - x_w) / 2
        blocks = {"W": (wx, y0, w_w, w_h), "X": (xx, y0, x_w, x_h), "Y": (yx, y0, x_w, w_h)}
        op_y = y0 + min(w_h, x_h) / 2
        ops = ((x0 + slot_w + op_w / 2, op_y, "\u00d7"),
               (x0 + slot_w + op_w + slot_x + op_w / 2, op_y, "="))
        return {"blocks": blocks, "ops": ops, "scale": s, "bottom": y0 + max(w_h, x_h)}

    def _layer_static(self) -> dict:
        nums = self._layer_numbers()
        geo = self._layer_geometry(nums)
        sc = Scene(*self.size)
        d_in, d_out, T = nums["d_in"], nums["d_out"], nums["T"]
        W, X, Y = geo["blocks"]["W"], geo["blocks"]["X"], geo["blocks"]["Y"]
        sc.rect(*W, fill="panel", stroke="accent3", lw=1.5)
        sc.rect(*X, fill="q", stroke="q", alpha=0.35)
        sc.rect(*Y, fill="panel", stroke="faint")
        for ox, oy, sym in geo["ops"]:
            sc.text(ox, oy, sym, size=26, align="c", bold=True)
        sc.text(940, 52, f"to scale: 1 unit \u2248 {1 / geo['scale']:,.0f} numbers", size=SMALL,
                fill="muted", align="r")
        bottom = geo["bottom"] + 10
        plural = "s" if T > 1 else ""
        labels = (
            (W, f"W ({nums['proj']})", f"{d_out:,} \u00d7 {d_in:,}"),
            (X, f"X: {T:,} token{plural}", f"{d_in:,} \u00d7 {T:,}"),
            (Y, "Y = W\u00b7X", f"{d_out:,} \u00d7 {T:,}"),
        )
        for (bx, _by, bw, _bh), name, shape in labels:
            sc.text(bx + bw / 2, bottom, name, size=BODY, bold=True, align="c", base="t")
            sc.text(bx + bw / 2, bottom + 22, shape, size=SUB, fill="muted", align="c", base="t")
        self._layer_panel(sc, nums, bottom + 56)
        self._layer_share(sc, nums, bottom + 154)
        return {"items": sc.items, "nums": nums, "geo": geo}

    def _layer_panel(self, sc: Scene, nums: dict, top: float) -> None:
        """FLOPs, bytes and their ratio for this GEMM, each written out from its parts."""
        d_in, d_out, T = nums["d_in"], nums["d_out"], nums["T"]
        sc.line(24, top - 10, 936, top - 10, stroke="faint")
        flops = f"2\u00b7{d_out:,}\u00b7{d_in:,}\u00b7{T:,} = {fmt_flops(nums['flops'])}"
        rows = (
            ("FLOPs", flops, "accent"),
            ("bytes (bf16)", f"W {fmt_bytes(nums['weight_bytes'])} + X {fmt_bytes(nums['x_bytes'])} + "
                             f"Y {fmt_bytes(nums['y_bytes'])} = {fmt_bytes(nums['bytes'])}", "accent3"),
            ("FLOPs per byte", f"{fmt_flops(nums['flops'])} \u00f7 {fmt_bytes(nums['bytes'])} = "
                               f"{_ratio(nums['intensity'])}", "ink"),
        )
        y = top
        for left, right, fill in rows:
            sc.text(24, y, left, size=BODY, fill="muted", base="t")
            sc.text(184, y, right, size=BODY, bold=True, fill=fill, base="t")
            y += 28

    def _layer_share(self, sc: Scene, nums: dict, top: float) -> None:
        """One token through the whole layer: a bar split by matrix, this one highlighted."""
        per, total = nums["per_matrix"], nums["layer_per_token"]
        x, w, h = 24.0, 912.0, 28.0
        sc.text(x, top, f"one token through one layer: {fmt_flops(total)}, split by matrix",
                size=SUB, fill="muted", base="t")
        y = top + 22
        for name in PROJECTIONS:
            if name not in per:
                continue
            seg = w * per[name] / total
            mine = name == nums["proj"]
            sc.rect(x, y, seg, h, fill="accent3" if mine else "panel", stroke="bg", lw=1.5,
                    alpha=0.85 if mine else 1.0, label=name)
            if seg >= len(name) * SUB * 0.56 + 4:
                sc.text(x + seg / 2, y + h / 2, name, size=SUB, align="c", bold=mine,
                        fill="bg" if mine else "ink")
            x += seg
        share = per[nums["proj"]] / total
        sc.text(24, y + h + 8, f"W ({nums['proj']}): {fmt_flops(per[nums['proj']])} per token, "
                               f"{fmt_percent(share)} of the layer", size=SUB, fill="accent3", bold=True,
                base="t")

    def _draw_layer(self, t: float):
        st = self.cached("layer", self._layer_static)
        nums, geo = st["nums"], st["geo"]
        sc = self.new_scene()
        self._header(sc, "A real layer: Y = W\u00b7X for T tokens at once",
                     "Each row of W is read once and used by every token's column.")
        sc.items.extend(st["items"])
        W, Y = geo["blocks"]["W"], geo["blocks"]["Y"]
        tc = t % LAYER_PERIOD_S
        u = min(1.0, tc / SWEEP_S)
        # rows of W read so far, and the same rows of Y filled for all T tokens
        if u > 0:
            sc.rect(W[0], W[1], W[2], W[3] * u, fill="accent3", alpha=0.35)
            sc.rect(Y[0], Y[1], Y[2], Y[3] * u, fill="accent", alpha=0.7)
        if u < 1:
            # the row being read in W, and the row of Y it completes for every token
            band_y = W[1] + W[3] * u
            sc.line(W[0] - 6, band_y, W[0] + W[2] + 6, band_y, stroke="accent2", lw=2.5)
            sc.line(Y[0] - 6, band_y, Y[0] + Y[2] + 6, band_y, stroke="accent2", lw=2.5)
            sc.line(W[0] + W[2] + 6, band_y, Y[0] - 6, band_y, stroke="accent2", lw=1, dash=(3, 5),
                    alpha=0.5)
        rows_done = int(nums["d_out"] * u)
        tel = [
            metric("per_token", "FLOPs per token", nums["per_token"], fmt_flops(nums["per_token"]), "FLOP"),
            metric("flops", f"FLOPs for {nums['T']:,} token{'s' if nums['T'] != 1 else ''}", nums["flops"], fmt_flops(nums["flops"]), "FLOP"),
            metric("weights", "weight bytes (bf16)", nums["weight_bytes"], fmt_bytes(nums["weight_bytes"]), "B"),
            metric("intensity", "FLOPs per byte moved", nums["intensity"], f"{_ratio(nums['intensity'])} FLOP/B",
                   "FLOP/B"),
            metric("rows", "rows of W read", rows_done, f"{rows_done:,} of {nums['d_out']:,}", ""),
            metric("share", "share of one layer's FLOPs", nums["per_token"] / nums["layer_per_token"],
                   fmt_percent(nums["per_token"] / nums["layer_per_token"]), ""),
            metric("model", "all matrices, one token", nums["model_per_token"],
                   fmt_flops(nums["model_per_token"]), "FLOP"),
        ]
        return sc, tel

    def _layer_events(self, t0: float, t1: float) -> list[dict]:
        nums = self.cached("layer", self._layer_static)["nums"]
        # sweeps end at SWEEP_S + n·period; report if one ended in (t0, t1]
        first = max(0, math.floor((t0 - SWEEP_S) / LAYER_PERIOD_S) + 1)
        last = math.floor((t1 - SWEEP_S) / LAYER_PERIOD_S)
        if last < first:
            return []
        T = nums["T"]
        return [{"level": "info",
                 "text": f"W read once ({fmt_bytes(nums['weight_bytes'])}); {T:,} token{'s' if T > 1 else ''} "
                         f"\u00d7 {nums['d_out']:,} outputs computed: {fmt_flops(nums['flops'])}."}]
