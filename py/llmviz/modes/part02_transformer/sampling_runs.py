"""The book's tiny model (``llmviz.lm``) reading prompts and writing continuations, a slice at a time.

The sampling chapter's views show real next-token distributions of a real
model and real text it writes. One token through the model costs about 75
work units of ``llmviz.lm.model.UNIT_MACS`` multiply-adds (57 for the layers,
16 for the logits, 2 for the sampler), far more than a frame may spend, so
every piece of model work here is a generator that yields once per unit:

* :class:`Prompt` reads a prompt into a KV cache and ends with the logits of
  the token after it;
* :class:`Row` writes one continuation of :data:`LENGTH` tokens with one
  decoding setting and one stream of uniform random numbers, keeping for each
  token the rank and probability it had.

A view asks for what it shows now (``ensure``) and spends a few units ahead on
frames that reuse a drawn scene (:func:`prefetch`). Everything is kept in this
module, shared by every mode instance, so nothing is computed twice in one
session: the continuations of every setting a reader tries stay, and rows
that pick the same tokens share the model's work through :data:`_NODES`
(the logits and cache after each prefix written so far).

:data:`UNITS` counts every unit of model work done; the tests read it to
check that frames stay within their budget.
"""
from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

from ...calc.information import softmax
from ...calc.sampling import decode_distribution, greedy_token, rank_order, sample_tokens
from ...catalog.decoding import get_decoding
from ...core.rng import lcg_uniforms

#: The prompts, each a phrase in the book's own style: one after which the
#: model is confident, two after which it is not (their entropies are in the
#: chapter); greedy decoding loops on the last, the samples view's. Index =
#: the ``prompt`` parameter's value.
PROMPTS = (
    "The KV cache stores the keys and",
    "In the simulation,",
    "The cache grows by",
)
#: Tokens written per continuation, and sampled continuations per setting.
LENGTH = 20
ROWS = 3


@dataclass(frozen=True)
class Preset:
    """A decoding setting for the samples view: temperature ``T`` (0 = greedy), and the cuts.

    ``top_k`` 0, ``top_p`` 1 and ``min_p`` 0 switch a cut off. ``label`` is
    what the view prints; ``why`` says where the setting comes from.
    """

    label: str
    T: float
    top_k: int = 0
    top_p: float = 1.0
    min_p: float = 0.0
    why: str = ""


_LLAMA3 = get_decoding("llama-3-reference")
#: The samples view's settings. Where a setting is somebody's default it
#: comes from the catalog and the chapter cites it; the rest are the plain
#: knobs at a low, a neutral and a high temperature, and the k of Fan et al.
PRESETS = {
    "pure": Preset("τ = 1, no cut", 1.0, why="sampling from the model's own distribution"),
    "cool": Preset("τ = 0.5, no cut", 0.5, why="a colder temperature, no truncation"),
    "hot": Preset("τ = 1.5, no cut", 1.5, why="a hot temperature, no truncation"),
    "topk": Preset("τ = 1, top-k 10", 1.0, top_k=10, why="Fan et al. 2018 sampled from the 10 likeliest"),
    "llama3": Preset(f"τ = {_LLAMA3.temperature:g}, top-p {_LLAMA3.top_p:g}", _LLAMA3.temperature,
                     top_p=_LLAMA3.top_p, why="the default of Llama 3's reference code"),
    "minp": Preset("τ = 1.5, min-p 0.1", 1.5, min_p=0.1, why="hot, with min-p's cut"),
}
DEFAULT_PRESET = "pure"

#: Units of model work done since import (a test hook: per-frame cost by count, not by clock).
UNITS = 0


def model():
    """The tiny model, loaded on first use (``llmviz.lm.model.load``)."""
    from ...lm.model import load

    return load()


def token_text(i: int) -> str:
    """Token ``i`` as the views print it: a space as "·", a newline as "⏎", another control
    byte as its Unicode control picture (␀ … ␟, ␡), never empty."""
    s = model().tokenizer.token_text(i).replace(" ", "·").replace("\n", "⏎")
    s = "".join(chr(0x2400 + ord(c)) if ord(c) < 32 else "\u2421" if c == "\x7f" else c for c in s)
    return s or "∅"


def prompt_tokens(index: int) -> list[int]:
    """Token ids of prompt ``index``."""
    return model().tokenizer.encode(PROMPTS[index])


def _copy_cache(cache):
    """A KV cache that can grow on its own: fresh lists holding the same (never mutated) rows."""
    new = model().new_cache()
    new.k = [[list(h) for h in layer] for layer in cache.k]
    new.v = [[list(h) for h in layer] for layer in cache.v]
    new.pos = cache.pos
    return new


def _logits_slices(x: list, out: list):
    """Generator: the final norm of stream ``x`` times the unembedding, into ``out`` a slice at a time."""
    from ...lm.model import TinyLM, rmsnorm

    m = model()
    h = rmsnorm(x, m.final_norm, m.cfg.eps)
    yield from TinyLM._mv(h, m.tok_emb, out)


class _Job:
    """A generator of model work that counts its units in :data:`UNITS`."""

    def __init__(self):
        self._run = self._work()
        self.done = False

    def _work(self):  # pragma: no cover - every job overrides it
        yield

    def step(self) -> None:
        """One unit of work (nothing once done)."""
        global UNITS
        if not self.done:
            UNITS += 1
            self._advance()

    def _advance(self) -> None:
        """One unit of work without counting it: for a job that runs another's work as its own unit."""
        try:
            next(self._run)
        except StopIteration:
            self.done = True


class Prompt(_Job):
    """Prompt ``index`` read through the model: its KV cache and the logits of the next token."""

    def __init__(self, index: int):
        self.index = index
        self.tokens = prompt_tokens(index)
        self.cache = model().new_cache()
        self.logits: list | None = None
        super().__init__()

    def _work(self):
        m = model()
        x = None
        for t in self.tokens:
            x = yield from m._token(t, self.cache, None)
            yield
        out: list = []
        yield from _logits_slices(x, out)
        self.logits = out

    def ensure(self) -> "Prompt":
        """Work until the logits are in; returns self."""
        while not self.done:
            self.step()
        return self


#: The logits and KV cache after each prefix some row has written:
#: (prompt index, tokens after the prompt) → (logits, cache).
_NODES: dict = {}
#: How many prefixes to keep before forgetting them (a reader trying many seeds).
MAX_NODES = 3000


class Row(_Job):
    """One continuation of prompt ``prompt`` with ``preset`` (None: greedy) and uniform stream ``us``.

    ``tokens[j]`` is token j after the prompt, ``ranks[j]`` its rank in the
    model's own distribution at that step (1 = the likeliest, greedy's pick)
    and ``probs[j]`` its probability there (temperature 1, no cut).
    """

    def __init__(self, prompt: Prompt, preset: Preset | None, us: list[float] | None = None):
        self.prompt = prompt
        self.preset = preset
        self.us = us
        self.tokens: list[int] = []
        self.ranks: list[int] = []
        self.probs: list[float] = []
        super().__init__()

    def _pick(self, logits) -> int:
        p = self.preset
        if p is None or p.T == 0:
            return greedy_token(logits)
        q = decode_distribution(logits, p.T, p.top_k, p.top_p, p.min_p)
        return sample_tokens(q, [self.us[len(self.tokens)]])[0]

    def _work(self):
        while not self.prompt.done:
            self.prompt._advance()
            yield
        logits = self.prompt.logits
        # ``source`` is the (never mutated) cache of the prefix written so far; ``cache`` is this
        # row's own copy, made only when it has to run the model itself
        source, cache = self.prompt.cache, None
        prefix: tuple = ()
        for j in range(LENGTH):
            tok = self._pick(logits)
            yield
            q1 = softmax(logits)
            self.ranks.append(rank_order(q1).index(tok) + 1)
            self.probs.append(q1[tok])
            self.tokens.append(tok)
            yield
            if j == LENGTH - 1:
                break
            prefix += (tok,)
            hit = _NODES.get((self.prompt.index, prefix))
            if hit is not None:
                logits, source, cache = hit[0], hit[1], None
                continue
            if cache is None:
                cache = _copy_cache(source)
            x = yield from model()._token(tok, cache, None)
            out: list = []
            yield from _logits_slices(x, out)
            logits = array("d", out)
            if len(_NODES) >= MAX_NODES:
                _NODES.clear()
            source = _copy_cache(cache)
            _NODES[(self.prompt.index, prefix)] = (logits, source)

    def ensure(self, n: int) -> "Row":
        """Work until the first ``n`` tokens are in (all of them if ``n`` ≥ LENGTH); returns self."""
        n = min(n, LENGTH)
        while len(self.tokens) < n and not self.done:
            self.step()
        return self


_PROMPTS: dict[int, Prompt] = {}
_GREEDY: dict[int, Row] = {}
_SAMPLES: dict[tuple, list[Row]] = {}


def prompt(index: int) -> Prompt:
    """The shared :class:`Prompt` for prompt ``index`` (not yet read: call ``ensure``)."""
    p = _PROMPTS.get(index)
    if p is None:
        p = _PROMPTS[index] = Prompt(index)
    return p


def greedy(index: int) -> Row:
    """The shared greedy continuation of prompt ``index``."""
    r = _GREEDY.get(index)
    if r is None:
        r = _GREEDY[index] = Row(prompt(index), None)
    return r


def stream(seed: int, row: int) -> list[float]:
    """The uniform numbers row ``row`` draws with under ``seed``: the same in every preset."""
    return lcg_uniforms(seed * 1000 + row, LENGTH)


def samples(index: int, preset: str, seed: int) -> list[Row]:
    """The shared sampled continuations (:data:`ROWS` of them) for a prompt, preset and seed."""
    key = (index, preset, seed)
    rows = _SAMPLES.get(key)
    if rows is None:
        rows = _SAMPLES[key] = [Row(prompt(index), PRESETS[preset], stream(seed, r)) for r in range(ROWS)]
    return rows


def ensure_all(index: int, preset: str, seed: int, n: int) -> None:
    """The greedy row and every sampled row written up to ``n`` tokens."""
    greedy(index).ensure(n)
    for r in samples(index, preset, seed):
        r.ensure(n)


#: The prompt the samples view opens on: its rows are written early, whatever view is open.
SAMPLES_PROMPT = 2


def _jobs(index: int, preset: str, seed: int):
    """Work in the order spare units should go to: what the reader sees first, then the rest.

    Each item is one job, or a list of rows that should grow together (the
    one furthest behind goes first).
    """
    yield prompt(index)
    yield [greedy(index)] + samples(index, preset, seed)
    for i in range(len(PROMPTS)):
        yield prompt(i)
    yield [greedy(SAMPLES_PROMPT)] + samples(SAMPLES_PROMPT, preset, seed)
    for name in PRESETS:
        yield samples(index, name, seed)
    for i in range(len(PROMPTS)):
        yield greedy(i)


def reset() -> None:
    """Forget every prompt read and row written (tests measure work from a cold start)."""
    _PROMPTS.clear()
    _GREEDY.clear()
    _SAMPLES.clear()
    _NODES.clear()


def prefetch(index: int, preset: str, seed: int, units: int) -> int:
    """Spend up to ``units`` units on the first unfinished work of :func:`_jobs`; returns units spent."""
    spent = 0
    for job in _jobs(index, preset, seed):
        while spent < units:
            if isinstance(job, list):
                left = [r for r in job if not r.done]
                if not left:
                    break
                min(left, key=lambda r: len(r.tokens)).step()
            elif job.done:
                break
            else:
                job.step()
            spent += 1
        if spent >= units:
            break
    return spent


def perplexity_of(probs: list[float]) -> float:
    """e to the mean of −ln p over the tokens of a row: how surprised the model is by its own text."""
    if not probs:
        return math.nan
    return math.exp(-sum(math.log(p) for p in probs) / len(probs))
