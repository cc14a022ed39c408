"""Chapter p01-c03's answers against independent oracles: numpy, finite differences, closed forms and published figures."""

import numpy as np
import pytest

from llmviz.answers import answers_for

A = answers_for("p01-c03-losses")

LLAMA3_VOCAB = 128_256      # config.json of meta-llama/Meta-Llama-3-8B, vocab_size
EPS = 0.1                   # Szegedy et al. 2016, section 7: ε = 0.1, K = 1000 on ImageNet
# the score view's predictions, written out again: logits over mat, floor, sofa, bed, roof, moon
UNSURE = [2.0, 1.5, 1.0, 0.5, 0.0, -1.0]
CONFIDENT = [4.0, 1.0, 0.5, 0.0, -0.5, -1.0]
SUREWRONG = [-3.0, 6.0, 1.0, 0.5, 0.0, -0.5]
# the race's eight points
RACE_X = np.array([-2.4, -1.6, -1.0, -0.4, 0.3, 0.9, 1.7, 2.3])
RACE_Y = (RACE_X > 0).astype(float)


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


def softmax(z):
    e = np.exp(np.asarray(z, float) - np.max(z))
    return e / e.sum()


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def onehot(i, n=6):
    v = np.zeros(n)
    v[i] = 1.0
    return v


def smooth(eps, n=6, i=0):
    return (1 - eps) * onehot(i, n) + eps / n


def xent(p, q):
    p, q = np.asarray(p), np.asarray(q)
    m = p > 0
    return float(-(p[m] * np.log(q[m])).sum())


def d(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# -- the catalog ----------------------------------------------------------------------------


def test_vocabulary_and_uniform_guess():
    assert val("llama_vocab") == LLAMA3_VOCAB and text("llama_vocab") == "128,256"
    assert val("llama_uniform_nats") == pytest.approx(np.log(LLAMA3_VOCAB))
    assert text("llama_uniform_nats") == "11.76 nats"


# -- squared error ----------------------------------------------------------------------------


def test_regression_example():
    assert val("reg_mse") == pytest.approx(np.mean((np.array([2.5, 0, 4]) - np.array([3, -1, 2])) ** 2))
    assert text("reg_mse") == "1.75"


def test_unsure_guess_under_squared_error():
    q = softmax(UNSURE)
    assert text("unsure_q") == "(" + ", ".join(f"{x:.3f}" for x in q) + ")"
    assert val("unsure_q_mat") == pytest.approx(q[0])
    assert val("unsure_mse") == pytest.approx(np.sum((q - onehot(0)) ** 2))
    assert val("unsure_mse_mat") == pytest.approx((q[0] - 1) ** 2)
    assert val("unsure_mse_rest") == pytest.approx(np.sum(q[1:] ** 2))
    assert val("unsure_mse_mat") + val("unsure_mse_rest") == pytest.approx(val("unsure_mse"))


def test_sure_and_wrong_guess_near_the_ceiling_of_squared_error():
    q = softmax(SUREWRONG)
    assert val("surewrong_q_floor") == pytest.approx(q[1])
    assert val("surewrong_mse") == pytest.approx(np.sum((q - onehot(0)) ** 2))
    assert 1.9 < val("surewrong_mse") < 2.0
    assert val("surewrong_ce") == pytest.approx(-np.log(q[0]))
    assert val("tiny_ce") == pytest.approx(100 * np.log(10)) and text("tiny_ce") == "230 nats"


def test_right_and_sure_guess():
    q = softmax(CONFIDENT)
    assert val("confident_q_mat") == pytest.approx(q[0])
    assert val("confident_ce") == pytest.approx(-np.log(q[0]))
    assert val("confident_mse") == pytest.approx(np.sum((q - onehot(0)) ** 2))


# -- cross-entropy and likelihood ------------------------------------------------------------------


def test_unsure_cross_entropy_is_the_entropy_chapters_number_at_logit_2():
    assert val("unsure_ce") == pytest.approx(-np.log(softmax(UNSURE)[0]))
    assert val("unsure_ce") == pytest.approx(answers_for("p00-c06-entropy")["logit_loss"]().value)


def test_likelihood_and_negative_log_likelihood():
    probs = np.array([0.9, 0.6, 0.05])
    assert val("nll_likelihood") == pytest.approx(np.prod(probs)) and text("nll_likelihood") == "0.027"
    assert val("nll_total") == pytest.approx(-np.log(np.prod(probs)))
    assert val("nll_worst") == pytest.approx(-np.log(0.05)) and text("nll_worst") == "3.00 nats"


# -- binary cross-entropy ---------------------------------------------------------------------------


def test_binary_cross_entropy_values():
    assert val("bce_08_yes") == pytest.approx(-np.log(0.8))
    assert val("bce_08_no") == pytest.approx(-np.log(0.2))
    assert val("sig_2") == pytest.approx(sigmoid(2.0))
    assert val("bce_z2") == pytest.approx(-np.log(sigmoid(2.0)))


# -- slopes ---------------------------------------------------------------------------------------


def bce(z, y=1.0):
    q = sigmoid(z)
    return -(y * np.log(q) + (1 - y) * np.log(1 - q))


def sq(z, y=1.0):
    return (sigmoid(z) - y) ** 2


def test_slopes_at_a_logit_of_minus_six_by_finite_differences():
    assert val("z6_q") == pytest.approx(sigmoid(-6.0)) and text("z6_q") == "0.00247"
    assert val("z6_bce") == pytest.approx(bce(-6.0))
    assert val("z6_mse") == pytest.approx(sq(-6.0))
    assert val("z6_bce_slope") == pytest.approx(d(bce, -6.0), abs=1e-7)
    assert val("z6_mse_slope") == pytest.approx(d(sq, -6.0), abs=1e-9)
    assert val("z6_ratio") == pytest.approx(d(bce, -6.0) / d(sq, -6.0), rel=1e-5)
    assert text("z6_ratio") == "203"
    assert val("z10_ratio") == pytest.approx(d(bce, -10.0) / d(sq, -10.0), rel=1e-4)


def test_saturation_threshold_and_the_peak_of_the_squared_errors_slope():
    assert val("sat_z") == pytest.approx(np.log(19)) and sigmoid(-val("sat_z")) == pytest.approx(0.05)
    zs = np.linspace(-8, 8, 160_001)
    slope = 2 * (sigmoid(zs) - 1) * sigmoid(zs) * (1 - sigmoid(zs))
    k = int(np.argmin(slope))
    assert val("peak_z") == pytest.approx(zs[k], abs=1e-3) and val("peak_z") == pytest.approx(-np.log(2))
    assert val("peak_slope") == pytest.approx(-8 / 27) and val("peak_slope") == pytest.approx(slope[k], abs=1e-8)
    assert val("peak_bce_slope") == pytest.approx(-2 / 3)


def test_softmax_slopes_of_the_sure_and_wrong_guess():
    z = np.array(SUREWRONG)
    p = onehot(0)

    def sqerr(u):
        zz = z.copy()
        zz[0] = u
        return float(np.sum((softmax(zz) - p) ** 2))

    def ce(u):
        zz = z.copy()
        zz[0] = u
        return float(-np.log(softmax(zz)[0]))

    assert val("surewrong_q_mat") == pytest.approx(softmax(z)[0])
    assert val("surewrong_ce_slope") == pytest.approx(d(ce, z[0]), abs=1e-7)
    assert val("surewrong_mse_slope") == pytest.approx(d(sqerr, z[0]), abs=1e-9)


# -- the race -----------------------------------------------------------------------------------------


def np_race(loss, w0, lr, steps=3000):
    """Gradient descent on the race's neuron in numpy; the first step with every point right."""
    w, b = w0, 0.0
    for k in range(steps + 1):
        if np.all((w * RACE_X + b > 0) == (RACE_Y == 1)):
            return k
        q = sigmoid(w * RACE_X + b)
        g = q - RACE_Y if loss == "bce" else 2 * (q - RACE_Y) * q * (1 - q)
        w, b = w - lr * np.mean(g * RACE_X), b - lr * np.mean(g)
    return None


@pytest.mark.parametrize("name,loss,w0,lr", [
    ("race4_ce", "bce", -4.0, 1.0), ("race4_mse", "mse", -4.0, 1.0), ("race5_mse", "mse", -5.0, 1.0),
    ("race6_ce", "bce", -6.0, 1.0), ("race6_mse", "mse", -6.0, 1.0), ("race7_mse", "mse", -7.0, 1.0),
    ("race4_lr4_ce", "bce", -4.0, 4.0), ("race4_lr4_mse", "mse", -4.0, 4.0),
    ("race4_lr64_mse", "mse", -4.0, 64.0),
])
def test_race_finishes(name, loss, w0, lr):
    assert val(name) == np_race(loss, w0, lr)


def test_the_sigmoids_slope_at_the_races_start_for_the_most_and_least_wrong_points():
    z = -4.0 * RACE_X
    wrongness = np.abs(sigmoid(z) - RACE_Y)
    far, near = int(np.argmax(wrongness)), int(np.argmin(wrongness))
    assert RACE_X[far] == -2.4 and RACE_X[near] == 0.3
    for name, i in (("race_factor_far", far), ("race_factor_near", near)):
        assert val(name) == pytest.approx(sigmoid(z[i]) * (1 - sigmoid(z[i])))
    assert text("race_factor_far") == "0.000068" and text("race_factor_near") == "0.18"


def np_race_adam(loss, w0, lr, steps=3000, b1=0.9, b2=0.999, eps=1e-8):
    """The race under Adam (Kingma and Ba 2015, Algorithm 1, its default constants) in numpy."""
    theta, m, v = np.array([w0, 0.0]), np.zeros(2), np.zeros(2)
    for k in range(steps + 1):
        w, b = theta
        if np.all((w * RACE_X + b > 0) == (RACE_Y == 1)):
            return k
        q = sigmoid(w * RACE_X + b)
        g = q - RACE_Y if loss == "bce" else 2 * (q - RACE_Y) * q * (1 - q)
        grad = np.array([np.mean(g * RACE_X), np.mean(g)])
        m, v = b1 * m + (1 - b1) * grad, b2 * v + (1 - b2) * grad ** 2
        theta = theta - lr * (m / (1 - b1 ** (k + 1))) / (np.sqrt(v / (1 - b2 ** (k + 1))) + eps)
    return None


def test_adam_closes_most_of_the_race_but_not_the_per_point_factor():
    assert val("race4_adam_ce") == np_race_adam("bce", -4.0, 0.1)
    assert val("race4_adam_mse") == np_race_adam("mse", -4.0, 0.1)
    # "far closer": the ratio of the two counts falls from over 10 to under 2
    assert val("race4_mse") / val("race4_ce") > 10 > 2 > val("race4_adam_mse") / val("race4_adam_ce") > 1
    z = -4.0 * RACE_X
    f = sigmoid(z) * (1 - sigmoid(z))
    assert val("race_factor_ratio") == pytest.approx(f[4] / f[0]) and text("race_factor_ratio") == "2,600"


def test_squared_errors_race_more_than_doubles_per_unit_of_wrongness():
    counts = [val(n) for n in ("race4_mse", "race5_mse", "race6_mse", "race7_mse")]
    assert all(b > 2 * a for a, b in zip(counts, counts[1:]))
    assert val("race6_ce") <= val("race4_ce") + 2


# -- label smoothing --------------------------------------------------------------------------------------


def test_smoothed_targets_and_losses_of_the_six_tokens():
    t = smooth(EPS)
    assert val("ls6_true") == pytest.approx(t[0]) and text("ls6_true") == "0.917"
    assert val("ls6_other") == pytest.approx(t[1]) and text("ls6_other") == "0.0167"
    assert val("unsure_ls") == pytest.approx(xent(t, softmax(UNSURE)))
    assert val("confident_ls") == pytest.approx(xent(t, softmax(CONFIDENT)))
    assert val("confident_ls_03") == pytest.approx(xent(smooth(0.3), softmax(CONFIDENT)))
    for name, eps in (("confident_kl_01", 0.1), ("confident_kl_03", 0.3)):
        p, q = smooth(eps), softmax(CONFIDENT)
        assert val(name) == pytest.approx(float(np.sum(p * np.log(p / q))))
    assert val("confident_kl_03") > val("confident_kl_01")
    assert val("ls6_true_03") == pytest.approx(smooth(0.3)[0]) and text("ls6_true_03") == "0.75"
    z = np.array(CONFIDENT)

    def smoothed(u):
        zz = z.copy()
        zz[0] = u
        return xent(smooth(0.3), softmax(zz))

    assert val("confident_ls_slope_03") == pytest.approx(d(smoothed, z[0]), abs=1e-7)
    assert val("confident_ls_slope_03") > 0


def descend_full_logits(v, eps, steps, lr=1.0):
    """Gradient descent on all v logits of the smoothed loss, from zero; returns the final gap."""
    z = np.zeros(v)
    target = smooth(eps, v)
    for _ in range(steps):
        z -= lr * (softmax(z) - target)
    return z[0] - z[1]


@pytest.mark.parametrize("name,v", [("gap6", 6), ("gap_imagenet", 1000), ("gap_llama", LLAMA3_VOCAB)])
def test_best_gap_equals_the_ratio_of_target_probabilities(name, v):
    a, b = 1 - EPS + EPS / v, EPS / v
    assert val(name) == pytest.approx(np.log(a / b))


def test_gradient_descent_on_six_full_logits_finds_the_best_gap():
    assert descend_full_logits(6, EPS, 400) == pytest.approx(val("gap6"), abs=1e-6)
    assert val("gap6") == pytest.approx(np.log(55))


def test_without_smoothing_the_gap_keeps_growing():
    end = descend_full_logits(6, 0.0, 10_000)
    assert val("zero_gap_end") == pytest.approx(end, rel=1e-9)
    assert val("smooth_steps") == 10_000
    assert descend_full_logits(6, 0.0, 20_000) > end + 0.5


@pytest.mark.parametrize("name,v", [("floor6", 6), ("floor_imagenet", 1000), ("floor_llama", LLAMA3_VOCAB)])
def test_floors_are_the_entropy_of_the_smoothed_target(name, v):
    t = np.full(v, EPS / v)
    t[0] = 1 - EPS + EPS / v
    assert val(name) == pytest.approx(float(-(t * np.log(t)).sum()))


# -- exercises -------------------------------------------------------------------------------------------


def test_exercise_1_squared_error_by_hand():
    yhat, y = np.array([1.8, 0.5, 3.2, 2.0]), np.array([2.0, 1.0, 3.0, 3.0])
    assert val("ex1_mse") == pytest.approx(np.mean((yhat - y) ** 2)) and text("ex1_mse") == "0.3325"
    assert val("ex1_slope") == pytest.approx(d(lambda u: np.mean((np.r_[yhat[:3], u] - y) ** 2), 2.0))


def test_exercise_2_three_losses():
    q = np.array([0.7, 0.2, 0.1])
    assert val("ex2_mse") == pytest.approx(np.sum((q - onehot(0, 3)) ** 2))
    assert val("ex2_ce") == pytest.approx(-np.log(0.7))
    t = smooth(EPS, 3)
    assert val("ex2_target_true") == pytest.approx(t[0]) and val("ex2_target_other") == pytest.approx(t[1])
    assert val("ex2_ls") == pytest.approx(xent(t, q))
    assert val("ex2_floor") == pytest.approx(xent(t, t))


def test_exercise_3_binary_cross_entropy():
    assert val("ex3_yes") == pytest.approx(-np.log(0.9))
    assert val("ex3_no") == pytest.approx(-np.log(0.1))
    assert val("ex3_logit") == pytest.approx(bce(-3.0))


def test_exercise_4_saturated_slopes():
    assert val("ex4_q") == pytest.approx(sigmoid(-5.0))
    assert val("ex4_bce_slope") == pytest.approx(d(bce, -5.0), abs=1e-7)
    assert val("ex4_mse_slope") == pytest.approx(d(sq, -5.0), abs=1e-9)
    assert val("ex4_ratio") == pytest.approx(1 / (2 * sigmoid(-5.0) * (1 - sigmoid(-5.0))))
    assert val("ex4_step_bce") == pytest.approx(-0.5 * d(bce, -5.0), abs=1e-7)
    assert val("ex4_step_mse") == pytest.approx(-0.5 * d(sq, -5.0), abs=1e-9)


def test_exercise_6_uniform_and_confident_over_llama3():
    v = LLAMA3_VOCAB
    uniform = np.full(v, 1 / v)
    assert val("ex6_mse_uniform") == pytest.approx(np.sum((uniform - onehot(0, v)) ** 2))
    conf = np.full(v, 0.01 / (v - 1))
    conf[0] = 0.99
    t = smooth(EPS, v)
    assert val("ex6_ce_top") == pytest.approx(-np.log(0.99))
    assert val("ex6_mse_top") == pytest.approx(np.sum((conf - onehot(0, v)) ** 2))
    assert val("ex6_ls_top") == pytest.approx(xent(t, conf))
    # a uniform guess pays ln V under the smoothed loss too
    assert xent(t, uniform) == pytest.approx(val("llama_uniform_nats"))


def test_exercise_7_gap_at_small_smoothing():
    v, eps = LLAMA3_VOCAB, 0.01
    assert val("ex7_gap_small_eps") == pytest.approx(np.log((1 - eps + eps / v) / (eps / v)))


def test_exercise_8_floor_perplexity_and_lower_bound():
    assert val("ex8_ppl_floor") == pytest.approx(np.exp(val("floor_llama")))
    assert val("ex8_bound") == pytest.approx(0.9 * 2.0 + 0.1 * np.log(LLAMA3_VOCAB))
    # the bound holds for a random model whose plain loss is whatever it is
    rng = np.random.default_rng(0)
    q = softmax(rng.normal(size=LLAMA3_VOCAB) * 3)
    plain = -np.log(q[0])
    assert xent(smooth(EPS, LLAMA3_VOCAB), q) >= 0.9 * plain + 0.1 * np.log(LLAMA3_VOCAB)


def test_exercise_9_likelihood_of_four_examples():
    probs = np.array([0.9, 0.6, 0.05, 0.8])
    assert val("ex9_likelihood") == pytest.approx(np.prod(probs))
    assert val("ex9_nll") == pytest.approx(-np.log(np.prod(probs)))
    assert val("ex9_mean") == pytest.approx(-np.mean(np.log(probs)))
    assert val("ex9_worst_share") == pytest.approx(np.log(0.05) / np.sum(np.log(probs)))
    assert text("ex9_worst_share") == "78 %"


def test_exercise_10_smaller_smoothing_floor():
    v, eps = LLAMA3_VOCAB, 0.01
    t = np.full(v, eps / v)
    t[0] = 1 - eps + eps / v
    assert val("ex10_floor_small") == pytest.approx(float(-(t * np.log(t)).sum()))
