"""Parameter counts and weight bytes against published figures and a numpy tensor oracle."""
import math

import numpy as np
import pytest

from llmviz.calc.model_size import (
    active_param_count, param_breakdown, param_count, weight_bytes,
)
from llmviz.catalog.models import (
    ATTN, ATTN_LOCAL, DENSE, MLA, MODELS, MOE, NO_FFN, SSM, Mamba, ModelConfig, MoE, get_model,
)

B = 1e9
GIB = 2**30
HF_SIZE = "Hugging Face model page, Safetensors 'Model size' (read from the checkpoint)"

# (model, published total, tolerance, source). The tolerance is half a unit of the published
# figure's last digit: the figure is a rounding of the exact count, so the count must round to it.
PUBLISHED_TOTALS = [
    ("opt-13b", 13 * B, 0.5 * B, "OPT paper (arXiv 2205.01068) Table 1: 13B"),
    ("llama-2-7b", 6.74 * B, 0.005 * B, HF_SIZE + ", meta-llama/Llama-2-7b-hf: 6.74B"),
    ("llama-2-13b", 13.0 * B, 0.05 * B, HF_SIZE + ", meta-llama/Llama-2-13b-hf: 13B"),
    ("llama-2-70b", 69 * B, 0.5 * B, HF_SIZE + ", meta-llama/Llama-2-70b-hf: 69B"),
    ("llama-3-8b", 8.03 * B, 0.005 * B, HF_SIZE + ", meta-llama/Meta-Llama-3-8B: 8.03B"),
    ("llama-3-70b", 70.6 * B, 0.05 * B, HF_SIZE + ", meta-llama/Meta-Llama-3-70B: 70.6B"),
    ("mistral-7b", 7.24 * B, 0.005 * B, HF_SIZE + ", mistralai/Mistral-7B-v0.1: 7.24B"),
    ("mixtral-8x7b", 46.7 * B, 0.05 * B, "Mistral AI, Mixtral of experts (2023): 46.7B total"),
    ("deepseek-67b", 67 * B, 0.5 * B, "DeepSeek LLM paper (arXiv 2401.02954): 67B"),
    ("mamba-2.8b", 2.8 * B, 0.05 * B, "Mamba paper (arXiv 2312.00752) model sizes: 2.8B"),
    ("jamba-v0.1", 52 * B, 0.5 * B, "Jamba-v0.1 model card: 52B parameters across all experts"),
    ("deepseek-v2", 236 * B, 0.5 * B, "DeepSeek-V2 paper (arXiv 2405.04434) abstract: 236B total"),
    ("qwen2.5-72b", 72.7 * B, 0.05 * B, "Qwen2.5-72B model card: 72.7B parameters"),
    ("deepseek-v3", 671 * B, 0.5 * B, "DeepSeek-V3 README_WEIGHTS.md: main model 671B"),
    ("deepseek-r1", 671 * B, 0.5 * B, "DeepSeek-R1 model card: 671B total parameters"),
    ("qwen3-32b", 32.8 * B, 0.05 * B, "Qwen3-32B model card: 32.8B parameters"),
    ("qwen3-30b-a3b", 30.5 * B, 0.05 * B, "Qwen3-30B-A3B model card: 30.5B in total"),
    ("qwen3-235b-a22b", 235 * B, 0.5 * B, "Qwen3-235B-A22B model card: 235B in total"),
    ("kimi-k2", 1000 * B, 50 * B, "Kimi K2 model card: 1T total parameters"),
    ("gpt-oss-20b", 20.91 * B, 0.005 * B, "gpt-oss model card (arXiv 2508.10925) Table 1: 20.91B"),
    ("gpt-oss-120b", 116.83 * B, 0.005 * B, "gpt-oss model card (arXiv 2508.10925) Table 1: 116.83B"),
]


@pytest.mark.parametrize("name, published, tol, source", PUBLISHED_TOTALS,
                         ids=[row[0] for row in PUBLISHED_TOTALS])
def test_total_parameters_round_to_the_published_figure(name, published, tol, source):
    assert abs(param_count(name) - published) <= tol, source


def test_llama_3_1_405b_within_one_percent_of_its_name():
    # Llama 3 paper (arXiv 2407.21783) Table 3 calls it 405B; the count is 405.85B (0.2 % above).
    assert param_count("llama-3.1-405b") == pytest.approx(405 * B, rel=0.01)


def test_llama_4_maverick_within_one_percent_of_the_card():
    # Llama 4 Maverick model card: 400B total (a nominal figure that also covers the vision
    # encoder); the language model counts 400.7B.
    assert param_count("llama-4-maverick") == pytest.approx(400 * B, rel=0.01)


def test_qwen3_30b_a3b_active_within_two_percent_of_the_card():
    # Qwen3-30B-A3B model card: 3.3B activated. Counting attention, 8 of 128 experts, routers,
    # norms and both tables gives 3.35B, 1.6 % above the card's figure.
    assert active_param_count("qwen3-30b-a3b") == pytest.approx(3.3 * B, rel=0.02)


def test_llama_4_scout_language_model_within_two_percent_of_the_card():
    # Llama 4 Scout model card: 109B total. That total includes the vision encoder, which the
    # catalog leaves out, so the language model alone sits 1.1 % below it.
    n = param_count("llama-4-scout")
    assert 107 * B < n < 109 * B
    assert n == pytest.approx(109 * B, rel=0.02)


# (model, published active, tolerance, counts the input embedding table?, source).
PUBLISHED_ACTIVE = [
    ("mixtral-8x7b", 12.9 * B, 0.05 * B, True, "Mistral AI, Mixtral of experts: 12.9B per token"),
    ("jamba-v0.1", 12 * B, 0.5 * B, True, "Jamba-v0.1 model card: 12B active parameters"),
    ("deepseek-v2", 21 * B, 0.5 * B, True, "DeepSeek-V2 paper abstract: 21B activated per token"),
    ("deepseek-v3", 36.6 * B, 0.05 * B, False,
     "DeepSeek-V3 README_WEIGHTS.md: activated 36.6B including 0.9B for the output head"),
    ("qwen3-235b-a22b", 22 * B, 0.5 * B, True, "Qwen3-235B-A22B model card: 22B activated"),
    ("llama-4-scout", 17 * B, 0.5 * B, True, "Llama 4 Scout model card: 17B activated"),
    ("llama-4-maverick", 17 * B, 0.5 * B, True, "Llama 4 Maverick model card: 17B activated"),
    ("kimi-k2", 32 * B, 0.5 * B, False,
     "Kimi K2 model card: 32B activated (DeepSeek-V3 convention, no input embedding)"),
    ("gpt-oss-20b", 3.61 * B, 0.005 * B, False,
     "gpt-oss model card Table 1: 3.61B active, embedding parameters not counted"),
    ("gpt-oss-120b", 5.13 * B, 0.005 * B, False,
     "gpt-oss model card Table 1: 5.13B active, embedding parameters not counted"),
]


@pytest.mark.parametrize("name, published, tol, with_embedding, source", PUBLISHED_ACTIVE,
                         ids=[row[0] for row in PUBLISHED_ACTIVE])
def test_active_parameters_round_to_the_published_figure(name, published, tol, with_embedding,
                                                         source):
    active = active_param_count(name)
    if not with_embedding:
        active -= param_breakdown(name)["embedding"]
    assert abs(active - published) <= tol, source


def test_deepseek_v3_output_head_is_the_published_0_9b():
    # README_WEIGHTS.md: "0.9B for the output head", and the embedding is the same size.
    parts = param_breakdown("deepseek-v3")
    assert round(parts["unembedding"] / B, 1) == 0.9 == round(parts["embedding"] / B, 1)


def test_deepseek_v3_multi_token_prediction_module():
    # README_WEIGHTS.md: the MTP module has 11.5B unique parameters (it shares the 0.9B
    # embedding and head). The README's 685B is what the checkpoint holds: 671B main model plus
    # the MTP module with its own copies of both tables (671B + 11.6B + 2 x 0.93B = 684.5B; the
    # FP8 checkpoint's block scales add 0.04B more).
    main = param_count("deepseek-v3")
    with_mtp = param_count("deepseek-v3", include_mtp=True)
    assert with_mtp - main == pytest.approx(11.5 * B, rel=0.015)
    parts = param_breakdown("deepseek-v3")
    checkpoint = with_mtp + parts["embedding"] + parts["unembedding"]
    assert checkpoint == pytest.approx(685 * B, rel=0.001)
    assert param_count("llama-2-7b", include_mtp=True) == param_count("llama-2-7b")


def test_qwen3_non_embedding_counts():
    # Qwen3 model cards, "Number of Parameters (Non-Embedding)", which leave out the input and
    # the output tables: 31.2B (32B), 29.9B (30B-A3B), 234B (235B-A22B).
    for name, published, digits in (("qwen3-32b", 31.2, 1), ("qwen3-30b-a3b", 29.9, 1),
                                    ("qwen3-235b-a22b", 234, 0)):
        parts = param_breakdown(name)
        rest = param_count(name) - parts["embedding"] - parts["unembedding"]
        assert round(rest / B, digits) == published


def test_gemma_7b_non_embedding_count_matches_the_paper_exactly():
    # Gemma paper (arXiv 2403.08295) Table 2: 7,751,248,896 non-embedding parameters (7B). Its
    # embedding column, 786,825,216, counts 256,128 rows; the checkpoint's config.json has
    # vocab_size 256,000, so the tied table here is 128 rows shorter.
    m = get_model("gemma-7b")
    parts = param_breakdown(m)
    assert parts["unembedding"] == 0 and m.tied_embeddings
    assert param_count(m) - parts["embedding"] == 7_751_248_896
    assert 786_825_216 == 256_128 * m.hidden and parts["embedding"] == 256_000 * m.hidden


def test_gpt_oss_parameter_table():
    # gpt-oss model card Table 1: MLP / attention / embed + unembed, in billions.
    for name, mlp, attn in (("gpt-oss-120b", 114.71, 0.96), ("gpt-oss-20b", 19.12, 0.64)):
        p = param_breakdown(name)
        assert round((p["experts"] + p["router"]) / B, 2) == mlp
        assert round(p["attention"] / B, 2) == attn
        assert round((p["embedding"] + p["unembedding"]) / B, 2) == 1.16


def test_gpt_oss_checkpoint_size_with_mxfp4_experts():
    # gpt-oss model card Table 1: checkpoint 60.8 GiB (120b) and 12.8 GiB (20b), MoE weights in
    # MXFP4 (4.25 bits per parameter) and the rest in BF16.
    assert round(weight_bytes("gpt-oss-120b", "bf16", expert_dtype="mxfp4") / GIB, 1) == 60.8
    assert round(weight_bytes("gpt-oss-20b", "bf16", expert_dtype="mxfp4") / GIB, 1) == 12.8


@pytest.mark.parametrize("name", list(MODELS))
def test_breakdown_sums_to_total_and_active_never_exceeds_total(name):
    parts = param_breakdown(name)
    assert sum(parts.values()) == param_count(name)
    assert all(v >= 0 for v in parts.values())
    assert 0 < active_param_count(name) <= param_count(name)
    if not get_model(name).is_moe:
        assert active_param_count(name) == param_count(name)


def test_tied_embeddings_have_no_separate_head():
    assert param_breakdown("opt-13b")["unembedding"] == 0
    assert param_breakdown("llama-2-7b")["unembedding"] == 32000 * 4096


@pytest.mark.parametrize("dtype, bytes_per_param", [
    ("fp32", 4), ("bf16", 2), ("fp16", 2), ("fp8", 1), ("int8", 1), ("int4", 0.5),
    ("mxfp4", 4.25 / 8), ("nvfp4", 4.5 / 8),
])
def test_weight_bytes_per_format(dtype, bytes_per_param):
    n = param_count("llama-2-7b")
    assert weight_bytes("llama-2-7b", dtype) == math.ceil(n * bytes_per_param)


def test_llama_2_70b_needs_two_80gb_gpus_in_bf16():
    # 68.98e9 parameters x 2 bytes = 138 GB: more than one 80 GB GPU holds.
    assert 137e9 < weight_bytes("llama-2-70b", "bf16") < 139e9


@pytest.mark.parametrize("call", [
    lambda: param_count("gpt-5"),
    lambda: active_param_count(3),
    lambda: weight_bytes("no-such-model", "bf16"),
])
def test_unknown_model_raises(call):
    with pytest.raises(ValueError, match="model must be one of"):
        call()


def test_unknown_dtype_raises():
    with pytest.raises(ValueError, match="dtype"):
        weight_bytes("llama-2-7b", "fp7")
    with pytest.raises(ValueError, match="dtype"):
        weight_bytes("gpt-oss-20b", "bf16", expert_dtype="int3")


# ---------------------------------------------------------------- numpy oracle
# Each tiny configuration is turned into the tensors a Hugging Face checkpoint of that
# architecture holds (names and shapes as in the transformers implementations, Linear weights
# stored as (out, in)); the oracle counts their elements.

def _tensors(c: ModelConfig) -> dict:
    t = {}
    h = c.hidden

    def lin(name, n_in, n_out, bias=False):
        t[name + ".weight"] = np.zeros((n_out, n_in))
        if bias:
            t[name + ".bias"] = np.zeros(n_out)

    def norm(name, width=h):
        t[name + ".weight"] = np.zeros(width)
        if c.norm == "layernorm":
            t[name + ".bias"] = np.zeros(width)

    def mlp(name, width, bias):
        if c.gated_ffn:
            lin(name + ".gate_proj", h, width, bias)
            lin(name + ".up_proj", h, width, bias)
            lin(name + ".down_proj", width, h, bias)
        else:
            lin(name + ".fc1", h, width, bias)
            lin(name + ".fc2", width, h, bias)

    t["embed_tokens.weight"] = np.zeros((c.vocab, h))
    if c.learned_positions:
        t["embed_positions.weight"] = np.zeros((c.learned_positions, h))
    if not c.tied_embeddings:
        t["lm_head.weight"] = np.zeros((c.vocab, h))
    for i, (mixer, ffn) in enumerate(zip(c.layer_kinds(), c.ffn_layer_kinds())):
        p = f"layers.{i}."
        norm(p + "input_layernorm")
        if mixer in (ATTN, ATTN_LOCAL) and c.mla:
            a = c.mla
            qk = a.qk_nope_head_dim + a.qk_rope_head_dim
            if a.q_lora_rank:
                lin(p + "self_attn.q_a_proj", h, a.q_lora_rank)
                t[p + "self_attn.q_a_layernorm.weight"] = np.zeros(a.q_lora_rank)
                lin(p + "self_attn.q_b_proj", a.q_lora_rank, c.heads * qk)
            else:
                lin(p + "self_attn.q_proj", h, c.heads * qk)
            lin(p + "self_attn.kv_a_proj_with_mqa", h, a.kv_lora_rank + a.qk_rope_head_dim)
            t[p + "self_attn.kv_a_layernorm.weight"] = np.zeros(a.kv_lora_rank)
            lin(p + "self_attn.kv_b_proj", a.kv_lora_rank,
                c.heads * (a.qk_nope_head_dim + a.v_head_dim))
            lin(p + "self_attn.o_proj", c.heads * a.v_head_dim, h)
        elif mixer in (ATTN, ATTN_LOCAL):
            qkv_bias = c.attn_bias in ("qkv", "all")
            lin(p + "self_attn.q_proj", h, c.heads * c.head_dim, qkv_bias)
            lin(p + "self_attn.k_proj", h, c.kv_heads * c.head_dim, qkv_bias)
            lin(p + "self_attn.v_proj", h, c.kv_heads * c.head_dim, qkv_bias)
            lin(p + "self_attn.o_proj", c.heads * c.head_dim, h, c.attn_bias == "all")
            if c.attn_sinks:
                t[p + "self_attn.sinks"] = np.zeros(c.heads)
            if c.qk_norm:
                t[p + "self_attn.q_norm.weight"] = np.zeros(c.head_dim)
                t[p + "self_attn.k_norm.weight"] = np.zeros(c.head_dim)
        else:
            s = c.mamba
            inner = s.expand * h
            lin(p + "mamba.in_proj", h, 2 * inner, s.proj_bias)
            t[p + "mamba.conv1d.weight"] = np.zeros((inner, 1, s.d_conv))
            if s.conv_bias:
                t[p + "mamba.conv1d.bias"] = np.zeros(inner)
            lin(p + "mamba.x_proj", inner, s.dt_rank + 2 * s.d_state)
            lin(p + "mamba.dt_proj", s.dt_rank, inner, bias=True)
            t[p + "mamba.A_log"] = np.zeros((inner, s.d_state))
            t[p + "mamba.D"] = np.zeros(inner)
            lin(p + "mamba.out_proj", inner, h, s.proj_bias)
            if s.inner_norms:
                t[p + "mamba.dt_layernorm.weight"] = np.zeros(s.dt_rank)
                t[p + "mamba.b_layernorm.weight"] = np.zeros(s.d_state)
                t[p + "mamba.c_layernorm.weight"] = np.zeros(s.d_state)
        if ffn != NO_FFN:
            norm(p + "post_attention_layernorm")
        if ffn == DENSE:
            mlp(p + "mlp", c.ffn, c.ffn_bias)
        elif ffn == MOE:
            e = c.moe
            lin(p + "mlp.router", h, e.experts, e.router_bias)
            for j in range(e.experts):
                mlp(p + f"mlp.experts.{j}", e.expert_ffn, e.expert_bias)
            for j in range(e.shared_experts):
                mlp(p + f"mlp.shared_experts.{j}", e.expert_ffn, e.expert_bias)
    norm("norm")
    return t


def _tiny(**kw):
    base = dict(name="tiny", display_name="Tiny", family="Tiny", release="2024-01",
                source="https://example.org/config.json", layers=4, hidden=24, heads=6,
                kv_heads=2, head_dim=8, ffn=40, vocab=50, max_context=64, rope_theta=1e4)
    base.update(kw)
    return ModelConfig(**base)


_MOE = MoE(experts=6, active_experts=2, expert_ffn=12)
TINY = {
    "llama-like GQA": _tiny(),
    "OPT-like": _tiny(kv_heads=6, gated_ffn=False, ffn_bias=True, attn_bias="all",
                      norm="layernorm", learned_positions=66, tied_embeddings=True),
    "Qwen2.5-like qkv bias": _tiny(attn_bias="qkv"),
    "Qwen3-like MoE": _tiny(qk_norm=True, moe=_MOE),
    "gpt-oss-like": _tiny(attn_bias="all", attn_sinks=True, sliding_window=4,
                          mixers=(ATTN_LOCAL, ATTN) * 2,
                          moe=MoE(experts=5, active_experts=2, expert_ffn=24, router_bias=True,
                                  expert_bias=True)),
    "DeepSeek-V3-like": _tiny(kv_heads=6, head_dim=12, mtp_modules=1,
                              mla=MLA(kv_lora_rank=10, qk_rope_head_dim=4, qk_nope_head_dim=8,
                                      v_head_dim=6, q_lora_rank=14),
                              moe=MoE(experts=8, active_experts=3, expert_ffn=6,
                                      shared_experts=1, router_bias=True),
                              ffns=(DENSE, MOE, MOE, MOE)),
    "DeepSeek-V2-Lite-like": _tiny(kv_heads=6, head_dim=12,
                                   mla=MLA(kv_lora_rank=10, qk_rope_head_dim=4,
                                           qk_nope_head_dim=8, v_head_dim=6),
                                   moe=MoE(experts=4, active_experts=2, expert_ffn=6,
                                           shared_experts=2),
                                   ffns=(DENSE, MOE, MOE, MOE)),
    "Llama-4-like": _tiny(sliding_window=8, mixers=(ATTN_LOCAL,) * 3 + (ATTN,),
                          moe=MoE(experts=4, active_experts=1, expert_ffn=10, shared_experts=1),
                          ffns=(DENSE, MOE, DENSE, MOE)),
    "Jamba-like hybrid": _tiny(layers=8, mixers=(SSM,) * 4 + (ATTN,) + (SSM,) * 3,
                               ffns=(DENSE, MOE) * 4, moe=_MOE,
                               mamba=Mamba(d_state=4, d_conv=3, expand=2, dt_rank=5,
                                           inner_norms=True)),
    "Mamba-only": _tiny(heads=0, kv_heads=0, head_dim=0, tied_embeddings=True,
                        mixers=(SSM,) * 4, ffns=(NO_FFN,) * 4,
                        mamba=Mamba(d_state=4, d_conv=4, expand=2, dt_rank=2,
                                    proj_bias=True)),
}


@pytest.mark.parametrize("cfg", list(TINY.values()), ids=list(TINY))
def test_param_count_equals_the_elements_of_the_checkpoint_tensors(cfg):
    tensors = _tensors(cfg)
    assert param_count(cfg) == sum(a.size for a in tensors.values())


@pytest.mark.parametrize("cfg", [c for c in TINY.values() if c.is_moe],
                         ids=[k for k, c in TINY.items() if c.is_moe])
def test_active_count_equals_the_tensors_one_routed_token_reads(cfg):
    # Route one token: random router logits, top-k experts per MoE layer; the token reads every
    # tensor except the experts it was not sent to.
    rng = np.random.default_rng(0)
    tensors = _tensors(cfg)
    chosen = {}
    for i in cfg.moe_layers():
        logits = rng.normal(size=cfg.moe.experts)
        chosen[i] = set(np.argsort(logits)[-cfg.moe.active_experts:].tolist())
    read = 0
    for name, a in tensors.items():
        parts = name.split(".")
        if "experts" in parts and parts[parts.index("experts") - 1] == "mlp":
            layer, expert = int(parts[1]), int(parts[parts.index("experts") + 1])
            if expert not in chosen[layer]:
                continue
        read += a.size
    assert active_param_count(cfg) == read


def test_tiny_mtp_module_adds_one_moe_layer_and_its_projection():
    cfg = TINY["DeepSeek-V3-like"]
    layer = {k: v for k, v in _tensors(cfg).items() if k.startswith("layers.1.")}
    h = cfg.hidden
    # enorm, hnorm, eh_proj (2h -> h), the layer, the shared head's norm.
    mtp = sum(a.size for a in layer.values()) + 2 * h + np.zeros((h, 2 * h)).size + h
    assert param_count(cfg, include_mtp=True) - param_count(cfg) == mtp


def test_an_mtp_module_on_a_dense_model_copies_its_last_layer():
    cfg = _tiny(mtp_modules=2)
    layer = {k: v for k, v in _tensors(cfg).items() if k.startswith("layers.3.")}
    h = cfg.hidden
    mtp = sum(a.size for a in layer.values()) + 2 * h + 2 * h * h + h
    assert param_count(cfg, include_mtp=True) - param_count(cfg) == 2 * mtp
