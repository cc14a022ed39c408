"""The notation workshop: y = Wx + b to scale, the shape playground, and elements and bytes.

NumPy is the oracle for every shape rule the playground draws; the Llama 3 8B
shapes are written out from its published config.json.
"""
import itertools
import json
import re
import time

import numpy as np
import pytest

from llmviz.modes.part00_math.notation import (CELL_S, FOCUS_ORDER, FOCUS_S, FORMAT_S, FORMATS, STRETCH_S,
                                               WINDOW_BYTES, NotationMode, has_bias, operand_shape)
from tooling import label_problems

H, KV, FF = 4096, 1024, 14336
SHAPES = {"q": (H, H), "k": (KV, H), "v": (KV, H), "o": (H, H), "gate": (FF, H), "up": (FF, H), "down": (H, FF)}


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def _labelled(frame, label):
    return [it for it in frame["scene"]["items"] if it.get("label") == label]


def _numpy_result(op, a, b):
    try:
        return op(np.zeros(a, dtype=np.int8), np.zeros(b, dtype=np.int8)).shape
    except ValueError:
        return None


# -- y = Wx + b ----------------------------------------------------------------------------


@pytest.mark.parametrize("proj", list(SHAPES))
@pytest.mark.parametrize("T", [1, 16, 512, 4096])
def test_equation_shapes_follow_the_config(proj, T):
    f = NotationMode(submode="equation", values={"proj": proj, "tokens": T}).frame(1.0)
    tel = _tel(f)
    d_out, d_in = SHAPES[proj]
    # (d_out × d_in)·(d_in × T) = d_out × T, checked on a scaled-down copy of the same shapes
    assert (np.zeros((d_out // 512, d_in // 512)) @ np.zeros((d_in // 512, T))).shape == (d_out // 512, T)
    assert tel["W"]["text"] == f"{d_out:,} \u00d7 {d_in:,}" and tel["weights"]["value"] == d_out * d_in
    assert tel["X"]["value"] == d_in * T and tel["Y"]["value"] == d_out * T
    # Llama 3 8B stores no bias in any of these matrices
    assert tel["bias"]["value"] == 0
    assert f"{d_out:,} \u00d7 {T:,}" in _texts(f) and f"{d_out:,} \u00d7 1" in _texts(f)
    assert not label_problems(f), label_problems(f)[:3]


@pytest.mark.parametrize("proj", ["q", "k", "gate", "down"])
def test_blocks_are_drawn_to_one_scale(proj):
    d_out, d_in = SHAPES[proj]

    def blocks(T):
        f = NotationMode(submode="equation", values={"proj": proj, "tokens": T}).frame(1.0)
        return {k: _labelled(f, k)[0] for k in ("W", "X", "Y", "x", "y", "b") if _labelled(f, k)}

    one, many = blocks(1), blocks(4096)
    W = one["W"]
    assert W["w"] / W["h"] == pytest.approx(d_in / d_out)
    # the token count widens X and Y but never resizes W
    assert (many["W"]["w"], many["W"]["h"]) == (W["w"], W["h"])
    assert many["X"]["w"] == pytest.approx(W["w"] * 4096 / d_in)
    assert many["X"]["h"] == pytest.approx(W["w"])                 # X has d_in rows, W has d_in columns
    assert many["Y"]["h"] == pytest.approx(W["h"])
    assert one["x"]["w"] == 2.0                                   # one token: a hairline column


def test_labels_switch_from_vectors_to_matrices():
    texts = _texts(NotationMode(submode="equation").frame(0.5))
    assert "y = Wx + b with real shapes: one matrix of Llama 3 8B" in texts and "x" in texts
    texts = _texts(NotationMode(submode="equation", values={"tokens": 512}).frame(0.5))
    assert "Y = WX + b with real shapes: one matrix of Llama 3 8B" in texts and "X" in texts


def test_the_tour_visits_the_symbols_in_reading_order():
    m = NotationMode(submode="equation")
    seen = [m.focus_at(FOCUS_S * (k + 0.5))[0] for k in range(2 * len(FOCUS_ORDER))]
    assert seen == list(FOCUS_ORDER) * 2
    assert FOCUS_ORDER == ("W", "x", "Wx", "b", "y")
    pinned = NotationMode(submode="equation", values={"focus": "b"})
    assert {pinned.focus_at(t)[0] for t in (0, 3, 99)} == {"b"}


def test_weighted_sums_walk_down_the_rows_of_w():
    m = NotationMode(submode="equation", values={"focus": "Wx", "proj": "gate"})
    rows = []
    for t in (0.0, FOCUS_S / 4, FOCUS_S / 2, FOCUS_S * 0.99):
        texts = _texts(m.frame(t))
        line = next(s for s in texts if s.startswith("now i = "))
        rows.append(int(re.match(r"now i = ([\d,]+)", line).group(1).replace(",", "")))
    assert rows[0] == 1 and rows == sorted(rows) and rows[-1] > 0.98 * FF
    assert any(s.startswith("y_i = \u03a3 W_ij\u00b7x_j + b_i") for s in texts)


def test_one_token_output_fills_as_the_rows_are_summed():
    # y is a hairline for one token: the finished outputs show as a thick stroke that grows down it
    m = NotationMode(submode="equation", values={"focus": "Wx", "tokens": 1})
    lengths = []
    for t in (FOCUS_S * 0.2, FOCUS_S * 0.8):
        strokes = [it for it in m.frame(t)["scene"]["items"] if it["k"] == "line" and it.get("lw") == 6]
        assert len(strokes) == 1
        lengths.append(abs(strokes[0]["y2"] - strokes[0]["y1"]))
    assert 0 < lengths[0] < lengths[1]


def test_bias_focus_says_what_the_model_stores():
    f = NotationMode(submode="equation", values={"focus": "b", "tokens": 512}).frame(1.0)
    texts = _texts(f)
    assert "Llama 3 8B stores no bias for q: b = 0" in texts
    assert "the same b is added to all 512 columns of WX (broadcasting)" in texts
    assert any(it["k"] == "arrow" for it in f["scene"]["items"])


def test_has_bias_reads_the_catalog():
    assert not any(has_bias("llama-3-8b", p) for p in SHAPES)
    # Qwen2.5: bias on q, k and v only
    assert [has_bias("qwen2.5-72b", p) for p in ("q", "k", "v", "o", "gate")] == [True, True, True, False, False]


# -- the shape playground ---------------------------------------------------------------


def test_operand_shapes_from_the_sliders():
    assert operand_shape(False, 0, 3, 4) == (3, 4)
    assert operand_shape(False, 2, 3, 4) == (2, 3, 4)
    assert operand_shape(True, 5, 3, 4) == (4,)


def _playground_cases():
    sizes = (1, 2, 3)
    for a_vec, b_vec in itertools.product((False, True), repeat=2):
        for a_batch, b_batch in ((0, 0), (1, 3), (2, 2), (2, 3), (0, 2)):
            for a_rows, a_cols, b_rows, b_cols in itertools.product(sizes, repeat=4):
                if (a_rows + a_cols + b_rows + b_cols) % 3:      # a deterministic third of the grid
                    continue
                yield dict(a_vec=a_vec, b_vec=b_vec, a_batch=a_batch, b_batch=b_batch, a_rows=a_rows,
                           a_cols=a_cols, b_rows=b_rows, b_cols=b_cols)


CASES = list(_playground_cases())


@pytest.mark.parametrize("view,op", [("matmul", np.matmul), ("broadcast", np.add)])
def test_playground_verdict_matches_numpy(view, op):
    m = NotationMode(submode=view)
    assert len(CASES) > 150
    for values in CASES:
        m.apply(values)
        a, b = m.shapes()
        f = m.frame(0.3)
        tel = _tel(f)
        want = _numpy_result(op, a, b)
        assert (tel["legal"]["value"] == 1) == (want is not None), (view, a, b)
        if want is None:
            assert tel["result"]["text"] == "none"
            assert any(s.startswith("not legal: ") for s in _texts(f))
        else:
            assert tel["result"]["text"] == str(want), (view, a, b)
            assert f"legal: the result has shape {want}" in _texts(f)


def test_code_line_quotes_numpy():
    f = NotationMode(submode="matmul", values={"b_rows": 3}).frame(1.0)
    assert "np.zeros((3, 4)) @ np.zeros((3, 2)) \u2192 ValueError" in _texts(f)
    f = NotationMode(submode="batched").frame(1.0)
    assert "np.zeros((1, 3, 4)) @ np.zeros((4, 4, 2)) \u2192 (4, 3, 2)" in _texts(f)


def test_table_marks_what_is_stretched_and_what_clashes():
    texts = _texts(NotationMode(submode="batched").frame(1.0))
    assert "1 \u2192 4" in texts                                   # A's batch of 1 serves 4 pages
    texts = _texts(NotationMode(submode="bias").frame(1.0))
    assert "1 \u2192 6" in texts                                   # b's single column, repeated 6 times
    f = NotationMode(submode="bias", values={"b_vec": True, "b_cols": 4}).frame(1.0)
    assert "(1) \u2192 4" in _texts(f) and "\u2715" in _texts(f)
    assert "not legal: axis \u22121: sizes 6 and 4 differ and neither is 1" in _texts(f)
    f = NotationMode(submode="matmul", values={"b_vec": True, "b_cols": 4}).frame(1.0)
    assert "1 (added)" in _texts(f) and "1 (removed)" in _texts(f)


def test_add_cursor_reads_the_entries_broadcasting_would():
    """Every caption 'entry [i, j] = A[..] + B[..]' names the entries NumPy actually adds."""
    m = NotationMode(submode="bias", values={"a_batch": 2, "b_batch": 1, "b_rows": 1})   # (2,4,6) + (1,1,1)
    a, b = m.shapes()
    A = np.arange(np.prod(a)).reshape(a) * 100
    B = np.arange(np.prod(b)).reshape(b) + 1
    C = A + B
    seen = set()
    for k in range(int(C.size)):
        f = m.frame(k * CELL_S + 0.1)
        cap = next(s for s in _texts(f) if s.startswith("NumPy entry"))
        idx = [tuple(int(v) for v in re.findall(r"\d+", g)) for g in re.findall(r"\[([\d, ]*)\]", cap)]
        r, ia, ib = idx
        assert C[r] == A[ia] + B[ib], cap
        seen.add(r)
    assert len(seen) == C.size


def test_matmul_cursor_walks_every_entry_of_the_result():
    m = NotationMode(submode="batched")          # (1, 3, 4) @ (4, 4, 2) -> (4, 3, 2)
    caps = []
    for k in range(4 * 3 * 2):
        cap = next(s for s in _texts(m.frame(k * CELL_S + 0.1)) if s.startswith("NumPy entry"))
        caps.append(cap)
    assert len(set(caps)) == 24
    assert caps[0] == ("NumPy entry [0, 0, 0]: row 0 of A meets column 0 of B, 4 numbers each "
                       "(A's one matrix serves every page)")
    assert caps[-1].startswith("NumPy entry [3, 2, 1]: row 2 of A meets column 1 of B")


@pytest.mark.parametrize("values,first", [
    (dict(b_vec=True, b_cols=4), "NumPy entry [0]: row 0 of A meets vector B (as a column), 4 numbers each"),
    (dict(a_vec=True, b_rows=4), "NumPy entry [0]: vector A (as a row) meets column 0 of B, 4 numbers each"),
    (dict(a_vec=True, b_vec=True, b_cols=4), "NumPy entry []: vector A (as a row) meets vector B (as a column)"),
    (dict(a_vec=True, b_batch=2, b_rows=4), "NumPy entry [0, 0]: vector A (as a row) meets column 0 of B"),
])
def test_matmul_caption_uses_the_results_own_index(values, first):
    m = NotationMode(submode="matmul", values=values)
    a, b = m.shapes()
    cap = next(s for s in _texts(m.frame(0.1)) if s.startswith("NumPy entry"))
    assert cap.startswith(first)
    idx = re.match(r"NumPy entry \[([\d, ]*)\]", cap).group(1)
    assert len([v for v in idx.split(",") if v.strip()]) == np.matmul(np.zeros(a), np.zeros(b)).ndim


def test_broadcast_copies_slide_out_then_stay():
    def ghosts(t, **values):
        f = NotationMode(submode="bias", values=values).frame(t)
        return [it for it in f["scene"]["items"] if it["k"] == "path" and it.get("dash")]
    width = lambda g: max(g["pts"][0::2]) - min(g["pts"][0::2])
    b_col = _labelled(NotationMode(submode="bias").frame(0.0), "B page 1")[0]["w"]
    assert ghosts(0.0) == []                                       # the copies start hidden under b
    mid, end = ghosts(STRETCH_S / 2), ghosts(STRETCH_S + 1)
    assert b_col < width(mid[0]) < width(end[0])
    assert width(end[0]) == pytest.approx(6 * b_col)               # b's one column stretched to six
    assert ghosts(STRETCH_S + 1, b_cols=6) == []                   # equal shapes: nothing repeated
    assert ghosts(STRETCH_S + 1, b_vec=True, b_cols=4) == []       # illegal: nothing to repeat


def test_console_narrates_rows_and_reuse():
    m = NotationMode(submode="bias")
    m.frame(0.0)
    ev = [e["text"] for e in m.frame(6 * CELL_S + 0.01)["console"]]
    assert ev == ["row 0 of A + B: A's row 0 + B's row 0, 6 entries; B's single column is repeated 6 times."]
    first = [e["text"] for e in NotationMode(submode="matmul", values={"b_rows": 3}).frame(0.0)["console"]]
    assert first == ["(3, 4) @ (3, 2) is not legal: inner sizes differ: A's last axis is 4, "
                     "B's its second-to-last axis is 3."]


# -- elements and bytes --------------------------------------------------------------------


@pytest.mark.parametrize("proj", list(SHAPES))
@pytest.mark.parametrize("fmt,dtype,per", [("fp32", np.float32, 1), ("bf16", np.float16, 1),
                                           ("fp8_e4m3", np.uint8, 1), ("int4", np.uint8, 0.5)])
def test_bytes_match_numpy(proj, fmt, dtype, per):
    f = NotationMode(submode="bytes", values={"proj": proj, "fmt": fmt}).frame(1.0)
    tel = _tel(f)
    w = np.zeros(SHAPES[proj], dtype=dtype)
    assert tel["elements"]["value"] == w.size
    assert tel["bytes"]["value"] == w.nbytes * per
    assert tel["layers"]["value"] == 32 * w.nbytes * per
    assert not label_problems(f), label_problems(f)[:3]


def test_bars_are_proportional_to_bytes():
    f = NotationMode(submode="bytes", values={"fmt": "fp32"}).frame(1.0)
    bars = {it["label"]: it["w"] for it in f["scene"]["items"] if it["k"] == "rect" and it.get("label") in FORMATS}
    assert bars["fp32"] == 2 * bars["bf16"] == 4 * bars["fp8_e4m3"] == 8 * bars["int4"]


@pytest.mark.parametrize("fmt,count", [("fp32", 4), ("bf16", 8), ("fp8_e4m3", 16), ("int4", 32)])
def test_memory_window_holds_more_elements_as_they_shrink(fmt, count):
    f = NotationMode(submode="bytes", values={"fmt": fmt}).frame(1.0)
    assert any(s.startswith(f"{WINDOW_BYTES} bytes of memory hold {count} elements") for s in _texts(f))


def test_format_tour_goes_from_widest_to_narrowest():
    m = NotationMode(submode="bytes")
    per = [_tel(m.frame(FORMAT_S * (k + 0.5)))["per"]["value"] for k in range(4)]
    assert per == [4, 2, 1, 0.5]


# -- controls, cost, time -----------------------------------------------------------------


def test_each_view_shows_only_its_own_controls():
    assert NotationMode.controls_of("equation") == ("proj", "tokens", "focus")
    assert NotationMode.controls_of("bytes") == ("proj", "fmt")
    for view in ("matmul", "batched", "broadcast", "bias"):
        assert NotationMode.controls_of(view) == ("a_batch", "a_rows", "a_cols", "a_vec",
                                                  "b_batch", "b_rows", "b_cols", "b_vec")


@pytest.mark.parametrize("view", ["matmul", "broadcast"])
@pytest.mark.parametrize("values", [
    dict(a_batch=8, a_rows=8, a_cols=8, b_batch=8, b_rows=8, b_cols=8),
    dict(a_batch=1, a_rows=1, a_cols=1, b_batch=8, b_rows=8, b_cols=1),
    dict(a_vec=True, b_vec=True, a_cols=8, b_cols=8),
    dict(a_vec=True, a_cols=7, b_batch=8, b_rows=1, b_cols=8),
    dict(a_batch=3, b_batch=5, a_rows=8, b_cols=8),
])
@pytest.mark.parametrize("t", [0.0, 0.7, 13.0, 400.0])
def test_playground_labels_fit_at_the_extremes(view, values, t):
    f = NotationMode(submode=view, values=values).frame(t)
    assert not label_problems(f), label_problems(f)[:3]
    assert len(f["scene"]["items"]) <= 500 and len(json.dumps(f)) < 64_000


@pytest.mark.parametrize("view", list(NotationMode.submodes))
def test_far_future_frames_and_events_stay_cheap(view):
    m = NotationMode(submode=view)
    m.frame(0.0)
    t0 = time.perf_counter()
    f = m.frame(1e12)
    assert time.perf_counter() - t0 < 0.05
    assert len(f["console"]) <= 6                     # a huge interval is summarised, not replayed
    assert json.dumps(f)


@pytest.mark.parametrize("view", list(NotationMode.submodes))
def test_frames_are_cheap(view):
    m = NotationMode(submode=view, values={"a_batch": 8, "b_batch": 8} if view in ("matmul", "broadcast") else None)
    m.frame(0.0)
    t0 = time.perf_counter()
    for i in range(120):
        m.frame(i / 60)
    assert (time.perf_counter() - t0) / 120 < 0.002
