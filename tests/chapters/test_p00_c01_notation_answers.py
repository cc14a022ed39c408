"""Chapter p00-c01's answers against independent oracles: NumPy arrays and numbers written out by hand."""
import math

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.answers.p00_c01_notation import EX5, EX6

A = answers_for("p00-c01-notation")

# Meta-Llama-3-8B config.json: hidden_size 4096, 32 layers, 8 KV heads of 128, intermediate_size 14336
H, L, KV, FF = 4096, 32, 8 * 128, 14336


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text




def test_model_card():
    assert (val("llama_hidden"), val("llama_layers"), val("llama_kv_width"), val("llama_ffn")) == (H, L, KV, FF)
    # Meta reports 8.03B parameters for Llama 3 8B
    assert val("llama_params") == pytest.approx(8.03e9, rel=1e-3)
    assert text("llama_params") == "8.03 B"


def test_sums_products_and_element_counts():
    assert val("sum_to_four") == np.arange(1, 5).sum() == 10
    assert val("prod_to_four") == np.prod(np.arange(1, 5)) == 24
    assert val("batch_elements") == np.zeros((8, 512, H), dtype=np.int8).size
    assert val("batch_elements") == val("q_weights") == H * H      # 8 · 512 = 4096
    assert val("x_512") == np.zeros((H, 512), dtype=np.int8).size


def test_the_worked_layer():
    W = np.array([[1, 2, 0], [0, -1, 3]])
    y = W @ np.array([4, 1, 2]) + np.array([0.5, -1])
    assert (val("text_y1"), val("text_y2")) == tuple(y) == (6.5, 4)
    assert (text("text_y1"), text("text_y2")) == ("6.5", "4")


def test_bytes_of_w_q_and_the_model():
    w = (H, H)
    assert val("wq_fp32") == np.zeros(w, dtype=np.float32).nbytes
    assert val("wq_bf16") == np.zeros(w, dtype=np.float16).nbytes
    assert val("wq_fp8") == np.zeros(w, dtype=np.uint8).nbytes
    assert val("wq_int4") == np.zeros(w, dtype=np.uint8).nbytes / 2
    assert [text(k) for k in ("wq_fp32", "wq_bf16", "wq_fp8", "wq_int4")] == ["67.1 MB", "33.6 MB", "16.8 MB",
                                                                               "8.39 MB"]
    assert val("wq_layers_bf16") == L * 2 * H * H
    assert val("model_bf16") == 2 * val("llama_params")
    assert val("model_fp32") == 4 * val("llama_params")


def test_no_bias_in_llama_3_8b():
    # the parameter count written out with no bias anywhere: two 128,256-row embedding tables (input and
    # output), per layer q, k, v, o and the three feed-forward matrices plus two norm scales, one final norm
    V = 128_256
    per_layer = H * H + 2 * KV * H + H * H + 3 * FF * H + 2 * H
    assert val("llama_params") == 2 * V * H + L * per_layer + H == 8_030_261_248
    # Meta-Llama-3-8B model.safetensors.index.json, "metadata": {"total_size": 16060522496}: BF16, 2 bytes each
    assert val("model_bf16") == 16_060_522_496


def test_exercise_1_shapes():
    W, X = np.zeros((KV, H)), np.zeros((H, 16))
    Y = W @ X + np.zeros((KV, 1))
    assert val("ex1_x_elements") == X.size and val("ex1_y_elements") == Y.size == 16_384


def test_exercise_2_sum_and_product():
    assert val("ex2_sum") == sum(2 * i - 1 for i in range(1, 6)) == 5 ** 2
    assert val("ex2_prod") == 2 ** 4
    assert val("ex2_k_stack") == np.zeros((L, KV, H), dtype=np.int8).size


def test_exercise_3_by_hand():
    y = np.array([[2, 0, -1], [1, 1, 1]]) @ np.array([3, -1, 2]) + np.array([1, 0])
    assert (val("ex3_y1"), val("ex3_y2")) == tuple(y) == (5, 4)


def test_exercise_4_row_major_offset():
    # NumPy lays a C-ordered array out row after row: its byte strides give the offset
    w = np.zeros((H, H), dtype=np.float16)
    row, col = 3 - 1, 5 - 1
    assert val("ex4_offset") == row * w.strides[0] + col * w.strides[1] == 16_392
    assert val("ex4_position") == np.ravel_multi_index((row, col), w.shape) == 8_196


@pytest.mark.parametrize("part", ["a", "b", "c", "d"])
def test_exercise_5_broadcasting_against_numpy(part):
    a, b = EX5[part]
    try:
        want = (np.zeros(a, dtype=np.int8) + np.zeros(b, dtype=np.int8)).shape
    except ValueError:
        want = None
    if part == "a":
        assert want is None and f"ex5_{part}" not in A          # the prose says it fails
    else:
        assert text(f"ex5_{part}") == str(want) and val(f"ex5_{part}") == math.prod(want)


@pytest.mark.parametrize("part", ["a", "b", "c", "d"])
def test_exercise_6_matmul_against_numpy(part):
    a, b = EX6[part]
    try:
        want = np.matmul(np.zeros(a, dtype=np.float32), np.zeros(b, dtype=np.float32)).shape
    except ValueError:
        want = None
    if part == "c":
        assert want is None and f"ex6_{part}" not in A
    else:
        assert text(f"ex6_{part}") == str(want) and val(f"ex6_{part}") == math.prod(want)


def test_exercise_7_ffn():
    assert val("gate_elements") == FF * H
    assert val("gate_bf16") == 2 * FF * H and val("gate_int4") == FF * H / 2
    assert val("ffn_all_bf16") == 3 * L * 2 * FF * H
    assert val("ffn_share") == pytest.approx(3 * L * FF * H / 8.030261248e9)
    assert text("ffn_share") == "70.2 %"


def test_exercise_8_llama_3_70b_on_an_h100():
    # Llama 3 70B: Meta reports 70.6B parameters; H100 SXM datasheet: 80 GB
    n = val("big_params")
    assert n == pytest.approx(70.6e9, rel=2e-3)
    assert val("gpu_memory") == 80e9
    for fmt, per in (("fp32", 4), ("bf16", 2), ("fp8", 1), ("int4", 0.5)):
        assert val(f"big_{fmt}") == per * n
    assert val("big_bf16") > 80e9 > val("big_fp8")
    assert val("big_fp8_left") == 80e9 - n < 20e9 < val("big_int4_left") == 80e9 - n / 2
    # one 2-byte scale per group of 128 weights, counted as the bytes of a float16 array of that many scales
    assert val("big_int4_scales") == np.zeros(math.ceil(n / 128), dtype=np.float16).nbytes
    assert val("big_int4_left") - val("big_int4_scales") > 20e9


def test_exercise_9_biases():
    per_layer = H + KV + KV + H + FF + FF + H          # one bias per output of q, k, v, o, gate, up, down
    assert val("bias_per_layer") == per_layer == 43_008
    assert val("bias_params") == L * per_layer
    assert val("bias_bytes") == 2 * L * per_layer
    assert val("bias_share") == pytest.approx(L * per_layer / 8.030261248e9)
    assert text("bias_share") == "0.017 %"


def test_exercise_10_the_bias_trap():
    # tokens as columns, T = d, bias stored as (d,): NumPy adds b[j] to column j without complaint
    d = 8
    rng = np.random.default_rng(0)
    wx, b = rng.standard_normal((d, d)), rng.standard_normal(d)
    wrong, right = wx + b, wx + b[:, None]
    assert np.isclose(wrong, right).sum() == d            # only the diagonal i = j agrees
    assert val("trap_right") == H and val("trap_share") == pytest.approx(1 / H)
