"""Scaled dot-product attention on one short sentence, and what it costs at N tokens.

The sentence's head is illustrative, not trained: every token gets 16
numbers (8 hand-labelled word features and 8 position numbers, cosines and
sines at four frequencies), and W_Q, W_K, W_V are set by hand so that each
of four query "questions" (find a noun, find who, find the verb, join the
word) matches one key "answer", plus a position term that favours the
previous token. The pattern the reader sees is computed, not drawn: Q = X·W_Q,
K = X·W_K, V = X·W_V, then softmax(Q·Kᵀ/(τ·√d_k) + mask)·V by
:func:`llmviz.calc.attention.attention`.

Views: the weight matrix as a heatmap with one row worked step by step, the
same row as a graph between tokens, a head of the book's tiny *trained*
model reading a sentence from the book (``trained_head``: the one view
whose weights nobody chose; it loads the model on first use), the causal
mask as tokens arrive one at a time, the √d_k scaling on random vectors of
growing width, and the N² cost for a real model from the catalog. The
hand-set head stays where it teaches better: its rules can be read off its
matrices, which a trained head's cannot.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

from ...calc.attention import (
    attention,
    attention_crossover_tokens,
    attention_projection_flops,
    entropy_bits,
    layer_weight_flops,
    masked_elements,
    matmul,
    model_attention_core_flops,
    score_matrix_bytes,
    score_matrix_elements,
    softmax,
)
from ...catalog import get_gpu, get_model
from ...core import Choice, Flag, Mode, Number, Scene, Submode
from ...core.mode import metric
from ...units import fmt_bytes, fmt_count, fmt_flops
from . import trained_head as th

# --------------------------------------------------------------------------
# the illustrative head

TOKENS = ("The", "animal", "didn", "'t", "cross", "the", "street", "because",
          "it", "was", "too", "tired")
FEATURES = ("det", "noun", "anim", "pron", "verb", "aux", "piece", "adj")
FEATURE_NAMES = {
    "det": "determiner", "noun": "noun", "anim": "animate", "pron": "pronoun",
    "verb": "verb", "aux": "auxiliary verb", "piece": "word piece", "adj": "adjective",
}
WORD_FEATURES = {
    "The": ("det",), "animal": ("noun", "anim"), "didn": ("verb", "aux"), "'t": ("piece",),
    "cross": ("verb",), "the": ("det",), "street": ("noun",), "because": (),
    "it": ("pron", "anim"), "was": ("verb", "aux"), "too": (), "tired": ("adj",),
}
#: radians per position of the four cosine/sine pairs; chosen so that the
#: previous position stands out from every other within 12 tokens
FREQS = (0.4, 1.15, 1.95, 2.75)
#: the four content channels of Q and K: (name, query side, key side)
QK_RULES = (
    ("find a noun", {"det": 4.0}, {"noun": 1.0}),
    ("find who", {"pron": 6.0, "adj": 4.8, "verb": 3.0}, {"anim": 1.0, "noun": 0.5, "pron": -0.8}),
    ("find the verb", {"noun": 4.0}, {"verb": 1.0, "aux": -1.0}),
    ("join the word", {"piece": 3.0}, {"aux": 1.0}),
)
#: strength of the previous-token position term
PREV_GAIN = 1.0


@dataclass(frozen=True)
class ToyHead:
    """The sentence's embeddings and weights, and the Q, K, V they give (lists of rows)."""

    tokens: tuple[str, ...]
    x: list[list[float]]
    w_q: list[list[float]]
    w_k: list[list[float]]
    w_v: list[list[float]]
    q: list[list[float]]
    k: list[list[float]]
    v: list[list[float]]

    @property
    def d_model(self) -> int:
        """Numbers per token embedding."""
        return len(self.x[0])

    @property
    def d_k(self) -> int:
        """Width of a query or key."""
        return len(self.q[0])

    @property
    def d_v(self) -> int:
        """Width of a value."""
        return len(self.v[0])


@lru_cache(maxsize=1)
def toy_head() -> ToyHead:
    """Build the illustrative head for :data:`TOKENS` (deterministic, no randomness)."""
    nf, npos = len(FEATURES), 2 * len(FREQS)
    d_model, d_k = nf + npos, len(QK_RULES) + npos
    x = []
    for i, tok in enumerate(TOKENS):
        row = [1.0 if f in WORD_FEATURES[tok] else 0.0 for f in FEATURES]
        for w in FREQS:
            row += [math.cos(w * i), math.sin(w * i)]
        x.append(row)
    w_q = [[0.0] * d_k for _ in range(d_model)]
    w_k = [[0.0] * d_k for _ in range(d_model)]
    for c, (_, ask, answer) in enumerate(QK_RULES):
        for f, g in ask.items():
            w_q[FEATURES.index(f)][c] = g
        for f, g in answer.items():
            w_k[FEATURES.index(f)][c] = g
    # Position: the key keeps (cos wi, sin wi); the query rotates its own pair
    # back by one step, so q_i·k_j = PREV_GAIN·Σ cos(w(i−1−j)), largest at j = i−1.
    for a, w in enumerate(FREQS):
        r, c = nf + 2 * a, len(QK_RULES) + 2 * a
        cw, sw = math.cos(w), math.sin(w)
        w_q[r][c], w_q[r][c + 1] = PREV_GAIN * cw, -PREV_GAIN * sw
        w_q[r + 1][c], w_q[r + 1][c + 1] = PREV_GAIN * sw, PREV_GAIN * cw
        w_k[r][c] = w_k[r + 1][c + 1] = 1.0
    # W_V copies the word features: a token's output is a weighted mix of the
    # features of the tokens it attends to.
    w_v = [[1.0 if (r == c and r < nf) else 0.0 for c in range(nf)] for r in range(d_model)]
    return ToyHead(TOKENS, x, w_q, w_k, w_v, matmul(x, w_q), matmul(x, w_k), matmul(x, w_v))


def toy_attention(causal: bool, scaled: bool = True, temperature: float = 1.0, n: int | None = None):
    """The head's :class:`AttentionResult` on the first ``n`` tokens (all by default)."""
    h = toy_head()
    n = len(TOKENS) if n is None else n
    return attention(h.q[:n], h.k[:n], h.v[:n], causal=causal, scaled=scaled, temperature=temperature)


# --------------------------------------------------------------------------
# random vectors for the scaling view

SCALING_KEYS = 16
SCALING_QUERIES = 4
SCALING_MAX_D = 1024
SCALING_SEED = 17


@lru_cache(maxsize=1)
def random_score_prefixes() -> list[list[list[float]]]:
    """Scores q·k_j of random unit-variance vectors, for every width d = 1…1024.

    ``[query][key][d-1]`` is the dot product over the first d components, so
    growing d keeps the same vectors and only adds components.
    """
    rng = random.Random(SCALING_SEED)
    qs = [[rng.gauss(0.0, 1.0) for _ in range(SCALING_MAX_D)] for _ in range(SCALING_QUERIES)]
    ks = [[rng.gauss(0.0, 1.0) for _ in range(SCALING_MAX_D)] for _ in range(SCALING_KEYS)]
    out = []
    for q in qs:
        rows = []
        for k in ks:
            acc, run = 0.0, []
            for a, b in zip(q, k):
                acc += a * b
                run.append(acc)
            rows.append(run)
        out.append(rows)
    return out


def random_scores(d: int) -> list[list[float]]:
    """``[query][key]`` scores at width ``d`` (1…1024)."""
    return [[run[d - 1] for run in rows] for rows in random_score_prefixes()]


def spread(values: list[float]) -> float:
    """Root-mean-square of ``values`` (their standard deviation about 0, the known mean)."""
    return math.sqrt(sum(v * v for v in values) / len(values))


@lru_cache(maxsize=16)
def cost_curves(model: str, causal: bool = False) -> tuple[list[float], ...]:
    """N from 16 to 131,072 in half-octaves, and at each N one layer's core FLOPs (only the
    scores the mask keeps if ``causal``), projection FLOPs, every weight matrix's FLOPs (the
    FFN included), one head's score-matrix bytes and one layer's (BF16)."""
    m = get_model(model)
    ns = [2 ** (e / 2) for e in range(8, 35)]
    core = [model_attention_core_flops(m, round(n), causal) for n in ns]
    proj = [attention_projection_flops(m, round(n)) for n in ns]
    weights = [layer_weight_flops(m, round(n)) for n in ns]
    head = [score_matrix_bytes(round(n)) for n in ns]
    layer = [score_matrix_bytes(round(n), heads=m.heads) for n in ns]
    return ns, core, proj, weights, head, layer


# --------------------------------------------------------------------------
# the mode

N = len(TOKENS)
ROW_PERIOD = 3.0           # seconds per query when sweeping
PH_DOT, PH_DIV, PH_EXP, PH_NORM = 0.8, 1.1, 1.4, 1.7   # row stages end at these local times
GRAPH_GROW = 1.2           # seconds for the graph's lines to reach their keys
ARRIVE = 1.2               # seconds between arrivals in the mask view
D_STEP = 1.5               # seconds per doubling of d in the scaling view
COST_STEP = 1.0            # seconds per doubling of N in the cost view
COST_MODELS = ("llama-2-7b", "llama-3-8b", "llama-3-70b", "qwen2.5-72b", "llama-3.1-405b")
COST_GPU = "h100-sxm"
STAGES = ("dot products q·k", "divide by τ·√d_k", "exponentiate", "normalise to sum 1")

# type sizes: the workshop pane draws the 960-unit canvas at about 0.6×, so
# nothing a reader must read is smaller than SMALL (cell values: CELL_TYPE)
TITLE, SUB, BODY, SMALL, CELL_TYPE = 20, 15, 16, 14, 13
# graph geometry: token centres and the row's height
GRAPH_XS = tuple(40 + 880 * (j + 0.5) / len(TOKENS) for j in range(len(TOKENS)))
GRAPH_Y = 372
# heatmap geometry (also the mask view's): grid origin and cell size, whole and
# even so that cell centres fall on whole units (and serialise as integers)
GX, GY, CELL = 96, 124, 34
RX = 548                   # left edge of the right-hand panel


def _ease(p: float) -> float:
    p = min(max(p, 0.0), 1.0)
    return p * p * (3 - 2 * p)


def _w(x: float) -> str:
    return f"{x:.2f}"


def _cell(x: float) -> str:
    """A weight in a 30-unit cell: ".53", or "1" when it rounds to one."""
    return "1" if x >= 0.995 else f"{x:.2f}"[1:]


def _num(x: float) -> str:
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


class AttentionMode(Mode):
    """Q, K, V and softmax(QKᵀ/√d_k)·V on a twelve-token sentence; the N² cost at scale."""

    id = "p02-c04-attention"
    chapter = "p02-c04-attention"
    title = "Scaled dot-product attention"
    params = (
        Choice("query", "query token",
               "the token whose row of weights is worked out (its query against every key)",
               options=tuple((str(i), f"{i} · {t}") for i, t in enumerate(TOKENS)), default="8"),
        Flag("causal", "causal mask",
             "hide every later token from each query (a decoder's mask)", default=True),
        Choice("scale", "score scaling", "divide the scores by √d_k before the softmax, or not",
               options=(("sqrt", "÷ √d_k"), ("none", "none (÷ 1)")), default="sqrt"),
        Number("temp", "softmax temperature τ",
               "scores are divided by τ as well: τ < 1 sharpens the weights, τ > 1 flattens them",
               lo=0.25, hi=4.0, step=0.05, default=1.0, log=True),
        Flag("sweep", "sweep the queries",
             "step the worked row across the sentence, one token every few seconds", default=False),
        Number("tokens", "sequence length N",
               "context length for the cost figures: scores grow as N²",
               lo=16, hi=131072, step=1, default=8192, unit="tokens", integer=True, log=True),
        Choice("model", "model", "real model whose heads and layers the cost figures use",
               options=tuple((m, get_model(m).display_name) for m in COST_MODELS),
               default="llama-3-8b"),
        Choice("lm_head", "trained head",
               "which head of the book's tiny trained model to show (layers and heads counted from 0)",
               options=th.HEADS, default=th.DEFAULT_HEAD),
        Choice("lm_sentence", "sentence", "the sentence from the book the trained model reads",
               options=tuple((str(i), f"“{text}”") for i, (_, text) in enumerate(th.SENTENCES)),
               default="0"),
    )
    submodes = {
        "heatmap": Submode("Heatmap", {}, "all weights a_ij; one query's row worked step by step",
                           ("query", "causal", "scale", "temp", "sweep")),
        "graph": Submode("Token graph", {}, "the selected query's weights as lines to every key",
                         ("query", "causal", "scale", "temp", "sweep")),
        "trained": Submode("Trained head", {},
                           "a head of a tiny model trained on this book, reading a sentence from it",
                           ("lm_sentence", "lm_head")),
        "mask": Submode("Causal mask", {}, "tokens arrive one at a time: which weights change?",
                        ("query", "causal", "scale", "temp")),
        "scaling": Submode("√d_k scaling", {}, "random q and k of growing width: why divide by √d_k",
                           ("scale", "temp")),
        "cost": Submode("N² cost", {}, "score-matrix elements, bytes and FLOPs at N tokens",
                        ("causal", "tokens", "model")),
    }
    default_submode = "heatmap"
    step_dt = 0.5
    size = (960, 640)

    # -- derived data ----------------------------------------------------

    def _head(self):
        return self.cached("head", lambda: toy_attention(
            self["causal"], self["scale"] == "sqrt", self["temp"]))

    def _prefixes(self):
        return self.cached("prefixes", lambda: [toy_attention(
            self["causal"], self["scale"] == "sqrt", self["temp"], n) for n in range(1, N + 1)])

    def _clock(self, t: float) -> tuple[int, float]:
        """(query index, seconds into its row) at time ``t``."""
        q0 = int(self["query"])
        if self["sweep"]:
            k = int(t // ROW_PERIOD)
            return (q0 + k) % N, t - k * ROW_PERIOD
        return q0, t

    def _divisor_text(self) -> str:
        tau = self["temp"]
        if self["scale"] == "sqrt":
            return f"÷ {tau:g}·√{toy_head().d_k}" if tau != 1 else f"÷ √{toy_head().d_k}"
        return f"÷ {tau:g}" if tau != 1 else "÷ 1"

    def draw(self, t: float):
        # A frame depends on t only through a few discrete states (which row,
        # which stage, how many tokens have arrived...), so each state's scene
        # is built once per parameter version and reused while it holds.
        key = self._frame_key(t)
        frames = self.cached("frames", dict)
        hit = frames.get(key)
        if self.submode == "trained" and hit is not None:
            # A few slices of the model's work ahead of time, so no later frame pays for a
            # whole token; only on frames that reuse a built scene, so the two costs never stack.
            th.prefetch(int(self["lm_sentence"]))
        if hit is None:
            if len(frames) > 256:
                frames.clear()
            sc = self.new_scene()
            tel = getattr(self, "_draw_" + self.submode)(sc, *key)
            hit = frames[key] = (sc, tel)
        return hit

    @staticmethod
    def _row_time_state(lt: float) -> float:
        """Round a row's local time down to the start of what it shows: one more
        dot product per step, then each stage, the bars growing in ten steps."""
        if lt >= PH_NORM:
            return PH_NORM
        if lt >= PH_EXP:
            span = PH_NORM - PH_EXP
            return PH_EXP + math.floor((lt - PH_EXP) / span * 10) / 10 * span
        if lt >= PH_DIV:
            return PH_DIV
        if lt >= PH_DOT:
            return PH_DOT
        return math.floor(lt / PH_DOT * N) / N * PH_DOT

    def _frame_key(self, t: float) -> tuple:
        """The discrete state shown at time ``t``: the arguments of the view's ``_draw_*``."""
        sub = self.submode
        if sub in ("heatmap", "graph"):
            qi, lt = self._clock(t)
            if sub == "heatmap":
                lt = self._row_time_state(lt)
            else:
                lt = min(GRAPH_GROW, math.floor(lt / GRAPH_GROW * 24) / 24 * GRAPH_GROW)
            return (qi, round(lt, 6))
        if sub == "mask":
            return (min(N, 1 + int(t // ARRIVE)),)
        if sub == "scaling":
            return (min(10, int(t // D_STEP)),)
        if sub == "trained":
            return self._trained_clock(t)
        return (min(3, int(t // COST_STEP)),)

    # -- shared pieces ---------------------------------------------------

    def _row_telemetry(self, res, qi: int) -> list[dict]:
        row = res.weights[qi]
        j = max(range(len(row)), key=row.__getitem__)
        n = len(res.weights)
        masked = masked_elements(n) if self["causal"] else 0
        big = self._scale_numbers()
        return [
            metric("query", "query token", qi, f"{qi} · {TOKENS[qi]}", "position"),
            metric("top", "largest weight", row[j], f"{_w(row[j])} on {TOKENS[j]}", ""),
            metric("entropy", "row entropy", entropy_bits(row), f"{entropy_bits(row):.2f} bits", "bit"),
            metric("scores", "scores in this head", n * n, f"{n * n} = {n}²", "scores"),
            metric("masked", "masked by the causal mask", masked, f"{masked} of {n * n}", "scores"),
            metric("divisor", "scores divided by", res.divisor, f"{res.divisor:.2f}", ""),
            metric("scores_at_n", f"scores per head at N = {self['tokens']:,}", big["elements"],
                   f"{fmt_count(big['elements'])} · {fmt_bytes(big['head_bytes'])} in BF16", "scores"),
        ]

    def _scale_numbers(self) -> dict:
        def calc():
            n, m = self["tokens"], get_model(self["model"])
            return {
                "n": n, "model": m,
                "elements": score_matrix_elements(n),
                "needed": score_matrix_elements(n, causal=self["causal"]),
                "head_bytes": score_matrix_bytes(n),
                "layer_bytes": score_matrix_bytes(n, heads=m.heads),
                "model_bytes": score_matrix_bytes(n, heads=m.heads, layers=m.attention_layers),
                "core_flops": model_attention_core_flops(m, n, self["causal"]),
                "proj_flops": attention_projection_flops(m, n),
                "crossover": attention_crossover_tokens(m, self["causal"]),
                "crossover_layer": attention_crossover_tokens(m, self["causal"], whole_layer=True),
            }
        return self.cached("scale", calc)

    def _token_axes(self, sc: Scene, n_rows: int, n_cols: int, qi: int | None,
                    arrived: int = N) -> None:
        """Query labels down the left, key labels staggered across the top."""
        for i in range(n_rows):
            y = GY + i * CELL + CELL // 2
            sel = i == qi
            if sel:
                sc.rect(GX - 76, GY + i * CELL + 3, 72, CELL - 6, fill="hl", r=3)
            sc.text(GX - 9, y, TOKENS[i], size=BODY, fill="q" if i < arrived else "faint",
                    align="r", bold=sel)
        for j in range(n_cols):
            x = GX + j * CELL + CELL // 2
            y = GY - 32 if j % 2 == 0 else GY - 13
            sc.text(x, y, TOKENS[j], size=SUB, fill="k" if j < arrived else "faint", align="c")
        sc.text(GX - 9, GY - 22, "query i ↓", size=SMALL, fill="q", align="r")
        sc.text(GX + n_cols * CELL / 2, GY - 54, "key j →", size=SMALL, fill="k", align="c")

    def _colourbar(self, sc: Scene, x: float, y: float, causal: bool) -> None:
        sc.grid(x, y, 120, 12, 1, 10, [i / 9 for i in range(10)], vmin=0, vmax=1, stroke="bg")
        sc.text(x - 6, y + 6, "weight 0", size=SMALL, fill="muted", align="r")
        sc.text(x + 126, y + 6, "1", size=SMALL, fill="muted")
        if causal:
            sc.grid(x + 156, y, 12, 12, 1, 1, [None], stroke="bg")
            sc.text(x + 174, y + 6, "masked: score −∞, weight 0", size=SMALL, fill="muted")

    # -- heatmap ---------------------------------------------------------

    def _draw_heatmap(self, sc: Scene, qi: int, lt: float) -> list[dict]:
        res = self._head()
        sc.items.extend(self.cached(f"heat_static_{qi}", lambda: self._heatmap_static(res, qi)))
        stage = self._stage(lt)
        row_vals, cmap, vmax = self._row_stage_values(res, qi, lt)
        sc.rect(GX, GY + qi * CELL, N * CELL, CELL, fill="panel")
        sc.grid(GX, GY + qi * CELL, N * CELL, CELL, 1, N, row_vals, cmap=cmap,
                vmin=-vmax if cmap == "div" else 0, vmax=vmax, stroke="bg")
        for j, v in enumerate(row_vals):
            if v is None:
                continue
            dark = cmap == "seq" and v / vmax > 0.55
            sc.text(GX + j * CELL + CELL // 2, GY + qi * CELL + CELL // 2, f"{v:.1f}" if cmap == "div" else _cell(v),
                    size=CELL_TYPE, fill="bg" if dark else "ink", align="c", font="mono",
                    collide=False)
        sc.rect(GX - 1, GY + qi * CELL - 1, N * CELL + 2, CELL + 2, stroke="q", lw=2)
        self._row_table(sc, res, toy_head(), qi, lt, stage)
        return self.cached(f"row_tel_{qi}", lambda: self._row_telemetry(res, qi))

    def _heatmap_static(self, res, qi: int) -> list[dict]:
        """Everything in the heatmap view that does not move while row ``qi`` is worked."""
        sc = self.new_scene()
        h = toy_head()
        causal = self["causal"]
        sc.text(40, 22, "Attention weights a_ij: how much query i takes from key j", size=TITLE, bold=True)
        sc.text(40, 46, "Illustrative head, weights set by hand (not a trained model); rows sum to 1.",
                size=SUB, fill="muted")
        self._token_axes(sc, N, N, qi)
        vals = [None if causal and j > i else round(w, 3) for i in range(N) for j, w in enumerate(res.weights[i])]
        sc.grid(GX, GY, N * CELL, N * CELL, N, N, vals, vmin=0, vmax=1, stroke="bg",
                label="attention weights")
        self._colourbar(sc, GX + 70, GY + N * CELL + 14, causal)
        tau = self["temp"]
        formula = ("a_ij = softmax over j of q_i·k_j / (τ·√d_k)" if self["scale"] == "sqrt"
                   else "a_ij = softmax over j of q_i·k_j / τ   (no √d_k)")
        sc.text(40, 580, f"{formula};  d_k = {h.d_k}, τ = {tau:g}, divisor = {res.divisor:.2f}",
                size=SUB, font="mono")
        return sc.items

    @staticmethod
    def _stage(lt: float) -> int:
        """0–3 while the row is being worked, 4 once it is done."""
        for k, end in enumerate((PH_DOT, PH_DIV, PH_EXP, PH_NORM)):
            if lt < end:
                return k
        return 4

    def _row_stage_values(self, res, qi: int, lt: float):
        """The selected row as it stands at local time ``lt``: values, colour map, scale."""
        stage = self._stage(lt)
        logits = res.logits[qi]
        if stage == 0:
            shown = int(lt / PH_DOT * N + 1e-9) + 1
            vals = [None if (lg is None or j >= shown) else res.scores[qi][j]
                    for j, lg in enumerate(logits)]
            top = max(abs(s) for s in res.scores[qi])
            return vals, "div", top
        if stage == 1:
            top = max(abs(s) for s in res.scores[qi])
            return logits, "div", top
        if stage == 2:
            live = [lg for lg in logits if lg is not None]
            m = max(live)
            return [None if lg is None else math.exp(lg - m) for lg in logits], "seq", 1.0
        return [None if lg is None else w for lg, w in zip(logits, res.weights[qi])], "seq", 1.0

    # columns of the row table: q·k, ÷ divisor, e^(x−max), bar, weight (right edges)
    C_DOT, C_DIV, C_EXP, C_BAR, C_W, BAR_W = 664, 734, 824, 834, 950, 56

    def _row_table(self, sc: Scene, res, h: ToyHead, qi: int, lt: float, stage: int) -> None:
        # The frame and each finished column are built once per row and
        # reused by every stage that shows them; only the growing parts are drawn here.
        logits = res.logits[qi]
        shown = int(lt / PH_DOT * N + 1e-9) + 1 if stage == 0 else N
        if stage == 4:
            best = max(range(N), key=lambda j: res.weights[qi][j])
            sc.rect(RX - 6, GY + 50 + 24 * best - 11, self.C_W - RX + 10, 22, fill="hl", r=3)
        sc.items.extend(self.cached(f"row_frame_{qi}", lambda: self._row_frame(res, qi)))
        cols = self.cached(f"row_cols_{qi}", lambda: self._row_columns(res, qi))
        sc.items.extend(it for j, it in enumerate(cols["dot"]) if it and j < shown)
        if stage >= 1:
            sc.items.extend(it for it in cols["div"] if it)
        if stage >= 2:
            sc.items.extend(it for it in cols["exp"] if it)
        if stage >= 3:
            grow = _ease((lt - PH_EXP) / (PH_NORM - PH_EXP))
            for j in range(N):
                if logits[j] is None:
                    continue
                y = GY + 50 + 24 * j
                w = res.weights[qi][j] * grow
                sc.rect(self.C_BAR, y - 6, self.BAR_W, 12, fill="panel")
                if w > 0.002:
                    sc.rect(self.C_BAR, y - 6, self.BAR_W * w, 12, fill="q")
                sc.text(self.C_W, y, f"{w:.3f}", size=SUB, font="mono", align="r")
        if stage < 4:
            note = f"step {stage + 1} of 4: {STAGES[stage]}"
        else:
            note = f"sum of e^(x−max) = {cols['sum_exp']:.3f}; weight = e / sum"
        sc.text(RX, GY + 50 + 24 * N, note, size=SUB, fill="accent")
        self._output_strip(sc, res, h, qi, stage)

    def _row_frame(self, res, qi: int) -> list[dict]:
        """The row table's title, column heads, key names and masked marks for query ``qi``."""
        sc = self.new_scene()
        sc.text(RX, GY, f"Row {qi}: query “{TOKENS[qi]}” against every key", size=17, bold=True)
        heads = (("key j", RX, "l"), ("q·k", self.C_DOT, "r"), (f"÷ {res.divisor:.2f}", self.C_DIV, "r"),
                 ("e^(x−max)", self.C_EXP, "r"), ("weight", self.C_W, "r"))
        for label, x, al in heads:
            sc.text(x, GY + 26, label, size=SMALL, fill="muted", align=al)
        for j in range(N):
            y = GY + 50 + 24 * j
            masked = res.logits[qi][j] is None
            sc.text(RX, y, TOKENS[j], size=BODY, fill="muted" if masked else "k")
            if masked:
                sc.text(self.C_DIV, y, "masked, j > i", size=SMALL, fill="muted", align="r")
        return sc.items

    def _row_columns(self, res, qi: int) -> dict:
        """Each number column of the row table, one item per key (``None`` where masked)."""
        logits = res.logits[qi]
        top = max(lg for lg in logits if lg is not None)
        exps = [None if lg is None else math.exp(lg - top) for lg in logits]
        sc = self.new_scene()
        cols: dict = {"dot": [], "div": [], "exp": []}
        for j in range(N):
            y = GY + 50 + 24 * j
            if logits[j] is None:
                for c in cols.values():
                    c.append(None)
                continue
            cols["dot"].append(sc.text(self.C_DOT, y, _num(res.scores[qi][j]), size=SUB, font="mono", align="r"))
            cols["div"].append(sc.text(self.C_DIV, y, _num(logits[j]), size=SUB, font="mono", align="r"))
            cols["exp"].append(sc.text(self.C_EXP, y, f"{exps[j]:.3f}", size=SUB, font="mono", align="r"))
        cols["sum_exp"] = sum(e for e in exps if e is not None)
        return cols

    def _output_strip(self, sc: Scene, res, h: ToyHead, qi: int, stage: int) -> None:
        x0, y0, cw = RX, GY + 390, 50
        sc.text(x0, y0 - 8, f"output z_{qi} = Σ_j a_{qi}j·v_j",
                size=SUB, fill="v", bold=True, base="b")
        if stage < 4:
            sc.rect(x0, y0, cw * h.d_v, 28, fill="panel")
        else:
            vals = res.output[qi]
            sc.grid(x0, y0, cw * h.d_v, 28, 1, h.d_v, vals, vmin=0, vmax=1, stroke="bg")
            for c, v in enumerate(vals):
                sc.text(x0 + c * cw + cw // 2, y0 + 14, f"{v:.2f}", size=SMALL, font="mono",
                        fill="bg" if v > 0.55 else "ink", align="c", collide=False)
        for c, f in enumerate(FEATURES):
            sc.text(x0 + c * cw + cw // 2, y0 + 44, f, size=SMALL, fill="muted", align="c")

    # -- graph -----------------------------------------------------------

    def _draw_graph(self, sc: Scene, qi: int, lt: float) -> list[dict]:
        res = self._head()
        sc.items.extend(self.cached(f"graph_static_{qi}", lambda: self._graph_static(res, qi)))
        grow = _ease(lt / GRAPH_GROW)
        row = res.weights[qi]
        # the selected query's line to every key it may see, drawn from the query outwards
        for j, pts, apex in self.cached(f"graph_arcs_{qi}", lambda: self._query_arcs(qi)):
            w = row[j]
            cut = max(2, int(len(pts) * grow))
            sc.path(pts[:cut], stroke="q", lw=0.8 + 11 * w, alpha=round(0.2 + 0.8 * w, 3))
            if grow >= 1 and w >= 0.05:
                sc.text(apex[0], apex[1] - 10, _w(w), size=SUB, fill="q", align="c", base="m",
                        bold=w >= 0.3)
        return self.cached(f"row_tel_{qi}", lambda: self._row_telemetry(res, qi))

    def _query_arcs(self, qi: int) -> list[tuple]:
        """(key, points, apex) of the line from query ``qi`` to each key it may see."""
        out = []
        for j in range(N):
            if self["causal"] and j > qi:
                continue
            if j == qi:
                out.append((j, self._loop(GRAPH_XS[j], GRAPH_Y - 16), (GRAPH_XS[j], GRAPH_Y - 50)))
            else:
                pts, apex = self._arc(GRAPH_XS[qi], GRAPH_XS[j], GRAPH_Y - 16, -(26 + 21 * abs(qi - j)))
                out.append((j, pts, apex))
        return out

    def _graph_static(self, res, qi: int) -> list[dict]:
        """Title, tokens, every token's strongest key and the summary: all that holds still."""
        sc = self.new_scene()
        causal = self["causal"]
        xs, yr = GRAPH_XS, GRAPH_Y
        row = res.weights[qi]
        sc.text(40, 22, f"Token graph: where “{TOKENS[qi]}” looks", size=TITLE, bold=True)
        sc.text(40, 46, "Above: the selected query's weight on each key (line width and opacity = a_ij).",
                size=SUB, fill="muted")
        sc.text(40, 68, "Below: every token linked to its strongest key; the dot marks the key.",
                size=SUB, fill="muted")
        for i in range(N):
            r = res.weights[i]
            j = max(range(N), key=r.__getitem__)
            sel = i == qi
            if i == j:
                pts = [(x, 2 * yr - y) for x, y in self._loop(xs[i], yr - 16)]
            else:
                pts, _ = self._arc(xs[i], xs[j], yr + 16, 22 + 16 * abs(i - j))
            sc.path(pts, stroke="q" if sel else "muted", lw=2.2 if sel else 1.2,
                    alpha=1.0 if sel else 0.7)
            sc.circle(xs[j], yr + 17, 4.5, fill="k")
        for j in range(N):
            masked = causal and j > qi
            if j == qi:
                sc.rect(xs[j] - 34, yr - 15, 68, 30, fill="hl", stroke="q", lw=2, r=4)
            else:
                alpha = 0.25 + 0.75 * min(1.0, row[j] * 2) if not masked else 1.0
                sc.rect(xs[j] - 34, yr - 15, 68, 30, fill="panel", stroke="faint" if masked else "k",
                        lw=1.5, r=4, alpha=round(alpha, 3))
            sc.text(xs[j], yr, TOKENS[j], size=BODY, align="c", fill="faint" if masked else "ink",
                    bold=j == qi)
        note = ("greyed tokens come later: the causal mask hides them from this query"
                if causal and qi < N - 1 else "no mask: the query may look both ways")
        sc.text(40, 606, note, size=SUB, fill="muted")
        j = max(range(N), key=row.__getitem__)
        sc.text(40, 628, f"“{TOKENS[qi]}” takes {row[j]:.0%} of its output from “{TOKENS[j]}”; "
                         f"divisor {res.divisor:.2f}, row entropy {entropy_bits(row):.2f} bits.",
                size=BODY)
        return sc.items

    @staticmethod
    def _arc(x1: float, x2: float, y: float, lift: float, n: int = 20):
        """Half-ellipse from x1 to x2 at height y, bulging by ``lift`` (negative = up).

        Points are whole units: finer is invisible at the pane's scale, and
        whole numbers serialise at half the cost of fractions every frame.
        """
        cx, rx = (x1 + x2) / 2, (x2 - x1) / 2
        pts = []
        for s in range(n + 1):
            a = math.pi * s / n
            pts.append((round(cx - rx * math.cos(a)), round(y + lift * math.sin(a))))
        return pts, (cx, y + lift)

    @staticmethod
    def _loop(x: float, y: float, n: int = 16):
        """A small loop above (x, y): a query attending to its own key (whole-unit points)."""
        pts = []
        for s in range(n + 1):
            a = 2 * math.pi * s / n
            pts.append((round(x + 11 * math.sin(a)), round(y - 17 + 17 * math.cos(a))))
        return pts

    # -- mask ------------------------------------------------------------

    def _draw_mask(self, sc: Scene, n: int) -> list[dict]:
        pre = self._prefixes()
        causal = self["causal"]
        res = pre[n - 1]
        prev = pre[n - 2] if n > 1 else None
        qi = int(self["query"])
        title = "Causal mask: tokens arrive one at a time" if causal else \
            "No mask: tokens arrive one at a time, every query sees every key"
        sc.text(40, 22, title, size=TITLE, bold=True)
        sc.text(40, 46, "New cells are outlined in blue; earlier weights that changed, in red.",
                size=SUB, fill="muted")
        self._token_axes(sc, N, N, qi if qi < n else None, arrived=n)
        vals = [None if causal and j > i else res.weights[i][j] for i in range(n) for j in range(n)]
        sc.grid(GX, GY, n * CELL, n * CELL, n, n, vals, vmin=0, vmax=1, stroke="bg",
                label="attention weights so far")
        if n < N:
            x1, y1 = GX + N * CELL, GY + N * CELL
            sc.path([(GX + n * CELL, GY), (x1, GY), (x1, y1), (GX, y1), (GX, GY + n * CELL)],
                    stroke="faint", lw=1.5, dash=[4, 4])
        changed = self._changed(res, prev, n)
        for i in range(n):
            for j in range(n):
                if causal and j > i:
                    continue
                if i == n - 1 or j == n - 1:
                    sc.rect(GX + j * CELL + 1.5, GY + i * CELL + 1.5, CELL - 3, CELL - 3, stroke="accent", lw=2)
                elif (i, j) in changed:
                    sc.rect(GX + j * CELL + 2.5, GY + i * CELL + 2.5, CELL - 5, CELL - 5, stroke="bad", lw=2)
        if qi < n:
            sc.rect(GX - 1, GY + qi * CELL - 1, n * CELL + 2, CELL + 2, stroke="q", lw=2)
        self._colourbar(sc, GX + 70, GY + N * CELL + 14, causal)
        new_scores = n if causal else 2 * n - 1
        earlier = sum(1 for i in range(n - 1) for j in range(n - 1) if not (causal and j > i))
        x0 = RX
        sc.text(x0, GY, f"Token {n - 1}, “{TOKENS[n - 1]}”, has arrived", size=17, bold=True)
        lines = [
            (f"new scores this step: {new_scores}", "accent"),
            (f"(its own row{'' if causal else ', and its column in earlier rows'})", "muted"),
            (f"earlier weights that changed: {len(changed)} of {earlier}",
             "bad" if changed else "good"),
            (f"scores kept so far: {score_matrix_elements(n, causal=causal)}"
             f"{' (masked: ' + str(masked_elements(n)) + ')' if causal else ''}", "ink"),
        ]
        for k, (s, fill) in enumerate(lines):
            sc.text(x0, GY + 30 + 26 * k, s, size=BODY, fill=fill)
        if causal:
            why = ["Row i uses keys 0…i only, so a new token",
                   "never touches an earlier row. Earlier",
                   "outputs stay the same, later layers see the",
                   "same inputs for old tokens, and their keys",
                   "and values can be kept and reused."]
        else:
            why = ["Every earlier row gains a key, so its",
                   "softmax renormalises and its output z_i",
                   "changes. The next layer's keys and values",
                   "for old tokens change too: one more token",
                   "means recomputing all of them."]
        for k, s in enumerate(why):
            sc.text(x0, GY + 140 + 22 * k, s, size=BODY, fill="ink")
        self._kv_stack(sc, n, causal, x0, GY + 272)
        tel = self._row_telemetry(res, min(qi, n - 1))
        tel += [metric("arrived", "tokens so far", n, f"{n} of {N}", "tokens"),
                metric("changed", "earlier weights changed", len(changed), str(len(changed)), "weights")]
        return tel

    @staticmethod
    def _changed(res, prev, n: int) -> set:
        if prev is None:
            return set()
        out = set()
        for i in range(n - 1):
            for j in range(n - 1):
                if abs(res.weights[i][j] - prev.weights[i][j]) > 1e-12:
                    out.add((i, j))
        return out

    def _kv_stack(self, sc: Scene, n: int, causal: bool, x0: float, y0: float) -> None:
        sc.text(x0, y0, "keys and values per token", size=SUB, fill="muted")
        w = 32
        for j in range(N):
            x = x0 + j * w
            if j >= n:
                sc.rect(x, y0 + 14, w - 4, 20, stroke="faint", r=2)
                sc.rect(x, y0 + 38, w - 4, 20, stroke="faint", r=2)
                continue
            new = j == n - 1
            redo = not causal and not new
            sc.rect(x, y0 + 14, w - 4, 20, fill="k", alpha=1.0 if new else 0.55, r=2,
                    stroke="bad" if redo else None, lw=2)
            sc.rect(x, y0 + 38, w - 4, 20, fill="v", alpha=1.0 if new else 0.55, r=2,
                    stroke="bad" if redo else None, lw=2)
        sc.text(x0 + N * w + 4, y0 + 24, "k", size=BODY, fill="k")
        sc.text(x0 + N * w + 4, y0 + 48, "v", size=BODY, fill="v")
        note = ("computed once per token; newest in full colour" if causal
                else "outlined: stale in every layer after the first")
        sc.text(x0, y0 + 78, note, size=SMALL, fill="muted")

    # -- trained ---------------------------------------------------------

    # heatmap origin and the right-hand panel's edges in the trained view
    LM_GX, LM_GY, LM_RX, LM_RW = 170, 124, 592, 348

    def _trained_tokens(self) -> list[int]:
        return self.cached("lm_tokens", lambda: th.tokens(int(self["lm_sentence"])))

    def _trained_clock(self, t: float) -> tuple[int, int]:
        """(tokens read, query in focus) at ``t``: one token every ARRIVE s, a pause, then one
        sweep of the focus over every row, ending (and staying) on the last token."""
        n_tok = len(self._trained_tokens())
        n = min(n_tok, 1 + int(t // th.ARRIVE))
        done_at = (n_tok - 1) * th.ARRIVE + th.HOLD
        if t < done_at:
            return (n, n - 1)
        return (n_tok, min(n_tok - 1, int((t - done_at) // th.ROW)))

    def _draw_trained(self, sc: Scene, n: int, focus: int) -> list[dict]:
        si, head = int(self["lm_sentence"]), self["lm_head"]
        toks = self._trained_tokens()
        n_tok = len(toks)
        rows = th.weights(si, head, n)
        labels = self.cached("lm_labels", lambda: [th.token_label(i) for i in toks])
        layer, h = head.split(".")
        gx, gy, rx = self.LM_GX, self.LM_GY, self.LM_RX
        cell = min(18, 468 // n_tok)
        sc.text(40, 22, f"A trained head: layer {layer}, head {h} of the book's tiny model", size=TITLE, bold=True)
        sc.text(40, 46, "Learned from this book's own text, not set by hand. Rows sum to 1; · marks a space.",
                size=SUB, fill="muted")
        # query tokens down the left, key positions along the top
        for i in range(n_tok):
            y = gy + i * cell + cell / 2
            if i == focus:
                sc.rect(gx - 100, gy + i * cell + 1, 96, cell - 2, fill="hl", r=3)
            sc.text(gx - 8, y, labels[i], size=SMALL, fill="q" if i < n else "faint", align="r", font="mono",
                    bold=i == focus)
        for j in range(0, n_tok, 5):
            sc.text(gx + j * cell + cell / 2, gy - 12, str(j), size=SMALL, fill="k", align="c")
        sc.text(gx - 8, gy - 12, "query ↓", size=SMALL, fill="q", align="r")
        sc.text(gx + n_tok * cell, gy - 34, "key position j →", size=SMALL, fill="k", align="r")
        vals = [w for i in range(n) for w in rows[i] + [None] * (n_tok - i - 1)]
        sc.grid(gx, gy, n_tok * cell, n * cell, n, n_tok, vals, vmin=0, vmax=1, stroke="bg",
                label=f"attention weights of layer {layer}, head {h}")
        if n < n_tok:
            x1, y1 = gx + n_tok * cell, gy + n_tok * cell
            sc.path([(x1, gy + n * cell), (x1, y1), (gx, y1), (gx, gy + n * cell)], stroke="faint", lw=1.5,
                    dash=[4, 4])
        # each read row's strongest key
        for i in range(n):
            j = max(range(i + 1), key=rows[i].__getitem__)
            sc.circle(gx + j * cell + cell / 2, gy + i * cell + cell / 2, 2.5, fill="accent2")
        sc.rect(gx - 1, gy + focus * cell - 1, (focus + 1) * cell + 2, cell + 2, stroke="q", lw=2)
        self._colourbar(sc, gx - 60, gy + n_tok * cell + 14, True)
        prof = th.profile(rows)
        self._trained_panel(sc, rows[focus], focus, labels, prof, n, n_tok)
        where, sentence = th.SENTENCES[si]
        sc.text(40, 590, f"The sentence, from {where}:", size=SUB, fill="muted")
        sc.text(40, 614, f"“{sentence}”", size=SUB)
        return self._trained_telemetry(rows, focus, labels, prof, n, n_tok, head)

    def _trained_panel(self, sc: Scene, row: list, focus: int, labels: list, prof, n: int, n_tok: int) -> None:
        rx, right = self.LM_RX, self.LM_RX + self.LM_RW
        y = self.LM_GY
        sc.text(rx, y, f"Row {focus}: query “{labels[focus]}”", size=17, bold=True)
        sc.text(rx, y + 26, "its largest weights", size=SMALL, fill="muted")
        top = sorted(range(len(row)), key=lambda j: -row[j])[:5]
        for k, j in enumerate(top):
            yy = y + 54 + 26 * k
            sc.text(rx, yy, labels[j], size=SMALL, font="mono", fill="k")
            sc.text(rx + 96, yy, th.relation(focus, j), size=SMALL, fill="muted")
            sc.rect(right - 112, yy - 6, 64, 12, fill="panel")
            sc.rect(right - 112, yy - 6, max(0.5, 64 * row[j]), 12, fill="q")
            sc.text(right, yy, f"{row[j]:.2f}", size=SMALL, font="mono", align="r")
        y2 = y + 200
        sc.text(rx, y2, f"Mean weight over queries 1–{n - 1}" if n > 1 else "Mean weight: from query 1 on",
                size=SMALL, bold=True)
        lines = (("on the previous token", f"{prof.previous:.2f}"),
                 ("on the first token", f"{prof.first:.2f}"),
                 ("on itself", f"{prof.itself:.2f}"),
                 ("rows whose top key is the previous", f"{prof.previous_top:.0%}"))
        for k, (label, value) in enumerate(lines):
            sc.text(rx, y2 + 28 + 24 * k, label, size=SMALL)
            sc.text(right, y2 + 28 + 24 * k, value, size=SMALL, font="mono", align="r")
        note = ("reading: each new token adds its row" if n < n_tok
                else "read: the focus steps down the rows")
        sc.text(rx, y2 + 138, note, size=SMALL, fill="accent")
        sc.text(rx, y2 + 162, "orange dot: each row's largest weight", size=SMALL, fill="muted")

    def _trained_telemetry(self, rows, focus, labels, prof, n, n_tok, head) -> list[dict]:
        row = rows[focus]
        j = max(range(len(row)), key=row.__getitem__)
        cfg = th.model().cfg
        n_params = th.model().header["n_params"]
        layer, h = head.split(".")
        return [
            metric("lm_head", "trained head", int(layer) * th.N_HEAD + int(h), f"layer {layer}, head {h}", ""),
            metric("lm_read", "tokens read", n, f"{n} of {n_tok}", "tokens"),
            metric("lm_query", "query in focus", focus, f"{focus} · {labels[focus]}", "position"),
            metric("lm_top", "largest weight", row[j], f"{row[j]:.2f} on “{labels[j]}” ({th.relation(focus, j)})", ""),
            metric("lm_prev", "mean weight on the previous token", prof.previous, f"{prof.previous:.2f}", ""),
            metric("lm_first", "mean weight on the first token", prof.first, f"{prof.first:.2f}", ""),
            metric("lm_entropy", "row entropy", entropy_bits(row), f"{entropy_bits(row):.2f} bits", "bit"),
            metric("lm_model", "trained model's parameters", n_params, f"{n_params:,}", "parameters",
                   help=f"{cfg.n_layer} layers of {cfg.n_head} heads, d_model {cfg.d_model}, "
                        f"{cfg.n_vocab} tokens; trained on this book's prose"),
            metric("scores_at_n", f"scores per head at N = {self['tokens']:,}", self._scale_numbers()["elements"],
                   fmt_count(self._scale_numbers()["elements"]), "scores"),
        ]

    # -- scaling ---------------------------------------------------------

    def _draw_scaling(self, sc: Scene, step: int) -> list[dict]:
        d = 2 ** step
        tau = self["temp"]
        scores = random_scores(d)
        row = scores[0]
        std = spread([s for r in scores for s in r])
        raw = softmax([s / tau for s in row])
        scaled = softmax([s / (tau * math.sqrt(d)) for s in row])
        in_use = self["scale"]
        sc.text(40, 22, f"Why divide by √d_k: random q and k with d_k = {d}", size=TITLE, bold=True)
        sc.text(40, 46, f"Each component of q and of the {SCALING_KEYS} keys is random with mean 0 and "
                        "variance 1; d_k doubles every 1.5 s.", size=SUB, fill="muted")
        # raw scores
        x0, y0, w, hh = 70, 100, 390, 280
        lim = 3 * math.sqrt(SCALING_MAX_D)
        mid = y0 + hh / 2
        fy = lambda v: round(mid - v / lim * (hh / 2), 1)
        band = math.sqrt(d)
        sc.rect(x0, fy(band), w, fy(-band) - fy(band), fill="panel")
        sc.line(x0, mid, x0 + w, mid, stroke="muted")
        sc.line(x0, y0, x0, y0 + hh, stroke="muted")
        for v in (-80, -40, 40, 80):
            sc.line(x0 - 4, fy(v), x0, fy(v), stroke="muted")
            sc.text(x0 - 7, fy(v), str(v), size=SMALL, fill="muted", align="r")
        sc.text(x0 - 7, mid, "0", size=SMALL, fill="muted", align="r")
        bw = w / SCALING_KEYS
        for j, s in enumerate(row):
            top, bot = (fy(s), mid) if s >= 0 else (mid, fy(s))
            sc.rect(x0 + j * bw + 3, top, bw - 6, max(bot - top, 0.5), fill="muted")
        sc.text(x0, y0 - 14, "raw scores q·k_j", size=BODY, bold=True)
        sc.text(x0 + w, y0 - 14, f"shaded: ±√d_k = ±{band:.3g}", size=SMALL, fill="muted", align="r")
        sc.text(x0, y0 + hh + 22, f"spread of {SCALING_QUERIES}×{SCALING_KEYS} scores: "
                                  f"{std:.2f}   (√d_k = {band:.2f})", size=BODY)
        # the two softmax rows
        bx, bwid = 530, 390
        panels = (("none", f"softmax(q·k / τ), no scaling", raw, 100),
                  ("sqrt", f"softmax(q·k / (τ·√d_k)), ÷ {band:.3g}", scaled, 262))
        for key, label, weights, py in panels:
            use = key == in_use
            sc.text(bx, py - 14, label + ("   ← in use" if use else ""), size=SUB,
                    fill="accent" if key == "sqrt" else "accent2", bold=use)
            sc.rect(bx, py, bwid, 100, fill="panel", stroke="accent" if use else None, lw=2)
            cw = bwid / SCALING_KEYS
            for j, wv in enumerate(weights):
                sc.rect(bx + j * cw + 3, round(py + 100 - 96 * wv, 1), cw - 6, round(96 * wv, 1),
                        fill="accent" if key == "sqrt" else "accent2")
            top = max(weights)
            sc.text(bx + bwid, py + 108, f"top weight {top:.2f} · entropy {entropy_bits(weights):.2f} bits",
                    size=SMALL, fill="muted", align="r", base="t")
        # top weight against d
        self._scaling_curve(sc, d, tau)
        return [
            metric("dk", "d_k (width of q and k)", d, str(d), ""),
            metric("std", "spread of raw scores", std, f"{std:.2f} (√d_k = {band:.2f})", ""),
            metric("top_raw", "top weight, no scaling", max(raw), f"{max(raw):.3f}", ""),
            metric("top_scaled", "top weight, ÷√d_k", max(scaled), f"{max(scaled):.3f}", ""),
            metric("temp", "temperature τ", tau, f"{tau:g}", ""),
            metric("scores_at_n", f"scores per head at N = {self['tokens']:,}",
                   self._scale_numbers()["elements"], fmt_count(self._scale_numbers()["elements"]), "scores"),
        ]

    def _scaling_curve(self, sc: Scene, d: int, tau: float) -> None:
        curve = self.cached("scaling_curve", lambda: self._curve_points(tau))
        x0, y0, w, hh = 530, 430, 390, 130
        fx, fy = sc.axes(x0, y0, w, hh, (0, 10), (0, 1), xticks=(), yticks=(0, 0.5, 1), size=SMALL)
        for v in range(0, 11, 2):
            sc.line(fx(v), y0 + hh, fx(v), y0 + hh + 4, stroke="muted")
            sc.text(fx(v), y0 + hh + 6, str(2 ** v), size=SMALL, fill="muted", align="c", base="t")
        sc.text(x0 + w, y0 + hh + 38, "d_k (log scale)", size=SMALL, fill="muted", align="r")
        sc.text(x0, y0 - 10, f"mean top weight over {SCALING_QUERIES} queries", size=SUB, fill="muted",
                base="b")
        for key, fill in (("none", "accent2"), ("sqrt", "accent")):
            sc.path([(fx(s), fy(v)) for s, v in curve[key]], stroke=fill, lw=2)
        s = math.log2(d)
        sc.line(fx(s), y0, fx(s), y0 + hh, stroke="ink", dash=[3, 3])
        for k, line in enumerate(("As d_k grows, the raw scores spread like √d_k;",
                                  "the unscaled softmax (orange) collapses onto",
                                  "one key, while ÷√d_k (blue) keeps the spread,",
                                  "and so the weights, the same at every width.")):
            sc.text(70, 448 + 24 * k, line, size=BODY)

    @staticmethod
    def _curve_points(tau: float) -> dict:
        out = {"none": [], "sqrt": []}
        for s in range(0, 41):
            d = max(1, round(2 ** (s / 4)))
            sc = random_scores(d)
            for key, div in (("none", tau), ("sqrt", tau * math.sqrt(d))):
                tops = [max(softmax([v / div for v in r])) for r in sc]
                out[key].append((math.log2(d), sum(tops) / len(tops)))
        return out

    # -- cost ------------------------------------------------------------

    def _draw_cost(self, sc: Scene, k: int) -> list[dict]:
        s = self._scale_numbers()
        m = s["model"]
        causal = self["causal"]
        n_target = s["n"]
        n_now = max(16, n_target // 2 ** (3 - k))
        sc.text(40, 22, f"The O(N²) cost: {m.display_name}, {m.heads} query heads × "
                        f"{m.attention_layers} layers, d_k = {m.head_dim}", size=TITLE, bold=True)
        sc.text(40, 46, "Doubling N doubles the projections' work and quadruples the score matrix.",
                size=SUB, fill="muted")
        self._cost_flops_chart(sc, s, n_now)
        self._cost_bytes_chart(sc, m, n_now)
        self._cost_table(sc, s, n_now)
        core = model_attention_core_flops(m, n_now, causal)
        weights = layer_weight_flops(m, n_now)
        return [
            metric("n", "sequence length N", n_now, f"{n_now:,}", "tokens"),
            metric("elements", "scores per head (N²)", score_matrix_elements(n_now),
                   fmt_count(score_matrix_elements(n_now)), "scores"),
            metric("head_bytes", "one head's score matrix (BF16)", score_matrix_bytes(n_now),
                   fmt_bytes(score_matrix_bytes(n_now)), "B"),
            metric("layer_bytes", "one layer, all heads (BF16)", score_matrix_bytes(n_now, heads=m.heads),
                   fmt_bytes(score_matrix_bytes(n_now, heads=m.heads)), "B"),
            metric("core_flops", "Q·Kᵀ and A·V per layer" + (" (causal: masked scores skipped)" if causal else ""),
                   core, fmt_flops(core), "FLOP"),
            metric("proj_flops", "Q, K, V, O projections per layer", attention_projection_flops(m, n_now),
                   fmt_flops(attention_projection_flops(m, n_now)), "FLOP"),
            metric("layer_flops", "every weight matrix of the layer (FFN too)", weights, fmt_flops(weights), "FLOP"),
            metric("crossover", "N where Q·Kᵀ and A·V equal the projections", s["crossover"],
                   f"{s['crossover']:,.0f}", "tokens"),
            metric("crossover_layer", "N where they equal every weight matrix", s["crossover_layer"],
                   f"{s['crossover_layer']:,.0f}", "tokens"),
        ]

    @staticmethod
    def _log_range(lo: float, hi: float) -> tuple[int, int]:
        a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        return a, max(b, a + 1)

    def _cost_axes(self, sc: Scene, x0, y0, w, hh, ylo, yhi, unit_fmt, ylabel):
        step = 3 if yhi - ylo > 6 else 1
        yt = [e for e in range(ylo, yhi + 1) if (e - ylo) % step == 0]
        fx, fy = sc.axes(x0, y0, w, hh, (4, 17), (ylo, yhi), size=SMALL)
        for v in (4, 7, 10, 13, 17):
            sc.line(fx(v), y0 + hh, fx(v), y0 + hh + 4, stroke="muted")
            sc.text(fx(v), y0 + hh + 9, f"{2 ** v:,}", size=SMALL, fill="muted", align="c", base="t")
        for e in yt:
            sc.line(x0 - 4, fy(e), x0, fy(e), stroke="muted")
            sc.text(x0 - 6, fy(e), unit_fmt(10.0 ** e), size=SMALL, fill="muted", align="r")
        sc.text(x0 + w, y0 + hh + 27, "N (tokens, log scale)", size=SMALL, fill="muted", align="r", base="t")
        sc.text(x0, y0 - 12, ylabel, size=BODY, bold=True, base="b")
        return fx, fy

    def _cost_flops_chart(self, sc: Scene, s: dict, n_now: int) -> None:
        m, causal = s["model"], self["causal"]
        ns, core, proj, weights, _, _ = cost_curves(m.name, causal)
        # two decades of headroom above the largest cost keep the curves clear of the legend
        ylo, yhi = self._log_range(min(core + proj), 100 * max(core + weights))
        x0, y0, w, hh = 100, 100, 340, 230
        fx, fy = self._cost_axes(sc, x0, y0, w, hh, ylo, yhi, fmt_flops, "FLOPs per layer")
        lg = math.log2
        for values, colour in ((core, "k"), (proj, "q"), (weights, "v")):
            sc.path([(fx(lg(n)), fy(math.log10(v))) for n, v in zip(ns, values)], stroke=colour, lw=2.2)
        # where the heads' quadratic cost meets each linear cost: a dashed line and its N, in that cost's colour
        for cross, colour, dy in ((s["crossover"], "q", 10), (s["crossover_layer"], "v", 28)):
            if 16 <= cross <= 131072:
                sc.line(fx(lg(cross)), y0 + 62, fx(lg(cross)), y0 + hh, stroke=colour, dash=[4, 3])
                sc.text(fx(lg(cross)) - 4, y0 + hh - dy, f"{cross:,.0f}", size=SMALL, fill=colour, align="r")
            elif cross > 131072:
                # past the chart's right edge: say where, at the edge
                sc.text(x0 + w - 4, y0 + hh - dy, f"meet at {cross:,.0f} →", size=SMALL, fill=colour, align="r")
        c = model_attention_core_flops(m, n_now, causal)
        p, wt = attention_projection_flops(m, n_now), layer_weight_flops(m, n_now)
        sc.circle(fx(lg(n_now)), fy(math.log10(c)), 5, fill="k")
        sc.circle(fx(lg(n_now)), fy(math.log10(p)), 5, fill="q")
        sc.circle(fx(lg(n_now)), fy(math.log10(wt)), 5, fill="v")
        sc.text(x0 + 8, y0 + 12, "Q·Kᵀ and A·V: " + ("2·N(N+1)·d_k·h (causal)" if causal else "4·N²·d_k·h"),
                size=SUB, fill="k")
        sc.text(x0 + 8, y0 + 32, "Q, K, V, O projections: ∝ N", size=SUB, fill="q")
        sc.text(x0 + 8, y0 + 52, "all weight matrices (FFN too): ∝ N", size=SUB, fill="v")

    def _cost_bytes_chart(self, sc: Scene, m, n_now: int) -> None:
        gpu = get_gpu(COST_GPU)
        ns, _, _, _, head, layer = cost_curves(m.name)
        ylo, yhi = self._log_range(min(head), max(layer + [gpu.hbm_bytes]))
        x0, y0, w, hh = 590, 100, 340, 230
        fx, fy = self._cost_axes(sc, x0, y0, w, hh, ylo, yhi, fmt_bytes, "score-matrix bytes (BF16)")
        lg = math.log2
        sc.path([(fx(lg(n)), fy(math.log10(v))) for n, v in zip(ns, head)], stroke="accent3", lw=2.2)
        sc.path([(fx(lg(n)), fy(math.log10(v))) for n, v in zip(ns, layer)], stroke="k", lw=2.2)
        yg = fy(math.log10(gpu.hbm_bytes))
        sc.line(x0, yg, x0 + w, yg, stroke="bad", dash=[5, 3])
        sc.text(x0 + 6, yg - 10, f"{gpu.label} memory: {fmt_bytes(gpu.hbm_bytes)}", size=SMALL, fill="bad")
        sc.circle(fx(lg(n_now)), fy(math.log10(score_matrix_bytes(n_now))), 5, fill="accent3")
        sc.circle(fx(lg(n_now)), fy(math.log10(score_matrix_bytes(n_now, heads=m.heads))), 5, fill="k")
        sc.text(x0 + w - 6, y0 + hh - 38, f"one layer, {m.heads} heads", size=SUB, fill="k", align="r")
        sc.text(x0 + w - 6, y0 + hh - 18, "one head", size=SUB, fill="accent3", align="r")

    @staticmethod
    def _vs_gpu(nbytes: float, gpu) -> str:
        r = nbytes / gpu.hbm_bytes
        if r >= 1:
            return f"= {r:.2g}× an {gpu.label}"
        if r >= 0.01:
            return f"= {r:.0%} of an {gpu.label}"
        return f"< 1% of an {gpu.label}"

    def _cost_table(self, sc: Scene, s: dict, n_now: int) -> None:
        m = s["model"]
        gpu = get_gpu(COST_GPU)
        el = score_matrix_elements(n_now)
        need = score_matrix_elements(n_now, causal=self["causal"])
        layer_b = score_matrix_bytes(n_now, heads=m.heads)
        core = model_attention_core_flops(m, n_now, self["causal"])
        proj, weights = attention_projection_flops(m, n_now), layer_weight_flops(m, n_now)
        sc.text(40, 402, f"At N = {n_now:,} tokens" + ("" if n_now == s["n"] else
                                                        f"  (growing to {s['n']:,})"), size=15, bold=True)
        left = [
            f"scores per head: N² = {fmt_count(el)}",
            (f"needed under the causal mask: N(N+1)/2 = {fmt_count(need)}" if self["causal"]
             else "no mask: every one of them is needed"),
            f"one head in BF16: {fmt_bytes(score_matrix_bytes(n_now))}",
            f"one layer ({m.heads} heads): {fmt_bytes(layer_b)} {self._vs_gpu(layer_b, gpu)}",
            f"all {m.attention_layers} layers: {fmt_bytes(score_matrix_bytes(n_now, m.heads, m.attention_layers))}",
        ]
        right = [
            f"Q·Kᵀ and A·V per layer{' (causal)' if self['causal'] else ''}: {fmt_flops(core)}",
            f"Q, K, V, O projections: {fmt_flops(proj)}",
            f"every weight matrix (FFN too): {fmt_flops(weights)}",
            f"Q·Kᵀ and A·V's share of the layer: {core / (core + weights):.0%}",
            f"all {m.attention_layers} layers, Q·Kᵀ and A·V: {fmt_flops(core * m.attention_layers)}",
        ]
        for k, line in enumerate(left):
            sc.text(40, 430 + 24 * k, line, size=BODY)
        for k, line in enumerate(right):
            sc.text(520, 430 + 24 * k, line, size=BODY)
        sc.text(40, 580, "Real kernels never store the whole matrix at once (a later chapter tiles it),",
                size=SUB, fill="muted")
        sc.text(40, 602, "but they still compute every score the mask keeps: the FLOPs stay quadratic.",
                size=SUB, fill="muted")

    # -- console -----------------------------------------------------------

    def events(self, t0: float, t1: float) -> list[dict]:
        out: list[dict] = []
        sub = self.submode
        if sub in ("heatmap", "graph"):
            done = PH_NORM if sub == "heatmap" else GRAPH_GROW
            res = self._head()
            starts = self._row_starts(t0, t1)
            for start, qi in starts:
                if t0 < start + done <= t1:
                    row = res.weights[qi]
                    j = max(range(N), key=row.__getitem__)
                    s = res.scores[qi][j]
                    out.append({"level": "info", "text":
                                f"query {qi} “{TOKENS[qi]}”: highest score {s:.2f} with “{TOKENS[j]}”; "
                                f"after {self._divisor_text()} and softmax it gets {row[j]:.2f} of the weight"})
        elif sub == "mask":
            pre = self._prefixes()
            for n in range(2, N + 1):
                at = (n - 1) * ARRIVE
                if t0 < at <= t1:
                    changed = len(self._changed(pre[n - 1], pre[n - 2], n))
                    if self["causal"]:
                        text = (f"token {n - 1} “{TOKENS[n - 1]}” arrives: {n} new scores in its row; "
                                "earlier rows unchanged, so their keys and values can be reused")
                    else:
                        text = (f"token {n - 1} “{TOKENS[n - 1]}” arrives: {2 * n - 1} new scores; "
                                f"{changed} earlier weights changed and must be recomputed")
                    out.append({"level": "info", "text": text})
        elif sub == "trained":
            toks = self._trained_tokens()
            labels = self.cached("lm_labels", lambda: [th.token_label(i) for i in toks])
            head = self["lm_head"]
            layer, h = head.split(".")
            for i in range(len(toks)):
                at = i * th.ARRIVE
                if t0 < at <= t1 or (i == 0 and t0 < 0 <= t1):
                    row = th.weights(int(self["lm_sentence"]), head, i + 1)[i]
                    j = max(range(i + 1), key=row.__getitem__)
                    out.append({"level": "info", "text":
                                f"token {i} “{labels[i]}” read: layer {layer}, head {h} gives {row[j]:.2f} "
                                f"of its weight to “{labels[j]}” ({th.relation(i, j)})"})
        elif sub == "scaling":
            for step in range(0, 11):
                at = step * D_STEP
                if t0 < at <= t1 or (step == 0 and t0 < 0 <= t1):
                    d = 2 ** step
                    sc = random_scores(d)
                    std = spread([v for r in sc for v in r])
                    raw = max(softmax([v / self["temp"] for v in sc[0]]))
                    scl = max(softmax([v / (self["temp"] * math.sqrt(d)) for v in sc[0]]))
                    out.append({"level": "info", "text":
                                f"d_k = {d}: scores spread {std:.1f} (√d_k = {math.sqrt(d):.1f}); "
                                f"top weight {raw:.2f} unscaled, {scl:.2f} with ÷√d_k"})
        elif sub == "cost":
            n_target = self["tokens"]
            for k in range(1, 4):
                at = k * COST_STEP
                n_now = max(16, n_target // 2 ** (3 - k))
                if t0 < at <= t1 and n_now > max(16, n_target // 2 ** (4 - k)):
                    out.append({"level": "info", "text":
                                f"N doubled to {n_now:,}: {fmt_count(score_matrix_elements(n_now))} scores "
                                f"per head (×4), projections ×2"})
        return out

    def _row_starts(self, t0: float, t1: float) -> list[tuple[float, int]]:
        q0 = int(self["query"])
        if not self["sweep"]:
            return [(0.0, q0)]
        first = max(0, int(max(t0, 0) // ROW_PERIOD) - 1)
        last = int(t1 // ROW_PERIOD)
        return [(k * ROW_PERIOD, (q0 + k) % N) for k in range(first, last + 1)]
