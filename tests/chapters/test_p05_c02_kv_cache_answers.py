"""Chapter p05-c02's answers against independent oracles: the formula written out, and published figures.

Model shapes below are copied from each model's config.json (and cross-checked
against the catalog in one test), so a catalog slip cannot hide behind the
answers that read it.
"""
import math
import re
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.catalog import get_model

A = answers_for("p05-c02-kv-cache")
SOURCE = Path(__file__).resolve().parents[2] / "chapters" / "p05-c02-kv-cache.md"

# (layers, query heads, KV heads, head dim) from the config files
SHAPES = {
    "opt-13b": (40, 40, 40, 128),
    "llama-2-13b": (40, 40, 40, 128),
    "llama-2-70b": (80, 64, 8, 128),
    "llama-3-8b": (32, 32, 8, 128),
    "mistral-7b": (32, 32, 8, 128),
    "llama-3.1-405b": (126, 128, 8, 128),
    "deepseek-67b": (95, 64, 8, 128),
}
# (vocab, hidden, intermediate) of the Llama models whose weights the chapter weighs
LLAMA_WIDTHS = {"llama-2-70b": (32000, 8192, 28672), "llama-3-8b": (128256, 4096, 14336),
                "llama-3.1-405b": (128256, 16384, 53248)}
H100_HBM, H100_BW, H100_BF16 = 80e9, 3.35e12, 989.4e12
H200_HBM = 141e9


def val(name):
    return A[name]().value


def per_token(name, b=2):
    layers, _, kv, d = SHAPES[name]
    return 2 * layers * kv * d * b


def llama_params(name):
    """Untied embedding and head, q/o of h×h, k/v of h×(KV heads·d), SwiGLU FFN, two RMSNorms a layer."""
    layers, heads, kv, d = SHAPES[name]
    vocab, h, ffn = LLAMA_WIDTHS[name]
    layer = 2 * h * heads * d + 2 * h * kv * d + 3 * h * ffn + 2 * h
    return 2 * vocab * h + layers * layer + h


def weights(name):
    return llama_params(name) * 2


def test_parameter_counts_match_the_model_cards():
    # Llama 3 8B: 8.03B; Llama 2 70B: 69.0B; Llama 3.1 405B: 405.9B (the models' published sizes)
    assert llama_params("llama-3-8b") == 8_030_261_248
    assert round(llama_params("llama-2-70b") / 1e9, 1) == 69.0
    assert round(llama_params("llama-3.1-405b") / 1e9) == 406


def test_every_answer_is_used_and_printed():
    text = SOURCE.read_text()
    used = set(re.findall(r"\{ans\}`([a-z0-9_]+)`", text))
    assert used <= set(A), used - set(A)
    assert set(A) <= used, set(A) - used
    for name, fn in A.items():
        a = fn()
        assert a.text.strip() and np.isfinite(a.value), name


def test_shapes_match_the_catalog():
    for name, (layers, heads, kv, d) in SHAPES.items():
        m = get_model(name)
        assert (m.layers, m.heads, m.kv_heads, m.head_dim) == (layers, heads, kv, d), name


def test_opt13b_matches_the_vllm_paper():
    # vLLM §3: 2 (key and value) × 5120 (hidden) × 40 (layers) × 2 (bytes per FP16) = "800 KB"
    assert val("opt13b_per_token_bytes") == 2 * 5120 * 40 * 2 == 800 * 1024
    assert A["opt13b_per_token"]().text == "800 KiB"
    # "the memory required to store the KV cache of one request can be as much as 1.6 GB"
    assert val("opt13b_request") == 2 * 5120 * 40 * 2 * 2048
    assert 1.6e9 < val("opt13b_request") < 1.7e9
    assert A["opt13b_request_gib"]().text == "1.56 GiB"
    # ~65% of a 40 GB A100 holds the weights of the 13B model (vLLM Fig. 1)
    assert val("opt13b_weights") / 40e9 == pytest.approx(0.65, abs=0.02)


def test_grouped_query_attention_saving():
    assert val("l2_70b_per_token") == per_token("llama-2-70b") == 320 * 1024
    assert val("l2_70b_as_mha") == 2 * 80 * 64 * 128 * 2
    assert val("l2_70b_gqa_saving") == 64 / 8
    assert val("l2_13b_per_token") == per_token("llama-2-13b")
    assert val("ds67b_per_token") == per_token("deepseek-67b")
    # DeepSeek-V2 (Table 1): MLA caches (d_c + d_h^R)·l elements, d_c = 512, d_h^R = 64, 60 layers
    assert val("dsv2_per_token") == (512 + 64) * 60 * 2


def test_llama3_8b_on_one_h100():
    seq = per_token("llama-3-8b") * 8192
    free = H100_HBM - weights("llama-3-8b")
    assert val("l3_8b_per_token") == 131072
    assert val("l3_8b_seq") == seq
    assert val("l3_8b_weights") == weights("llama-3-8b")
    assert val("l3_8b_free") == pytest.approx(free)
    assert val("l3_8b_batch_cache") == 64 * seq
    assert val("l3_8b_batch_total") == 64 * seq + weights("llama-3-8b")
    assert val("l3_8b_max_batch") == math.floor(free / seq)
    assert val("l3_8b_max_batch_fp8") == math.floor(free / (seq / 2))
    assert val("l3_8b_edge_b64") == math.floor(free / (64 * per_token("llama-3-8b")))
    assert val("l3_8b_cache_equals_weights") == math.ceil(weights("llama-3-8b") / seq)


def test_decode_floor_by_hand():
    # Weights read per step: everything but the untied input embedding table (vocab × hidden).
    read_w = weights("llama-3-8b") - 128256 * 4096 * 2
    for batch, floor, share in ((1, "l3_8b_floor_b1", "l3_8b_kv_share_b1"),
                                (32, "l3_8b_floor_b32", "l3_8b_kv_share_b32")):
        kv = batch * per_token("llama-3-8b") * 8192
        assert val(floor) == pytest.approx((read_w + kv) / H100_BW)
        assert val(share) == pytest.approx(kv / (read_w + kv))


def test_no_cache_work_with_numpy():
    steps = np.arange(1, 4097)
    assert val("nocache_passes") == steps.sum()
    assert val("nocache_ratio") == steps.sum() / 4096
    # weight-matrix FLOPs of one Llama 3 8B token: 2 × (every layer's q, k, v, o, gate, up, down + lm head)
    h, kvw, ffn, vocab = 4096, 8 * 128, 14336, 128256
    layer = 2 * (h * h + 2 * h * kvw + h * h + 3 * h * ffn)
    per_pass = 32 * layer + 2 * h * vocab
    assert val("cache_flops") == 4096 * per_pass
    assert val("nocache_flops") == steps.sum() * per_pass
    assert val("nocache_seconds") == pytest.approx(steps.sum() * per_pass / H100_BF16)


def test_mistral_window_matches_the_paper():
    assert val("mistral_per_token") == per_token("mistral-7b")
    assert val("mistral_32k_windowed") == per_token("mistral-7b") * 4096
    assert val("mistral_32k_full") == per_token("mistral-7b") * 32768
    # Mistral 7B §2: "On a sequence length of 32k tokens, this reduces the cache memory usage by 8x"
    assert val("mistral_saving") == 8


def test_big_models_across_several_gpus():
    seq70 = per_token("llama-2-70b") * 4096
    assert val("l2_70b_weights") == weights("llama-2-70b")
    assert weights("llama-2-70b") > H100_HBM
    assert val("l2_70b_2gpu_batch") == math.floor((2 * H100_HBM - weights("llama-2-70b")) / seq70)
    assert val("l2_70b_2gpu_batch_fp8") == math.floor((2 * H100_HBM - weights("llama-2-70b")) / (seq70 / 2))
    seq405 = per_token("llama-3.1-405b") * 131072
    assert val("l405_per_token") == per_token("llama-3.1-405b")
    assert val("l405_seq_128k") == seq405
    assert val("l405_weights") == weights("llama-3.1-405b")
    budget = 8 * H200_HBM - weights("llama-3.1-405b")
    assert val("l405_8h200_batch") == math.floor(budget / seq405)
    assert val("l405_8h200_batch_fp8") == math.floor(budget / (seq405 / 2))


def opt13b_params():
    """OPT-13B (config.json: vocab 50272, hidden 5120, FFN 20480, 40 layers, 2,048 positions plus
    OPT's offset of 2): tied embeddings, learned positions, biases on every linear layer, LayerNorms."""
    vocab, h, ffn, layers, positions = 50272, 5120, 20480, 40, 2048 + 2
    layer = 4 * h * h + 4 * h + 2 * h * ffn + ffn + h + 2 * 2 * h
    return vocab * h + positions * h + layers * layer + 2 * h


def test_hardware_figures_are_the_datasheets():
    assert val("h100_hbm") == H100_HBM and A["h100_hbm"]().text == "80 GB"
    assert val("h100_peak") == H100_BF16
    assert val("h200_hbm") == H200_HBM and val("eight_h200_hbm") == 8 * H200_HBM


def test_the_comparison_view_lines_up_the_models_the_prose_counts():
    from llmviz.modes.part05_inference.kv_cache import KVCacheMode
    rows = KVCacheMode(submode="compare")._compare_rows()
    assert val("compare_models") == len(rows) == 14


def test_ratios_the_solutions_divide_out():
    # OPT-13B: 12.85B parameters (the model card's "13B"), two bytes each
    assert round(opt13b_params() / 1e9, 2) == 12.85
    assert val("opt13b_weights") == opt13b_params() * 2
    assert val("opt13b_requests_per_weights") == pytest.approx(opt13b_params() * 2 / (819_200 * 2048))
    assert A["opt13b_requests_per_weights"]().text == "15"
    assert val("l2_13b_over_70b") == 819_200 / 327_680 == 2.5
    seq = per_token("llama-3-8b") * 8192
    assert val("l3_8b_weights_over_seq") == pytest.approx(weights("llama-3-8b") / seq)
    assert math.floor(val("l3_8b_weights_over_seq")) + 1 == val("l3_8b_cache_equals_weights")
    free = H100_HBM - weights("llama-3-8b")
    assert val("l3_8b_edge_exact") == pytest.approx(free / (64 * 131_072))
    assert A["l3_8b_edge_exact"]().text == "7,622.2"
    assert math.floor(val("l3_8b_edge_exact")) == val("l3_8b_edge_b64")


def test_budgets_beside_the_weights():
    assert val("l2_70b_2gpu_free") == pytest.approx(2 * H100_HBM - weights("llama-2-70b"))
    assert val("l2_70b_seq_4k") == 327_680 * 4096
    assert val("l2_70b_2gpu_batch") == math.floor(val("l2_70b_2gpu_free") / val("l2_70b_seq_4k"))
    assert val("l405_8h200_free") == pytest.approx(8 * H200_HBM - weights("llama-3.1-405b"))
    # one 128K sequence of Llama 3.1 405B is about half an H200, not all of it
    assert 0.4 < val("l405_seq_128k") / H200_HBM < 0.5


def test_flops_per_token_pass():
    h, kvw, ffn, vocab = 4096, 8 * 128, 14336, 128256
    per_pass = 32 * 2 * (h * h + 2 * h * kvw + h * h + 3 * h * ffn) + 2 * h * vocab
    assert val("flops_per_pass") == per_pass
    assert A["flops_per_pass"]().text == "15 GFLOP"
