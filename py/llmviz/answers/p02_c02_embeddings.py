"""Answers for chapter p02-c02 (embeddings).

Every figure about the tiny model is measured on its real table through the
same functions the simulation draws with (``modes.part02_transformer.embeddings``,
over :mod:`llmviz.calc.embeddings`); real models come from the catalog.
"""
from __future__ import annotations

import math
import statistics

from ..calc.embeddings import (
    chance_nearest_cosine, embedding_bytes, embedding_params, one_hot_matmul, power_iteration,
    solve_analogy, variance_along,
)
from ..calc.gemm import gemm_macs
from ..calc.model_size import param_count
from ..calc.shapes import tensor_bytes
from ..calc.vectors import random_cosine_std
from ..catalog import get_model
from ..catalog.formats import get_format
from ..lm.model import softmax
from ..modes.part02_transformer import embeddings as em
from ..modes.part02_transformer import trained_head as th
from ..units import fmt_bytes, fmt_count, fmt_flops, fmt_percent
from . import Answer

L8, L27, L405, OPT = "llama-3-8b", "llama-2-7b", "llama-3.1-405b", "opt-13b"

# Exercise: one-hot times a small table, by hand
EX_TABLE = ((2, -1, 0), (1, 3, -2), (0, 4, 1), (-3, 0, 2))
EX_TOKEN = 2
# Exercise: power iteration on a 2×2 covariance matrix, from (1, 0)
EX_COV = ((3.0, 1.0), (1.0, 2.0))
# Exercise: an analogy with unit vectors in the plane; rows 0, 1, 2 are a, b, c
EX_PLANE = ((1.0, 0.0), (0.6, 0.8), (0.8, -0.6), (0.0, 1.0), (0.8, 0.6), (-0.6, 0.8))
# Exercise: a 2B-parameter model of width 2,048 choosing its vocabulary
EX_D, EX_TOTAL, EX_VOCABS = 2048, 2_000_000_000, (32_000, 128_256, 256_000)


def _int(v: int) -> Answer:
    return Answer(v, f"{v:,}")


def _cos(v: float, digits: int = 2) -> Answer:
    return Answer(v, f"{v:.{digits}f}".replace("-", "\u2212"))


def _pct(v: float, digits: int = 3) -> Answer:
    return Answer(v, fmt_percent(v, digits))


def _tok(text: str) -> str:
    """A token as the chapter prints it: in quotes, its spaces kept."""
    return f"“{text}”"


# -- the tiny model --------------------------------------------------------------------------

def _cfg():
    return em.model().cfg


def _lm_params() -> int:
    return int(em.model().header["n_params"])


def _lm_table() -> int:
    return embedding_params(_cfg().n_vocab, _cfg().d_model, tied=True)


def _lm_table_bytes() -> int:
    """int8 numbers plus one float32 scale per row, as the weights file stores the table."""
    v, d = _cfg().n_vocab, _cfg().d_model
    return tensor_bytes((v, d), "int8") + tensor_bytes((v,), "fp32")


def _nb(name: str, rank: int, k: int = 6) -> tuple[int, float]:
    t = em.token_id(em.TOKEN_TEXT[name])
    return em.neighbours(t, k)[rank - 1]


def _nb_cos(name: str, rank: int) -> Answer:
    return _cos(_nb(name, rank)[1])


def _nb_tok(name: str, rank: int) -> Answer:
    i, c = _nb(name, rank)
    return Answer(i, _tok(em.texts()[i]))


def _nearest_cosines() -> list[float]:
    """Each seen row's largest cosine with another seen row."""
    u = em.unit()
    seen = em.selection("seen")
    return [max(sum(a * b for a, b in zip(u[i], u[j])) for j in seen if j != i) for i in seen]


def _unseen_min_cos() -> float:
    u = em.unit()
    ids = em.unseen()
    return min(sum(a * b for a, b in zip(u[i], u[j])) for k, i in enumerate(ids) for j in ids[k + 1:])


def _norms(ids) -> float:
    return statistics.mean(math.hypot(*em.table()[i]) for i in ids)


def _unseen_probability() -> float:
    """The largest total probability the model gives the unseen tokens at any position of the
    attention chapter's four sentences."""
    gone = set(em.unseen())
    worst = 0.0
    for s in range(len(th.SENTENCES)):
        for z in em.model().forward(th.tokens(s), logits="all").logits:
            worst = max(worst, sum(p for i, p in enumerate(softmax(z)) if i in gone))
    return worst


def _axis2_share(grp: str, above: bool) -> float:
    c = em.coords("seen")
    ys = [c[i][1] for i in c if em.group(i) == grp]
    return sum(1 for y in ys if (y > 0) == above) / len(ys)


def _analogy(value: str) -> dict:
    return em.analogy_result(value)


def _plural_solved() -> int:
    return sum(1 for v, *_ in em.ANALOGIES[:6] if em.analogy_result(v)["rank"] == 1)


# -- real models -------------------------------------------------------------------------------

def _tables(name: str) -> int:
    m = get_model(name)
    return embedding_params(m.vocab, m.hidden, m.tied_embeddings)


def _one_table(name: str) -> int:
    m = get_model(name)
    return embedding_params(m.vocab, m.hidden, tied=True)


def _tables_bytes(name: str, dtype: str = "bf16") -> int:
    m = get_model(name)
    return embedding_bytes(m.vocab, m.hidden, dtype, m.tied_embeddings)


def _share(name: str) -> float:
    return _tables(name) / param_count(name)


def _row_bytes(name: str, dtype: str = "bf16") -> float:
    return get_model(name).hidden * get_format(dtype).bits_per_param / 8


# -- exercises ------------------------------------------------------------------------------------

def _power_steps():
    return power_iteration([list(r) for r in EX_COV], ((1.0, 0.0), (0.0, 1.0)), 3)


def _power_v(step: int, j: int) -> Answer:
    return _cos(_power_steps()[step][0][j], 3)


def _power_var(step: int) -> Answer:
    return Answer(variance_along([list(r) for r in EX_COV], _power_steps()[step][0]),
                  f"{variance_along([list(r) for r in EX_COV], _power_steps()[step][0]):.3f}")


def _top_eigen() -> tuple[float, tuple[float, float]]:
    """Largest eigenvalue of EX_COV and its unit eigenvector, from the 2×2 formula."""
    (a, b), (_, c) = EX_COV
    lam = (a + c) / 2 + math.sqrt(((a - c) / 2) ** 2 + b * b)
    v = (b, lam - a)
    n = math.hypot(*v)
    return lam, (v[0] / n, v[1] / n)


def _power_angle(step: int) -> float:
    v = _power_steps()[step][0]
    _, e = _top_eigen()
    return math.degrees(math.acos(min(1.0, abs(v[0] * e[0] + v[1] * e[1]))))


def _second_eigen() -> float:
    """The second variance of EX_COV: the total (the trace) less the largest."""
    return EX_COV[0][0] + EX_COV[1][1] - _top_eigen()[0]


def _power_tan(step: int) -> float:
    """The part of v off the first axis over the part on it: the tangent of the angle between them."""
    return math.tan(math.radians(_power_angle(step)))


def _unseen_merges() -> list[int]:
    """Never-seen rows that are learned merges (ids past the 256 byte tokens)."""
    return [i for i in em.unseen() if i >= 256]


def _plane() -> list[tuple[int, float]]:
    return solve_analogy([list(r) for r in EX_PLANE], 0, 1, 2, k=3)


def _vocab_share(vocab: int, tied: bool) -> float:
    return embedding_params(vocab, EX_D, tied) / EX_TOTAL


ANSWERS = {
    # the tiny model's table
    "lm_vocab": lambda: _int(_cfg().n_vocab),
    "lm_d": lambda: _int(_cfg().d_model),
    "lm_table": lambda: _int(_lm_table()),
    "lm_params": lambda: _int(_lm_params()),
    "lm_table_share": lambda: _pct(_lm_table() / _lm_params()),
    "lm_table_bytes": lambda: Answer(_lm_table_bytes(), f"{_lm_table_bytes():,} bytes"),
    "lm_untied": lambda: _int(_lm_params() + _lm_table()),
    "lm_tie_saving": lambda: _pct(_lm_table() / (_lm_params() + _lm_table())),
    "lm_layers": lambda: _int(_cfg().n_layer),
    "lm_train_bytes": lambda: Answer(int(em.model().header["training"]["bytes"]["train"]),
                                     fmt_bytes(int(em.model().header["training"]["bytes"]["train"]))),
    "lm_train_tokens": lambda: _int(int(em.model().header["training"]["tokens"]["train"])),
    "the_id": lambda: _int(em.token_id(" the")),
    "a_id": lambda: _int(em.token_id(" a")),
    "lm_product_macs": lambda: _int(gemm_macs(1, _cfg().d_model, _cfg().n_vocab)),
    # similarity
    "random_cos_64": lambda: _cos(random_cosine_std(_cfg().d_model), 3),
    "chance_64": lambda: _cos(em.chance_level()),
    "nb_candidates": lambda: _int(len(em.selection("seen")) - 1),
    "candidates_ratio": lambda: Answer((get_model(L8).vocab - 1) / (len(em.selection("seen")) - 1),
                                       f"{(get_model(L8).vocab - 1) / (len(em.selection('seen')) - 1):.0f}"),
    "lookup_rows": lambda: _int(em.LOOKUP_ROWS),
    "unseen_rows": lambda: _int(len(em.unseen())),
    "median_nearest": lambda: _cos(statistics.median(_nearest_cosines())),
    "above_chance": lambda: _pct(sum(1 for c in _nearest_cosines() if c > em.chance_level())
                                 / len(_nearest_cosines())),
    "the_1": lambda: _nb_tok("the", 1), "the_1_cos": lambda: _nb_cos("the", 1),
    "the_2": lambda: _nb_tok("the", 2), "the_2_cos": lambda: _nb_cos("the", 2),
    "the_3": lambda: _nb_tok("the", 3), "the_4": lambda: _nb_tok("the", 4),
    "one_1_cos": lambda: _nb_cos("one", 1),
    "zero_1": lambda: _nb_tok("zero", 1),
    "comma_1_cos": lambda: _nb_cos("comma", 1), "comma_2_cos": lambda: _nb_cos("comma", 2),
    "The_1": lambda: _nb_tok("The", 1), "The_2": lambda: _nb_tok("The", 2), "The_3": lambda: _nb_tok("The", 3),
    "token_1": lambda: _nb_tok("token", 1), "token_2": lambda: _nb_tok("token", 2),
    "token_3": lambda: _nb_tok("token", 3),
    "matrix_1": lambda: _nb_tok("matrix", 1), "matrix_1_cos": lambda: _nb_cos("matrix", 1),
    "matrix_2": lambda: _nb_tok("matrix", 2), "matrix_2_cos": lambda: _nb_cos("matrix", 2),
    "matrix_3": lambda: _nb_tok("matrix", 3),
    # the map
    "share1": lambda: _pct(em.principal("seen").shares[0]),
    "share2": lambda: _pct(em.principal("seen").shares[1]),
    "share12": lambda: _pct(sum(em.principal("seen").shares)),
    "share_random": lambda: _pct(1 / _cfg().d_model),
    "share_random_two": lambda: _pct(2 / _cfg().d_model),
    "share1_all": lambda: _pct(em.principal("all").shares[0]),
    "pi_steps": lambda: _int(em.PI_STEPS),
    "pi_ratio_table": lambda: _cos(em.principal("seen").variances[1] / em.principal("seen").variances[0]),
    "word_above": lambda: _pct(_axis2_share("word", True), 2),
    "piece_below": lambda: _pct(_axis2_share("piece", False), 2),
    # rows never seen
    "unseen_byte_rows": lambda: _int(len(em.unseen()) - len(_unseen_merges())),
    "unseen_merge_rows": lambda: _int(len(_unseen_merges())),
    "unseen_merge_example": lambda: Answer(_unseen_merges()[0], _tok(em.texts()[_unseen_merges()[0]])),
    "unseen_min_cos": lambda: Answer(_unseen_min_cos(), f"{_unseen_min_cos():.5f}"),
    "unseen_norm": lambda: _cos(_norms(em.unseen())),
    "seen_norm": lambda: _cos(_norms(em.selection("seen"))),
    "unseen_prob": lambda: _pct(_unseen_probability(), 2),
    "unseen_bytes": lambda: Answer(len(em.unseen()) * (_lm_table_bytes() // _cfg().n_vocab),
                                   f"{len(em.unseen()) * (_lm_table_bytes() // _cfg().n_vocab):,} bytes"),
    "row_bytes_lm": lambda: Answer(_lm_table_bytes() // _cfg().n_vocab, f"{_lm_table_bytes() // _cfg().n_vocab} bytes"),
    # analogies
    "an_solved": lambda: _int(em.analogies_solved()),
    "an_total": lambda: _int(len(em.ANALOGIES)),
    "an_plural_solved": lambda: _int(_plural_solved()),
    "an_tr_cos": lambda: _cos(_analogy("token-request")["cos"], 3),
    "an_tr_second": lambda: Answer(_analogy("token-request")["top"][1][0],
                                   _tok(em.texts()[_analogy("token-request")["top"][1][0]])),
    "an_tr_second_cos": lambda: _cos(_analogy("token-request")["top"][1][1], 3),
    "an_tr_alone": lambda: Answer(_analogy("token-request")["alone"][0],
                                  _tok(em.texts()[_analogy("token-request")["alone"][0]])),
    "an_tw_rank": lambda: _int(_analogy("token-weight")["rank"]),
    "an_tw_cos": lambda: _cos(_analogy("token-weight")["cos"]),
    "an_digits_rank": lambda: _int(_analogy("digits")["rank"]),
    "an_digits_alone": lambda: Answer(_analogy("digits")["alone"][0], _tok(em.texts()[_analogy("digits")["alone"][0]])),
    "an_bare_alone": lambda: Answer(_analogy("digits-bare")["alone"][0],
                                    _tok(em.texts()[_analogy("digits-bare")["alone"][0]])),
    "an_cap_rank": lambda: _int(_analogy("capital")["rank"]),
    "an_cap_first": lambda: Answer(_analogy("capital")["top"][0][0],
                                   _tok(em.texts()[_analogy("capital")["top"][0][0]])),
    "an_candidates": lambda: _int(_cfg().n_vocab - 3),
    # real models
    "l8_vocab": lambda: _int(get_model(L8).vocab),
    "l8_d": lambda: _int(get_model(L8).hidden),
    "l8_table": lambda: _int(_one_table(L8)),
    "l8_tables": lambda: _int(_tables(L8)),
    "l8_tables_bytes": lambda: Answer(_tables_bytes(L8), fmt_bytes(_tables_bytes(L8))),
    "l8_params": lambda: Answer(param_count(L8), fmt_count(param_count(L8))),
    "l8_share": lambda: _pct(_share(L8)),
    "l8_row_bytes": lambda: Answer(_row_bytes(L8), fmt_bytes(_row_bytes(L8))),
    "l8_product_macs": lambda: _int(gemm_macs(1, get_model(L8).hidden, get_model(L8).vocab)),
    "l8_output_flops": lambda: Answer(2 * _one_table(L8), fmt_flops(2 * _one_table(L8))),
    "l27_vocab": lambda: _int(get_model(L27).vocab),
    "l27_tables": lambda: Answer(_tables(L27), fmt_count(_tables(L27))),
    "l27_params": lambda: Answer(param_count(L27), fmt_count(param_count(L27))),
    "l27_to_l8_tables": lambda: Answer(_tables(L8) - _tables(L27), fmt_count(_tables(L8) - _tables(L27))),
    "l27_to_l8_params": lambda: Answer(param_count(L8) - param_count(L27),
                                       fmt_count(param_count(L8) - param_count(L27))),
    "l405_d": lambda: _int(get_model(L405).hidden),
    "l405_tables": lambda: Answer(_tables(L405), fmt_count(_tables(L405))),
    "l405_share": lambda: _pct(_share(L405)),
    "l405_product_macs": lambda: _int(gemm_macs(1, get_model(L405).hidden, get_model(L405).vocab)),
    "l405_row_bytes": lambda: Answer(_row_bytes(L405), fmt_bytes(_row_bytes(L405))),
    "opt_vocab": lambda: _int(get_model(OPT).vocab),
    "opt_d": lambda: _int(get_model(OPT).hidden),
    "opt_tables": lambda: Answer(_tables(OPT), fmt_count(_tables(OPT))),
    "opt_share": lambda: _pct(_share(OPT)),
    "chance_4096": lambda: _cos(chance_nearest_cosine(get_model(L8).hidden, get_model(L8).vocab - 1), 3),
    "random_cos_4096": lambda: _cos(random_cosine_std(get_model(L8).hidden), 4),
    # exercise: one-hot by hand
    "ex_row": lambda: Answer(EX_TOKEN, "(" + ", ".join(
        f"{v:g}".replace("-", "\u2212") for v in one_hot_matmul(EX_TOKEN, [list(r) for r in EX_TABLE])) + ")"),
    "ex_macs": lambda: _int(gemm_macs(1, len(EX_TABLE[0]), len(EX_TABLE))),
    "ex_useful": lambda: _int(len(EX_TABLE[0])),
    # exercise: power iteration by hand
    "pi_v1_x": lambda: _power_v(1, 0), "pi_v1_y": lambda: _power_v(1, 1),
    "pi_v2_x": lambda: _power_v(2, 0), "pi_v2_y": lambda: _power_v(2, 1),
    "pi_var0": lambda: _power_var(0), "pi_var1": lambda: _power_var(1), "pi_var2": lambda: _power_var(2),
    "pi_lambda": lambda: Answer(_top_eigen()[0], f"{_top_eigen()[0]:.3f}"),
    "pi_e_x": lambda: _cos(_top_eigen()[1][0], 3), "pi_e_y": lambda: _cos(_top_eigen()[1][1], 3),
    "pi_slope": lambda: _cos(_top_eigen()[0] - EX_COV[0][0], 3),
    "pi_lambda2": lambda: Answer(_second_eigen(), f"{_second_eigen():.3f}"),
    "pi_ratio": lambda: _cos(_second_eigen() / _top_eigen()[0], 3),
    "pi_angle0": lambda: Answer(_power_angle(0), f"{_power_angle(0):.1f}°"),
    "pi_tan0": lambda: _cos(_power_tan(0), 3), "pi_tan1": lambda: _cos(_power_tan(1), 3),
    "pi_tan2": lambda: _cos(_power_tan(2), 3),
    "pi_angle1": lambda: Answer(_power_angle(1), f"{_power_angle(1):.1f}°"),
    "pi_angle2": lambda: Answer(_power_angle(2), f"{_power_angle(2):.1f}°"),
    "pi_share": lambda: _pct(_top_eigen()[0] / (EX_COV[0][0] + EX_COV[1][1])),
    # exercise: an analogy in the plane
    "pl_answer_cos": lambda: _cos(_plane()[0][1], 3),
    "pl_second_cos": lambda: _cos(_plane()[1][1], 3),
    "pl_third_cos": lambda: _cos(_plane()[2][1], 3),
    # exercise: choosing a vocabulary
    "voc_32_tied": lambda: _pct(_vocab_share(EX_VOCABS[0], True)),
    "voc_32_untied": lambda: _pct(_vocab_share(EX_VOCABS[0], False)),
    "voc_128_tied": lambda: _pct(_vocab_share(EX_VOCABS[1], True)),
    "voc_128_untied": lambda: _pct(_vocab_share(EX_VOCABS[1], False)),
    "voc_256_tied": lambda: _pct(_vocab_share(EX_VOCABS[2], True)),
    "voc_256_untied": lambda: _pct(_vocab_share(EX_VOCABS[2], False)),
    "voc_256_table": lambda: Answer(embedding_params(EX_VOCABS[2], EX_D, True),
                                    fmt_count(embedding_params(EX_VOCABS[2], EX_D, True))),
    "voc_256_flops": lambda: Answer(2 * embedding_params(EX_VOCABS[2], EX_D, True),
                                    fmt_flops(2 * embedding_params(EX_VOCABS[2], EX_D, True))),
}
