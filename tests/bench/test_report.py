"""The bench's verdicts: each target judged from synthetic measurements on both sides of it."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report import summarize, table, verdicts  # noqa: E402


def _run(prose, ff, warm_ff, floor, longtasks=(), before=None, switch=0):
    before = before or {"wasm": 3_500_000, "stdlib": 2_500_000, "pyodide-js": 300_000, "wheel": 120_000,
                        "total": 6_420_000}
    visit = {"prose_ms": prose, "first_frame_ms": ff, "longtasks_ms": list(longtasks),
             "bytes_before_first_frame": before, "bytes_background": {"total": 0}}
    book = {"cold": visit, "warm": {**visit, "first_frame_ms": warm_ff, "bytes": {"total": 0}},
            "switch": {"bytes": {"total": switch}, "first_frame_ms": 10}, "settle": {}}
    fl = {"cold": {"ms": floor, "bytes": {"wasm": 3_500_000, "stdlib": 2_500_000, "pyodide-js": 300_000}},
          "warm": {"ms": floor / 2, "bytes": {"total": 0}}}
    return book, fl


def _raw(runs, frames=None, anim=None):
    return {"book": [b for b, _ in runs], "floor": [f for _, f in runs],
            "frames": frames or {}, "animation": anim or {}, "cpython": {}}


def _verdict(s, prefix):
    return [v for (name, _, _, v) in verdicts(s) if name.startswith(prefix)]


def test_ratios_are_medians_of_per_run_ratios():
    s = summarize(_raw([_run(300, 4000, 1000, 5000), _run(300, 9000, 2000, 10000), _run(300, 4500, 900, 3000)]))
    # per-run ratios 0.8, 0.9, 1.5 → median 0.9 (the ratio of medians would be 4500/5000)
    assert abs(s["cold_over_floor"] - 0.9) < 1e-9
    assert _verdict(s, "first frame cold ÷ floor") == ["ok"]
    assert _verdict(s, "first frame warm ÷ cold") == ["ok"]


def test_missed_targets_say_missed():
    s = summarize(_raw([_run(1500, 6000, 5000, 5000, longtasks=[80, 20], switch=150_000)]))
    assert _verdict(s, "prose visible, cold") == ["MISSED"]
    assert _verdict(s, "first frame cold ÷ floor") == ["MISSED"]
    assert _verdict(s, "first frame warm ÷ cold") == ["MISSED"]
    assert _verdict(s, "main-thread long tasks > 50 ms to first frame, cold") == ["MISSED"]
    assert _verdict(s, "chapter switch, first visit") == ["MISSED"]


def test_own_bytes_are_what_exceeds_the_floors_pyodide_core():
    over_budget = {"wasm": 3_500_000, "stdlib": 4_500_000, "pyodide-js": 300_000, "wheel": 120_000,
                   "total": 8_420_000}
    s = summarize(_raw([_run(300, 4000, 1000, 5000, before=over_budget)]))
    assert s["own_bytes_before_first_frame"] == 8_420_000 - 6_300_000
    assert _verdict(s, "  of which beyond") == ["MISSED"]
    s = summarize(_raw([_run(300, 4000, 1000, 5000)]))
    assert s["own_bytes_before_first_frame"] == 120_000
    assert _verdict(s, "  of which beyond") == ["ok"]


def test_frame_and_smoothness_verdicts_per_mode():
    frames = {"m": {"python": [1.0] * 90 + [9.0] * 10, "roundtrip": [2.0] * 100, "parse": [0.1] * 100,
                    "bytes": [8000] * 100, "items": [60] * 100, "submode": "v"}}
    # 600 ticks at 60 Hz, each showing a new frame
    ticks = [[i * 1000 / 60, i] for i in range(600)]
    anim = {"m": {"ms": 10_000, "ticks": ticks, "frames": [], "pythonMs": [1.0], "longtasks": []}}
    s = summarize(_raw([_run(300, 4000, 1000, 5000)], frames, anim))
    assert s["modes"]["m"]["py_p95"] > 4  # p95 lands in the slow tail
    assert _verdict(s, "frame() p95 in the browser, m") == ["MISSED"]
    assert abs(s["modes"]["m"]["painted_fps"] - 60) < 1e-6
    assert _verdict(s, "new frames shown / s and share of gaps over 20 ms, m") == ["ok"]
    # every third tick repeats the previous frame: 40 new frames/s, a third of gaps 33 ms
    anim["m"]["ticks"] = [[i * 1000 / 60, i - i // 3] for i in range(600)]
    s = summarize(_raw([_run(300, 4000, 1000, 5000)], frames, anim))
    assert abs(s["modes"]["m"]["painted_fps"] - 40) < 0.2
    assert s["modes"]["m"]["raf_over_20"] == 0
    assert _verdict(s, "new frames shown / s and share of gaps over 20 ms, m") == ["MISSED"]
    assert "| m (v) |" in table(s)


def test_shown_frames_keeps_ticks_with_new_content():
    from bench.report import shown_frames

    fresh, raf = shown_frames([[0, 0], [16, 1], [33, 1], [50, 3]])
    assert fresh == [16, 50] and raf == [0, 16, 33, 50]


def test_memory_growth_is_judged_per_soaked_mode():
    def sample(t, heap, objects):
        return {"t_s": t, "js_heap": heap, "renderer_rss": None,
                "worker": {"wasm_bytes": 31_457_280, "py_objects": objects}}
    raw = _raw([_run(300, 4000, 1000, 5000)])
    raw["soaks"] = {
        "flat": {"mode": "flat", "early": sample(5, 1_700_000, 23_000), "late": sample(60, 1_800_000, 23_000)},
        "leaky": {"mode": "leaky", "early": sample(5, 1_700_000, 23_000), "late": sample(60, 1_700_000, 26_000)},
    }
    s = summarize(raw)
    assert [m["mode"] for m in s["memory"]] == ["flat", "leaky"]
    assert _verdict(s, "worker Python objects, 5 s → 60 s (flat)") == ["ok"]
    assert _verdict(s, "worker Python objects, 5 s → 60 s (leaky)") == ["MISSED"]
    assert _verdict(s, "page JS heap, 5 s → 60 s (flat)") == ["ok"]  # +5.9 %
    assert not _verdict(s, "renderer resident memory")  # unknown, so not judged
