"""Answers for chapter p00-c04 (matrices as transforms, and GEMM).

The 2×2 arithmetic uses the helpers the plane view draws with; every FLOP
and byte count goes through :mod:`llmviz.calc.gemm` over the catalog.
"""
from __future__ import annotations

from ..calc.gemm import gemm_bytes, gemm_flops, gemm_intensity, layer_projections, linear_flops, matmul_flops_per_token
from ..calc.model_size import param_breakdown, param_count
from ..catalog import get_model
from ..modes.part00_math.matrices import MORPH_S, MatricesMode, det2
from ..units import fmt_bytes, fmt_count, fmt_flops
from . import Answer

MODEL = "llama-3-8b"
BF16 = 2

# Exercise 1: the matrix and the point
EX1_A = ((2, 1), (1, 3))
EX1_X = (1, 2)
# Exercise 3: the singular preset sends this point to the origin
SINGULAR_X = (2, -1)
# Exercise 5: a legal product
EX5_SHAPE = (5, 2, 3)          # M, N, K
# Exercise 6: 256 neurons reading 784 inputs (a 28×28 image)
EX6_OUT, EX6_IN = 256, 784
# Exercise 8: a batch of tokens through the q matrix
EX8_TOKENS = 512


def _num(v: float) -> str:
    """A plain number: integers exactly, others to three significant figures."""
    r = round(v, 9)
    if float(r).is_integer():
        return f"{int(r):,}".replace("-", "\u2212")
    return f"{v:.3g}".replace("-", "\u2212")


def _plain(v: float) -> Answer:
    return Answer(v, _num(v))


def _flops(v: float, digits: int = 3) -> Answer:
    # counts a reader can check by hand are printed exactly
    return Answer(v, f"{int(v):,} FLOP" if v < 1e6 else fmt_flops(v, digits))


def _apply(a, x) -> tuple[float, float]:
    """A·x for a 2×2 matrix: one dot product per row."""
    return a[0][0] * x[0] + a[0][1] * x[1], a[1][0] * x[0] + a[1][1] * x[1]


def _preset(name: str) -> tuple[tuple[float, float], tuple[float, float]]:
    v = MatricesMode.submodes[name].values
    return (v["a"], v["b"]), (v["c"], v["d"])


def _rotation_twice() -> tuple[float, float]:
    """Top row of R·R for the 30° rotation preset: (cos 60°, −sin 60°) up to rounding of the preset."""
    (a, b), (c, d) = _preset("rotation")
    return a * a + b * c, a * b + b * d


def _q() -> tuple[int, int]:
    return layer_projections(MODEL)["q"]


def _weights(name: str) -> int:
    """Weights in one of Llama 3 8B's per-layer matrices (a count)."""
    d_in, d_out = layer_projections(MODEL)[name]
    return d_in * d_out


def _layer_weights() -> int:
    return sum(d_in * d_out for d_in, d_out in layer_projections(MODEL).values())


def _layer_per_token() -> int:
    return sum(linear_flops(d_in, d_out) for d_in, d_out in layer_projections(MODEL).values())


def _kaplan_n() -> int:
    """Parameters outside both embedding tables, Kaplan et al.'s N (a count)."""
    parts = param_breakdown(MODEL)
    return param_count(MODEL) - parts["embedding"] - parts["unembedding"]


def _output_flops() -> int:
    m = get_model(MODEL)
    return linear_flops(m.hidden, m.vocab)


def _q_bytes(tokens: int) -> float:
    d_in, d_out = _q()
    return gemm_bytes(d_out, tokens, d_in, BF16)


def _q_intensity(tokens: int) -> float:
    d_in, d_out = _q()
    return gemm_intensity(d_out, tokens, d_in, BF16)


ANSWERS = {
    # the plane
    "morph_seconds": lambda: _plain(MORPH_S),
    "ex1_y1": lambda: _plain(_apply(EX1_A, EX1_X)[0]),
    "ex1_y2": lambda: _plain(_apply(EX1_A, EX1_X)[1]),
    "ex1_det": lambda: _plain(det2(*EX1_A[0], *EX1_A[1])),
    "default_det": lambda: _plain(det2(*_preset("transform")[0], *_preset("transform")[1])),
    "rot2_a": lambda: _plain(_rotation_twice()[0]),
    "rot2_b": lambda: _plain(_rotation_twice()[1]),
    "rot_det": lambda: _plain(det2(*_preset("rotation")[0], *_preset("rotation")[1])),
    "singular_y1": lambda: _plain(_apply(_preset("singular"), SINGULAR_X)[0]),
    "singular_y2": lambda: _plain(_apply(_preset("singular"), SINGULAR_X)[1]),
    # counting multiply-adds
    "gemm_default_flops": lambda: _flops(gemm_flops(3, 3, 4)),
    "gemm_max_flops": lambda: _flops(gemm_flops(8, 8, 8)),
    "ex5_flops": lambda: _flops(gemm_flops(*EX5_SHAPE)),
    "ex6_matvec": lambda: _flops(gemm_flops(EX6_OUT, 1, EX6_IN)),
    "ex6_with_bias": lambda: _flops(gemm_flops(EX6_OUT, 1, EX6_IN) + EX6_OUT),
    "ex6_bias_share": lambda: Answer(EX6_OUT / (gemm_flops(EX6_OUT, 1, EX6_IN) + EX6_OUT),
                                     f"{100 * EX6_OUT / (gemm_flops(EX6_OUT, 1, EX6_IN) + EX6_OUT):.2f} %"),
    # a real layer
    "llama_hidden": lambda: _plain(get_model(MODEL).hidden),
    "llama_layers": lambda: _plain(get_model(MODEL).layers),
    "llama_vocab": lambda: _plain(get_model(MODEL).vocab),
    "llama_ffn": lambda: _plain(layer_projections(MODEL)["gate"][1]),
    "llama_kv_width": lambda: _plain(layer_projections(MODEL)["k"][1]),
    "gemm_k8_flops": lambda: _flops(gemm_flops(3, 3, 8)),
    "llama_q_weights": lambda: Answer(_weights("q"), fmt_count(_weights("q"))),
    "llama_k_weights": lambda: Answer(_weights("k"), fmt_count(_weights("k"))),
    "llama_ffn_weights": lambda: Answer(_weights("gate"), fmt_count(_weights("gate"))),
    "llama_layer_weights": lambda: Answer(_layer_weights(), fmt_count(_layer_weights())),
    "llama_gate_over_q": lambda: _plain(_weights("gate") / _weights("q")),
    "llama_all_layers_flops": lambda: _flops(get_model(MODEL).layers * _layer_per_token(), 4),
    "llama_output_flops": lambda: _flops(_output_flops()),
    "llama_norm_params": lambda: _plain(param_breakdown(MODEL)["norms"]),
    "llama_q_per_token": lambda: _flops(linear_flops(*_q())),
    "llama_q_weight_bytes": lambda: Answer(BF16 * _q()[0] * _q()[1], fmt_bytes(BF16 * _q()[0] * _q()[1])),
    "llama_layer_per_token": lambda: _flops(_layer_per_token()),
    "llama_model_per_token": lambda: _flops(matmul_flops_per_token(MODEL), 4),
    "llama_params": lambda: Answer(param_count(MODEL), fmt_count(param_count(MODEL), 4)),
    "llama_two_n": lambda: _flops(2 * param_count(MODEL), 4),
    "llama_embedding_flops": lambda: _flops(2 * param_breakdown(MODEL)["embedding"], 4),
    # Kaplan et al.'s N leaves out both the input and the output embedding tables
    "kaplan_n": lambda: Answer(_kaplan_n(), fmt_count(_kaplan_n(), 3)),
    "kaplan_two_n": lambda: _flops(2 * _kaplan_n(), 4),
    # the k matrix in the row convention: (T x d)(d x kv) for T = 512
    "rows_k_flops": lambda: _flops(gemm_flops(EX8_TOKENS, layer_projections(MODEL)["k"][1], get_model(MODEL).hidden), 4),
    "q_tokens": lambda: _plain(EX8_TOKENS),
    "q_flops_512": lambda: _flops(linear_flops(*_q(), tokens=EX8_TOKENS)),
    "q_bytes_1": lambda: Answer(_q_bytes(1), fmt_bytes(_q_bytes(1))),
    "q_bytes_512": lambda: Answer(_q_bytes(EX8_TOKENS), fmt_bytes(_q_bytes(EX8_TOKENS))),
    "q_intensity_1": lambda: Answer(_q_intensity(1), f"{_q_intensity(1):.4f} FLOP/B"),
    "q_intensity_512": lambda: Answer(_q_intensity(EX8_TOKENS), f"{_q_intensity(EX8_TOKENS):.0f} FLOP/B"),
}
