"""The RNN workshop: a phrase read one word at a time, gradients through 64 steps, N steps against one GEMM.

numpy is the oracle for the network's states, the Jacobian products, the
BPTT weight gradient and the clipped step; the mechanisms are checked as the
chapter tells them.
"""
import numpy as np
import pytest

from llmviz.catalog import get_gpu
from llmviz.modes.part01_networks.rnn import (D, E, PASSAGE, PHRASES, READ_FLOW_S, READ_STEP_S, SWEEP_S, T_GRAD,
                                              RNNMode, base_weights)
from rnn_numpy import np_net, np_states, np_story
from tooling import label_problems


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def test_the_network_has_the_declared_shapes_and_a_64_word_passage():
    w0, wx, b = base_weights()
    assert len(w0) == D and len(w0[0]) == D and len(wx) == D and len(wx[0]) == E and len(b) == D
    assert len(PASSAGE) >= T_GRAD
    assert PASSAGE[:6] == PHRASES["cat"].split()


@pytest.mark.parametrize("phrase", list(PHRASES))
@pytest.mark.parametrize("rho", [0.5, 0.8, 2.5])
def test_read_view_cells_are_numpys_states_step_by_step(phrase, rho):
    m = RNNMode(submode="read", values={"phrase": phrase, "rho": rho})
    words = PHRASES[phrase].split()
    ref = np_states(rho, words)
    for k in range(1, len(words) + 1):
        t = (k - 1) * READ_STEP_S + READ_FLOW_S + 0.1       # step k done, its arrows no longer glowing
        f = m.frame(t)
        grids = {g["label"]: g["v"] for g in f["scene"]["items"] if g["k"] == "grid"}
        for j in range(k + 1):
            assert np.allclose(grids[f"h{j}"], ref[j], atol=1e-4)
        # later states do not exist yet: each step waits for the one before
        assert all(f"h{j}" not in grids for j in range(k + 1, len(words) + 1))
        tel = _tel(f)
        assert tel["step"]["value"] == k
        assert tel["h1"]["value"] == pytest.approx(ref[k][0], abs=1e-9)
        assert tel["norm"]["value"] == pytest.approx(np.linalg.norm(ref[k]), abs=1e-9)


def test_the_new_state_appears_only_after_the_arrows_have_carried_its_inputs():
    m = RNNMode(submode="read")
    during = m.frame(2 * READ_STEP_S + 0.1)     # step 3 flowing
    grids = {g["label"] for g in during["scene"]["items"] if g["k"] == "grid"}
    assert "h2" in grids and "h3" not in grids
    after = m.frame(2 * READ_STEP_S + READ_FLOW_S + 0.1)
    assert "h3" in {g["label"] for g in after["scene"]["items"] if g["k"] == "grid"}


def test_the_same_word_twice_leaves_different_states():
    ref = np_states(0.8, PHRASES["cat"].split())
    assert not np.allclose(ref[1], ref[5])
    m = RNNMode(submode="read")
    f1 = _tel(m.frame(READ_FLOW_S + 0.1))
    f5 = _tel(m.frame(4 * READ_STEP_S + READ_FLOW_S + 0.1))
    assert f1["word"]["text"] == f5["word"]["text"] == "the"
    assert f1["h1"]["value"] != pytest.approx(f5["h1"]["value"], abs=0.05)


def test_one_different_word_changes_every_later_state():
    cat, dog = np_states(0.8, PHRASES["cat"].split()), np_states(0.8, PHRASES["dog"].split())
    assert np.allclose(cat[1], dog[1])
    assert all(np.linalg.norm(cat[t] - dog[t]) > 1e-3 for t in range(2, 7))


@pytest.mark.parametrize("sub,rho,clip", [("vanish", 0.8, 1.0), ("vanish", 1.0, 1.0), ("explode", 2.5, 1.0),
                                          ("explode", 2.5, 1000.0)])
def test_gradient_view_is_the_real_product_of_jacobians(sub, rho, clip):
    m = RNNMode(submode=sub, values={"rho": rho, "clip": clip})
    st = np_story(rho, clip)
    norms, partial, rho_raw, rho_clip = st["norms"], st["partial"], st["rho_raw"], st["rho_clip"]
    for k in (0, 1, 16, 40, 64):
        t = (k + 0.5) / T_GRAD * SWEEP_S if k < T_GRAD else SWEEP_S + 0.5
        tel = _tel(m.frame(t))
        assert tel["back"]["value"] == k
        # ρ > 1 is chaotic: rounding in W_h's scaling (10⁻¹² relative) grows along the passage
        assert tel["jac"]["value"] == pytest.approx(norms[k], rel=1e-8 if rho <= 1 else 1e-6)
        assert tel["guide"]["value"] == pytest.approx(rho ** k)
        assert tel["dw"]["value"] == pytest.approx(partial[k], rel=1e-6, abs=1e-15)
        assert tel["dw_clip"]["value"] == pytest.approx(min(partial[k], clip), rel=1e-6, abs=1e-15)
    assert tel["rho_raw"]["value"] == pytest.approx(rho_raw, rel=1e-6)
    assert tel["rho_clip"]["value"] == pytest.approx(rho_clip, rel=1e-6)


@pytest.mark.parametrize("rho", [0.5, 0.8, 1.0])
def test_at_or_below_one_the_product_vanishes_and_runs_under_its_guide_after_the_first_steps(rho):
    norms = np_story(rho)["norms"]
    sigma = np.linalg.norm(np_net(rho)[0], 2)
    assert norms[64] < 1e-3
    # W_h stretches some vectors by σ > ρ, so the first steps may sit above ρᵏ, never above σᵏ
    assert all(v <= sigma ** k * (1 + 1e-9) for k, v in enumerate(norms))
    assert any(v > rho ** k for k, v in enumerate(norms[:10]))
    assert all(v < rho ** k for k, v in enumerate(norms) if k >= 20)


def test_far_above_one_the_product_explodes_and_clipping_saves_the_step():
    st = np_story(2.5)
    high, rho_raw, rho_clip = st["norms"], st["rho_raw"], st["rho_clip"]
    assert high[64] > 1e3 and high[64] < 2.5 ** 64 * 1e-15
    # clipping keeps W_h's spectral radius near 2.5; the raw step throws it far away
    assert abs(rho_clip - 2.5) < 0.05 and rho_raw > 100
    m = RNNMode(submode="explode")
    f = m.frame(SWEEP_S + 0.5)
    assert any("clipping scales it by" in e["text"] for e in f["console"])


def test_the_backward_sweep_fills_the_strip_from_the_last_word():
    m = RNNMode(submode="vanish")
    f = m.frame(10.5 / T_GRAD * SWEEP_S)       # 10 steps back
    (strip,) = [g for g in f["scene"]["items"] if g["k"] == "grid"]
    filled = [i for i, v in enumerate(strip["v"]) if v is not None]
    assert filled == list(range(T_GRAD - 11, T_GRAD))


def _floor(flops, nbytes, gpu):
    g = get_gpu(gpu)
    return max(flops / g.peak_flops("bf16"), nbytes / g.hbm_bytes_per_s)


@pytest.mark.parametrize("n,d,batch,gpu", [(1024, 1024, 1, "h100-sxm"), (8192, 4096, 1, "b200"),
                                           (1024, 1024, 64, "a100-80gb-sxm"), (16, 256, 256, "mi300x")])
def test_parallel_view_prices_n_steps_against_one_gemm(n, d, batch, gpu):
    m = RNNMode(submode="parallel", values={"n": n, "d": d, "batch": batch, "gpu": gpu})
    tel = _tel(m.frame(100.0))
    step = _floor(2 * d * d * batch, 2 * (d * d + 2 * d * batch), gpu)
    gemm = _floor(2 * d * d * n * batch, 2 * (d * d + 2 * d * n * batch), gpu)
    assert tel["t_rnn"]["value"] == pytest.approx(n * step, rel=1e-12)
    assert tel["t_par"]["value"] == pytest.approx(gemm, rel=1e-12)
    assert tel["ratio"]["value"] == pytest.approx(n * step / gemm, rel=1e-12)


def test_the_gemm_finishes_while_the_recurrence_is_still_in_its_first_steps():
    m = RNNMode(submode="parallel")
    f = m.frame(0.2)
    tel = _tel(f)
    assert tel["steps"]["value"] < 0.05 * 1024
    assert any("all positions in 1 step (done)" == s for s in _texts(f))
    end = _tel(m.frame(8.5))
    assert end["steps"]["value"] == 1024


def test_batching_raises_the_step_intensity_but_not_the_step_count():
    one = _tel(RNNMode(submode="parallel", values={"batch": 1}).frame(100.0))
    many = _tel(RNNMode(submode="parallel", values={"batch": 64}).frame(100.0))
    assert many["step_int"]["value"] > 40 * one["step_int"]["value"]
    assert many["ratio"]["value"] < one["ratio"]["value"] / 10
    one_end = _tel(RNNMode(submode="parallel", values={"batch": 1}).frame(8.5))
    many_end = _tel(RNNMode(submode="parallel", values={"batch": 64}).frame(8.5))
    assert many_end["steps"]["text"] == one_end["steps"]["text"] == "1,024 of 1,024"


@pytest.mark.parametrize("sub", list(RNNMode.submodes))
@pytest.mark.parametrize("t", [0.0, 1.0, 5.3, 11.9, 1e12])
def test_every_frame_keeps_its_labels_apart(sub, t):
    for values in ({}, {"rho": 3.0, "clip": 0.1}, {"rho": 0.3, "clip": 1000.0},
                   {"n": 65536, "d": 8192, "batch": 256, "gpu": "a100-80gb-sxm"}, {"n": 16, "d": 256}):
        f = RNNMode(submode=sub, values=values).frame(t)
        assert not label_problems(f), (sub, values, label_problems(f)[:2])
        assert len(f["scene"]["items"]) <= 500


def test_the_gradient_title_says_what_the_curve_does_not_which_preset_opened_it():
    assert any(s.startswith("Exploding") for s in _texts(RNNMode(submode="vanish", values={"rho": 2.5}).frame(1.0)))
    assert any(s.startswith("Vanishing") for s in _texts(RNNMode(submode="explode", values={"rho": 0.8}).frame(1.0)))


@pytest.mark.parametrize("rho", [0.3, 0.8, 2.5, 3.0])
def test_the_gradient_readouts_sit_under_the_plot_where_no_curve_runs(rho):
    m = RNNMode(submode="explode", values={"rho": rho})
    x, y, w, h = RNNMode.PLOT
    for t in (0.5, 3.0, 6.0, SWEEP_S + 0.5):
        f = m.frame(t)
        tel = _tel(f)
        texts = [it for it in f["scene"]["items"] if it["k"] == "text"]
        readouts = [it for it in texts if it["s"].startswith(("\u2016\u2202h_T/\u2202h_t\u2016 =", "\u03c1\u1d4f ="))]
        assert len(readouts) == 2
        assert all(it["y"] > y + h + 40 for it in readouts)
        # only tick labels live inside the plot's box, none of the words that change with the step
        assert not [it for it in texts if x < it["x"] < x + w and y < it["y"] < y + h]
        assert tel["jac"]["text"] in readouts[0]["s"] and tel["guide"]["text"] in readouts[1]["s"]
