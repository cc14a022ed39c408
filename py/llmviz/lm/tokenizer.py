"""A byte-level BPE tokenizer: 256 byte tokens plus merges learned from the book's prose.

How it cuts text:

1. Text is UTF-8 bytes. The base alphabet is the 256 byte values, so every
   string (and every byte string) has a tokenization and nothing is ever
   "unknown".
2. The bytes are first split into chunks by :data:`SPLIT`: a word with its
   leading space, one digit, a run of other symbols with its leading space,
   or a run of whitespace. Merges never cross a chunk boundary, so a token
   never glues the end of one word to the start of the next, and every
   number is spelled digit by digit.
3. Merge ``k`` (counting from 0) replaces every adjacent pair ``(a, b)`` of
   token ids with the new id ``256 + k``, left to right without overlap
   ("aaa" with the pair (a, a) becomes "aa" then "a").

Training (:func:`train`) counts, over all chunks of the training text
weighted by how often each chunk occurs, every adjacent pair of tokens
(overlapping pairs included), and merges the most frequent pair. Ties are
broken by the smaller pair of ids, compared first by the left id, then by the
right one. The rule is total, so training is deterministic: the same text and
number of merges give the same merge list on any machine. The merges are kept
in the order they were learned; :func:`replay` re-runs them on a text one at
a time and reports what each did, which is what a chapter on tokenization
needs to show training step by step.

Encoding a chunk applies, repeatedly, the learned merge of lowest rank among
its adjacent pairs, which gives the same tokens as applying the merges to it
in training order.

Strings and bytes: :meth:`Tokenizer.encode_bytes` and
:meth:`Tokenizer.decode_bytes` round-trip any byte string exactly, valid UTF-8
or not. :meth:`Tokenizer.encode` takes a ``str`` and encodes it as UTF-8
(``errors="surrogatepass"``, so a lone surrogate, which has no UTF-8 form,
does not raise); :meth:`Tokenizer.decode` decodes with ``errors="replace"``,
so bytes that are not valid UTF-8 (a token list cut in the middle of a
character, or raw bytes from ``encode_bytes``) become U+FFFD, one per
invalid byte run as Python's UTF-8 decoder reports it. Hence
``decode(encode(s)) == s`` for every string without lone surrogates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

#: The pre-split: a word with an optional leading space, one digit with an
#: optional leading space, a run of other non-space bytes (punctuation, and
#: every byte of a non-ASCII character) with an optional leading space, then
#: whitespace (a run that stops before a word's leading space, or any run).
#: Every byte falls in exactly one class, so the chunks always join back to
#: the input.
SPLIT = re.compile(rb" ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")

#: Number of byte tokens; merge ``k`` makes token ``N_BYTES + k``.
N_BYTES = 256


def chunks(data: bytes) -> list[bytes]:
    """``data`` cut by :data:`SPLIT`; the pieces concatenate back to ``data``."""
    return SPLIT.findall(data)


def _merge(ids: list[int], pair: tuple[int, int], new: int) -> list[int]:
    """``ids`` with every non-overlapping ``pair``, left to right, replaced by ``new``."""
    a, b = pair
    out = []
    i, n = 0, len(ids)
    while i < n:
        if i + 1 < n and ids[i] == a and ids[i + 1] == b:
            out.append(new)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


@dataclass(frozen=True)
class MergeStep:
    """What one merge did to a text during :func:`replay` (or :func:`train`).

    ``rank`` is the merge's index (its token is ``256 + rank``); ``pair`` the
    two ids merged; ``count`` how many times the pair occurred (overlapping
    occurrences counted) just before the merge; ``top_pair`` and
    ``top_count`` the pair the training rule would have chosen at that moment
    and its count (equal to ``pair`` and ``count`` when replaying the
    training text); ``tokens`` the text's length in tokens after the merge.
    """

    rank: int
    pair: tuple[int, int]
    count: int
    top_pair: tuple[int, int] | None
    top_count: int
    tokens: int


def _pair_counts(seqs: list[list[int]], weights: list[int]) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = {}
    for seq, w in zip(seqs, weights):
        for p in zip(seq, seq[1:]):
            counts[p] = counts.get(p, 0) + w
    return counts


def _top(counts: dict[tuple[int, int], int]) -> tuple[int, int] | None:
    """The training rule: highest count; ties go to the smaller (left id, right id)."""
    if not counts:
        return None
    return min(counts, key=lambda p: (-counts[p], p))


def _run(data: bytes, merges: Iterable[tuple[int, int]] | None, n_merges: int) -> Iterator[MergeStep]:
    # Work on distinct chunks weighted by their frequency: the book's prose
    # has about 60,000 chunks but only a few thousand distinct ones.
    freq: dict[bytes, int] = {}
    for c in chunks(data):
        freq[c] = freq.get(c, 0) + 1
    seqs = [list(c) for c in freq]
    weights = list(freq.values())
    total = sum(len(s) * w for s, w in zip(seqs, weights))
    given = iter(merges) if merges is not None else None
    for rank in range(n_merges):
        counts = _pair_counts(seqs, weights)
        top = _top(counts)
        if given is not None:
            pair = next(given, None)
            if pair is None:
                return
            pair = (int(pair[0]), int(pair[1]))
        else:
            if top is None:
                return
            pair = top
        new = N_BYTES + rank
        a = pair[0]
        for i, s in enumerate(seqs):
            if a in s:
                merged = _merge(s, pair, new)
                if len(merged) != len(s):
                    total -= (len(s) - len(merged)) * weights[i]
                    seqs[i] = merged
        yield MergeStep(rank, pair, counts.get(pair, 0), top, counts.get(top, 0) if top else 0, total)


def train(data: bytes, n_merges: int) -> list[tuple[int, int]]:
    """Learn up to ``n_merges`` merges from ``data`` (bytes); the merge list, in order.

    Deterministic: the most frequent pair wins, ties go to the smaller
    ``(left id, right id)``. Stops early if no pair is left to merge.
    """
    return [step.pair for step in _run(data, None, n_merges)]


def replay(data: bytes, merges: Iterable[tuple[int, int]]) -> Iterator[MergeStep]:
    """Apply ``merges`` to ``data`` in order, one :class:`MergeStep` per merge.

    On the text the merges were trained on, every step's ``pair`` equals its
    ``top_pair``; on another text the two may differ, which shows how a
    tokenizer fits its own training text.
    """
    merges = list(merges)
    return _run(data, merges, len(merges))


class Tokenizer:
    """Encode and decode with a learned merge list (``[(left id, right id), ...]`` in rank order)."""

    #: encoded chunks kept for reuse; bounded so a long session cannot grow it without limit
    CACHE_SIZE = 20_000

    def __init__(self, merges: Iterable[Iterable[int]]):
        self.merges: list[tuple[int, int]] = [(int(a), int(b)) for a, b in merges]
        self.ranks: dict[tuple[int, int], int] = {}
        self.vocab: list[bytes] = [bytes([i]) for i in range(N_BYTES)]
        for rank, (a, b) in enumerate(self.merges):
            new = N_BYTES + rank
            if not (0 <= a < new and 0 <= b < new):
                raise ValueError(f"merge {rank} joins ids {a} and {b}; only ids below {new} exist then")
            self.ranks[(a, b)] = rank
            self.vocab.append(self.vocab[a] + self.vocab[b])
        self._cache: dict[bytes, tuple[int, ...]] = {}

    @property
    def n_vocab(self) -> int:
        """Number of token ids: 256 bytes plus one per merge."""
        return len(self.vocab)

    def _encode_chunk(self, chunk: bytes) -> tuple[int, ...]:
        hit = self._cache.get(chunk)
        if hit is not None:
            return hit
        ids = list(chunk)
        ranks = self.ranks
        while len(ids) > 1:
            best, best_rank = None, None
            for p in zip(ids, ids[1:]):
                r = ranks.get(p)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = p, r
            if best is None:
                break
            ids = _merge(ids, best, N_BYTES + best_rank)
        out = tuple(ids)
        if len(self._cache) >= self.CACHE_SIZE:
            self._cache.clear()
        self._cache[chunk] = out
        return out

    def trace_chunk(self, chunk: bytes) -> list[tuple[int, tuple[int, ...]]]:
        """How one chunk is encoded, merge by merge: ``(rank, ids after it)`` for every merge that
        changes it, in rank order.

        The ranks come out increasing: a merge can only create pairs that hold
        its own new id, and those belong to later merges. So the ids after the
        merge of rank ``r`` are exactly what a tokenizer holding only the first
        ``r + 1`` merges would give, and the last entry (or the bytes, if no
        merge applies) is :meth:`encode_bytes` of the chunk.
        """
        ids = list(chunk)
        ranks = self.ranks
        out: list[tuple[int, tuple[int, ...]]] = []
        while len(ids) > 1:
            best_rank = min((r for r in map(ranks.get, zip(ids, ids[1:])) if r is not None), default=None)
            if best_rank is None:
                break
            ids = _merge(ids, self.merges[best_rank], N_BYTES + best_rank)
            out.append((best_rank, tuple(ids)))
        return out

    def token_counts(self, data: bytes) -> list[int]:
        """Length of ``data`` in tokens under the first ``k`` merges, for ``k = 0 … n_merges``.

        Entry 0 is the number of bytes; the last entry is ``len(encode_bytes(data))``.
        Each distinct chunk is traced once (:meth:`trace_chunk`) and weighted by
        how often it occurs, so a compression curve over a whole text costs
        about one encoding of it instead of one per merge.
        """
        freq: dict[bytes, int] = {}
        for c in chunks(bytes(data)):
            freq[c] = freq.get(c, 0) + 1
        saved = [0] * len(self.merges)
        total = 0
        for c, w in freq.items():
            total += len(c) * w
            before = len(c)
            for rank, ids in self.trace_chunk(c):
                saved[rank] += (before - len(ids)) * w
                before = len(ids)
        counts = [total]
        for s in saved:
            counts.append(counts[-1] - s)
        return counts

    def encode_bytes(self, data: bytes) -> list[int]:
        """Token ids of a byte string (any bytes, valid UTF-8 or not)."""
        out: list[int] = []
        for c in chunks(bytes(data)):
            out.extend(self._encode_chunk(c))
        return out

    def decode_bytes(self, ids: Iterable[int]) -> bytes:
        """The exact bytes a list of token ids stands for."""
        vocab = self.vocab
        return b"".join(vocab[i] for i in ids)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` encoded as UTF-8 (lone surrogates pass through as 3 bytes each)."""
        return self.encode_bytes(text.encode("utf-8", "surrogatepass"))

    def decode(self, ids: Iterable[int]) -> str:
        """The text of ``ids``; bytes that are not valid UTF-8 become U+FFFD (``errors="replace"``)."""
        return self.decode_bytes(ids).decode("utf-8", "replace")

    def token_bytes(self, i: int) -> bytes:
        """The bytes token ``i`` stands for."""
        return self.vocab[i]

    def token_text(self, i: int) -> str:
        """Token ``i`` as text (U+FFFD where its bytes are part of a character)."""
        return self.vocab[i].decode("utf-8", "replace")

    def pieces(self, text: str) -> list[str]:
        """``text`` cut into its tokens' texts (a character split across tokens shows as U+FFFD)."""
        return [self.token_text(i) for i in self.encode(text)]
