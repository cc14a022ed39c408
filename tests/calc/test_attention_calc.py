"""Scaled dot-product attention: the pure-Python arithmetic against numpy, the cost formulas by hand."""
import math

import numpy as np
import pytest

from llmviz.calc.attention import (
    attention,
    attention_core_flops,
    attention_crossover_tokens,
    attention_projection_flops,
    layer_weight_flops,
    entropy_bits,
    masked_elements,
    matmul,
    model_attention_core_flops,
    score_matrix_bytes,
    score_matrix_elements,
    softmax,
    transpose,
)


def oracle(q, k, v, causal, scaled=True, temperature=1.0):
    """softmax(QKᵀ/(τ·√d) + mask)·V written out in numpy."""
    q, k, v = map(np.asarray, (q, k, v))
    s = q @ k.T / (temperature * (math.sqrt(q.shape[1]) if scaled else 1.0))
    if causal:
        s = np.where(np.triu(np.ones(s.shape, bool), 1), -np.inf, s)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    w = e / e.sum(axis=1, keepdims=True)
    return w, w @ v


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("scaled,temperature", [(True, 1.0), (False, 1.0), (True, 0.5), (True, 3.0)])
def test_attention_matches_numpy(causal, scaled, temperature):
    rng = np.random.default_rng(7)
    q, k, v = rng.normal(size=(9, 6)), rng.normal(size=(9, 6)), rng.normal(size=(9, 4))
    res = attention(q.tolist(), k.tolist(), v.tolist(), causal=causal, scaled=scaled,
                    temperature=temperature)
    w, out = oracle(q, k, v, causal, scaled, temperature)
    np.testing.assert_allclose(res.weights, w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.output, out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.scores, q @ k.T, rtol=1e-12)
    assert res.divisor == pytest.approx(temperature * (math.sqrt(6) if scaled else 1))
    for i, row in enumerate(res.logits):
        assert [x is None for x in row] == [causal and j > i for j in range(9)]


def test_cross_attention_shapes_without_mask():
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(3, 5)), rng.normal(size=(7, 5)), rng.normal(size=(7, 2))
    res = attention(q.tolist(), k.tolist(), v.tolist())
    assert len(res.weights) == 3 and len(res.weights[0]) == 7 and len(res.output[0]) == 2
    with pytest.raises(ValueError):
        attention(q.tolist(), k.tolist(), v.tolist(), causal=True)


def test_matmul_and_transpose():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4) - 5
    np.testing.assert_array_equal(matmul(a.tolist(), b.tolist()), a @ b)
    np.testing.assert_array_equal(transpose(b.tolist()), b.T)
    with pytest.raises(ValueError):
        matmul(a.tolist(), a.tolist())


def test_softmax_masks_and_is_shift_invariant():
    w = softmax([1.0, None, 3.0])
    assert w[1] == 0.0
    assert w[2] / w[0] == pytest.approx(math.e ** 2)
    assert softmax([1001.0, 1000.0]) == pytest.approx(softmax([1.0, 0.0]))
    with pytest.raises(ValueError):
        softmax([None, None])


def test_attention_softmax_is_the_information_softmax_with_masks_as_minus_infinity():
    from llmviz.calc.information import entropy, softmax as info_softmax

    row = [0.3, None, -1.2, 2.5, None]
    assert softmax(row) == info_softmax([0.3, -math.inf, -1.2, 2.5, -math.inf])
    w = softmax(row)
    assert entropy_bits(w) == entropy(w, 2.0)


def test_entropy_bits():
    assert entropy_bits([1.0, 0.0, 0.0]) == 0
    assert entropy_bits([0.125] * 8) == pytest.approx(3.0)


def test_score_matrix_counts():
    assert score_matrix_elements(12) == 144
    assert score_matrix_elements(131072) == 17_179_869_184
    for n in (1, 2, 12, 4097):
        assert score_matrix_elements(n, causal=True) + masked_elements(n) == n * n
        assert score_matrix_elements(n, causal=True) == sum(range(1, n + 1))
    assert masked_elements(12) == 66


def test_score_matrix_bytes():
    assert score_matrix_bytes(8192) == 2 * 8192 ** 2                    # BF16: 2 bytes a score
    assert score_matrix_bytes(8192, dtype="fp32") == 4 * 8192 ** 2
    # Llama 3 8B at its 8,192-token context: 32 heads x 32 layers
    assert score_matrix_bytes(8192, heads=32, layers=32) == 2 * 8192 ** 2 * 1024
    assert score_matrix_bytes(8192, heads=32, layers=32) == pytest.approx(137.4e9, rel=1e-3)


def test_core_flops_are_two_gemms():
    n, d, h = 1000, 128, 32
    qk = 2 * n * n * d          # (n×d)·(d×n)
    av = 2 * n * n * d          # (n×n)·(n×d)
    assert attention_core_flops(n, d, h) == h * (qk + av)
    assert model_attention_core_flops("llama-3-8b", n) == attention_core_flops(n, 128, 32)


def test_projection_flops_by_hand():
    n = 8192
    # Llama 3 8B config.json: hidden 4096, 32 query heads, 8 KV heads, head_dim 128
    q, kv, o = 2 * n * 4096 * 4096, 2 * n * 4096 * 1024, 2 * n * 4096 * 4096
    assert attention_projection_flops("llama-3-8b", n) == q + 2 * kv + o
    # Llama 2 7B: full multi-head attention, four 4096x4096 projections
    assert attention_projection_flops("llama-2-7b", n) == 4 * 2 * n * 4096 * 4096


def test_causal_core_flops_count_the_lower_triangle():
    n, d, h = 1000, 128, 32
    lower = n * (n + 1) // 2                 # scores on and below the diagonal
    assert attention_core_flops(n, d, h, causal=True) == 4 * lower * d * h == 2 * n * (n + 1) * d * h
    assert model_attention_core_flops("llama-3-8b", n, causal=True) == attention_core_flops(n, 128, 32, True)
    full = attention_core_flops(n, d, h)
    assert attention_core_flops(n, d, h, causal=True) / full == pytest.approx((n + 1) / (2 * n))


def test_layer_weight_flops_by_hand():
    n = 8192
    # Llama 3 8B config.json: hidden 4096, 32 query heads and 8 KV heads of 128, intermediate_size 14336
    attn = 2 * n * (4096 * 4096 + 2 * 4096 * 1024 + 4096 * 4096)
    ffn = 2 * n * 3 * 4096 * 14336            # SwiGLU: gate, up, down
    assert layer_weight_flops("llama-3-8b", n) == attn + ffn
    # OPT-13B: plain FFN of two matrices, 5120 -> 20480 -> 5120, full multi-head attention
    assert layer_weight_flops("opt-13b", 1) == 2 * (4 * 5120 * 5120 + 2 * 5120 * 20480)
    with pytest.raises(ValueError):
        layer_weight_flops("mixtral-8x7b", 16)


def test_causal_and_whole_layer_crossovers():
    # Llama 3 8B: P = 83,886,080 FLOPs a token for the projections, 436,207,616 with the FFN; 4·d·h = 16,384
    assert attention_crossover_tokens("llama-3-8b", causal=True) == pytest.approx(83_886_080 / 8192 - 1)
    assert attention_crossover_tokens("llama-3-8b", causal=True) == pytest.approx(10_239)
    assert attention_crossover_tokens("llama-3-8b", whole_layer=True) == pytest.approx(26_624)
    assert attention_crossover_tokens("llama-3-8b", causal=True, whole_layer=True) == pytest.approx(53_247)
    for m in ("llama-3-8b", "llama-3-70b", "llama-3.1-405b", "qwen2.5-72b"):
        for whole in (False, True):
            n = attention_crossover_tokens(m, causal=True, whole_layer=whole)
            assert n == round(n)              # P is a multiple of 2·d·h for these shapes
            linear = layer_weight_flops(m, round(n)) if whole else attention_projection_flops(m, round(n))
            assert model_attention_core_flops(m, round(n), causal=True) == linear


def test_crossover_where_quadratic_meets_linear():
    assert attention_crossover_tokens("llama-3-8b") == pytest.approx(5120)
    assert attention_crossover_tokens("llama-2-7b") == pytest.approx(8192)
    for m in ("llama-3-70b", "llama-3.1-405b", "qwen2.5-72b"):
        n = attention_crossover_tokens(m)
        assert model_attention_core_flops(m, round(n)) == pytest.approx(
            attention_projection_flops(m, round(n)), rel=2 / n)


@pytest.mark.parametrize("call", [
    lambda: score_matrix_elements(0),
    lambda: score_matrix_elements(-3),
    lambda: score_matrix_elements(2.5),
    lambda: score_matrix_elements(True),
    lambda: masked_elements(0),
    lambda: score_matrix_bytes(16, heads=0),
    lambda: score_matrix_bytes(16, dtype="fp7"),
    lambda: attention_core_flops(16, 0),
    lambda: attention_core_flops(16, 64, heads=-1),
    lambda: attention_projection_flops("llama-3-8b", 0),
    lambda: attention_projection_flops("no-such-model", 16),
    lambda: attention([[1.0]], [[1.0]], [[1.0]], temperature=0),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()
