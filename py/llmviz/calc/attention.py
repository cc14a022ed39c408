"""Scaled dot-product attention: the arithmetic on small matrices, and its cost at scale.

For N tokens, a head holds a query q_i, a key k_i and a value v_i per token
(rows of Q, K, V). Its scores are the N×N dot products S = Q·Kᵀ; its weights
are a row-wise softmax of S divided by a scale (√d_k in the standard
formula, Vaswani et al. 2017, §3.2.1), with the causal mask setting every
score of a later key to −∞ first; its output is the weighted sum of values,
weights·V.

The first half of this module does that arithmetic on lists of floats, for
the toy heads the book draws (a dozen tokens, a few dozen dimensions). The
second half counts what the same computation costs for a real model at N
tokens: N² scores per head, their bytes, and the FLOPs of the two products
Q·Kᵀ and weights·V next to the linear projections that make Q, K and V.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from ..catalog.formats import get_format
from ._checks import positive, positive_int
from .information import entropy as _entropy
from .information import softmax as _softmax
from .gemm import layer_projections, linear_flops

Matrix = list[list[float]]

# --------------------------------------------------------------------------
# the arithmetic, for small matrices


def matmul(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]) -> Matrix:
    """The product a·b of an m×k and a k×n matrix (lists of rows), as an m×n list of rows."""
    k = len(b)
    if any(len(row) != k for row in a):
        raise ValueError(f"matmul: a's rows must have {k} entries to match b's {k} rows")
    cols = list(zip(*b))
    return [[sum(x * y for x, y in zip(row, col)) for col in cols] for row in a]


def transpose(a: Sequence[Sequence[float]]) -> Matrix:
    """The transpose of a matrix given as a list of rows."""
    return [list(col) for col in zip(*a)]


def softmax(xs: Sequence[float | None]) -> list[float]:
    """Softmax of one row of attention logits; ``None`` entries are masked (−∞) and get weight 0.

    The arithmetic is :func:`llmviz.calc.information.softmax`, the one
    softmax of the book (it subtracts the row's maximum first, so nothing
    overflows); this only turns the causal mask's ``None`` into −∞.
    """
    # a row with every entry masked raises ValueError there: no key could receive weight
    return _softmax([-math.inf if x is None else x for x in xs])


def entropy_bits(weights: Sequence[float]) -> float:
    """Shannon entropy of a weight row in bits: 0 for one-hot, log2(n) for uniform over n.

    :func:`llmviz.calc.information.entropy` in base 2: a row of softmax
    weights is a probability distribution over the keys.
    """
    return _entropy(weights, 2.0)


@dataclass(frozen=True)
class AttentionResult:
    """Every intermediate of one head on N tokens (lists of rows).

    ``scores`` = Q·Kᵀ (N×N, unmasked); ``logits`` = scores / divisor with
    masked entries ``None``; ``weights`` = row-wise softmax of the logits;
    ``output`` = weights·V (N×d_v); ``divisor`` is what every score was
    divided by.
    """

    scores: Matrix
    logits: list[list[float | None]]
    weights: Matrix
    output: Matrix
    divisor: float


def attention(q: Sequence[Sequence[float]], k: Sequence[Sequence[float]],
              v: Sequence[Sequence[float]], causal: bool = False, scaled: bool = True,
              temperature: float = 1.0) -> AttentionResult:
    """softmax(Q·Kᵀ / (τ·c) + mask)·V for one head, with every intermediate.

    ``c`` is √d_k when ``scaled`` (d_k = width of a query/key row), else 1;
    ``τ`` is ``temperature`` (1 in the standard formula). ``causal`` masks
    key j for query i whenever j > i.
    """
    positive("temperature", temperature)
    n, d_k = len(q), len(q[0])
    if len(k) != len(v) or len(k[0]) != d_k:
        raise ValueError("attention: K must have Q's width and as many rows as V")
    if causal and len(k) != n:
        raise ValueError("attention: a causal mask needs as many keys as queries")
    scores = matmul(q, transpose(k))
    divisor = temperature * (math.sqrt(d_k) if scaled else 1.0)
    logits = [[None if causal and j > i else s / divisor for j, s in enumerate(row)]
              for i, row in enumerate(scores)]
    weights = [softmax(row) for row in logits]
    return AttentionResult(scores, logits, weights, matmul(weights, v), divisor)


# --------------------------------------------------------------------------
# the cost at N tokens


def score_matrix_elements(tokens: int, causal: bool = False) -> int:
    """Scores one head computes for ``tokens`` tokens: N² (a count).

    With ``causal`` only the entries on and below the diagonal matter,
    N(N+1)/2; a kernel that skips masked blocks saves about half.
    """
    positive_int("tokens", tokens)
    return tokens * (tokens + 1) // 2 if causal else tokens * tokens


def masked_elements(tokens: int) -> int:
    """Entries the causal mask removes from an N×N score matrix: N(N−1)/2 (a count)."""
    positive_int("tokens", tokens)
    return tokens * (tokens - 1) // 2


def score_matrix_bytes(tokens: int, heads: int = 1, layers: int = 1, dtype: str = "bf16") -> float:
    """Bytes to hold ``heads·layers`` full N×N score matrices in ``dtype``, in bytes.

    This is what computing attention literally as written would materialise;
    one head in BF16 is 2·N² bytes.
    """
    positive_int("heads", heads)
    positive_int("layers", layers)
    return score_matrix_elements(tokens) * heads * layers * get_format(dtype).bytes_per_param


def attention_core_flops(tokens: int, head_dim: int, heads: int = 1, causal: bool = False) -> int:
    """FLOPs of Q·Kᵀ and weights·V for ``heads`` heads over ``tokens`` tokens: 4·N²·d·heads.

    Q·Kᵀ is an (N×d)·(d×N) product, 2·N²·d FLOPs; weights·V is (N×N)·(N×d),
    another 2·N²·d. The softmax's N² exponentials are left out (a few per
    score, against 4·d multiply-adds). Without ``causal`` every score is
    computed, as in the formula as written; with it only the N(N+1)/2 on and
    below the diagonal, as a kernel that skips the masked ones does:
    2·N(N+1)·d·heads, a little over half.
    """
    positive_int("head_dim", head_dim)
    positive_int("heads", heads)
    return 4 * score_matrix_elements(tokens, causal) * head_dim * heads


def attention_projection_flops(model, tokens: int) -> int:
    """FLOPs of one layer's four attention projections (Q, K, V, output) on N tokens.

    Linear in N: each projection is a ``linear_flops`` GEMM whose widths come
    from the catalog (``calc.gemm.layer_projections``).
    """
    positive_int("tokens", tokens)
    shapes = layer_projections(model)
    return sum(linear_flops(d_in, d_out, tokens) for name, (d_in, d_out) in shapes.items()
               if name in ("q", "k", "v", "o"))


def layer_weight_flops(model, tokens: int) -> int:
    """FLOPs of every weight matrix of one dense layer on N tokens: the four attention projections
    and the feed-forward block's two or three matrices (``calc.gemm.layer_projections``).

    Linear in N, like :func:`attention_projection_flops`, which is its
    attention part. Norms, activations and residual additions (a few FLOPs
    per number, not per weight) are left out.
    """
    positive_int("tokens", tokens)
    return sum(linear_flops(d_in, d_out, tokens) for d_in, d_out in layer_projections(model).values())


def model_attention_core_flops(model, tokens: int, causal: bool = False) -> int:
    """FLOPs of Q·Kᵀ and weights·V in one layer of ``model`` (all its query heads), in FLOPs.

    ``causal`` counts only the scores the causal mask keeps (:func:`attention_core_flops`).
    """
    from ..catalog import get_model

    m = get_model(model)
    return attention_core_flops(tokens, m.head_dim, m.heads, causal)


def attention_crossover_tokens(model, causal: bool = False, whole_layer: bool = False) -> float:
    """Sequence length N (tokens) at which one layer's Q·Kᵀ and weights·V FLOPs equal its linear part's.

    The linear part costs P·N: P is the attention projections' FLOPs per
    token, or with ``whole_layer`` every weight matrix's
    (:func:`layer_weight_flops`, the feed-forward block included). The core
    costs 4·d·h·N², so the two meet at N = P / (4·d·h); with ``causal`` it
    costs 2·d·h·N(N+1), and they meet at N = P / (2·d·h) − 1.
    """
    from ..catalog import get_model

    m = get_model(model)
    per_token = layer_weight_flops(m, 1) if whole_layer else attention_projection_flops(m, 1)
    if causal:
        return per_token / (2 * m.head_dim * m.heads) - 1
    return per_token / (4 * m.head_dim * m.heads)
