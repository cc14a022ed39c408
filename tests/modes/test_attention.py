"""The attention mode: its head against numpy, its pattern, its animation states, its cost figures."""
import itertools
import math

import numpy as np
import pytest

from llmviz.calc.attention import (
    attention_crossover_tokens,
    attention_projection_flops,
    layer_weight_flops,
    model_attention_core_flops,
    score_matrix_bytes,
)
from llmviz.units import fmt_bytes
from llmviz.modes.part02_transformer.attention import (
    ARRIVE,
    COST_MODELS,
    COST_STEP,
    D_STEP,
    GRAPH_Y,
    PH_DOT,
    PH_NORM,
    ROW_PERIOD,
    TOKENS,
    AttentionMode,
    random_scores,
    toy_head,
)
from tooling import label_problems

N = len(TOKENS)
IT, ANIMAL = TOKENS.index("it"), TOKENS.index("animal")


def oracle_weights(causal, scaled=True, tau=1.0):
    h = toy_head()
    x, wq, wk, wv = (np.array(a) for a in (h.x, h.w_q, h.w_k, h.w_v))
    q, k, v = x @ wq, x @ wk, x @ wv
    s = q @ k.T / (tau * (math.sqrt(q.shape[1]) if scaled else 1))
    if causal:
        s = np.where(np.triu(np.ones((N, N), bool), 1), -np.inf, s)
    e = np.exp(s - s.max(1, keepdims=True))
    w = e / e.sum(1, keepdims=True)
    return w, w @ v


def tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def grids(frame):
    return [it for it in frame["scene"]["items"] if it["k"] == "grid"]


def texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def test_head_shapes_and_projections():
    h = toy_head()
    assert (h.d_model, h.d_k, h.d_v) == (16, 12, 8)
    x = np.array(h.x)
    np.testing.assert_allclose(h.q, x @ np.array(h.w_q), atol=1e-12)
    np.testing.assert_allclose(h.k, x @ np.array(h.w_k), atol=1e-12)
    np.testing.assert_allclose(h.v, x @ np.array(h.w_v), atol=1e-12)


def test_position_term_peaks_at_the_previous_token():
    # strip the word features: what is left of q_i·k_j depends on positions only
    h = toy_head()
    x = np.array(h.x)
    x[:, :8] = 0
    s = (x @ np.array(h.w_q)) @ (x @ np.array(h.w_k)).T
    for i in range(1, N):
        assert int(np.argmax(s[i, :i + 1])) == i - 1


@pytest.mark.parametrize("causal,scale,tau", [(True, "sqrt", 1.0), (False, "sqrt", 1.0),
                                              (True, "none", 1.0), (False, "sqrt", 0.5)])
def test_drawn_heatmap_is_the_numpy_oracle(causal, scale, tau):
    m = AttentionMode(values={"causal": causal, "scale": scale, "temp": tau})
    f = m.frame(10.0)
    big = grids(f)[0]
    assert (big["rows"], big["cols"]) == (N, N)
    w, out = oracle_weights(causal, scale == "sqrt", tau)
    for idx, v in enumerate(big["v"]):
        i, j = divmod(idx, N)
        if causal and j > i:
            assert v is None
        else:
            assert v == pytest.approx(w[i, j], abs=6e-4)     # a colour: three decimals
    # the output strip is row 8 of weights·V
    strip = [g for g in grids(f) if g["rows"] == 1 and g["cols"] == 8][0]
    np.testing.assert_allclose(strip["v"], out[IT], atol=6e-5)
    assert tel(f)["top"]["value"] == pytest.approx(w[IT].max())


def test_the_pattern_reads_as_designed():
    for causal in (True, False):
        w, _ = oracle_weights(causal)
        assert TOKENS[int(np.argmax(w[IT]))] == "animal"
        assert TOKENS[int(np.argmax(w[TOKENS.index("'t")]))] == "didn"
        assert TOKENS[int(np.argmax(w[TOKENS.index("tired")]))] == "animal"
        assert TOKENS[int(np.argmax(w[TOKENS.index("street")]))] in ("cross", "the")
    w, _ = oracle_weights(True)
    assert w[0, 0] == 1.0                              # the first token sees only itself
    w, _ = oracle_weights(False)
    assert {TOKENS[j] for j in np.argsort(w[0])[-2:]} == {"animal", "street"}


def test_scaling_and_temperature_change_sharpness():
    top = lambda **v: tel(AttentionMode(values=v).frame(10))["top"]["value"]
    assert top(scale="none") > 0.95 > top() > 0.4
    assert top(temp=0.5) > top() > top(temp=2.0)


def test_row_is_worked_in_stages():
    m = AttentionMode()
    # dot products appear one key at a time: at 0.5 s, int(0.5/0.8·12)+1 = 8 of the 9 visible keys
    scores = np.array(toy_head().q) @ np.array(toy_head().k).T
    f = m.frame(0.5)
    visible = [f"{scores[IT, j]:.2f}" for j in range(IT + 1)]
    assert len(set(visible)) == IT + 1
    shown = [s for s in visible if s in texts(f)]
    assert len(shown) == 8
    assert "step 1 of 4: dot products q·k" in texts(f)
    assert "step 3 of 4: exponentiate" in texts(m.frame(1.2))
    done = texts(m.frame(PH_NORM + 0.1))
    assert any(s.startswith("sum of e^(x−max)") for s in done)
    w, _ = oracle_weights(True)
    assert f"{w[IT, ANIMAL]:.3f}" in done


def test_sweep_steps_the_query():
    m = AttentionMode(values={"sweep": True, "query": "3"})
    for k in range(14):
        assert tel(m.frame(k * ROW_PERIOD + 2.0))["query"]["value"] == (3 + k) % N
    still = AttentionMode(values={"query": "3"})
    assert tel(still.frame(5 * ROW_PERIOD))["query"]["value"] == 3


def test_graph_line_widths_follow_the_weights():
    m = AttentionMode(submode="graph")
    f = m.frame(5.0)
    w, _ = oracle_weights(True)
    # the query's lines rise from the tokens' top edge; the strongest-key links hang below
    upper = [it for it in f["scene"]["items"] if it["k"] == "path" and it["stroke"] == "q"
             and max(it["pts"][1::2]) <= GRAPH_Y - 16 + 1e-6]
    assert len(upper) == IT + 1                          # keys 0..8; later ones are masked
    widths = sorted(round((p["lw"] - 0.8) / 11, 4) for p in upper)
    np.testing.assert_allclose(widths, sorted(w[IT, :IT + 1]), atol=1e-3)


def test_mask_view_arrivals_and_changes():
    for causal in (True, False):
        m = AttentionMode(submode="mask", values={"causal": causal})
        for n in range(1, N + 1):
            f = m.frame((n - 1) * ARRIVE + 0.1)
            t = tel(f)
            assert t["arrived"]["value"] == n
            assert grids(f)[0]["rows"] == n
            expect = 0 if causal or n == 1 else (n - 1) ** 2
            assert t["changed"]["value"] == expect
    ev = AttentionMode(submode="mask").events(0.0, 2 * ARRIVE)
    assert len(ev) == 2 and "reused" in ev[0]["text"]


def test_scaling_view_spread_grows_like_sqrt_d():
    m = AttentionMode(submode="scaling")
    for step in (4, 6, 8, 10):
        d = 2 ** step
        t = tel(m.frame(step * D_STEP + 0.1))
        assert t["dk"]["value"] == d
        assert t["std"]["value"] == pytest.approx(math.sqrt(d), rel=0.3)
        oracle = np.array(random_scores(d))
        assert t["std"]["value"] == pytest.approx(math.sqrt((oracle ** 2).mean()))
    end = tel(m.frame(60))
    assert end["dk"]["value"] == 1024
    assert end["top_raw"]["value"] > 0.9 and end["top_scaled"]["value"] < 0.5


@pytest.mark.parametrize("model", COST_MODELS)
def test_cost_view_matches_calc(model):
    n = 32768
    m = AttentionMode(submode="cost", values={"model": model, "tokens": n})
    assert tel(m.frame(0))["n"]["value"] == n // 8          # the marker starts three doublings back
    t = tel(m.frame(3 * COST_STEP + 0.1))
    assert t["n"]["value"] == n
    assert t["elements"]["value"] == n * n
    assert t["head_bytes"]["value"] == 2 * n * n
    assert t["core_flops"]["value"] == model_attention_core_flops(model, n, causal=True)   # the mask is on
    assert t["proj_flops"]["value"] == attention_projection_flops(model, n)
    assert t["layer_flops"]["value"] == layer_weight_flops(model, n)
    assert t["crossover"]["value"] == attention_crossover_tokens(model, causal=True)
    assert t["crossover_layer"]["value"] == attention_crossover_tokens(model, causal=True, whole_layer=True)
    off = tel(AttentionMode(submode="cost", values={"model": model, "tokens": n, "causal": False})
              .frame(3 * COST_STEP + 0.1))
    assert off["core_flops"]["value"] == model_attention_core_flops(model, n)
    assert off["crossover"]["value"] == attention_crossover_tokens(model)
    ev = m.events(0.0, 3 * COST_STEP + 0.1)
    assert [e["text"].split(":")[0] for e in ev] == [f"N doubled to {n // 4:,}", f"N doubled to {n // 2:,}",
                                                     f"N doubled to {n:,}"]


def test_every_view_reports_the_n_squared_score_count():
    for sub in AttentionMode.submodes:
        f = AttentionMode(submode=sub, values={"tokens": 4096}).frame(4.0)
        t = tel(f)
        key = "elements" if sub == "cost" else "scores_at_n"
        n = t["n"]["value"] if sub == "cost" else 4096
        assert t[key]["value"] == n * n
    cost = AttentionMode(submode="cost", values={"tokens": 4096, "model": "llama-3-70b"}).frame(60.0)
    whole = fmt_bytes(score_matrix_bytes(4096, heads=64, layers=80))     # 64 heads x 80 layers
    assert f"all 80 layers: {whole}" in texts(cost)


def _labels_fit(frame):
    problems = label_problems(frame)
    assert not problems, problems[:3]


@pytest.mark.parametrize("sub", ["heatmap", "graph", "mask"])
def test_labels_fit_for_every_query_and_setting(sub):
    for q, causal, scale in itertools.product(range(N), (True, False), ("sqrt", "none")):
        m = AttentionMode(submode=sub, values={"query": str(q), "causal": causal, "scale": scale})
        for t in (0.0, 0.3, PH_DOT + 0.05, 1.5, 20.0):
            _labels_fit(m.frame(t))


@pytest.mark.parametrize("model", COST_MODELS)
def test_labels_fit_in_cost_and_scaling_views(model):
    for n in (16, 100, 5000, 131072):
        for causal in (True, False):
            m = AttentionMode(submode="cost", values={"model": model, "tokens": n, "causal": causal})
            for t in (0.0, 1.5, 9.0):
                _labels_fit(m.frame(t))
    for tau, scale in itertools.product((0.25, 1.0, 4.0), ("sqrt", "none")):
        m = AttentionMode(submode="scaling", values={"temp": tau, "scale": scale})
        for step in range(11):
            _labels_fit(m.frame(step * D_STEP + 0.2))


def test_frames_hold_a_readable_end_state():
    for sub in AttentionMode.submodes:
        m = AttentionMode(submode=sub)
        a, b = m.frame(60.0), m.frame(600.0)
        assert a["scene"] == b["scene"]
