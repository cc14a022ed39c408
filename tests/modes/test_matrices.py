"""The matrices workshop: the plane view, the GEMM animation and the Llama layer view.

numpy is the oracle for the arithmetic the reader watches; counts and
shapes are written out by hand.
"""

import numpy as np
import pytest

from llmviz.modes.part00_math.matrices import (HOLD_S, MORPH_S, PLOT_S, PLOT_X, PLOT_Y, WORLD_R,
                                               MatricesMode, classify2, clip_segment, gemm_operands,
                                               gemm_position, lcg_ints, matmul)
from tooling import label_problems

# the plot maps the world square [-WORLD_R, WORLD_R]² onto PLOT_S pixels, origin at its centre
UNIT, OX, OY = PLOT_S / (2 * WORLD_R), PLOT_X + PLOT_S / 2, PLOT_Y + PLOT_S / 2


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def _check_labels(frame):
    problems = label_problems(frame)
    assert not problems, problems[:3]


# -- the plane --------------------------------------------------------------------


@pytest.mark.parametrize("sub", ["transform", "rotation", "shear", "scale", "singular"])
def test_settled_arrows_are_the_columns_of_a(sub):
    m = MatricesMode(submode=sub)
    a, b, c, d = m["a"], m["b"], m["c"], m["d"]
    f = m.frame(MORPH_S + 1)
    A = np.array([[a, b], [c, d]])
    tel = _tel(f)
    assert tel["det"]["value"] == pytest.approx(np.linalg.det(A), abs=1e-9)
    arrows = [it for it in f["scene"]["items"] if it["k"] == "arrow"]
    unit, ox, oy = UNIT, OX, OY
    tips = [((it["x2"] - ox) / unit, (oy - it["y2"]) / unit) for it in arrows]
    for col in A.T:
        assert any(np.allclose(tip, col, atol=1e-6) for tip in tips), (col, tips)


def test_grid_starts_at_the_identity_and_ends_at_a():
    m = MatricesMode(submode="shear")
    unit, ox, oy = UNIT, OX, OY
    arrows = [it for it in m.frame(0.0)["scene"]["items"] if it["k"] == "arrow"]
    tips = lambda items: {(round((it["x2"] - ox) / unit, 6), round((oy - it["y2"]) / unit, 6)) for it in items}
    # solid arrows: where e1 and e2 are now; dashed ghosts: where A will send them
    assert tips(a for a in arrows if "dash" not in a) == {(1, 0), (0, 1)}
    assert tips(a for a in arrows if "dash" in a) == {(1, 0), (1, 1)}
    half = _tel(m.frame(MORPH_S / 2))["morph"]["value"]
    assert 0 < half < 1
    assert _tel(m.frame(MORPH_S))["morph"]["value"] == 1


def test_singular_map_puts_every_grid_line_on_one_line():
    m = MatricesMode(submode="singular")  # columns (1, 0.5) and (2, 1)
    f = m.frame(MORPH_S + 0.1)
    unit, ox, oy = UNIT, OX, OY
    lines = [it for it in f["scene"]["items"] if it["k"] == "line" and it["stroke"] in ("ink", "muted")
             and it.get("a", 1) < 1]
    assert lines
    for it in lines:
        for x, y in ((it["x1"], it["y1"]), (it["x2"], it["y2"])):
            wx, wy = (x - ox) / unit, (oy - y) / unit
            assert wy == pytest.approx(0.5 * wx, abs=1e-6)
    assert any("collapses to a line" in s for s in _texts(f))


def test_classify_names_the_presets():
    assert classify2(0.866, -0.5, 0.5, 0.866).startswith("rotation by 30")
    assert classify2(1, 1, 0, 1).startswith("shear")
    assert classify2(2, 0, 0, 0.5) == "scale: x by 2, y by 0.5"
    assert classify2(1, 2, 0.5, 1).startswith("singular")
    assert classify2(0, 1, 1, 0).startswith("flips")
    assert classify2(1, 0, 0, 1).startswith("identity")


def test_clip_segment_keeps_the_inside_part():
    assert clip_segment(-10, 0, 10, 0, -1, 1) == (-1, 0, 1, 0)
    assert clip_segment(2, 2, 3, 3, -1, 1) is None
    assert clip_segment(0.5, 0.5, 0.5, 0.5, -1, 1) == (0.5, 0.5, 0.5, 0.5)


# -- the GEMM ---------------------------------------------------------------------------


def test_operands_are_small_nonzero_and_seeded():
    a, b = gemm_operands(0)
    arr = np.array(a + b)
    assert arr.shape == (16, 8)
    assert set(np.unique(arr)) <= {-3, -2, -1, 1, 2, 3}
    assert gemm_operands(0) == gemm_operands(0)
    assert gemm_operands(1) != gemm_operands(0)
    assert lcg_ints(5, 4, 0, 9) == lcg_ints(5, 4, 0, 9)


@pytest.mark.parametrize("m,n,k", [(3, 3, 4), (8, 8, 8), (1, 5, 2), (4, 1, 3)])
def test_matmul_matches_numpy(m, n, k):
    a, b = gemm_operands(3)
    want = np.array(a)[:m, :k] @ np.array(b)[:k, :n]
    assert np.array_equal(np.array(matmul(a, b, m, n, k)), want)


def test_position_walks_one_multiply_add_per_tick_then_holds():
    assert gemm_position(0.0, 2, 36) == (0, 0, 0.0, False)
    assert gemm_position(1.25, 2, 36) == (0, 2, 0.5, False)
    assert gemm_position(18.0, 2, 36)[3] is True           # 36 multiply-adds at 2 per second
    assert gemm_position(18 + HOLD_S + 0.5, 2, 36)[:2] == (1, 1)


@pytest.mark.parametrize("t", [0.0, 0.4, 3.3, 7.9, 12.0])
def test_running_sum_and_counters_follow_the_dot_product(t):
    mode = MatricesMode(submode="gemm")          # M = N = 3, K = 4, 2 multiply-adds per second
    n, k, pace = mode["n"], mode["k"], mode["pace"]
    f = mode.frame(t)
    tel = _tel(f)
    done = int(t * pace)
    cell, p = divmod(done, k)
    i, j = divmod(cell, n)
    A, B = (np.array(x) for x in gemm_operands(0))
    assert tel["cell"]["text"] == f"C[{i + 1},{j + 1}]"
    assert tel["sum"]["value"] == int(A[i, :p] @ B[:p, j])
    assert tel["macs"]["value"] == done
    assert tel["flops"]["value"] == 2 * done
    assert tel["total"]["value"] == 2 * 3 * 3 * 4
    # the ledger shows every product already added, and the one in flight
    texts = _texts(f)
    for q in range(p + 1):
        assert any(s.startswith(f"{q + 1}   ") and s.endswith(f"= {A[i, q] * B[q, j]}".replace("-", "\u2212"))
                   for s in texts), (q, texts)


def test_finished_product_shows_every_cell_of_numpy_result():
    mode = MatricesMode(submode="gemm", values={"m": 4, "n": 5, "k": 3, "pace": 32})
    f = mode.frame(4 * 5 * 3 / 32 + 0.5)
    tel = _tel(f)
    assert tel["macs"]["value"] == 60 and tel["flops"]["value"] == 120 == tel["total"]["value"]
    A, B = (np.array(x) for x in gemm_operands(0))
    C = A[:4, :3] @ B[:3, :5]
    cs, ax, cx, by, cy = mode._gemm_layout()
    shown = {}
    for it in f["scene"]["items"]:
        if it["k"] == "text" and it.get("nc") and cx < it["x"] < cx + 5 * cs and cy < it["y"] < cy + 4 * cs:
            shown[(int((it["y"] - cy) // cs), int((it["x"] - cx) // cs))] = it["s"].replace("\u2212", "-")
    assert shown == {(r, c): str(C[r, c]) for r in range(4) for c in range(5)}
    assert any("complete: 120 FLOPs" in s for s in _texts(f))


def test_flops_total_scales_as_2mnk():
    totals = {}
    for m, n, k in [(2, 3, 4), (4, 3, 4), (2, 6, 4), (2, 3, 8)]:
        totals[(m, n, k)] = _tel(MatricesMode(submode="gemm", values={"m": m, "n": n, "k": k}).frame(0))["total"]["value"]
    assert totals[(2, 3, 4)] == 48
    assert totals[(4, 3, 4)] == totals[(2, 6, 4)] == totals[(2, 3, 8)] == 96


def test_matvec_names_w_x_and_y():
    f = MatricesMode(submode="matvec").frame(1.0)
    texts = _texts(f)
    assert "W  (4\u00d73)" in texts and "x  (3\u00d71)" in texts and "y = W\u00b7x  (4\u00d71)" in texts
    assert _tel(f)["total"]["value"] == 2 * 4 * 1 * 3


def test_console_reports_each_finished_cell():
    mode = MatricesMode(submode="gemm")          # a cell every 4 multiply-adds = every 2 s
    A, B = (np.array(x) for x in gemm_operands(0))
    C = A[:3, :4] @ B[:4, :3]
    mode.frame(0.0)
    assert mode.frame(1.9)["console"] == []
    ev = mode.frame(2.1)["console"]
    value = str(C[0, 0]).replace("-", "\u2212")
    assert [e["text"] for e in ev] == [f"C[1,1] = {value} after 4 multiply-adds (8 of 72 FLOPs so far)."]
    ev = mode.frame(18.0)["console"]
    assert ev[-1]["text"].startswith("C complete: 9 cells \u00d7 4 multiply-adds = 36")
    assert "= 72 FLOPs" in ev[-1]["text"]


# -- the Llama layer ---------------------------------------------------------------------


@pytest.mark.parametrize("proj,d_in,d_out", [("q", 4096, 4096), ("k", 4096, 1024), ("gate", 4096, 14336),
                                              ("down", 14336, 4096)])
@pytest.mark.parametrize("T", [1, 512, 4096])
def test_layer_numbers(proj, d_in, d_out, T):
    f = MatricesMode(submode="layer", values={"proj": proj, "tokens": T}).frame(1.0)
    tel = _tel(f)
    assert tel["per_token"]["value"] == 2 * d_in * d_out
    assert tel["flops"]["value"] == 2 * d_in * d_out * T
    assert tel["weights"]["value"] == 2 * d_in * d_out                    # bf16
    assert tel["intensity"]["value"] == pytest.approx(2 * d_in * d_out * T / (2 * (d_in * d_out + d_in * T + d_out * T)))
    assert tel["model"]["value"] == 15_009_316_864


def test_more_tokens_widen_x_and_y_but_not_w():
    def blocks(T):
        f = MatricesMode(submode="layer", values={"tokens": T}).frame(SWEEP_END)
        return [it for it in f["scene"]["items"] if it["k"] == "rect"][:3]
    w1, x1, y1 = blocks(1)
    w2, x2, y2 = blocks(2048)
    assert (w1["w"], w1["h"]) == (w2["w"], w2["h"])
    assert x1["w"] == 2.0                               # one token: a hairline column, drawn 2 px wide
    assert y2["w"] == x2["w"]
    assert x2["w"] == pytest.approx(w2["w"] / 2)        # 2048 tokens against 4096 inputs


SWEEP_END = 3.5


def test_sweep_fills_rows_of_y_as_rows_of_w_are_read():
    mode = MatricesMode(submode="layer", values={"tokens": 256})
    assert _tel(mode.frame(0.0))["rows"]["value"] == 0
    assert _tel(mode.frame(1.5))["rows"]["value"] == 2048
    assert _tel(mode.frame(SWEEP_END))["rows"]["value"] == 4096


# -- controls ------------------------------------------------------------------------------


def test_each_view_shows_only_its_own_sliders():
    assert MatricesMode.controls_of("transform") == ("a", "b", "c", "d")
    assert MatricesMode.controls_of("singular") == ("a", "b", "c", "d")
    assert MatricesMode.controls_of("gemm") == ("m", "n", "k", "pace")
    assert MatricesMode.controls_of("matvec") == ("m", "k", "pace")
    assert MatricesMode.controls_of("layer") == ("proj", "tokens")
    mode = MatricesMode()
    mode.set("k", 6)                      # a hidden slider set from a link stays where it is
    assert mode.submode == "transform"


def test_deep_links_keep_their_view():
    # values arriving with a view (a shared link) must not pull the reader elsewhere
    mode = MatricesMode(submode="gemm", values={"a": 0.3, "tokens": 9})
    assert mode.submode == "gemm"


@pytest.mark.parametrize("values", [
    {"a": -2, "b": 2, "c": -2, "d": 2}, {"a": -1.95, "b": -1.95, "c": -1.95, "d": -1.95},
    {"a": 0, "b": 0, "c": 0, "d": 0}, {"a": 2, "b": -2, "c": 2, "d": 2}, {"a": 0.05, "b": 0, "c": 0, "d": 0.05},
])
@pytest.mark.parametrize("t", [0.0, 1.2, 9.0])
def test_plane_labels_fit_for_extreme_matrices(values, t):
    _check_labels(MatricesMode(submode="transform", values=values).frame(t))


@pytest.mark.parametrize("m,n,k", [(8, 8, 8), (1, 1, 1), (8, 1, 8), (1, 8, 1), (1, 8, 8), (8, 8, 1)])
@pytest.mark.parametrize("t", [0.0, 2.7, 300.0])
def test_gemm_labels_fit_for_every_shape(m, n, k, t):
    _check_labels(MatricesMode(submode="gemm", values={"m": m, "n": n, "k": k, "pace": 32}).frame(t))


@pytest.mark.parametrize("proj", ["q", "k", "v", "o", "gate", "up", "down"])
@pytest.mark.parametrize("T", [1, 7, 999, 4096])
def test_layer_labels_fit_for_every_matrix(proj, T):
    _check_labels(MatricesMode(submode="layer", values={"proj": proj, "tokens": T}).frame(2.0))


@pytest.mark.parametrize("proj", ["q", "k", "gate", "down"])
def test_layer_bar_splits_one_tokens_flops_by_matrix(proj):
    # config.json of Llama 3 8B: 4096 wide, k/v 1024 wide, FFN 14336
    h, kv, ff = 4096, 1024, 14336
    weights = {"q": h * h, "k": h * kv, "v": h * kv, "o": h * h, "gate": h * ff, "up": h * ff, "down": h * ff}
    f = MatricesMode(submode="layer", values={"proj": proj}).frame(1.0)
    assert _tel(f)["share"]["value"] == pytest.approx(weights[proj] / sum(weights.values()))
    segs = {it["label"]: it for it in f["scene"]["items"] if it["k"] == "rect" and it.get("label") in weights}
    assert set(segs) == set(weights)
    total_w = sum(s["w"] for s in segs.values())
    for name, s in segs.items():
        assert s["w"] / total_w == pytest.approx(weights[name] / sum(weights.values()))
        assert (s.get("fill") == "accent3") == (name == proj)


def test_layer_panel_writes_the_bytes_out_from_their_parts():
    f = MatricesMode(submode="layer", values={"proj": "q", "tokens": 512}).frame(1.0)
    # W: 4096² bf16 weights; X and Y: 4096 × 512 bf16 each
    assert "W 33.6 MB + X 4.19 MB + Y 4.19 MB = 41.9 MB" in _texts(f)
    assert any(s.endswith("= 410") for s in _texts(f))
