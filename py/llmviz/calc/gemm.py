"""GEMM cost: multiply-adds, FLOPs, bytes moved and arithmetic intensity.

A GEMM (general matrix multiply) computes C = A·B with A of shape M×K and
B of shape K×N, so C is M×N. Each of the M·N output cells is a dot product
of length K: K multiplications and K additions into a running sum. That is
M·N·K multiply-adds, counted as 2·M·N·K FLOPs (one multiply and one add
each), the convention every FLOP budget in this book uses.
"""
from __future__ import annotations

from ._checks import positive, positive_int


def gemm_macs(m: int, n: int, k: int) -> int:
    """Multiply-adds in an (m×k)·(k×n) product: ``m·n·k`` (a count, no unit)."""
    positive_int("m", m); positive_int("n", n); positive_int("k", k)
    return m * n * k


def gemm_flops(m: int, n: int, k: int) -> int:
    """FLOPs of an (m×k)·(k×n) product: ``2·m·n·k`` (one multiply + one add per multiply-add)."""
    return 2 * gemm_macs(m, n, k)


def gemm_bytes(m: int, n: int, k: int, bytes_per_element: float = 2) -> float:
    """Bytes moved if A and B are read once and C written once, in bytes.

    ``bytes_per_element`` is 2 for fp16/bf16 operands. This is the least
    traffic any schedule can have; a real kernel that re-reads tiles moves
    more.
    """
    positive_int("m", m); positive_int("n", n); positive_int("k", k)
    positive("bytes_per_element", bytes_per_element)
    return bytes_per_element * (m * k + k * n + m * n)


def gemm_intensity(m: int, n: int, k: int, bytes_per_element: float = 2) -> float:
    """Arithmetic intensity in FLOP per byte: :func:`gemm_flops` over :func:`gemm_bytes`."""
    return gemm_flops(m, n, k) / gemm_bytes(m, n, k, bytes_per_element)


def linear_flops(d_in: int, d_out: int, tokens: int = 1) -> int:
    """FLOPs of a bias-free linear layer y = W·x applied to ``tokens`` input vectors.

    W is d_out×d_in and the tokens stand side by side as the columns of a
    d_in×tokens matrix X, so this is the GEMM (d_out×d_in)·(d_in×tokens):
    ``2·d_out·tokens·d_in``. With one token it is a matrix-vector product.
    """
    return gemm_flops(d_out, tokens, d_in)


#: The weight matrices of one dense transformer layer, in the order data meets them.
PROJECTIONS = ("q", "k", "v", "o", "gate", "up", "down")


def layer_projections(model) -> dict[str, tuple[int, int]]:
    """``{name: (d_in, d_out)}`` of each weight matrix in one layer of a dense model.

    Names follow :data:`PROJECTIONS`: the attention projections q, k, v, o
    and the FFN's gate, up and down (a plain, ungated FFN has only up and
    down). Widths come from the catalog: q and o span ``heads·head_dim``,
    k and v span ``kv_heads·head_dim``, the FFN widens ``hidden`` to ``ffn``.
    ``model`` is a catalog entry or its name; models whose layers are not
    plain attention plus a dense FFN (MLA, mixtures of experts, state-space
    layers) raise ``ValueError``.
    """
    from ..catalog import get_model

    m = get_model(model)
    if m.mla is not None or m.is_moe or m.ssm_layers or set(m.ffns) != {"dense"}:
        raise ValueError(f"model {m.name!r}: layer_projections covers dense attention + FFN layers only")
    q_width = m.heads * m.head_dim
    kv_width = m.kv_heads * m.head_dim
    shapes = {
        "q": (m.hidden, q_width),
        "k": (m.hidden, kv_width),
        "v": (m.hidden, kv_width),
        "o": (q_width, m.hidden),
    }
    if m.gated_ffn:
        shapes["gate"] = (m.hidden, m.ffn)
    shapes["up"] = (m.hidden, m.ffn)
    shapes["down"] = (m.ffn, m.hidden)
    return shapes


def matmul_flops_per_token(model) -> int:
    """FLOPs of every weight-matrix product one token passes through, in FLOPs.

    All layers' projections (:func:`layer_projections`) plus the output
    matrix that turns the last hidden state into ``vocab`` scores. Leaves
    out the embedding lookup (a row read, no arithmetic), attention's
    token-to-token products, norms and activations.
    """
    from ..catalog import get_model

    m = get_model(model)
    per_layer = sum(linear_flops(d_in, d_out) for d_in, d_out in layer_projections(m).values())
    return m.layers * per_layer + linear_flops(m.hidden, m.vocab)
