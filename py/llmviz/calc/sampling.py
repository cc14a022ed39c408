"""Decoding: from a model's next-token logits to one chosen token.

A language model ends every step with one logit per vocabulary entry (the
entropy chapter's z). A *decoding strategy* turns those logits into the
token that is appended to the text. The pieces, one formula each:

* :func:`greedy_token`: the argmax, the limit of every rule below as the
  temperature falls to 0;
* temperature: q = softmax(z / T), :func:`llmviz.calc.information.softmax`
  (not repeated here);
* truncation: :func:`top_k_keep` (the k most probable tokens),
  :func:`top_p_keep` (the fewest most-probable tokens whose probabilities
  add up to at least P, Holtzman et al. 2020's nucleus) and
  :func:`min_p_keep` (every token with at least p_min times the top token's
  probability, Nguyen et al. 2025), then :func:`renormalise` over the
  survivors;
* :func:`decode_distribution`: the three composed in the order Hugging Face
  Transformers applies them (temperature, top-k, top-p, min-p), each cut
  seeing the renormalised result of the one before;
* :func:`sample_tokens`: draws from a distribution, one per uniform number
  u in [0, 1), by walking the tokens in rank order until the running sum passes
  u (inverse transform sampling). Rank order puts the likeliest first, so the
  same u picks the same or a likelier token when the distribution sharpens.

Ranks: tokens sorted by probability, largest first, ties broken by the
smaller token id. Every rule is exact and deterministic under it: top-k keeps
exactly k tokens even when several share the k-th probability.

Probabilities are plain numbers in [0, 1]; counts are token counts.
"""
from __future__ import annotations

import bisect
import math
from typing import Sequence

from ._checks import in_range, positive_int
from .information import check_distribution, softmax


def _logits(logits: Sequence[float]) -> list[float]:
    try:
        zs = [float(z) for z in logits]
    except (TypeError, ValueError):
        raise ValueError(f"logits must be a sequence of numbers, got {logits!r}") from None
    if not zs:
        raise ValueError("logits must hold at least one number, got an empty sequence")
    for i, z in enumerate(zs):
        if math.isnan(z) or z == math.inf:
            raise ValueError(f"logits[{i}] must be a number below +inf, got {z!r}")
    if max(zs) == -math.inf:
        raise ValueError("logits must not all be -inf (nothing would be possible)")
    return zs


def rank_order(probs: Sequence[float]) -> list[int]:
    """Token ids sorted by probability (or logit), largest first, ties by the smaller id."""
    ps = list(probs)
    return sorted(range(len(ps)), key=lambda i: (-ps[i], i))


def greedy_token(logits: Sequence[float]) -> int:
    """The id of the largest logit (the smallest id among equals): greedy decoding's choice."""
    zs = _logits(logits)
    best = 0
    for i, z in enumerate(zs):
        if z > zs[best]:
            best = i
    return best


def top_k_keep(probs: Sequence[float], k: int) -> list[bool]:
    """Which tokens top-k sampling keeps: the ``k`` highest-ranked (all of them if k ≥ V).

    ``k`` is a token count ≥ 1. Exactly min(k, V) entries are True, ties at
    the k-th place going to the smaller token ids.
    """
    ps = check_distribution("probs", probs)
    positive_int("k", k)
    keep = [False] * len(ps)
    for i in rank_order(ps)[:k]:
        keep[i] = True
    return keep


def top_p_keep(probs: Sequence[float], p: float) -> list[bool]:
    """Which tokens top-p (nucleus) sampling keeps: the fewest highest-ranked whose sum is ≥ ``p``.

    ``p`` is in (0, 1]. Tokens are added in rank order until the running sum
    reaches ``p``; the token that reaches it is kept, so at least one token
    always survives. With p = 1 every token of non-zero probability is kept
    (a sum that rounding leaves a hair under 1 keeps them all too).
    """
    ps = check_distribution("probs", probs)
    in_range("p", p, 0.0, 1.0)
    if p == 0:
        raise ValueError("p must be > 0 (a nucleus holds at least one token), got 0")
    keep = [False] * len(ps)
    acc = 0.0
    for i in rank_order(ps):
        if ps[i] == 0 and acc > 0:
            break
        keep[i] = True
        acc += ps[i]
        if acc >= p:
            break
    return keep


def min_p_keep(probs: Sequence[float], p_min: float) -> list[bool]:
    """Which tokens min-p sampling keeps: those with probability ≥ ``p_min`` × the largest.

    ``p_min`` is in [0, 1]: 0 keeps every token, 1 keeps only the top one (and
    any tied with it). The threshold scales with the model's confidence: a
    top token of 0.9 with p_min = 0.1 cuts below 0.09, a top token of 0.2 cuts
    below 0.02.
    """
    ps = check_distribution("probs", probs)
    in_range("p_min", p_min, 0.0, 1.0)
    cut = p_min * max(ps)
    return [q >= cut for q in ps]


def kept_mass(probs: Sequence[float], keep: Sequence[bool]) -> float:
    """Total probability of the kept tokens, before renormalising."""
    ps = check_distribution("probs", probs)
    if len(keep) != len(ps):
        raise ValueError(f"keep must have as many entries as probs ({len(ps)}), got {len(keep)}")
    return math.fsum(q for q, k in zip(ps, keep) if k)


def renormalise(probs: Sequence[float], keep: Sequence[bool]) -> list[float]:
    """The kept tokens' probabilities divided by their total; cut tokens get 0.

    ``ValueError`` if nothing with non-zero probability is kept.
    """
    total = kept_mass(probs, keep)
    if total <= 0:
        raise ValueError("keep must keep at least one token of non-zero probability")
    return [q / total if k else 0.0 for q, k in zip(probs, keep)]


def decode_distribution(logits: Sequence[float], temperature: float = 1.0, top_k: int = 0,
                        top_p: float = 1.0, min_p: float = 0.0) -> list[float]:
    """The distribution a sampler draws from: softmax(z / T), then top-k, top-p, min-p.

    The order is Hugging Face Transformers' (temperature first, then each cut
    on the renormalised survivors of the one before). ``temperature`` ≥ 0,
    where 0 means greedy decoding: all the probability on :func:`greedy_token`.
    ``top_k`` = 0, ``top_p`` = 1 and ``min_p`` = 0 switch a cut off.
    """
    zs = _logits(logits)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) \
            or not math.isfinite(temperature) or temperature < 0:
        raise ValueError(f"temperature must be a finite number >= 0, got {temperature!r}")
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
        raise ValueError(f"top_k must be an integer >= 0 (0 switches it off), got {top_k!r}")
    in_range("top_p", top_p, 0.0, 1.0)
    if top_p == 0:
        raise ValueError("top_p must be > 0 (1 switches it off), got 0")
    in_range("min_p", min_p, 0.0, 1.0)
    if temperature == 0:
        g = greedy_token(zs)
        return [1.0 if i == g else 0.0 for i in range(len(zs))]
    q = softmax(zs, temperature)
    if top_k:
        q = renormalise(q, top_k_keep(q, top_k))
    if top_p < 1:
        q = renormalise(q, top_p_keep(q, top_p))
    if min_p > 0:
        q = renormalise(q, min_p_keep(q, min_p))
    return q


def sample_tokens(probs: Sequence[float], us: Sequence[float]) -> list[int]:
    """The tokens uniform numbers ``us`` (each in [0, 1)) pick from ``probs``, walking the tokens in rank order.

    Token r of the rank order owns the interval [c_(r−1), c_r) of the running
    sums c (c_0 = 0); each u falls in exactly one, so a draw lands on a token
    as often as its probability says (inverse transform sampling). If rounding
    leaves the last running sum below u, the lowest-ranked token of non-zero
    probability is picked. One sort serves every u.
    """
    ps = check_distribution("probs", probs)
    order = [i for i in rank_order(ps) if ps[i] > 0]
    ends = []
    acc = 0.0
    for i in order:
        acc += ps[i]
        ends.append(acc)
    out = []
    for k, u in enumerate(us):
        in_range(f"us[{k}]", u, 0.0, 1.0, hi_open=True)
        r = bisect.bisect_right(ends, u)
        out.append(order[min(r, len(order) - 1)])
    return out


def sample_token(probs: Sequence[float], u: float) -> int:
    """The token one uniform number ``u`` in [0, 1) picks from ``probs``: :func:`sample_tokens` for one u."""
    return sample_tokens(probs, [u])[0]


def repeated_ngram_share(tokens: Sequence[int], n: int = 3) -> float:
    """Share of the n-grams (runs of ``n`` consecutive tokens) that already occurred earlier in ``tokens``.

    0 for text that never repeats a run of n tokens; it approaches 1 for text
    stuck in a loop. 0 if there are fewer than n + 1 tokens (nothing can repeat).
    """
    positive_int("n", n)
    toks = list(tokens)
    grams = [tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)]
    if len(grams) < 2:
        return 0.0
    seen: set = set()
    again = 0
    for g in grams:
        if g in seen:
            again += 1
        seen.add(g)
    return again / len(grams)
