"""How many parameters a model has, how many a token touches, and what they weigh.

Counts are exact element counts of the weight tensors a checkpoint holds for
the language model (no vision encoder), built layer by layer from the catalog
entry: embeddings, attention or Mamba mixers, dense or expert FFNs, routers,
norms, biases. DeepSeek-style multi-token-prediction modules are left out
unless ``include_mtp=True``.

Active parameters follow the mixture-of-experts convention: everything except
the routed experts a token is not sent to. A dense model's active count is its
total. Publishers differ on whether the input embedding table counts as
active (gpt-oss and DeepSeek-V3 leave it out); ``param_breakdown`` gives the
parts so either convention can be read off.
"""
from __future__ import annotations

import math

from ._checks import positive_int
from ..catalog.formats import get_format
from ..catalog.models import ATTN, ATTN_LOCAL, DENSE, MOE, NO_FFN, SSM, ModelConfig, get_model

BREAKDOWN_KEYS = ("embedding", "positions", "unembedding", "attention", "ssm", "ffn",
                  "experts", "shared_experts", "router", "norms")


def _norm(m: ModelConfig, width: int) -> int:
    # LayerNorm has a bias beside its scale; RMSNorm only the scale.
    return 2 * width if m.norm == "layernorm" else width


def _attention_params(m: ModelConfig) -> int:
    """One attention layer's projections, biases, sinks and per-head norms."""
    h = m.hidden
    if m.mla is not None:
        a = m.mla
        qk = a.qk_nope_head_dim + a.qk_rope_head_dim
        if a.q_lora_rank:
            q = h * a.q_lora_rank + a.q_lora_rank + a.q_lora_rank * m.heads * qk
        else:
            q = h * m.heads * qk
        kv = (h * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank
              + a.kv_lora_rank * m.heads * (a.qk_nope_head_dim + a.v_head_dim))
        return q + kv + m.heads * a.v_head_dim * h
    q_out = m.heads * m.head_dim
    kv_out = m.kv_heads * m.head_dim
    n = h * q_out + 2 * h * kv_out + q_out * h
    if m.attn_bias in ("qkv", "all"):
        n += q_out + 2 * kv_out
    if m.attn_bias == "all":
        n += h
    if m.attn_sinks:
        n += m.heads
    if m.qk_norm:
        n += 2 * m.head_dim
    return n


def _mamba_params(m: ModelConfig) -> int:
    """One Mamba block: in/out projections, causal conv, selective-scan parameters."""
    s = m.mamba
    inner = s.expand * m.hidden
    n = m.hidden * 2 * inner + inner * m.hidden                 # in_proj, out_proj
    n += (2 * inner + m.hidden) if s.proj_bias else 0
    n += inner * s.d_conv + (inner if s.conv_bias else 0)       # depthwise conv1d
    n += inner * (s.dt_rank + 2 * s.d_state)                     # x_proj -> dt, B, C
    n += s.dt_rank * inner + inner                               # dt_proj with bias
    n += inner * s.d_state + inner                               # A_log, D
    n += (s.dt_rank + 2 * s.d_state) if s.inner_norms else 0
    return n


def mlp_param_count(d_model: int, d_ff: int, gated: bool = True, bias: bool = False) -> int:
    """Parameters of one feed-forward (FFN) block: a count.

    The block widens a vector of ``d_model`` numbers to ``d_ff`` and brings
    it back. Gated (SwiGLU, as in Llama: W_down(SiLU(W_gate x) ⊙ W_up x))
    it holds three d_model×d_ff matrices; plain (W_2 f(W_1 x), the original
    transformer's and OPT's) two. With ``bias`` every matrix also has a bias
    vector, one entry per output: d_ff for each widening matrix, d_model for
    the last. Sizes must be positive integers.
    """
    positive_int("d_model", d_model)
    positive_int("d_ff", d_ff)
    mats = 3 if gated else 2
    n = mats * d_model * d_ff
    if bias:
        n += (mats - 1) * d_ff + d_model
    return n


def _mlp_params(m: ModelConfig, width: int, bias: bool) -> int:
    """One FFN of inner ``width`` in model ``m``: gated or plain as the model is built."""
    return mlp_param_count(m.hidden, width, gated=m.gated_ffn, bias=bias)


def _expert_params(m: ModelConfig) -> int:
    """One routed (or shared) expert."""
    return _mlp_params(m, m.moe.expert_ffn, m.moe.expert_bias)


def _layer_parts(m: ModelConfig, mixer: str, ffn: str) -> dict[str, int]:
    """One layer's parameters by part: its mixer, its FFN block, its norms."""
    parts = dict.fromkeys(BREAKDOWN_KEYS, 0)
    if mixer in (ATTN, ATTN_LOCAL):
        parts["attention"] = _attention_params(m)
    elif mixer == SSM:
        parts["ssm"] = _mamba_params(m)
    # One norm before the mixer, one before the FFN when there is one.
    parts["norms"] = _norm(m, m.hidden) * (1 if ffn == NO_FFN else 2)
    if ffn == DENSE:
        parts["ffn"] = _mlp_params(m, m.ffn, m.ffn_bias)
    elif ffn == MOE:
        moe = m.moe
        parts["experts"] = moe.experts * _expert_params(m)
        parts["shared_experts"] = moe.shared_experts * _expert_params(m)
        parts["router"] = m.hidden * moe.experts + (moe.experts if moe.router_bias else 0)
    return parts


def _mtp_params(m: ModelConfig) -> int:
    """One DeepSeek multi-token-prediction module, without the embedding and head it shares:
    two input norms, the 2h -> h projection, a transformer layer built like the model's last,
    and the head's own norm."""
    layer = sum(_layer_parts(m, m.layer_kinds()[-1], m.ffn_layer_kinds()[-1]).values())
    return 2 * _norm(m, m.hidden) + 2 * m.hidden * m.hidden + layer + _norm(m, m.hidden)


def param_breakdown(model: ModelConfig | str) -> dict[str, int]:
    """Parameters by part (counts), summing to ``param_count(model)``.

    Keys: ``embedding`` (input table), ``positions`` (learned position table),
    ``unembedding`` (output head; 0 when tied to the embedding), ``attention``,
    ``ssm``, ``ffn`` (dense FFNs), ``experts`` (all routed experts),
    ``shared_experts``, ``router``, ``norms``.
    """
    m = get_model(model)
    parts = dict.fromkeys(BREAKDOWN_KEYS, 0)
    parts["embedding"] = m.vocab * m.hidden
    parts["positions"] = m.learned_positions * m.hidden
    parts["unembedding"] = 0 if m.tied_embeddings else m.vocab * m.hidden
    # Layers of the same kind are identical: count each kind once.
    kinds: dict[tuple[str, str], int] = {}
    for pair in zip(m.layer_kinds(), m.ffn_layer_kinds()):
        kinds[pair] = kinds.get(pair, 0) + 1
    for (mixer, ffn), n in kinds.items():
        for key, value in _layer_parts(m, mixer, ffn).items():
            parts[key] += n * value
    parts["norms"] += _norm(m, m.hidden)          # the norm before the output head
    return parts


def param_count(model: ModelConfig | str, include_mtp: bool = False) -> int:
    """Total parameters of the language model (count).

    ``include_mtp`` adds DeepSeek-style multi-token-prediction modules (their
    own weights; they share the main model's embedding and output head).
    """
    m = get_model(model)
    total = sum(param_breakdown(m).values())
    if include_mtp and m.mtp_modules:
        total += m.mtp_modules * _mtp_params(m)
    return total


def active_param_count(model: ModelConfig | str) -> int:
    """Parameters one token's forward pass uses (count).

    The total minus the routed experts the router does not pick: in each MoE
    layer ``experts - active_experts`` experts sit idle. Equal to
    ``param_count`` for dense models. Embedding and output head count in full.
    """
    m = get_model(model)
    total = param_count(m)
    if m.moe is None:
        return total
    idle = (m.moe.experts - m.moe.active_experts) * _expert_params(m)
    return total - len(m.moe_layers()) * idle


def weight_bytes(model: ModelConfig | str, dtype: str, expert_dtype: str | None = None) -> int:
    """Bytes to store the weights in ``dtype`` (block-scale overhead included).

    ``ceil(param_count * bits_per_param / 8)``. With ``expert_dtype`` the
    weight matrices of the routed and shared experts are stored in that format
    and everything else, their biases included, in ``dtype`` (gpt-oss ships
    its expert matrices in MXFP4 and the rest in BF16).
    """
    m = get_model(model)
    bits = get_format(dtype).bits_per_param
    if expert_dtype is None or m.moe is None:
        if expert_dtype is not None:
            get_format(expert_dtype)
        return math.ceil(param_count(m) * bits / 8)
    expert_bits = get_format(expert_dtype).bits_per_param
    per_layer = m.moe.experts + m.moe.shared_experts
    matrices = len(m.moe_layers()) * per_layer * _mlp_params(m, m.moe.expert_ffn, bias=False)
    return math.ceil(((param_count(m) - matrices) * bits + matrices * expert_bits) / 8)
