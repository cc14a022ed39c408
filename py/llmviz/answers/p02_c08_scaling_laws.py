"""Answers for chapter p02-c08 (scaling laws).

Every number comes from :mod:`llmviz.calc.training` (6·N·D, Kaplan et al.'s laws,
Chinchilla's parametric fit and its compute-optimal split) over the catalog of
training runs, whose parameter counts come from the models' configurations, and
from the tiny model's training record (:mod:`llmviz.lm.record`).
"""
from __future__ import annotations

import math

from ..calc.training import (KAPLAN_ALPHA_C, KAPLAN_ALPHA_N, LOSS_FITS, TOKENS_PER_PARAM, chinchilla_fit_optimal,
                             chinchilla_flops_for_loss, chinchilla_frontier_loss, chinchilla_loss, chinchilla_optimal,
                             chinchilla_tokens_for_loss, kaplan_optimal, kaplan_table5_params, training_flops, training_run_flops,
                             training_run_params)
from ..catalog.training_runs import get_training_run
from ..units import fmt_count, fmt_fixed, fmt_plain, fmt_sci
from . import Answer

GOPHER_BUDGET = 5.76e23        # Hoffmann et al. 2022: Gopher's and Chinchilla's training FLOPs
KAPLAN_TEST = 1e21             # Hoffmann et al. 2022, appendix D.4: the head-to-head budget
DESIGN_BUDGET = 1e23           # exercise 8
HOFF = LOSS_FITS["hoffmann"]


def _count(v: float) -> Answer:
    return Answer(v, fmt_count(v))


def _flops(v: float) -> Answer:
    return Answer(v, fmt_sci(v, "FLOPs"))


def _loss(v: float) -> Answer:
    return Answer(v, fmt_fixed(v, 3))


def _plain(v: float, digits: int = 2) -> Answer:
    return Answer(v, fmt_plain(v, digits))


def _times(v: float, digits: int = 2) -> Answer:
    return Answer(v, f"{fmt_plain(v, digits)}\u00d7")


def _int(v: float) -> Answer:
    return Answer(v, f"{round(v):,}")


def _run_ratio(name: str) -> float:
    return get_training_run(name).tokens / training_run_params(name)


def _record():
    from ..lm.record import training_record

    return training_record()


def _split(flops: float, fit: str = "hoffmann") -> dict:
    n, d = chinchilla_fit_optimal(flops, fit)
    return {"n": n, "d": d, "ratio": d / n, "loss": chinchilla_frontier_loss(flops, fit)}


def _design(frac: float) -> dict:
    """Exercise 8: reach the compute-optimal loss at DESIGN_BUDGET with a model ``frac`` of the optimal size."""
    opt = _split(DESIGN_BUDGET)
    n = frac * opt["n"]
    d = chinchilla_tokens_for_loss(opt["loss"], n)
    c = training_flops(n, d)
    # every token served saves 2·(N_opt − N) forward FLOPs
    return {"n": n, "d": d, "ratio": d / n, "flops": c, "extra": c / DESIGN_BUDGET - 1,
            "breakeven": (c - DESIGN_BUDGET) / (2 * (opt["n"] - n))}


def _l3_twin() -> tuple[float, float]:
    return chinchilla_optimal(training_run_flops("llama-3-8b"))


ANSWERS = {
    # the opening example: Llama 3 8B
    "l3_params": lambda: _count(training_run_params("llama-3-8b")),
    "l3_tokens": lambda: _count(get_training_run("llama-3-8b").tokens),
    "l3_flops": lambda: _flops(training_run_flops("llama-3-8b")),
    "l3_ratio": lambda: _int(_run_ratio("llama-3-8b")),
    "l3_twin_n": lambda: _count(_l3_twin()[0]),
    "l3_twin_d": lambda: _count(_l3_twin()[1]),
    "l3_serve_ratio": lambda: _times(_l3_twin()[0] / training_run_params("llama-3-8b"), 1),
    "l3_loss": lambda: _loss(chinchilla_loss(training_run_params("llama-3-8b"), get_training_run("llama-3-8b").tokens)),
    "l3_twin_loss": lambda: _loss(chinchilla_loss(*_l3_twin())),
    "l3_loss_gap": lambda: _loss(chinchilla_loss(training_run_params("llama-3-8b"), get_training_run("llama-3-8b").tokens)
                                 - chinchilla_loss(*_l3_twin())),
    "l3_vs_tiny": lambda: Answer(training_run_flops("llama-3-8b") / training_flops(_record().n_params,
                                                                                     _record().tokens_seen),
                                 fmt_sci(training_run_flops("llama-3-8b")
                                         / training_flops(_record().n_params, _record().tokens_seen))),
    # Kaplan et al.'s power laws
    "kaplan_double": lambda: _plain(2 ** -KAPLAN_ALPHA_N, 3),
    "kaplan_10x_n": lambda: _plain(10 ** -KAPLAN_ALPHA_N, 3),
    "kaplan_halve_n": lambda: _int(2 ** (1 / KAPLAN_ALPHA_N)),
    "kaplan_10x_c": lambda: _plain(10 ** -KAPLAN_ALPHA_C, 3),
    "kaplan_10x_params": lambda: _times(10 ** 0.73, 1),
    "kaplan_10x_tokens": lambda: _times(10 ** 0.27, 1),
    # 6ND against published budgets
    "gpt3_flops": lambda: _flops(training_run_flops("gpt-3")),
    "chinchilla_flops": lambda: _flops(training_run_flops("chinchilla")),
    "gopher_flops": lambda: _flops(training_run_flops("gopher")),
    "l2_7b_flops": lambda: _flops(training_run_flops("llama-2-7b")),
    "l405_flops": lambda: _flops(training_run_flops("llama-3.1-405b")),
    "l2_7b_params": lambda: _count(training_run_params("llama-2-7b")),
    "l3_over_l2": lambda: _plain(training_run_flops("llama-3-8b") / training_run_flops("llama-2-7b"), 1),
    "l405_over_l3": lambda: _plain(training_run_flops("llama-3.1-405b") / training_run_flops("llama-3-8b"), 1),
    # tokens per parameter of real runs
    "gpt3_ratio": lambda: _plain(_run_ratio("gpt-3"), 1),
    "gopher_ratio": lambda: _plain(_run_ratio("gopher"), 2),
    "chinchilla_ratio": lambda: _plain(_run_ratio("chinchilla"), 1),
    "l2_7b_ratio": lambda: _int(_run_ratio("llama-2-7b")),
    "l405_ratio": lambda: _plain(_run_ratio("llama-3.1-405b"), 1),
    "qwen3_ratio": lambda: _int(_run_ratio("qwen3-32b")),
    # Chinchilla's fit: Gopher against Chinchilla
    "loss_gopher": lambda: _loss(chinchilla_loss(280e9, 300e9)),
    "loss_chinchilla": lambda: _loss(chinchilla_loss(70e9, 1.4e12)),
    "gopher_n_term": lambda: _loss(HOFF.A / 280e9 ** HOFF.alpha),
    "gopher_d_term": lambda: _loss(HOFF.B / 300e9 ** HOFF.beta),
    "chinchilla_n_term": lambda: _loss(HOFF.A / 70e9 ** HOFF.alpha),
    "chinchilla_d_term": lambda: _loss(HOFF.B / 1.4e12 ** HOFF.beta),
    "quarter_n_factor": lambda: _plain(4 ** HOFF.alpha, 2),
    "chinchilla_token_factor": lambda: _plain(1.4e12 / 300e9, 2),
    "chinchilla_d_factor": lambda: _plain((1.4e12 / 300e9) ** HOFF.beta, 2),
    # the split
    "exp_a": lambda: _plain(HOFF.beta / (HOFF.alpha + HOFF.beta), 3),
    "exp_b": lambda: _plain(HOFF.alpha / (HOFF.alpha + HOFF.beta), 3),
    "exp_g": lambda: _plain((HOFF.alpha * HOFF.A / (HOFF.beta * HOFF.B)) ** (1 / (HOFF.alpha + HOFF.beta)), 3),
    "frontier_exp": lambda: _plain(HOFF.alpha * HOFF.beta / (HOFF.alpha + HOFF.beta), 3),
    "halve_reducible": lambda: _int(2 ** ((HOFF.alpha + HOFF.beta) / (HOFF.alpha * HOFF.beta))),
    "opt22_n": lambda: _count(_split(1e22)["n"]),
    "opt22_d": lambda: _count(_split(1e22)["d"]),
    "opt22_ratio": lambda: _plain(_split(1e22)["ratio"], 1),
    "opt20_ratio": lambda: _plain(_split(1e20)["ratio"], 1),
    "opt25_ratio": lambda: _plain(_split(1e25)["ratio"], 1),
    # Gopher's budget, three ways
    "gopher_opt_n": lambda: _count(_split(GOPHER_BUDGET)["n"]),
    "gopher_opt_d": lambda: _count(_split(GOPHER_BUDGET)["d"]),
    "gopher_opt_ratio": lambda: _plain(_split(GOPHER_BUDGET)["ratio"], 0),
    "gopher_opt_loss": lambda: _loss(_split(GOPHER_BUDGET)["loss"]),
    "gopher_20_n": lambda: _count(chinchilla_optimal(GOPHER_BUDGET)[0]),
    "gopher_20_d": lambda: _count(chinchilla_optimal(GOPHER_BUDGET)[1]),
    "gopher_20_loss": lambda: _loss(chinchilla_loss(*chinchilla_optimal(GOPHER_BUDGET))),
    "gopher_kaplan_n": lambda: _count(kaplan_optimal(GOPHER_BUDGET)[0]),
    "gopher_kaplan_d": lambda: _count(kaplan_optimal(GOPHER_BUDGET)[1]),
    "gopher_kaplan_loss": lambda: _loss(chinchilla_loss(*kaplan_optimal(GOPHER_BUDGET))),
    "gopher_kaplan_share": lambda: _plain(chinchilla_flops_for_loss(chinchilla_loss(*kaplan_optimal(GOPHER_BUDGET)))
                                          / GOPHER_BUDGET, 2),
    "besiroglu_n": lambda: _count(_split(GOPHER_BUDGET, "besiroglu")["n"]),
    "besiroglu_d": lambda: _count(_split(GOPHER_BUDGET, "besiroglu")["d"]),
    "besiroglu_ratio": lambda: _plain(_split(GOPHER_BUDGET, "besiroglu")["ratio"], 1),
    "besiroglu_a": lambda: _plain(LOSS_FITS["besiroglu"].beta / (LOSS_FITS["besiroglu"].alpha
                                                                 + LOSS_FITS["besiroglu"].beta), 3),
    # Kaplan against approach 1 at 10^21 FLOPs
    "k21_table5_n": lambda: _count(kaplan_table5_params(KAPLAN_TEST)),
    "k21_table5_half_n": lambda: _count(kaplan_table5_params(KAPLAN_TEST / 2)),
    "k21_n": lambda: _count(kaplan_optimal(KAPLAN_TEST)[0]),
    "k21_d": lambda: _count(kaplan_optimal(KAPLAN_TEST)[1]),
    "k21_ratio": lambda: _plain(kaplan_optimal(KAPLAN_TEST)[1] / kaplan_optimal(KAPLAN_TEST)[0], 1),
    "k21_loss": lambda: _loss(chinchilla_loss(*kaplan_optimal(KAPLAN_TEST))),
    "c21_n": lambda: _count(chinchilla_optimal(KAPLAN_TEST)[0]),
    "c21_d": lambda: _count(chinchilla_optimal(KAPLAN_TEST)[1]),
    "c21_loss": lambda: _loss(chinchilla_loss(*chinchilla_optimal(KAPLAN_TEST))),
    # exercise 8: a smaller model trained longer to the same loss
    "design_n": lambda: _count(_split(DESIGN_BUDGET)["n"]),
    "design_d": lambda: _count(_split(DESIGN_BUDGET)["d"]),
    "design_loss": lambda: _loss(_split(DESIGN_BUDGET)["loss"]),
    "design_half_n": lambda: _count(_design(0.5)["n"]),
    "design_half_d": lambda: _count(_design(0.5)["d"]),
    "design_half_ratio": lambda: _int(_design(0.5)["ratio"]),
    "design_half_extra": lambda: Answer(_design(0.5)["extra"], f"{round(100 * _design(0.5)['extra'])} %"),
    "design_half_extra_flops": lambda: _flops(_design(0.5)["flops"] - DESIGN_BUDGET),
    "design_half_saving": lambda: _flops(2 * (_split(DESIGN_BUDGET)["n"] - _design(0.5)["n"])),
    "design_half_breakeven": lambda: _count(_design(0.5)["breakeven"]),
    "design_quarter_d": lambda: _count(_design(0.25)["d"]),
    "design_quarter_extra": lambda: _times(_design(0.25)["flops"] / DESIGN_BUDGET, 2),
    "design_quarter_breakeven": lambda: _count(_design(0.25)["breakeven"]),
    # the tiny model
    "tiny_params": lambda: _int(_record().n_params),
    "tiny_train_tokens": lambda: _int(_record().train_tokens),
    "tiny_steps": lambda: _int(_record().steps),
    "tiny_per_step": lambda: _int(_record().tokens_per_step),
    "tiny_seen": lambda: _count(_record().tokens_seen),
    "tiny_passes": lambda: _plain(_record().passes, 1),
    "tiny_flops": lambda: _flops(training_flops(_record().n_params, _record().tokens_seen)),
    "tiny_seen_ratio": lambda: _plain(_record().tokens_seen / _record().n_params, 1),
    "tiny_unique_ratio": lambda: _plain(_record().train_tokens / _record().n_params, 2),
    "tiny_final_held": lambda: _loss(_record().curve[-1].held_out),
    "tiny_final_train": lambda: _loss(_record().curve[-1].train),
    "tiny_550_held": lambda: _loss(next(p.held_out for p in _record().curve if p.step == 550)),
    "tiny_550_train": lambda: _loss(next(p.train for p in _record().curve if p.step == 550)),
    "tiny_vs_70m": lambda: _int(70e6 / _record().n_params),
    "tiny_vs_l3": lambda: _int(training_run_params("llama-3-8b") / _record().n_params),
    "tiny_uniform": lambda: _plain(math.log(_record().vocab), 2),
    "tiny_fit_loss": lambda: _plain(chinchilla_loss(_record().n_params, _record().tokens_seen), 1),
    "tiny_20_flops": lambda: _flops(training_flops(_record().n_params, TOKENS_PER_PARAM * _record().n_params)),
}
