"""A head of the book's tiny trained model (``llmviz.lm``) reading a sentence from the book.

The hand-set head of the attention chapter shows what a head *can* compute;
this shows what one *did* learn. The model, its tokenizer and the sentences
are real: 2 layers of 4 heads trained on the book's own prose, and sentences
copied from the chapters. Nothing here is drawn by hand: the weights come
from :class:`llmviz.lm.model.Reading`, which runs the model in slices of
about 2,000 multiply-adds, so that no frame pays for more than a few of
them.

The model is imported and loaded only when this view first draws, so the
chapter's other views, and every other chapter, never read the weights.
"""
from __future__ import annotations

from dataclasses import dataclass

#: Sentences copied from the chapters (where each comes from, and the text),
#: each at most MAX_TOKENS tokens so the heatmap's rows stay legible. The
#: first three are in the training text; the last is from the held-out part,
#: which the model never saw.
SENTENCES = (
    ("this chapter", "Each new token adds its own row of weights and one new column."),
    ("the KV cache chapter", "A key computed once is valid for the rest of the sequence."),
    ("the matrices chapter", "A matrix times a vector is one dot product per row."),
    ("the KV cache chapter, held out from training", "Halving the bytes per number doubles that to 32 sequences."),
)
MAX_TOKENS = 22
#: The shipped model's layers and heads (a test checks them against its
#: header): the view's choice of head is declared without loading the model.
N_LAYER, N_HEAD = 2, 4
HEADS = tuple((f"{l}.{h}", f"layer {l}, head {h}") for l in range(N_LAYER) for h in range(N_HEAD))
#: The heads the chapter describes, chosen by measuring all eight on the
#: held-out text (tools/tiny_lm/README.md): the one that most often puts its
#: largest weight on the previous token, and the one that keeps its weight
#: nearest the query. The view opens on the first.
PREV_HEAD = "1.3"
LOCAL_HEAD = "0.1"
DEFAULT_HEAD = PREV_HEAD
#: The sentence (index) from held-out text.
HELD_OUT_SENTENCE = 3
#: Seconds between two tokens' arrival, and before the sweep over rows starts.
ARRIVE = 0.3
HOLD = 1.2
#: Seconds the sweep spends on each query once the sentence is read.
ROW = 1.4
#: Work units (``llmviz.lm.model.UNIT_MACS`` multiply-adds each) done ahead
#: per frame: a token needs 57, and 18 frames pass between two arrivals at
#: 60 frames a second, 17 of which reuse a built scene and read ahead, so 4
#: a frame (68 an arrival) keeps ahead; at a slower frame rate the frame that
#: shows a token finishes its last few units itself.
PREFETCH = 4

_READINGS: dict = {}


def model():
    """The tiny model, loaded on first use (``llmviz.lm.model.load``)."""
    from ...lm.model import load

    return load()


def tokens(sentence: int) -> list[int]:
    """Token ids of sentence ``sentence`` (an index into :data:`SENTENCES`)."""
    return model().tokenizer.encode(SENTENCES[sentence][1])


def token_label(i: int) -> str:
    """A token as the view prints it: a leading space as "·", other spaces and newlines visible."""
    s = model().tokenizer.token_text(i)
    return s.replace(" ", "·").replace("\n", "⏎") or "∅"


def reading(sentence: int):
    """The shared, incrementally computed :class:`~llmviz.lm.model.Reading` of a sentence."""
    r = _READINGS.get(sentence)
    if r is None:
        from ...lm.model import Reading

        r = _READINGS[sentence] = Reading(model(), tokens(sentence))
    return r


def prefetch(current: int, units: int = PREFETCH) -> None:
    """Spend ``units`` of work ahead: the current sentence first, then the others in order."""
    for s in [current] + [k for k in range(len(SENTENCES)) if k != current]:
        r = reading(s)
        if not r.done:
            r.advance(units)
            return


def weights(sentence: int, head: str, n: int | None = None) -> list[list[float]]:
    """Rows 0…n−1 of head ``"layer.head"``'s weights on the sentence (row i has i+1 entries)."""
    r = reading(sentence)
    n = len(r.tokens) if n is None else n
    r.ensure(n)
    layer, h = (int(x) for x in head.split("."))
    return [r.weights[i][layer][h] for i in range(n)]


@dataclass(frozen=True)
class Profile:
    """Where a head's weight goes, averaged over queries 1…T−1 (query 0 can only see itself).

    ``previous``, ``first`` and ``itself`` are mean weights (0–1) on the key
    just before the query, on token 0 and on the query's own key;
    ``previous_top`` is the share of queries whose largest weight is on the
    previous token; ``queries`` how many queries were averaged.
    """

    previous: float
    first: float
    itself: float
    previous_top: float
    queries: int


def profile(rows: list[list[float]]) -> Profile:
    """The :class:`Profile` of causal weight rows (row i over keys 0…i)."""
    qs = rows[1:]
    n = len(qs)
    if not n:
        return Profile(0.0, 0.0, 0.0, 0.0, 0)
    prev = sum(r[-2] for r in qs) / n
    first = sum(r[0] for r in qs) / n
    self_ = sum(r[-1] for r in qs) / n
    top = sum(1 for r in qs if max(range(len(r)), key=r.__getitem__) == len(r) - 2) / n
    return Profile(prev, first, self_, top, n)


def relation(i: int, j: int) -> str:
    """How key ``j`` stands to query ``i`` in words."""
    if j == i:
        return "itself"
    if j == i - 1:
        return "previous token"
    if j == 0:
        return "first token"
    return f"{i - j} back"

