"""Answers for chapter p02-c04 (Q, K, V and scaled dot-product attention; the O(N²) cost).

The small examples run through :func:`llmviz.calc.attention.attention`, the
sentence's numbers through the simulation's own head, and every figure about
a real model through the attention calculators over the catalog.
"""
from __future__ import annotations

import math

from ..calc.attention import (
    attention,
    attention_crossover_tokens,
    attention_projection_flops,
    entropy_bits,
    layer_weight_flops,
    masked_elements,
    model_attention_core_flops,
    score_matrix_bytes,
    score_matrix_elements,
)
from ..calc.mlp import mlp_flops_per_token
from ..catalog import get_gpu, get_model
from ..modes.part02_transformer import trained_head as th
from ..modes.part02_transformer.attention import (D_STEP, FEATURES, FREQS, SCALING_MAX_D, TOKENS,
                                                  toy_attention, toy_head)
from ..units import fmt_bytes, fmt_count, fmt_flops, fmt_percent
from . import Answer

# Exercise "by hand": one query, three keys of width 4, values of width 2
HAND_Q = [[1.0, 0.0, 1.0, 0.0]]
HAND_K = [[2.0, 0.0, 2.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
HAND_V = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]

SMALL = "llama-3-8b"         # its context at release: 8,192 tokens
LARGE = "llama-3.1-405b"     # 131,072 tokens
GPU = "h100-sxm"
IT, ANIMAL, THE, STREET, BECAUSE = (TOKENS.index(t) for t in ("it", "animal", "The", "street", "because"))


def _p(v: float, digits: int = 2) -> Answer:
    """A plain decimal, e.g. 0.53."""
    return Answer(v, f"{v:.{digits}f}".replace("-", "\u2212"))


def _int(v: float) -> Answer:
    return Answer(v, f"{int(v):,}")


def _hand(scaled: bool = True):
    return attention(HAND_Q, HAND_K, HAND_V, scaled=scaled)


def _row(causal: bool = True, scaled: bool = True, temperature: float = 1.0):
    return toy_attention(causal, scaled, temperature)


def _it_sum_exp() -> float:
    logits = [x for x in _row().logits[IT] if x is not None]
    top = max(logits)
    return sum(math.exp(x - top) for x in logits)


def _uniform_it_output() -> list[float]:
    """What "it" would carry if it spread its weight evenly over the 9 tokens it may see."""
    v = toy_head().v[:IT + 1]
    return [sum(row[c] for row in v) / len(v) for c in range(len(v[0]))]


def _changed_when_arriving(n: int, causal: bool) -> int:
    """Earlier weights that change when token n−1 joins the first n−1 tokens."""
    new, old = toy_attention(causal, n=n), toy_attention(causal, n=n - 1)
    return sum(1 for i in range(n - 1) for j in range(n - 1)
               if abs(new.weights[i][j] - old.weights[i][j]) > 1e-12)


def _lm_rows(head: str, sentences=None) -> list[list[float]]:
    """Head ``"layer.head"``'s weight rows on the trained-head view's sentences (all by default)."""
    rows = []
    for s in range(len(th.SENTENCES)) if sentences is None else sentences:
        rows += th.weights(s, head)[1:]     # query 0 sees only itself: left out, as in th.profile
    return rows


def _lm_profile(head: str, sentences=None) -> th.Profile:
    """The head's :class:`Profile` pooled over the queries of the given sentences."""
    rows = _lm_rows(head, sentences)
    n = len(rows)
    return th.Profile(sum(r[-2] for r in rows) / n, sum(r[0] for r in rows) / n, sum(r[-1] for r in rows) / n,
                      sum(1 for r in rows if max(range(len(r)), key=r.__getitem__) == len(r) - 2) / n, n)


def _lm_uniform_previous(sentence: int) -> float:
    """Mean weight on the previous token if every query split its weight evenly: mean of 1/(i+1), i ≥ 1."""
    n = len(th.tokens(sentence))
    return sum(1 / (i + 1) for i in range(1, n)) / (n - 1)


def _lm_uniform_previous_pooled() -> float:
    """The same even-split share on the previous token, over every query of every sentence of the view."""
    shares = [1 / (i + 1) for s in range(len(th.SENTENCES)) for i in range(1, len(th.tokens(s)))]
    return sum(shares) / len(shares)


def _lm_header() -> dict:
    return th.model().header


def _ctx(model: str) -> int:
    return get_model(model).max_context


def _head_dim() -> int:
    """d_k of Llama 3's heads (the same 128 in every size)."""
    return get_model(SMALL).head_dim


def _core_per_n2(model: str) -> int:
    """FLOPs of one layer's Q·Kᵀ and A·V per N²: 4·d_k·h."""
    m = get_model(model)
    return 4 * m.head_dim * m.heads


def _ffn_per_token(model: str) -> int:
    """FLOPs of one layer's feed-forward block for one token (the MLP chapter's count)."""
    m = get_model(model)
    return mlp_flops_per_token(m.hidden, m.ffn, m.gated_ffn)


def _causal_core(model: str) -> int:
    """One layer's Q·Kᵀ and A·V at full context, the masked scores skipped: 2·N(N+1)·d_k·h."""
    return model_attention_core_flops(model, _ctx(model), causal=True)


def _layer_weights(model: str) -> int:
    """Every weight matrix of one layer at full context: projections and feed-forward block."""
    return layer_weight_flops(model, _ctx(model))


def _flops(v: float) -> Answer:
    return Answer(v, fmt_flops(v))


def _layer_bytes(model: str, tokens: int) -> float:
    return score_matrix_bytes(tokens, heads=get_model(model).heads)


ANSWERS = {
    # by hand
    "hand_w1": lambda: _p(_hand().weights[0][0], 3),
    "hand_w2": lambda: _p(_hand().weights[0][1], 3),
    "hand_w3": lambda: _p(_hand().weights[0][2], 3),
    "hand_z1": lambda: _p(_hand().output[0][0], 3),
    "hand_z2": lambda: _p(_hand().output[0][1], 3),
    "hand_w1_unscaled": lambda: _p(_hand(scaled=False).weights[0][0], 3),
    "hand_sum_exp": lambda: _p(sum(math.exp(x) for x in _hand().logits[0]), 3),
    # the sentence's head
    "sentence_tokens": lambda: _int(len(TOKENS)),
    "toy_d_model": lambda: _int(toy_head().d_model),
    "toy_d_k": lambda: _int(toy_head().d_k),
    "toy_d_v": lambda: _int(toy_head().d_v),
    "toy_sqrt_dk": lambda: _p(math.sqrt(toy_head().d_k)),
    "toy_n_features": lambda: _int(len(FEATURES)),
    "toy_n_pos": lambda: _int(2 * len(FREQS)),
    "toy_n_freqs": lambda: _int(len(FREQS)),
    "toy_freq_lo": lambda: Answer(min(FREQS), f"{min(FREQS):g}"),
    "toy_freq_hi": lambda: Answer(max(FREQS), f"{max(FREQS):g}"),
    "it_score_animal": lambda: _p(_row().scores[IT][ANIMAL]),
    "it_score_street": lambda: _p(_row().scores[IT][STREET]),
    "it_score_because": lambda: _p(_row().scores[IT][BECAUSE]),
    "it_logit_animal": lambda: _p(_row().logits[IT][ANIMAL]),
    "it_sum_exp": lambda: _p(_it_sum_exp(), 3),
    "it_weight_animal": lambda: _p(_row().weights[IT][ANIMAL]),
    "it_weight_animal_unscaled": lambda: _p(_row(scaled=False).weights[IT][ANIMAL]),
    "it_out_noun": lambda: _p(_row().output[IT][1]),
    "it_out_anim": lambda: _p(_row().output[IT][2]),
    "uniform_share": lambda: _p(1 / (IT + 1)),
    "uniform_noun": lambda: _p(_uniform_it_output()[1]),
    "uniform_anim": lambda: _p(_uniform_it_output()[2]),
    "it_entropy": lambda: _p(entropy_bits(_row().weights[IT])),
    "it_entropy_t4": lambda: _p(entropy_bits(_row(temperature=4.0).weights[IT])),
    "it_entropy_max": lambda: _p(math.log2(IT + 1)),
    "the_animal_bidir": lambda: _p(_row(causal=False).weights[THE][ANIMAL]),
    "the_street_bidir": lambda: _p(_row(causal=False).weights[THE][STREET]),
    # the variance argument at Llama 3's head width
    "llama_head_dim": lambda: _int(_head_dim()),
    "std_llama_head": lambda: _p(math.sqrt(_head_dim()), 1),
    "ratio_one_std_unscaled": lambda: Answer(math.exp(math.sqrt(_head_dim())),
                                             f"{math.exp(math.sqrt(_head_dim())):,.0f}"),
    "scaling_step_s": lambda: Answer(D_STEP, f"{D_STEP:g}"),
    "scaling_max_d": lambda: _int(SCALING_MAX_D),
    "ratio_one_std_scaled": lambda: _p(math.e),
    # the causal mask
    "sentence_scores": lambda: _int(score_matrix_elements(len(TOKENS))),
    "sentence_masked": lambda: _int(masked_elements(len(TOKENS))),
    "sentence_kept": lambda: _int(score_matrix_elements(len(TOKENS), causal=True)),
    "masked_share_8192": lambda: Answer(masked_elements(_ctx(SMALL)) / score_matrix_elements(_ctx(SMALL)),
                                        fmt_percent(masked_elements(_ctx(SMALL))
                                                    / score_matrix_elements(_ctx(SMALL)), 4)),
    "changed_6_bidir": lambda: _int(_changed_when_arriving(6, causal=False)),
    "changed_6_causal": lambda: _int(_changed_when_arriving(6, causal=True)),
    # the N² cost
    "l8_ctx": lambda: _int(_ctx(SMALL)),
    "l8_layers": lambda: _int(get_model(SMALL).attention_layers),
    "l8_heads": lambda: _int(get_model(SMALL).heads),
    "l405_layers": lambda: _int(get_model(LARGE).attention_layers),
    "l405_heads": lambda: _int(get_model(LARGE).heads),
    "h100_memory": lambda: Answer(get_gpu(GPU).hbm_bytes, fmt_bytes(get_gpu(GPU).hbm_bytes)),
    "l8_head_scores": lambda: Answer(score_matrix_elements(_ctx(SMALL)),
                                     fmt_count(score_matrix_elements(_ctx(SMALL)))),
    "l8_head_bytes": lambda: Answer(score_matrix_bytes(_ctx(SMALL)), fmt_bytes(score_matrix_bytes(_ctx(SMALL)))),
    "l8_layer_bytes": lambda: Answer(_layer_bytes(SMALL, _ctx(SMALL)), fmt_bytes(_layer_bytes(SMALL, _ctx(SMALL)))),
    "l8_model_bytes": lambda: Answer(
        score_matrix_bytes(_ctx(SMALL), get_model(SMALL).heads, get_model(SMALL).attention_layers),
        fmt_bytes(score_matrix_bytes(_ctx(SMALL), get_model(SMALL).heads, get_model(SMALL).attention_layers))),
    "l405_ctx": lambda: _int(_ctx(LARGE)),
    "l405_head_bytes": lambda: Answer(score_matrix_bytes(_ctx(LARGE)), fmt_bytes(score_matrix_bytes(_ctx(LARGE)))),
    "l405_layer_bytes": lambda: Answer(_layer_bytes(LARGE, _ctx(LARGE)), fmt_bytes(_layer_bytes(LARGE, _ctx(LARGE)))),
    "l405_layer_vs_gpu": lambda: Answer(_layer_bytes(LARGE, _ctx(LARGE)) / get_gpu(GPU).hbm_bytes,
                                        f"{_layer_bytes(LARGE, _ctx(LARGE)) / get_gpu(GPU).hbm_bytes:.0f}"),
    "l8_kv_heads": lambda: _int(get_model(SMALL).kv_heads),
    "l8_q_per_kv": lambda: _int(get_model(SMALL).heads // get_model(SMALL).kv_heads),
    "l8_proj_per_token": lambda: _flops(attention_projection_flops(SMALL, 1)),
    "l8_proj_per_token_exact": lambda: _int(attention_projection_flops(SMALL, 1)),
    "l8_ffn_per_token": lambda: _flops(_ffn_per_token(SMALL)),
    "l8_ffn_per_token_exact": lambda: _int(_ffn_per_token(SMALL)),
    "l8_layer_per_token_exact": lambda: _int(layer_weight_flops(SMALL, 1)),
    "l8_crossover": lambda: _int(round(attention_crossover_tokens(SMALL))),
    "l8_core_causal_coeff": lambda: _int(_core_per_n2(SMALL) // 2),
    "l8_crossover_causal_plus1": lambda: _int(round(attention_crossover_tokens(SMALL, causal=True)) + 1),
    "l8_crossover_causal": lambda: _int(round(attention_crossover_tokens(SMALL, causal=True))),
    "l8_crossover_layer_plus1": lambda: _int(round(attention_crossover_tokens(SMALL, True, whole_layer=True)) + 1),
    "l8_crossover_layer": lambda: _int(round(attention_crossover_tokens(SMALL, True, whole_layer=True))),
    "l8_core_causal_ctx": lambda: _flops(_causal_core(SMALL)),
    "l8_layer_ctx": lambda: _flops(_layer_weights(SMALL)),
    "l8_core_share": lambda: Answer(_causal_core(SMALL) / (_causal_core(SMALL) + _layer_weights(SMALL)),
                                    fmt_percent(_causal_core(SMALL) / (_causal_core(SMALL) + _layer_weights(SMALL)),
                                                2)),
    "l405_core_causal_over_proj": lambda: _p(_causal_core(LARGE) / attention_projection_flops(LARGE, _ctx(LARGE)),
                                             1),
    "l405_core_causal_over_layer": lambda: _p(_causal_core(LARGE) / _layer_weights(LARGE)),
    "l405_core_share": lambda: Answer(_causal_core(LARGE) / (_causal_core(LARGE) + _layer_weights(LARGE)),
                                      fmt_percent(_causal_core(LARGE) / (_causal_core(LARGE) + _layer_weights(LARGE)),
                                                  2)),
    # the trained head (llmviz.lm)
    "lm_layers": lambda: _int(th.model().cfg.n_layer),
    "lm_heads": lambda: _int(th.model().cfg.n_head),
    "lm_d_head": lambda: _int(th.model().cfg.d_head),
    "lm_params": lambda: _int(_lm_header()["n_params"]),
    "lm_train_bytes": lambda: Answer(_lm_header()["training"]["bytes"]["train"],
                                     fmt_bytes(_lm_header()["training"]["bytes"]["train"])),
    "lm_n_queries": lambda: _int(_lm_profile(th.PREV_HEAD).queries),
    "lm_prev_mean": lambda: _p(_lm_profile(th.PREV_HEAD).previous),
    "lm_prev_top": lambda: Answer(_lm_profile(th.PREV_HEAD).previous_top,
                                  f"{_lm_profile(th.PREV_HEAD).previous_top:.0%}"),
    "lm_prev_held_out": lambda: _p(_lm_profile(th.PREV_HEAD, [th.HELD_OUT_SENTENCE]).previous),
    "lm_uniform_prev": lambda: _p(_lm_uniform_previous_pooled()),
    "lm_others_prev_max": lambda: _p(max(_lm_profile(h).previous for h, _ in th.HEADS
                                         if h not in (th.PREV_HEAD, th.LOCAL_HEAD))),
    "lm_local_self": lambda: _p(_lm_profile(th.LOCAL_HEAD).itself),
    "lm_local_prev": lambda: _p(_lm_profile(th.LOCAL_HEAD).previous),
    "lm_s0_prev": lambda: _p(th.profile(th.weights(0, th.PREV_HEAD)).previous),
    "lm_s0_tokens": lambda: _int(len(th.tokens(0))),
    "lm_s0_uniform_prev": lambda: _p(_lm_uniform_previous(0)),
}
