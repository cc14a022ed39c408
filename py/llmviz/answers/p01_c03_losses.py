"""Answers for chapter p01-c03 (loss functions: MSE, cross-entropy, label smoothing).

Every loss, slope and optimum goes through :mod:`llmviz.calc.losses` and
:mod:`llmviz.calc.information`; the predictions, the race's data and the
smoothing runs are the ones the simulation draws; Llama 3's vocabulary
comes from the catalog.
"""
from __future__ import annotations

import math

from ..calc.derivatives import sigmoid_slope
from ..calc.functions import sigmoid
from ..calc.information import cross_entropy, kl_divergence, perplexity, softmax, surprisal
from ..calc.losses import (bce_slope, binary_cross_entropy, binary_cross_entropy_logit, mean_squared_error,
                           negative_log_likelihood, neuron_loss_gradient, optimal_logit_gap, sigmoid_squared_error,
                           sigmoid_squared_error_slope, smoothed_cross_entropy, smoothed_probs, smoothing_floor,
                           softmax_squared_error_slope, squared_error)
from ..calc.optimizers import adam_step
from ..catalog import get_model
from ..modes.part01_networks.losses import (PREDICTIONS, RACE_X, RACE_Y, SAT_Z, SMOOTH_STEPS, TRUE, first_all_right,
                                            race_correct, race_run, score_terms, smoothing_run)
from . import Answer

MODEL = "llama-3-8b"
IMAGENET = 1000              # Szegedy et al. 2016, section 7: K = 1000 classes, ε = 0.1
SZEGEDY_EPS = 0.1

# The regression example of the squared-error section: three targets and three predictions
REG_Y = (3.0, -1.0, 2.0)
REG_YHAT = (2.5, 0.0, 4.0)
# The likelihood example: the probability a model gave the true label of each of three examples
NLL_PROBS = (0.9, 0.6, 0.05)
# The race at a learning rate far past the slider's: one neuron has nothing else to upset
RACE_BIG_LR = 64.0
# The race under Adam (the optimizers chapter's defaults, beta1 0.9, beta2 0.999, eps 1e-8) at this step size
RACE_ADAM_LR = 0.1
# Exercise 1: four predictions against four targets
EX1_YHAT = (1.8, 0.5, 3.2, 2.0)
EX1_Y = (2.0, 1.0, 3.0, 3.0)
# Exercise 2: a three-class guess, the first class true, smoothing 0.1
EX2_Q = (0.7, 0.2, 0.1)
# Exercise 3: a sigmoid output of 0.9, and a logit of −3, each against its label
EX3_Q, EX3_Z = 0.9, -3.0
# Exercise 4: a saturated logit and a learning rate
EX4_Z, EX4_LR = -5.0, 0.5
# Exercise 6: a confident model, 0.99 on the true token and the rest spread evenly
EX6_TOP = 0.99
# Exercise 8: a plain next-token loss to bound the smoothed one from below
EX8_LOSS = 2.0
# Exercise 9: four examples' probabilities of their true labels
EX9_PROBS = (0.9, 0.6, 0.05, 0.8)
# Exercise 10: a smaller smoothing strength to weigh against 0.1
EX10_EPS = 0.01


def _trim(v: float, digits: int) -> str:
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return s.replace("-", "\u2212")


def _plain(v: float, digits: int = 3) -> Answer:
    """A number with at most ``digits`` decimals, trailing zeros dropped."""
    return Answer(v, _trim(v, digits))


def _fixed(v: float, digits: int) -> Answer:
    """A number with exactly ``digits`` decimals: ``0.420``."""
    return Answer(v, f"{v:.{digits}f}".replace("-", "\u2212"))


def _nats(v: float, digits: int = 3) -> Answer:
    """A loss in nats with exactly ``digits`` decimals: ``3.00 nats``."""
    return Answer(v, f"{v:.{digits}f} nats".replace("-", "\u2212"))


def _sig(v: float, digits: int = 3) -> Answer:
    """``digits`` significant figures, as a decimal (no exponent)."""
    e = math.floor(math.log10(abs(v)))
    return Answer(v, f"{v:.{max(0, digits - 1 - e)}f}".replace("-", "\u2212"))


def _times(v: float) -> Answer:
    return Answer(v, f"{v:,.0f}")


def _count(v: int) -> Answer:
    return Answer(v, f"{v:,}")


def _vocab() -> int:
    return get_model(MODEL).vocab


def _terms(pred: str, eps: float = SZEGEDY_EPS) -> dict:
    return score_terms(PREDICTIONS[pred], eps)


def _smoothed_kl(pred: str, eps: float) -> float:
    """KL(p^ε‖q) for a score-view guess: what its smoothed loss pays above the floor H(p^ε) (nats)."""
    d = _terms(pred, eps)
    return kl_divergence(d["pe"], d["q"], math.e)


def _race(w0: float, lr: float = 1.0, loss: str = "mse") -> int:
    k = first_all_right(race_run(loss, w0, lr))
    if k is None:
        raise ValueError(f"the race from w0={w0} at lr={lr} does not finish under {loss}")
    return k


def _race_adam(loss: str, w0: float = -4.0, lr: float = RACE_ADAM_LR, steps: int = 1000) -> int:
    """The first step at which the race's neuron, trained by Adam on ``loss``, gets every point right."""
    theta, m, v = [w0, 0.0], [0.0, 0.0], [0.0, 0.0]
    for t in range(steps + 1):
        if race_correct(*theta) == len(RACE_X):
            return t
        _, gw, gb = neuron_loss_gradient(theta[0], theta[1], RACE_X, RACE_Y, loss)
        theta, m, v = adam_step(theta, m, v, [gw, gb], t + 1, lr)
    raise ValueError(f"the race under Adam from w0={w0} at lr={lr} does not finish under {loss}")


def _race_factor(x: float, w0: float = -4.0) -> float:
    """q(1 − q) at the race's start (w = ``w0``, b = 0) for the point at ``x``: the sigmoid's slope there."""
    return sigmoid_slope(w0 * x)


def _ex2_logits() -> list[float]:
    return [math.log(x) for x in EX2_Q]


def _ex6_smoothed() -> float:
    """The smoothed loss (ε = 0.1) over Llama 3's vocabulary of a model with 0.99 on the true token."""
    v = _vocab()
    a, b = smoothed_probs(v, SZEGEDY_EPS)
    other = (1 - EX6_TOP) / (v - 1)
    return a * surprisal(EX6_TOP, math.e) + (v - 1) * b * surprisal(other, math.e)


def _ex6_squared() -> float:
    v = _vocab()
    other = (1 - EX6_TOP) / (v - 1)
    return (1 - EX6_TOP) ** 2 + (v - 1) * other ** 2


def _ex8_bound() -> float:
    """(1 − ε)·L + ε·ln V: the smoothed loss of a model whose plain loss is L can be no smaller."""
    return (1 - SZEGEDY_EPS) * EX8_LOSS + SZEGEDY_EPS * surprisal(1 / _vocab(), math.e)


def _uniform_squared() -> float:
    v = _vocab()
    return squared_error(1 / v, 1.0) + (v - 1) * squared_error(1 / v, 0.0)


ANSWERS = {
    # the catalog
    "llama_vocab": lambda: _count(_vocab()),
    "llama_uniform_nats": lambda: _nats(surprisal(1 / _vocab(), math.e), 2),
    # squared error
    "reg_mse": lambda: _plain(mean_squared_error(REG_YHAT, REG_Y)),
    "unsure_q": lambda: Answer(_terms("unsure")["q"][TRUE],
                               "(" + ", ".join(f"{x:.3f}" for x in _terms("unsure")["q"]) + ")"),
    "unsure_q_mat": lambda: _fixed(_terms("unsure")["q"][TRUE], 3),
    "unsure_mse": lambda: _fixed(_terms("unsure")["totals"][0], 3),
    "unsure_mse_mat": lambda: _fixed(_terms("unsure")["terms"][0][TRUE], 3),
    "unsure_mse_rest": lambda: _fixed(math.fsum(_terms("unsure")["terms"][0][1:]), 3),
    "surewrong_q_floor": lambda: _fixed(_terms("surewrong")["q"][1], 3),
    "surewrong_mse": lambda: _fixed(_terms("surewrong")["totals"][0], 2),
    "surewrong_ce": lambda: _nats(_terms("surewrong")["totals"][1], 2),
    "confident_q_mat": lambda: _fixed(_terms("confident")["q"][TRUE], 3),
    "confident_ce": lambda: _nats(_terms("confident")["totals"][1], 3),
    "confident_mse": lambda: _fixed(_terms("confident")["totals"][0], 3),
    "tiny_ce": lambda: _nats(surprisal(1e-100, math.e), 0),
    # cross-entropy as negative log-likelihood
    "unsure_ce": lambda: _nats(_terms("unsure")["totals"][1]),
    "nll_likelihood": lambda: _plain(math.prod(NLL_PROBS), 4),
    "nll_total": lambda: _nats(negative_log_likelihood(NLL_PROBS), 2),
    "nll_worst": lambda: _nats(surprisal(min(NLL_PROBS), math.e), 2),
    # binary cross-entropy
    "bce_08_yes": lambda: _nats(binary_cross_entropy(0.8, 1.0)),
    "bce_08_no": lambda: _nats(binary_cross_entropy(0.8, 0.0)),
    "sig_2": lambda: _fixed(sigmoid(2.0), 3),
    "bce_z2": lambda: _nats(binary_cross_entropy_logit(2.0, 1.0)),
    # slopes through the sigmoid
    "z6_q": lambda: _sig(sigmoid(-6.0), 3),
    "z6_bce": lambda: _nats(binary_cross_entropy_logit(-6.0, 1.0)),
    "z6_mse": lambda: _fixed(sigmoid_squared_error(-6.0, 1.0), 3),
    "z6_bce_slope": lambda: _fixed(bce_slope(-6.0, 1.0), 4),
    "z6_mse_slope": lambda: _sig(sigmoid_squared_error_slope(-6.0, 1.0), 3),
    "z6_ratio": lambda: _times(bce_slope(-6.0, 1.0) / sigmoid_squared_error_slope(-6.0, 1.0)),
    "z10_ratio": lambda: _times(bce_slope(-10.0, 1.0) / sigmoid_squared_error_slope(-10.0, 1.0)),
    "sat_z": lambda: _fixed(SAT_Z, 2),
    "peak_z": lambda: _fixed(-math.log(2.0), 2),
    "peak_slope": lambda: _fixed(sigmoid_squared_error_slope(-math.log(2.0), 1.0), 3),
    "peak_bce_slope": lambda: _fixed(bce_slope(-math.log(2.0), 1.0), 3),
    "surewrong_q_mat": lambda: _sig(_terms("surewrong")["q"][TRUE], 2),
    "surewrong_ce_slope": lambda: _fixed(_terms("surewrong")["slopes"][1], 4),
    "surewrong_mse_slope": lambda: _sig(softmax_squared_error_slope(PREDICTIONS["surewrong"], TRUE)[TRUE], 2),
    # the race
    "race4_ce": lambda: _count(_race(-4.0, loss="bce")),
    "race4_mse": lambda: _count(_race(-4.0)),
    "race5_mse": lambda: _count(_race(-5.0)),
    "race6_ce": lambda: _count(_race(-6.0, loss="bce")),
    "race6_mse": lambda: _count(_race(-6.0)),
    "race7_mse": lambda: _count(_race(-7.0)),
    "race4_lr4_ce": lambda: _count(_race(-4.0, 4.0, "bce")),
    "race4_lr4_mse": lambda: _count(_race(-4.0, 4.0)),
    "race4_lr64_mse": lambda: _count(_race(-4.0, RACE_BIG_LR)),
    "race_factor_far": lambda: _sig(_race_factor(RACE_X[0]), 2),
    "race_factor_near": lambda: _sig(_race_factor(RACE_X[4]), 2),
    "race_factor_ratio": lambda: Answer(_race_factor(RACE_X[4]) / _race_factor(RACE_X[0]),
                                        f"{round(_race_factor(RACE_X[4]) / _race_factor(RACE_X[0]), -2):,.0f}"),
    "race4_adam_ce": lambda: _count(_race_adam("bce")),
    "race4_adam_mse": lambda: _count(_race_adam("mse")),
    # label smoothing
    "ls6_true": lambda: _fixed(smoothed_probs(6, SZEGEDY_EPS)[0], 3),
    "ls6_other": lambda: _fixed(smoothed_probs(6, SZEGEDY_EPS)[1], 4),
    "unsure_ls": lambda: _nats(_terms("unsure")["totals"][2]),
    "confident_ls": lambda: _nats(_terms("confident")["totals"][2]),
    "confident_ls_03": lambda: _nats(_terms("confident", 0.3)["totals"][2]),
    "confident_kl_01": lambda: _nats(_smoothed_kl("confident", SZEGEDY_EPS)),
    "confident_kl_03": lambda: _nats(_smoothed_kl("confident", 0.3)),
    "ls6_true_03": lambda: _fixed(smoothed_probs(6, 0.3)[0], 2),
    "confident_ls_slope_03": lambda: _fixed(_terms("confident", 0.3)["slopes"][2], 3),
    "gap6": lambda: _fixed(optimal_logit_gap(6, SZEGEDY_EPS), 2),
    "gap_imagenet": lambda: _fixed(optimal_logit_gap(IMAGENET, SZEGEDY_EPS), 2),
    "gap_llama": lambda: _fixed(optimal_logit_gap(_vocab(), SZEGEDY_EPS), 2),
    "floor6": lambda: _nats(smoothing_floor(6, SZEGEDY_EPS)),
    "floor_imagenet": lambda: _nats(smoothing_floor(IMAGENET, SZEGEDY_EPS), 2),
    "floor_llama": lambda: _nats(smoothing_floor(_vocab(), SZEGEDY_EPS), 2),
    "zero_gap_end": lambda: _fixed(smoothing_run(6, 0.0)[-1], 1),
    "smooth_steps": lambda: _count(SMOOTH_STEPS),
    # exercises
    "ex1_mse": lambda: _plain(mean_squared_error(EX1_YHAT, EX1_Y), 4),
    "ex1_slope": lambda: _plain(2 * (EX1_YHAT[3] - EX1_Y[3]) / len(EX1_Y), 3),
    "ex2_mse": lambda: _plain(squared_error(EX2_Q, (1.0, 0.0, 0.0)), 3),
    "ex2_ce": lambda: _nats(cross_entropy((1.0, 0.0, 0.0), softmax(_ex2_logits()), math.e)),
    "ex2_ls": lambda: _nats(smoothed_cross_entropy(_ex2_logits(), 0, SZEGEDY_EPS)),
    "ex2_target_true": lambda: _fixed(smoothed_probs(3, SZEGEDY_EPS)[0], 4),
    "ex2_target_other": lambda: _fixed(smoothed_probs(3, SZEGEDY_EPS)[1], 4),
    "ex2_floor": lambda: _nats(smoothing_floor(3, SZEGEDY_EPS)),
    "ex3_yes": lambda: _nats(binary_cross_entropy(EX3_Q, 1.0)),
    "ex3_no": lambda: _nats(binary_cross_entropy(EX3_Q, 0.0)),
    "ex3_logit": lambda: _nats(binary_cross_entropy_logit(EX3_Z, 1.0)),
    "ex4_q": lambda: _sig(sigmoid(EX4_Z), 3),
    "ex4_bce_slope": lambda: _fixed(bce_slope(EX4_Z, 1.0), 4),
    "ex4_mse_slope": lambda: _sig(sigmoid_squared_error_slope(EX4_Z, 1.0), 3),
    "ex4_ratio": lambda: _plain(bce_slope(EX4_Z, 1.0) / sigmoid_squared_error_slope(EX4_Z, 1.0), 1),
    "ex4_step_bce": lambda: _fixed(-EX4_LR * bce_slope(EX4_Z, 1.0), 3),
    "ex4_step_mse": lambda: _sig(-EX4_LR * sigmoid_squared_error_slope(EX4_Z, 1.0), 2),
    "ex6_mse_uniform": lambda: _plain(_uniform_squared(), 7),
    "ex6_ce_top": lambda: _nats(surprisal(EX6_TOP, math.e), 4),
    "ex6_mse_top": lambda: _sig(_ex6_squared(), 3),
    "ex6_ls_top": lambda: _nats(_ex6_smoothed(), 2),
    "ex7_gap_small_eps": lambda: _fixed(optimal_logit_gap(_vocab(), EX10_EPS), 2),
    "ex8_bound": lambda: _nats(_ex8_bound(), 2),
    "ex8_ppl_floor": lambda: _fixed(perplexity(smoothing_floor(_vocab(), SZEGEDY_EPS)), 2),
    "ex9_likelihood": lambda: _plain(math.prod(EX9_PROBS), 4),
    "ex9_nll": lambda: _nats(negative_log_likelihood(EX9_PROBS), 3),
    "ex9_mean": lambda: _nats(negative_log_likelihood(EX9_PROBS) / len(EX9_PROBS), 3),
    "ex9_worst_share": lambda: Answer(surprisal(min(EX9_PROBS), math.e) / negative_log_likelihood(EX9_PROBS),
                                      f"{100 * surprisal(min(EX9_PROBS), math.e) / negative_log_likelihood(EX9_PROBS):.0f} %"),
    "ex10_floor_small": lambda: _nats(smoothing_floor(_vocab(), EX10_EPS), 3),
}
