"""The multi-head workshop: every number it draws is the tiny model's, checked against a numpy forward."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from llmviz.lm import model as lm
from llmviz.modes.part02_transformer import multihead as mh
from llmviz.modes.part02_transformer import trained_head as th
from llmviz.modes.part02_transformer.multihead import MultiHeadMode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from tiny_lm import numpy_lm  # noqa: E402

HEAT = mh.HEAT_STEPS


@pytest.fixture(scope="module")
def shipped():
    params, cfg, header = numpy_lm.load_shipped(lm.HERE)
    return params, cfg, header


def trace(shipped, sentence):
    params, cfg, _ = shipped
    return numpy_lm.trace(params, lm.load().tokenizer.encode(th.SENTENCES[sentence][1]), cfg)


def steps(values, vmax):
    """numpy's own rounding of values to whole steps of vmax / HEAT_STEPS, as the views send them."""
    return np.clip(np.round(np.asarray(values) / vmax * HEAT), -HEAT, HEAT)


def same_steps(got, want):
    """Whole steps that agree with numpy's, but for an entry on a rounding boundary."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    assert (np.abs(got - want) <= 1).all() and (got == want).mean() > 0.95


def tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def grids(frame, label_start):
    return [it for it in frame["scene"]["items"] if it["k"] == "grid" and it.get("label", "").startswith(label_start)]


def test_constants_match_the_shipped_model(shipped):
    _, cfg, _ = shipped
    assert (mh.D_MODEL, mh.N_HEAD, mh.N_LAYER) == (cfg.d_model, cfg.n_head, cfg.n_layer)
    assert str(mh.N_HEAD) in [str(h) for h in mh.SPLIT_HEADS]


# -- heads side by side ------------------------------------------------------------


@pytest.mark.parametrize("sentence,layer", [(0, 1), (2, 0), (3, 1)])
def test_each_heatmap_is_that_heads_weights(shipped, sentence, layer):
    ref = trace(shipped, sentence)["layers"][layer]["weights"]
    m = MultiHeadMode(submode="heads", values={"sentence": str(sentence), "layer": str(layer)})
    f = m.frame(120.0)
    gs = grids(f, f"attention weights of layer {layer}")
    assert len(gs) == mh.N_HEAD
    for h, g in enumerate(gs):
        n = g["rows"]
        assert n == g["cols"] == ref.shape[1]
        for i in range(n):
            for j in range(n):
                v = g["v"][i * n + j]
                assert (v is None) == (j > i)
                if v is not None:
                    assert v / mh.WEIGHT_STEPS == pytest.approx(ref[h, i, j], abs=0.005 + 1e-12)
    # the four heads really differ: no two heatmaps are the same picture
    for a in range(mh.N_HEAD):
        for b in range(a + 1, mh.N_HEAD):
            assert np.abs(ref[a] - ref[b]).max() > 0.2


def test_rows_arrive_in_all_four_heads_at_once_and_the_focus_stops_at_the_query():
    m = MultiHeadMode(submode="heads", values={"query": 6})
    for k, want_focus in ((0, 0), (3, 3), (9, 6)):
        f = m.frame(k * mh.ARRIVE + 0.01)
        t = tel(f)
        assert t["read"]["value"] == k + 1 and t["query"]["value"] == want_focus
        assert {g["rows"] for g in grids(f, "attention weights")} == {k + 1}


def test_telemetry_names_each_heads_strongest_key(shipped):
    ref = trace(shipped, 0)["layers"][1]["weights"]
    t = tel(MultiHeadMode(submode="heads", values={"query": 12}).frame(60.0))
    labels = mh.labels(0)
    tops = []
    for h in range(mh.N_HEAD):
        j = int(np.argmax(ref[h, 12, :13]))
        tops.append(j)
        assert t[f"top{h}"]["value"] == pytest.approx(ref[h, 12, j], abs=1e-12)
        assert f"“{labels[j]}”" in t[f"top{h}"]["text"]
    assert t["distinct"]["value"] == len(set(tops))


def test_a_query_past_the_sentence_means_its_last_token():
    m = MultiHeadMode(submode="heads", values={"sentence": "2", "query": 21})
    assert tel(m.frame(60.0))["query"]["value"] == mh.n_tokens(2) - 1


def test_console_names_each_arrival():
    m = MultiHeadMode(submode="heads")
    m.frame(0.0)
    lines = [e["text"] for e in m.frame(2 * mh.ARRIVE + 0.01)["console"]]
    assert [s.split(" “")[0] for s in lines] == ["token 1", "token 2"]
    assert all("all 4 heads at once" in s for s in lines)


# -- the split ---------------------------------------------------------------------


@pytest.mark.parametrize("layer,pos", [(0, 3), (1, 12), (1, 20)])
def test_split_draws_the_models_x_and_q(shipped, layer, pos):
    params, _, _ = shipped
    ref = trace(shipped, 0)["layers"][layer]
    x_ref = ref["attn_in"][pos]
    w_q = params[f"layers.{layer}.w_q"].astype(np.float64)
    q_ref = x_ref @ w_q
    np.testing.assert_allclose(mh.layer_input(0, layer, pos), x_ref, atol=1e-6)
    np.testing.assert_allclose(mh.query_vector(0, layer, pos), q_ref, atol=1e-5)
    f = MultiHeadMode(submode="split", values={"layer": str(layer), "query": pos}).frame(0.0)
    (xg,) = grids(f, "x, the normed input")
    (qg,) = grids(f, "q = x·W_Q")
    assert (xg["vmin"], xg["vmax"]) == (qg["vmin"], qg["vmax"]) == (-HEAT, HEAT)
    same_steps(xg["v"], steps(x_ref, np.abs(x_ref).max()))
    same_steps(qg["v"], steps(q_ref, np.abs(q_ref).max()))
    (wg,) = grids(f, f"W_Q of layer {layer}")
    want = np.clip(np.round(w_q / np.abs(w_q).max() * HEAT), -HEAT, HEAT)
    got = np.array(wg["v"]).reshape(64, 64)
    assert (np.abs(got - want) <= 1).all() and (got == want).mean() > 0.99


def test_the_query_slice_of_a_head_is_x_times_its_columns(shipped):
    params, _, _ = shipped
    x = np.array(mh.layer_input(0, 1, 12))
    w_q = params["layers.1.w_q"].astype(np.float64)
    q = np.array(mh.query_vector(0, 1, 12))
    for h in (1, 2, 4, 8, 16):
        dh = 64 // h
        for k in range(h):
            np.testing.assert_allclose(q[k * dh:(k + 1) * dh], x @ w_q[:, k * dh:(k + 1) * dh], atol=1e-12)


@pytest.mark.parametrize("h", ["1", "2", "8", "16"])
def test_cutting_differently_changes_the_bands_not_the_numbers(h):
    base = MultiHeadMode(submode="split").frame(0.0)
    other = MultiHeadMode(submode="split", values={"split_heads": h}).frame(0.0)
    for label in ("x, the normed input", "q = x·W_Q", "W_Q of layer 1"):
        assert grids(base, label)[0]["v"] == grids(other, label)[0]["v"]
    t = tel(other)
    assert t["heads"]["value"] == int(h) and t["d_head"]["value"] == 64 // int(h)
    assert t["w_q"]["value"] == 64 * 64 == tel(base)["w_q"]["value"]
    bands = [it for it in other["scene"]["items"] if it["k"] == "rect" and it.get("stroke") == "ink"
             and it.get("h") == 64 * mh.PX]
    assert len(bands) == int(h)


def test_split_focus_steps_through_the_heads_and_says_which_columns():
    m = MultiHeadMode(submode="split", values={"split_heads": "4"})
    assert [tel(m.frame(k * mh.SPLIT_STEP + 0.01))["focus"]["value"] for k in range(6)] == [0, 1, 2, 3, 0, 1]
    m = MultiHeadMode(submode="split")
    m.frame(0.0)
    lines = [e["text"] for e in m.frame(2 * mh.SPLIT_STEP + 0.01)["console"]]
    assert lines == [
        "head 1 takes columns 16–31 of W_Q, W_K and W_V: its query is q[16:32], 16 of the 64 numbers",
        "head 2 takes columns 32–47 of W_Q, W_K and W_V: its query is q[32:48], 16 of the 64 numbers",
    ]


def test_the_shape_lines_are_numpys(shipped):
    f = MultiHeadMode(submode="split", values={"split_heads": "8"}).frame(0.0)
    texts = [it["s"] for it in f["scene"]["items"] if it["k"] == "text"]
    n = mh.n_tokens(0)
    q = np.zeros((8, n, 8))
    s = q @ q.transpose(0, 2, 1)
    assert f"scores {tuple(q.shape)} @ {(8, 8, n)} → {tuple(s.shape)}".replace("'", "") in texts
    assert f"weights @ V → {tuple((s @ q).shape)}" in texts


# -- concat and W_O ------------------------------------------------------------------


@pytest.mark.parametrize("layer,pos", [(0, 5), (1, 12), (1, 0)])
def test_head_outputs_shares_and_output_are_the_models(shipped, layer, pos):
    params, _, _ = shipped
    ref = trace(shipped, 0)["layers"][layer]
    o = np.einsum("hj,hjc->hc", ref["weights"][:, pos, :pos + 1], ref["v"][:, :pos + 1, :])
    np.testing.assert_allclose(mh.head_outputs(0, layer, pos), o, atol=1e-6)
    w_o = params[f"layers.{layer}.w_o"].astype(np.float64)
    np.testing.assert_allclose(mh.w_o_rows(layer), w_o, rtol=1e-6)
    np.testing.assert_allclose(mh.attention_output(0, layer, pos), ref["attn_out"][pos], atol=1e-6)
    f = MultiHeadMode(submode="concat", values={"layer": str(layer), "query": pos}).frame(60.0)
    (out,) = grids(f, "concat · W_O")
    shares = np.stack([o[h] @ w_o[16 * h:16 * (h + 1)] for h in range(4)])
    vmax = max(np.abs(shares).max(), np.abs(ref["attn_out"][pos]).max())
    same_steps(out["v"], steps(ref["attn_out"][pos], vmax))
    t = tel(f)
    for h in range(4):
        share = o[h] @ w_o[16 * h:16 * (h + 1)]
        assert t[f"share{h}"]["value"] == pytest.approx(np.linalg.norm(share), abs=1e-6)
    assert t["added"]["value"] == 4 and t["diff"]["value"] < 1e-12


def test_the_running_sum_closes_in_one_head_at_a_time(shipped):
    params, _, _ = shipped
    ref = trace(shipped, 0)["layers"][1]
    o = np.einsum("hj,hjc->hc", ref["weights"][:, 12, :13], ref["v"][:, :13, :])
    w_o = params["layers.1.w_o"].astype(np.float64)
    shares = [o[h] @ w_o[16 * h:16 * (h + 1)] for h in range(4)]
    m = MultiHeadMode(submode="concat")
    gaps = []
    for k in range(4):
        t = tel(m.frame(k * mh.CONCAT_STEP + 0.01))
        assert t["added"]["value"] == k + 1
        want = np.abs(sum(shares[:k + 1]) - ref["attn_out"][12]).max()
        assert t["diff"]["value"] == pytest.approx(want, abs=1e-6)
        gaps.append(t["diff"]["value"])
    assert gaps[-1] < 1e-12 < gaps[0]
    m = MultiHeadMode(submode="concat")
    m.frame(0.0)
    lines = [e["text"] for e in m.frame(3 * mh.CONCAT_STEP + 0.01)["console"]]
    assert len(lines) == 3 and lines[-1].startswith("head 3 adds its share: the sum of all 4 equals concat · W_O")


def test_the_table_prints_the_largest_output_entries(shipped):
    ref = trace(shipped, 0)["layers"][1]["attn_out"][12]
    f = MultiHeadMode(submode="concat").frame(60.0)
    texts = [it["s"] for it in f["scene"]["items"] if it["k"] == "text"]
    for j in np.argsort(-np.abs(ref))[:3]:
        assert f"[{j}]" in texts
        assert f"{ref[j]:.3f}".replace("-", "\u2212") in texts


# -- cost against h --------------------------------------------------------------------


@pytest.mark.parametrize("model,heads,want", [("llama-2-7b", 32, 32), ("llama-2-7b", 7, 8),
                                              ("llama-2-7b", 1024, 1024), ("opt-13b", 40, 40),
                                              ("opt-13b", 1000, 1024), ("llama-2-13b", 3, 4)])
def test_cost_snaps_to_a_head_count_that_divides_the_width(model, heads, want):
    from llmviz.catalog import get_model

    d = get_model(model).hidden
    t = tel(MultiHeadMode(submode="cost", values={"model": model, "heads": heads}).frame(0.0))
    assert t["h"]["value"] == want and d % want == 0
    assert t["d_head"]["value"] == d // want


@pytest.mark.parametrize("heads", [1, 8, 32, 128, 1024])
def test_parameters_and_flops_stay_and_scores_grow(heads):
    n = 4096
    t = tel(MultiHeadMode(submode="cost", values={"model": "llama-2-7b", "heads": heads, "keys": n}).frame(0.0))
    assert t["params"]["value"] == 4 * 4096 ** 2
    assert t["proj"]["value"] == 8 * 4096 ** 2
    assert t["core"]["value"] == 4 * n * 4096
    assert t["scores"]["value"] == heads * n
    assert t["bytes"]["value"] == heads * n * n * 2


def test_opt_counts_its_biases():
    t = tel(MultiHeadMode(submode="cost", values={"model": "opt-13b", "heads": 40}).frame(0.0))
    assert t["params"]["value"] == 4 * 5120 ** 2 + 4 * 5120


# -- cost of a frame -----------------------------------------------------------------


def test_no_frame_of_the_heads_view_waits_for_the_model_after_the_first():
    th._READINGS.clear()
    stalls = []
    real = lm.Reading.ensure

    def ensure(self, n):
        before = len(self.weights)
        real(self, n)
        if len(self.weights) > before:
            stalls.append((before, len(self.weights)))

    lm.Reading.ensure = ensure
    try:
        m = MultiHeadMode(submode="heads")
        for i in range(60 * 10):
            m.frame(i / 60)
            if i == 0:
                stalls.clear()
    finally:
        lm.Reading.ensure = real
    assert not stalls, stalls


def test_frames_stay_small():
    for sub in MultiHeadMode.submodes:
        m = MultiHeadMode(submode=sub)
        for t in (0.0, 3.0, 60.0):
            f = m.frame(t)
            assert len(f["scene"]["items"]) <= 500
            assert len(json.dumps(f)) <= 64_000


def test_the_cost_view_never_reads_the_model():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from llmviz import bridge\n"
        "bridge.open_mode('p02-c05-multihead', '{}', 'cost'); bridge.frame(0.5); bridge.frame(3.0)\n"
        "print('llmviz.lm.model' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code, str(ROOT / "py")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
