"""Byte-pair encoding written from the rules the tokenization chapter states, for tests to check the
book's tokenizer (:mod:`llmviz.lm.tokenizer`) and its answers against.

Where the tokenizer encodes a chunk by repeatedly joining its lowest-ranked pair, this applies merge k
to every chunk, left to right, before it looks at merge k + 1; training recounts every pair after each
merge.
"""
import re
from collections import Counter

# the pre-split as the tokenizer's docstring states it: a word, one digit or a run of other non-space
# bytes, each with an optional leading space, then whitespace
SPLIT = re.compile(rb" ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")


def join(seq: list[int], pair: tuple[int, int], new: int) -> list[int]:
    """``seq`` with every ``pair``, left to right and without overlap, replaced by ``new``."""
    out, i = [], 0
    while i < len(seq):
        if i + 1 < len(seq) and (seq[i], seq[i + 1]) == pair:
            out.append(new)
            i += 2
        else:
            out.append(seq[i])
            i += 1
    return out


def lengths(data: bytes, merges) -> list[int]:
    """Tokens of ``data`` after each prefix of ``merges``, 0 merges first (the bytes)."""
    chunks = Counter(SPLIT.findall(data))
    seqs = {c: list(c) for c in chunks}
    out = [len(data)]
    for k, pair in enumerate(merges):
        for c in seqs:
            seqs[c] = join(seqs[c], tuple(pair), 256 + k)
        out.append(sum(len(seqs[c]) * n for c, n in chunks.items()))
    return out


def train(data: bytes, n: int) -> list[tuple[int, int]]:
    """Up to ``n`` merges: the most frequent adjacent pair inside chunks, ties to the smaller (left, right)."""
    chunks = Counter(SPLIT.findall(data))
    seqs = {c: list(c) for c in chunks}
    merges = []
    for k in range(n):
        counts: Counter = Counter()
        for c, w in chunks.items():
            for p in zip(seqs[c], seqs[c][1:]):
                counts[p] += w
        if not counts:
            break
        best = max(counts.values())
        pair = min(p for p, v in counts.items() if v == best)
        merges.append(pair)
        for c in seqs:
            seqs[c] = join(seqs[c], pair, 256 + k)
    return merges
