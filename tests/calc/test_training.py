"""6ND and the Chinchilla split, checked against Hoffmann et al. (2022) and Brown et al. (2020)."""
import numpy as np
import pytest

from llmviz.calc.training import TOKENS_PER_PARAM, chinchilla_optimal, training_flops

# Hoffmann et al. 2022, Table 3 (Approach 1): parameters, FLOPs, tokens.
CHINCHILLA_TABLE_3 = [
    (400e6, 1.92e19, 8.0e9),
    (1e9, 1.21e20, 20.2e9),
    (10e9, 1.23e22, 205.1e9),
    (67e9, 5.76e23, 1.5e12),
    (175e9, 3.85e24, 3.7e12),
    (280e9, 9.90e24, 5.9e12),
    (520e9, 3.43e25, 11.0e12),
    (1e12, 1.27e26, 21.2e12),
    (10e12, 1.30e28, 216.2e12),
]


@pytest.mark.parametrize("params,flops,tokens", CHINCHILLA_TABLE_3)
def test_chinchilla_optimal_reproduces_table_3(params, flops, tokens):
    # The 20-tokens-per-parameter fit with C = 6ND lands within 8 % of every row
    # (the 67B row's tokens are rounded to 1.5T; 6·67e9·1.5e12 is itself 5 % off its FLOPs).
    n, d = chinchilla_optimal(flops)
    assert n == pytest.approx(params, rel=0.08)
    assert d == pytest.approx(tokens, rel=0.08)


def test_chinchilla_model_itself():
    # Chinchilla: 70B parameters on 1.4T tokens with Gopher's budget of 5.76e23 FLOPs.
    n, d = chinchilla_optimal(5.76e23)
    assert n == pytest.approx(70e9, rel=0.02)
    assert d == pytest.approx(1.4e12, rel=0.02)
    assert training_flops(70e9, 1.4e12) == pytest.approx(5.76e23, rel=0.03)


def test_gpt3_training_compute():
    # Brown et al. 2020, Table D.1: GPT-3 175B trained on 300B tokens took 3.14e23 FLOPs.
    assert training_flops(175e9, 300e9) == pytest.approx(3.14e23, rel=0.01)


def test_six_flops_per_parameter_per_token():
    # Kaplan et al. 2020, section 2.1: 2N forward + 4N backward per token.
    assert training_flops(1.0, 1.0) == 6.0
    assert training_flops(2e9, 3e9) == 2 * training_flops(1e9, 3e9) == 3 * training_flops(2e9, 1e9)


def test_chinchilla_split_solves_the_quadratic():
    # Independent route: C = 6·N·(20·N) is the quadratic 120·N² − C = 0; numpy finds its positive root.
    for c in np.logspace(18, 28, 11):
        root = max(np.roots([6 * TOKENS_PER_PARAM, 0.0, -c]).real)
        n, d = chinchilla_optimal(float(c))
        assert n == pytest.approx(root, rel=1e-12)
        assert d / n == pytest.approx(TOKENS_PER_PARAM)
        assert training_flops(n, d) == pytest.approx(c, rel=1e-12)


def test_tenfold_compute_buys_root_ten_more_of_each():
    # Hoffmann et al.: N_opt and D_opt both scale as C^0.5.
    n1, d1 = chinchilla_optimal(1e22)
    n2, d2 = chinchilla_optimal(1e23)
    assert n2 / n1 == pytest.approx(10**0.5) and d2 / d1 == pytest.approx(10**0.5)


@pytest.mark.parametrize("call,arg", [
    (lambda: training_flops(-1, 1e9), "n_params"),
    (lambda: training_flops(1e9, 0), "n_tokens"),
    (lambda: chinchilla_optimal(0), "flops"),
    (lambda: chinchilla_optimal(float("nan")), "flops"),
])
def test_bad_input_names_the_argument(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
