"""Capacity questions about the KV cache, checked against arithmetic written out by hand."""
import pytest

from llmviz.calc.decode import decode_step_lower_bound
from llmviz.calc.kv_cache import kv_cache_bytes
from llmviz.calc.kv_fit import (decode_read_split, decode_step_floor, fits, hbm_bytes, kv_growth,
                                kv_budget_bytes, max_batch_that_fits, max_context_that_fits)

# Llama 3 8B (config.json): 32 layers, 8 KV heads of 128 dims; 8,030,261,248 parameters.
LLAMA3_8B_PER_TOKEN_BF16 = 2 * 32 * 8 * 128 * 2          # 131,072 bytes
LLAMA3_8B_WEIGHTS_BF16 = 8_030_261_248 * 2
H100_HBM = 80e9


def test_budget_is_hbm_minus_weights():
    assert hbm_bytes("h100-sxm", 4) == 4 * H100_HBM
    assert kv_budget_bytes("llama-3-8b", "h100-sxm") == H100_HBM - LLAMA3_8B_WEIGHTS_BF16


def test_max_batch_by_hand_and_agrees_with_the_batching_calculator():
    per_seq = LLAMA3_8B_PER_TOKEN_BF16 * 8192
    want = int((H100_HBM - LLAMA3_8B_WEIGHTS_BF16) // per_seq)
    assert want == 59
    assert max_batch_that_fits("llama-3-8b", "h100-sxm", 1, 8192) == want
    assert max_batch_that_fits("llama-3-8b", "h100-sxm", context=8192) == want
    # An FP8 cache holds one byte per element: twice the sequences (floor rounding aside).
    fp8 = max_batch_that_fits("llama-3-8b", "h100-sxm", 1, 8192, kv_dtype="fp8")
    assert fp8 == int((H100_HBM - LLAMA3_8B_WEIGHTS_BF16) // (per_seq / 2)) == 119


def test_max_context_is_the_exact_edge():
    n = max_context_that_fits("llama-3-8b", "h100-sxm", 1, batch=64)
    assert n == int((H100_HBM - LLAMA3_8B_WEIGHTS_BF16) // (LLAMA3_8B_PER_TOKEN_BF16 * 64))
    assert fits("llama-3-8b", "h100-sxm", 1, n, 64)
    assert not fits("llama-3-8b", "h100-sxm", 1, n + 1, 64)


def test_max_context_limits():
    # Everything fits: the model's own limit comes back.
    assert max_context_that_fits("llama-3-8b", "h100-sxm", 1, batch=1) == 8192
    # Llama 2 70B's 138 GB of BF16 weights do not fit one 80 GB GPU at all.
    assert max_context_that_fits("llama-2-70b", "h100-sxm", 1, batch=1) == 0
    assert max_batch_that_fits("llama-2-70b", "h100-sxm", 1, 1) == 0
    # Mistral 7B's window caps each sequence at 4,096 cached tokens, so 64 sequences
    # fit at its full 32K context even though 64 full caches would not.
    assert max_context_that_fits("mistral-7b", "h100-sxm", 1, batch=64) == 32768
    full = 64 * 2 * 32 * 8 * 128 * 2 * 32768
    assert full > H100_HBM


def test_decode_split_matches_the_decode_floor():
    w, kv = decode_step_floor("llama-3-8b", "h100-sxm", 1, 8192, 32)
    assert w + kv == pytest.approx(decode_step_lower_bound("llama-3-8b", "h100-sxm", "bf16", 32, 8192))
    assert kv * 3.35e12 == pytest.approx(32 * 8192 * LLAMA3_8B_PER_TOKEN_BF16)
    # Two GPUs read their halves at the same time.
    w2, kv2 = decode_step_floor("llama-3-8b", "h100-sxm", 2, 8192, 32)
    assert (w2, kv2) == pytest.approx((w / 2, kv / 2))
    wb, kvb = decode_read_split("llama-3-8b", 0, 4)
    assert kvb == 0 and wb > 0


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="gpus"):
        hbm_bytes("h100-sxm", 0)
    with pytest.raises(ValueError, match="batch"):
        max_context_that_fits("llama-3-8b", "h100-sxm", 1, batch=0)


@pytest.mark.parametrize("name", ["opt-13b", "llama-3-8b", "mistral-7b", "gpt-oss-120b",
                                  "llama-4-scout", "deepseek-v2", "jamba-v0.1"])
@pytest.mark.parametrize("dtype", ["bf16", "fp8"])
def test_growth_terms_reproduce_the_layer_by_layer_sum(name, dtype):
    g = kv_growth(name, dtype)
    for tokens in (1, 127, 128, 129, 4095, 4096, 4097, 8192, 100_000):
        for batch in (1, 3):
            assert g.bytes(tokens, batch) == kv_cache_bytes(name, tokens, batch, dtype)


def test_growth_terms_by_hand():
    # Mistral 7B: every layer is local with a 4,096-token window, 128 KiB per token while it fills.
    g = kv_growth("mistral-7b")
    assert (g.global_bytes, g.local_bytes, g.window) == (0, 2 * 32 * 8 * 128 * 2, 4096)
    # gpt-oss-120b: 18 global and 18 local (128-token) layers, 8 KV heads of 64 dims.
    g = kv_growth("gpt-oss-120b", "fp8")
    assert (g.global_bytes, g.local_bytes, g.window) == (18 * 2 * 8 * 64, 18 * 2 * 8 * 64, 128)
    assert kv_growth("llama-3-8b").window is None
