"""KV-cache sizes against published figures and a token-by-token numpy simulation."""
import math

import numpy as np
import pytest

from llmviz.calc.kv_cache import (
    kv_cache_bytes, kv_cache_bytes_per_token, kv_elements_per_token_by_layer, ssm_state_bytes,
)
from llmviz.catalog.models import ATTN, ATTN_LOCAL, MLA, MODELS, SSM, Mamba, ModelConfig, get_model

KB, GIB = 1024, 2**30


def test_opt_13b_800_kb_per_token():
    # vLLM paper (Kwon et al., SOSP 2023, arXiv 2309.06180) §3: "the KV cache of a single token
    # demands 800 KB of space, calculated as 2 (key and value vectors) x 5120 (hidden state
    # size) x 40 (number of layers) x 2 (bytes per FP16)".
    assert kv_cache_bytes_per_token("opt-13b", "fp16") == 2 * 5120 * 40 * 2 == 800 * KB


def test_llama_2_70b_gqa_320_kb_per_token():
    # 8 KV heads x 128 x 2 (K and V) x 80 layers x 2 bytes: GQA keeps 8 of 64 heads' worth.
    assert kv_cache_bytes_per_token("llama-2-70b", "fp16") == 320 * KB
    # The same model with one KV head per query head would need 8x as much.
    assert kv_cache_bytes_per_token("llama-2-70b") * 8 == 2 * 64 * 128 * 80 * 2


@pytest.mark.parametrize("name, published_kb", [
    ("deepseek-v3", 70.272), ("qwen2.5-72b", 327.680), ("llama-3.1-405b", 516.096),
])
def test_kv_per_token_table_from_the_deepseek_v3_hardware_paper(name, published_kb):
    # Zhao et al., Insights into DeepSeek-V3: Scaling Challenges and Reflections on Hardware
    # for AI Architectures (ISCA 2025, arXiv 2505.09343) Table 1, KV cache per token in BF16.
    assert kv_cache_bytes_per_token(name, "bf16") == round(published_kb * 1000)


def test_mla_caches_four_and_a_half_head_widths_per_layer():
    # DeepSeek-V2 paper (arXiv 2405.04434) Table 1: MLA caches (d_c + d_h^R) * l elements per
    # token, "about 9/2 d_h l" with d_c = 4 d_h and d_h^R = d_h / 2; d_h = 128, l = 60.
    m = get_model("deepseek-v2")
    elements = sum(kv_elements_per_token_by_layer(m))
    assert elements == (512 + 64) * 60 == 4.5 * 128 * 60
    # Equivalent to GQA with 2.25 groups, as the same table notes.
    assert elements == 2 * 2.25 * 128 * 60


def test_deepseek_v2_93_3_percent_smaller_cache_than_deepseek_67b():
    # DeepSeek-V2 paper §1 and §3.2.3: compared with DeepSeek 67B, DeepSeek-V2 "reduces the KV
    # cache by 93.3%", deployed with its KV cache quantized to 6 bits per element on average
    # against 16-bit elements for the 67B.
    v2 = sum(kv_elements_per_token_by_layer("deepseek-v2")) * 6
    llm67 = sum(kv_elements_per_token_by_layer("deepseek-67b")) * 16
    assert round(100 * (1 - v2 / llm67), 1) == 93.3
    # Without the quantization MLA alone saves 82 %.
    ratio = kv_cache_bytes_per_token("deepseek-v2") / kv_cache_bytes_per_token("deepseek-67b")
    assert round(100 * (1 - ratio)) == 82


@pytest.mark.parametrize("name, published_gb", [
    ("llama-2-7b", 128), ("mixtral-8x7b", 32), ("jamba-v0.1", 4),
])
def test_kv_cache_at_256k_tokens_from_the_jamba_paper(name, published_gb):
    # Jamba paper (arXiv 2403.19887) Table 1: KV cache for a 256K-token context in 16-bit.
    assert kv_cache_bytes(name, 256 * 1024, dtype="bf16") == published_gb * GIB


def test_jamba_counts_only_its_four_attention_layers():
    m = get_model("jamba-v0.1")
    assert kv_cache_bytes_per_token(m) == 4 * 2 * 8 * 128 * 2
    assert kv_cache_bytes_per_token(m) * 8 == kv_cache_bytes_per_token("mixtral-8x7b")


def test_mistral_rolling_buffer_saves_8x_at_32k_tokens():
    # Mistral 7B paper (arXiv 2310.06825) §2: with a 4096-token rolling buffer, "on a sequence
    # length of 32k tokens, this reduces the cache memory usage by 8x".
    full = kv_cache_bytes_per_token("mistral-7b") * 32768
    assert full == 8 * kv_cache_bytes("mistral-7b", 32768)
    # The Jamba paper's Table 1 lists Mistral at 32GB for 256K tokens: that figure is the
    # cache without its window.
    assert kv_cache_bytes_per_token("mistral-7b") * 256 * 1024 == 32 * GIB


def test_window_caps_growth_only_past_the_window():
    m = get_model("mistral-7b")
    per_token = kv_cache_bytes_per_token(m)
    assert kv_cache_bytes(m, 4096) == 4096 * per_token
    assert kv_cache_bytes(m, 4097) == kv_cache_bytes(m, 100_000) == 4096 * per_token


def test_gpt_oss_banded_layers_stop_at_128_tokens():
    m = get_model("gpt-oss-120b")
    layer = 2 * 8 * 64 * 2                       # bytes per token per layer, BF16
    assert kv_cache_bytes(m, 100) == 36 * 100 * layer
    assert kv_cache_bytes(m, 131072) == (18 * 131072 + 18 * 128) * layer


def test_llama_4_chunked_layers_hold_at_most_one_chunk():
    m = get_model("llama-4-scout")
    layer = 2 * 8 * 128 * 2
    assert kv_cache_bytes(m, 1_000_000) == (12 * 1_000_000 + 36 * 8192) * layer


def test_batch_and_dtype_scale_the_cache():
    base = kv_cache_bytes("llama-3-8b", 8192)
    assert kv_cache_bytes("llama-3-8b", 8192, batch=16) == 16 * base
    assert kv_cache_bytes("llama-3-8b", 8192, dtype="fp32") == 2 * base
    assert kv_cache_bytes("llama-3-8b", 8192, dtype="fp8") * 2 == base
    # NVFP4 stores 4-bit elements plus one 8-bit scale per 16: 4.5 bits per element.
    assert kv_cache_bytes("llama-3-8b", 8192, dtype="nvfp4") == math.ceil(base / 16 * 4.5)


def test_mqa_keeps_one_head():
    m = ModelConfig(name="mqa", display_name="MQA", family="t", release="2024-01",
                    source="https://example.org/config.json", layers=10, hidden=64, heads=8,
                    kv_heads=1, head_dim=8, ffn=128, vocab=100, max_context=64,
                    rope_theta=1e4)
    assert m.attention_kind == "MQA"
    assert kv_cache_bytes_per_token(m, "fp16") == 2 * 8 * 10 * 2


def test_a_pure_state_space_model_has_no_kv_cache_but_a_fixed_state():
    m = get_model("mamba-2.8b")
    assert kv_cache_bytes_per_token(m) == 0 and kv_cache_bytes(m, 1_000_000) == 0
    # 64 layers x 5120 channels x (4 conv inputs + 16 state numbers) x 2 bytes, at any length.
    assert ssm_state_bytes(m) == 64 * 5120 * 20 * 2
    assert ssm_state_bytes(m, batch=8) == 8 * ssm_state_bytes(m)
    assert ssm_state_bytes("llama-2-7b") == 0


@pytest.mark.parametrize("name", list(MODELS))
def test_cache_never_shrinks_as_the_context_grows(name):
    sizes = [kv_cache_bytes(name, t) for t in (1, 128, 4096, 8192, 65536)]
    assert sizes == sorted(sizes)
    assert kv_cache_bytes(name, 1) == kv_cache_bytes_per_token(name)


# ------------------------------------------------------- numpy decoding simulation

def _simulate(c: ModelConfig, tokens: int, batch: int, np_dtype) -> int:
    """Decode ``tokens`` steps, appending each step's cached tensors to every attention layer
    and dropping the oldest entry of a local layer once it holds ``sliding_window``; return the
    bytes held at the end."""
    rng = np.random.default_rng(1)
    cache = {i: [] for i, k in enumerate(c.layer_kinds()) if k != SSM}
    for _ in range(tokens):
        for i, entries in cache.items():
            if c.mla:
                latent = rng.normal(size=(batch, c.mla.kv_lora_rank)).astype(np_dtype)
                rope_key = rng.normal(size=(batch, c.mla.qk_rope_head_dim)).astype(np_dtype)
                entries.append((latent, rope_key))
            else:
                k = rng.normal(size=(batch, c.kv_heads, c.head_dim)).astype(np_dtype)
                v = rng.normal(size=(batch, c.kv_heads, c.head_dim)).astype(np_dtype)
                entries.append((k, v))
            if c.layer_kinds()[i] == ATTN_LOCAL and len(entries) > c.sliding_window:
                entries.pop(0)
    return sum(a.nbytes for entries in cache.values() for pair in entries for a in pair)


def _cfg(**kw):
    base = dict(name="sim", display_name="Sim", family="t", release="2024-01",
                source="https://example.org/config.json", layers=4, hidden=32, heads=4,
                kv_heads=2, head_dim=8, ffn=64, vocab=100, max_context=64, rope_theta=1e4)
    base.update(kw)
    return ModelConfig(**base)


SIM = {
    "GQA": _cfg(),
    "MHA": _cfg(kv_heads=4),
    "sliding + global": _cfg(sliding_window=5, mixers=(ATTN_LOCAL, ATTN) * 2),
    "MLA": _cfg(kv_heads=4, head_dim=12,
                mla=MLA(kv_lora_rank=16, qk_rope_head_dim=4, qk_nope_head_dim=8, v_head_dim=8)),
    "hybrid": _cfg(mixers=(SSM, SSM, ATTN, SSM),
                   mamba=Mamba(d_state=4, d_conv=4, expand=2, dt_rank=4)),
}


@pytest.mark.parametrize("cfg", list(SIM.values()), ids=list(SIM))
@pytest.mark.parametrize("tokens, batch", [(1, 1), (3, 2), (12, 3)])
@pytest.mark.parametrize("dtype, np_dtype", [("fp16", np.float16), ("fp32", np.float32)])
def test_cache_matches_a_token_by_token_simulation(cfg, tokens, batch, dtype, np_dtype):
    assert kv_cache_bytes(cfg, tokens, batch=batch, dtype=dtype) == \
        _simulate(cfg, tokens, batch, np_dtype)


def test_state_matches_the_reference_allocation():
    # mamba_ssm's allocate_inference_cache: conv_state (batch, d_inner, d_conv) and
    # ssm_state (batch, d_inner, d_state) per Mamba layer.
    cfg = SIM["hybrid"]
    inner = cfg.mamba.expand * cfg.hidden
    per_layer = (np.zeros((3, inner, cfg.mamba.d_conv), np.float16).nbytes
                 + np.zeros((3, inner, cfg.mamba.d_state), np.float16).nbytes)
    assert ssm_state_bytes(cfg, batch=3, dtype="fp16") == 3 * per_layer


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("kwargs, words", [
    (dict(tokens=0), "tokens must be > 0"),
    (dict(tokens=-5), "tokens must be > 0"),
    (dict(tokens=2.5), "tokens must be an integer"),
    (dict(tokens=True), "tokens must be an integer"),
    (dict(tokens=10, batch=0), "batch must be > 0"),
    (dict(tokens=10, batch=-1), "batch must be > 0"),
    (dict(tokens=10, dtype="fp7"), "dtype must be one of"),
])
def test_bad_arguments_name_the_argument_and_its_range(kwargs, words):
    with pytest.raises(ValueError, match=words):
        kv_cache_bytes("llama-3-8b", **kwargs)


def test_bad_model_or_dtype_per_token():
    with pytest.raises(ValueError, match="model must be one of"):
        kv_cache_bytes_per_token("llama-9")
    with pytest.raises(ValueError, match="dtype must be one of"):
        kv_cache_bytes_per_token("llama-3-8b", "int2")
    with pytest.raises(ValueError, match="batch must be > 0"):
        ssm_state_bytes("jamba-v0.1", batch=0)
