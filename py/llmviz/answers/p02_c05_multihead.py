"""Answers for chapter p02-c05 (multi-head attention).

The tiny model's numbers come from the simulation's own functions over its
shipped weights (:mod:`llmviz.modes.part02_transformer.multihead`); every
count for a real model goes through :mod:`llmviz.calc.multihead` over the
catalog, except GPT-2 small, whose four sizes are copied below from its
released code because the catalog holds only the models of 2022 and later.
"""
from __future__ import annotations

from ..calc.attention import score_matrix_bytes
from ..calc.model_size import param_count
from ..calc.multihead import (
    head_columns,
    head_dim,
    mha_core_flops_per_token,
    mha_param_count,
    mha_projection_flops_per_token,
    mha_scores_per_token,
    output_by_head,
    random_top_agreement,
    random_top_distinct,
)
from ..calc.shapes import matmul_shape, numel
from ..catalog import get_model
from ..modes.part02_transformer import multihead as mh
from ..modes.part02_transformer import trained_head as th
from ..units import fmt_bytes, fmt_count, fmt_flops, fmt_percent, fmt_plain
from . import Answer

# GPT-2 small as released: openai/gpt-2, src/model.py, default_hparams() (n_ctx 1024, n_embd 768,
# n_head 12, n_layer 12); every projection carries a bias (conv1d's b).
GPT2_D, GPT2_HEADS, GPT2_LAYERS, GPT2_CTX = 768, 12, 12, 1024

L2, L3, Q3, OPT = "llama-2-7b", "llama-3-8b", "qwen3-32b", "opt-13b"
L2_KEYS = 4096                   # Llama 2's context, the keys a last token's query meets

# The views' example: sentence 0, layer 1, query 12 (the chapter's default state)
S, LAYER, Q = 0, 1, 12

# Exercise "by hand": two heads of width 2 and a 4 × 3 W_O
HAND_O = [[1.0, 2.0], [-1.0, 1.0]]
HAND_WO = [[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [3.0, 1.0, 0.0], [1.0, -2.0, 1.0]]


def _int(v: float) -> Answer:
    return Answer(v, f"{int(v):,}")


def _p(v: float, digits: int = 2) -> Answer:
    return Answer(v, f"{v:.{digits}f}".replace("-", "\u2212"))


def _plain(v: float, digits: int = 2) -> Answer:
    return Answer(v, fmt_plain(v, digits))


def _row(head: int, layer: int = LAYER, sentence: int = S, query: int = Q) -> list[float]:
    return th.weights(sentence, f"{layer}.{head}", query + 1)[query]


def _top(head: int) -> tuple[int, float]:
    row = _row(head)
    j = mh.top_keys(row, 1)[0]
    return j, row[j]


def _top_keys_per_query(layer: int) -> list[list[int]]:
    """For every query after the first of every sentence: the four heads' strongest keys."""
    out = []
    for s in range(len(th.SENTENCES)):
        rows = [th.weights(s, f"{layer}.{h}") for h in range(mh.N_HEAD)]
        for i in range(1, len(rows[0])):
            out.append([mh.top_keys(rows[h][i], 1)[0] for h in range(mh.N_HEAD)])
    return out


def _visible_keys() -> list[int]:
    """For every query after the first of every sentence: how many keys it may see (i + 1)."""
    return [i + 1 for s in range(len(th.SENTENCES)) for i in range(1, mh.n_tokens(s))]


def _concat():
    outs = mh.head_outputs(S, LAYER, Q)
    shares = output_by_head(outs, mh.w_o_rows(LAYER))
    full = mh.attention_output(S, LAYER, Q)
    return outs, shares, full


def _length(v) -> float:
    return sum(x * x for x in v) ** 0.5


def _run_gap(k: int) -> float:
    """Largest gap between the sum of the first k heads' shares and concat · W_O."""
    _, shares, full = _concat()
    return max(abs(sum(shares[h][j] for h in range(k)) - full[j]) for j in range(len(full)))


def _hand_shares():
    return output_by_head(HAND_O, HAND_WO)


def _l2():
    return get_model(L2)


def _l2_scores_bytes(heads: int) -> float:
    return score_matrix_bytes(L2_KEYS, heads=heads)


ANSWERS = {
    # the tiny model
    "lm_d_model": lambda: _int(th.model().cfg.d_model),
    "lm_heads": lambda: _int(th.model().cfg.n_head),
    "lm_d_head": lambda: _int(head_dim(th.model().cfg.d_model, th.model().cfg.n_head)),
    "lm_attn_params": lambda: _int(mha_param_count(mh.D_MODEL, mh.N_HEAD)),
    "lm_slice_weights": lambda: _int(mh.D_MODEL * head_dim(mh.D_MODEL, mh.N_HEAD)),
    "h2_first": lambda: _int(head_columns(mh.D_MODEL, 4, 2).start),
    "h2_last": lambda: _int(head_columns(mh.D_MODEL, 4, 2).stop - 1),
    "h2_first_8": lambda: _int(head_columns(mh.D_MODEL, 8, 2).start),
    "h2_last_8": lambda: _int(head_columns(mh.D_MODEL, 8, 2).stop - 1),
    "lm_d_head_8": lambda: _int(head_dim(mh.D_MODEL, 8)),
    # the heads view's example row: query 12 of sentence 0 in layer 1
    "q12_h0_top": lambda: _p(_top(0)[1]),
    "q12_h1_top": lambda: _p(_top(1)[1]),
    "q12_h2_top": lambda: _p(_top(2)[1]),
    "q12_h3_top": lambda: _p(_top(3)[1]),
    "q12_h0_back": lambda: _int(Q - _top(0)[0]),
    "q12_h2_back": lambda: _int(Q - _top(2)[0]),
    "agree_queries": lambda: _int(len(_top_keys_per_query(LAYER))),
    "agree_all": lambda: _int(sum(1 for t in _top_keys_per_query(LAYER) if len(set(t)) == 1)),
    "distinct_mean": lambda: _p(sum(len(set(t)) for t in _top_keys_per_query(LAYER))
                                / len(_top_keys_per_query(LAYER)), 1),
    "chance_agree": lambda: _p(sum(random_top_agreement(m, mh.N_HEAD) for m in _visible_keys()), 1),
    "chance_distinct": lambda: _p(sum(random_top_distinct(m, mh.N_HEAD) for m in _visible_keys())
                                  / len(_visible_keys()), 1),
    "agree_all_l0": lambda: _int(sum(1 for t in _top_keys_per_query(0) if len(set(t)) == 1)),
    "distinct_mean_l0": lambda: _p(sum(len(set(t)) for t in _top_keys_per_query(0))
                                   / len(_top_keys_per_query(0)), 1),
    # the concat view's example
    "share0": lambda: _p(_length(_concat()[1][0])),
    "share1": lambda: _p(_length(_concat()[1][1])),
    "share2": lambda: _p(_length(_concat()[1][2])),
    "share3": lambda: _p(_length(_concat()[1][3])),
    "share_sum": lambda: _p(sum(_length(s) for s in _concat()[1])),
    "out_length": lambda: _p(_length(_concat()[2])),
    "gap_after_1": lambda: _p(_run_gap(1), 3),
    "gap_after_3": lambda: _p(_run_gap(3), 3),
    # two heads by hand
    "hand_s0_0": lambda: _plain(_hand_shares()[0][0]),
    "hand_s0_1": lambda: _plain(_hand_shares()[0][1]),
    "hand_s0_2": lambda: _plain(_hand_shares()[0][2]),
    "hand_s1_0": lambda: _plain(_hand_shares()[1][0]),
    "hand_s1_1": lambda: _plain(_hand_shares()[1][1]),
    "hand_s1_2": lambda: _plain(_hand_shares()[1][2]),
    "hand_z0": lambda: _plain(_hand_shares()[0][0] + _hand_shares()[1][0]),
    "hand_z1": lambda: _plain(_hand_shares()[0][1] + _hand_shares()[1][1]),
    "hand_z2": lambda: _plain(_hand_shares()[0][2] + _hand_shares()[1][2]),
    # GPT-2 small
    "gpt2_d": lambda: _int(GPT2_D),
    "gpt2_heads": lambda: _int(GPT2_HEADS),
    "gpt2_d_head": lambda: _int(head_dim(GPT2_D, GPT2_HEADS)),
    "gpt2_layers": lambda: _int(GPT2_LAYERS),
    "gpt2_all_heads": lambda: _int(GPT2_LAYERS * GPT2_HEADS),
    "gpt2_slice": lambda: _int(GPT2_D * head_dim(GPT2_D, GPT2_HEADS)),
    "gpt2_weights": lambda: _int(mha_param_count(GPT2_D, GPT2_HEADS)),
    "gpt2_biases": lambda: _int(mha_param_count(GPT2_D, GPT2_HEADS, bias=True)
                                - mha_param_count(GPT2_D, GPT2_HEADS)),
    "gpt2_layer": lambda: _int(mha_param_count(GPT2_D, GPT2_HEADS, bias=True)),
    "gpt2_all_layers": lambda: Answer(GPT2_LAYERS * mha_param_count(GPT2_D, GPT2_HEADS, bias=True),
                                      f"{GPT2_LAYERS * mha_param_count(GPT2_D, GPT2_HEADS, bias=True):,}"),
    "gpt2_ctx": lambda: _int(GPT2_CTX),
    "gpt2_scores_layer": lambda: _int(numel(matmul_shape(
        (GPT2_HEADS, GPT2_CTX, head_dim(GPT2_D, GPT2_HEADS)),
        (GPT2_HEADS, head_dim(GPT2_D, GPT2_HEADS), GPT2_CTX)))),
    # Llama 2 7B
    "l2_d": lambda: _int(_l2().hidden),
    "l2_heads": lambda: _int(_l2().heads),
    "l2_d_head": lambda: _int(_l2().head_dim),
    "l2_layers": lambda: _int(_l2().layers),
    "l2_attn_layer": lambda: _int(mha_param_count(_l2().hidden, _l2().heads)),
    "l2_attn_all": lambda: Answer(_l2().layers * mha_param_count(_l2().hidden, _l2().heads),
                                  fmt_count(_l2().layers * mha_param_count(_l2().hidden, _l2().heads))),
    "l2_total": lambda: Answer(param_count(L2), fmt_count(param_count(L2))),
    "l2_attn_share": lambda: Answer(_l2().layers * mha_param_count(_l2().hidden, _l2().heads) / param_count(L2),
                                    fmt_percent(_l2().layers * mha_param_count(_l2().hidden, _l2().heads)
                                                / param_count(L2))),
    "l2_d_head_64": lambda: _int(head_dim(_l2().hidden, 64)),
    "l2_d_head_8": lambda: _int(head_dim(_l2().hidden, 8)),
    "l2_d_head_128": lambda: _int(head_dim(_l2().hidden, 128)),
    "l2_keys": lambda: _int(L2_KEYS),
    "l2_proj_flops": lambda: Answer(mha_projection_flops_per_token(_l2().hidden, _l2().heads),
                                    fmt_flops(mha_projection_flops_per_token(_l2().hidden, _l2().heads))),
    "l2_proj_flops_exact": lambda: _int(mha_projection_flops_per_token(_l2().hidden, _l2().heads)),
    "l2_core_flops": lambda: Answer(mha_core_flops_per_token(_l2().hidden, _l2().heads, L2_KEYS),
                                    fmt_flops(mha_core_flops_per_token(_l2().hidden, _l2().heads, L2_KEYS))),
    "l2_core_flops_exact": lambda: _int(mha_core_flops_per_token(_l2().hidden, _l2().heads, L2_KEYS)),
    "l2_scores_32": lambda: _int(mha_scores_per_token(_l2().heads, L2_KEYS)),
    "l2_scores_8": lambda: _int(mha_scores_per_token(8, L2_KEYS)),
    "l2_scores_128": lambda: _int(mha_scores_per_token(128, L2_KEYS)),
    "l2_bytes_32": lambda: Answer(_l2_scores_bytes(32), fmt_bytes(_l2_scores_bytes(32))),
    "l2_bytes_128": lambda: Answer(_l2_scores_bytes(128), fmt_bytes(_l2_scores_bytes(128))),
    # Llama 3 8B
    "l3_d": lambda: _int(get_model(L3).hidden),
    "l3_heads": lambda: _int(get_model(L3).heads),
    "l3_d_head": lambda: _int(get_model(L3).head_dim),
    "l3_wq": lambda: _int(get_model(L3).hidden * get_model(L3).heads * get_model(L3).head_dim),
    "l3_slice": lambda: _int(get_model(L3).hidden * get_model(L3).head_dim),
    "l3_kv_width": lambda: _int(get_model(L3).kv_heads * get_model(L3).head_dim),
    "l3_kv_heads": lambda: _int(get_model(L3).kv_heads),
    "l3_group": lambda: _int(get_model(L3).heads // get_model(L3).kv_heads),
    # models whose heads are not d_model / h wide, and OPT-13B
    "q3_d": lambda: _int(get_model(Q3).hidden),
    "q3_heads": lambda: _int(get_model(Q3).heads),
    "q3_d_head": lambda: _int(get_model(Q3).head_dim),
    "q3_q_width": lambda: _int(get_model(Q3).heads * get_model(Q3).head_dim),
    "opt_d": lambda: _int(get_model(OPT).hidden),
    "opt_heads": lambda: _int(get_model(OPT).heads),
    "opt_d_head": lambda: _int(head_dim(get_model(OPT).hidden, get_model(OPT).heads)),
}
