"""core.plot: data→canvas maps, tick choice, and curves clipped to their window."""
import math

import pytest

from llmviz.core.plot import Plot, fmt_tick, log_ticks, nice_ticks
from llmviz.core.scene import Scene


def test_linear_and_log_maps():
    p = Plot(100, 50, 400, 200, (0, 10), (0, 100))
    assert (p.fx(0), p.fx(10), p.fx(5)) == (100, 500, 300)
    assert (p.fy(0), p.fy(100), p.fy(50)) == (250, 50, 150)
    q = Plot(0, 0, 300, 300, (1, 1000), (1e-2, 1e1), xlog=True, ylog=True)
    assert q.fx(10) == pytest.approx(100) and q.fx(100) == pytest.approx(200)   # one decade = 100 units
    assert q.fy(1e-1) == pytest.approx(200) and q.fy(1) == pytest.approx(100)


def test_bad_windows_are_refused():
    with pytest.raises(ValueError, match="xlim"):
        Plot(0, 0, 10, 10, (1, 1), (0, 1))
    with pytest.raises(ValueError, match="ylim"):
        Plot(0, 0, 10, 10, (0, 1), (0, 10), ylog=True)
    with pytest.raises(ValueError, match="size"):
        Plot(0, 0, 0, 10, (0, 1), (0, 1))


def test_ticks():
    assert nice_ticks(-6, 6, 7) == [-6, -4, -2, 0, 2, 4, 6]
    assert nice_ticks(0, 1.2e12, 7) == [0, 2e11, 4e11, 6e11, 8e11, 1e12, 1.2e12]
    # steps of 1, 2 or 5 times a power of ten, never more ticks than asked for
    assert nice_ticks(-0.2, 1.2, 7) == pytest.approx([0, 0.5, 1.0])
    assert nice_ticks(-6, 6) == [-5, 0, 5]
    assert log_ticks(0.5, 2e4) == [1, 10, 100, 1000, 10000]
    assert fmt_tick(-2) == "\u22122" and fmt_tick(0.25) == "0.25" and fmt_tick(1e6) == "10\u2076"
    assert fmt_tick(2e5) == "2\u00d710\u2075" and fmt_tick(0) == "0"


def test_ticks_are_exact_decimals_and_bounded_at_any_scale():
    # each tick is the float nearest its decimal, not a sum of inexact steps
    assert nice_ticks(0, 0.6, 7) == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    # a window far below 10^-12 still gets distinct ticks
    tiny = nice_ticks(0, 1e-13)
    assert len(set(tiny)) == len(tiny) >= 3 and tiny[-1] == pytest.approx(1e-13)
    # a window narrower than the floats' spacing at its magnitude ends, without repeats
    wide = nice_ticks(1e16, 1e16 + 4)
    assert 1 <= len(wide) <= 6 and len(set(wide)) == len(wide)
    for lo, hi in ((-3.7, 12.1), (1e-6, 7e-6), (0.0, 2.5e12), (-1e5, -2e4)):
        ts = nice_ticks(lo, hi, 7)
        assert 2 <= len(ts) <= 7 and all(lo <= t <= hi for t in ts)


def test_tick_labels_carry_a_rounded_mantissa_into_the_exponent():
    assert fmt_tick(99_999) == "10\u2075" and fmt_tick(-99_999) == "\u221210\u2075"
    assert fmt_tick(0.00099999) == "10\u207b\u00b3"
    assert fmt_tick(1234) == "1234"                     # whole numbers under 10^4 in full


def _all_points(items):
    for it in items:
        pts = it["pts"]
        yield from zip(pts[::2], pts[1::2])


def test_curve_is_clipped_to_the_box_and_split_where_it_leaves():
    sc = Scene()
    p = Plot(100, 100, 400, 300, (-3, 3), (-1, 1))
    # sin(3x) leaves the window above and below several times
    items = p.curve(sc, lambda x: 1.5 * math.sin(3 * x), n=300)
    assert len(items) > 3
    x0, y0, x1, y1 = p.box()
    for x, y in _all_points(items):
        assert x0 - 0.01 <= x <= x1 + 0.01 and y0 - 0.01 <= y <= y1 + 0.01
    # a curve wholly inside stays one path through every sample
    whole = p.curve(sc, lambda x: 0.2 * x, n=50)
    assert len(whole) == 1 and len(whole[0]["pts"]) == 100


def test_curve_breaks_where_the_function_is_undefined():
    sc = Scene()
    p = Plot(0, 0, 300, 300, (-2, 2), (-3, 3))
    items = p.curve(sc, lambda x: math.log(x) if x > 0 else None, n=101)
    assert len(items) == 1
    assert min(x for x, _ in _all_points(items)) > p.fx(0)
    # a function that raises is treated as undefined, not as an error
    raising = p.curve(sc, lambda x: math.sqrt(x), n=101)
    assert len(raising) == 1


def test_log_axis_drops_non_positive_values():
    sc = Scene()
    p = Plot(0, 0, 300, 300, (0, 10), (1e-2, 1e3), ylog=True)
    items = p.curve(sc, lambda x: x - 1, n=101)       # ≤ 0 for x ≤ 1: not drawable on a log axis
    assert items and all(x > p.fx(1) for x, _ in _all_points(items))


def test_lines_only_when_visible():
    sc = Scene()
    p = Plot(0, 0, 100, 100, (0, 1), (0, 1))
    assert p.hline(sc, 0.5) is not None and p.hline(sc, 2) is None
    assert p.vline(sc, -1) is None and p.vline(sc, 0.25)["x1"] == 25


def test_frame_draws_ticks_outside_the_box():
    sc = Scene()
    p = Plot(80, 60, 400, 300, (-6, 6), (-1, 1))
    p.frame(sc, xticks=nice_ticks(-6, 6, 7), yticks=(-1, 0, 1), xlabel="x", ylabel="f(x)")
    texts = [t for t in sc.texts()]
    assert {"\u22126", "0", "6", "\u22121", "1", "x", "f(x)"} <= {t["s"] for t in texts}
    for t in texts:
        if t["s"] in ("\u22121", "1"):
            assert t["x"] < p.x                           # y ticks left of the box
