"""Information calculators against closed forms written out by hand.

Each oracle is a formula for a special case (a coin, a uniform choice, two
logits, a certain outcome), not the general sum the calculators use.
"""
import math

import pytest

from llmviz.calc import cross_entropy, entropy, kl_divergence, perplexity, softmax, surprisal

PEAKED = (1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 32)


def coin_entropy(a):
    """Binary entropy in bits, written out: h(a) = −a log₂ a − (1−a) log₂ (1−a)."""
    return -(a * math.log2(a) + (1 - a) * math.log2(1 - a))


# -- surprisal ----------------------------------------------------------------------


def test_surprisal_of_powers_of_two_is_a_whole_number_of_bits():
    for k in range(0, 12):
        assert surprisal(2.0 ** -k) == pytest.approx(k)
    assert surprisal(1.0) == 0.0
    assert surprisal(0.0) == math.inf


def test_surprisal_in_nats_is_bits_times_ln2():
    assert surprisal(1 / 8, math.e) == pytest.approx(3 * math.log(2))
    assert surprisal(0.3, math.e) == pytest.approx(surprisal(0.3) * math.log(2))


# -- entropy -----------------------------------------------------------------------


@pytest.mark.parametrize("v", [1, 2, 6, 10, 1000])
def test_uniform_entropy_is_log_v(v):
    assert entropy([1 / v] * v) == pytest.approx(math.log2(v), abs=1e-12)
    assert entropy([1 / v] * v, base=math.e) == pytest.approx(math.log(v), abs=1e-12)


@pytest.mark.parametrize("a", [0.5, 0.1, 0.25, 0.9, 0.999])
def test_coin_entropy(a):
    assert entropy([a, 1 - a]) == pytest.approx(coin_entropy(a))


def test_certainty_has_no_entropy_and_zero_terms_count_nothing():
    assert entropy([1.0]) == 0.0
    assert entropy([0, 0, 1.0, 0]) == 0.0
    assert entropy([0.5, 0.0, 0.5, 0.0]) == pytest.approx(1.0)


def test_peaked_entropy_is_the_sum_of_questions():
    # token k (1-based) needs k yes/no questions, the last two 5 each
    questions = (1, 2, 3, 4, 5, 5)
    assert entropy(PEAKED) == pytest.approx(sum(p * k for p, k in zip(PEAKED, questions))) == pytest.approx(1.9375)


def test_entropy_in_base_10_and_its_bounds():
    p = (0.2, 0.3, 0.5)
    assert entropy(p, base=10) == pytest.approx(entropy(p) * math.log10(2))
    assert 0 < entropy(p) < math.log2(3)


# -- cross-entropy and KL -------------------------------------------------------------


def test_cross_entropy_of_one_hot_truth_is_minus_log_q():
    q = (0.1, 0.6, 0.3)
    assert cross_entropy((0, 1, 0), q) == pytest.approx(-math.log2(0.6))
    assert cross_entropy((0, 1, 0), q, base=math.e) == pytest.approx(-math.log(0.6))


def test_cross_entropy_against_itself_is_the_entropy():
    assert cross_entropy(PEAKED, PEAKED) == pytest.approx(entropy(PEAKED))
    assert kl_divergence(PEAKED, PEAKED) == 0.0


@pytest.mark.parametrize("a,b", [(0.5, 0.25), (0.1, 0.9), (0.7, 0.7), (0.01, 0.5)])
def test_coin_kl_closed_form(a, b):
    want = a * math.log2(a / b) + (1 - a) * math.log2((1 - a) / (1 - b))
    assert kl_divergence([a, 1 - a], [b, 1 - b]) == pytest.approx(want, abs=1e-12)
    # cross-entropy = entropy + KL
    assert cross_entropy([a, 1 - a], [b, 1 - b]) == pytest.approx(coin_entropy(a) + want)


def test_uniform_model_costs_log_v_whatever_the_truth():
    q = [1 / 6] * 6
    for p in (PEAKED, (1, 0, 0, 0, 0, 0), (0.5, 0.5, 0, 0, 0, 0)):
        assert cross_entropy(p, q) == pytest.approx(math.log2(6))
        assert kl_divergence(p, q) == pytest.approx(math.log2(6) - entropy(p))


def test_kl_is_not_symmetric_and_infinite_where_q_rules_out_a_possibility():
    two = (0.5, 0.5, 0, 0, 0, 0)
    assert kl_divergence(two, PEAKED) == pytest.approx(0.5)        # ½·log₂(½/½) + ½·log₂(½/¼)
    assert kl_divergence(PEAKED, two) == math.inf
    assert cross_entropy(PEAKED, two) == math.inf
    # zeros in p are harmless whatever q says there
    assert cross_entropy((1, 0), (1, 0)) == 0.0


# -- softmax ---------------------------------------------------------------------------


@pytest.mark.parametrize("a,b", [(0.0, 0.0), (2.0, -1.0), (-3.5, 4.0)])
def test_two_logits_give_a_sigmoid(a, b):
    q = softmax([a, b])
    assert q[0] == pytest.approx(1 / (1 + math.exp(b - a)))
    assert sum(q) == pytest.approx(1.0)


def test_softmax_ignores_a_common_shift_and_survives_huge_logits():
    base = softmax([2.0, 1.0, 0.0])
    assert softmax([1002.0, 1001.0, 1000.0]) == pytest.approx(base)
    assert softmax([-1000.0, -1001.0, -1002.0]) == pytest.approx(base)
    e = math.e
    assert base == pytest.approx([e * e / (e * e + e + 1), e / (e * e + e + 1), 1 / (e * e + e + 1)])


def test_temperature_divides_the_logits():
    z = [3.0, 2.0, 1.0, 0.0, -1.0, -1.0]
    for tau in (0.3, 1.0, 1.7, 5.0):
        assert softmax(z, tau) == pytest.approx(softmax([v / tau for v in z]))
    # τ = 1/ln 2 turns e^z into 2^z: exactly the halving distribution
    assert softmax(z, 1 / math.log(2)) == pytest.approx(PEAKED)
    assert max(softmax(z, 0.1)) > 0.9999 and max(softmax(z, 100.0)) < 0.2


def test_minus_infinity_is_a_masked_entry():
    assert softmax([0.0, -math.inf, 0.0]) == [0.5, 0.0, 0.5]


# -- perplexity ------------------------------------------------------------------------------


def test_perplexity_inverts_the_log():
    assert perplexity(3.0, 2.0) == pytest.approx(8.0)
    assert perplexity(math.log(128256)) == pytest.approx(128256)
    assert perplexity(0.0) == 1.0
    assert perplexity(entropy([0.25] * 4), 2.0) == pytest.approx(4.0)


def test_perplexity_of_an_infinite_or_huge_loss_is_infinite():
    # a model that gave a real outcome probability 0 has an infinite cross-entropy
    assert perplexity(cross_entropy((0.5, 0.5), (1.0, 0.0)), 2.0) == math.inf
    # e^1000 is beyond the largest float (about 1.8e308 = e^709.8)
    assert perplexity(1000.0) == math.inf


# -- the contract: default unit, edge cases, accepted inputs --------------------------------


def test_the_default_unit_is_bits():
    coin = (0.5, 0.5)
    assert entropy(coin) == 1.0
    assert cross_entropy(coin, (0.25, 0.75)) == pytest.approx(0.5 * 2 + 0.5 * math.log2(4 / 3))
    assert kl_divergence(coin, (0.25, 0.75)) == pytest.approx(
        cross_entropy(coin, (0.25, 0.75)) - 1.0)


def test_zero_times_log_zero_is_zero_and_q_zero_under_p_positive_is_infinite():
    # 0·log 0 = 0 wherever p is 0, whatever q says there (even 0)
    assert entropy((0.0, 1.0)) == 0.0
    assert cross_entropy((0.0, 1.0), (0.0, 1.0)) == 0.0
    assert kl_divergence((0.0, 1.0), (0.0, 1.0)) == 0.0
    # q = 0 where p > 0, however small p is: infinite, not an error
    assert cross_entropy((1e-7, 1 - 1e-7), (0.0, 1.0)) == math.inf
    assert kl_divergence((1e-7, 1 - 1e-7), (0.0, 1.0)) == math.inf
    assert kl_divergence((1e-7, 1 - 1e-7), (0.0, 1.0), base=math.e) == math.inf


def test_the_sum_tolerance_is_inclusive_and_symmetric():
    # 0.5 + 1e-6 + 0.5 exceeds 1 + 1e-6 only by a rounding error of the floats
    assert entropy([0.5 + 1e-6, 0.5]) == pytest.approx(1.0, abs=1e-5)
    assert entropy([0.5 - 1e-6, 0.5]) == pytest.approx(1.0, abs=1e-5)
    for bad in ([0.5 + 1.1e-6, 0.5], [0.5 - 1.1e-6, 0.5]):
        with pytest.raises(ValueError):
            entropy(bad)
        with pytest.raises(ValueError):
            cross_entropy([0.5, 0.5], bad)
        with pytest.raises(ValueError):
            kl_divergence(bad, [0.5, 0.5])


def test_numpy_numbers_of_any_width_are_accepted():
    np = pytest.importorskip("numpy")
    p32 = np.array([0.5, 0.25, 0.25], dtype=np.float32)
    assert entropy(p32) == pytest.approx(1.5)
    assert kl_divergence(p32, np.array([0.5, 0.25, 0.25])) == pytest.approx(0.0, abs=1e-12)
    assert softmax(np.array([0.0, 0.0], dtype=np.float32)) == [0.5, 0.5]
    assert softmax([np.int64(1), 1]) == [0.5, 0.5]
    with pytest.raises(ValueError):
        entropy([True, False])


# -- bad input names the argument ---------------------------------------------------------------


@pytest.mark.parametrize("call,name", [
    (lambda: entropy([0.5, 0.4]), "p"),
    (lambda: entropy([]), "p"),
    (lambda: entropy([1.2, -0.2]), "p[1]"),
    (lambda: entropy([0.5, float("nan"), 0.5]), "p[1]"),
    (lambda: entropy("ab"), "p[0]"),
    (lambda: cross_entropy([0.5, 0.5], [0.9, 0.2]), "q"),
    (lambda: cross_entropy([0.5, 0.5], [1.0]), "q"),
    (lambda: kl_divergence([0.5, 0.5], [-0.5, 1.5]), "q[0]"),
    (lambda: kl_divergence([0.6, 0.6], [0.5, 0.5]), "p"),
    (lambda: entropy([0.5, 0.5], base=1), "base"),
    (lambda: entropy([0.5, 0.5], base=0), "base"),
    (lambda: softmax([]), "logits"),
    (lambda: softmax([1.0, 2.0], temperature=0), "temperature"),
    (lambda: softmax([1.0, 2.0], temperature=-1), "temperature"),
    (lambda: softmax([1.0, float("nan")]), "logits[1]"),
    (lambda: softmax([-math.inf, -math.inf]), "logits"),
    (lambda: softmax([1.0, math.inf]), "logits[1]"),
    (lambda: softmax(["a"]), "logits[0]"),
    (lambda: softmax([1.0, 2.0], temperature=math.inf), "temperature"),
    (lambda: surprisal(1.5), "prob"),
    (lambda: perplexity(-1.0), "loss"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError) as e:
        call()
    assert str(e.value).startswith(name), str(e.value)


def test_sums_within_the_tolerance_are_accepted():
    assert entropy([0.5 + 4e-7, 0.5]) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError):
        entropy([0.5 + 2e-6, 0.5])
