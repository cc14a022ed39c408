"""Multi-head attention: cutting d_model into heads, putting the heads back, and what it costs.

A layer with h heads projects each token's vector x (d_model numbers) once
with each of W_Q, W_K and W_V (d_model × d_model when h·d_head = d_model),
then cuts each result into h slices of d_head = d_model / h numbers: head
k's query is columns k·d_head … (k+1)·d_head − 1 of x·W_Q, so its own
projection is that band of W_Q's columns (Vaswani et al. 2017, §3.2.2, write
the bands as separate W_i^Q). Each head runs scaled dot-product attention on
its slices; the h outputs are concatenated back into d_model numbers and
multiplied by W_O. Because row band k of W_O meets only head k's slice of the
concatenation, concat·W_O equals the sum over heads of o⁽ᵏ⁾·W_O⁽ᵏ⁾.

The first half does that arithmetic on lists of floats, for the small
matrices the book draws; the second counts parameters and FLOPs for a real
width. Sizes are element counts, costs FLOPs (one multiply-add is 2 FLOPs).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ._checks import positive_int
from .attention import AttentionResult, attention, matmul
from .gemm import linear_flops

Matrix = list[list[float]]

# --------------------------------------------------------------------------
# the split and the merge


def head_dim(d_model: int, heads: int) -> int:
    """Width of one head, d_head = d_model / h (a count); ``ValueError`` unless h divides d_model."""
    positive_int("d_model", d_model)
    positive_int("heads", heads)
    if d_model % heads:
        raise ValueError(f"heads must divide d_model: {d_model} / {heads} is not a whole number")
    return d_model // heads


def head_counts(d_model: int) -> list[int]:
    """Every head count h that cuts ``d_model`` into whole heads (the divisors of d_model), ascending."""
    positive_int("d_model", d_model)
    small = [h for h in range(1, int(d_model ** 0.5) + 1) if d_model % h == 0]
    return sorted(set(small + [d_model // h for h in small]))


def head_columns(d_model: int, heads: int, head: int) -> range:
    """The columns of W_Q, W_K and W_V (and rows of W_O) that belong to head ``head`` (0-based)."""
    dh = head_dim(d_model, heads)
    positive_int("head", head, allow_zero=True)
    if head >= heads:
        raise ValueError(f"head must be in 0…{heads - 1}, got {head}")
    return range(head * dh, (head + 1) * dh)


def split_heads(vec: Sequence[float], heads: int) -> Matrix:
    """Cut one token's vector of d_model numbers into h slices of d_head (a list of h rows)."""
    dh = head_dim(len(vec), heads)
    return [list(vec[k * dh:(k + 1) * dh]) for k in range(heads)]


def concat_heads(slices: Sequence[Sequence[float]]) -> list[float]:
    """The concatenation of h head outputs, one after another: h·d_v numbers."""
    if not slices or any(len(s) != len(slices[0]) for s in slices):
        raise ValueError("concat_heads: need at least one head, all of the same width")
    out: list[float] = []
    for s in slices:
        out += list(s)
    return out


def output_by_head(head_outputs: Sequence[Sequence[float]], w_o: Sequence[Sequence[float]]) -> Matrix:
    """Each head's share of the output projection: o⁽ᵏ⁾ · W_O⁽ᵏ⁾, one row of d_model numbers per head.

    ``w_o`` is W_O as a list of h·d_v rows of d_model numbers; head k meets
    rows k·d_v … (k+1)·d_v − 1. The rows returned add up, entry by entry, to
    concat(o⁽⁰⁾…o⁽ʰ⁻¹⁾) · W_O.
    """
    heads = len(head_outputs)
    dv = len(head_outputs[0]) if heads else 0
    if not heads or any(len(o) != dv for o in head_outputs):
        raise ValueError("output_by_head: need at least one head output, all of the same width")
    if len(w_o) != heads * dv:
        raise ValueError(f"output_by_head: W_O needs {heads * dv} rows (heads × d_v), got {len(w_o)}")
    return [matmul([list(o)], w_o[k * dv:(k + 1) * dv])[0] for k, o in enumerate(head_outputs)]


@dataclass(frozen=True)
class MultiHeadResult:
    """Every intermediate of a multi-head layer on N tokens.

    ``heads``: one :class:`~llmviz.calc.attention.AttentionResult` per head
    (its weights and N × d_head outputs); ``concat``: the heads' outputs side
    by side (N × h·d_head); ``output``: ``concat`` · W_O (N × d_model).
    """

    heads: list[AttentionResult]
    concat: Matrix
    output: Matrix


def multi_head_attention(x: Sequence[Sequence[float]], w_q: Sequence[Sequence[float]],
                         w_k: Sequence[Sequence[float]], w_v: Sequence[Sequence[float]],
                         w_o: Sequence[Sequence[float]], heads: int, causal: bool = True) -> MultiHeadResult:
    """Multi-head self-attention of the N rows of ``x`` (N × d_model), with every intermediate.

    Q = x·W_Q, K = x·W_K, V = x·W_V are computed once; head k attends with
    its band of columns of each (:func:`head_columns`), scaled by
    1/√d_head; the outputs are concatenated and multiplied by ``w_o``. All
    four matrices are d_model × d_model lists of rows.
    """
    if not x:
        raise ValueError("multi_head_attention: need at least one token")
    d = len(x[0])
    for name, w in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v), ("w_o", w_o)):
        if len(w) != d or any(len(r) != d for r in w):
            raise ValueError(f"multi_head_attention: {name} must be {d} × {d}")
    dh = head_dim(d, heads)
    q, k, v = matmul(x, w_q), matmul(x, w_k), matmul(x, w_v)
    results = []
    for h in range(heads):
        cols = slice(h * dh, (h + 1) * dh)
        results.append(attention([r[cols] for r in q], [r[cols] for r in k], [r[cols] for r in v],
                                 causal=causal))
    concat = [concat_heads([res.output[i] for res in results]) for i in range(len(x))]
    return MultiHeadResult(results, concat, matmul(concat, w_o))


def random_top_agreement(keys: int, heads: int) -> float:
    """Chance that ``heads`` picks, each uniform over ``keys`` keys and independent, all fall on one key.

    The baseline for "do the heads agree on their strongest key?": h heads
    that ignored one another and chose at random would agree with
    probability keys · (1/keys)^h = keys^(1−h).
    """
    positive_int("keys", keys)
    positive_int("heads", heads)
    return float(keys) ** (1 - heads)


def random_top_distinct(keys: int, heads: int) -> float:
    """Expected number of different keys among ``heads`` independent uniform picks over ``keys`` keys.

    Each key is missed by all h picks with probability (1 − 1/keys)^h, so
    the expected count of keys picked at least once is keys · (1 − (1 − 1/keys)^h).
    """
    positive_int("keys", keys)
    positive_int("heads", heads)
    return keys * (1.0 - (1.0 - 1.0 / keys) ** heads)


# --------------------------------------------------------------------------
# what it costs


def mha_param_count(d_model: int, heads: int, bias: bool = False) -> int:
    """Weights of one multi-head attention layer with h·d_head = d_model: 4·d_model² (a count).

    W_Q, W_K, W_V and W_O are each d_model × d_model whatever h is: h heads
    of d_model × d_head slices make one d_model × d_model matrix. ``bias``
    adds one bias vector of d_model numbers per matrix (GPT-2 has them,
    Llama does not). ``heads`` must divide d_model.
    """
    head_dim(d_model, heads)
    return 4 * d_model * d_model + (4 * d_model if bias else 0)


def mha_projection_flops_per_token(d_model: int, heads: int) -> int:
    """FLOPs of one token's four projections (Q, K, V, O) in one layer: 4 · 2·d_model² = 8·d_model².

    Each is a d_model × d_model matrix-vector product (:func:`calc.gemm.linear_flops`);
    ``heads`` does not enter, but must divide d_model.
    """
    head_dim(d_model, heads)
    return 4 * linear_flops(d_model, d_model)


def mha_core_flops_per_token(d_model: int, heads: int, keys: int) -> int:
    """FLOPs of one query's scores and weighted sum against ``keys`` keys in all h heads: 4·keys·d_model.

    Per head, q·k_j for every key is 2·keys·d_head FLOPs and Σ_j a_j·v_j
    another 2·keys·d_head; h heads of d_head = d_model/h make 4·keys·d_model,
    the same for every h. The softmax's exponentials are left out.
    """
    dh = head_dim(d_model, heads)
    positive_int("keys", keys)
    return 4 * keys * dh * heads


def mha_scores_per_token(heads: int, keys: int) -> int:
    """Attention scores one query makes in one layer: one per key per head, h·keys (a count).

    The one cost of a layer that grows with h: each head has its own
    softmax over the keys.
    """
    positive_int("heads", heads)
    positive_int("keys", keys)
    return heads * keys
