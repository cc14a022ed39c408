"""Tokenization by byte-pair encoding: the workshop of chapter p02-c01.

Everything here is the book's own tokenizer (:mod:`llmviz.lm.tokenizer`, the
256 merges of the tiny model in :mod:`llmviz.lm`), or the same training rule
run live on a paragraph of the book. Four views, one idea each:

* train: BPE learns merges from one paragraph of the book. Each step counts
  every adjacent pair of tokens, joins the most frequent pair into one new
  token, and the paragraph gets shorter; the table of pair counts, the
  chosen pair (underlined in the text before it merges) and the list of
  merges so far update with it.
* encode: a new string (a held-out sentence of the book, the same sentence
  in English, Greek and Chinese, Python, an emoji) goes in as UTF-8 bytes;
  the book's merges apply in the order they were learned; what is left are
  its tokens and their ids. Text the tokenizer never learned merges for
  stays one token per byte.
* compress: tokens per byte of the book's held-out text against the number
  of merges used, 0 to 256, with that text's sentence cut by the first m
  merges.
* vocab: the table of one vector per token id in real models, V·d numbers,
  and its share of each model's parameters.

Training and encoding are replayed once per paragraph or string
(``functools.lru_cache`` on pure functions of the choice); a frame looks its
step up and builds its scene once per step (:meth:`Mode.memo`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from ...calc.gemm import linear_flops
from ...calc.model_size import param_count
from ...calc.shapes import tensor_bytes
from ...calc.tokens import (
    bpe_vocab_size, bytes_per_token, embedding_table_params, tokens_per_byte, tokens_per_word,
    utf8_length, vocabulary_param_share,
)
from ...catalog import get_model
from ...core.mode import Mode, Submode, metric
from ...core.params import Choice, Number
from ...core.plot import Plot
from ...core.scene import CHAR_W, Scene
from ...lm.tokenizer import N_BYTES, Tokenizer, chunks, train
from ...units import fmt_bytes, fmt_count, fmt_flops, fmt_percent

# -- what the views read ---------------------------------------------------------------

#: Paragraphs of the book's training text (tools/tiny_lm/corpus/train.txt, copied exactly; a test
#: checks it), ASCII only so that every byte is one character cell. (key, where from, text)
PARAGRAPHS = (
    ("matrices", "the matrices chapter",
     "Read the result one coordinate at a time. The first coordinate, a x_1 + b x_2, is the dot "
     "product of the first row of A, the pair (a, b), with x. The second coordinate is the dot "
     "product of the second row, (c, d), with x. A matrix times a vector is one dot product per "
     "row. Nothing more."),
    ("attention", "the attention chapter",
     "The query q_i says what token i is looking for. The key k_j says what token j can be found "
     "by. The value v_j is what token j hands over when it is found. Think of a card catalogue: "
     "the query is the question you bring, the keys are the labels on the drawers, the values are "
     "what the drawers hold."),
    ("kvcache", "the KV cache chapter",
     "The KV cache keeps those keys and values. When a token passes through an attention layer, "
     "the layer computes its query, key and value. The query is used at once and thrown away. The "
     "key and the value are appended to that layer's cache, where every later token will read "
     "them."),
    ("batching", "the continuous batching chapter",
     "The simplest policy is static batching. When the engine is idle, it takes up to B waiting "
     "requests and runs them together. The group stays together until its longest request is "
     "done. Then the engine hands all the responses back at once and forms the next group."),
)
PARAGRAPH = {k: (src, text) for k, src, text in PARAGRAPHS}

#: A sentence of the held-out text (tools/tiny_lm/corpus/heldout.txt: the tokenizer never saw it).
HELD_OUT_SENTENCE = "Those parameters are read, one row per token, but never multiplied."
#: The strings the encode view cuts: (key, label, text). The cat sentence is the entropy
#: chapter's, with the same sentence in Greek and in Chinese.
SAMPLES = (
    ("book", "the book, held out", HELD_OUT_SENTENCE),
    ("english", "English", "The cat sat on the mat."),
    ("greek", "Greek", "Η γάτα κάθισε στο χαλάκι."),
    ("chinese", "Chinese", "猫坐在垫子上。"),
    ("python", "Python", "scores = [dot(q, k) for k in keys]"),
    ("emoji", "emoji", "Well done 👍🏽"),
)
SAMPLE = {k: (label, text) for k, label, text in SAMPLES}

#: The vocab view's models: the book's tiny model, then catalog entries by vocabulary size.
TINY = "tiny"
VOCAB_MODELS = (TINY, "llama-2-7b", "llama-3-8b", "llama-3-70b", "deepseek-v3", "qwen3-32b",
                "gpt-oss-120b", "gemma-7b")
#: Bytes per parameter of the 16-bit (BF16) copy of the tables the vocab view sizes.
TABLE_DTYPE = "bf16"

MAX_LEARN = 60          # merges the train view can learn from one paragraph
TOP_PAIRS = 8           # rows of the pair-count table
RECENT = 8              # rows of the list of merges learned
STEP_S = 0.8            # seconds per merge (train) and per encoding step (encode)
MAX_EVENTS = 12         # console lines a frame reports at most; older steps are summarised

# type sizes: the pane draws the 960-unit canvas at about 0.6×, so nothing is smaller than TINY
TITLE, SUB, BODY, SMALL, TINY_T = 20, 15, 16, 14, 13
MONO = 16                              # the text of tokens
# one ASCII character's cell in the train and compress views: a whole number of units just wider than
# a character of MONO type (MONO·CHAR_W), so positions serialise short and labels never overlap
CELL = float(math.ceil(MONO * CHAR_W["mono"]))
X0, X1 = 20, 940                       # the scene's left and right margins
# one byte's cell in the encode view: room for the largest id, three digits of TINY_T type, and a gap
ID_CELL = float(math.ceil(3 * TINY_T * CHAR_W["mono"]) + 3)


# -- small pure helpers ------------------------------------------------------------------


def shown(b: bytes) -> str:
    """A token's bytes as the views print them: a space as "·", a newline as "⏎", and bytes
    that are not whole UTF-8 characters in hex ("CE B3"). The book's tokenizer also has a token for the
    character "\u00b7" itself, so no text a view cuts may contain it (a test checks the samples)."""
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return " ".join(f"{x:02X}" for x in b)
    return s.replace(" ", "\u00b7").replace("\n", "\u23ce")


def words(text: str) -> int:
    """Words as this chapter counts them: pieces of text between whitespace."""
    return len(text.split())


def tokenizer() -> Tokenizer:
    """The book's tokenizer (256 merges of the tiny model), read without its weights."""
    from ...lm.model import load_tokenizer

    return load_tokenizer()


def wrap(widths: list[float], max_w: float) -> list[tuple[int, float]]:
    """(line, x offset) of each chunk laid out left to right, a new line before a chunk that would
    pass ``max_w``. Tokens never cross a chunk, so the layout holds for every step of a run."""
    out, line, x = [], 0, 0.0
    for w in widths:
        if x > 0 and x + w > max_w:
            line, x = line + 1, 0.0
        out.append((line, x))
        x += w
    return out


@dataclass(frozen=True)
class TrainState:
    """The paragraph after ``k`` merges learned from it.

    ``spans``: each token as (first byte, end byte, id), in order; ``pairs``: the
    :data:`TOP_PAIRS` most frequent adjacent pairs as ((left, right), count), the training rule's
    order (count, then the smaller pair); ``next_at``: first bytes of the tokens where the top
    pair would merge (left to right, without overlap).
    """

    k: int
    spans: tuple[tuple[int, int, int], ...]
    pairs: tuple[tuple[tuple[int, int], int], ...]
    next_at: tuple[int, ...]


@dataclass(frozen=True)
class TrainRun:
    """What training on one paragraph learned: the merges in order, the tokenizer they make and
    the state after each prefix of them (``states[k]``, k = 0 … len(merges))."""

    text: bytes
    merges: tuple[tuple[int, int], ...]
    tok: Tokenizer
    states: tuple[TrainState, ...]


def _pair_table(seqs: list[list[int]]) -> list[tuple[tuple[int, int], int]]:
    counts: dict[tuple[int, int], int] = {}
    for s in seqs:
        for p in zip(s, s[1:]):
            counts[p] = counts.get(p, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@lru_cache(maxsize=len(PARAGRAPHS))
def training_run(key: str) -> TrainRun:
    """Train :data:`MAX_LEARN` merges on paragraph ``key`` and record every step (once per paragraph:
    the first m merges of a longer run are the merges of a run of m)."""
    text = PARAGRAPH[key][1].encode("utf-8")
    merges = tuple(train(text, MAX_LEARN))
    tok = Tokenizer(merges)
    pieces = chunks(text)
    starts, at = [], 0
    for c in pieces:
        starts.append(at)
        at += len(c)
    traces = [tok.trace_chunk(c) for c in pieces]
    states = []
    for k in range(len(merges) + 1):
        seqs = []
        for c, tr in zip(pieces, traces):
            ids = list(c)
            for rank, after in tr:
                if rank >= k:
                    break
                ids = list(after)
            seqs.append(ids)
        spans = []
        for start, ids in zip(starts, seqs):
            for i in ids:
                n = len(tok.vocab[i])
                spans.append((start, start + n, i))
                start += n
        table = _pair_table(seqs)
        next_at: list[int] = []
        if table:
            (a, b), _ = table[0]
            pos = 0
            for j, (s0, _, i) in enumerate(spans):
                if j >= pos and i == a and j + 1 < len(spans) and spans[j + 1][2] == b \
                        and spans[j + 1][0] == spans[j][1] and _same_chunk(starts, s0, spans[j + 1][0]):
                    next_at.append(s0)
                    pos = j + 2
        states.append(TrainState(k, tuple(spans), tuple(table[:TOP_PAIRS]), tuple(next_at)))
    return TrainRun(text, merges, tok, tuple(states))


def _same_chunk(starts: list[int], a: int, b: int) -> bool:
    """Whether byte offsets ``a`` and ``b`` fall in the same chunk (chunks begin at ``starts``)."""
    return not any(a < s <= b for s in starts)


@dataclass(frozen=True)
class EncodeStep:
    """One step of encoding a string: the merge of ``rank`` applied ``times`` (None: the bytes)."""

    rank: int | None
    times: int
    spans: tuple[tuple[int, int, int], ...]


@lru_cache(maxsize=len(SAMPLES))
def encoding(key: str) -> tuple[EncodeStep, ...]:
    """Sample ``key`` encoded by the book's tokenizer step by step: its bytes, then each merge that
    applies, in the order the merges were learned."""
    tok = tokenizer()
    data = SAMPLE[key][1].encode("utf-8")
    pieces = chunks(data)
    starts, at = [], 0
    for c in pieces:
        starts.append(at)
        at += len(c)
    traces = [tok.trace_chunk(c) for c in pieces]
    ranks = sorted({r for tr in traces for r, _ in tr})
    current = [list(c) for c in pieces]

    def spans() -> tuple:
        out = []
        for start, ids in zip(starts, current):
            for i in ids:
                n = len(tok.vocab[i])
                out.append((start, start + n, i))
                start += n
        return tuple(out)

    steps = [EncodeStep(None, 0, spans())]
    for r in ranks:
        times = 0
        for ci, tr in enumerate(traces):
            for rank, after in tr:
                if rank == r:
                    times += len(current[ci]) - len(after)
                    current[ci] = list(after)
        steps.append(EncodeStep(r, times, spans()))
    return tuple(steps)


@dataclass(frozen=True)
class TextStats:
    """One row of the encode view's table: a text and what the book's tokenizer makes of it."""

    label: str
    n_bytes: int
    chars: int
    words: int
    tokens: int


@lru_cache(maxsize=1)
def comparison() -> tuple[TextStats, ...]:
    """Every sample and the whole held-out text, measured with the book's tokenizer."""
    from ...lm.model import held_out_bytes

    tok = tokenizer()
    rows = [TextStats(label, len(text.encode("utf-8")), len(text), words(text), len(tok.encode(text)))
            for _, label, text in SAMPLES]
    held = held_out_bytes()
    text = held.decode("utf-8")
    rows.append(TextStats("the whole held-out text", len(held), len(text), words(text),
                          compression_curve()[-1]))
    return tuple(rows)


@lru_cache(maxsize=1)
def compression_curve() -> tuple[int, ...]:
    """Tokens of the book's held-out text under the first m merges, m = 0 … 256."""
    from ...lm.model import held_out_bytes

    return tuple(tokenizer().token_counts(held_out_bytes()))


@lru_cache(maxsize=1)
def training_text_point() -> tuple[int, int]:
    """(bytes, tokens) of the training text under all 256 merges, from the model's training record."""
    from ...lm.model import load_header

    rec = load_header()["training"]
    return rec["bytes"]["train"], rec["tokens"]["train"]


@dataclass(frozen=True)
class VocabRow:
    """One model of the vocab view: vocabulary ``vocab``, width ``d``, its input table's
    parameters, whether the output layer reuses it (``tied``), all its parameters, and the share
    of them in per-token tables."""

    name: str
    label: str
    vocab: int
    d: int
    table: int
    tied: bool
    total: int
    share: float


@lru_cache(maxsize=len(VOCAB_MODELS))
def vocab_row(name: str) -> VocabRow:
    """The vocab view's numbers for model ``name`` (:data:`TINY`: the book's model, from its header)."""
    if name == TINY:
        from ...lm.model import load_header

        h = load_header()
        v, d = h["config"]["n_vocab"], h["config"]["d_model"]
        table = embedding_table_params(v, d)
        return VocabRow(name, "the book's tiny model", v, d, table, bool(h["tied_unembedding"]),
                        h["n_params"], table / h["n_params"])
    m = get_model(name)
    return VocabRow(name, m.display_name, m.vocab, m.hidden, embedding_table_params(m.vocab, m.hidden),
                    m.tied_embeddings, param_count(m), vocabulary_param_share(m))


def vocab_label(name: str) -> str:
    """The vocab view's name for model ``name``, without reading any file."""
    return "the book's tiny model" if name == TINY else get_model(name).display_name


def _int(n: int) -> str:
    return f"{n:,}"


def _ratio(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


# -- the mode ------------------------------------------------------------------------------


class TokenizationMode(Mode):
    """BPE training merge by merge; encoding a string; compression against merges; vocabulary cost."""

    id = "p02-c01-tokenization"
    chapter = "p02-c01-tokenization"
    title = "Tokenization: byte-pair encoding"
    step_dt = STEP_S
    size = (960, 600)

    params = (
        Choice("paragraph", "paragraph", default="matrices",
               options=tuple((k, src.removeprefix("the ")) for k, src, _ in PARAGRAPHS),
               help="The paragraph of the book that BPE learns its merges from."),
        Number("learn", "merges to learn", lo=1, hi=MAX_LEARN, step=1, default=32, integer=True,
               help="How many merges training makes, one every 0.8 s; the vocabulary grows by one each."),
        Choice("sample", "string", default="book", options=tuple((k, label) for k, label, _ in SAMPLES),
               help="The text the book's tokenizer encodes."),
        Number("merges", "merges used", lo=0, hi=256, step=1, default=256, integer=True,
               help="Use only the first m of the book's 256 merges: a vocabulary of 256 + m tokens."),
        Choice("model", "model", default="llama-3-8b",
               options=tuple((n, vocab_label(n)) for n in VOCAB_MODELS),
               help="The model whose table of token vectors is sized."),
    )

    submodes = {
        "train": Submode("Training, merge by merge", {"paragraph": "matrices", "learn": 32},
                         "BPE counts every adjacent pair, joins the most frequent into a new token, repeats.",
                         ("paragraph", "learn")),
        "encode": Submode("Encoding a string", {"sample": "book"},
                          "UTF-8 bytes in; the learned merges apply in the order they were learned.",
                          ("sample",)),
        "compress": Submode("Compression", {"merges": 256},
                            "Tokens per byte of the held-out text as the merges are used one by one.",
                            ("merges",)),
        "vocab": Submode("Vocabulary cost", {"model": "llama-3-8b"},
                         "One vector of d numbers per token id: V·d parameters, and their share of the model.",
                         ("model",)),
    }
    default_submode = "train"

    def draw(self, t: float):
        if self.submode == "encode":
            return self._draw_encode(t)
        if self.submode == "compress":
            return self.memo("compress", self["merges"], self._compress_frame)
        if self.submode == "vocab":
            return self.memo("vocab", self["model"], self._vocab_frame)
        return self._draw_train(t)

    def events(self, t0: float, t1: float) -> list[dict]:
        if self.submode == "encode":
            out = self._encode_events(t0, t1)
        elif self.submode == "train":
            out = self._train_events(t0, t1)
        else:
            out = []
        return [{"level": "info", "text": s} for s in out]

    def _header(self, sc: Scene, title: str, subtitle: str, right: str = "") -> None:
        sc.text(X0, 24, title, size=TITLE, bold=True)
        sc.text(X0, 50, subtitle, size=SUB, fill="muted")
        if right:
            sc.text(X1, 24, right, size=SUB, fill="accent", bold=True, align="r")

    @staticmethod
    def _step(t: float, n: int) -> int:
        """Steps done at time ``t`` (one every :data:`STEP_S` seconds), at most ``n``."""
        return min(n, int(t / STEP_S + 1e-9))

    # -- train view ------------------------------------------------------------------------

    def _run(self) -> TrainRun:
        return training_run(self["paragraph"])

    def _draw_train(self, t: float):
        k = self._step(t, self["learn"])
        return self.memo("train", k, lambda: self._train_frame(k))

    def _train_frame(self, k: int):
        run, K = self._run(), self["learn"]
        st = run.states[k]
        tok, text = run.tok, run.text
        src = PARAGRAPH[self["paragraph"]][0]
        sc = self.new_scene()
        self._header(sc, "Training BPE on a paragraph of the book",
                     f"A paragraph of {src}, {len(text)} bytes. Each merge joins the most frequent adjacent "
                     f"pair.", f"merge {k} of {K}")
        # the paragraph, every token on its own shade; the last merge's tokens in yellow
        pieces = chunks(text)
        lines = wrap([len(c) * CELL for c in pieces], X1 - X0)
        where = {}
        at = 0
        for c, (line, x) in zip(pieces, lines):
            for j in range(len(c)):
                where[at + j] = (line, x + j * CELL)
            at += len(c)
        y0, pitch, h = 70, 30, 26
        n_lines = lines[-1][0] + 1
        new_id = N_BYTES + k - 1 if k else None
        rows: list[list[float]] = [[] for _ in range(n_lines)]
        for idx, (s0, s1, i) in enumerate(st.spans):
            for b in range(s0, s1):
                rows[where[b][0]].append(0.12 if idx % 2 else 0.3)
        for r, vals in enumerate(rows):
            g = sc.grid(X0, y0 + r * pitch, len(vals) * CELL, h, 1, len(vals), vals, vmin=0, vmax=1)
            del g["stroke"]          # no gutters: a token's cells read as one block
        for s0, s1, i in st.spans:
            line, x = where[s0]
            if i == new_id:
                sc.rect(X0 + x, y0 + line * pitch, (s1 - s0) * CELL, h, fill="hl", stroke="accent2", lw=1.5)
        for s0, _, i in st.spans:
            line, x = where[s0]
            sc.text(X0 + x, y0 + line * pitch + h / 2, shown(tok.vocab[i]), size=MONO, font="mono")
        # the pair that merges next, underlined where it will join
        for s0 in st.next_at:
            line, x = where[s0]
            a, b = st.pairs[0][0]
            w = (len(tok.vocab[a]) + len(tok.vocab[b])) * CELL
            sc.line(X0 + x + 1, y0 + line * pitch + h + 2, X0 + x + w - 1, y0 + line * pitch + h + 2,
                    stroke="accent", lw=3)
        y = y0 + n_lines * pitch + 14
        n_tok = len(st.spans)
        sc.text(X0, y, f"After {k} merge{'s' if k != 1 else ''}: {n_tok} tokens for {len(text)} bytes "
                       f"({_ratio(bytes_per_token(len(text), n_tok), 2)} bytes a token). Vocabulary: 256 + {k} "
                       f"= {bpe_vocab_size(k)} tokens.", size=BODY, base="t")
        ty = y + 48
        self._pair_table(sc, st, tok, ty, "top row: the next merge, underlined in the text" if k < K else
                         f"training stops at {K}; the top row would be merge {K + 1}")
        self._merge_list(sc, run, k, ty)
        sc.text(X0, 584, "\u00b7 is a space. Pairs stay inside chunks (a word and its leading space, a digit, "
                         "punctuation); ties go to smaller ids.", size=SMALL, fill="muted")
        last = run.states[k - 1] if k else None
        gained = (len(last.spans) - n_tok) if last else 0
        tel = [
            metric("merges", "merges learned", k, f"{k} of {K}", ""),
            metric("vocab", "vocabulary", bpe_vocab_size(k), f"{bpe_vocab_size(k)} tokens", "tokens",
                   "256 byte tokens plus one per merge"),
            metric("tokens", "paragraph length", n_tok, f"{n_tok} tokens", "tokens"),
            metric("tpb", "tokens per byte", tokens_per_byte(n_tok, len(text)),
                   _ratio(tokens_per_byte(n_tok, len(text))), "tokens/byte"),
            metric("gain", "last merge saved", gained, f"{gained} token{'' if gained == 1 else 's'}", "tokens",
                   "how many places the last merge joined"),
        ]
        return sc, tel

    def _pair_table(self, sc: Scene, st: TrainState, tok: Tokenizer, y: float, note: str) -> None:
        """The pair counts now, most frequent first; the top row is the next merge, and ``note`` says so."""
        sc.text(X0, y, "Adjacent pairs now, most frequent first", size=BODY, bold=True, base="t")
        hy = y + 28
        for x, label, al in ((X0 + 8, "left", "l"), (110, "right", "l"), (200, "joined", "l"),
                             (430, "count", "r")):
            sc.text(x, hy, label, size=SMALL, fill="muted", align=al, base="t")
        if not st.pairs:
            sc.text(X0 + 8, hy + 30, "no pair left: every chunk is one token", size=SMALL, fill="muted",
                    base="t")
            return
        top = st.pairs[0][1]
        for r, ((a, b), n) in enumerate(st.pairs):
            ry = hy + 24 + r * 25
            if r == 0:
                sc.rect(X0, ry - 2, 430, 24, fill="hl", r=3)
            sc.text(X0 + 8, ry + 10, shown(tok.vocab[a]), size=SMALL, font="mono")
            sc.text(110, ry + 10, shown(tok.vocab[b]), size=SMALL, font="mono")
            sc.text(200, ry + 10, shown(tok.vocab[a] + tok.vocab[b]), size=SMALL, font="mono",
                    bold=r == 0)
            bw = 110 * n / top
            sc.rect(296, ry + 3, bw, 14, fill="accent" if r == 0 else "faint")
            sc.text(430, ry + 10, str(n), size=SMALL, align="r")
        sc.text(X0 + 8, hy + 24 + len(st.pairs) * 25 + 4, note, size=SMALL, fill="accent", base="t")

    def _merge_list(self, sc: Scene, run: TrainRun, k: int, y: float) -> None:
        """The merges learned so far, newest first, with the count each had when chosen."""
        x0 = 490
        sc.text(x0, y, "Merges learned, newest first", size=BODY, bold=True, base="t")
        hy = y + 28
        for x, label, al in ((x0 + 8, "merge", "l"), (x0 + 74, "id", "l"), (x0 + 124, "pair \u2192 token", "l"),
                             (X1, "count", "r")):
            sc.text(x, hy, label, size=SMALL, fill="muted", align=al, base="t")
        if not k:
            sc.text(x0 + 8, hy + 30, "none yet: the vocabulary is the 256 bytes", size=SMALL, fill="muted",
                    base="t")
            return
        tok = run.tok
        for r, rank in enumerate(range(k - 1, max(-1, k - 1 - RECENT), -1)):
            ry = hy + 24 + r * 25
            a, b = run.merges[rank]
            count = dict(run.states[rank].pairs).get((a, b), 0)
            if r == 0:
                sc.rect(x0, ry - 2, X1 - x0, 24, fill="hl", r=3)
            sc.text(x0 + 8, ry + 10, str(rank + 1), size=SMALL)
            sc.text(x0 + 74, ry + 10, str(N_BYTES + rank), size=SMALL, font="mono")
            sc.text(x0 + 124, ry + 10, f"{shown(tok.vocab[a])} + {shown(tok.vocab[b])} \u2192 "
                                       f"{shown(tok.vocab[N_BYTES + rank])}", size=SMALL, font="mono")
            sc.text(X1, ry + 10, str(count), size=SMALL, align="r")
        if k > RECENT:
            sc.text(x0 + 8, hy + 24 + RECENT * 25 + 4, f"and {k - RECENT} earlier", size=SMALL, fill="muted",
                    base="t")

    def _train_events(self, t0: float, t1: float) -> list[str]:
        run, K = self._run(), self["learn"]
        lo = self._step(t0, K) if t0 >= 0 else -1       # merges already reported
        hi = self._step(t1, K)
        tok, out = run.tok, []
        if lo < 0:
            out.append(f"{len(run.text)} bytes, {len(run.text)} tokens: training starts from the bytes.")
        for k in range(max(lo + 1, 1, hi - MAX_EVENTS + 1), hi + 1):
            a, b = run.merges[k - 1]
            n = dict(run.states[k - 1].pairs).get((a, b), 0)
            out.append(f"Merge {k}: {shown(tok.vocab[a])} + {shown(tok.vocab[b])} \u2192 "
                       f"{shown(tok.vocab[N_BYTES + k - 1])} (token {N_BYTES + k - 1}), {n} pairs joined; "
                       f"the paragraph is now {len(run.states[k].spans)} tokens.")
        if hi == K and lo < K:
            out.append(f"Done: {K} merge{'' if K == 1 else 's'} learned; the paragraph is {len(run.states[K].spans)} tokens.")
        return out

    # -- encode view -----------------------------------------------------------------------

    def _draw_encode(self, t: float):
        steps = encoding(self["sample"])
        s = self._step(t, len(steps) - 1)
        return self.memo("encode", s, lambda: self._encode_frame(s))

    def _encode_frame(self, s: int):
        key = self["sample"]
        label, text = SAMPLE[key]
        steps = encoding(key)
        step = steps[s]
        tok = tokenizer()
        data = text.encode("utf-8")
        sc = self.new_scene()
        n_steps = len(steps) - 1
        self._header(sc, "Encoding a string with the book's tokenizer",
                     f"{label}: {len(data)} bytes of UTF-8 for {len(text)} code points. The merges apply in "
                     f"the order learned.", f"step {s} of {n_steps}" if n_steps else "no merge applies")
        sc.text(X0, 82, text, size=20, font="mono" if key == "python" else "sans")
        # one cell per byte, wide enough for a byte's hex and for the widest id (three digits) under it
        cw = [ID_CELL] * len(data)
        pieces = chunks(data)
        widths, at = [], 0
        for c in pieces:
            widths.append(sum(cw[at:at + len(c)]))
            at += len(c)
        lines = wrap(widths, X1 - X0)
        bx: dict[int, tuple[int, float]] = {}
        at = 0
        for c, (line, x) in zip(pieces, lines):
            for j in range(len(c)):
                bx[at + j] = (line, x)
                x += cw[at + j]
            at += len(c)
        # a line: code points over their bytes (only where a character needs several), the token
        # boxes, and the ids
        glyphs = 42 if any(b >= 0x80 for b in data) else 0
        y0, pitch = 104, glyphs + 58
        # characters beyond ASCII: the glyph and its code point over the bytes UTF-8 gives it
        at = 0
        for ch in text:
            n = utf8_length(ord(ch))
            if n > 1:
                line, x = bx[at]
                w = sum(cw[at:at + n])
                cx, yy = X0 + x + w / 2, y0 + line * pitch
                sc.text(cx, yy, ch, size=BODY, align="c", base="t")
                sc.text(cx, yy + 21, f"U+{ord(ch):04X}", size=TINY_T, fill="muted", align="c", base="t")
                sc.line(X0 + x + 2, yy + 38, X0 + x + w - 2, yy + 38, stroke="muted")
            at += n
        new_id = N_BYTES + step.rank if step.rank is not None else None
        for idx, (s0, s1, i) in enumerate(step.spans):
            line, x = bx[s0]
            w = sum(cw[s0:s1])
            cy = y0 + line * pitch + glyphs
            fill = "hl" if i == new_id else ("panel" if idx % 2 else "grid")
            sc.rect(X0 + x + 1, cy, w - 2, 30, fill=fill, stroke="accent2" if i == new_id else "faint",
                    lw=1.5 if i == new_id else 1, r=3)
            b = tok.vocab[i]
            label_s = shown(b)
            size = MONO if all(c < 0x80 for c in b) else TINY_T
            sc.text(X0 + x + w / 2, cy + 15, label_s, size=size, font="mono", align="c")
            sc.text(X0 + x + w / 2, cy + 34, str(i), size=TINY_T, font="mono", fill="muted", align="c",
                    base="t")
        n_lines = lines[-1][0] + 1
        y = y0 + n_lines * pitch + 8
        n_tok = len(step.spans)
        if step.rank is None:
            msg = (f"Step 0: every byte is a token, and its id is the byte's value. {n_tok} tokens."
                   if n_steps else f"No learned merge joins any of these bytes: {n_tok} bytes stay "
                                   f"{n_tok} tokens.")
        else:
            a, b = tok.merges[step.rank]
            msg = (f"Merge {step.rank + 1} of 256 ({shown(tok.vocab[a])} + {shown(tok.vocab[b])} \u2192 "
                   f"{shown(tok.vocab[new_id])}, id {new_id}) joins {step.times} place"
                   f"{'s' if step.times > 1 else ''}: {n_tok} tokens.")
        sc.text(X0, y, msg, size=BODY, base="t", fill="ink")
        self._comparison_table(sc, key, y + 32)
        nw = words(text)
        tel = [
            metric("bytes", "UTF-8 bytes", len(data), f"{len(data)} B", "B"),
            metric("chars", "code points", len(text), str(len(text)), "", "characters, as Unicode numbers them"),
            metric("tokens", "tokens now", n_tok, str(n_tok), "tokens"),
            metric("tpb", "tokens per byte", tokens_per_byte(n_tok, len(data)),
                   _ratio(tokens_per_byte(n_tok, len(data))), "tokens/byte"),
            metric("tpw", "tokens per word", tokens_per_word(n_tok, nw), _ratio(tokens_per_word(n_tok, nw), 2),
                   "tokens/word", "words: pieces between spaces"),
        ]
        return sc, tel

    def _comparison_table(self, sc: Scene, key: str, y: float) -> None:
        """Every sample and the held-out text, fully encoded: bytes, characters, tokens and ratios."""
        cols = ((X0 + 8, "text", "l"), (330, "bytes", "r"), (420, "code points", "r"), (500, "words", "r"),
                (580, "tokens", "r"), (700, "tokens/byte", "r"), (820, "tokens/word", "r"))
        sc.text(X0, y, "Fully encoded by the book's tokenizer", size=BODY, bold=True, base="t")
        hy = y + 26
        for x, label, al in cols:
            sc.text(x, hy, label, size=SMALL, fill="muted", align=al, base="t")
        keys = [k for k, _, _ in SAMPLES] + [None]
        for r, (row, k) in enumerate(zip(comparison(), keys)):
            ry = hy + 22 + r * 22
            if k == key:
                sc.rect(X0, ry - 1, 820 - X0 + 8, 21, fill="hl", r=3)
            tpw = _ratio(tokens_per_word(row.tokens, row.words), 2) if row.words > 1 else "\u2014"
            vals = (row.label, _int(row.n_bytes), _int(row.chars), _int(row.words), _int(row.tokens),
                    _ratio(tokens_per_byte(row.tokens, row.n_bytes)), tpw)
            for (x, _, al), v in zip(cols, vals):
                sc.text(x, ry + 10, v, size=SMALL, align=al, bold=k == key)
        sc.text(X0, hy + 22 + len(keys) * 22 + 6, "\u00b7 is a space. \u2014: Chinese is written without spaces, "
                "so it has no words to count this way.", size=SMALL, fill="muted", base="t")

    def _encode_events(self, t0: float, t1: float) -> list[str]:
        steps = encoding(self["sample"])
        n = len(steps) - 1
        lo = self._step(t0, n) if t0 >= 0 else -1
        hi = self._step(t1, n)
        tok = tokenizer()
        out = []
        if lo < 0:
            data = SAMPLE[self["sample"]][1].encode("utf-8")
            out.append(f"{len(data)} bytes in, {len(steps[0].spans)} tokens: one per byte to start.")
        first = max(lo + 1, 1, hi - MAX_EVENTS + 1)
        for s in range(first, hi + 1):
            st = steps[s]
            a, b = tok.merges[st.rank]
            out.append(f"Merge {st.rank + 1} ({shown(tok.vocab[a])} + {shown(tok.vocab[b])} \u2192 "
                       f"{shown(tok.vocab[N_BYTES + st.rank])}) applies {st.times}\u00d7: {len(st.spans)} tokens.")
        if hi == n and lo < n:
            out.append(f"Encoded: {len(steps[n].spans)} tokens" + (f" after {n} merges applied." if n else
                       "; no learned merge applies to these bytes."))
        return out

    # -- compress view ---------------------------------------------------------------------

    def _compress_frame(self):
        m = self["merges"]
        counts = compression_curve()
        n_bytes = counts[0]
        sc = self.new_scene()
        self._header(sc, "Compression: tokens per byte of the held-out text",
                     f"The book's tokenizer with only its first m merges, on {_int(n_bytes)} bytes of the book "
                     f"it never saw.", f"m = {m}, V = {bpe_vocab_size(m)}")
        p = Plot(96, 96, 500, 300, xlim=(0, 256), ylim=(0.4, 1.0))
        p.frame(sc, xticks=(0, 64, 128, 192, 256), yticks=(0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0), size=SMALL,
                xlabel="merges m (vocabulary 256 + m)", ylabel="tokens per byte", marks=False)
        pts = [(k, tokens_per_byte(c, n_bytes)) for k, c in enumerate(counts)]
        p.polyline(sc, pts, stroke="accent", lw=2.5)
        p.vline(sc, m, stroke="accent2", lw=1.5)
        r = tokens_per_byte(counts[m], n_bytes)
        sc.circle(p.fx(m), p.fy(r), 6, fill="accent2", stroke="bg", lw=1.5)
        tb, tt = training_text_point()
        rt = tokens_per_byte(tt, tb)
        sc.rect(p.fx(256) - 5, p.fy(rt) - 5, 10, 10, fill="accent3")
        sc.text(p.fx(256) - 10, p.fy(rt) + 20, "training text, 256 merges", size=SMALL, fill="accent3",
                align="r", base="m")
        # the numbers at m
        x0 = 640
        saved = counts[m - 1] - counts[m] if m else 0
        first32 = counts[0] - counts[32]
        last32 = counts[224] - counts[256]
        rows = (
            (f"{m} merge{'' if m == 1 else 's'}: vocabulary {bpe_vocab_size(m)}", "ink", True),
            (f"{_int(counts[m])} tokens", "accent2", True),
            (f"{_ratio(r)} tokens per byte", "ink", False),
            (f"{_ratio(bytes_per_token(n_bytes, counts[m]), 2)} bytes per token", "ink", False),
            (f"merge {m} saved {saved} token{'' if saved == 1 else 's'}" if m else "no merges: one token per byte",
             "muted", False),
            ("", "ink", False),
            (f"merges 1\u201332 save {_int(first32)} tokens", "ink", False),
            (f"merges 225\u2013256 save {_int(last32)}", "ink", False),
            (f"training text: {_ratio(rt)} per byte", "accent3", False),
        )
        y = 100
        for s, fill, bold in rows:
            if s:
                sc.text(x0, y, s, size=BODY, fill=fill, bold=bold, base="t")
            y += 28
        # the held-out sentence cut by the first m merges
        tok = tokenizer()
        sent = HELD_OUT_SENTENCE.encode("utf-8")
        cut = Tokenizer(tok.merges[:m])
        ids = cut.encode_bytes(sent)
        sy = 470
        sc.text(X0, sy, f"A held-out sentence with {m} merge{'' if m == 1 else 's'}: {len(ids)} tokens for "
                        f"{len(sent)} bytes",
                size=BODY, bold=True, base="t")
        y0, h = sy + 30, 26
        vals: list[float] = []
        for idx, i in enumerate(ids):
            vals += [0.12 if idx % 2 else 0.3] * len(cut.vocab[i])
        g = sc.grid(X0, y0, len(vals) * CELL, h, 1, len(vals), vals, vmin=0, vmax=1)
        del g["stroke"]
        x = 0.0
        for i in ids:
            sc.text(X0 + x, y0 + h / 2, shown(cut.vocab[i]), size=MONO, font="mono")
            x += len(cut.vocab[i]) * CELL
        sc.text(X0, 560, "Early merges join the most frequent pairs, late ones rarer pairs: the curve falls "
                         "fast, then flattens. \u00b7 is a space.", size=SMALL, fill="muted", base="t")
        tel = [
            metric("merges", "merges used", m, str(m), ""),
            metric("vocab", "vocabulary", bpe_vocab_size(m), f"{bpe_vocab_size(m)} tokens", "tokens"),
            metric("tokens", "held-out tokens", counts[m], _int(counts[m]), "tokens"),
            metric("tpb", "tokens per byte", r, _ratio(r), "tokens/byte"),
            metric("saved", "saved by merge m", saved, f"{saved} token{'' if saved == 1 else 's'}", "tokens"),
        ]
        return sc, tel

    # -- vocab view ------------------------------------------------------------------------

    def _vocab_frame(self):
        sel = vocab_row(self["model"])
        rows = [vocab_row(n) for n in VOCAB_MODELS]
        sc = self.new_scene()
        self._header(sc, "What a vocabulary costs: one vector per token id",
                     "A model keeps d numbers for each of its V token ids: a table of V\u00b7d parameters.")
        cols = ((X0 + 8, "model", "l"), (318, "V", "r"), (392, "d", "r"), (438, "tables", "c"),
                (480, "V\u00b7d parameters, one table", "l"), (X1, "share of model", "r"))
        hy = 80
        for x, label, al in cols:
            sc.text(x, hy, label, size=SMALL, fill="muted", align=al, base="t")
        top = max(r.table for r in rows)
        for k, row in enumerate(rows):
            ry = hy + 28 + k * 38
            on = row.name == sel.name
            if on:
                sc.rect(X0, ry - 5, X1 - X0, 32, fill="hl", r=3)
            sc.text(X0 + 8, ry + 11, row.label, size=BODY, bold=on)
            sc.text(318, ry + 11, _int(row.vocab), size=BODY, align="r", font="mono")
            sc.text(392, ry + 11, _int(row.d), size=BODY, align="r", font="mono")
            sc.text(438, ry + 11, "1" if row.tied else "2", size=BODY, align="c", font="mono")
            bw = max(1.5, 210 * row.table / top)
            sc.rect(480, ry + 2, bw, 18, fill="accent2" if on else "accent", alpha=1 if on else 0.6)
            sc.text(480 + bw + 8, ry + 11, fmt_count(row.table), size=SMALL)
            share_w = 110 * row.share / 0.25
            # the bar ends clear of the widest label, "0.276 %"
            sc.rect(X1 - 180, ry + 3, 110, 16, fill="grid")
            sc.rect(X1 - 180, ry + 3, min(110, share_w), 16, fill="accent3" if on else "muted")
            sc.text(X1, ry + 11, fmt_percent(row.share, 3), size=SMALL, align="r")
        y = hy + 28 + len(rows) * 38 + 4
        untied = not sel.tied
        both = sel.table * (2 if untied else 1)
        b16 = tensor_bytes((sel.vocab, sel.d), TABLE_DTYPE)
        lines = (
            (f"{sel.label}: V\u00b7d = {_int(sel.vocab)} \u00d7 {_int(sel.d)} = {_int(sel.table)} parameters, "
             f"{fmt_bytes(b16)} in BF16.", "ink", True),
            ((f"Its output layer holds a second such table (untied): {fmt_count(both)} in all, "
              if untied else "Its output layer reuses this table (tied): ")
             + f"{fmt_percent(sel.share, 3)} of {fmt_count(sel.total)}.", "ink", False),
            (f"Scoring every token at the output costs 2\u00b7V\u00b7d = {fmt_flops(linear_flops(sel.d, sel.vocab))} "
             f"per token, whatever the text.", "ink", False),
        )
        for s, fill, bold in lines:
            sc.text(X0, y, s, size=BODY, fill=fill, bold=bold, base="t")
            y += 28
        sc.text(X0, 584, "tables: 1 when the output layer reuses the input table (tied), 2 when it has its own. "
                         "Share bars end at 25 %.", size=SMALL, fill="muted")
        tel = [
            metric("V", "vocabulary V", sel.vocab, _int(sel.vocab), "tokens"),
            metric("d", "vector width d", sel.d, _int(sel.d), ""),
            metric("table", "table V\u00b7d", sel.table, fmt_count(sel.table), "parameters"),
            metric("share", "share of the model", sel.share, fmt_percent(sel.share, 3), "",
                   "input table plus an untied output layer, over all parameters"),
            metric("flops", "output layer per token", linear_flops(sel.d, sel.vocab),
                   fmt_flops(linear_flops(sel.d, sel.vocab)), "FLOP"),
        ]
        return sc, tel

