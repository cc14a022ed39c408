"""Chapter p00-c06's answers against independent oracles: numpy, fractions and published figures."""
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for

A = answers_for("p00-c06-entropy")
SOURCE = Path(__file__).resolve().parents[2] / "chapters" / "p00-c06-entropy.md"

PEAKED = np.array([1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 32])
LOGITS = np.array([3.0, 2.0, 1.0, 0.0, -1.0, -1.0])     # the compare view's q favouring "mat"
NEXT = np.array([2.0, 1.5, 1.0, 0.5, 0.0, -1.0])        # the next-token view's logits, truth "mat" first
LLAMA3_VOCAB = 128_256                                   # config.json of meta-llama/Meta-Llama-3-8B


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


def np_softmax(z, tau=1.0):
    e = np.exp((np.asarray(z) - np.max(z)) / tau)
    return e / e.sum()


def np_xent(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(-(p[m] * np.log2(q[m])).sum())




def test_distribution_and_expectation():
    assert val("llama_vocab") == LLAMA3_VOCAB and text("llama_vocab") == "128,256"
    letters = [len(w) for w in ("mat", "floor", "sofa", "bed", "roof", "moon")]
    exact = sum(Fraction(1, 2 ** k) * n for k, n in zip((1, 2, 3, 4, 5, 5), letters))
    assert val("expected_letters") == pytest.approx(float(exact)) and text("expected_letters") == "3.6875 letters"


def test_entropies_in_bits_and_nats():
    exact = sum(Fraction(1, 2 ** k) * k for k in (1, 2, 3, 4)) + 2 * Fraction(1, 32) * 5
    assert val("peaked_H") == pytest.approx(float(exact)) and text("peaked_H") == "1.9375 bits"
    assert val("peaked_H_nats") == pytest.approx(float(exact) * np.log(2))
    assert val("uniform6_H") == pytest.approx(np.log2(6)) and text("uniform6_H") == "2.585 bits"
    assert val("uniform6_nats") == pytest.approx(np.log(6))
    assert val("bits_per_nat") == pytest.approx(np.log2(np.e))


def test_softmax_of_the_compare_views_logits():
    q = np_softmax(LOGITS)
    assert val("default_exp_sum") == pytest.approx(np.exp(LOGITS).sum())
    assert text("default_q") == "(0.629, 0.231, 0.085, 0.031, 0.012, 0.012)"
    assert val("default_q") == pytest.approx(q[0])
    assert val("sharp_q_mat") == pytest.approx(np_softmax(LOGITS, 0.3)[0])
    assert val("flat_q_mat") == pytest.approx(np_softmax(LOGITS, 5.0)[0])


def test_cross_entropy_and_kl_of_the_compare_view():
    q = np_softmax(LOGITS)
    h = -(PEAKED * np.log2(PEAKED)).sum()
    assert val("default_ce") == pytest.approx(np_xent(PEAKED, q))
    assert val("default_kl") == pytest.approx((PEAKED * np.log2(PEAKED / q)).sum())
    assert val("default_ce") == pytest.approx(h + val("default_kl"))
    assert text("default_ce") == "2.021 bits" and text("default_kl") == "0.084 bits"
    assert val("sharp_ce") == pytest.approx(np_xent(PEAKED, np_softmax(LOGITS, 0.3)))
    assert val("flat_ce") == pytest.approx(np_xent(PEAKED, np_softmax(LOGITS, 5.0)))
    assert min(val("sharp_ce"), val("flat_ce")) > val("default_ce")
    # favouring bed rotates the logits so that bed (index 3) gets the 3
    q_bed = np_softmax(np.roll(LOGITS, 3))
    assert val("bed_kl") == pytest.approx((PEAKED * np.log2(PEAKED / q_bed)).sum())


def test_temperature_that_matches_p():
    tau = val("tau_match")
    assert tau == pytest.approx(1 / np.log(2))
    assert np.allclose(np_softmax(LOGITS, tau), PEAKED)


def next_token(z):
    logits = NEXT.copy()
    logits[0] = z
    q = np_softmax(logits)
    return q[0], -np.log(q[0])


def test_next_token_loss_at_the_default_logit():
    z = val("logit_z")
    q, loss = next_token(z)
    assert z == 2
    assert val("logit_q") == pytest.approx(q) and text("logit_q") == "0.420"
    assert val("logit_loss") == pytest.approx(loss)
    assert val("logit_loss_bits") == pytest.approx(loss / np.log(2))
    # d/dz [−z + ln Σ e^z] by a central difference
    h = 1e-6
    slope = (next_token(z + h)[1] - next_token(z - h)[1]) / (2 * h)
    assert val("logit_slope") == pytest.approx(slope, abs=1e-6)
    assert val("logit_slope") == pytest.approx(q - 1)


def test_the_sweep_endpoints_and_the_overtaking_point():
    assert val("zlo_loss") == pytest.approx(next_token(-4.0)[1])
    assert val("zhi_loss") == pytest.approx(next_token(8.0)[1])
    assert val("rival_q") == pytest.approx(next_token(1.5)[0])
    assert val("rival_loss") == pytest.approx(next_token(1.5)[1])
    q6, l6 = next_token(6.0)
    assert val("z6_slope") == pytest.approx(q6 - 1) and val("z6_loss") == pytest.approx(l6)
    assert val("rise_seconds") == 10


def test_llama_uniform_guess():
    assert val("llama_uniform_nats") == pytest.approx(np.log(LLAMA3_VOCAB))
    assert text("llama_uniform_nats") == "11.76 nats"
    assert val("llama_uniform_bits") == pytest.approx(np.log2(LLAMA3_VOCAB))
    assert text("llama_uniform_bits") == "16.97 bits"


def geometric_entropy_bits(n, r):
    p = r ** np.arange(n)
    p /= p.sum()
    return float(-(p * np.log2(p)).sum())


def test_perplexity_view_numbers():
    h = geometric_entropy_bits(12, 0.6)
    assert val("ppl_default_H") == pytest.approx(h)
    assert val("ppl_default") == pytest.approx(2 ** h) and text("ppl_default") == "5.30"
    assert val("ppl_sharp") == pytest.approx(2 ** geometric_entropy_bits(12, 0.2))


def test_kaplan_scaling_law_in_nats():
    # Kaplan et al. (2020), eq. 1.1: L(N) = (N_c/N)^α_N, α_N ≈ 0.076, N_c ≈ 8.8e13; loss in nats (§1.3);
    # vocabulary 50,257 (§2)
    loss = np.exp(0.076 * np.log(8.8e13 / 1e9))
    assert val("kaplan_loss") == pytest.approx(loss) and text("kaplan_loss") == "2.38 nats"
    assert val("kaplan_ppl") == pytest.approx(np.exp(loss)) and text("kaplan_ppl") == "10.8"
    assert val("gpt2_uniform_nats") == pytest.approx(np.log(50257))
    assert val("kaplan_ratio") == pytest.approx(50257 / np.exp(loss))


def test_exercise_surprises():
    assert (val("ex1_half"), val("ex1_eighth"), val("ex1_kilo")) == (1, 3, 10)
    assert text("ex1_half") == "1 bit"
    assert val("ex1_eighth_nats") == pytest.approx(3 * np.log(2))


def test_exercise_two_way_against_peaked():
    p = np.array([0.5, 0.5, 0, 0, 0, 0])
    assert val("ex3_h") == 1
    assert val("ex3_ce") == pytest.approx(np_xent(p, PEAKED)) == pytest.approx(1.5)
    assert val("ex3_kl") == pytest.approx(0.5)


def test_exercise_softmax_by_hand():
    q = np_softmax([2.0, 1.0, 0.0])
    assert text("ex4_q") == "(0.665, 0.245, 0.090)"
    assert val("ex4_loss") == pytest.approx(-np.log(q[1]))
    assert val("ex4_slope") == pytest.approx(q[1] - 1)


def test_exercise_conversions():
    assert val("ex6_e2") == pytest.approx(np.e ** 2)
    assert val("ex6_bits3") == 8
    assert val("ex6_ln20") == pytest.approx(np.log(20))
    assert val("ex6_log2_20") == pytest.approx(np.log2(20))


def test_exercise_sentence_loss():
    probs = np.array([0.5, 0.25, 0.8, 0.1])
    losses = -np.log(probs)
    assert val("ex8_sum") == pytest.approx(losses.sum())
    assert val("ex8_mean") == pytest.approx(losses.mean())
    # perplexity = geometric mean of 1/q
    assert val("ex8_ppl") == pytest.approx(np.prod(1 / probs) ** 0.25) == pytest.approx(100 ** 0.25)
    assert val("ex8_worst") == pytest.approx(np.log(10))
    assert text("ex8_worst_share") == "50 %"


def test_exercise_gap_and_tokenizers():
    assert val("ex9_kl_a") == pytest.approx(0.3) and val("ex9_kl_b") == pytest.approx(0.1)
    assert val("ex9_ratio") == pytest.approx(3)
    assert val("ex10_a_total") == pytest.approx(1900) and val("ex10_b_total") == pytest.approx(2210)
    assert val("ex10_a_byte") == pytest.approx(1900 / 4000 / math.log(2))
    assert val("ex10_b_byte") == pytest.approx(2210 / 4000 / math.log(2))
    assert val("ex10_a_byte") < val("ex10_b_byte")


def test_draw_pace_matches_the_mode():
    from llmviz.modes.part00_math.entropy import EntropyMode

    m = EntropyMode(submode="surprise")
    tel = lambda t: {e["id"]: e for e in m.frame(t)["telemetry"]}["draws"]["value"]
    # draw k appears (k − 1) / rate seconds in; all of them by draws / rate
    assert tel(0.0) == 1
    assert tel((val("draws") - 1) / val("draw_rate")) == val("draws")
