"""Numpy oracles for the sampling chapter, shared by its mode test and its answer test.

The logits come from the training code's numpy forward pass of the shipped
weights (``tools/tiny_lm/numpy_lm.py``), not from ``llmviz.lm``. Cuts are
written with numpy sorts, cumulative sums and masks; continuations are
written the plain way, the whole text so far run through the same numpy
forward pass at every step (no KV cache, no ``llmviz.lm``) with numpy choosing
each token, so the simulation's sliced, cached and shared work is checked
against work done without any of them.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm  # noqa: E402


def softmax(z, tau=1.0):
    """softmax(z / τ) in float64."""
    z = np.asarray(z, dtype=np.float64) / tau
    e = np.exp(z - z.max())
    return e / e.sum()


def order(q):
    """Token ids, likeliest first, ties by the smaller id (a stable sort of −q)."""
    return np.argsort(-np.asarray(q), kind="stable")


def keep_top_k(q, k):
    keep = np.zeros(len(q), bool)
    keep[order(q)[:k]] = True
    return keep


def keep_top_p(q, P):
    """The first running sum (in rank order) that reaches P, and every token before it."""
    o = order(q)
    n = int(np.argmax(np.cumsum(np.asarray(q)[o]) >= P)) + 1
    keep = np.zeros(len(q), bool)
    keep[o[:n]] = True
    return keep


def keep_min_p(q, pmin):
    q = np.asarray(q)
    return q >= pmin * q.max()


def renorm(q, keep):
    q = np.where(keep, q, 0.0)
    return q / q.sum()


def decode(z, tau, top_k=0, top_p=1.0, min_p=0.0):
    """The distribution a sampler draws from: temperature, then each cut on the survivors."""
    q = softmax(z, tau)
    if top_k:
        q = renorm(q, keep_top_k(q, top_k))
    if top_p < 1:
        q = renorm(q, keep_top_p(q, top_p))
    if min_p > 0:
        q = renorm(q, keep_min_p(q, min_p))
    return q


def draw(q, u):
    """The token u picks: count the rank-ordered running sums at or below u."""
    o = order(q)
    return int(o[int((np.cumsum(np.asarray(q)[o]) <= u).sum())])


@lru_cache(maxsize=None)
def _shipped():
    params, cfg, _ = numpy_lm.load_shipped(ROOT / "py" / "llmviz" / "lm")
    return params, cfg


@lru_cache(maxsize=None)
def next_logits(tokens: tuple) -> np.ndarray:
    """The next-token logits after ``tokens`` by the numpy forward pass (float64)."""
    params, cfg = _shipped()
    return np.asarray(numpy_lm.trace(params, list(tokens), cfg)["logits"], dtype=np.float64)[-1]


def logits(prompt_index: int) -> np.ndarray:
    """Prompt ``prompt_index``'s next-token logits by the numpy forward pass."""
    from llmviz.modes.part02_transformer import sampling_runs as sr

    return next_logits(tuple(sr.prompt_tokens(prompt_index)))


def rank_of(z, tok) -> int:
    """Token ``tok``'s rank (1 = likeliest) in softmax(z): one plus the tokens strictly likelier."""
    q = softmax(z)
    return int((q > q[tok]).sum()) + 1


@lru_cache(maxsize=None)
def plain_rows(prompt_index: int, preset: str, seed: int) -> tuple:
    """The sampled rows written the plain way: ((tokens), (probability of each at τ = 1), (rank of each)) per row."""
    from llmviz.modes.part02_transformer import sampling_runs as sr

    p = sr.PRESETS[preset]
    out = []
    for r in range(sr.ROWS):
        us = sr.stream(seed, r)
        text = tuple(sr.prompt_tokens(prompt_index))
        toks, probs, ranks = [], [], []
        for j in range(sr.LENGTH):
            z = next_logits(text)
            tok = draw(decode(z, p.T, p.top_k, p.top_p, p.min_p), us[j])
            toks.append(tok)
            probs.append(float(softmax(z)[tok]))
            ranks.append(rank_of(z, tok))
            text += (tok,)
        out.append((tuple(toks), tuple(probs), tuple(ranks)))
    return tuple(out)


@lru_cache(maxsize=None)
def plain_greedy(prompt_index: int) -> tuple:
    """The greedy row written the plain way: (tokens, probability of each at τ = 1)."""
    from llmviz.modes.part02_transformer import sampling_runs as sr

    text = tuple(sr.prompt_tokens(prompt_index))
    toks, probs = [], []
    for _ in range(sr.LENGTH):
        z = next_logits(text)
        tok = int(np.argmax(z))
        toks.append(tok)
        probs.append(float(softmax(z)[tok]))
        text += (tok,)
    return tuple(toks), tuple(probs)


def repeated_share(toks, n=3) -> float:
    """Share of n-grams seen before, by counting with a dict of first positions."""
    grams = [tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)]
    first = {}
    for i, g in enumerate(grams):
        first.setdefault(g, i)
    return sum(1 for i, g in enumerate(grams) if first[g] < i) / len(grams)


def perplexity(probs) -> float:
    """exp of the mean negative log-probability."""
    return float(np.exp(-np.mean(np.log(np.asarray(probs)))))
