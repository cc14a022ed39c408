"""The vectors workshop: the plane, the term-by-term ledger and the random-cosine histogram.

numpy is the oracle for every dot product, length, angle and projection the
reader sees, and for the cosines of the random vectors (recomputed from the
vectors' own components).
"""
import json
import math
import time

import numpy as np
import pytest

from llmviz.modes.part00_math.vectors import (BINS, D_MAX, DROP_S, NORMAL_COST, OX, OY, UNIT, WORK_PER_S,
                                              VectorsMode, expected_bin_shares, gaussian_chunk, ledger_vectors,
                                              pair_index, pair_of, pairs_of, powers_up_to)
from tooling import label_problems


def _tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def _texts(frame):
    return [it["s"] for it in frame["scene"]["items"] if it["k"] == "text"]


def _world(x, y):
    return (x - OX) / UNIT, (OY - y) / UNIT


# -- the plane ----------------------------------------------------------------------


@pytest.mark.parametrize("sub", ["geometry", "orthogonal", "opposite", "unit", "scaled"])
def test_plane_numbers_match_numpy(sub):
    m = VectorsMode(submode=sub)
    a, b = np.array([m["ax"], m["ay"]]), np.array([m["bx"], m["by"]])
    f = m.frame(DROP_S + 0.5)
    tel = _tel(f)
    cos = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    assert tel["dot"]["value"] == pytest.approx(a @ b)
    assert tel["na"]["value"] == pytest.approx(np.linalg.norm(a))
    assert tel["nb"]["value"] == pytest.approx(np.linalg.norm(b))
    assert tel["cos"]["value"] == pytest.approx(cos, abs=1e-12)
    assert tel["theta"]["value"] == pytest.approx(np.degrees(np.arccos(np.clip(cos, -1, 1))), abs=1e-6)
    assert tel["shadow"]["value"] == pytest.approx(a @ b / np.linalg.norm(b))
    assert tel["flops"]["value"] == 4
    # the two arrows end at the two vectors' components
    tips = {(round(_world(it["x2"], it["y2"])[0], 9), round(_world(it["x2"], it["y2"])[1], 9))
            for it in f["scene"]["items"] if it["k"] == "arrow"}
    assert tips == {tuple(a), tuple(b)}


def test_presets_show_what_the_prose_says():
    tel = lambda sub: _tel(VectorsMode(submode=sub).frame(5.0))  # noqa: E731
    assert tel("geometry")["dot"]["value"] == 13 and tel("geometry")["theta"]["text"] == "34.7\u00b0"
    assert tel("orthogonal")["dot"]["value"] == 0 and tel("orthogonal")["theta"]["value"] == pytest.approx(90)
    assert tel("opposite")["dot"]["value"] == -13 and tel("opposite")["shadow"]["value"] < 0
    assert tel("unit")["dot"]["value"] == 3 == tel("unit")["shadow"]["value"]
    assert tel("scaled")["cos"]["value"] == pytest.approx(1) and tel("scaled")["dot"]["value"] == 5


def _foot(frame):
    """The purple dot: where the perpendicular from a's tip meets b's line."""
    (dot,) = [it for it in frame["scene"]["items"] if it["k"] == "circle" and it.get("fill") == "accent3"
              and it["r"] == 4]
    return np.array(_world(dot["x"], dot["y"]))


@pytest.mark.parametrize("values", [{}, {"ax": -3, "ay": -1}, {"ax": 1, "ay": 3, "bx": 4, "by": 2},
                                    {"ax": -4, "ay": 0.5, "bx": 0.5, "by": -2}])
def test_the_perpendicular_lands_on_the_projection(values):
    m = VectorsMode(submode="geometry", values=values)
    a, b = np.array([m["ax"], m["ay"]]), np.array([m["bx"], m["by"]])
    foot = _foot(m.frame(DROP_S + 0.1))
    assert foot == pytest.approx((a @ b) / (b @ b) * b, abs=1e-9)
    assert (a - foot) @ b == pytest.approx(0, abs=1e-9)


def test_the_perpendicular_falls_over_the_first_seconds():
    m = VectorsMode(submode="geometry")
    a = np.array([3.0, 1.0])

    def drop_end(t):
        (line,) = [it for it in m.frame(t)["scene"]["items"] if it["k"] == "line" and it.get("dash") == [5, 4]]
        return np.array(_world(line["x2"], line["y2"]))

    assert np.linalg.norm(drop_end(0.05) - a) < 0.05
    assert drop_end(DROP_S) == pytest.approx(np.array([39, 52]) / 25, abs=1e-9)   # (13/25)·(3, 4)


@pytest.mark.parametrize("values,zero", [({"ax": 0, "ay": 0}, "a"), ({"bx": 0, "by": 0}, "b")])
def test_a_zero_vector_has_no_angle(values, zero):
    f = VectorsMode(submode="geometry", values=values).frame(3.0)
    assert f"{zero} is the zero vector: it has no direction," in _texts(f)
    tel = _tel(f)
    assert tel["cos"]["text"].startswith("undefined")
    assert not label_problems(f)
    json.dumps(f, allow_nan=False)


def test_console_states_the_identity_once_the_shadow_lands():
    m = VectorsMode(submode="geometry")
    assert m.frame(0.0)["console"] == []
    (ev,) = m.frame(DROP_S + 0.01)["console"]
    assert ev["text"].startswith("a\u00b7b = 13 = \u2016a\u2016\u2016b\u2016 cos \u03b8 = 3.16 \u00d7 5 \u00d7 0.822")
    assert m.frame(DROP_S + 1)["console"] == []


# -- the ledger -------------------------------------------------------------------------


def test_ledger_vectors_are_fixed_and_built_as_promised():
    for n in range(2, 11):
        a, b = ledger_vectors(0, n, "random")
        a10, b10 = ledger_vectors(0, 10, "random")
        assert a == a10[:n] and b == b10[:n]              # changing n keeps the entries in place
        assert all(v != 0 and abs(v) <= 3 for v in a + b)
        s, s2 = ledger_vectors(0, n, "same")
        assert s == s2 == a
        p, q = ledger_vectors(0, n, "perp")
        assert np.dot(p, q) == 0
        # the sum returns to zero after every pair of terms
        partial = np.cumsum(np.array(p) * np.array(q))
        assert all(partial[i] == 0 for i in range(1, n, 2))
    assert ledger_vectors(1, 6, "random") != ledger_vectors(0, 6, "random")


@pytest.mark.parametrize("pair", ["random", "same", "perp"])
@pytest.mark.parametrize("t", [0.0, 0.5, 2.2, 5.9, 6.5, 12.3])
def test_running_sum_follows_numpy(pair, t):
    m = VectorsMode(submode="ledger", values={"pair": pair})     # n = 6, one term per second
    a, b = (np.array(v) for v in ledger_vectors(0, 6, pair))
    tel = _tel(m.frame(t))
    cycle = 6 + 4.0
    tc = t % cycle
    done = 6 if tc >= 6 else int(tc) + 1
    assert tel["term"]["value"] == done
    assert tel["sum"]["value"] == int(np.sum(a[:done] * b[:done]))
    assert tel["flops"]["value"] == 2 * done
    assert tel["dot"]["value"] == int(a @ b)


def test_same_vector_sum_is_the_squared_norm_and_never_falls():
    m = VectorsMode(submode="ledger", values={"pair": "same", "n": 10})
    a = np.array(ledger_vectors(0, 10, "same")[0])
    f = m.frame(10.5)
    assert _tel(f)["dot"]["value"] == a @ a
    assert any(s.startswith(f"a\u00b7a = {a @ a} = \u2016a\u2016\u00b2") for s in _texts(f))
    assert any(s == f"so \u2016a\u2016 = \u221a{a @ a} = {np.linalg.norm(a):.2f}".rstrip("0").rstrip(".")
               for s in _texts(f))


def test_ledger_lists_every_term_done():
    m = VectorsMode(submode="ledger")
    a, b = ledger_vectors(0, 6, "random")
    texts = _texts(m.frame(3.5))                         # terms 1 to 4 are in the sum
    fmt = lambda v: f"({v})".replace("-", "\u2212") if v < 0 else str(v)  # noqa: E731
    for i in range(4):
        assert f"{i + 1:<3} {fmt(a[i])} \u00d7 {fmt(b[i])} = {a[i] * b[i]}".replace("-", "\u2212") in texts
    assert f"{5:<3} {fmt(a[4])} \u00d7 {fmt(b[4])}" in texts   # not yet multiplied


def test_ledger_console_narrates_terms_and_the_result():
    m = VectorsMode(submode="ledger")
    a, b = ledger_vectors(0, 6, "random")
    first = m.frame(0.0)["console"]
    assert first[-1]["text"].startswith("Term 1: ")
    ev = m.frame(6.0)["console"]
    assert ev[-1]["text"] == f"a\u00b7b = {int(np.dot(a, b))} after 6 multiply-adds (12 FLOPs)."
    # a long jump summarises instead of listing every term
    far = m.frame(1e6)["console"]
    # one line for the jump (Mode.frame), then the mode's own summary of the last 30 s
    assert len(far) <= 10 and far[0]["text"].startswith("jumped") and far[1]["text"].endswith("earlier steps skipped.")


# -- the random vectors --------------------------------------------------------------------


def test_pairs_are_listed_vector_by_vector():
    seen = [pair_of(p) for p in range(pairs_of(48))]
    assert seen[:6] == [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
    assert len(set(seen)) == pairs_of(48) == 1128
    assert all(pair_index(i, j) == p for p, (i, j) in enumerate(seen))
    assert max(j for _, j in seen[:pairs_of(32)]) == 31


def test_components_are_standard_normal_and_seeded():
    c = np.array([x for v in range(16) for k in range(16) for x in gaussian_chunk(0, v, k)])
    assert abs(c.mean()) < 0.01 and c.std() == pytest.approx(1, abs=0.01)
    # the shape, not only the spread: quantiles of the standard normal within sampling error
    for q, z in ((0.025, -1.959964), (0.16, -0.994458), (0.5, 0.0), (0.84, 0.994458), (0.975, 1.959964)):
        assert np.quantile(c, q) == pytest.approx(z, abs=0.02)
    assert gaussian_chunk(0, 3, 5) == gaussian_chunk(0, 3, 5)
    assert gaussian_chunk(0, 3, 5) != gaussian_chunk(0, 4, 5) != gaussian_chunk(1, 3, 5)


def _numpy_cosines(mode, d, m):
    """Every pair's cosine at width d, by numpy from the workshop's own vectors."""
    V = np.array([mode._pool.components(j, d)[:d] for j in range(m)])
    U = V / np.linalg.norm(V, axis=1, keepdims=True)
    G = U @ U.T
    return np.array([G[pair_of(p)] for p in range(pairs_of(m))])


@pytest.mark.parametrize("d", [2, 3, 17, 64, 700])
def test_measured_cosines_match_numpy(d):
    mode = VectorsMode(submode="random", values={"dim": d, "vectors": 16})
    st = mode.random_stats(1e6)
    cos = _numpy_cosines(mode, d, 16)
    assert np.allclose(st["plan"]["cos"], cos, rtol=0, atol=1e-12)
    assert st["std"] == pytest.approx(cos.std(), rel=1e-9)
    assert st["mean"] == pytest.approx(cos.mean(), abs=1e-12)
    assert st["max_abs"] == pytest.approx(np.abs(cos).max())
    counts, _ = np.histogram(cos, bins=BINS, range=(-1, 1))
    assert st["counts"] == counts.tolist()
    # the lower chart: the same vectors cut to every power of two up to d
    for w, s in st["by_width"]:
        assert s == pytest.approx(_numpy_cosines(mode, w, 16).std(), rel=1e-9)


def test_spread_follows_one_over_root_d():
    for d in (2, 3, 64, 1000):
        st = VectorsMode(submode="random", values={"dim": d}).random_stats(1e6)
        assert st["n"] == 496
        assert st["std"] == pytest.approx(1 / math.sqrt(d), rel=0.1)


def test_llama_width_pairs_are_all_nearly_perpendicular():
    mode = VectorsMode(submode="random", values={"dim": D_MAX})
    f = mode.frame(1e6)
    tel = _tel(f)
    assert D_MAX == 4096
    assert tel["predicted"]["value"] == 1 / 64
    assert tel["std"]["value"] == pytest.approx(1 / 64, rel=0.1)
    assert tel["max"]["value"] < 0.08                      # about five spreads at the most
    assert tel["angle"]["value"] < 5


def test_the_result_does_not_depend_on_what_was_computed_before():
    warm = VectorsMode(submode="random", values={"dim": 4000})
    warm.random_stats(1e6)
    warm.set("dim", 333)
    cold = VectorsMode(submode="random", values={"dim": 333})
    a, b = warm.random_stats(1e6), cold.random_stats(1e6)
    assert a["plan"]["cos"] == b["plan"]["cos"]
    assert json.dumps(warm.frame(7.0)["scene"]) == json.dumps(cold.frame(7.0)["scene"])


def _work_per_frame(mode, times):
    """Multiply-adds of scheduled work each frame of ``times`` did (the prices the plan charges)."""
    plan = mode.cached("random", mode._random_plan)
    done_cost = []
    for t in times:
        mode.frame(t)
        k = plan["next"]
        done_cost.append(plan["cum"][k - 1] if k else 0.0)
    return np.diff([0.0] + done_cost), plan


def test_histogram_fills_as_pairs_arrive_with_bounded_work_per_frame():
    for d, m in ((2, 48), (64, 32), (1000, 48), (D_MAX, 32), (D_MAX, 48)):
        mode = VectorsMode(submode="random", values={"dim": d, "vectors": m})
        plan = mode.cached("random", mode._random_plan)
        assert plan["rate"] <= WORK_PER_S * (1 + 1e-9)
        times = [i / 60 for i in range(0, int(plan["fill_s"] * 60) + 120)]
        work, plan = _work_per_frame(mode, times)
        biggest_task = max(np.diff([0.0] + plan["cum"]))
        assert work.max() <= WORK_PER_S / 60 + biggest_task
        assert plan["done"] == pairs_of(m) and mode.arrived(times[-1]) == pairs_of(m)
        arrived = [mode.arrived(t) for t in times]
        assert arrived[0] == 0 and np.diff(arrived).min() >= 0
        if d <= 64:
            assert plan["fill_s"] == pytest.approx(2.5)
        # drawing the vectors is priced too: at 4,096 it is about half the work
        if d == D_MAX:
            drawn = sum(c for c, (kind, _) in zip(np.diff([0.0] + plan["cum"]), plan["tasks"]) if kind == "chunk")
            assert drawn == m * D_MAX * NORMAL_COST


def test_a_late_change_refills_from_the_moment_it_is_made():
    """Moving d to 4,096 long after the view opened starts a new fill there, a frame's work at a time,
    instead of measuring the whole histogram in the next frame."""
    mode = VectorsMode(submode="random")
    for i in range(0, 40 * 60, 30):
        mode.frame(i / 60)
    assert _tel(mode.frame(40.0))["pairs"]["value"] == 496
    mode.set("dim", D_MAX)
    t0 = time.perf_counter()
    f = mode.frame(40.0 + 1 / 60)
    assert time.perf_counter() - t0 < 0.05
    plan = mode.cached("random", mode._random_plan)
    assert plan["origin"] == 40.0 + 1 / 60
    assert _tel(f)["pairs"]["value"] == 0
    assert any(e["text"].startswith("Drawing 32 random vectors of 4,096") for e in f["console"])
    times = [40.0 + i / 60 for i in range(2, int(plan["fill_s"] * 60) + 90)]
    work, plan = _work_per_frame(mode, times)
    assert work.max() <= WORK_PER_S / 60 + max(np.diff([0.0] + plan["cum"]))
    # the same histogram a fresh view at d = 4,096 shows once filled
    fresh = VectorsMode(submode="random", values={"dim": D_MAX})
    assert mode.random_stats(times[-1])["plan"]["cos"] == fresh.random_stats(1e6)["plan"]["cos"]
    assert _tel(mode.frame(times[-1]))["std"]["value"] == _tel(fresh.frame(1e6))["std"]["value"]


def test_reset_restarts_the_fill():
    mode = VectorsMode(submode="random", values={"dim": 64})
    mode.frame(10.0)
    mode.set("vectors", 8)
    mode.frame(10.5)                                   # the new fill starts here
    assert _tel(mode.frame(11.0))["pairs"]["value"] < 28
    assert _tel(mode.frame(0.0))["pairs"]["value"] == 0      # reset: t back to 0
    assert _tel(mode.frame(0.5))["pairs"]["value"] == _tel(VectorsMode(submode="random", values={
        "dim": 64, "vectors": 8}).frame(0.5))["pairs"]["value"]


def test_histogram_bars_are_the_counts_so_far():
    mode = VectorsMode(submode="random", values={"dim": 64})
    for t in (0.3, 1.0, 30.0):
        f = mode.frame(t)
        n = _tel(f)["pairs"]["value"]
        bars = [it for it in f["scene"]["items"] if it["k"] == "rect" and it.get("fill") == "accent"]
        assert 0 < n <= 496 and len(bars) <= BINS
        st = mode.random_stats(t)
        assert sum(st["counts"]) == n


@pytest.mark.parametrize("d", [2, 3, 16, 257, 4096])
def test_expected_shape_is_the_exact_distribution(d):
    shares = expected_bin_shares(d)
    assert sum(shares) == pytest.approx(1, abs=1e-6)
    edges = np.linspace(-1, 1, BINS + 1)
    if d == 2:       # angles uniform on [0, π]: bin mass (arccos c0 − arccos c1) / π
        want = (np.arccos(edges[:-1]) - np.arccos(edges[1:])) / np.pi
        assert np.allclose(shares, want, atol=1e-12)
    elif d == 3:     # cosines uniform on [−1, 1]
        assert np.allclose(shares, 1 / BINS, atol=1e-4)
    else:            # against many numpy draws
        rng = np.random.default_rng(d)
        x = rng.normal(size=(20000, d))
        c = x[:, 0] / np.linalg.norm(x, axis=1)            # a random direction against the first axis
        hist, _ = np.histogram(c, bins=BINS, range=(-1, 1))
        assert np.abs(np.array(shares) - hist / 20000).max() < 0.02


def test_powers_of_two_up_to_d():
    assert powers_up_to(2) == [2]
    assert powers_up_to(100) == [2, 4, 8, 16, 32, 64, 100]
    assert powers_up_to(4096)[-1] == 4096 and len(powers_up_to(4096)) == 12


def test_random_console_reports_start_and_finish():
    mode = VectorsMode(submode="random")
    assert mode.frame(0.0)["console"][0]["text"].startswith("Drawing 32 random vectors of 64 components")
    ev = mode.frame(3.0)["console"]
    assert ev and ev[-1]["text"].startswith("All 496 pairs measured at d = 64: standard deviation")


# -- controls, labels, cost -----------------------------------------------------------------


def test_each_view_shows_only_its_own_controls():
    assert VectorsMode.controls_of("geometry") == ("ax", "ay", "bx", "by")
    assert VectorsMode.controls_of("unit") == ("ax", "ay", "bx", "by")
    assert VectorsMode.controls_of("ledger") == ("n", "pair", "pace")
    assert VectorsMode.controls_of("random") == ("dim", "vectors")
    assert VectorsMode(submode="random", values={"ax": 1}).submode == "random"


@pytest.mark.parametrize("values", [
    {"ax": 4, "ay": 4, "bx": -4, "by": -4}, {"ax": 4, "ay": 0, "bx": 4, "by": 0.5}, {"ax": -4, "ay": 4, "bx": 4, "by": 4},
    {"ax": 0.5, "ay": 0, "bx": 0, "by": 0.5}, {"ax": 0, "ay": 4, "bx": 0, "by": -4}, {"ax": 4, "ay": -4, "bx": 0.5, "by": 0},
    {"ax": -4, "ay": -4, "bx": -4, "by": -4},
])
@pytest.mark.parametrize("t", [0.0, 0.7, 9.0])
def test_plane_labels_fit_for_extreme_vectors(values, t):
    f = VectorsMode(submode="geometry", values=values).frame(t)
    assert not label_problems(f), label_problems(f)[:3]


@pytest.mark.parametrize("n", [2, 3, 7, 10])
@pytest.mark.parametrize("pair", ["random", "same", "perp"])
def test_ledger_labels_fit(n, pair):
    m = VectorsMode(submode="ledger", values={"n": n, "pair": pair, "pace": 8})
    for t in (0.0, 0.4, n / 8 + 0.1, 100.0):
        assert not label_problems(m.frame(t)), (t, label_problems(m.frame(t))[:3])


@pytest.mark.parametrize("d,m", [(2, 8), (3, 48), (4096, 8), (257, 20)])
def test_random_labels_fit(d, m):
    mode = VectorsMode(submode="random", values={"dim": d, "vectors": m})
    for t in (0.0, 0.3, 1e6):
        f = mode.frame(t)
        assert not label_problems(f), label_problems(f)[:3]
        assert len(f["scene"]["items"]) <= 500


def test_settled_frames_are_cheap_for_any_t():
    for sub, values in (("geometry", {}), ("ledger", {"n": 10}), ("random", {"dim": 4096})):
        mode = VectorsMode(submode=sub, values=values)
        mode.frame(1e6)                                   # the one frame that does the work
        t0 = time.perf_counter()
        for i in range(60):
            mode.frame(1e6 + i / 60 if sub != "ledger" else 1e12 + i / 60)
        per_frame = (time.perf_counter() - t0) / 60
        assert per_frame < 0.003, f"{sub}: {per_frame * 1e3:.2f} ms per frame"


@pytest.mark.parametrize("sub,values", [("geometry", {}), ("ledger", {"n": 10, "pace": 8}), ("random", {}),
                                        ("random", {"dim": 512, "vectors": 8})])
def test_a_jump_to_any_time_costs_no_more_than_the_work_it_shows(sub, values):
    """frame(1e12) right after frame(1): periodic views compute their phase, the console
    summarises, and the random view does at most the bounded work of its whole histogram."""
    mode = VectorsMode(submode=sub, values=values)
    mode.frame(1.0)
    t0 = time.perf_counter()
    f = mode.frame(1e12)
    assert time.perf_counter() - t0 < 0.5
    assert len(f["console"]) <= 8
    t0 = time.perf_counter()
    mode.frame(1e12 + 1 / 60)
    assert time.perf_counter() - t0 < 0.01
