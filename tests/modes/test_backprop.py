"""The backpropagation workshop: the graph's two passes, the matrix form and its FLOPs, gradient checking, a real layer.

numpy is the oracle for every value, gradient and count the reader sees;
the mechanisms are checked as the chapter describes them.
"""
import math

import numpy as np
import pytest

from llmviz.modes.part01_networks.backprop import (CHECK_HOLD_S, DONE_HOLD_S, H_EXPONENTS, LAMBDA, MATRIX_OPS, OP_S,
                                                   PROBE_S, SHOWN_STEPS, STEP_S, TRAIN_STEPS, BackpropMode,
                                                   classifier_data, classifier_init, classifier_run, graph_position)


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def n_steps(m):
    """How many steps the graph view's schedule has: start, forward nodes, seed, backward products, done."""
    m.frame(0.0)
    return len(m.cached("graph", m._graph_static)["d"]["sched"])


def at_step(k):
    """A time inside step k of a graph schedule, after its moving dot has arrived."""
    return k * STEP_S + 0.9 * STEP_S


# -- graph -------------------------------------------------------------------------------------


@pytest.mark.parametrize("x,w,b,y", [(1.5, 0.8, -2.0, "1"), (2.0, -0.5, 0.5, "0"), (-1.2, 1.7, 0.3, "1")])
def test_graph_telemetry_is_the_closed_form(x, w, b, y):
    m = BackpropMode(submode="graph", values={"x": x, "w": w, "b": b, "y": y})
    tel = _tel(m.frame(at_step(n_steps(m) - 1)))
    yy = float(y)
    q = np_sigmoid(w * x + b)
    assert tel["q"]["value"] == pytest.approx(q)
    assert tel["loss"]["value"] == pytest.approx(-(yy * np.log(q) + (1 - yy) * np.log(1 - q)))
    assert tel["g_w"]["value"] == pytest.approx((q - yy) * x)
    assert tel["g_b"]["value"] == pytest.approx(q - yy)
    assert tel["g_x"]["value"] == pytest.approx((q - yy) * w)


def test_the_forward_pass_fills_values_left_to_right_then_gradients_arrive_right_to_left():
    m = BackpropMode(submode="graph")
    n = n_steps(m)
    assert n == 13             # start, 4 forward nodes, seed, 6 backward products, done
    unknown, grads = [], []
    for k in range(n):
        texts = _texts(m.frame(at_step(k)))
        unknown.append(sum(1 for s in texts if s == "?"))
        grads.append(sum(1 for s in texts if s.startswith("\u2202L/\u2202") and " = " in s and "gets" not in s))
    # values: 4 unknown before the pass, one fewer per forward step, none afterwards
    assert unknown[:6] == [4, 3, 2, 1, 0, 0] and set(unknown[5:]) == {0}
    # gradients: none during the forward pass, then the seed, then one more node per product
    assert grads[:5] == [0] * 5
    assert grads[5:] == [1, 2, 3, 4, 5, 6, 7, 7]


def test_telemetry_shows_only_what_the_passes_have_computed():
    m = BackpropMode(submode="fork")
    n = n_steps(m)
    q = np_sigmoid(0.8 * 1.5 - 2.0)
    seen = []
    for k in range(n):
        tel = _tel(m.frame(at_step(k)))
        seen.append({key: tel[key]["text"] != "not yet computed" for key in ("loss", "q", "g_w", "g_b", "g_x")})
        if not seen[-1]["g_w"]:
            assert tel["g_w"]["value"] == 0.0
    # q is the third forward node, J the sixth; no gradient before the seed at step 7
    assert [s["q"] for s in seen[:5]] == [False, False, False, True, True]
    assert [s["loss"] for s in seen[:7]] == [False] * 6 + [True]
    assert not any(s[g] for s in seen[:8] for g in ("g_w", "g_b", "g_x"))
    assert all(all(s.values()) for s in seen[-1:])
    # w's first product (through r, λw) shows before its second: the telemetry holds the running sum
    tels = [_tel(m.frame(at_step(k))) for k in range(n)]
    w_vals = [t["g_w"]["value"] for t, s in zip(tels, seen) if s["g_w"]]
    assert w_vals[0] == pytest.approx(LAMBDA * 0.8) and w_vals[-1] == pytest.approx(LAMBDA * 0.8 + 1.5 * (q - 1))


def test_each_crossed_edge_shows_its_local_gradient_and_product():
    m = BackpropMode(submode="graph")
    texts = _texts(m.frame(at_step(12)))
    q = np_sigmoid(0.8 * 1.5 - 2.0)
    for label in ("\u00d71.5", "\u00d70.8", "\u00d71", f"\u00d7{q * (1 - q):.3f}", "\u00d7(\u22123.23)"):
        assert label in texts, label
    assert f"{(q - 1) * 1.5:.3f}".replace("-", "\u2212") in texts
    assert any(s.startswith("Done:") for s in texts)


def test_the_narration_states_upstream_times_local():
    m = BackpropMode(submode="graph")
    text = " ".join(_texts(m.frame(at_step(7))))            # backward product 2: q → z
    q = np_sigmoid(-0.8)
    assert f"\u00d7 {q * (1 - q):.3f} = {q - 1:.3f}".replace("-", "\u2212") in text
    assert "q \u2212 y" in text


def test_the_fork_adds_both_paths_into_w():
    m = BackpropMode(submode="fork")
    x, w, b = 1.5, 0.8, -2.0
    q = np_sigmoid(w * x + b)
    tel = _tel(m.frame(at_step(n_steps(m) - 1)))
    assert tel["loss"]["value"] == pytest.approx(-np.log(q) + 0.5 * LAMBDA * w * w)
    assert tel["g_w"]["value"] == pytest.approx(LAMBDA * w + x * (q - 1))
    n = n_steps(m)
    assert n == 18             # start, 6 forward nodes, seed, 9 backward products, done
    done = " ".join(_texts(m.frame(at_step(n - 1))))
    assert "\u2202J/\u2202w = \u22120.955" in done
    # the step that brings w its second product says the two add
    said = [" ".join(_texts(m.frame(at_step(k)))) for k in range(n)]
    assert sum("the two add" in s and "0.080" in s for s in said) == 1


def test_the_backward_view_opens_on_a_finished_forward_pass():
    m = BackpropMode(submode="backward")
    texts = _texts(m.frame(0.5))
    assert "?" not in texts and "AFTER THE FORWARD PASS" in texts


def test_graph_frames_repeat_and_cost_a_lookup_while_a_step_rests():
    m = BackpropMode(submode="graph")
    a = m.frame(at_step(3))
    calls = []
    orig = m._graph_frame
    m._graph_frame = lambda k, u: calls.append(k) or orig(k, u)
    b = m.frame(at_step(3) + 0.01)
    assert a["scene"] == b["scene"] and calls == []
    n = n_steps(m)
    period = (n - 1) * STEP_S + DONE_HOLD_S
    assert graph_position(5 * period + at_step(4), n)[0] == 4


def test_the_label_is_a_constant_with_no_gradient():
    texts = _texts(BackpropMode(submode="graph").frame(at_step(12)))
    assert not any(s.startswith("\u2202L/\u2202y") for s in texts)


# -- matrix ---------------------------------------------------------------------------------------


def np_passes(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0)
    S = H @ W2 + b2
    P = np.exp(S - S.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    B = len(X)
    dS = P.copy()
    dS[np.arange(B), y] -= 1
    dS /= B
    dZ1 = (dS @ W2.T) * (Z1 > 0)
    return -np.log(P[np.arange(B), y]).mean(), X.T @ dZ1, H.T @ dS, dZ1.sum(0), dS.sum(0)


@pytest.mark.parametrize("batch,hidden", [(6, 4), (3, 2), (8, 8)])
def test_matrix_telemetry_counts_the_gemms(batch, hidden):
    tel = _tel(BackpropMode(submode="matrix", values={"batch": batch, "hidden": hidden}).frame(0.0))
    fwd = 2 * batch * 2 * hidden + 2 * batch * hidden * 3
    bwd = 2 * hidden * batch * 3 + 2 * batch * 3 * hidden + 2 * 2 * batch * hidden
    assert tel["fwd_flops"]["value"] == fwd
    assert tel["bwd_flops"]["value"] == bwd
    assert tel["ratio"]["value"] == pytest.approx(1.6)
    assert tel["ratio_dx"]["value"] == pytest.approx(2.0)


def test_the_classifier_learns_and_its_steps_are_numpys():
    run = classifier_run(6, 4)
    losses = run["losses"]
    assert len(losses) == TRAIN_STEPS + 1
    # seed 3 data, seed 7 weights: the loss falls more than 50-fold in 100 steps
    assert losses[0] / losses[-1] > 50
    X, y = map(np.array, classifier_data(6))
    W1, b1, W2, b2 = map(np.array, classifier_init(4))
    for k in range(3):
        loss, dW1, dW2, db1, db2 = np_passes(X, y, W1, b1, W2, b2)
        assert losses[k] == pytest.approx(loss, rel=1e-12)
        W1, b1, W2, b2 = W1 - 0.5 * dW1, b1 - 0.5 * db1, W2 - 0.5 * dW2, b2 - 0.5 * db2
    assert np.allclose(run["states"][3][0], W1) and np.allclose(run["states"][3][2], W2)


def test_each_cycle_shows_a_later_training_step():
    m = BackpropMode(submode="matrix")
    period = len(MATRIX_OPS) * OP_S + OP_S
    shown = [_tel(m.frame(c * period + 0.1))["train_step"]["value"] for c in range(len(SHOWN_STEPS) + 1)]
    assert shown == list(SHOWN_STEPS) + [0]
    run = classifier_run(6, 4)
    # a step's loss shows once its forward pass reaches P (the fourth operation), not before
    early = _tel(m.frame(4 * period + 0.1))
    assert early["loss"]["text"] == "not yet"
    tel = _tel(m.frame(4 * period + 3 * OP_S + 0.1))
    assert tel["loss"]["value"] == pytest.approx(run["losses"][SHOWN_STEPS[4]])


def test_gradients_appear_in_backward_order_each_under_its_matrix():
    m = BackpropMode(submode="matrix")
    seen = []
    for j in range(len(MATRIX_OPS)):
        items = m.frame(j * OP_S + 0.5)["scene"]["items"]
        seen.append({it["label"] for it in items if it["k"] == "grid"})
    order = [op[1] for op in MATRIX_OPS if op[1]]
    for j, name in enumerate(order):
        assert name in seen[j] and all(name not in s for s in seen[:j]), name
    # each gradient's grid sits in its matrix's column and has its shape
    items = m.frame((len(MATRIX_OPS) - 1) * OP_S + 0.5)["scene"]["items"]
    grids = {it["label"]: it for it in items if it["k"] == "grid"}
    for a, g in (("W1", "dW1"), ("H", "dH"), ("Z1", "dZ1"), ("W2", "dW2"), ("S", "dS")):
        assert grids[a]["x"] == grids[g]["x"] and (grids[a]["rows"], grids[a]["cols"]) == (grids[g]["rows"],
                                                                                             grids[g]["cols"])
    # dX is never computed: X is data
    assert "dX" not in grids and any(it.get("label") == "dX (not needed)" for it in items)


def test_relu_blocks_the_same_entries_forwards_and_backwards():
    m = BackpropMode(submode="matrix")
    items = m.frame((len(MATRIX_OPS) - 1) * OP_S + 0.5)["scene"]["items"]
    grids = {it["label"]: it for it in items if it["k"] == "grid"}
    h, dz = grids["H"]["v"], grids["dZ1"]["v"]
    assert any(v == 0 for v in h)
    assert all(d == 0 for v, d in zip(h, dz) if v == 0)


# -- check ----------------------------------------------------------------------------------------


def np_loss(w, x=1.5, b=-2.0, dtype=np.float64):
    w, x, b = dtype(w), dtype(x), dtype(b)
    z = w * x + b
    return -np.log(dtype(1) / (dtype(1) + np.exp(-z)))


def test_check_view_compares_backprop_with_numpy_secants():
    m = BackpropMode(submode="check")
    exact = (np_sigmoid(0.8 * 1.5 - 2.0) - 1) * 1.5
    for i in (0, 8, 16, 20):
        tel = _tel(m.frame(i * PROBE_S + 0.1))
        h = 10.0 ** H_EXPONENTS[i]
        assert tel["h"]["value"] == pytest.approx(h)
        assert tel["exact"]["value"] == pytest.approx(exact, rel=1e-12)
        num = (np_loss(0.8 + h) - np_loss(0.8 - h)) / (2 * h)
        assert tel["central"]["value"] == pytest.approx(num, rel=1e-9, abs=1e-12)


def test_truncation_falls_as_h_squared_then_round_off_takes_over():
    m = BackpropMode(submode="check")
    err = {i: _tel(m.frame(i * PROBE_S + 0.1))["err_central"]["value"] for i in (4, 8, 12, 20, 48)}
    one = {i: _tel(m.frame(i * PROBE_S + 0.1))["err_one_sided"]["value"] for i in (4, 8)}
    assert err[4] / err[8] == pytest.approx(100, rel=0.05)         # h from 0.1 to 0.01
    assert one[4] / one[8] == pytest.approx(10, rel=0.05)
    assert err[20] < 1e-3 * err[12]                                # h = 10⁻⁵: near the best step
    assert err[48] > 1e3 * err[20]                                 # h = 10⁻¹²: round-off


def test_32_bit_arithmetic_raises_the_floor():
    def floor(prec):
        m = BackpropMode(submode="check", values={"prec": prec})
        return min(_tel(m.frame(i * PROBE_S + 0.1))["err_central"]["value"] for i in range(len(H_EXPONENTS)))
    assert floor("fp64") < 1e-10
    assert floor("fp32") > 1e-7
    # in 32-bit arithmetic a nudge below half the float spacing near 0.8 leaves w unchanged: slope 0
    m = BackpropMode(submode="check", values={"prec": "fp32"})
    tel = _tel(m.frame((len(H_EXPONENTS) - 1) * PROBE_S + 0.1))
    assert tel["central"]["value"] == 0.0
    period = len(H_EXPONENTS) * PROBE_S + CHECK_HOLD_S
    assert _tel(m.frame(period + 0.1))["h"]["value"] == 1.0


# -- cost -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("proj,d_in,d_out", [("q", 4096, 4096), ("k", 4096, 1024), ("gate", 4096, 14336),
                                             ("down", 14336, 4096)])
@pytest.mark.parametrize("tokens", [1, 2048, 8192])
def test_cost_view_counts_three_equal_gemms(proj, d_in, d_out, tokens):
    tel = _tel(BackpropMode(submode="cost", values={"proj": proj, "tokens": tokens}).frame(0.0))
    fwd = 2 * tokens * d_in * d_out
    assert tel["fwd"]["value"] == tel["dx"]["value"] == tel["dw"]["value"] == fwd
    assert tel["ratio"]["value"] == 2.0
    # Llama 3 8B's config: the whole model's matrix FLOPs per token, forward and backward
    forward = 2 * (32 * (2 * 4096 * 4096 + 2 * 4096 * 1024 + 3 * 4096 * 14336) + 4096 * 128256)
    assert tel["model_fwd"]["value"] == forward and tel["model_bwd"]["value"] == 2 * forward


def test_cost_view_draws_the_matrices_to_one_scale():
    items = BackpropMode(submode="cost", values={"proj": "gate", "tokens": 2048}).frame(0.0)["scene"]["items"]
    rects = {}
    for it in items:
        if it["k"] == "rect" and it.get("label") in ("X", "W", "Y"):
            rects.setdefault(it["label"], it)
    scale = rects["W"]["w"] / 14336
    assert rects["W"]["h"] == pytest.approx(4096 * scale)
    assert rects["X"]["h"] == pytest.approx(2048 * scale) and rects["Y"]["w"] == pytest.approx(14336 * scale)


def test_bad_values_clamp_with_messages():
    m = BackpropMode(submode="matrix")
    assert "batch" in m.set("batch", 99).lower()
    assert m["batch"] == 8
    m = BackpropMode(submode="graph")
    assert m.set("w", -40)
    assert m["w"] == -2.0
    assert math.isfinite(_tel(m.frame(3.0))["loss"]["value"])
