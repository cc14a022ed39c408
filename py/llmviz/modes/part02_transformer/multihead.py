"""Multi-head attention on the book's tiny trained model, and what the number of heads costs.

Every number in the first three views is the tiny model's own (``llmviz.lm``:
2 layers, d_model 64, 4 heads of 16, trained on the book's prose), read
from the same incremental :class:`~llmviz.lm.model.Reading` the attention
chapter's trained-head view uses: each head's weights and the cached values
give the heads' outputs, and the layer's W_Q and W_O are the shipped
matrices. Views:

* ``heads``: the four heads of one layer side by side on one sentence, rows
  arriving together as the model reads token after token;
* ``split``: one token's x times W_Q, and the 64 numbers of the product cut
  into h slices (the model's own h = 4, or a regrouping into 1, 2, 8, 16);
* ``concat``: the heads' outputs concatenated and multiplied by W_O, built
  up head by head as a sum of each head's share;
* ``cost``: parameters, FLOPs and scores per token of a real model's layer
  for every head count that divides its width (``llmviz.calc.multihead``).

The model loads when a view that needs it first draws; the cost view never
reads it.
"""
from __future__ import annotations

import math

from ...calc.attention import entropy_bits, score_matrix_bytes
from ...calc.multihead import (
    head_columns,
    head_counts,
    head_dim,
    mha_core_flops_per_token,
    mha_param_count,
    mha_projection_flops_per_token,
    mha_scores_per_token,
    output_by_head,
    split_heads,
)
from ...calc.shapes import fmt_shape, matmul_shape
from ...catalog import get_model
from ...core import Choice, Mode, Number, Scene, Submode
from ...core.mode import metric
from ...core.plot import Plot
from ...units import fmt_bytes, fmt_count, fmt_flops, fmt_sci
from . import trained_head as th

N_LAYER, N_HEAD = th.N_LAYER, th.N_HEAD
D_MODEL = 64                      # the shipped model's width (a test checks it against its header)
SPLIT_HEADS = (1, 2, 4, 8, 16)    # regroupings of the 64 numbers the split view offers
#: MHA models of the catalog (every head has its own keys and values), for the cost view
COST_MODELS = ("llama-2-7b", "llama-2-13b", "opt-13b")

ARRIVE = th.ARRIVE                # seconds between two tokens in the heads view
SPLIT_STEP = 1.6                  # seconds the split view rests on each head
CONCAT_STEP = 1.5                 # seconds between two heads joining the sum
HEAT_STEPS = 20                   # weight matrices and vectors cross as whole twentieths of their largest entry
WEIGHT_STEPS = 100                # attention weights cross as whole hundredths
#: Read-ahead per frame once the sentence a view shows is read (or in a view that does not animate
#: the reading): the other sentences only need to be ready before a reader picks one, so half
#: the heads view's pace (trained_head.PREFETCH) reads all four in about 40 s at 60 frames a second.
PREFETCH_IDLE = 2

TITLE, SUB, BODY, SMALL = 20, 15, 16, 14
# shared geometry of the split and concat views: a vertical vector, a 64 × 64 matrix, a strip below it
VX, MX, MY, PX = 70, 100, 124, 5  # vector's left edge, matrix's left and top edges, pixels per entry
RX = 470                          # left edge of the right-hand panel


# --------------------------------------------------------------------------
# the tiny model's numbers


def n_tokens(sentence: int) -> int:
    """Tokens in sentence ``sentence`` of :data:`trained_head.SENTENCES`."""
    return len(th.tokens(sentence))


def labels(sentence: int) -> list[str]:
    """The sentence's tokens as the views print them (a leading space as "·")."""
    return [th.token_label(t) for t in th.tokens(sentence)]


def head_outputs(sentence: int, layer: int, pos: int) -> list[list[float]]:
    """Each head's output o⁽ᵏ⁾ = Σ_j a_j v_j for query ``pos`` in ``layer`` (4 rows of 16).

    The weights and values are the model's own, from its KV cache as it read
    the sentence; the sum runs in the model's order, so each output is the
    one its forward pass concatenates.
    """
    r = th.reading(sentence)
    r.ensure(pos + 1)
    out = []
    for h in range(N_HEAD):
        w = r.weights[pos][layer][h]
        vs = r.cache.v[layer][h][:pos + 1]
        out.append([sum(a * v[c] for a, v in zip(w, vs)) for c in range(len(vs[0]))])
    return out


def w_o_rows(layer: int) -> list[list[float]]:
    """W_O of ``layer`` as its 64 rows (the model keeps its columns)."""
    return [list(r) for r in zip(*th.model().layers[layer].w_o_t)]


def attention_output(sentence: int, layer: int, pos: int) -> list[float]:
    """concat(o⁽⁰⁾…o⁽³⁾)·W_O for query ``pos``: the layer's attention output, by the model's own product."""
    from ...lm.model import matvec_t

    concat = [v for o in head_outputs(sentence, layer, pos) for v in o]
    return matvec_t(concat, th.model().layers[layer].w_o_t)


def layer_input(sentence: int, layer: int, pos: int) -> list[float]:
    """The vector W_Q multiplies for token ``pos`` in ``layer``: RMSNorm of the stream times the gain.

    Layer 0 reads the token's embedding; layer 1 reads the stream after
    layer 0's attention and feed-forward sublayers added their outputs to it.
    """
    from ...lm.model import rmsnorm

    m = th.model()
    x = list(m.tok_emb[th.tokens(sentence)[pos]])
    for li in range(layer):
        x = [a + b for a, b in zip(x, attention_output(sentence, li, pos))]
        # the model's own feed-forward sublayer, so this is the stream its next layer reads
        _, ffn = m._ffn(m.layers[li], rmsnorm(x, m.layers[li].ffn_norm, m.cfg.eps))
        x = [a + b for a, b in zip(x, ffn)]
    return rmsnorm(x, m.layers[layer].attn_norm, m.cfg.eps)


def query_vector(sentence: int, layer: int, pos: int) -> list[float]:
    """q = x·W_Q for token ``pos`` in ``layer`` (64 numbers, before RoPE turns each head's pairs)."""
    from ...lm.model import matvec_t

    return matvec_t(layer_input(sentence, layer, pos), th.model().layers[layer].w_q_t)


def short_relation(i: int, j: int) -> str:
    """Key ``j`` as seen from query ``i``, in a word or two."""
    if j == i:
        return "itself"
    if j == i - 1:
        return "previous"
    if j == 0:
        return "first"
    return f"{i - j} back"


def top_keys(row: list[float], k: int = 3) -> list[int]:
    """The ``k`` keys with the largest weights in a row, largest first (earlier key on a tie)."""
    return sorted(range(len(row)), key=lambda j: (-row[j], j))[:k]


def _heat(sc: Scene, x: float, y: float, w: float, h: float, rows: int, cols: int,
          values: list[float], vmax: float, label: str) -> dict:
    """A diverging heatmap of a weight matrix, values sent as whole steps of vmax / HEAT_STEPS.

    Thousands of cells cross to the browser every frame, and whole numbers
    serialise several times faster than decimals at a resolution the colours
    cannot show anyway; no gutters, which at 5 units a cell would be most of
    what shows.
    """
    g = sc.grid(x, y, w, h, rows, cols, [0.0] * (rows * cols), cmap="div", vmin=-HEAT_STEPS,
                vmax=HEAT_STEPS, label=label)
    g["v"] = _steps(values, vmax)
    g.pop("stroke")
    return g


def _steps(values: list[float], vmax: float) -> list[int]:
    """``values`` as whole steps of vmax / HEAT_STEPS, clipped to ±HEAT_STEPS (the colours show no finer)."""
    k = HEAT_STEPS / vmax if vmax else 0.0
    return [max(-HEAT_STEPS, min(HEAT_STEPS, round(v * k))) for v in values]


def _strip(sc: Scene, x: float, y: float, values: list[float], vmax: float, vertical: bool = False,
           px: float = PX, thick: float = 18, label: str = "") -> None:
    """One vector as a row (or column) of cells, on the diverging scale ±vmax, sent as whole steps."""
    n = len(values)
    w, h = (thick, n * px) if vertical else (n * px, thick)
    g = sc.grid(x, y, w, h, n if vertical else 1, 1 if vertical else n, [0.0] * n, cmap="div",
                vmin=-HEAT_STEPS, vmax=HEAT_STEPS, label=label or None)
    g["v"] = _steps(values, vmax)
    g.pop("stroke")


def _div_legend(sc: Scene, x: int, y: int) -> None:
    """What the blue-to-orange colours of the split and concat views mean, in two lines."""
    sc.text(x, y, "below 0", size=SMALL, fill="muted")
    sc.grid(x + 62, y - 6, 90, 12, 1, 9, [5 * k - HEAT_STEPS for k in range(9)], cmap="div",
            vmin=-HEAT_STEPS, vmax=HEAT_STEPS, label="colour scale: below 0, 0, above 0").pop("stroke")
    sc.text(x + 158, y, "above 0", size=SMALL, fill="muted")
    sc.text(x, y + 22, "each picture scaled to its own largest |entry|", size=SMALL, fill="muted")


def _sub(i: int) -> str:
    """A head index as a superscript in parentheses: ⁽²⁾."""
    return "⁽" + str(i).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) + "⁾"


# --------------------------------------------------------------------------
# the mode


class MultiHeadMode(Mode):
    """Several heads side by side, the split of d_model, concat and W_O, and cost against h."""

    id = "p02-c05-multihead"
    chapter = "p02-c05-multihead"
    title = "Multi-head attention"
    params = (
        Choice("sentence", "sentence", "the sentence from the book the tiny model reads",
               options=tuple((str(i), f"“{text}”") for i, (_, text) in enumerate(th.SENTENCES)),
               default="0"),
        Choice("layer", "layer", "which of the tiny model's two layers (counted from 0)",
               options=(("0", "layer 0"), ("1", "layer 1")), default="1"),
        Number("query", "query token",
               "the token whose row, projection or output is shown; a position past the "
               "sentence's end shows its last token", lo=0, hi=th.MAX_TOKENS - 1, step=1, default=12,
               unit="position", integer=True),
        Choice("split_heads", "cut into h heads",
               "how many slices the 64 numbers of x·W_Q are cut into (the model was trained with 4)",
               options=tuple((str(h), f"{h} of {D_MODEL // h}" + (" (as trained)" if h == N_HEAD else ""))
                             for h in SPLIT_HEADS), default=str(N_HEAD)),
        Choice("model", "model", "a real model whose every head has its own keys and values",
               options=tuple((m, get_model(m).display_name) for m in COST_MODELS), default="llama-2-7b"),
        Number("heads", "heads h",
               "head count to price; it snaps to the nearest count that divides the model's width",
               lo=1, hi=1024, step=1, default=32, integer=True, log=True),
        Number("keys", "context N", "keys each new token's query is compared with",
               lo=16, hi=32768, step=1, default=4096, unit="tokens", integer=True, log=True),
    )
    submodes = {
        "heads": Submode("Heads side by side", {}, "the four heads of one layer read the same sentence",
                         ("sentence", "layer", "query")),
        "split": Submode("Split into heads", {}, "x·W_Q in one product, its 64 numbers cut into h slices",
                         ("sentence", "layer", "query", "split_heads")),
        "concat": Submode("Concat and W_O", {}, "the heads' outputs side by side, times W_O: a sum over heads",
                          ("sentence", "layer", "query")),
        "cost": Submode("Cost against h", {}, "parameters, FLOPs and scores of a real layer at every h",
                        ("model", "heads", "keys")),
    }
    default_submode = "heads"
    step_dt = 0.5
    size = (960, 640)

    # -- state -------------------------------------------------------------

    def _sentence(self) -> int:
        return int(self["sentence"])

    def _layer(self) -> int:
        return int(self["layer"])

    def _pos(self) -> int:
        """The query position, clamped to the sentence's last token."""
        return min(self["query"], n_tokens(self._sentence()) - 1)

    def _labels(self) -> list[str]:
        return self.cached("labels", lambda: labels(self._sentence()))

    def _frame_key(self, t: float) -> tuple:
        sub = self.submode
        if sub == "heads":
            n = min(n_tokens(self._sentence()), 1 + int(t // ARRIVE))
            return (n, min(self._pos(), n - 1))
        if sub == "split":
            return (int(t // SPLIT_STEP) % int(self["split_heads"]),)
        if sub == "concat":
            return (min(N_HEAD, 1 + int(t // CONCAT_STEP)),)
        return ()

    def draw(self, t: float):
        key = self._frame_key(t)
        built = []

        def build():
            built.append(True)
            sc = self.new_scene()
            tel = getattr(self, "_draw_" + self.submode)(sc, *key)
            return sc, tel

        hit = self.memo(self.submode, key, build)
        if not built and self.submode != "cost":
            # read ahead a few slices of the model's work on frames that only look a scene up, so a
            # later token (or sentence) is ready before a frame must show it: at the heads view's
            # pace while it still reads its own sentence, at half of it for the others
            si = self._sentence()
            busy = self.submode == "heads" and not th.reading(si).done
            th.prefetch(si, th.PREFETCH if busy else PREFETCH_IDLE)
        return hit

    # -- heads side by side --------------------------------------------------

    def _heads_geometry(self, n_tok: int) -> tuple[int, int, int, float]:
        """(column width, row height, gap, left edge) of the four heatmaps for ``n_tok`` tokens.

        Four heatmaps share the pane's width, so a column is narrow; rows get
        the height the pane has to spare, which keeps each query's row easy to
        follow across the four.
        """
        gap = 24
        cw = min(12, (880 - 3 * gap) // (N_HEAD * n_tok))
        rh = min(14, 286 // n_tok)
        width = N_HEAD * cw * n_tok + 3 * gap
        return cw, rh, gap, 40 + (880 - width) // 2

    def _draw_heads(self, sc: Scene, n: int, focus: int) -> list[dict]:
        si, layer = self._sentence(), self._layer()
        labs = self._labels()
        n_tok = len(labs)
        rows = [th.weights(si, f"{layer}.{h}", n) for h in range(N_HEAD)]
        cw, rh, gap, x0 = self._heads_geometry(n_tok)
        g, gh = cw * n_tok, rh * n_tok
        gy = 104
        sc.text(40, 22, f"Four heads of layer {layer} read the same sentence", size=TITLE, bold=True)
        sc.text(40, 46, "The tiny model's own weights, one row per query. Each head has its own slices of "
                        "W_Q, W_K and W_V.", size=SUB, fill="muted")
        sc.text(812, 22, "weight 0", size=SMALL, fill="muted", align="r")
        sc.grid(818, 16, 80, 12, 1, 8, [round(k * WEIGHT_STEPS / 7) for k in range(8)], vmin=0,
                vmax=WEIGHT_STEPS, label="colour scale of the attention weights").pop("stroke")
        sc.text(904, 22, "1", size=SMALL, fill="muted")
        for j in range(0, n_tok, 5):
            if abs(j - focus) > 1:
                sc.text(x0 - 4, gy + j * rh + rh // 2, str(j), size=SMALL, fill="muted", align="r")
        sc.text(x0 - 4, gy + focus * rh + rh // 2, str(focus), size=SMALL, fill="q", align="r", bold=True)
        for h in range(N_HEAD):
            x = x0 + h * (g + gap)
            sc.text(x, gy - 32, f"head {h}", size=SUB, bold=True)
            sc.text(x + g, gy - 32, "key →", size=SMALL, fill="k", align="r")
            for j in range(0, n_tok, 5):
                sc.text(x + j * cw + cw // 2, gy - 11, str(j), size=SMALL, fill="muted", align="c")
            grid = sc.grid(x, gy, g, n * rh, n, n_tok, [None] * (n * n_tok), vmin=0, vmax=WEIGHT_STEPS,
                           label=f"attention weights of layer {layer}, head {h}")
            grid.pop("stroke")
            # whole hundredths: a quarter of the bytes of four-decimal floats, finer than the colours
            grid["v"] = [v for i in range(n) for v in
                         [round(w * WEIGHT_STEPS) for w in rows[h][i]] + [None] * (n_tok - i - 1)]
            if n < n_tok:
                sc.path([(x + g, gy + n * rh), (x + g, gy + gh), (x, gy + gh), (x, gy + n * rh)],
                        stroke="faint", lw=1.2, dash=[3, 3])
            sc.rect(x - 1, gy + focus * rh - 1, (focus + 1) * cw + 2, rh + 2, stroke="q", lw=2)
            prof = th.profile(rows[h])
            ent = sum(entropy_bits(r) for r in rows[h][1:]) / max(1, n - 1)
            sc.text(x, gy + gh + 18, f"previous {prof.previous:.2f} · first {prof.first:.2f}", size=SMALL)
            sc.text(x, gy + gh + 38, f"itself {prof.itself:.2f} · {ent:.2f} bits", size=SMALL)
        self._heads_panel(sc, rows, focus, labs, x0, g, gap, gy + gh + 76, n)
        where, sentence = th.SENTENCES[si]
        sc.text(40, 596, f"The sentence, from {where}:", size=SUB, fill="muted")
        sc.text(40, 618, f"“{sentence}”", size=SUB)
        return self._heads_telemetry(rows, n, focus, labs)

    def _heads_panel(self, sc: Scene, rows, focus: int, labs, x0: float, g: float, gap: float, y: float,
                     n: int) -> None:
        sc.text(40, y, f"Query {focus}, “{labs[focus]}” (the outlined row): each head's three largest weights",
                size=BODY, bold=True)
        for h in range(N_HEAD):
            x = x0 + h * (g + gap)
            row = rows[h][focus]
            for k, j in enumerate(top_keys(row)):
                yy = y + 28 + 22 * k
                sc.text(x, yy, f"{row[j]:.2f}", size=SMALL, font="mono", fill="q")
                sc.text(x + 40, yy, labs[j], size=SMALL, font="mono", fill="k")
                sc.text(x + g, yy, short_relation(focus, j), size=SMALL, fill="muted", align="r")
        sc.text(40, y + 106, f"Under each head: mean weights on the previous token, the first and itself, and "
                             f"mean row entropy (queries 1–{max(1, n - 1)}).", size=SMALL, fill="muted")

    def _heads_telemetry(self, rows, n: int, focus: int, labs) -> list[dict]:
        tops = [max(range(focus + 1), key=rows[h][focus].__getitem__) for h in range(N_HEAD)]
        tel = [
            metric("layer", "layer", self._layer(), f"layer {self._layer()}", ""),
            metric("read", "tokens read", n, f"{n} of {len(labs)}", "tokens"),
            metric("query", "query in focus", focus, f"{focus} · {labs[focus]}", "position"),
        ]
        for h, j in enumerate(tops):
            w = rows[h][focus][j]
            tel.append(metric(f"top{h}", f"head {h}: largest weight", w,
                              f"{w:.2f} on “{labs[j]}” ({short_relation(focus, j)})", ""))
        tel.append(metric("distinct", "different top keys among the heads", len(set(tops)),
                          f"{len(set(tops))} of {N_HEAD}", "keys"))
        return tel

    # -- split -------------------------------------------------------------

    def _draw_split(self, sc: Scene, focus: int) -> list[dict]:
        si, layer, pos = self._sentence(), self._layer(), self._pos()
        h = int(self["split_heads"])
        dh = head_dim(D_MODEL, h)
        labs = self._labels()
        x = self.cached("split_x", lambda: layer_input(si, layer, pos))
        q = self.cached("split_q", lambda: query_vector(si, layer, pos))
        sc.items.extend(self.cached("split_static", lambda: self._split_static(x, q, h, dh, labs, pos)))
        cols = head_columns(D_MODEL, h, focus)
        # the focus head's band of W_Q and its slice of q
        sc.rect(MX + cols.start * PX, MY, dh * PX, D_MODEL * PX, stroke="accent", lw=2.5)
        sc.rect(MX + cols.start * PX - 1, MY + D_MODEL * PX + 15, dh * PX + 2, 22, stroke="accent", lw=2.5)
        rows_h = min(26, 200 // h)
        gx, gy = RX + (70 if rows_h >= 16 else 0), 148
        cw = min(26, (930 - gx) // dh)
        sc.rect(gx - 1, gy + focus * rows_h - 1, dh * cw + 2, rows_h + 2, stroke="accent", lw=2.5)
        qh = split_heads(q, h)[focus]
        norm = math.sqrt(sum(v * v for v in qh))
        y = 372
        sc.text(RX, y, f"head {focus}: columns {cols.start}–{cols.stop - 1} of W_Q, W_K and W_V",
                size=BODY, bold=True, fill="accent")
        sc.text(RX, y + 24, f"q{_sub(focus)} = x · W_Q[:, {cols.start}:{cols.stop}], {dh} numbers, "
                            f"length {norm:.2f}", size=SMALL)
        sc.text(RX, y + 46, f"its own projections: three {D_MODEL} × {dh} slices, {D_MODEL * dh:,} weights each",
                size=SMALL)
        return [
            metric("heads", "heads h", h, str(h), "heads"),
            metric("d_head", "d_head = d_model / h", dh, f"{D_MODEL} / {h} = {dh}", "numbers"),
            metric("focus", "head in focus", focus, f"head {focus}: columns {cols.start}–{cols.stop - 1}", ""),
            metric("per_head", "weights of one head's W_Q slice", D_MODEL * dh, f"{D_MODEL} × {dh} = {D_MODEL * dh:,}",
                   "weights"),
            metric("w_q", "weights of W_Q, every head", D_MODEL * D_MODEL, f"{D_MODEL * D_MODEL:,} at any h",
                   "weights"),
            metric("q_norm", f"length of head {focus}'s query slice", norm, f"{norm:.2f}", ""),
            metric("token", "token projected", pos, f"{pos} · {labs[pos]}", "position"),
        ]

    def _split_static(self, x, q, h: int, dh: int, labs, pos: int) -> list[dict]:
        """Everything in the split view that holds still while the focus moves from head to head."""
        sc = self.new_scene()
        layer = self._layer()
        w_q_t = th.model().layers[layer].w_q_t
        sc.text(40, 22, f"One product, then a cut: q = x·W_Q into {h} head{'s' if h > 1 else ''} "
                        f"of {dh}", size=TITLE, bold=True)
        sc.text(40, 46, f"Layer {layer}, token {pos} “{labs[pos]}”. The tiny model's own x and W_Q; "
                        "q before RoPE turns its pairs.", size=SUB, fill="muted")
        xm = max(abs(v) for v in x)
        _strip(sc, VX, MY, x, xm, vertical=True, label="x, the normed input")
        sc.text(VX + 9, MY - 12, "x", size=BODY, bold=True, align="c")
        wm = max(abs(v) for col in w_q_t for v in col)
        _heat(sc, MX, MY, D_MODEL * PX, D_MODEL * PX, D_MODEL, D_MODEL,
              [w_q_t[c][r] for r in range(D_MODEL) for c in range(D_MODEL)], wm, f"W_Q of layer {layer}")
        for k in range(h):
            sc.rect(MX + k * dh * PX, MY, dh * PX, D_MODEL * PX, stroke="ink", lw=1)
            if h <= 8 or dh * PX >= 18:
                name = f"head {k}" if dh * PX >= 60 else str(k)
                sc.text(MX + (2 * k + 1) * dh * PX // 2, MY - 12, name, size=SMALL, align="c", fill="accent")
        sc.text(MX, MY - 34, f"W_Q ({D_MODEL} × {D_MODEL}): one band of {dh} columns per head",
                size=SMALL, fill="muted")
        qm = max(abs(v) for v in q)
        _strip(sc, MX, MY + D_MODEL * PX + 16, q, qm, thick=20, label="q = x·W_Q")
        for k in range(1, h):
            xx = MX + k * dh * PX
            sc.line(xx, MY + D_MODEL * PX + 10, xx, MY + D_MODEL * PX + 42, stroke="ink", lw=1.5)
        sc.text(MX - 10, MY + D_MODEL * PX + 26, "q", size=BODY, bold=True, align="r")
        sc.text(MX, MY + D_MODEL * PX + 56, f"q = x · W_Q: {D_MODEL} numbers, cut every {dh}",
                size=SMALL, fill="muted")
        _div_legend(sc, 40, MY + D_MODEL * PX + 92)
        # the reshape: h rows of d_head
        rows_h = min(26, 200 // h)
        gx, gy = RX + (70 if rows_h >= 16 else 0), 148
        cw = min(26, (930 - gx) // dh)
        sc.text(RX, MY, f"The same {D_MODEL} numbers as {h} × {dh}: one row per head", size=SUB, bold=True)
        for k, part in enumerate(split_heads(q, h)):
            _strip(sc, gx, gy + k * rows_h, part, qm, px=cw, thick=rows_h - 2)
            if rows_h >= 16:
                sc.text(RX, gy + k * rows_h + rows_h // 2, f"head {k}", size=SMALL, fill="accent")
        # the whole layer as batched products, shapes from calc.shapes
        n = len(labs)
        self._shape_lines(sc, n, h, dh, 458)
        sc.text(40, 604, f"Cutting changes no weight: W_Q holds {D_MODEL}·{D_MODEL} = {D_MODEL * D_MODEL:,} "
                         f"at every h. The model was trained with h = {N_HEAD}.", size=SUB)
        return sc.items

    @staticmethod
    def _shape_lines(sc: Scene, n: int, h: int, dh: int, y: float) -> None:
        d = D_MODEL
        q_all = matmul_shape((n, d), (d, d))
        heads = (h, n, dh)
        scores = matmul_shape(heads, (h, dh, n))
        mixed = matmul_shape(scores, heads)
        out = matmul_shape((n, d), (d, d))
        lines = (
            f"X {fmt_shape((n, d))} @ W_Q {fmt_shape((d, d))} → {fmt_shape(q_all)}",
            f"cut and swap axes → {fmt_shape(heads)}",
            f"scores {fmt_shape(heads)} @ {fmt_shape((h, dh, n))} → {fmt_shape(scores)}",
            f"weights @ V → {fmt_shape(mixed)}",
            f"merge {fmt_shape((n, d))} @ W_O {fmt_shape((d, d))} → {fmt_shape(out)}",
        )
        sc.text(RX, y, f"All {n} tokens, every head at once:", size=SMALL, fill="muted")
        for k, s in enumerate(lines):
            sc.text(RX, y + 24 + 22 * k, s, size=SMALL, font="mono")

    # -- concat and W_O ------------------------------------------------------

    def _concat_numbers(self) -> dict:
        def calc():
            si, layer, pos = self._sentence(), self._layer(), self._pos()
            outs = head_outputs(si, layer, pos)
            rows = w_o_rows(layer)
            shares = output_by_head(outs, rows)
            full = attention_output(si, layer, pos)
            top = sorted(range(D_MODEL), key=lambda j: -abs(full[j]))[:3]
            vmax = max(abs(v) for r in shares + [full] for v in r)
            return {"outs": outs, "rows": rows, "shares": shares, "full": full, "dims": sorted(top),
                    "vmax": vmax}
        return self.cached("concat", calc)

    def _draw_concat(self, sc: Scene, added: int) -> list[dict]:
        c = self._concat_numbers()
        sc.items.extend(self.cached("concat_static", lambda: self._concat_static(c)))
        shares, full = c["shares"], c["full"]
        dh = D_MODEL // N_HEAD
        # the newest head's slice of the concatenation and its band of W_O's rows
        k = added - 1
        sc.rect(VX - 1, MY + k * dh * PX - 1, 20, dh * PX + 2, stroke="accent", lw=2.5)
        sc.rect(MX, MY + k * dh * PX, D_MODEL * PX, dh * PX, stroke="accent", lw=2.5)
        vmax = c["vmax"]
        sx = RX + 96
        for h in range(added):
            _strip(sc, sx, 150 + 40 * h, shares[h], vmax, thick=20)
            sc.text(930, 160 + 40 * h, f"{math.sqrt(sum(v * v for v in shares[h])):.2f}", size=SMALL,
                    font="mono", align="r")
        run = [sum(shares[h][j] for h in range(added)) for j in range(D_MODEL)]
        _strip(sc, sx, 330, run, vmax, thick=20)
        diff = max(abs(a - b) for a, b in zip(run, full))
        done = added == N_HEAD
        sc.text(RX, 412, (f"all {N_HEAD} added: equal to concat · W_O within {fmt_sci(diff, digits=2)}"
                          if done else f"after {added} of {N_HEAD} heads: largest difference {diff:.3f}"),
                size=SUB, bold=done, fill="good" if done else "ink")
        self._concat_table(sc, c, added)
        return [
            metric("layer", "layer", self._layer(), f"layer {self._layer()}", ""),
            metric("query", "query", self._pos(), f"{self._pos()} · {self._labels()[self._pos()]}", "position"),
            metric("added", "heads added to the sum", added, f"{added} of {N_HEAD}", "heads"),
            metric("diff", "largest |running sum − concat·W_O|", diff, fmt_sci(diff, digits=2) if done
                   else f"{diff:.3f}", ""),
        ] + [metric(f"share{h}", f"length of head {h}'s share",
                    math.sqrt(sum(v * v for v in shares[h])),
                    f"{math.sqrt(sum(v * v for v in shares[h])):.3f}", "") for h in range(N_HEAD)] + [
            metric("out_len", "length of the layer's attention output", math.sqrt(sum(v * v for v in full)),
                   f"{math.sqrt(sum(v * v for v in full)):.3f}", ""),
        ]

    def _concat_static(self, c: dict) -> list[dict]:
        sc = self.new_scene()
        layer, pos, labs = self._layer(), self._pos(), self._labels()
        dh = D_MODEL // N_HEAD
        sc.text(40, 22, "Concatenate, then project: the output is a sum over heads", size=TITLE, bold=True)
        sc.text(40, 46, f"Layer {layer}, query {pos} “{labs[pos]}”: concat(o⁽⁰⁾…o⁽³⁾) · W_O "
                        f"= Σₖ o⁽ᵏ⁾ · W_O⁽ᵏ⁾, with W_O⁽ᵏ⁾ head k's {dh} rows of W_O.", size=SUB, fill="muted")
        concat = [v for o in c["outs"] for v in o]
        om = max(abs(v) for v in concat)
        _strip(sc, VX, MY, concat, om, vertical=True, label="the heads' outputs, concatenated")
        for h in range(N_HEAD):
            sc.text(VX - 6, MY + (2 * h + 1) * dh * PX // 2, f"o{_sub(h)}", size=SMALL, align="r", fill="accent")
            if h:
                sc.line(VX - 4, MY + h * dh * PX, VX + 22, MY + h * dh * PX, stroke="ink", lw=1.5)
        rows = c["rows"]
        wm = max(abs(v) for r in rows for v in r)
        _heat(sc, MX, MY, D_MODEL * PX, D_MODEL * PX, D_MODEL, D_MODEL, [v for r in rows for v in r], wm,
              f"W_O of layer {layer}")
        for h in range(N_HEAD):
            sc.rect(MX, MY + h * dh * PX, D_MODEL * PX, dh * PX, stroke="ink", lw=1)
        sc.text(MX, MY - 12, f"W_O ({D_MODEL} × {D_MODEL}): one band of {dh} rows per head", size=SMALL,
                fill="muted")
        full, vmax = c["full"], c["vmax"]
        _strip(sc, MX, MY + D_MODEL * PX + 16, full, vmax, thick=20, label="concat · W_O")
        sc.text(MX, MY + D_MODEL * PX + 56, "concat · W_O, in one product", size=SMALL,
                fill="muted")
        _div_legend(sc, 40, MY + D_MODEL * PX + 92)
        sc.text(VX + 20, MY - 12, "concat", size=SMALL, bold=True, align="r")
        sx = RX + 96
        sc.text(RX, MY, f"Each head's share o⁽ᵏ⁾ · W_O⁽ᵏ⁾ ({D_MODEL} numbers)", size=SUB, bold=True)
        sc.text(930, MY, "length", size=SMALL, fill="muted", align="r")
        for h in range(N_HEAD):
            sc.rect(sx, 150 + 40 * h, D_MODEL * PX, 20, fill="panel")
            sc.text(RX, 160 + 40 * h, f"head {h}", size=SMALL, fill="accent")
        sc.rect(sx, 330, D_MODEL * PX, 20, fill="panel")
        sc.text(RX, 340, "running sum", size=SMALL, bold=True)
        _strip(sc, sx, 370, full, vmax, thick=20)
        sc.text(RX, 380, "concat · W_O", size=SMALL, bold=True)
        return sc.items

    def _concat_table(self, sc: Scene, c: dict, added: int) -> None:
        dims = c["dims"]
        x0, y0 = RX, 452
        colx = [x0 + 250 + 85 * k for k in range(len(dims))]
        sc.text(x0, y0, "entries of the output:", size=SMALL, fill="muted")
        for x, j in zip(colx, dims):
            sc.text(x, y0, f"[{j}]", size=SMALL, font="mono", align="r", fill="muted")
        lines = [(f"head {h}", c["shares"][h], h < added) for h in range(N_HEAD)]
        run = [sum(c["shares"][h][j] for h in range(added)) for j in range(D_MODEL)]
        lines += [("running sum", run, True), ("concat · W_O", c["full"], True)]
        for r, (name, vec, shown) in enumerate(lines):
            y = y0 + 22 * (r + 1)
            sc.text(x0, y, name, size=SMALL, bold=r >= N_HEAD, fill="ink" if shown else "faint")
            for x, j in zip(colx, dims):
                sc.text(x, y, f"{vec[j]:.3f}".replace("-", "\u2212") if shown else "·", size=SMALL,
                        font="mono", align="r",
                        fill="ink" if shown else "faint")

    # -- cost against h --------------------------------------------------------

    def _cost_numbers(self) -> dict:
        def calc():
            m = get_model(self["model"])
            d = m.hidden
            counts = head_counts(d)
            want = self["heads"]
            h = min(counts, key=lambda c: (abs(math.log(c / want)), c))
            n = self["keys"]
            bias = m.attn_bias == "all"
            return {"m": m, "d": d, "counts": counts, "h": h, "want": want, "n": n, "bias": bias,
                    "params": mha_param_count(d, h, bias), "proj": mha_projection_flops_per_token(d, h),
                    "core": mha_core_flops_per_token(d, h, n), "scores": mha_scores_per_token(h, n),
                    "own": m.heads, "bytes": score_matrix_bytes(n, heads=h)}
        return self.cached("cost", calc)

    def _draw_cost(self, sc: Scene) -> list[dict]:
        s = self._cost_numbers()
        m, d, h, n, own = s["m"], s["d"], s["h"], s["n"], s["own"]
        dh = d // h
        counts = s["counts"]
        sc.text(40, 22, f"What h changes in one layer of {m.display_name} (d_model = {d:,})", size=TITLE,
                bold=True)
        sc.text(40, 46, f"Every h that divides {d:,}, with d_head = {d:,} / h. Ringed: its own {own} heads of "
                        f"{d // own}. Dot: h = {h}.", size=SUB, fill="muted")
        xt = [c for c in (1, 4, 16, 64, 256, 1024, 4096) if counts[0] <= c <= counts[-1]]
        # left: FLOPs per token, flat in h
        flat = [("projections: 8·d_model²", lambda c: mha_projection_flops_per_token(d, c), "q"),
                ("scores and sums: 4·N·d_model", lambda c: mha_core_flops_per_token(d, c, n), "k")]
        ys = [f(c) for _, f, _ in flat for c in counts]
        e0, e1 = math.floor(math.log10(min(ys))) - 1, math.ceil(math.log10(max(ys))) + 1
        p = Plot(110, 104, 330, 250, (counts[0], counts[-1]), (10.0 ** e0, 10.0 ** e1), xlog=True, ylog=True)
        p.frame(sc, xticks=xt, yticks=[10.0 ** e for e in range(e0, e1 + 1)], size=SMALL,
                xlabel="heads h (log scale)")
        sc.text(110, 90, "FLOPs per token and layer: flat", size=BODY, bold=True, base="b")
        upper = max(range(len(flat)), key=lambda k: (flat[k][1](own), -k))
        for k, (label, f, col) in enumerate(flat):
            p.polyline(sc, [(c, f(c)) for c in counts], stroke=col, lw=2.4)
            # the upper line named above it, the lower below it, both clear of the markers (radius 8)
            y_line = p.fy(f(own))
            above = k == upper
            sc.text(434, round(y_line - 10 if above else y_line + 10), label, size=SMALL, fill=col,
                    align="r", base="b" if above else "t")
            sc.circle(round(p.fx(own), 1), round(p.fy(f(own)), 1), 8, stroke="ink", lw=1.5)
            sc.circle(round(p.fx(h), 1), round(p.fy(f(h)), 1), 5, fill=col)
        # right: scores per token, proportional to h
        sc_lo, sc_hi = counts[0] * n, counts[-1] * n
        f0, f1 = math.floor(math.log10(sc_lo)), math.ceil(math.log10(sc_hi))
        q = Plot(590, 104, 330, 250, (counts[0], counts[-1]), (10.0 ** f0, 10.0 ** f1), xlog=True, ylog=True)
        step = max(1, (f1 - f0 + 4) // 5)
        q.frame(sc, xticks=xt, yticks=[10.0 ** e for e in range(f0, f1 + 1, step)], size=SMALL,
                xlabel="heads h (log scale)")
        sc.text(590, 90, f"Scores per token and layer: h · N", size=BODY, bold=True, base="b")
        q.polyline(sc, [(c, mha_scores_per_token(c, n)) for c in counts], stroke="accent3", lw=2.4)
        sc.circle(round(q.fx(own), 1), round(q.fy(mha_scores_per_token(own, n)), 1), 8, stroke="ink", lw=1.5)
        sc.circle(round(q.fx(h), 1), round(q.fy(s["scores"]), 1), 5, fill="accent3")
        bias = " + 4·d_model biases" if s["bias"] else ""
        left = [
            (f"h = {h}: {h} head{'s' if h > 1 else ''} of d_head = {dh:,}", "ink", True),
            (f"parameters: 4·d_model²{bias} = {s['params']:,}", "ink", False),
            (f"projections: {fmt_flops(s['proj'])} per token", "q", False),
            (f"scores, sums at N = {n:,}: {fmt_flops(s['core'])} per token", "k", False),
        ]
        right = [
            (f"scores per token: {h} · {n:,} = {s['scores']:,}", "accent3", False),
            (f"all score matrices at N = {n:,}: {fmt_bytes(s['bytes'])}", "accent3", False),
            (f"(h matrices of N × N, 2 bytes a score)", "muted", False),
            (f"one head's W_Q slice: {d:,} × {dh:,} = {d * dh:,}", "ink", False),
        ]
        for k, (line, col, bold) in enumerate(left):
            sc.text(40, 420 + 26 * k, line, size=BODY if k == 0 else SMALL, fill=col, bold=bold)
        for k, (line, col, bold) in enumerate(right):
            sc.text(520, 420 + 26 * k, line, size=SMALL, fill=col, bold=bold)
        if s["want"] != h:
            sc.text(40, 540, f"h = {s['want']} does not divide {d:,}; the nearest head count that does is {h}.",
                    size=SMALL, fill="warn")
        sc.text(40, 574, "A head's queries, keys and values are slices of the same four matrices: more heads "
                         "means", size=SUB)
        sc.text(40, 598, "thinner slices, not more weights or FLOPs. What grows is the number of scores "
                         "and softmaxes.", size=SUB)
        return [
            metric("h", "heads h", h, f"{h} of {dh}", "heads"),
            metric("d_head", "d_head", dh, str(dh), "numbers"),
            metric("params", f"attention parameters per layer (4·d_model²{bias})", s["params"],
                   f"{s['params']:,}", "parameters"),
            metric("proj", "projection FLOPs per token", s["proj"], fmt_flops(s["proj"]), "FLOP"),
            metric("core", f"score and sum FLOPs per token at N = {n:,}", s["core"], fmt_flops(s["core"]), "FLOP"),
            metric("scores", "scores per token (h·N)", s["scores"], f"{s['scores']:,}", "scores"),
            metric("bytes", f"all heads' score matrices at N = {n:,} (BF16)", s["bytes"], fmt_bytes(s["bytes"]), "B"),
        ]

    # -- console ---------------------------------------------------------------

    def events(self, t0: float, t1: float) -> list[dict]:
        sub = self.submode
        out: list[dict] = []
        if sub == "heads":
            si, layer = self._sentence(), self._layer()
            n_tok = n_tokens(si)
            labs = self._labels()
            for i in range(n_tok):
                at = i * ARRIVE
                if t0 < at <= t1 or (i == 0 and t0 < 0 <= t1):
                    tops = []
                    for h in range(N_HEAD):
                        row = th.weights(si, f"{layer}.{h}", i + 1)[i]
                        tops.append(f"“{labs[max(range(i + 1), key=row.__getitem__)]}”")
                    out.append({"level": "info", "text":
                                f"token {i} “{labs[i]}” read by all {N_HEAD} heads at once; their largest "
                                f"weights fall on {', '.join(tops)}"})
        elif sub == "split":
            h = int(self["split_heads"])
            first = max(0, int(max(t0, 0) // SPLIT_STEP))
            for step in range(first, int(t1 // SPLIT_STEP) + 1):
                at = step * SPLIT_STEP
                if t0 < at <= t1 or (step == 0 and t0 < 0 <= t1):
                    k = step % h
                    cols = head_columns(D_MODEL, h, k)
                    out.append({"level": "info", "text":
                                f"head {k} takes columns {cols.start}–{cols.stop - 1} of W_Q, W_K and W_V: "
                                f"its query is q[{cols.start}:{cols.stop}], {len(cols)} of the {D_MODEL} numbers"})
        elif sub == "concat":
            c = self._concat_numbers()
            for k in range(N_HEAD):
                at = k * CONCAT_STEP
                if t0 < at <= t1 or (k == 0 and t0 < 0 <= t1):
                    run = [sum(c["shares"][h][j] for h in range(k + 1)) for j in range(D_MODEL)]
                    diff = max(abs(a - b) for a, b in zip(run, c["full"]))
                    text = (f"head {k} adds o{_sub(k)} · W_O{_sub(k)}: the running sum is now within "
                            f"{diff:.3f} of concat · W_O")
                    if k == N_HEAD - 1:
                        text = (f"head {k} adds its share: the sum of all {N_HEAD} equals concat · W_O "
                                f"(largest difference {fmt_sci(diff, digits=2)}, rounding)")
                    out.append({"level": "info", "text": text})
        elif sub == "cost" and t0 < 0 <= t1:
            s = self._cost_numbers()
            out.append({"level": "info", "text":
                        f"{s['m'].display_name} at h = {s['h']} (d_head {s['d'] // s['h']}): "
                        f"{s['params']:,} attention parameters per layer, {s['scores']:,} scores per token "
                        f"at N = {s['n']:,}"})
        return out
