"""Chapter p01-c06's answers against independent oracles: numpy, closed forms and the datasheets' figures."""
import math

import numpy as np
import pytest

from llmviz.answers import answers_for
from llmviz.modes.part01_networks.rnn import LR, PHRASES, word_vector
from rnn_numpy import np_net, np_states, np_story

A = answers_for("p01-c06-rnn")

# NVIDIA H100 SXM datasheet / Hopper whitepaper: 3.35 TB/s HBM3, 989.4 TFLOP/s dense BF16;
# B200 (HGX): 8 TB/s, 2,250 TFLOP/s dense BF16 (36 PFLOPS sparse for 8 GPUs, halved, divided by 8)
H100_BW, H100_PEAK = 3.35e12, 989.4e12
B200_BW, B200_PEAK = 8e12, 2250e12


def val(name):
    return A[name]().value


def test_counts():
    assert val("params") == 8 * 8 + 8 * 4 + 8 == 104
    assert val("macs_step") == 96 and val("macs_passage") == 96 * 64


def test_the_first_step_and_the_two_thes():
    w_h, wx, b = np_net(0.8)
    x1 = np.array(word_vector("the"))
    assert val("read_wx") == pytest.approx((wx @ x1)[0])
    assert val("read_b") == pytest.approx(b[0])
    assert val("read_z") == pytest.approx((wx @ x1 + b)[0])
    hs = np_states(0.8, PHRASES["cat"].split())
    assert val("read_h") == pytest.approx(np.tanh((wx @ x1 + b)[0])) == pytest.approx(hs[1][0])
    assert val("the_first") == pytest.approx(hs[1][0]) and val("the_second") == pytest.approx(hs[5][0])
    assert val("sigma_wh") == pytest.approx(np.linalg.norm(w_h, 2))
    assert val("sigma_wh") > 1        # stretches some vectors, yet its gradients vanish


def test_vanishing_and_exploding_numbers():
    low = np_story(0.8)["norms"]
    assert val("vanish_16") == pytest.approx(low[16]) and val("vanish_64") == pytest.approx(low[64])
    assert val("vanish_guide_16") == pytest.approx(0.8 ** 16) and val("vanish_guide_64") == pytest.approx(0.8 ** 64)
    assert val("rho1_64") == pytest.approx(np_story(1.0)["norms"][64])
    assert val("rho12_64") == pytest.approx(np_story(1.2)["norms"][64])
    st = np_story(2.5)
    high, hs = st["norms"], st["hs"]
    assert val("explode_16") == pytest.approx(high[16]) and val("explode_64") == pytest.approx(high[64])
    assert val("explode_guide_64") == pytest.approx(2.5 ** 64)
    assert val("mean_h_explode") == pytest.approx(np.mean(np.abs(np.array(hs[1:]))))


def test_clipping_numbers():
    st = np_story(2.5)
    grad, w_h = st["grad"], st["w_h"]
    n = np.linalg.norm(grad)
    assert val("grad_raw") == pytest.approx(n)
    assert val("clip_factor") == pytest.approx(1.0 / n)
    assert val("step_raw") == pytest.approx(LR * n) and val("step_clip") == pytest.approx(LR)
    assert val("rho_after_raw") == pytest.approx(max(abs(np.linalg.eigvals(w_h - LR * grad))))
    assert val("rho_after_clip") == pytest.approx(max(abs(np.linalg.eigvals(w_h - LR * grad / n))))


def _floor(flops, nbytes, peak, bw):
    return max(flops / peak, nbytes / bw)


def test_h100_floors_by_hand():
    d = n = 1024
    step = _floor(2 * d * d, 2 * (d * d + 2 * d), H100_PEAK, H100_BW)
    gemm = _floor(2 * d * d * n, 2 * (d * d + 2 * d * n), H100_PEAK, H100_BW)
    assert val("h100_bw") == H100_BW and val("h100_peak") == H100_PEAK
    assert val("step_flops") == 2 * d * d and val("step_bytes") == 2 * (d * d + 2 * d)
    assert val("step_intensity") == pytest.approx(2 * d * d / (2 * (d * d + 2 * d)))
    assert val("t_step") == pytest.approx(step) and val("t_rnn") == pytest.approx(n * step)
    assert val("t_par") == pytest.approx(gemm) and val("ratio") == pytest.approx(n * step / gemm)
    assert val("par_intensity") == pytest.approx(2 * d * d * n / (2 * (d * d + 2 * d * n)))
    assert val("ridge") == pytest.approx(H100_PEAK / H100_BW)
    for b, ratio, intensity in ((64, "ratio_b64", "int_b64"), (256, "ratio_b256", "int_b256")):
        s = _floor(2 * d * d * b, 2 * (d * d + 2 * d * b), H100_PEAK, H100_BW)
        g = _floor(2 * d * d * n * b, 2 * (d * d + 2 * d * n * b), H100_PEAK, H100_BW)
        assert val(ratio) == pytest.approx(n * s / g)
        assert val(intensity) == pytest.approx(d * b / (d + 2 * b))
    s64 = _floor(2 * d * d * 64, 2 * (d * d + 2 * d * 64), H100_PEAK, H100_BW)
    assert val("t_rnn_b64") == pytest.approx(n * s64)
    assert val("t_par_b64") == pytest.approx(2 * d * d * n * 64 / H100_PEAK)


def test_both_sides_of_each_floor_and_what_the_text_builds_on_them():
    d = n = 1024
    assert val("t_step_compute") == pytest.approx(2 * d * d / H100_PEAK)
    assert val("t_par_memory") == pytest.approx(2 * (d * d + 2 * d * n) / H100_BW)
    assert val("par_flops") == 2 * d * d * n and val("par_bytes") == 2 * (d * d + 2 * d * n)
    # the GEMM is done while the recurrence is on its fourth step: 2.17 µs over 627 ns is 3.46
    step = 2 * (d * d + 2 * d) / H100_BW
    assert val("steps_at_gemm") == math.floor(2 * d * d * n / H100_PEAK / step) == 3
    # the ratio of the floors is the ridge point times (1 + 2/d), on either GPU
    assert val("ratio") == pytest.approx(H100_PEAK / H100_BW * (1 + 2 / d))
    assert val("ratio_b200") == pytest.approx(B200_PEAK / B200_BW * (1 + 2 / d))
    assert val("ridge_b200") == pytest.approx(B200_PEAK / B200_BW)
    assert val("wh_bytes") == 2 * d * d
    assert val("h100_l2") == 50 * 2 ** 20            # Hopper whitepaper: 50 MB of L2 on the H100 SXM5
    assert val("states_b256") == 256 * n * d * 2


def test_b200_floors_by_hand():
    d = n = 1024
    step = _floor(2 * d * d, 2 * (d * d + 2 * d), B200_PEAK, B200_BW)
    gemm = _floor(2 * d * d * n, 2 * (d * d + 2 * d * n), B200_PEAK, B200_BW)
    assert val("t_rnn_b200") == pytest.approx(n * step)
    assert val("ratio_b200") == pytest.approx(n * step / gemm)


def test_exercise_closed_forms():
    j = np.diag(1 - np.array([0.6, -0.2]) ** 2) @ np.array([[0.5, -0.3], [0.8, 0.2]])
    assert [val("jac_11"), val("jac_12"), val("jac_21"), val("jac_22")] == pytest.approx(j.ravel().tolist())
    assert val("geo_20") == pytest.approx(0.8 ** 20) and val("geo_50") == pytest.approx(0.8 ** 50)
    k = val("geo_steps")
    assert 0.8 ** k < 1e-3 <= 0.8 ** (k - 1)
    assert val("sat_slope") == pytest.approx(0.19) and val("sat_factor") == pytest.approx(0.285)
    assert val("sat_10") == pytest.approx(0.285 ** 10)
    assert val("lr") == LR
    assert math.isclose(val("step_clip"), 0.1)
