"""Roofline and the decode-step floor, checked against datasheets, papers and hand-counted configs."""
import dataclasses

import numpy as np
import pytest

from llmviz.calc.decode import decode_step_bytes, decode_step_lower_bound, decode_weight_bytes
from llmviz.calc.roofline import ridge_point, roofline_flops
from llmviz.catalog.hardware import GPUS, get_gpu


@pytest.mark.parametrize("gpu,dtype,ridge", [
    ("h100-sxm", "bf16", 295.3),      # 989.4 TFLOP/s dense / 3.35 TB/s (H100 SXM datasheet, Hopper whitepaper)
    ("a100-80gb-sxm", "bf16", 153.0),  # 312 TFLOP/s / 2.039 TB/s (A100 80GB SXM datasheet)
    ("h200-sxm", "bf16", 206.1),      # 989.4 TFLOP/s / 4.8 TB/s (H200 datasheet)
    ("mi300x", "bf16", 246.7),        # 1,307.4 TFLOP/s / 5.3 TB/s (MI300X data sheet)
    ("b200", "bf16", 281.25),         # 2.25 PFLOP/s / 8 TB/s (HGX B200)
    ("b200", "nvfp4", 1125.0),        # 9 PFLOP/s dense FP4 / 8 TB/s
    ("h100-sxm", "fp8", 590.7),       # 1,978.9 TFLOP/s / 3.35 TB/s
])
def test_ridge_points(gpu, dtype, ridge):
    assert ridge_point(gpu, dtype) == pytest.approx(ridge, abs=0.1)


def test_roofline_is_the_minimum_of_two_roofs():
    # Williams, Waterman and Patterson (2009): attainable = min(peak, bandwidth × intensity).
    for g in GPUS.values():
        intensity = np.logspace(-1, 4, 200)
        oracle = np.minimum(g.flops["bf16"], intensity * g.hbm_bytes_per_s)
        got = np.array([roofline_flops(g, float(i)) for i in intensity])
        assert np.allclose(got, oracle, rtol=1e-12)
        ridge = ridge_point(g)
        assert roofline_flops(g, ridge) == pytest.approx(g.flops["bf16"])
        assert roofline_flops(g, ridge / 2) == pytest.approx(g.flops["bf16"] / 2)


def test_matrix_vector_product_runs_at_bandwidth_speed():
    # A bf16 GEMV does 2 FLOPs per 2-byte weight: intensity 1, so an H100 gets 3.35 TFLOP/s of 989.
    assert roofline_flops("h100-sxm", 1.0) == pytest.approx(3.35e12)


# meta-llama/Meta-Llama-3-8B config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads,
# head_dim 128, intermediate 14336, vocab 128256, untied embeddings.
L, H, KV, HD, F, V = 32, 4096, 8, 128, 14336, 128256
LLAMA3_8B_LAYER = H * 32 * HD * 2 + H * KV * HD * 2 + 3 * H * F + 2 * H
LLAMA3_8B_READ = L * LLAMA3_8B_LAYER + H + V * H      # layers, final norm, output head
LLAMA3_8B_KV_PER_TOKEN = 2 * L * KV * HD * 2           # K and V, bf16


def test_llama3_8b_decode_bytes_by_hand():
    assert decode_weight_bytes("llama-3-8b", "bf16") == 2 * LLAMA3_8B_READ
    assert LLAMA3_8B_KV_PER_TOKEN == 131072             # 128 KiB per token
    step = decode_step_bytes("llama-3-8b", "bf16", batch=4, context=1000)
    assert step == 2 * LLAMA3_8B_READ + 4 * 1000 * LLAMA3_8B_KV_PER_TOKEN
    assert decode_step_lower_bound("llama-3-8b", "h100-sxm", "bf16", 4, 1000) == pytest.approx(step / 3.35e12)


def test_weights_are_shared_by_the_batch_but_kv_is_not():
    w = decode_step_bytes("llama-2-70b", batch=1, context=0)
    per_seq = decode_step_bytes("llama-2-70b", batch=1, context=4096) - w
    for batch in (1, 8, 64):
        assert decode_step_bytes("llama-2-70b", batch=batch, context=4096) == pytest.approx(w + batch * per_seq)


def test_opt_13b_cache_of_one_full_request():
    # Kwon et al. 2023 (vLLM), section 3: OPT-13B's KV cache is 800 KB per token and a
    # 2,048-token request can take up to 1.6 GB.
    extra = decode_step_bytes("opt-13b", "fp16", context=2048) - decode_step_bytes("opt-13b", "fp16")
    assert extra / 2048 == 2 * 40 * 5120 * 2
    assert extra == pytest.approx(1.6e9, rel=0.06)


def test_moe_reads_only_the_active_experts():
    # Jiang et al. 2024 (Mixtral): 47B parameters, 13B active per token (top-2 of 8 experts).
    # By hand from config.json: the step reads all but 6 of 8 experts per layer, minus the input table.
    attn = 4096 * 4096 * 2 + 4096 * 1024 * 2
    expert = 3 * 4096 * 14336
    layer_read = attn + 2 * expert + 4096 * 8 + 2 * 4096
    read = 32 * layer_read + 4096 + 32000 * 4096
    assert decode_weight_bytes("mixtral-8x7b", "bf16") == 2 * read
    assert read + 32000 * 4096 == pytest.approx(12.9e9, rel=0.01)   # active count, table included


def test_deepseek_v3_reads_its_37b_active_parameters():
    # DeepSeek-V3 technical report: 671B total, 37B activated per token. In FP8, 1 byte each;
    # the step skips the untied 129,280 x 7,168 input table.
    read = decode_weight_bytes("deepseek-v3", "fp8")
    assert read + 129280 * 7168 == pytest.approx(37e9, rel=0.02)


def test_mixed_expert_format_for_gpt_oss():
    # gpt-oss ships MXFP4 experts (4.25 bits) and BF16 elsewhere: storing experts in MXFP4 cuts the read.
    all_bf16 = decode_weight_bytes("gpt-oss-120b", "bf16")
    mixed = decode_weight_bytes("gpt-oss-120b", "bf16", expert_dtype="mxfp4")
    assert mixed < all_bf16
    assert decode_step_lower_bound("gpt-oss-120b", "h100-sxm", expert_dtype="mxfp4") == pytest.approx(mixed / 3.35e12)


def test_state_space_models_read_a_fixed_state_not_a_growing_cache():
    short = decode_step_bytes("mamba-2.8b", context=10)
    long = decode_step_bytes("mamba-2.8b", context=100_000)
    assert short == long


def test_faster_memory_means_a_proportionally_lower_floor():
    h100, h200 = (decode_step_lower_bound("llama-2-70b", g, context=2048) for g in ("h100-sxm", "h200-sxm"))
    assert h100 / h200 == pytest.approx(4.8 / 3.35)
    slow = dataclasses.replace(get_gpu("h100-sxm"), hbm_bytes_per_s=1.675e12)
    assert decode_step_lower_bound("llama-2-70b", slow, context=2048) == pytest.approx(2 * h100)


def test_halving_weight_bytes_nearly_halves_the_floor():
    bf16 = decode_step_lower_bound("llama-3-70b", "h200-sxm")
    fp8 = decode_step_lower_bound("llama-3-70b", "h200-sxm", "fp8")
    assert fp8 == pytest.approx(bf16 / 2)


@pytest.mark.parametrize("call,arg", [
    (lambda: ridge_point("h100", "bf16"), "gpu must be one of"),
    (lambda: ridge_point("a100-80gb-sxm", "fp8"), "dtype must be one of"),
    (lambda: roofline_flops("h100-sxm", 0), "intensity"),
    (lambda: decode_step_lower_bound("no-such-model", "h100-sxm"), "no-such-model"),
    (lambda: decode_step_lower_bound("llama-3-8b", "h100-sxm", batch=0), "batch"),
    (lambda: decode_step_lower_bound("llama-3-8b", "h100-sxm", context=-1), "context"),
    (lambda: decode_step_lower_bound("llama-3-8b", "h100-sxm", dtype="fp7"), "dtype"),
])
def test_bad_input_raises_value_error(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
