"""Chapter p00-c02's answers against independent oracles: numpy, closed forms, published figures."""
import math
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for

A = answers_for("p00-c02-functions")
SOURCE = Path(__file__).resolve().parents[2] / "chapters" / "p00-c02-functions.md"


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text




def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.float64(x)))


def test_sigmoid_values_and_symmetry():
    assert val("sig_0") == 0.5
    assert val("sig_2") == pytest.approx(np_sigmoid(2))
    assert val("sig_m2") == pytest.approx(np_sigmoid(-2))
    assert val("sig_2") + val("sig_m2") == pytest.approx(1.0)
    assert val("sig_3") == pytest.approx(np_sigmoid(3))
    assert val("gate_10") == pytest.approx(10 * np_sigmoid(2))
    assert (text("sig_2"), text("sig_m2"), text("gate_10")) == ("0.881", "0.119", "8.81")


def test_tanh_is_a_stretched_sigmoid():
    assert val("tanh_1") == pytest.approx(np.tanh(1.0))
    assert val("two_sig_2_minus_1") == pytest.approx(np.tanh(1.0))
    assert text("tanh_1") == text("two_sig_2_minus_1") == "0.762"


def test_gemma2_soft_cap():
    # the cap written out with exponentials: c·(e^(x/c) − e^(−x/c)) / (e^(x/c) + e^(−x/c))
    def cap(x, c=30.0):
        a, b = np.exp(x / c), np.exp(-x / c)
        return c * (a - b) / (a + b)
    assert val("cap_10") == pytest.approx(cap(10))
    assert val("cap_60") == pytest.approx(cap(60))
    # 30 − 30·tanh(10) = 60/(e^20 + 1), exactly, without cancellation
    assert val("cap_300_short") == pytest.approx(60 / (np.exp(20) + 1), rel=1e-6)
    # a 32-bit float cannot tell 30·tanh(10) from 30: its spacing near 30 is 2^-19
    assert val("cap_300_f32") == float(np.float32(30 * np.tanh(10.0))) == 30.0
    assert np.spacing(np.float32(30.0)) == 2.0 ** -19 == val("f32_spacing_30") > val("cap_300_short")
    # the caps as the Gemma 2 report gives them (section 2, "Logit soft-capping")
    assert (val("gemma_cap_final"), val("gemma_cap_attn")) == (30.0, 50.0)


def test_silu_dips_below_zero():
    z = np.linspace(-6, 2, 800_001)
    silu = z / (1 + np.exp(-z))
    assert val("silu_min") == pytest.approx(silu.min(), abs=1e-9)
    assert text("silu_min") == "\u22120.28"


def test_softplus_values():
    assert val("sp_0") == pytest.approx(np.log(2))
    assert val("sp_5") == pytest.approx(np.logaddexp(0, 5))
    assert val("sp_m5") == pytest.approx(np.logaddexp(0, -5))
    assert val("sp_m3") == pytest.approx(np.logaddexp(0, -3))
    assert val("sp_5_gap") == pytest.approx(np.log1p(np.exp(-5)))
    # the gap to max(0, x) is the same on both sides
    assert val("sp_5_gap") == pytest.approx(val("sp_m5"))


def test_gelu_composition_against_the_exact_gelu():
    exact = 0.5 * (1 + math.erf(1 / math.sqrt(2)))          # x·Φ(x) at x = 1
    assert val("gelu_1") == pytest.approx(0.841192, abs=1e-6)  # the tanh form, TensorFlow's documented value
    assert abs(val("gelu_1") - exact) < 5e-4                    # within the approximation's stated error
    # the exact GELU at 1 is Φ(1), the standard normal's share below 1, 0.841344746…
    assert val("gelu_exact_1") == pytest.approx(0.8413447460685429, abs=1e-12)
    assert (text("gelu_1"), text("gelu_exact_1")) == ("0.8412", "0.8413")


def test_exponential_growth():
    assert val("e_07") == pytest.approx(np.exp(0.7))
    assert val("e_14") == pytest.approx(np.exp(0.7) ** 2)
    assert val("e_2") == pytest.approx(np.e ** 2)
    assert val("e_m2") == pytest.approx(1 / np.e ** 2)
    # doubling: solve e^(0.7 d) = 2 numerically
    d = val("dd_07")
    assert np.exp(0.7 * d) == pytest.approx(2.0)
    assert np.exp(0.7 * val("tenfold_07")) == pytest.approx(10.0)
    assert val("exp_07_10") == pytest.approx(np.exp(7))
    assert val("exp_07_5") == pytest.approx(np.exp(3.5))
    assert val("share_5_10") == pytest.approx(np.exp(-3.5))
    assert text("share_5_10") == "3.02 %"


def test_order_of_composition():
    f, g = np.exp, lambda x: 2 * x + 1
    assert val("fg_1") == pytest.approx(f(g(1.0)))
    assert val("gf_1") == pytest.approx(g(f(1.0)))
    assert val("fg_1") != pytest.approx(val("gf_1"))


def test_losses_and_underflow():
    assert val("nll_09") == pytest.approx(-np.log(0.9))
    assert val("nll_05") == pytest.approx(np.log(2))
    assert val("nll_001") == pytest.approx(np.log(100))
    assert val("half_1000") == pytest.approx(2.0 ** -1000)
    assert val("half_1000_ln") == pytest.approx(-1000 * np.log(2))
    assert text("half_1000_ln") == "\u2212693.1"
    # 2^-1074 is the smallest subnormal double; 2^-1075 rounds to zero
    assert val("half_zero_at") == 1075
    assert np.float64(2.0) ** -1074 > 0 and np.float64(0.5) ** 1075 == 0
    assert val("float_min") == np.finfo(np.float64).tiny
    assert val("float_tiny") == np.finfo(np.float64).smallest_subnormal
    # 0.5^1000 = 2^-1000, and the smallest normal double is 2^-1022
    assert val("half_to_min") == 22 == np.log2(2.0 ** -1000 / np.finfo(np.float64).tiny)
    # in 32-bit floats, multiplied one by one: 2^-149 is the last nonzero value, 2^-150 ties to 0
    prod, n = np.float32(1.0), 0
    while prod > 0:
        prod = np.float32(prod * np.float32(0.5))
        n += 1
    assert val("half_zero_at_f32") == n == 150


def test_a_whole_context_of_probabilities():
    # Llama 3 8B config.json: max_position_embeddings 8192
    n = 8192
    assert val("llama_context") == n
    # 10^-374.8 is below the smallest subnormal: multiplied in order, the running product
    # gets stuck where k·0.9 rounds back to k units in the last place (here 5 units)
    tiny = np.finfo(np.float64).smallest_subnormal
    assert val("ctx_float_product") == pytest.approx(5 * tiny)
    assert np.log10(val("ctx_float_product")) - n * np.log10(0.9) == pytest.approx(52.2, abs=0.1)
    assert val("ctx_ln") == pytest.approx(np.sum(np.log(np.full(n, 0.9))))
    assert val("ctx_log10") == pytest.approx(n * np.log10(0.9))
    assert text("ctx_log10") == "\u2212374.8"


def test_llama3_rotation_speeds():
    # config.json: rope_theta 500000, head_dim 4096/32 = 128; HF computes 1/base**(arange(0, d, 2)/d)
    base, d = 500000.0, 128
    inv = 1.0 / base ** (np.arange(0, d, 2) / d)
    assert val("rope_theta") == base and val("head_dim") == d and val("rope_pairs") == len(inv) == 64
    assert val("rope_ratio") == pytest.approx(inv[1] / inv[0])
    assert np.allclose(inv[1:] / inv[:-1], val("rope_ratio"))   # the same factor every step
    assert val("rope_slowest") == pytest.approx(inv[-1])
    assert val("rope_decades") == pytest.approx(np.log10(inv[0] / inv[-1]))
    assert val("rope_ln_step") == pytest.approx(np.diff(np.log(inv)).mean())


def test_catalog_sizes_on_two_axes():
    from llmviz.calc.model_size import param_count
    from llmviz.catalog import MODELS

    sizes = {m.display_name: param_count(m) for m in MODELS.values()}
    lo, hi = min(sizes.values()), max(sizes.values())
    assert min(sizes, key=sizes.get) == "Mamba 2.8B"      # named in the exercise
    assert max(sizes, key=sizes.get) == "Kimi K2"
    assert val("size_smallest") == lo and val("size_largest") == hi
    assert val("size_decades") == pytest.approx(np.log10(hi / lo))
    assert val("size_ratio") == round(hi / lo)
    mamba, llama = sizes["Mamba 2.8B"], sizes["Llama 3 8B"]
    assert val("llama_minus_mamba") == llama - mamba
    assert val("llama_over_mamba") == pytest.approx(llama / mamba)
    assert val("llama_over_mamba_decades") == pytest.approx(np.log10(llama / mamba))
    # the axes as drawn: 660 units for 0..1.2 T, and for 10^9..2·10^12
    assert val("axis_width") == 660 and text("axis_width") == "660 units"
    assert val("units_per_billion") == pytest.approx(660 / 1200)
    assert val("units_per_decade") == pytest.approx(660 / np.log10(2000))
    assert val("gap_linear") == pytest.approx((llama - mamba) * 660 / 1.2e12)
    assert val("gap_log") == pytest.approx(np.log10(llama / mamba) * 660 / np.log10(2000))
    assert val("gap_log") > 30 * val("gap_linear")


def test_kaplan_power_law():
    # Kaplan et al. (2020), equation 1.1: alpha_N ≈ 0.076
    assert val("kaplan_alpha") == 0.076
    assert val("kaplan_10x") == pytest.approx(10 ** -0.076)
    assert val("kaplan_100x") == pytest.approx(val("kaplan_10x") ** 2)
    assert (text("kaplan_10x"), text("kaplan_100x")) == ("0.839", "0.705")


def test_llama_shapes_quoted_in_the_prose():
    # config.json: 32 layers, intermediate_size 14336, hidden 4096 (the q matrix is 4096×4096)
    assert val("llama_layers") == 32
    assert val("llama_ffn") == 14336
    assert val("q_per_token") == 2 * 4096 * 4096
    assert val("q_weights") == 4096 * 4096 and text("q_weights") == "16.8 million"
    # num_attention_heads 32 share hidden_size 4096: heads of 128, as the RoPE exercise says
    assert (val("llama_hidden"), val("llama_heads")) == (4096, 32)
    assert val("llama_hidden") / val("llama_heads") == val("head_dim") == 128
    # the gate's one-number function runs on 14336 numbers in each of 32 layers, for each token
    assert val("fn_calls_token") == 14336 * 32 == 458_752
    assert val("fn_calls_context") == 14336 * 32 * 8192
    assert text("fn_calls_context") == "3.76 billion"
    assert text("q_per_token") == "33.6 million"
