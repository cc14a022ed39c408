"""Answers for chapter p00-c01 (notation and the promise).

Shapes come from the catalog through :func:`llmviz.calc.gemm.layer_projections`;
element counts, bytes and shape rules through :mod:`llmviz.calc.shapes`; a
whole model's size through :mod:`llmviz.calc.model_size`.
"""
from __future__ import annotations

import math

from ..calc.gemm import layer_projections
from ..calc.model_size import param_count, weight_bytes
from ..calc.shapes import broadcast_shape, fmt_shape, matmul_shape, numel, tensor_bytes
from ..catalog import get_gpu, get_model
from ..units import fmt_bytes, fmt_count
from . import Answer

MODEL = "llama-3-8b"
BIG_MODEL = "llama-3-70b"
GPU = "h100-sxm"

# the worked example of y = Wx + b in the text
TEXT_W = ((1, 2, 0), (0, -1, 3))
TEXT_X = (4, 1, 2)
TEXT_B = (0.5, -1)
# a batch of 8 prompts of 512 tokens, each a vector of d numbers
BATCH = (8, 512)
TOKENS = 512
# Exercise 1: the k matrix applied to 16 tokens
EX1_TOKENS = 16
# Exercise 2: a sum, a product, and the stacked k matrices of every layer
EX2_SUM_TO = 5
EX2_PROD = (2, 2, 2, 2)
# Exercise 3: y = Wx + b by hand
EX3_W = ((2, 0, -1), (1, 1, 1))
EX3_X = (3, -1, 2)
EX3_B = (1, 0)
# Exercise 4: the entry in row 3, column 5 (counting from 1) of W_q, stored row after row at 2 bytes each
EX4_ROW, EX4_COL = 3, 5
# Exercise 5: which sums broadcast
EX5 = {"a": ((4096, 16), (4096,)), "b": ((4096, 16), (4096, 1)), "c": ((16, 4096), (4096,)),
       "d": ((8, 1, 6), (5, 1))}
# Exercise 6: which products exist
EX6 = {"a": ((32, 16, 128), (32, 128, 16)), "b": ((1024, 4096), (4096,)), "c": ((5, 3, 4), (2, 4, 6)),
       "d": ((1, 3, 4), (7, 4, 2))}
# Exercise 8: formats for a 70B model on one GPU
FORMATS = ("fp32", "bf16", "fp8", "int4")
# a common 4-bit layout: one 2-byte (16-bit) scale shared by each group of 128 weights
INT4_GROUP, SCALE_BYTES = 128, 2


def _int(v: float) -> Answer:
    """A count printed exactly, with thousands separators."""
    return Answer(v, f"{int(v):,}".replace("-", "\u2212"))


def _num(v: float) -> Answer:
    r = round(v, 9)
    text = f"{int(r):,}" if float(r).is_integer() else f"{v:.3g}"
    return Answer(v, text.replace("-", "\u2212"))


def _bytes(v: float) -> Answer:
    return Answer(v, fmt_bytes(v))


def _shape_answer(shape: tuple[int, ...]) -> Answer:
    """A shape: printed as NumPy prints it, valued by its element count."""
    return Answer(numel(shape), fmt_shape(shape))


def _proj(name: str) -> tuple[int, int]:
    """(d_in, d_out) of one of Llama 3 8B's per-layer matrices."""
    return layer_projections(MODEL)[name]


def _w_shape(name: str) -> tuple[int, int]:
    """The weight matrix's shape, outputs × inputs."""
    d_in, d_out = _proj(name)
    return (d_out, d_in)


def linear(w, x, b) -> tuple[float, ...]:
    """y = Wx + b written out: y_i = Σ_j W_ij x_j + b_i."""
    return tuple(sum(wij * xj for wij, xj in zip(row, x)) + bi for row, bi in zip(w, b))


def _bias_params() -> int:
    """Numbers b would add if all seven matrices of every layer had a bias: one per output."""
    return get_model(MODEL).layers * sum(d_out for _d_in, d_out in layer_projections(MODEL).values())


def _fits(fmt: str) -> float:
    """Memory left on the GPU after Llama 3 70B's weights in ``fmt`` (negative: does not fit), in bytes."""
    return get_gpu(GPU).hbm_bytes - weight_bytes(BIG_MODEL, fmt)


def _ffn_share() -> float:
    m = get_model(MODEL)
    ffn = sum(numel(_w_shape(p)) for p in ("gate", "up", "down")) * m.layers
    return ffn / param_count(MODEL)


ANSWERS = {
    # the model card
    "llama_hidden": lambda: _int(get_model(MODEL).hidden),
    "llama_layers": lambda: _int(get_model(MODEL).layers),
    "llama_params": lambda: Answer(param_count(MODEL), fmt_count(param_count(MODEL))),
    "llama_kv_width": lambda: _int(_proj("k")[1]),
    "llama_ffn": lambda: _int(_proj("gate")[1]),
    # shapes, Σ and Π
    "batch_elements": lambda: _int(numel(BATCH + (get_model(MODEL).hidden,))),
    "q_weights": lambda: _int(numel(_w_shape("q"))),
    "sum_to_four": lambda: _int(sum(range(1, 5))),
    "prod_to_four": lambda: _int(math.prod(range(1, 5))),
    # y = Wx + b in the text
    "text_y1": lambda: _num(linear(TEXT_W, TEXT_X, TEXT_B)[0]),
    "text_y2": lambda: _num(linear(TEXT_W, TEXT_X, TEXT_B)[1]),
    "x_512": lambda: _int(numel((get_model(MODEL).hidden, TOKENS))),
    # bytes
    "wq_fp32": lambda: _bytes(tensor_bytes(_w_shape("q"), "fp32")),
    "wq_bf16": lambda: _bytes(tensor_bytes(_w_shape("q"), "bf16")),
    "wq_fp8": lambda: _bytes(tensor_bytes(_w_shape("q"), "fp8")),
    "wq_int4": lambda: _bytes(tensor_bytes(_w_shape("q"), "int4")),
    "wq_layers_bf16": lambda: _bytes(tensor_bytes((get_model(MODEL).layers,) + _w_shape("q"), "bf16")),
    "model_bf16": lambda: _bytes(weight_bytes(MODEL, "bf16")),
    "model_fp32": lambda: _bytes(weight_bytes(MODEL, "fp32")),
    # Exercise 1
    "ex1_y_elements": lambda: _int(numel((_proj("k")[1], EX1_TOKENS))),
    "ex1_x_elements": lambda: _int(numel((_proj("k")[0], EX1_TOKENS))),
    # Exercise 2
    "ex2_sum": lambda: _int(sum(2 * i - 1 for i in range(1, EX2_SUM_TO + 1))),
    "ex2_prod": lambda: _int(math.prod(EX2_PROD)),
    "ex2_k_stack": lambda: _int(numel((get_model(MODEL).layers,) + _w_shape("k"))),
    # Exercise 3
    "ex3_y1": lambda: _num(linear(EX3_W, EX3_X, EX3_B)[0]),
    "ex3_y2": lambda: _num(linear(EX3_W, EX3_X, EX3_B)[1]),
    # Exercise 4: rows before it, times the row length, plus the columns before it in its row
    "ex4_position": lambda: _int((EX4_ROW - 1) * _w_shape("q")[1] + (EX4_COL - 1)),
    "ex4_offset": lambda: _int(tensor_bytes(((EX4_ROW - 1) * _w_shape("q")[1] + (EX4_COL - 1),), "bf16")),
    # Exercise 5 (the illegal one, (a), has no answer)
    "ex5_b": lambda: _shape_answer(broadcast_shape(*EX5["b"])),
    "ex5_c": lambda: _shape_answer(broadcast_shape(*EX5["c"])),
    "ex5_d": lambda: _shape_answer(broadcast_shape(*EX5["d"])),
    # Exercise 6 (the illegal one, (c), has no answer)
    "ex6_a": lambda: _shape_answer(matmul_shape(*EX6["a"])),
    "ex6_b": lambda: _shape_answer(matmul_shape(*EX6["b"])),
    "ex6_d": lambda: _shape_answer(matmul_shape(*EX6["d"])),
    # Exercise 7
    "gate_elements": lambda: _int(numel(_w_shape("gate"))),
    "gate_bf16": lambda: _bytes(tensor_bytes(_w_shape("gate"), "bf16")),
    "gate_int4": lambda: _bytes(tensor_bytes(_w_shape("gate"), "int4")),
    "ffn_all_bf16": lambda: _bytes(3 * tensor_bytes((get_model(MODEL).layers,) + _w_shape("gate"), "bf16")),
    "ffn_share": lambda: Answer(_ffn_share(), f"{100 * _ffn_share():.1f} %"),
    # Exercise 8
    "big_params": lambda: Answer(param_count(BIG_MODEL), fmt_count(param_count(BIG_MODEL))),
    "gpu_memory": lambda: _bytes(get_gpu(GPU).hbm_bytes),
    **{f"big_{f}": (lambda f=f: _bytes(weight_bytes(BIG_MODEL, f))) for f in FORMATS},
    "big_fp8_left": lambda: _bytes(_fits("fp8")),
    "big_int4_left": lambda: _bytes(_fits("int4")),
    "big_int4_scales": lambda: _bytes(math.ceil(param_count(BIG_MODEL) / INT4_GROUP) * SCALE_BYTES),
    # Exercise 9
    "bias_per_layer": lambda: _int(sum(d_out for _d_in, d_out in layer_projections(MODEL).values())),
    "bias_params": lambda: _int(_bias_params()),
    "bias_bytes": lambda: _bytes(tensor_bytes((_bias_params(),), "bf16")),
    "bias_share": lambda: Answer(_bias_params() / param_count(MODEL),
                                 f"{100 * _bias_params() / param_count(MODEL):.3f} %"),
    # Exercise 10: with T = d tokens, a (d,) bias lands on the right entry only where i = j
    "trap_right": lambda: _int(get_model(MODEL).hidden),
    "trap_share": lambda: Answer(1 / get_model(MODEL).hidden, f"{100 / get_model(MODEL).hidden:.3f} %"),
}
