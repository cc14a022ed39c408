"""Real model configurations, read from each model's published ``config.json``.

Every entry copies the numbers its configuration file gives (layer count,
widths, heads, vocabulary, expert counts, window sizes, RoPE base, context)
and names the file or paper it came from in ``source``. On top of those
numbers an entry records the few structural facts a parameter count needs and
a config file implies only through the model's code: whether the FFN is gated
(SwiGLU: three matrices) or plain (two), which projections carry biases, the
kind of norm, learned position tables, attention sinks, per-head QK norms.

Layers are described one by one: ``layer_kinds()`` gives each layer's token
mixer (``"attn"`` global attention, ``"attn_local"`` attention limited to the
last ``sliding_window`` tokens, ``"ssm"`` a Mamba block) and
``ffn_layer_kinds()`` each layer's feed-forward block (``"dense"``, ``"moe"``
or ``"none"``). Hybrids and local/global mixes follow from these two tuples.

``max_context`` is the configuration's ``max_position_embeddings``.
``release`` is the month the weights were published.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

ATTN = "attn"
ATTN_LOCAL = "attn_local"
SSM = "ssm"
MIXER_KINDS = (ATTN, ATTN_LOCAL, SSM)

DENSE = "dense"
MOE = "moe"
NO_FFN = "none"
FFN_KINDS = (DENSE, MOE, NO_FFN)

ATTN_BIAS_KINDS = ("none", "qkv", "all")
NORM_KINDS = ("rmsnorm", "layernorm")


@dataclass(frozen=True)
class MLA:
    """Multi-head latent attention (DeepSeek-V2, arXiv 2405.04434, §2.1).

    Keys and values are rebuilt from one cached latent of width
    ``kv_lora_rank`` (d_c) per token and layer; a decoupled RoPE key of width
    ``qk_rope_head_dim`` (d_h^R), shared by all heads, is cached beside it.
    ``q_lora_rank`` is the query latent width (d_c'); ``None`` means queries
    are projected from the hidden state at full rank.
    """

    kv_lora_rank: int
    qk_rope_head_dim: int
    qk_nope_head_dim: int
    v_head_dim: int
    q_lora_rank: int | None = None

    @property
    def cached_width(self) -> int:
        """Elements cached per token and layer: d_c + d_h^R."""
        return self.kv_lora_rank + self.qk_rope_head_dim


@dataclass(frozen=True)
class MoE:
    """A mixture-of-experts FFN: ``experts`` routed experts of width
    ``expert_ffn``, of which the router picks ``active_experts`` per token, plus
    ``shared_experts`` that every token passes through (same width).

    ``router_bias`` marks a learned per-expert bias in the router (gpt-oss's
    linear bias, DeepSeek-V3's load-balancing correction bias);
    ``expert_bias`` marks biases on the experts' own projections.
    """

    experts: int
    active_experts: int
    expert_ffn: int
    shared_experts: int = 0
    router_bias: bool = False
    expert_bias: bool = False


@dataclass(frozen=True)
class Mamba:
    """A Mamba (selective state-space) block (Gu & Dao, arXiv 2312.00752).

    The block widens the hidden state to ``expand * hidden`` channels, runs a
    causal depthwise convolution of width ``d_conv`` and a selective scan whose
    state holds ``d_state`` numbers per channel; ``dt_rank`` is the width of
    the low-rank step-size projection. ``inner_norms`` marks Jamba's RMSNorms
    on the step size and on B and C.
    """

    d_state: int
    d_conv: int
    expand: int
    dt_rank: int
    conv_bias: bool = True
    proj_bias: bool = False
    inner_norms: bool = False


@dataclass(frozen=True)
class ModelConfig:
    """One published model. Widths are element counts; ``max_context`` is tokens.

    ``heads``/``kv_heads``/``head_dim`` are the query heads, key/value heads and
    the query/key width per head (for MLA: nope + rope width). ``ffn`` is the
    dense FFN's inner width (``intermediate_size``); models without dense
    layers keep their config's value for reference. ``sliding_window`` is the
    span of ``"attn_local"`` layers. ``mtp_modules`` counts DeepSeek-style
    multi-token-prediction modules shipped beside the main model.
    ``norm_eps`` is the ε its norms add to the mean square (or variance) inside
    the square root (``rms_norm_eps`` or ``layer_norm_eps`` in the config);
    ``None`` where the catalog has not recorded it.
    """

    name: str
    display_name: str
    family: str
    release: str
    source: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    max_context: int
    rope_theta: float | None
    tied_embeddings: bool = False
    mla: MLA | None = None
    moe: MoE | None = None
    mamba: Mamba | None = None
    sliding_window: int | None = None
    mixers: tuple[str, ...] = ()
    ffns: tuple[str, ...] = ()
    gated_ffn: bool = True
    ffn_bias: bool = False
    attn_bias: str = "none"
    attn_sinks: bool = False
    qk_norm: bool = False
    norm: str = "rmsnorm"
    learned_positions: int = 0
    mtp_modules: int = 0
    norm_eps: float | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        # Empty pattern tuples mean "every layer the same": fill them so that
        # every consumer reads one per-layer tuple.
        if not self.mixers:
            object.__setattr__(self, "mixers", (ATTN,) * self.layers)
        if not self.ffns:
            object.__setattr__(self, "ffns", (MOE if self.moe else DENSE,) * self.layers)
        problems = []
        if len(self.mixers) != self.layers or len(self.ffns) != self.layers:
            problems.append("mixers and ffns need one entry per layer")
        if not set(self.mixers) <= set(MIXER_KINDS):
            problems.append(f"mixer kinds must be among {MIXER_KINDS}")
        if not set(self.ffns) <= set(FFN_KINDS):
            problems.append(f"ffn kinds must be among {FFN_KINDS}")
        if ATTN_LOCAL in self.mixers and not self.sliding_window:
            problems.append("attn_local layers need a sliding_window")
        if SSM in self.mixers and self.mamba is None:
            problems.append("ssm layers need Mamba settings")
        if MOE in self.ffns and self.moe is None:
            problems.append("moe layers need MoE settings")
        if self.attention_layers and not (self.heads > 0 and self.kv_heads > 0
                                          and self.heads % self.kv_heads == 0):
            problems.append("heads must be a positive multiple of kv_heads")
        if self.attn_bias not in ATTN_BIAS_KINDS or self.norm not in NORM_KINDS:
            problems.append("unknown attn_bias or norm kind")
        if len(self.release) != 7 or self.release[4] != "-":
            problems.append("release must be YYYY-MM")
        if not self.source.startswith("https://"):
            problems.append("source must be a URL")
        if self.norm_eps is not None and not (isinstance(self.norm_eps, (int, float))
                                              and 0 < self.norm_eps < 1):
            problems.append("norm_eps must be None or a number between 0 and 1")
        if problems:
            raise ValueError(f"model {self.name!r}: " + "; ".join(problems))

    def layer_kinds(self) -> tuple[str, ...]:
        """Each layer's token mixer: ``"attn"``, ``"attn_local"`` or ``"ssm"``."""
        return self.mixers

    def ffn_layer_kinds(self) -> tuple[str, ...]:
        """Each layer's feed-forward block: ``"dense"``, ``"moe"`` or ``"none"``."""
        return self.ffns

    def dense_layers(self) -> tuple[int, ...]:
        """Indices of the layers whose FFN is dense."""
        return tuple(i for i, k in enumerate(self.ffns) if k == DENSE)

    def moe_layers(self) -> tuple[int, ...]:
        """Indices of the layers whose FFN is a mixture of experts."""
        return tuple(i for i, k in enumerate(self.ffns) if k == MOE)

    @property
    def attention_layers(self) -> int:
        """Number of attention layers (global and local)."""
        return sum(1 for k in self.mixers if k in (ATTN, ATTN_LOCAL))

    @property
    def ssm_layers(self) -> int:
        """Number of state-space (Mamba) layers."""
        return sum(1 for k in self.mixers if k == SSM)

    @property
    def attention_kind(self) -> str:
        """``"MLA"``, ``"MHA"``, ``"GQA"``, ``"MQA"``, or ``"none"`` without attention."""
        if not self.attention_layers:
            return "none"
        if self.mla is not None:
            return "MLA"
        if self.kv_heads == self.heads:
            return "MHA"
        return "MQA" if self.kv_heads == 1 else "GQA"

    @property
    def is_moe(self) -> bool:
        """True when any layer's FFN is a mixture of experts."""
        return MOE in self.ffns

    @property
    def is_hybrid(self) -> bool:
        """True when attention and state-space layers share the stack."""
        return self.attention_layers > 0 and self.ssm_layers > 0


def _periodic(layers: int, period: int, offset: int, hit: str, miss: str) -> tuple[str, ...]:
    """``hit`` at layers ``i`` with ``i % period == offset``, ``miss`` elsewhere."""
    return tuple(hit if i % period == offset else miss for i in range(layers))


def _first_dense(layers: int, dense: int) -> tuple[str, ...]:
    """DeepSeek's ``first_k_dense_replace``: the first ``dense`` layers keep a dense FFN."""
    return (DENSE,) * dense + (MOE,) * (layers - dense)


HF = "https://huggingface.co/"

_LLAMA2_NOTE = "Llama 2 paper: arXiv 2307.09288. The 7B and 13B use full multi-head attention; 70B uses GQA."

_OPT_13B = ModelConfig(
    name="opt-13b", display_name="OPT-13B", family="OPT", release="2022-05",
    source=HF + "facebook/opt-13b/blob/main/config.json",
    layers=40, hidden=5120, heads=40, kv_heads=40, head_dim=128, ffn=20480,
    vocab=50272, max_context=2048, rope_theta=None, tied_embeddings=True,
    gated_ffn=False, ffn_bias=True, attn_bias="all", norm="layernorm",
    learned_positions=2050,
    notes="ReLU FFN, biases everywhere, LayerNorm, learned positions (2048 + an offset of 2 rows). "
          "The vLLM paper (arXiv 2309.06180) sizes its KV cache.",
)

_LLAMA_2_7B = ModelConfig(
    name="llama-2-7b", display_name="Llama 2 7B", family="Llama", release="2023-07",
    source=HF + "meta-llama/Llama-2-7b-hf/blob/main/config.json",
    layers=32, hidden=4096, heads=32, kv_heads=32, head_dim=128, ffn=11008,
    vocab=32000, max_context=4096, rope_theta=10000.0, notes=_LLAMA2_NOTE,
)

_LLAMA_2_13B = ModelConfig(
    name="llama-2-13b", display_name="Llama 2 13B", family="Llama", release="2023-07",
    source=HF + "meta-llama/Llama-2-13b-hf/blob/main/config.json",
    layers=40, hidden=5120, heads=40, kv_heads=40, head_dim=128, ffn=13824,
    vocab=32000, max_context=4096, rope_theta=10000.0, notes=_LLAMA2_NOTE,
)

_LLAMA_2_70B = ModelConfig(
    name="llama-2-70b", display_name="Llama 2 70B", family="Llama", release="2023-07",
    source=HF + "meta-llama/Llama-2-70b-hf/blob/main/config.json",
    layers=80, hidden=8192, heads=64, kv_heads=8, head_dim=128, ffn=28672,
    vocab=32000, max_context=4096, rope_theta=10000.0, notes=_LLAMA2_NOTE,
)

_MISTRAL_7B = ModelConfig(
    name="mistral-7b", display_name="Mistral 7B", family="Mistral", release="2023-09",
    source=HF + "mistralai/Mistral-7B-v0.1/blob/main/config.json",
    layers=32, hidden=4096, heads=32, kv_heads=8, head_dim=128, ffn=14336,
    vocab=32000, max_context=32768, rope_theta=10000.0,
    sliding_window=4096, mixers=(ATTN_LOCAL,) * 32,
    notes="v0.1: every layer attends to the last 4096 tokens, kept in a rolling buffer "
          "(Mistral 7B paper, arXiv 2310.06825).",
)

_DEEPSEEK_67B = ModelConfig(
    name="deepseek-67b", display_name="DeepSeek LLM 67B", family="DeepSeek", release="2023-11",
    source=HF + "deepseek-ai/deepseek-llm-67b-base/blob/main/config.json",
    layers=95, hidden=8192, heads=64, kv_heads=8, head_dim=128, ffn=22016,
    vocab=102400, max_context=4096, rope_theta=10000.0,
    notes="Dense GQA baseline against which DeepSeek-V2 reports its KV-cache reduction.",
)

_MIXTRAL_8X7B = ModelConfig(
    name="mixtral-8x7b", display_name="Mixtral 8x7B", family="Mistral", release="2023-12",
    source=HF + "mistralai/Mixtral-8x7B-v0.1/blob/main/config.json",
    layers=32, hidden=4096, heads=32, kv_heads=8, head_dim=128, ffn=14336,
    vocab=32000, max_context=32768, rope_theta=1e6,
    moe=MoE(experts=8, active_experts=2, expert_ffn=14336),
    notes="Every layer's FFN is 8 experts, 2 per token (Mixtral paper, arXiv 2401.04088). "
          "Full attention (sliding_window null).",
)

_MAMBA_2_8B = ModelConfig(
    name="mamba-2.8b", display_name="Mamba 2.8B", family="Mamba", release="2023-12",
    source=HF + "state-spaces/mamba-2.8b/blob/main/config.json",
    layers=64, hidden=2560, heads=0, kv_heads=0, head_dim=0, ffn=0,
    vocab=50280, max_context=2048, rope_theta=None, tied_embeddings=True,
    mamba=Mamba(d_state=16, d_conv=4, expand=2, dt_rank=160),
    mixers=(SSM,) * 64, ffns=(NO_FFN,) * 64,
    notes="Pure state-space model: Mamba blocks without attention or separate FFN. vocab_size "
          "50277 is padded to a multiple of 8 (50280 rows); dt_rank = ceil(2560/16). "
          "max_context is the training length (Mamba paper, arXiv 2312.00752).",
)

_GEMMA_NOTE = ("Gemma paper (arXiv 2403.08295): embeddings shared between input and output, GeGLU "
               "FFN (gated, three matrices), RMSNorm; its Table 2 counts the embedding with 256,128 "
               "rows, the checkpoint's table (vocab_size) has 256,000. Its tokenizer: a subset of "
               "Gemini's SentencePiece vocabulary, digits split, byte fallback for unknown characters.")

_GEMMA_7B = ModelConfig(
    name="gemma-7b", display_name="Gemma 7B", family="Gemma", release="2024-02",
    source=HF + "google/gemma-7b/blob/main/config.json",
    layers=28, hidden=3072, heads=16, kv_heads=16, head_dim=256, ffn=24576,
    vocab=256000, max_context=8192, rope_theta=10000.0, tied_embeddings=True,
    notes="Full multi-head attention; 16 heads of 256 make 4,096, wider than the 3,072 hidden size. "
          + _GEMMA_NOTE,
)

_JAMBA = ModelConfig(
    name="jamba-v0.1", display_name="Jamba v0.1", family="Jamba", release="2024-03",
    source=HF + "ai21labs/Jamba-v0.1/blob/main/config.json",
    layers=32, hidden=4096, heads=32, kv_heads=8, head_dim=128, ffn=14336,
    vocab=65536, max_context=262144, rope_theta=None,
    moe=MoE(experts=16, active_experts=2, expert_ffn=14336),
    mamba=Mamba(d_state=16, d_conv=4, expand=2, dt_rank=256, inner_norms=True),
    mixers=_periodic(32, 8, 4, ATTN, SSM), ffns=_periodic(32, 2, 1, MOE, DENSE),
    notes="Hybrid: attention at layers 4, 12, 20, 28 (attn_layer_period 8, offset 4), Mamba "
          "elsewhere; MoE on odd layers (expert_layer_period 2, offset 1). Attention layers use no "
          "positional encoding (Jamba paper, arXiv 2403.19887).",
)

_LLAMA_3_8B = ModelConfig(
    name="llama-3-8b", display_name="Llama 3 8B", family="Llama", release="2024-04",
    source=HF + "meta-llama/Meta-Llama-3-8B/blob/main/config.json",
    layers=32, hidden=4096, heads=32, kv_heads=8, head_dim=128, ffn=14336,
    vocab=128256, max_context=8192, rope_theta=500000.0, norm_eps=1e-5,
)

_LLAMA_3_70B = ModelConfig(
    name="llama-3-70b", display_name="Llama 3 70B", family="Llama", release="2024-04",
    source=HF + "meta-llama/Meta-Llama-3-70B/blob/main/config.json",
    layers=80, hidden=8192, heads=64, kv_heads=8, head_dim=128, ffn=28672,
    vocab=128256, max_context=8192, rope_theta=500000.0,
)

_DEEPSEEK_V2 = ModelConfig(
    name="deepseek-v2", display_name="DeepSeek-V2", family="DeepSeek", release="2024-05",
    source=HF + "deepseek-ai/DeepSeek-V2/blob/main/config.json",
    layers=60, hidden=5120, heads=128, kv_heads=128, head_dim=192, ffn=12288,
    vocab=102400, max_context=163840, rope_theta=10000.0,
    mla=MLA(kv_lora_rank=512, qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128,
            q_lora_rank=1536),
    moe=MoE(experts=160, active_experts=6, expert_ffn=1536, shared_experts=2),
    ffns=_first_dense(60, 1),
    notes="MLA with d_c = 4 d_h and d_h^R = d_h / 2; layer 0 keeps a dense FFN "
          "(first_k_dense_replace 1). Paper: arXiv 2405.04434.",
)

_LLAMA_3_1_405B = ModelConfig(
    name="llama-3.1-405b", display_name="Llama 3.1 405B", family="Llama", release="2024-07",
    source=HF + "meta-llama/Llama-3.1-405B/blob/main/config.json",
    layers=126, hidden=16384, heads=128, kv_heads=8, head_dim=128, ffn=53248,
    vocab=128256, max_context=131072, rope_theta=500000.0,
    notes="Llama 3 herd paper: arXiv 2407.21783.",
)

_QWEN2_5_72B = ModelConfig(
    name="qwen2.5-72b", display_name="Qwen2.5 72B", family="Qwen", release="2024-09",
    source=HF + "Qwen/Qwen2.5-72B/blob/main/config.json",
    layers=80, hidden=8192, heads=64, kv_heads=8, head_dim=128, ffn=29568,
    vocab=152064, max_context=131072, rope_theta=1e6, attn_bias="qkv",
    notes="Biases on the query, key and value projections only.",
)

_DEEPSEEK_V3 = ModelConfig(
    name="deepseek-v3", display_name="DeepSeek-V3", family="DeepSeek", release="2024-12",
    source=HF + "deepseek-ai/DeepSeek-V3/blob/main/config.json",
    layers=61, hidden=7168, heads=128, kv_heads=128, head_dim=192, ffn=18432,
    vocab=129280, max_context=163840, rope_theta=10000.0,
    mla=MLA(kv_lora_rank=512, qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128,
            q_lora_rank=1536),
    moe=MoE(experts=256, active_experts=8, expert_ffn=2048, shared_experts=1, router_bias=True),
    ffns=_first_dense(61, 3), mtp_modules=1,
    notes="First 3 layers dense (first_k_dense_replace 3). One multi-token-prediction module "
          "ships beside the 671B main model (685B on the model card); param_count leaves it out "
          "unless asked. Technical report: arXiv 2412.19437.",
)

_DEEPSEEK_R1 = replace(
    _DEEPSEEK_V3, name="deepseek-r1", display_name="DeepSeek-R1", release="2025-01",
    source=HF + "deepseek-ai/DeepSeek-R1/blob/main/config.json",
    notes="Reasoning model trained from DeepSeek-V3-Base; same architecture as DeepSeek-V3 "
          "(arXiv 2501.12948).",
)

_LLAMA_4_NOTE = ("Three of every four layers use RoPE with chunked attention over 8192-token chunks "
                 "(a token sees at most 8192 cached tokens there); every fourth layer is global "
                 "attention without positional encoding. The published totals include a vision "
                 "encoder that this entry (language model only) leaves out.")

_LLAMA_4_SCOUT = ModelConfig(
    name="llama-4-scout", display_name="Llama 4 Scout", family="Llama", release="2025-04",
    source=HF + "meta-llama/Llama-4-Scout-17B-16E/blob/main/config.json",
    layers=48, hidden=5120, heads=40, kv_heads=8, head_dim=128, ffn=16384,
    vocab=202048, max_context=10485760, rope_theta=500000.0,
    moe=MoE(experts=16, active_experts=1, expert_ffn=8192, shared_experts=1),
    sliding_window=8192, mixers=_periodic(48, 4, 3, ATTN, ATTN_LOCAL),
    notes="Every layer is MoE: 16 routed experts, 1 per token, plus a shared expert. " + _LLAMA_4_NOTE,
)

_LLAMA_4_MAVERICK = ModelConfig(
    name="llama-4-maverick", display_name="Llama 4 Maverick", family="Llama", release="2025-04",
    source=HF + "meta-llama/Llama-4-Maverick-17B-128E/blob/main/config.json",
    layers=48, hidden=5120, heads=40, kv_heads=8, head_dim=128, ffn=16384,
    vocab=202048, max_context=1048576, rope_theta=500000.0,
    moe=MoE(experts=128, active_experts=1, expert_ffn=8192, shared_experts=1),
    sliding_window=8192, mixers=_periodic(48, 4, 3, ATTN, ATTN_LOCAL),
    ffns=_periodic(48, 2, 1, MOE, DENSE),
    notes="MoE on odd layers (interleave_moe_layer_step 2): 128 routed experts, 1 per token, plus "
          "a shared expert; even layers have a dense FFN of 16384. " + _LLAMA_4_NOTE,
)

_QWEN3_NOTE = "Per-head RMSNorm on queries and keys. Qwen3 technical report: arXiv 2505.09388."

_QWEN3_32B = ModelConfig(
    name="qwen3-32b", display_name="Qwen3 32B", family="Qwen", release="2025-04",
    source=HF + "Qwen/Qwen3-32B/blob/main/config.json",
    layers=64, hidden=5120, heads=64, kv_heads=8, head_dim=128, ffn=25600,
    vocab=151936, max_context=40960, rope_theta=1e6, qk_norm=True, notes=_QWEN3_NOTE,
)

_QWEN3_30B_A3B = ModelConfig(
    name="qwen3-30b-a3b", display_name="Qwen3 30B-A3B", family="Qwen", release="2025-04",
    source=HF + "Qwen/Qwen3-30B-A3B/blob/main/config.json",
    layers=48, hidden=2048, heads=32, kv_heads=4, head_dim=128, ffn=6144,
    vocab=151936, max_context=40960, rope_theta=1e6, qk_norm=True,
    moe=MoE(experts=128, active_experts=8, expert_ffn=768),
    notes="Every layer is MoE, no shared expert (intermediate_size is unused). " + _QWEN3_NOTE,
)

_QWEN3_235B_A22B = ModelConfig(
    name="qwen3-235b-a22b", display_name="Qwen3 235B-A22B", family="Qwen", release="2025-04",
    source=HF + "Qwen/Qwen3-235B-A22B/blob/main/config.json",
    layers=94, hidden=4096, heads=64, kv_heads=4, head_dim=128, ffn=12288,
    vocab=151936, max_context=40960, rope_theta=1e6, qk_norm=True,
    moe=MoE(experts=128, active_experts=8, expert_ffn=1536),
    notes="Every layer is MoE, no shared expert (intermediate_size is unused). " + _QWEN3_NOTE,
)

_KIMI_K2 = ModelConfig(
    name="kimi-k2", display_name="Kimi K2", family="Kimi", release="2025-07",
    source=HF + "moonshotai/Kimi-K2-Instruct/blob/main/config.json",
    layers=61, hidden=7168, heads=64, kv_heads=64, head_dim=192, ffn=18432,
    vocab=163840, max_context=131072, rope_theta=50000.0,
    mla=MLA(kv_lora_rank=512, qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128,
            q_lora_rank=1536),
    moe=MoE(experts=384, active_experts=8, expert_ffn=2048, shared_experts=1, router_bias=True),
    ffns=_first_dense(61, 1),
    notes="DeepSeek-V3's architecture with 64 heads, 384 experts and one dense layer "
          "(Kimi K2 technical report, arXiv 2507.20534).",
)

_GPT_OSS_NOTE = ("Layers alternate banded attention over the last 128 tokens with full attention; "
                 "every head has a learned sink logit; attention projections, router and experts "
                 "carry biases. Model card: arXiv 2508.10925.")

_GPT_OSS_20B = ModelConfig(
    name="gpt-oss-20b", display_name="gpt-oss-20b", family="gpt-oss", release="2025-08",
    source=HF + "openai/gpt-oss-20b/blob/main/config.json",
    layers=24, hidden=2880, heads=64, kv_heads=8, head_dim=64, ffn=2880,
    vocab=201088, max_context=131072, rope_theta=150000.0,
    moe=MoE(experts=32, active_experts=4, expert_ffn=2880, router_bias=True, expert_bias=True),
    sliding_window=128, mixers=_periodic(24, 2, 0, ATTN_LOCAL, ATTN),
    attn_bias="all", attn_sinks=True, notes=_GPT_OSS_NOTE,
)

_GPT_OSS_120B = ModelConfig(
    name="gpt-oss-120b", display_name="gpt-oss-120b", family="gpt-oss", release="2025-08",
    source=HF + "openai/gpt-oss-120b/blob/main/config.json",
    layers=36, hidden=2880, heads=64, kv_heads=8, head_dim=64, ffn=2880,
    vocab=201088, max_context=131072, rope_theta=150000.0,
    moe=MoE(experts=128, active_experts=4, expert_ffn=2880, router_bias=True, expert_bias=True),
    sliding_window=128, mixers=_periodic(36, 2, 0, ATTN_LOCAL, ATTN),
    attn_bias="all", attn_sinks=True, notes=_GPT_OSS_NOTE,
)

# Book order is release order: the landscape chapters walk the catalog in time.
MODELS: dict[str, ModelConfig] = {m.name: m for m in (
    _OPT_13B,
    _LLAMA_2_7B, _LLAMA_2_13B, _LLAMA_2_70B,
    _MISTRAL_7B,
    _DEEPSEEK_67B,
    _MIXTRAL_8X7B,
    _MAMBA_2_8B,
    _GEMMA_7B,
    _JAMBA,
    _LLAMA_3_8B, _LLAMA_3_70B,
    _DEEPSEEK_V2,
    _LLAMA_3_1_405B,
    _QWEN2_5_72B,
    _DEEPSEEK_V3,
    _DEEPSEEK_R1,
    _LLAMA_4_SCOUT, _LLAMA_4_MAVERICK,
    _QWEN3_32B, _QWEN3_30B_A3B, _QWEN3_235B_A22B,
    _KIMI_K2,
    _GPT_OSS_20B, _GPT_OSS_120B,
)}


def get_model(name_or_entry: str | ModelConfig) -> ModelConfig:
    """The catalog entry named ``name_or_entry``, or the entry itself.

    Raises ``ValueError`` listing the known names for anything else.
    """
    if isinstance(name_or_entry, ModelConfig):
        return name_or_entry
    if isinstance(name_or_entry, str) and name_or_entry in MODELS:
        return MODELS[name_or_entry]
    raise ValueError(f"model must be one of {', '.join(MODELS)}; got {name_or_entry!r}")


def iter_models(family: str | None = None) -> Iterator[ModelConfig]:
    """The catalog in book order, optionally only one ``family`` (e.g. ``"Llama"``)."""
    for m in MODELS.values():
        if family is None or m.family == family:
            yield m
