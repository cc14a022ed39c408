"""Answers for chapter p00-c06 (probability, entropy, cross-entropy, KL).

Every entropy, cross-entropy, divergence, softmax and perplexity goes
through :mod:`llmviz.calc.information`; the distributions and logits are
the ones the simulation draws (its presets and profiles), and Llama 3 8B's
vocabulary comes from the catalog.
"""
from __future__ import annotations

import math

from ..calc.information import cross_entropy, entropy, kl_divergence, perplexity, softmax, surprisal
from ..catalog import get_model
from ..modes.part00_math.entropy import (DRAW_RATE, DRAWS, P_PRESETS, Q_PROFILE, RISE_S, TOKENS,
                                         EntropyMode, geometric, loss_curve_point, one_hot, rotate_profile)
from . import Answer

MODEL = "llama-3-8b"
LN2 = math.log(2)
PEAKED = P_PRESETS["peaked"]
TWO = P_PRESETS["two"]

# Kaplan et al. 2020, eq. (1.1): L(N) = (N_c / N)^α_N in nats per token, N the non-embedding
# parameters, for models trained to convergence on WebText2 with a BPE vocabulary of 50,257.
KAPLAN_NC, KAPLAN_ALPHA, KAPLAN_VOCAB = 8.8e13, 0.076, 50257
KAPLAN_N = 1e9

# Exercise 4: three logits to push through a softmax by hand
EX4_LOGITS = (2.0, 1.0, 0.0)
# Exercise 8: the probabilities a model gave the four true tokens of a short text
EX8_PROBS = (0.5, 0.25, 0.8, 0.1)
# Exercise 9: two models' losses on the same text, and that text's own entropy (hypothetical)
EX9_LOSSES, EX9_ENTROPY = (2.0, 1.8), 1.7
# Exercise 10: one 4,000-byte text under two tokenizers (hypothetical counts and losses)
EX10_BYTES = 4000
EX10_A = (1000, 1.9)     # tokens, nats per token
EX10_B = (1300, 1.7)


def _trim(v: float, digits: int) -> str:
    """``v`` to ``digits`` decimals, trailing zeros dropped, a real minus sign."""
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return s.replace("-", "\u2212")


def _u(v: float, unit: str, digits: int = 3) -> Answer:
    """A value with its unit: ``1.9375 bits``."""
    return Answer(v, f"{_trim(v, digits)} {unit}")


def _plain(v: float, digits: int = 3) -> Answer:
    return Answer(v, _trim(v, digits))


def _fixed(v: float, digits: int) -> Answer:
    """A probability or ratio with a fixed number of decimals: ``0.420``."""
    return Answer(v, f"{v:.{digits}f}".replace("-", "\u2212"))


def _probs(ps, digits: int = 3) -> Answer:
    """A whole distribution, printed as a tuple; its value is the first entry."""
    return Answer(ps[0], "(" + ", ".join(f"{x:.{digits}f}" for x in ps) + ")")


def _compare_q(temp: float = 1.0, favour: str = "mat") -> list[float]:
    return softmax(rotate_profile(TOKENS.index(favour)), temp)


def _vocab() -> int:
    return get_model(MODEL).vocab


def _kaplan_loss() -> float:
    return (KAPLAN_NC / KAPLAN_N) ** KAPLAN_ALPHA


def _ex8_losses() -> list[float]:
    return [surprisal(x, math.e) for x in EX8_PROBS]


def _ex10(side) -> tuple[float, float]:
    tokens, loss = side
    total = tokens * loss
    return total, total / EX10_BYTES


def _letters() -> float:
    """Expected length in letters of the next token under the peaked p."""
    return math.fsum(p * len(t) for p, t in zip(PEAKED, TOKENS))


def _logit_default() -> float:
    return EntropyMode.submodes["logit"].values["z"]


ANSWERS = {
    # distributions and expectation
    "llama_vocab": lambda: Answer(_vocab(), f"{_vocab():,}"),
    "expected_letters": lambda: _u(_letters(), "letters", 4),
    "draws": lambda: _plain(DRAWS),
    "draw_rate": lambda: _plain(DRAW_RATE),
    # surprise and entropy
    "peaked_H": lambda: _u(entropy(PEAKED), "bits", 4),
    "peaked_H_nats": lambda: _u(entropy(PEAKED, math.e), "nats"),
    "uniform6_H": lambda: _u(entropy(P_PRESETS["uniform"]), "bits"),
    "bits_per_nat": lambda: _u(1 / LN2, "bits"),
    # softmax
    "default_exp_sum": lambda: _plain(math.fsum(math.exp(z) for z in Q_PROFILE), 2),
    "default_q": lambda: _probs(_compare_q()),
    "sharp_q_mat": lambda: _plain(_compare_q(0.3)[0], 3),
    "flat_q_mat": lambda: _plain(_compare_q(5.0)[0], 3),
    # cross-entropy and KL in the compare view
    "default_ce": lambda: _u(cross_entropy(PEAKED, _compare_q()), "bits"),
    "default_kl": lambda: _u(kl_divergence(PEAKED, _compare_q()), "bits"),
    "sharp_ce": lambda: _u(cross_entropy(PEAKED, _compare_q(0.3)), "bits", 2),
    "flat_ce": lambda: _u(cross_entropy(PEAKED, _compare_q(5.0)), "bits", 2),
    "tau_match": lambda: _plain(1 / LN2, 3),
    "bed_kl": lambda: _u(kl_divergence(PEAKED, _compare_q(favour="bed")), "bits", 2),
    # the next-token loss
    "logit_z": lambda: _plain(_logit_default(), 1),
    "logit_q": lambda: _fixed(loss_curve_point(0, _logit_default())[0], 3),
    "logit_loss": lambda: _u(loss_curve_point(0, _logit_default())[1], "nats"),
    "logit_loss_bits": lambda: _u(loss_curve_point(0, _logit_default())[1] / LN2, "bits"),
    "logit_slope": lambda: _plain(loss_curve_point(0, _logit_default())[2], 2),
    "z6_slope": lambda: _plain(loss_curve_point(0, 6.0)[2], 3),
    "z6_loss": lambda: _u(loss_curve_point(0, 6.0)[1], "nats"),
    "zlo_loss": lambda: _u(loss_curve_point(0, -4.0)[1], "nats", 2),
    "zhi_loss": lambda: _u(loss_curve_point(0, 8.0)[1], "nats", 4),
    "rival_q": lambda: _fixed(loss_curve_point(0, 1.5)[0], 2),
    "rival_loss": lambda: _u(loss_curve_point(0, 1.5)[1], "nats", 2),
    "rise_seconds": lambda: _plain(RISE_S),
    "uniform6_nats": lambda: _u(entropy(P_PRESETS["uniform"], math.e), "nats", 2),
    # a uniform guess gives the true token 1/V whatever it is: the loss is its surprisal
    "llama_uniform_nats": lambda: _u(surprisal(1 / _vocab(), math.e), "nats", 2),
    "llama_uniform_bits": lambda: _u(surprisal(1 / _vocab()), "bits", 2),
    # perplexity
    "ppl_default_H": lambda: _u(entropy(geometric(12, 0.6)), "bits"),
    "ppl_default": lambda: _fixed(perplexity(entropy(geometric(12, 0.6)), 2.0), 2),
    "ppl_sharp": lambda: _fixed(perplexity(entropy(geometric(12, 0.2)), 2.0), 2),
    "kaplan_loss": lambda: _u(_kaplan_loss(), "nats", 2),
    "kaplan_ppl": lambda: _plain(perplexity(_kaplan_loss()), 1),
    # exercises
    "ex1_half": lambda: _u(surprisal(1 / 2), "bit"),
    "ex1_eighth": lambda: _u(surprisal(1 / 8), "bits"),
    "ex1_kilo": lambda: _u(surprisal(1 / 1024), "bits"),
    "ex1_eighth_nats": lambda: _u(surprisal(1 / 8, math.e), "nats"),
    "ex3_ce": lambda: _u(cross_entropy(TWO, PEAKED), "bits"),
    "ex3_h": lambda: _u(entropy(TWO), "bit"),
    "ex3_kl": lambda: _u(kl_divergence(TWO, PEAKED), "bits"),
    "ex4_q": lambda: _probs(softmax(EX4_LOGITS)),
    "ex4_loss": lambda: _u(cross_entropy(one_hot(1, 3), softmax(EX4_LOGITS), math.e), "nats"),
    "ex4_slope": lambda: _plain(softmax(EX4_LOGITS)[1] - 1, 3),
    "ex6_e2": lambda: _plain(perplexity(2.0), 2),
    "ex6_bits3": lambda: _plain(perplexity(3.0, 2.0)),
    # perplexity 20 is a fair choice among 20: its loss is the surprise of 1/20
    "ex6_ln20": lambda: _u(surprisal(1 / 20, math.e), "nats"),
    "ex6_log2_20": lambda: _u(surprisal(1 / 20), "bits"),
    "gpt2_uniform_nats": lambda: _u(surprisal(1 / KAPLAN_VOCAB, math.e), "nats", 2),
    "kaplan_ratio": lambda: Answer(KAPLAN_VOCAB / perplexity(_kaplan_loss()),
                                   f"{KAPLAN_VOCAB / perplexity(_kaplan_loss()):,.0f}"),
    "ex8_sum": lambda: _u(math.fsum(_ex8_losses()), "nats"),
    "ex8_mean": lambda: _u(math.fsum(_ex8_losses()) / len(EX8_PROBS), "nats"),
    "ex8_ppl": lambda: _plain(perplexity(math.fsum(_ex8_losses()) / len(EX8_PROBS)), 3),
    "ex8_worst": lambda: _u(max(_ex8_losses()), "nats"),
    "ex8_worst_share": lambda: Answer(max(_ex8_losses()) / math.fsum(_ex8_losses()),
                                      f"{100 * max(_ex8_losses()) / math.fsum(_ex8_losses()):.0f} %"),
    "ex9_kl_a": lambda: _u(EX9_LOSSES[0] - EX9_ENTROPY, "nats", 2),
    "ex9_kl_b": lambda: _u(EX9_LOSSES[1] - EX9_ENTROPY, "nats", 2),
    "ex9_ratio": lambda: _plain((EX9_LOSSES[0] - EX9_ENTROPY) / (EX9_LOSSES[1] - EX9_ENTROPY), 2),
    "ex10_a_total": lambda: Answer(_ex10(EX10_A)[0], f"{_ex10(EX10_A)[0]:,.0f} nats"),
    "ex10_b_total": lambda: Answer(_ex10(EX10_B)[0], f"{_ex10(EX10_B)[0]:,.0f} nats"),
    "ex10_a_byte": lambda: _u(_ex10(EX10_A)[1] / LN2, "bits", 3),
    "ex10_b_byte": lambda: _u(_ex10(EX10_B)[1] / LN2, "bits", 3),
}
