"""Notation and the promise: the workshop of chapter p00-c01.

Four views, one idea each:

* equation: y = Wx + b for one weight matrix of Llama 3 8B, every symbol
  drawn as the block of numbers it names, to scale. A token count T turns
  the column x into the d×T matrix X. The focus walks the recipe in
  reading order (W, x, Wx, b, y): Wx sweeps a row of W down the matrix,
  one output's weighted sum at a time; b is copied into every column.
* matmul and broadcast: a shape playground. The reader sets the shapes of
  two operands (up to three axes each) and sees whether ``A @ B`` or
  ``A + B`` is legal under NumPy's rules and what shape comes out. A
  cursor walks the result and lights up the numbers each entry reads,
  so a size-1 axis visibly serves every index of the other operand.
* bytes: the element count of a real weight matrix and what it weighs in
  four formats; a 16-byte window of memory fills with 4, 8, 16 or 32
  elements as the format shrinks.

Each view shows only the controls that change its own picture.
"""
from __future__ import annotations

import math

from ...calc.gemm import PROJECTIONS, layer_projections
from ...calc.model_size import param_count, weight_bytes
from ...calc.shapes import broadcast_report, fmt_shape, matmul_report, numel, tensor_bytes
from ...catalog import get_format, get_model
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Flag, Number
from ...core.scene import Scene
from ...units import fmt_bytes, fmt_count

MODEL = "llama-3-8b"
T_MAX = 4096                     # largest token count the equation view offers
FOCUS_ORDER = ("W", "x", "Wx", "b", "y")
FOCUS_S = 3.5                    # seconds the automatic tour spends on each symbol
CELL_S = 0.6                     # seconds the shape cursor spends on each result entry
STRETCH_S = 1.2                  # seconds broadcast copies take to slide out after a change
FORMAT_S = 2.5                   # seconds the bytes view spends on each format
FORMATS = ("fp32", "bf16", "fp8_e4m3", "int4")
WINDOW_BYTES = 16                # the memory window the bytes view fills
MAX_SIDE = 8                     # largest axis size in the playground
# type sizes: the pane shows the 960-wide canvas at about 0.6x, so nothing below SMALL
TITLE, SUB, BODY, SMALL = 20, 15, 17, 15

_SHAPE_PARAMS = ("a_batch", "a_rows", "a_cols", "a_vec", "b_batch", "b_rows", "b_cols", "b_vec")
_SHAPE_VIEWS = ("matmul", "batched", "broadcast", "bias")
_ADD_VIEWS = ("broadcast", "bias")

_PROJ_LABELS = {name: f"{name}: {d_in:,} \u2192 {d_out:,}"
                for name, (d_in, d_out) in layer_projections(MODEL).items()}
_FOCUS_LABELS = (("auto", "tour every symbol"), ("W", "W, the weights"), ("x", "x, the input"),
                 ("Wx", "Wx, the weighted sums"), ("b", "b, the bias"), ("y", "y, the output"))


def _c(n: int) -> str:
    """A count with thousands separators."""
    return f"{n:,}"


def _ease(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)


def has_bias(model, proj: str) -> bool:
    """Whether ``model`` stores a bias vector b for the weight matrix ``proj`` (catalog fields)."""
    m = get_model(model)
    if proj in ("q", "k", "v"):
        return m.attn_bias in ("qkv", "all")
    if proj == "o":
        return m.attn_bias == "all"
    return bool(m.ffn_bias)


def operand_shape(vec: bool, batch: int, rows: int, cols: int) -> tuple[int, ...]:
    """The playground's operand: ``(cols,)`` for a vector, else ``(batch, rows, cols)`` without a 0 batch."""
    if vec:
        return (cols,)
    return ((batch,) if batch else ()) + (rows, cols)


def _preset(a: tuple[int, int, int], b: tuple[int, int, int], a_vec=False, b_vec=False) -> dict:
    """Slider values for operands given as (batch, rows, cols); batch 0 means no batch axis."""
    return {"a_batch": a[0], "a_rows": a[1], "a_cols": a[2], "a_vec": a_vec,
            "b_batch": b[0], "b_rows": b[1], "b_cols": b[2], "b_vec": b_vec}


def summarise(lines: list[str], skipped: int = 0, keep: int = 4) -> list[dict]:
    """Console events for ``lines``; earlier steps (``skipped`` more before them) folded into one line."""
    if len(lines) > keep:
        skipped += len(lines) - keep
        lines = lines[-keep:]
    if skipped:
        lines = [f"\u2026 {skipped:,} earlier step{'s' if skipped > 1 else ''} skipped."] + lines
    return [{"level": "info", "text": s} for s in lines]


def crossings(t0: float, t1: float, period: float, keep: int = 4) -> tuple[int, range]:
    """The instants n·period (n ≥ 1) in (t0, t1]: how many come before the last ``keep``, and those.

    O(1) whatever the interval, so a frame after a long jump narrates the
    latest steps and counts the rest instead of replaying them.
    """
    first = max(1, math.floor(t0 / period) + 1)
    last = math.floor(t1 / period)
    if last < first:
        return 0, range(0)
    lo = max(first, last - keep + 1)
    return lo - first, range(lo, last + 1)


class NotationMode(Mode):
    """y = Wx + b with real shapes; a playground for @ and broadcasting; elements and bytes."""

    id = "p00-c01-notation"
    chapter = "p00-c01-notation"
    title = "Notation and the promise"
    step_dt = 0.5
    size = (960, 600)

    params = (
        Choice("proj", "Llama 3 8B weight matrix", default="q",
               options=tuple((p, _PROJ_LABELS[p]) for p in PROJECTIONS),
               help="One of the seven weight matrices in each of the model's 32 layers: inputs \u2192 outputs."),
        Number("tokens", "Tokens T", lo=1, hi=T_MAX, step=1, default=1, unit="tokens", integer=True, log=True,
               help="How many token vectors stand side by side as the columns of X."),
        Choice("focus", "Symbol", default="auto", options=_FOCUS_LABELS,
               help="Which symbol of y = Wx + b to explain; 'tour' visits them in reading order."),
        Number("a_batch", "A: batch axis (0 = none)", lo=0, hi=MAX_SIDE, step=1, default=0, integer=True,
               help="Size of A's axis before its rows: how many matrices A stacks. 0 leaves the axis out."),
        Number("a_rows", "A: rows", lo=1, hi=MAX_SIDE, step=1, default=1, integer=True,
               help="A's second-to-last axis."),
        Number("a_cols", "A: columns (last axis)", lo=1, hi=MAX_SIDE, step=1, default=1, integer=True,
               help="A's last axis."),
        Flag("a_vec", "A is 1-D (a vector)", default=False,
             help="A becomes a vector of 'columns' numbers: one axis, no rows, no batch."),
        Number("b_batch", "B: batch axis (0 = none)", lo=0, hi=MAX_SIDE, step=1, default=0, integer=True,
               help="Size of B's axis before its rows: how many matrices B stacks. 0 leaves the axis out."),
        Number("b_rows", "B: rows", lo=1, hi=MAX_SIDE, step=1, default=1, integer=True,
               help="B's second-to-last axis."),
        Number("b_cols", "B: columns (last axis)", lo=1, hi=MAX_SIDE, step=1, default=1, integer=True,
               help="B's last axis."),
        Flag("b_vec", "B is 1-D (a vector)", default=False,
             help="B becomes a vector of 'columns' numbers: one axis, no rows, no batch."),
        Choice("fmt", "Number format", default="auto",
               options=(("auto", "tour the four formats"), ("fp32", "FP32: 4 bytes"), ("bf16", "BF16: 2 bytes"),
                        ("fp8_e4m3", "FP8: 1 byte"), ("int4", "INT4: half a byte")),
               help="How each element is stored; 'tour' visits them from widest to narrowest."),
    )

    submodes = {
        "equation": Submode("y = Wx + b", {"proj": "q", "tokens": 1, "focus": "auto"},
                            "Every symbol of y = Wx + b drawn as the block of numbers it names, for a real "
                            "Llama 3 8B matrix.", ("proj", "tokens", "focus")),
        "matmul": Submode("A @ B shapes", _preset((0, 3, 4), (0, 4, 2)),
                          "Set two shapes: is A @ B legal, and what shape comes out?", _SHAPE_PARAMS),
        "batched": Submode("Batched @", _preset((1, 3, 4), (4, 4, 2)),
                           "Axes before the last two are batch axes; a batch of 1 is reused for every page.",
                           _SHAPE_PARAMS),
        "broadcast": Submode("A + B broadcasting", _preset((0, 3, 4), (0, 1, 4)),
                             "Line shapes up from the right: sizes must match or be 1; a 1 is repeated.",
                             _SHAPE_PARAMS),
        "bias": Submode("Adding a bias", _preset((0, 4, 6), (0, 4, 1)),
                        "WX (4 outputs × 6 tokens) + b stored as a 4 × 1 column: b is copied into every column.",
                        _SHAPE_PARAMS),
        "bytes": Submode("Elements and bytes", {"proj": "q", "fmt": "auto"},
                         "Count a real matrix's elements, then weigh them at 4, 2, 1 and half a byte each.",
                         ("proj", "fmt")),
    }
    default_submode = "equation"

    def view(self) -> str:
        """The picture the current sub-mode draws: "equation", "shapes" or "bytes"."""
        if self.submode in _SHAPE_VIEWS:
            return "shapes"
        return "bytes" if self.submode == "bytes" else "equation"

    def draw(self, t: float):
        v = self.view()
        if v == "shapes":
            return self._draw_shapes(t)
        if v == "bytes":
            return self._draw_bytes(t)
        return self._draw_equation(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        v = self.view()
        if v == "shapes":
            return self._shape_events(t0, t1)
        if v == "bytes":
            return self._bytes_events(t0, t1)
        return self._equation_events(t0, t1)

    def _header(self, sc: Scene, title: str, subtitle: str) -> None:
        sc.text(20, 24, title, size=TITLE, bold=True)
        sc.text(20, 52, subtitle, size=SUB, fill="muted")

    # -- the equation ------------------------------------------------------------------

    def focus_at(self, t: float) -> tuple[str, float]:
        """The symbol in focus at time ``t`` and how far (0–1) its explanation has run."""
        f = self["focus"]
        if f != "auto":
            return f, (t % FOCUS_S) / FOCUS_S
        k, u = divmod(t % (FOCUS_S * len(FOCUS_ORDER)), FOCUS_S)
        return FOCUS_ORDER[int(k)], u / FOCUS_S

    def _eq_numbers(self) -> dict:
        model = get_model(MODEL)
        proj, T = self["proj"], self["tokens"]
        d_in, d_out = layer_projections(model)[proj]
        return {"proj": proj, "T": T, "d_in": d_in, "d_out": d_out, "hidden": model.hidden,
                "W": (d_out, d_in), "X": (d_in, T), "Y": (d_out, T), "b": (d_out, 1),
                "weights": numel((d_out, d_in)), "x_count": numel((d_in, T)), "y_count": numel((d_out, T)),
                "bias": has_bias(model, proj), "model": model.display_name}

    def _eq_geometry(self, nums: dict) -> dict:
        """Blocks y, W, x, b side by side, top-aligned, one scale per matrix (units per number)."""
        d_in, d_out, T = nums["d_in"], nums["d_out"], nums["T"]
        top, height, left, right = 132.0, 212.0, 20.0, 940.0
        slot, op = 128.0, 40.0

        def widths(s, tokens):
            return (max(tokens * s, slot), max(d_in * s, slot), max(tokens * s, slot), slot)

        # the scale fits the widest case (T_MAX tokens), so the T slider never resizes W
        s = height / max(d_in, d_out)
        while sum(widths(s, T_MAX)) + 3 * op > right - left:
            s *= 0.97
        ws = widths(s, T)
        total = sum(ws) + 3 * op
        x = left + (right - left - total) / 2
        blocks, slots, ops = {}, {}, []
        dims = {"y": (max(2.0, T * s), d_out * s), "W": (d_in * s, d_out * s),
                "x": (max(2.0, T * s), d_in * s), "b": (6.0, d_out * s)}
        for i, (name, w) in enumerate(zip(("y", "W", "x", "b"), ws)):
            bw, bh = dims[name]
            blocks[name] = (x + (w - bw) / 2, top, bw, bh)
            slots[name] = (x, w)
            x += w
            if i < 3:
                ops.append((x + op / 2, ("=", "\u00b7", "+")[i]))
                x += op
        return {"blocks": blocks, "slots": slots, "ops": ops, "scale": s, "top": top,
                "bottom": top + height}

    def _eq_static(self) -> dict:
        nums = self._eq_numbers()
        geo = self._eq_geometry(nums)
        sc = Scene(*self.size)
        T = nums["T"]
        many = T > 1
        names = {"y": "Y" if many else "y", "W": "W", "x": "X" if many else "x", "b": "b"}
        shapes = {"y": nums["Y"], "W": nums["W"], "x": nums["X"], "b": nums["b"]}
        roles = {"y": "output", "W": f"weights ({nums['proj']})", "x": "token" + ("s" if many else ""),
                 "b": "bias" + ("" if nums["bias"] else " (0 here)")}
        styles = {"y": ("accent", 0.22), "W": ("accent3", 0.18), "x": ("q", 0.32), "b": ("v", 0.4)}
        for key, (bx, by, bw, bh) in geo["blocks"].items():
            fill, alpha = styles[key]
            sc.rect(bx, by, bw, bh, fill=fill, alpha=alpha, label=names[key])
            sc.rect(bx, by, bw, bh, stroke=fill, lw=1.2)
        label_y = geo["bottom"] + 14
        for key, (sx, sw) in geo["slots"].items():
            cx = sx + sw / 2
            sc.text(cx, 104, names[key], size=30, bold=True, align="c", font="mono")
            r, c = shapes[key]
            sc.text(cx, label_y, f"{_c(r)} \u00d7 {_c(c)}", size=BODY, bold=True, align="c", base="t")
            sc.text(cx, label_y + 24, roles[key], size=SMALL, fill="muted", align="c", base="t")
        for ox, sym in geo["ops"]:
            sc.text(ox, 104, sym, size=30, bold=True, align="c", font="mono")
        sc.text(940, 548, f"to scale: 1 unit \u2248 {1 / geo['scale']:,.0f} numbers", size=SMALL,
                fill="muted", align="r", base="m")
        chain = (f"({_c(nums['d_out'])} \u00d7 {_c(nums['d_in'])})\u00b7({_c(nums['d_in'])} \u00d7 {_c(T)}) + "
                 f"({_c(nums['d_out'])} \u00d7 1) = ({_c(nums['d_out'])} \u00d7 {_c(T)})")
        sc.line(20, 418, 940, 418, stroke="faint")
        sc.text(20, 576, "shapes: " + chain, size=BODY, fill="muted", base="m", font="mono")
        return {"items": sc.items, "nums": nums, "geo": geo, "names": names}

    def _focus_lines(self, focus: str, nums: dict, row: int) -> list[tuple[str, str, bool]]:
        """The explanation under the picture: (text, colour, bold) lines for one symbol."""
        T, d_in, d_out, proj = nums["T"], nums["d_in"], nums["d_out"], nums["proj"]
        many = T > 1
        x, y = ("X", "Y") if many else ("x", "y")
        if focus == "W":
            return [(f"W: the weight matrix of {proj}, {_c(d_out)} \u00d7 {_c(d_in)}", "accent3", True),
                    (f"one row per output ({_c(d_out)}), one column per input ({_c(d_in)})", "ink", False),
                    (f"{_c(d_out)} \u00b7 {_c(d_in)} = {_c(nums['weights'])} weights, each learned in training",
                     "ink", False)]
        if focus == "x":
            if many:
                return [(f"X: {_c(T)} token vectors side by side, {_c(d_in)} \u00d7 {_c(T)}", "q", True),
                        (f"column t holds token t's {_c(d_in)} numbers", "ink", False),
                        (f"{_c(d_in)} \u00b7 {_c(T)} = {_c(nums['x_count'])} numbers in all", "ink", False)]
            return [(f"x: one token's vector, {_c(d_in)} \u00d7 1", "q", True),
                    (f"{_c(d_in)} numbers, one for each column of W", "ink", False),
                    ("the inner sizes match: W's columns = x's rows", "ink", False)]
        if focus == "Wx":
            # formula notation (subscripts written with _, counting from 1), as in the prose; square
            # brackets would read as NumPy's 0-based indices, and y[3,102] as two indices
            return [(f"W{x}: each output is a weighted sum of the {_c(d_in)} inputs", "accent2", True),
                    ((f"Y_it = \u03a3 W_ij\u00b7X_jt + b_i,  j = 1 \u2026 {_c(d_in)}" if many else
                      f"y_i = \u03a3 W_ij\u00b7x_j + b_i,  j = 1 \u2026 {_c(d_in)}"), "ink", False),
                    ((f"now i = {_c(row)}: row {_c(row)} of W weights every input, for each of the "
                      f"{_c(T)} columns") if many else
                     f"now i = {_c(row)}: row {_c(row)} of W turns all {_c(d_in)} inputs into output {_c(row)}",
                     "ink", False)]
        if focus == "b":
            spread = (f"the same b is added to all {_c(T)} columns of W{x} (broadcasting)" if many
                      else "one bias per output, added after the weighted sum")
            stored = ("this matrix stores a bias" if nums["bias"]
                      else f"{nums['model']} stores no bias for {proj}: b = 0")
            return [(f"b: the bias, one number per output, {_c(d_out)} \u00d7 1", "v", True),
                    (spread, "ink", False), (stored, "muted", False)]
        return [(f"{y}: the output, {_c(d_out)} \u00d7 {_c(T)}", "accent", True),
                (f"{_c(nums['y_count'])} numbers: {_c(d_out)} outputs for each of {_c(T)} "
                 f"token{'s' if many else ''}", "ink", False),
                (f"({_c(d_out)} \u00d7 {_c(d_in)}) times ({_c(d_in)} \u00d7 {_c(T)}): the {_c(d_in)}s "
                 f"meet and vanish", "ink", False)]

    def _draw_equation(self, t: float):
        st = self.cached("equation", self._eq_static)
        nums, geo, names = st["nums"], st["geo"], st["names"]
        focus, u = self.focus_at(t)
        d_out = nums["d_out"]
        row = min(d_out, 1 + int(u * d_out)) if focus == "Wx" else 1
        sc = self.new_scene()
        eq = "Y = WX + b" if nums["T"] > 1 else "y = Wx + b"
        self._header(sc, f"{eq} with real shapes: one matrix of Llama 3 8B",
                     "Every symbol is a block of numbers, drawn to scale; pick a matrix and a token count.")
        sc.items.extend(st["items"])
        if self["focus"] == "auto":
            sc.text(940, 24, f"tour: symbol {FOCUS_ORDER.index(focus) + 1} of {len(FOCUS_ORDER)}", size=SMALL,
                    fill="muted", align="r")
        blocks = geo["blocks"]
        lit = {"W": ("W",), "x": ("x",), "Wx": ("W", "x"), "b": ("b",), "y": ("y",)}[focus]
        for key in lit:
            bx, by, bw, bh = blocks[key]
            sc.rect(bx - 3, by - 3, bw + 6, bh + 6, stroke="accent2", lw=3)
            sx, sw = geo["slots"][key]
            sc.rect(sx + sw / 2 - 22, 84, 44, 40, stroke="accent2", lw=2, r=6)
        if focus == "Wx":
            # row i of W, and the same row of y for every token column
            W, Y = blocks["W"], blocks["y"]
            band = W[1] + W[3] * (row - 0.5) / d_out
            sc.line(W[0] - 8, band, W[0] + W[2] + 8, band, stroke="accent2", lw=3)
            sc.line(Y[0] - 8, band, Y[0] + Y[2] + 8, band, stroke="accent2", lw=3)
            # the outputs already computed: for a single token y is a hairline, so a thick stroke
            # stands in for the shaded band, or the filling would be invisible
            if Y[2] < 8:
                cx = Y[0] + Y[2] / 2
                sc.line(cx, Y[1], cx, band, stroke="accent", lw=6, alpha=0.6)
            else:
                sc.rect(Y[0], Y[1], Y[2], band - Y[1], fill="accent", alpha=0.35)
        if focus == "b" and nums["T"] > 1:
            bx, Yb = blocks["b"], blocks["y"]
            sc.arrow(bx[0] + 3, 128, Yb[0] + Yb[2] / 2, 128, stroke="v", lw=2, head=8, dash=(6, 4))
        if focus in ("b", "x", "y") and nums["T"] > 1:
            # one stripe per token column (at most 24 drawn): b lands in each, x and y are made of them
            key = "y" if focus == "b" else focus
            bx, by, bw, bh = blocks[key]
            n = min(nums["T"], 24, int(bw / 4))
            fill = "v" if focus == "b" else ("q" if focus == "x" else "accent")
            for i in range(n if n >= 2 else 0):
                cx = bx + bw * (i + 0.5) / n
                sc.line(cx, by, cx, by + bh, stroke=fill, lw=2, alpha=0.8)
        yy = 438
        for text, fill, bold in self._focus_lines(focus, nums, row):
            sc.text(20, yy, text, size=BODY if bold else SMALL + 1, fill=fill, bold=bold, base="t")
            yy += 30
        tel = [
            metric("W", "W (rows × columns)", nums["weights"], f"{_c(d_out)} \u00d7 {_c(nums['d_in'])}", ""),
            metric("X", f"{names['x']} (d × T)", nums["x_count"], f"{_c(nums['d_in'])} \u00d7 {_c(nums['T'])}", ""),
            metric("Y", f"{names['y']} (outputs × T)", nums["y_count"], f"{_c(d_out)} \u00d7 {_c(nums['T'])}", ""),
            metric("weights", "weights in W", nums["weights"], fmt_count(nums["weights"]), "",
                   "rows × columns: one weight per (output, input) pair"),
            metric("bias", "bias numbers stored", d_out if nums["bias"] else 0,
                   _c(d_out) if nums["bias"] else "none (b = 0)", ""),
            metric("focus", "symbol in focus", FOCUS_ORDER.index(focus), focus, ""),
        ]
        return sc, tel

    def _equation_events(self, t0: float, t1: float) -> list[dict]:
        nums = self.cached("equation", self._eq_static)["nums"]
        lines = []
        if t0 < 0 <= t1:
            lines.append(self._focus_lines(self.focus_at(0.0)[0], nums, 1)[0][0] + ".")
        skipped = 0
        if self["focus"] == "auto":
            skipped, steps = crossings(t0, t1, FOCUS_S)
            for n in steps:
                focus = FOCUS_ORDER[n % len(FOCUS_ORDER)]
                lines.append(self._focus_lines(focus, nums, 1)[0][0] + ".")
        return summarise(lines, skipped)

    # -- the shape playground ---------------------------------------------------------------

    def shapes(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The two operands' shapes as the sliders set them."""
        a = operand_shape(self["a_vec"], self["a_batch"], self["a_rows"], self["a_cols"])
        b = operand_shape(self["b_vec"], self["b_batch"], self["b_rows"], self["b_cols"])
        return a, b

    def is_add(self) -> bool:
        return self.submode in _ADD_VIEWS

    def _shape_model(self) -> dict:
        """What the playground draws: each operand as (pages, rows, cols), and the rule's verdict."""
        a, b = self.shapes()
        add = self.is_add()
        if add:
            rows = broadcast_report(a, b)
            ok = all(r["ok"] for r in rows)
            result = tuple(r["out"] for r in rows) if ok else None
            pad = [None] * (3 - len(rows))
            table = {"a": pad + [r["a"] for r in rows], "b": pad + [r["b"] for r in rows],
                     "out": pad + [r["out"] for r in rows], "ok": [True] * len(pad) + [r["ok"] for r in rows],
                     "stretch_a": [False] * len(pad) + [r["stretch_a"] for r in rows],
                     "stretch_b": [False] * len(pad) + [r["stretch_b"] for r in rows]}
            bad = next((r for r in rows if not r["ok"]), None)
            # a true minus sign, as in the rule table's headings ("axis −1")
            error = None if ok else (f"axis \u2212{-bad['axis']}: sizes {bad['a']} and {bad['b']} differ "
                                     f"and neither is 1")
            # every operand lives in the same 3-axis frame (missing axes count as 1)
            def frame(s):
                s3 = (1,) * (3 - len(s)) + tuple(s)
                return s3
            draw_a, draw_b = frame(a), frame(b)
            draw_r = frame(result) if ok else None
            inner = None
        else:
            rep = matmul_report(a, b)
            result = rep["result"]
            error = rep["error"]
            batch = rep["batch"]
            pa = batch[-1]["a"] if batch and batch[-1]["a"] is not None else 1
            pb = batch[-1]["b"] if batch and batch[-1]["b"] is not None else 1
            pr = batch[-1]["out"] if batch and batch[-1]["ok"] else None
            a2, b2 = rep["a2"], rep["b2"]
            draw_a = (pa, a2[-2], a2[-1])
            draw_b = (pb, b2[-2], b2[-1])
            draw_r = (pr or 1, rep["m"], rep["n"]) if result is not None else None
            bt = batch[-1] if batch else None
            table = {"a": [bt["a"] if bt else None, a2[-2], a2[-1]],
                     "b": [bt["b"] if bt else None, b2[-2], b2[-1]],
                     "out": [bt["out"] if bt else None, rep["m"], rep["n"]] if result is not None else
                            [bt["out"] if bt else None, None, None],
                     "ok": [bt["ok"] if bt else True, True, True],
                     "stretch_a": [bool(bt and bt["stretch_a"]), False, False],
                     "stretch_b": [bool(bt and bt["stretch_b"]), False, False]}
            inner = (rep["k_a"], rep["k_b"], rep["inner_ok"])
            ok = result is not None
        return {"a": a, "b": b, "add": add, "ok": ok, "result": result, "error": error, "table": table,
                "inner": inner, "draw": {"A": draw_a, "B": draw_b, "R": draw_r},
                "added_a": (not add and len(a) == 1), "added_b": (not add and len(b) == 1)}

    # three boxes, each holding a stack of pages drawn as grids
    _BOX = {"A": (20.0, 96.0), "B": (340.0, 96.0), "R": (660.0, 96.0)}
    _BOX_W, _BOX_H, _OFF = 270.0, 180.0, 10.0

    def _shape_layout(self, sm: dict) -> dict:
        """Cell size shared by the three boxes, and where each page of each operand sits."""
        draw = sm["draw"]
        pages = max(d[0] for d in draw.values() if d)
        cs = 26.0
        for d in draw.values():
            if d is None:
                continue
            _, r, c = d
            span = (pages - 1) * self._OFF
            cs = min(cs, (self._BOX_W - span) / c, (self._BOX_H - span) / r)
        cs = float(math.floor(cs))
        out = {}
        for key, d in draw.items():
            if d is None:
                continue
            p, r, c = d
            # the stack is laid out for the result's page count, so ghosts of repeated pages fit
            bx, by = self._BOX[key]
            tw, th = c * cs + (pages - 1) * self._OFF, r * cs + (pages - 1) * self._OFF
            x0 = bx + (self._BOX_W - tw) / 2
            y0 = by + (self._BOX_H - th) / 2 + (pages - 1) * self._OFF
            out[key] = {"x": x0, "y": y0, "pages": p, "rows": r, "cols": c, "slots": pages}
        return {"cs": cs, "stacks": out}

    def _page_xy(self, stack: dict, page: int) -> tuple[float, float]:
        return stack["x"] + page * self._OFF, stack["y"] - page * self._OFF

    def _shape_static(self) -> dict:
        sm = self._shape_model()
        lay = self._shape_layout(sm)
        cs = lay["cs"]
        sc = Scene(*self.size)
        add = sm["add"]
        sym = "+" if add else "@"
        title = ("A + B: broadcasting lines shapes up from the right" if add
                 else "A @ B: which shapes can be multiplied?")
        sub = ("Sizes must be equal or 1 at every axis; a size-1 (or missing) axis is repeated." if add
               else "A's last axis must equal B's second-to-last; axes before the last two are batch axes.")
        self._header(sc, title, sub)
        heads = {"A": "A", "B": "B", "R": f"A {sym} B"}
        cmap = {"A": ("div", -0.55), "B": ("div", 0.55), "R": ("seq", 0.4)}
        for key, (bx, by) in self._BOX.items():
            sc.text(bx + self._BOX_W / 2, 78, heads[key], size=BODY, bold=True, align="c", font="mono")
        sc.text(310, 186, sym, size=30, bold=True, align="c", font="mono")
        sc.text(630, 186, "=", size=30, bold=True, align="c", font="mono")
        for key, stack in lay["stacks"].items():
            kind, v = cmap[key]
            # back pages first, page 0 in front; a back page shows only its edges, so it is drawn
            # as one cell (a frame's JSON stays small at 8 pages of 8 × 8)
            for p in range(stack["pages"] - 1, -1, -1):
                px, py = self._page_xy(stack, p)
                r, c = (stack["rows"], stack["cols"]) if p == 0 else (1, 1)
                sc.grid(px, py, stack["cols"] * cs, stack["rows"] * cs, r, c, [v] * (r * c), cmap=kind,
                        vmin=-1 if kind == "div" else 0, vmax=1, label=f"{heads[key]} page {p + 1}")
                if p:
                    sc.rect(px, py, stack["cols"] * cs, stack["rows"] * cs, stroke="bg", lw=1.5)
        # shapes under the boxes, as NumPy prints them
        shown = {"A": sm["a"], "B": sm["b"], "R": sm["result"]}
        for key, (bx, by) in self._BOX.items():
            cx = bx + self._BOX_W / 2
            s = shown[key]
            if key == "R" and s is None:
                sc.text(cx, by + self._BOX_H / 2, "not legal", size=22, bold=True, fill="bad", align="c")
                sc.text(cx, 296, "no result", size=20, bold=True, fill="bad", align="c", font="mono")
                continue
            sc.text(cx, 296, fmt_shape(s), size=20, bold=True, align="c", font="mono")
            what = {0: "a single number", 1: "1 axis", 2: "2 axes", 3: "3 axes"}[len(s)]
            sc.text(cx, 322, f"{what} \u00b7 {_c(numel(s))} element{'s' if numel(s) != 1 else ''}",
                    size=SMALL, fill="muted", align="c")
        self._shape_table(sc, sm)
        return {"items": sc.items, "sm": sm, "lay": lay}

    def _shape_table(self, sc: Scene, sm: dict) -> None:
        """The rule, axis by axis: sizes lined up from the right, each column checked."""
        add = sm["add"]
        top = 350
        cols_x = (360.0, 540.0, 720.0)
        heads = (("axis \u22123", "axis \u22122", "axis \u22121") if add
                 else ("batch (axis \u22123)", "rows", "columns"))
        sc.line(20, top - 10, 940, top - 10, stroke="faint")
        for x, h in zip(cols_x, heads):
            sc.text(x, top, h, size=SMALL, fill="muted", align="c", base="t")
        names = (("A", "a", "stretch_a"), ("B", "b", "stretch_b"), ("A + B" if add else "A @ B", "out", None))
        for i, (label, key, stretch) in enumerate(names):
            y = top + 30 + i * 30
            sc.text(20, y, label, size=BODY, bold=True, base="t", font="mono")
            for j, x in enumerate(cols_x):
                text, fill, bold = self._cell(sm, key, stretch, j)
                sc.text(x, y, text, size=BODY, fill=fill, bold=bold, align="c", base="t", font="mono")
        if not add:
            k_a, k_b, ok = sm["inner"]
            # the inner sizes: A's columns against B's rows
            y = top + 30 + 3 * 30
            sc.text(540, y, f"inner: A's columns {k_a} vs B's rows {k_b} "
                            f"{'match' if ok else 'differ'}", size=SMALL, bold=True,
                    fill="good" if ok else "bad", align="c", base="t")
        vy = 510
        if sm["ok"]:
            verdict = f"legal: the result has shape {fmt_shape(sm['result'])}"
            sc.text(20, vy, verdict, size=BODY + 1, bold=True, fill="good", base="t")
        else:
            sc.text(20, vy, f"not legal: {sm['error']}", size=BODY, bold=True, fill="bad", base="t")
        op = "+" if add else "@"
        out = fmt_shape(sm["result"]) if sm["ok"] else "ValueError"
        sc.text(20, 544, f"np.zeros({fmt_shape(sm['a'])}) {op} np.zeros({fmt_shape(sm['b'])}) \u2192 {out}",
                size=SMALL, fill="muted", base="t", font="mono")

    @staticmethod
    def _cell(sm: dict, key: str, stretch: str | None, j: int) -> tuple[str, str, bool]:
        """One cell of the rule table: (text, colour, bold) for operand ``key`` at column ``j``."""
        tb, add = sm["table"], sm["add"]
        v, out, ok = tb[key][j], tb["out"][j], tb["ok"][j]
        if key == "out":
            if not sm["ok"]:
                return ("\u2715", "bad", True) if not ok else ("\u2014", "muted", False)
            if v is None:
                return "\u2014", "muted", False
            if not add and ((sm["added_a"] and j == 1) or (sm["added_b"] and j == 2)):
                return f"{v} (removed)", "muted", False
            return str(v), "ink", True
        if not add and ((key == "a" and sm["added_a"] and j == 1) or (key == "b" and sm["added_b"] and j == 2)):
            return "1 (added)", "muted", False
        if v is None and (out is None and ok):
            return "\u2014", "muted", False          # no operand has this axis
        base = "(1)" if v is None else str(v)        # a missing axis counts as size 1
        if stretch and tb[stretch][j]:
            return f"{base} \u2192 {out}", "accent2", True
        inner_bad = not add and sm["inner"] and not sm["inner"][2] and (key, j) in (("a", 2), ("b", 1))
        if not ok or inner_bad:
            return base, "bad", True
        return base, "muted" if v is None else "ink", False

    def cursor_at(self, t: float, sm: dict) -> tuple[int, int, int] | None:
        """The result entry (page, row, column) the cursor is on at time ``t``; None if illegal."""
        r = sm["draw"]["R"]
        if r is None:
            return None
        p, rows, cols = r
        n = p * rows * cols
        k = int(t // CELL_S) % n
        page, rest = divmod(k, rows * cols)
        i, j = divmod(rest, cols)
        return page, i, j

    @staticmethod
    def _source(index: int, size: int) -> int:
        """Which index of an axis an entry reads: a size-1 axis always serves index 0."""
        return 0 if size == 1 else index

    def _draw_shapes(self, t: float):
        st = self.cached("shapes", self._shape_static)
        sm, lay = st["sm"], st["lay"]
        cur = self.cursor_at(t, sm)
        items, tel = self.memo("shape-state", cur, lambda: self._shape_state(cur, sm, lay))
        sc = self.new_scene()
        sc.items = list(st["items"])
        sc.items.extend(self._stretch_ghosts(sm, lay, min(1.0, t / STRETCH_S)))
        sc.items.extend(items)
        return sc, tel

    def _stretch_ghosts(self, sm: dict, lay: dict, u: float) -> list[dict]:
        """Dashed outlines of the copies a broadcast operand stands for, sliding out over ``u`` ∈ [0, 1]."""
        if not sm["ok"]:
            return []
        sc = Scene(*self.size)
        cs = lay["cs"]
        e = _ease(u)
        R = sm["draw"]["R"]
        for key in ("A", "B"):
            st = lay["stacks"][key]
            p, r, c = sm["draw"][key]
            # the footprint this operand is repeated to: the result's pages, and for + its rows and columns
            tp = R[0]
            tr, tc = (R[1], R[2]) if sm["add"] else (r, c)
            if (tp, tr, tc) == (p, r, c):
                continue
            gw = (c + (tc - c) * e) * cs
            gh = (r + (tr - r) * e) * cs
            shown_pages = 1 + round((tp - 1) * e)
            for page in range(shown_pages - 1, -1, -1):
                px, py = self._page_xy(st, page)
                if page < p and (gw, gh) == (c * cs, r * cs):
                    continue
                sc.path([(px, py), (px + gw, py), (px + gw, py + gh), (px, py + gh)], stroke="accent2", lw=1.5,
                        closed=True, dash=(5, 4), alpha=0.9)
        return sc.items

    def _shape_state(self, cur, sm: dict, lay: dict):
        """The cursor's highlights, its caption and the telemetry for one result entry."""
        sc = Scene(*self.size)
        cs = lay["cs"]
        add = sm["add"]
        stacks = lay["stacks"]
        a, b, result = sm["a"], sm["b"], sm["result"]
        caption = ""
        if cur is None:
            # show where the rule breaks: the clashing operands outlined in red
            for key in ("A", "B"):
                stk = stacks[key]
                px, py = self._page_xy(stk, 0)
                sc.rect(px - 3, py - 3, stk["cols"] * cs + 6, stk["rows"] * cs + 6, stroke="bad", lw=2.5)
            if add:
                caption = "to make it legal, make the red sizes equal, or make one of them 1"
            elif sm["inner"][2]:
                caption = "to make it legal, make the batch sizes equal, or make one of them 1"
            else:
                caption = "to make it legal, give A as many columns as B has rows"
        else:
            page, i, j = cur
            pa, ra, ca = sm["draw"]["A"]
            pb, rb, cb = sm["draw"]["B"]
            ap, bp = self._source(page, pa), self._source(page, pb)
            R = stacks["R"]
            for key, pg in (("A", ap), ("B", bp), ("R", page)):
                stk = stacks[key]
                px, py = self._page_xy(stk, pg)
                # the active page comes to the front, outlined
                kind, v = {"A": ("div", -0.55), "B": ("div", 0.55), "R": ("seq", 0.4)}[key]
                sc.grid(px, py, stk["cols"] * cs, stk["rows"] * cs, stk["rows"], stk["cols"],
                        [v] * (stk["rows"] * stk["cols"]), cmap=kind, vmin=-1 if kind == "div" else 0, vmax=1)
                sc.rect(px, py, stk["cols"] * cs, stk["rows"] * cs, stroke="ink", lw=1.5)
            rx, ry = self._page_xy(R, page)
            if add:
                ia, ja = self._source(i, ra), self._source(j, ca)
                ib, jb = self._source(i, rb), self._source(j, cb)
                ax, ay = self._page_xy(stacks["A"], ap)
                bx, by = self._page_xy(stacks["B"], bp)
                sc.rect(ax + ja * cs, ay + ia * cs, cs, cs, fill="hl", stroke="accent2", lw=2.5)
                sc.rect(bx + jb * cs, by + ib * cs, cs, cs, fill="hl", stroke="accent2", lw=2.5)
                caption = (f"NumPy entry {self._index(result, page, i, j)} = A{self._index(a, ap, ia, ja)} + "
                           f"B{self._index(b, bp, ib, jb)}")
            else:
                ax, ay = self._page_xy(stacks["A"], ap)
                bx, by = self._page_xy(stacks["B"], bp)
                sc.rect(ax, ay + i * cs, ca * cs, cs, fill="hl", stroke="accent2", lw=2.5, alpha=0.9)
                sc.rect(bx + j * cs, by, cs, rb * cs, fill="hl", stroke="accent2", lw=2.5, alpha=0.9)
                reuse = ""
                if pa == 1 and R["pages"] > 1:
                    reuse = " (A's one matrix serves every page)"
                elif pb == 1 and R["pages"] > 1:
                    reuse = " (B's one matrix serves every page)"
                # the entry's NumPy index: a 1-D operand's added axis is not in the result
                idx = ((page,) if len(result) > (not sm["added_a"]) + (not sm["added_b"]) else ()) + \
                    ((i,) if not sm["added_a"] else ()) + ((j,) if not sm["added_b"] else ())
                a_part = "vector A (as a row)" if sm["added_a"] else f"row {i} of A"
                b_part = "vector B (as a column)" if sm["added_b"] else f"column {j} of B"
                caption = (f"NumPy entry [{', '.join(str(v) for v in idx)}]: {a_part} meets {b_part}, "
                           f"{ca} numbers each{reuse}")
            sc.rect(rx + j * cs, ry + i * cs, cs, cs, fill="hl", stroke="accent2", lw=2.5)
        sc.text(20, 574, caption, size=SMALL, fill="accent2" if cur else "bad", bold=True, base="t")
        n_out = numel(result) if result is not None else 0
        tel = [
            metric("a", "shape of A", numel(a), fmt_shape(a), ""),
            metric("b", "shape of B", numel(b), fmt_shape(b), ""),
            metric("legal", f"A {'+' if add else '@'} B legal?", 1 if result is not None else 0,
                   "yes" if result is not None else "no", ""),
            metric("result", "result shape", n_out, fmt_shape(result) if result is not None else "none", ""),
            metric("elements", "elements in the result", n_out, _c(n_out), ""),
        ]
        return sc.items, tel

    @staticmethod
    def _index(shape, page: int, i: int, j: int) -> str:
        """The NumPy index (0-based) of an entry of an operand of ``shape``."""
        full = (page, i, j)[3 - len(shape):] if shape else ()
        return "[" + ", ".join(str(v) for v in full) + "]"

    def _shape_events(self, t0: float, t1: float) -> list[dict]:
        sm = self.cached("shapes", self._shape_static)["sm"]
        lines = []
        if t0 < 0 <= t1:
            op = "+" if sm["add"] else "@"
            if sm["ok"]:
                lines.append(f"{fmt_shape(sm['a'])} {op} {fmt_shape(sm['b'])} is legal: the result is "
                             f"{fmt_shape(sm['result'])}, {_c(numel(sm['result']))} elements.")
            else:
                lines.append(f"{fmt_shape(sm['a'])} {op} {fmt_shape(sm['b'])} is not legal: {sm['error']}.")
        skipped = 0
        if sm["ok"]:
            p, r, c = sm["draw"]["R"]
            skipped, rows = crossings(t0, t1, c * CELL_S)
            for n in rows:
                page, i = divmod((n - 1) % (p * r), r)
                lines.append(self._row_line(sm, page, i))
        return summarise(lines, skipped)

    def _row_line(self, sm: dict, page: int, i: int) -> str:
        """What one finished row of the result read, in words (the broadcast copies named)."""
        pa, ra, ca = sm["draw"]["A"]
        pb, rb, cb = sm["draw"]["B"]
        P, R, C = sm["draw"]["R"]
        where = f"page {page}, row {i}" if len(sm["result"]) == 3 else f"row {i}"
        notes = []
        for name, pp, rr, cc in (("A", pa, ra, ca), ("B", pb, rb, cb)):
            if pp == 1 and P > 1:
                notes.append(f"{name}'s only page serves page {page}")
            if sm["add"] and rr == 1 and R > 1:
                notes.append(f"{name}'s only row is reused")
            if sm["add"] and cc == 1 and C > 1:
                notes.append(f"{name}'s single column is repeated {C} times")
        if sm["add"]:
            head = (f"{where} of A + B: A's row {self._source(i, ra)} + B's row {self._source(i, rb)}, "
                    f"{C} entries")
        else:
            head = f"{where} of A @ B: row {i} of A against each of B's {C} columns, {C} entries"
        return head + ("; " + "; ".join(notes) if notes else "") + "."

    # -- elements and bytes ----------------------------------------------------------------

    def format_at(self, t: float) -> str:
        """The format shown at time ``t``: the chosen one, or the tour's current stop."""
        f = self["fmt"]
        if f != "auto":
            return f
        return FORMATS[int(t // FORMAT_S) % len(FORMATS)]

    def _bytes_numbers(self) -> dict:
        model = get_model(MODEL)
        proj = self["proj"]
        d_in, d_out = layer_projections(model)[proj]
        shape = (d_out, d_in)
        per_fmt = {}
        for f in FORMATS:
            per_fmt[f] = {"bytes": tensor_bytes(shape, f), "layers": tensor_bytes((model.layers,) + shape, f),
                          "model": weight_bytes(model, f), "per": get_format(f).bytes_per_param,
                          "label": get_format(f).label.split()[0]}
        return {"proj": proj, "shape": shape, "count": numel(shape), "layers": model.layers,
                "params": param_count(model), "fmt": per_fmt, "d_in": d_in, "d_out": d_out}

    def _bytes_static(self) -> dict:
        nums = self._bytes_numbers()
        sc = Scene(*self.size)
        d_out, d_in = nums["shape"]
        self._header(sc, "Elements \u00d7 bytes per element = bytes",
                     f"Llama 3 8B's W ({nums['proj']}): the same {_c(nums['count'])} numbers stored four ways.")
        # the matrix, its aspect ratio true
        box_w, box_h = 230.0, 200.0
        s = min(box_w / d_in, box_h / d_out)
        w, h = d_in * s, d_out * s
        x0, y0 = 20 + (box_w - w) / 2, 84 + (box_h - h) / 2
        sc.rect(x0, y0, w, h, fill="accent3", alpha=0.2, stroke="accent3", lw=1.5, label=f"W ({nums['proj']})")
        sc.text(20 + box_w / 2, 300, f"W ({nums['proj']}): {_c(d_out)} \u00d7 {_c(d_in)}", size=BODY,
                bold=True, align="c", base="t")
        sc.text(20, 330, f"elements: \u03a0 of the shape = {_c(d_out)} \u00b7 {_c(d_in)} = {_c(nums['count'])}",
                size=BODY, base="t")
        # the bars, one per format, all to one scale
        top, bar_x, bar_w = 372.0, 250.0, 500.0
        widest = max(v["bytes"] for v in nums["fmt"].values())
        for i, f in enumerate(FORMATS):
            v = nums["fmt"][f]
            y = top + i * 34
            per = v["per"]
            per_s = "\u00bd" if per == 0.5 else f"{per:g}"
            sc.text(20, y + 12, f"{v['label']}: {per_s} byte{'s' if per > 1 else ''} each", size=SMALL,
                    base="m")
            sc.rect(bar_x, y, bar_w * v["bytes"] / widest, 24, fill="panel", stroke="faint", label=f)
            sc.text(bar_x + bar_w * v["bytes"] / widest + 10, y + 12, fmt_bytes(v["bytes"]), size=SMALL,
                    base="m", bold=True)
        return {"items": sc.items, "nums": nums, "bars": (top, bar_x, bar_w, widest)}

    def _draw_bytes(self, t: float):
        st = self.cached("bytes", self._bytes_static)
        f = self.format_at(t)
        items, tel = self.memo("bytes-state", f, lambda: self._bytes_state(f, st))
        sc = self.new_scene()
        sc.items = list(st["items"]) + list(items)
        return sc, tel

    def _bytes_state(self, f: str, st: dict):
        nums = st["nums"]
        v = nums["fmt"][f]
        sc = Scene(*self.size)
        top, bar_x, bar_w, widest = st["bars"]
        i = FORMATS.index(f)
        sc.rect(bar_x, top + i * 34, bar_w * v["bytes"] / widest, 24, fill="accent", alpha=0.85)
        sc.rect(16, top + i * 34 - 4, 924, 32, stroke="accent2", lw=2, r=4)
        # a window of memory, byte by byte, filled with elements of this format
        wx, wy, box = 290.0, 110.0, 40.0
        per = v["per"]
        count = int(WINDOW_BYTES / per)
        sc.text(wx, 84, f"{WINDOW_BYTES} bytes of memory hold {count} elements of {v['label']}", size=BODY,
                bold=True, base="t")
        ew = box * per
        for k in range(count):
            sc.rect(wx + k * ew + 1, wy + 22, ew - 2, 46, fill="accent" if k % 2 == 0 else "accent3",
                    alpha=0.55)
        for k in range(WINDOW_BYTES + 1):
            sc.line(wx + k * box, wy + 16, wx + k * box, wy + 74, stroke="ink", lw=1.2)
        sc.line(wx, wy + 16, wx + WINDOW_BYTES * box, wy + 16, stroke="ink", lw=1.2)
        sc.line(wx, wy + 74, wx + WINDOW_BYTES * box, wy + 74, stroke="ink", lw=1.2)
        for k in range(0, WINDOW_BYTES, 4):
            sc.text(wx + k * box + box / 2, wy + 84, f"byte {k}", size=SMALL, fill="muted", align="l", base="t")
        if per >= 1:
            for k in range(count):
                # a NumPy index, counting from 0: the first row's elements in storage order
                label = f"W[0,{k}]"
                if len(label) * SMALL * 0.56 <= ew - 4:
                    sc.text(wx + k * ew + ew / 2, wy + 45, label, size=SMALL, align="c", fill="ink",
                            bold=True)
        note = {1: "one element per byte", 0.5: "two elements share each byte"}.get(per, f"{per:g} bytes per element")
        sc.text(wx, wy + 112, f"{note}: {v['label']} elements are {int(per * 8)} bits wide", size=SMALL,
                fill="muted", base="t")
        sc.text(wx, wy + 140, f"{_c(nums['count'])} \u00d7 {per:g} B = {fmt_bytes(v['bytes'])}", size=BODY + 2,
                bold=True, fill="accent", base="t")
        sc.text(wx, wy + 172, f"all {nums['layers']} layers' W ({nums['proj']}): {fmt_bytes(v['layers'])}; "
                              f"whole model ({fmt_count(nums['params'])} parameters): {fmt_bytes(v['model'])}",
                size=SMALL, base="t")
        sc.text(20, 520, "4-bit weights also carry scale numbers, one per small group of elements, "
                         "left out here; Part 4 counts them.", size=SMALL, fill="muted", base="t")
        sc.text(20, 548, "fewer bytes per element: smaller weights, but fewer distinct values per number",
                size=SMALL, fill="muted", base="t")
        tel = [
            metric("elements", "elements (Π of the shape)", nums["count"], _c(nums["count"]), ""),
            metric("per", f"bytes per element ({v['label']})", per, f"{per:g} B", "B"),
            metric("bytes", "this matrix", v["bytes"], fmt_bytes(v["bytes"]), "B"),
            metric("layers", f"× {nums['layers']} layers", v["layers"], fmt_bytes(v["layers"]), "B"),
            metric("model", "whole model's weights", v["model"], fmt_bytes(v["model"]), "B"),
        ]
        return sc.items, tel

    def _bytes_events(self, t0: float, t1: float) -> list[dict]:
        nums = self.cached("bytes", self._bytes_static)["nums"]
        lines = []
        skipped, stops = crossings(t0, t1, FORMAT_S) if self["fmt"] == "auto" else (0, range(0))
        stops = list(stops)
        if t0 < 0 <= t1:
            stops = [0] + stops
        for n in stops:
            f = self["fmt"] if self["fmt"] != "auto" else FORMATS[n % len(FORMATS)]
            v = nums["fmt"][f]
            lines.append(f"{v['label']}: {_c(nums['count'])} elements \u00d7 {v['per']:g} B = "
                         f"{fmt_bytes(v['bytes'])}.")
        return summarise(lines, skipped)
