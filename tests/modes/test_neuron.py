"""The neuron workshop: what each view shows, and that the perceptron really learns (or cycles) live.

numpy is the oracle for the neuron's arithmetic and for one update of the
rule; the run's counters are checked against a replay written out here.
"""
import math

import numpy as np
import pytest

from llmviz.calc.gemm import layer_projections, linear_flops
from llmviz.modes.part01_networks.neuron import (HOLD_S, NEURON_R, NEURON_X, PLOT_S, PLOT_Y, TRAIN_R, TRAIN_X,
                                                  UPDATE_TICKS, NeuronMode, boundary_segment, half_plane,
                                                  separable_dataset)
from tooling import label_problems


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def _world(x0, lo, hi):
    unit = PLOT_S / (hi - lo)
    return lambda px, py: (lo + (px - x0) / unit, hi - (py - PLOT_Y) / unit)


# -- the neuron ------------------------------------------------------------------


@pytest.mark.parametrize("values", [{}, {"act": "sigmoid"}, {"x1": 0.5, "x2": 0.5}, {"b": 1.5},
                                    {"w1": 1, "w2": 2}, {"x1": -1, "x2": 1, "act": "sigmoid"}])
def test_neuron_numbers_match_numpy(values):
    m = NeuronMode(submode="neuron", values=values)
    w, x, b = np.array([m["w1"], m["w2"]]), np.array([m["x1"], m["x2"]]), m["b"]
    z = w @ x + b
    tel = _tel(m.frame(1.0))
    assert tel["z"]["value"] == pytest.approx(z)
    want = (1.0 if z >= 0 else 0.0) if m["act"] == "step" else 1 / (1 + np.exp(-z))
    assert tel["y"]["value"] == pytest.approx(want)
    assert tel["dist"]["value"] == pytest.approx(z / np.linalg.norm(w))


def test_the_drawn_line_is_the_boundary_and_w_is_its_normal():
    m = NeuronMode(submode="neuron")
    f = m.frame(1.0)
    w, b = np.array([m["w1"], m["w2"]]), m["b"]
    to_world = _world(NEURON_X, -NEURON_R, NEURON_R)
    lines = [it for it in f["scene"]["items"] if it["k"] == "line" and it.get("lw") == 2.5]
    assert len(lines) == 1
    p = np.array(to_world(lines[0]["x1"], lines[0]["y1"]))
    q = np.array(to_world(lines[0]["x2"], lines[0]["y2"]))
    assert w @ p + b == pytest.approx(0, abs=1e-9) and w @ q + b == pytest.approx(0, abs=1e-9)
    (arrow,) = [it for it in f["scene"]["items"] if it["k"] == "arrow" and it["stroke"] == "accent3"]
    a = np.array(to_world(arrow["x1"], arrow["y1"]))
    c = np.array(to_world(arrow["x2"], arrow["y2"]))
    # the arrow starts on the line, points along w, and is perpendicular to it
    assert w @ a + b == pytest.approx(0, abs=1e-9)
    assert (c - a) @ (q - p) == pytest.approx(0, abs=1e-9)
    assert (c - a) @ w > 0


def test_half_planes_split_the_square():
    w, b = (2.0, -1.0), -0.5
    pos, neg = half_plane(w, b, -2.5, 2.5, True), half_plane(w, b, -2.5, 2.5, False)

    def area(poly):
        return 0.5 * abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1])))
    assert area(pos) + area(neg) == pytest.approx(25)
    assert all(w[0] * x + w[1] * y + b >= -1e-9 for x, y in pos)
    assert boundary_segment((0.0, 0.0), 1.0, -1, 1) is None


# -- the layer ---------------------------------------------------------------------


@pytest.mark.parametrize("neurons", [1, 2, 3, 4])
def test_layer_draws_one_line_per_row_and_prices_wx(neurons):
    m = NeuronMode(submode="layer", values={"neurons": neurons})
    f = m.frame(0.0)
    tel = _tel(f)
    assert tel["flops"]["value"] == 2 * neurons * 2
    assert tel["shape"]["text"] == f"{neurons} \u00d7 2"
    boundaries = [it for it in f["scene"]["items"] if it["k"] == "line" and it.get("lw") == 2.5]
    assert len(boundaries) == neurons
    assert tel["llama"]["value"] == linear_flops(*layer_projections("llama-3-8b")["gate"]) == 2 * 14336 * 4096


# -- training: it learns, and the picture follows the rule -----------------------------------


def test_the_perceptron_learns_on_the_default_seed():
    """Mistakes per pass fall from the first pass to zero on the stated seed (data 10, margin 0.1)."""
    m = NeuronMode(submode="train")
    st = m.cached("training", m._training)
    passes = st["run"]["passes"]
    assert st["run"]["status"] == "converged"
    assert passes[0] >= 5 and passes[-1] == 0
    assert st["run"]["visits"][-1]["updates"] == 14 <= st["bound"]


def test_one_update_matches_numpy():
    m = NeuronMode(submode="train")
    st = m.cached("training", m._training)
    v = next(v for v in st["run"]["visits"] if v["mistake"] and v["updates"] == 3)
    x = np.array(st["data"]["points"][v["i"]])
    t = st["data"]["labels"][v["i"]]
    w, b = np.array(v["w"]), v["b"]
    assert t * (w @ x + b) <= 0
    assert np.allclose(v["w_after"], w + t * x) and v["b_after"] == b + t


def test_the_mistaken_point_lights_up_and_the_line_moves():
    m = NeuronMode(submode="train")
    st = m.cached("training", m._training)
    sched = st["sched"]
    pace = m["pace"]
    k = next(i for i, v in enumerate(sched.visits) if v["mistake"] and v["updates"] == 2)
    v = sched.visits[k]
    start = sched.starts[k] / pace
    to_world = _world(TRAIN_X, -TRAIN_R, TRAIN_R)
    f = m.frame(start + 0.5 / pace)            # inside the highlight, before the line moves
    rings = [it for it in f["scene"]["items"] if it["k"] == "circle" and it.get("stroke") == "bad"]
    assert len(rings) == 1
    assert to_world(rings[0]["x"], rings[0]["y"]) == pytest.approx(st["data"]["points"][v["i"]], abs=1e-9)
    assert _tel(f)["updates"]["value"] == 2
    assert any("wrong side" in s or "on the line" in s for s in _texts(f))
    # after the update the drawn line is the new one: w_after·x + b_after = 0 along it
    f2 = m.frame(start + (UPDATE_TICKS - 0.1) / pace)
    (line,) = [it for it in f2["scene"]["items"] if it["k"] == "line" and it.get("lw") == 2.5]
    for px, py in ((line["x1"], line["y1"]), (line["x2"], line["y2"])):
        p = np.array(to_world(px, py))
        assert np.array(v["w_after"]) @ p + v["b_after"] == pytest.approx(0, abs=1e-9)


def test_counters_follow_a_replay():
    m = NeuronMode(submode="train", values={"pace": 10})
    st = m.cached("training", m._training)
    pts, labels = np.array(st["data"]["points"]), st["data"]["labels"]
    # replay the rule visit by visit and compare with the frame at each visit's start
    w, b, updates = np.zeros(2), 0.0, 0
    for k, v in enumerate(st["sched"].visits[:60]):
        tel = _tel(m.frame(st["sched"].starts[k] / 10 + 1e-6))
        x, t = pts[v["i"]], labels[v["i"]]
        if t * (w @ x + b) <= 0:
            w, b, updates = w + t * x, b + t, updates + 1
        assert tel["updates"]["value"] == updates
        assert tel["pass"]["value"] == k // len(pts) + 1


def test_a_converged_run_rests_then_starts_again():
    m = NeuronMode(submode="train")
    sched = m.cached("training", m._training)["sched"]
    period = sched.total / m["pace"] + HOLD_S
    a, b = m.frame(1.3), NeuronMode(submode="train").frame(period + 1.3)
    assert _tel(a) == _tel(b) and _texts(a) == _texts(b)
    assert len(a["scene"]["items"]) == len(b["scene"]["items"])
    end = NeuronMode(submode="train").frame(sched.total / m["pace"] + 1.0)
    assert any("Converged" in s for s in _texts(end))


def test_margin_slider_changes_the_bound_as_its_square():
    wide = _tel(NeuronMode(submode="train", values={"margin": 0.3}).frame(1.0))
    narrow = _tel(NeuronMode(submode="train", values={"margin": 0.05}).frame(1.0))
    assert narrow["bound"]["value"] > 25 * wide["bound"]["value"]
    assert separable_dataset(3, 12, 0.2)["labels"] == separable_dataset(3, 12, 0.2)["labels"]


# -- XOR never settles, at any time --------------------------------------------------------------


def test_xor_counts_keep_climbing_with_four_mistakes_a_pass():
    m = NeuronMode(submode="xor")
    ticks_per_pass = 4 * UPDATE_TICKS
    for t in (0.3, 7.0, 123.4, 1e6, 1e12):
        tel = _tel(m.frame(t))
        ticks = t * m["pace"]
        n = math.floor(ticks / ticks_per_pass)
        assert tel["pass"]["value"] == n + 1
        assert tel["updates"]["value"] == 4 * n + tel["mistakes"]["value"]
        assert 1 <= tel["mistakes"]["value"] <= 4


def test_and_and_or_settle():
    for gate in ("and", "or"):
        st = NeuronMode(submode="xor", values={"gate": gate})
        run = st.cached("training", st._training)
        assert run["run"]["status"] == "converged"
        assert run["run"]["visits"][-1]["updates"] <= run["bound"]


def test_console_narrates_updates_and_summarises_jumps():
    m = NeuronMode(submode="train")
    m.frame(0.0)
    lines = [c["text"] for c in m.frame(3.0)["console"]]
    assert any(s.startswith("Point ") and "w \u2190 w + t\u00b7x" in s for s in lines)
    m.frame(3.0)
    jump = [c["text"] for c in m.frame(5e5)["console"]]
    assert len(jump) <= 9
    x = NeuronMode(submode="xor")
    x.frame(0.0)
    texts = [c["text"] for c in x.frame(12.0)["console"]]
    assert any("the same pass comes round" in s for s in texts)


@pytest.mark.parametrize("sub", list(NeuronMode.submodes))
def test_every_view_is_readable_at_many_times(sub):
    m = NeuronMode(submode=sub)
    for t in (0.0, 0.26, 1.1, 2.9, 5.5, 13.0, 41.0, 77.7):
        f = m.frame(t)
        assert not label_problems(f), (t, label_problems(f)[:2])
        assert len(f["scene"]["items"]) <= 500
