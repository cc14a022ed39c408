"""The tiny transformer in pure Python: a forward pass that keeps every intermediate, and a KV cache.

The architecture is the one the book teaches, with the sizes recorded in
``tiny_lm.json`` (2 layers, d_model 64, 4 heads of 16, SwiGLU width 192, a
128-token context, 512 tokens; ``tools/tiny_lm/README.md`` says why). For
each layer::

    h = RMSNorm(x) · g_attn                       pre-norm
    q, k, v = h W_Q, h W_K, h W_V                 4 heads of d_head = 16
    q, k = RoPE(q, p), RoPE(k, p)                 pairs (2i, 2i+1) turned by p·θ_i
    x = x + [softmax_j(q_i·k_j / √d_head), j ≤ i] v · W_O
    h = RMSNorm(x) · g_ffn
    x = x + (SiLU(h W_gate) ⊙ h W_up) W_down
    logits = (RMSNorm(x) · g_final) Eᵀ            tied: the unembedding is the token embedding E

with RMSNorm(x) = x / √(mean(x²) + ε) and θ_i = 10000^(−2i/d_head).

Two code paths compute it. :meth:`TinyLM.forward` runs a whole sequence
layer by layer (every position's K and V first, then each query against the
keys up to it) and returns a :class:`Trace` of every intermediate.
:meth:`TinyLM.step` runs one new token through all layers against a
:class:`KVCache` of the earlier tokens' keys and values, as a decoder does.
The tests check that both give the same logits and that every intermediate
matches a numpy forward pass of the same weights.

Arithmetic is Python floats (IEEE double). The weights are stored as int8
with one float32 scale per output column (``tools/tiny_lm/README.md`` gives
what that costs in loss) and multiplied out once, on load. A matrix-vector product is one dot product per output,
done with :func:`math.sumprod` where Python has it (3.12 and later, so in
the browser) and ``sum(map(mul, …))`` otherwise.

Loading is lazy: importing this module reads nothing; :func:`load` reads the
weights on first call (about 0.14 MB) and keeps them.
"""
from __future__ import annotations

import json
import math
import random
import struct
from dataclasses import dataclass, field
from operator import mul
from pathlib import Path
from typing import Sequence

from ..calc.rope import rope_inverse_frequencies
from .tokenizer import Tokenizer

HERE = Path(__file__).resolve().parent
DEFAULT = "tiny_lm"

try:
    _sumprod = math.sumprod  # Python 3.12+
except AttributeError:  # pragma: no cover - exercised on Python 3.11
    def _sumprod(a, b):
        return sum(map(mul, a, b))

Vec = list  # a row vector of floats
Mat = list  # a list of rows

#: Multiply-adds in one slice of incremental work (:meth:`TinyLM._token`,
#: :class:`Reading`): about 0.13 ms of CPython 3.11 on the machine the bench
#: ran on, so a view can do several per frame and stay inside its budget.
UNIT_MACS = 2048


@dataclass(frozen=True)
class Config:
    """The model's sizes (counts) and constants, as stored in the header."""

    n_vocab: int
    d_model: int
    n_layer: int
    n_head: int
    d_ff: int
    n_ctx: int
    rope_base: float
    eps: float

    @property
    def d_head(self) -> int:
        """Width of one head's query, key and value."""
        return self.d_model // self.n_head


@dataclass
class Layer:
    """One block's weights. Matrices are kept transposed (``w_q_t[j]`` is column j of
    W_Q), so each output of ``x W`` is one dot product of ``x`` with a stored row."""

    attn_norm: Vec
    w_q_t: Mat
    w_k_t: Mat
    w_v_t: Mat
    w_o_t: Mat
    ffn_norm: Vec
    w_gate_t: Mat
    w_up_t: Mat
    w_down_t: Mat


@dataclass
class LayerTrace:
    """One layer's intermediates for a sequence of T tokens (lists of rows of floats).

    ``attn_in``: the normed input (T × d_model). ``q``, ``k``, ``v``: per head,
    per position (H × T × d_head); ``q`` and ``k`` after RoPE. ``scores``:
    per head, per query i, the scaled scores against keys 0…i
    (H × T × (i+1)); ``weights``: their softmax. ``attn_out``: the heads'
    outputs concatenated and multiplied by W_O (T × d_model); ``resid_attn``:
    the residual stream after adding it. ``ffn_in``: the normed stream;
    ``ffn_hidden``: SiLU(h W_gate) ⊙ h W_up (T × d_ff); ``ffn_out``: after
    W_down; ``resid_ffn``: the stream after the layer.
    """

    attn_in: Mat = field(default_factory=list)
    q: list = field(default_factory=list)
    k: list = field(default_factory=list)
    v: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    attn_out: Mat = field(default_factory=list)
    resid_attn: Mat = field(default_factory=list)
    ffn_in: Mat = field(default_factory=list)
    ffn_hidden: Mat = field(default_factory=list)
    ffn_out: Mat = field(default_factory=list)
    resid_ffn: Mat = field(default_factory=list)


@dataclass
class Trace:
    """Every intermediate of one forward pass: ``emb`` (T × d_model), one
    :class:`LayerTrace` per layer, ``final`` (the normed last stream) and
    ``logits`` (T × n_vocab, or only the last row, or none: see ``logits=``)."""

    tokens: list
    emb: Mat
    layers: list
    final: Mat
    logits: Mat


class KVCache:
    """The keys (after RoPE) and values of every token so far: ``k[layer][head]`` is a list of rows."""

    def __init__(self, cfg: Config):
        self.k = [[[] for _ in range(cfg.n_head)] for _ in range(cfg.n_layer)]
        self.v = [[[] for _ in range(cfg.n_head)] for _ in range(cfg.n_layer)]
        self.pos = 0

    def __len__(self) -> int:
        return self.pos


def matvec_t(x: Vec, w_t: Mat) -> Vec:
    """``x W`` for W given transposed (rows of ``w_t`` are W's columns)."""
    return [_sumprod(x, col) for col in w_t]


def rmsnorm(x: Vec, g: Vec, eps: float) -> Vec:
    """x / √(mean(x²) + eps), times the gain ``g`` element by element."""
    r = 1.0 / math.sqrt(_sumprod(x, x) / len(x) + eps)
    return [a * r * b for a, b in zip(x, g)]


def softmax(xs: Sequence[float]) -> Vec:
    """exp(x − max) normalised to sum 1."""
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    s = sum(e)
    return [v / s for v in e]


def silu(z: float) -> float:
    """z·σ(z), written to avoid overflow for large negative z."""
    if z >= 0:
        return z / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return z * ez / (1.0 + ez)


class TinyLM:
    """The trained model: its :class:`Config`, its :class:`Tokenizer`, and its weights as lists."""

    def __init__(self, cfg: Config, tokenizer: Tokenizer, tok_emb: Mat, layers: list, final_norm: Vec,
                 header: dict | None = None):
        self.cfg = cfg
        self.tokenizer = tokenizer
        self.tok_emb = tok_emb
        self.layers = layers
        self.final_norm = final_norm
        self.header = header or {}
        self._rope: list[tuple[Vec, Vec]] = []
        # θ_i = base^(−2i/d_head): the same speeds the book's RoPE calculator gives any model
        self._speeds = rope_inverse_frequencies(cfg.d_head, cfg.rope_base)
        self._inv_sqrt = 1.0 / math.sqrt(cfg.d_head)

    # -- pieces -------------------------------------------------------------

    def rope_at(self, pos: int) -> tuple[Vec, Vec]:
        """cos and sin of pos·θ_i for the d_head/2 pairs (cached per position)."""
        while len(self._rope) <= pos:
            p = len(self._rope)
            angles = [p * f for f in self._speeds]
            self._rope.append(([math.cos(a) for a in angles], [math.sin(a) for a in angles]))
        return self._rope[pos]

    def _rotate(self, x: Vec, pos: int) -> Vec:
        cos, sin = self.rope_at(pos)
        out = [0.0] * len(x)
        for i, (c, s) in enumerate(zip(cos, sin)):
            a, b = x[2 * i], x[2 * i + 1]
            out[2 * i] = a * c - b * s
            out[2 * i + 1] = a * s + b * c
        return out

    def _heads(self, x: Vec) -> list[Vec]:
        dh = self.cfg.d_head
        return [x[h * dh:(h + 1) * dh] for h in range(self.cfg.n_head)]

    def _qkv(self, layer: Layer, h: Vec, pos: int) -> tuple[list[Vec], list[Vec], list[Vec]]:
        q = [self._rotate(v, pos) for v in self._heads(matvec_t(h, layer.w_q_t))]
        k = [self._rotate(v, pos) for v in self._heads(matvec_t(h, layer.w_k_t))]
        v = self._heads(matvec_t(h, layer.w_v_t))
        return q, k, v

    def _attend(self, q: Vec, keys: list[Vec], values: list[Vec]) -> tuple[Vec, Vec, Vec]:
        """(scaled scores, weights, output) of one query against ``keys``/``values`` (all visible)."""
        s = [_sumprod(q, kj) * self._inv_sqrt for kj in keys]
        w = softmax(s)
        out = [0.0] * len(values[0])
        for a, vj in zip(w, values):
            for c, x in enumerate(vj):
                out[c] += a * x
        return s, w, out

    def _ffn(self, layer: Layer, h: Vec) -> tuple[Vec, Vec]:
        g = matvec_t(h, layer.w_gate_t)
        u = matvec_t(h, layer.w_up_t)
        hidden = [silu(a) * b for a, b in zip(g, u)]
        return hidden, matvec_t(hidden, layer.w_down_t)

    def logits_of(self, x_final: Vec) -> Vec:
        """Scores of every token (n_vocab) from the final normed stream: x · Eᵀ."""
        return matvec_t(x_final, self.tok_emb)

    # -- whole sequence -------------------------------------------------------

    def forward(self, tokens: Sequence[int], logits: str = "all", upto_layer: int | None = None) -> Trace:
        """Run ``tokens`` (at most n_ctx ids) and keep every intermediate.

        ``logits`` is "all" (every position), "last" or "none": the
        unembedding is a quarter of the work per token, and a view that shows
        attention does not need it. ``upto_layer`` stops after that layer
        (0-based), for a view of an early head. Work: about 53,000
        multiply-adds per token per layer, 32,768 more per token for the
        logits, plus the attention; a 16-token pass without logits took about
        0.13 s of CPython and 0.16 s of Pyodide in bench/tiny_lm.py, so a view
        runs it once per change or uses :class:`Reading`.
        """
        cfg = self.cfg
        toks = [int(t) for t in tokens]
        if not 0 < len(toks) <= cfg.n_ctx:
            raise ValueError(f"the model reads 1 to {cfg.n_ctx} tokens; got {len(toks)}")
        if any(not 0 <= t < cfg.n_vocab for t in toks):
            raise ValueError(f"token ids must be in 0…{cfg.n_vocab - 1}")
        x = [list(self.tok_emb[t]) for t in toks]
        emb = [list(r) for r in x]
        traces = []
        last = cfg.n_layer - 1 if upto_layer is None else min(upto_layer, cfg.n_layer - 1)
        for layer in self.layers[:last + 1]:
            L = LayerTrace()
            L.attn_in = [rmsnorm(r, layer.attn_norm, cfg.eps) for r in x]
            per_pos = [self._qkv(layer, h, p) for p, h in enumerate(L.attn_in)]
            L.q = [[qkv[0][h] for qkv in per_pos] for h in range(cfg.n_head)]
            L.k = [[qkv[1][h] for qkv in per_pos] for h in range(cfg.n_head)]
            L.v = [[qkv[2][h] for qkv in per_pos] for h in range(cfg.n_head)]
            L.scores = [[] for _ in range(cfg.n_head)]
            L.weights = [[] for _ in range(cfg.n_head)]
            for i in range(len(toks)):
                o: Vec = []
                for h in range(cfg.n_head):
                    s, w, out = self._attend(L.q[h][i], L.k[h][:i + 1], L.v[h][:i + 1])
                    L.scores[h].append(s)
                    L.weights[h].append(w)
                    o += out
                L.attn_out.append(matvec_t(o, layer.w_o_t))
            x = [[a + b for a, b in zip(r, o)] for r, o in zip(x, L.attn_out)]
            L.resid_attn = [list(r) for r in x]
            L.ffn_in = [rmsnorm(r, layer.ffn_norm, cfg.eps) for r in x]
            for h in L.ffn_in:
                hidden, out = self._ffn(layer, h)
                L.ffn_hidden.append(hidden)
                L.ffn_out.append(out)
            x = [[a + b for a, b in zip(r, o)] for r, o in zip(x, L.ffn_out)]
            L.resid_ffn = [list(r) for r in x]
            traces.append(L)
        final: Mat = []
        out_logits: Mat = []
        if last == cfg.n_layer - 1:
            final = [rmsnorm(r, self.final_norm, cfg.eps) for r in x]
            if logits == "all":
                out_logits = [self.logits_of(f) for f in final]
            elif logits == "last":
                out_logits = [self.logits_of(final[-1])]
        return Trace(toks, emb, traces, final, out_logits)

    # -- one token at a time ----------------------------------------------------

    def new_cache(self) -> KVCache:
        """An empty :class:`KVCache` for this model."""
        return KVCache(self.cfg)

    @staticmethod
    def _mv(x: Vec, w_t: Mat, out: Vec):
        """Generator: append ``x W`` to ``out`` a few columns at a time, yielding after
        each slice of about :data:`UNIT_MACS` multiply-adds."""
        cols = max(1, UNIT_MACS // len(x))
        for c in range(0, len(w_t), cols):
            out += [_sumprod(x, col) for col in w_t[c:c + cols]]
            yield

    def _token(self, token: int, cache: KVCache, rows: list | None):
        """Generator: run one token through every layer, yielding after every slice of
        about :data:`UNIT_MACS` multiply-adds (and once after each attention); its
        return value is the final residual stream. The arithmetic is :meth:`forward`'s,
        in the same order, so the results are the same to the last bit."""
        cfg = self.cfg
        pos = cache.pos
        if pos >= cfg.n_ctx:
            raise ValueError(f"the context holds {cfg.n_ctx} tokens; start a new cache")
        if not 0 <= token < cfg.n_vocab:
            raise ValueError(f"token ids must be in 0…{cfg.n_vocab - 1}")
        x = list(self.tok_emb[token])
        per_layer = []
        for li, layer in enumerate(self.layers):
            h = rmsnorm(x, layer.attn_norm, cfg.eps)
            qf: Vec = []
            kf: Vec = []
            vf: Vec = []
            yield from self._mv(h, layer.w_q_t, qf)
            yield from self._mv(h, layer.w_k_t, kf)
            yield from self._mv(h, layer.w_v_t, vf)
            q = [self._rotate(r, pos) for r in self._heads(qf)]
            k = [self._rotate(r, pos) for r in self._heads(kf)]
            v = self._heads(vf)
            o: Vec = []
            heads = []
            for hd in range(cfg.n_head):
                cache.k[li][hd].append(k[hd])
                cache.v[li][hd].append(v[hd])
                _, w, out = self._attend(q[hd], cache.k[li][hd], cache.v[li][hd])
                heads.append(w)
                o += out
            per_layer.append(heads)
            yield
            att: Vec = []
            yield from self._mv(o, layer.w_o_t, att)
            x = [a + b for a, b in zip(x, att)]
            h = rmsnorm(x, layer.ffn_norm, cfg.eps)
            g: Vec = []
            u: Vec = []
            yield from self._mv(h, layer.w_gate_t, g)
            yield from self._mv(h, layer.w_up_t, u)
            hidden = [silu(a) * b for a, b in zip(g, u)]
            down: Vec = []
            yield from self._mv(hidden, layer.w_down_t, down)
            x = [a + b for a, b in zip(x, down)]
        cache.pos += 1
        if rows is not None:
            rows.append(per_layer)
        return x

    def step(self, token: int, cache: KVCache, weights_out: list | None = None) -> Vec:
        """Run one new token at position ``len(cache)``, append its keys and values, return its logits.

        With ``weights_out`` (a list), appends this token's attention weights
        ``[layer][head] → row over keys 0…pos``. Work: one matrix-vector
        product per weight matrix, plus one dot product per cached key and head.
        """
        run = self._token(int(token), cache, weights_out)
        while True:
            try:
                next(run)
            except StopIteration as done:
                return self.logits_of(rmsnorm(done.value, self.final_norm, self.cfg.eps))

    def prefill(self, tokens: Sequence[int], cache: KVCache | None = None) -> tuple[KVCache, Vec]:
        """Feed ``tokens`` one by one through :meth:`step`; (the cache, the last token's logits)."""
        cache = cache or self.new_cache()
        logits: Vec = []
        for t in tokens:
            logits = self.step(int(t), cache)
        return cache, logits

    def generate(self, prompt: Sequence[int], n: int, seed: int = 0, temperature: float = 1.0,
                 top_k: int = 0) -> list[int]:
        """Sample ``n`` tokens after ``prompt`` with a seeded :class:`random.Random`.

        ``temperature`` divides the logits (0 means greedy: always the top
        token); ``top_k`` > 0 keeps only the k most likely tokens. The same
        prompt, seed and settings always give the same tokens. Stops at the
        context's end.
        """
        rng = random.Random(seed)
        cache, logits = self.prefill(prompt)
        out: list[int] = []
        for _ in range(n):
            tok = sample(logits, rng, temperature, top_k)
            out.append(tok)
            if cache.pos >= self.cfg.n_ctx:
                break
            logits = self.step(tok, cache)
        return out


class Reading:
    """Every head's attention weights on a token sequence, computed a small slice at a time.

    A view that must keep its frame budget calls :meth:`advance` with a small
    number of work units each frame and :meth:`ensure` for what it must show
    now. A unit is a slice of about :data:`UNIT_MACS` multiply-adds (a few
    columns of one weight matrix, or one token's attention in one layer):
    this model needs about 56 units a token. ``weights[i][layer][head]``
    is token i's row of weights over keys 0…i. The unembedding is skipped:
    a view of attention does not need the logits.
    """

    def __init__(self, model: TinyLM, tokens: Sequence[int]):
        self.model = model
        self.tokens = [int(t) for t in tokens]
        self.cache = model.new_cache()
        self.weights: list = []
        self._run = self._all()

    def _all(self):
        for t in self.tokens:
            yield from self.model._token(t, self.cache, self.weights)
            yield

    @property
    def done(self) -> bool:
        """True once every token's weights are in."""
        return len(self.weights) == len(self.tokens)

    def advance(self, units: int = 1) -> bool:
        """Do up to ``units`` units of work; return :attr:`done`."""
        for _ in range(units):
            if self.done:
                break
            next(self._run, None)
        return self.done

    def ensure(self, n: int) -> None:
        """Work until the first ``n`` tokens' weights are in (all of them if ``n`` is larger)."""
        n = min(n, len(self.tokens))
        while len(self.weights) < n:
            next(self._run, None)


def sample(logits: Sequence[float], rng: random.Random, temperature: float = 1.0, top_k: int = 0) -> int:
    """One token id drawn from softmax(logits / temperature), optionally among the top k only."""
    if temperature <= 0:
        return max(range(len(logits)), key=logits.__getitem__)
    order = range(len(logits))
    if top_k > 0:
        order = sorted(order, key=lambda i: -logits[i])[:top_k]
    probs = softmax([logits[i] / temperature for i in order])
    r = rng.random()
    acc = 0.0
    for i, p in zip(order, probs):
        acc += p
        if r < acc:
            return i
    return list(order)[-1]


def _tensor(blob: bytes, t: dict):
    """One tensor of the weights file as Python floats.

    A gain is a list. A matrix is kept as the list of its columns (each a
    list of d_in floats, so ``x W`` is a dot product per column), except the
    embedding, kept as its rows (one per token; the unembedding dots the
    final stream with each row). An int8 value q in column c stands for
    q × scale[c] (row r of the embedding: q × scale[r]).
    """
    shape, off = t["shape"], t["offset"]
    if t["dtype"] == "float32":
        return list(struct.unpack_from(f"<{shape[0]}f", blob, off))
    rows, cols = shape
    q = struct.unpack_from(f"<{rows * cols}b", blob, off)
    if t["name"] == "tok_emb":
        scales = struct.unpack_from(f"<{rows}f", blob, t["scales"])
        return [[v * s for v in q[r * cols:(r + 1) * cols]] for r, s in enumerate(scales)]
    scales = struct.unpack_from(f"<{cols}f", blob, t["scales"])
    return [[v * s for v in q[c::cols]] for c, s in enumerate(scales)]


_LOADED: dict[str, TinyLM] = {}
_HEADERS: dict[str, dict] = {}
_TOKENIZERS: dict[str, Tokenizer] = {}

#: The held-out part of the corpus the model was trained from (tools/tiny_lm/corpus/heldout.txt,
#: byte for byte; its SHA-256 is the header's ``training.corpus_sha256["heldout.txt"]``).
HELD_OUT = "tiny_lm_heldout.txt"


def load_header(name: str = DEFAULT, folder: Path | None = None) -> dict:
    """``<name>.json`` from ``folder`` (default: this package), read once and kept: sizes,
    the merges, the tensor table and the training record (about 5 KB; no weights)."""
    key = f"{folder or HERE}/{name}"
    hit = _HEADERS.get(key)
    if hit is None:
        hit = _HEADERS[key] = json.loads(((folder or HERE) / f"{name}.json").read_text(encoding="utf-8"))
    return hit


def load_tokenizer(name: str = DEFAULT, folder: Path | None = None) -> Tokenizer:
    """The model's tokenizer alone, built from the header's merges; the weights are not read."""
    key = f"{folder or HERE}/{name}"
    hit = _TOKENIZERS.get(key)
    if hit is None:
        hit = _TOKENIZERS[key] = Tokenizer(load_header(name, folder)["merges"])
    return hit


def held_out_bytes() -> bytes:
    """The held-out text (8,103 bytes of the book's prose the model and its tokenizer never saw)."""
    return (HERE / HELD_OUT).read_bytes()



def load(name: str = DEFAULT, folder: Path | None = None) -> TinyLM:
    """The model ``name`` from ``folder`` (default: this package), read once and kept.

    Reads ``<name>.json`` (sizes, merges, tensor table) and ``<name>.bin``
    (int8 matrices with float32 scales, float32 gains: about 0.14 MB).
    Raises ``ValueError`` if the weights file's size does not match its
    header (the tests also check its checksum).
    """
    key = f"{folder}/{name}"
    hit = _LOADED.get(key)
    if hit is not None:
        return hit
    folder = folder or HERE
    header = load_header(name, folder)
    blob = (folder / f"{name}.bin").read_bytes()
    if len(blob) != header["n_bytes"]:
        raise ValueError(f"{name}.bin holds {len(blob)} bytes; the header says {header['n_bytes']}")
    cfg = Config(**header["config"])
    tensors = {t["name"]: _tensor(blob, t) for t in header["tensors"]}
    layers = []
    for i in range(cfg.n_layer):
        p = f"layers.{i}."
        layers.append(Layer(
            tensors[p + "attn_norm"], tensors[p + "w_q"], tensors[p + "w_k"], tensors[p + "w_v"],
            tensors[p + "w_o"], tensors[p + "ffn_norm"], tensors[p + "w_gate"], tensors[p + "w_up"],
            tensors[p + "w_down"]))
    model = TinyLM(cfg, load_tokenizer(name, folder), tensors["tok_emb"], layers, tensors["final_norm"], header)
    _LOADED[key] = model
    return model
