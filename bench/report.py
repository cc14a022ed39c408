"""From raw measurements to figures, targets and the table the bench prints.

``summarize`` reduces the raw per-run data to medians (and p50/p95 for
per-frame samples); ``TARGETS`` states the speed budget; ``table`` renders
one Markdown table of every figure against its target, then the per-mode
tables.
"""
from __future__ import annotations

from .stats import growth, intervals, median, over, percentile, ratio

MB = 1e6
KB = 1e3
OWN_BUDGET_BYTES = 1.5 * MB     # our own bytes before the first frame, beyond Pyodide's core
SWITCH_BUDGET_BYTES = 100 * KB
FRAME_P95_BUDGET_MS = 4.0
JANK_MS = 20.0
JANK_SHARE = 0.01
FPS_TARGET = 60.0
FPS_HELD = 57.0                # "60 fps held": within 5 % of the display rate
LONGTASK_MS = 50.0
MEMORY_GROWTH = 0.10


def _med(runs: list[dict], *path) -> float | None:
    vals = []
    for r in runs:
        v = r
        for k in path:
            v = v.get(k) if isinstance(v, dict) else None
            if v is None:
                break
        if isinstance(v, (int, float)):
            vals.append(v)
    return median(vals)


def shown_frames(ticks: list[list[float]]) -> tuple[list[float], list[float]]:
    """From animation ticks ``[timestamp ms, frames painted so far]``: the timestamps of the
    ticks that showed a new simulation frame, and all tick timestamps."""
    fresh = [ts for (ts, n), (_, prev) in zip(ticks[1:], ticks) if n > prev]
    return fresh, [ts for ts, _ in ticks]


def summarize(raw: dict) -> dict:
    """Figures from the raw data ``run.py`` collects (see ``bench/README.md`` for each one)."""
    runs = raw.get("book", [])
    floors = raw.get("floor", [])
    s: dict = {}
    s["prose_cold_ms"] = _med(runs, "cold", "prose_ms")
    s["prose_warm_ms"] = _med(runs, "warm", "prose_ms")
    s["first_frame_cold_ms"] = _med(runs, "cold", "first_frame_ms")
    s["first_frame_warm_ms"] = _med(runs, "warm", "first_frame_ms")
    s["floor_cold_ms"] = _med(floors, "cold", "ms")
    s["floor_warm_ms"] = _med(floors, "warm", "ms")
    # Ratios are taken per run (each run measures both side by side), then the median.
    s["cold_over_floor"] = median([x for x in (ratio(r["cold"]["first_frame_ms"], f["cold"]["ms"])
                                               for r, f in zip(runs, floors)) if x is not None])
    s["warm_over_cold"] = median([x for x in (ratio(r["warm"]["first_frame_ms"], r["cold"]["first_frame_ms"])
                                              for r in runs) if x is not None])
    s["warm_over_floor_warm"] = median([x for x in (ratio(r["warm"]["first_frame_ms"], f["warm"]["ms"])
                                                    for r, f in zip(runs, floors)) if x is not None])
    s["prose_before_python"] = all(r["cold"]["prose_ms"] < r["cold"]["first_frame_ms"] for r in runs) if runs else None
    for visit in ("cold", "warm"):
        lts = [r[visit]["longtasks_ms"] for r in runs]
        s[f"longtasks_{visit}_max_ms"] = median([max(x, default=0.0) for x in lts]) if lts else None
        s[f"longtasks_{visit}_over_50"] = median([over(x, LONGTASK_MS) for x in lts]) if lts else None
    kinds = sorted({k for r in runs for k in r["cold"]["bytes_before_first_frame"]})
    s["bytes_first_visit"] = {k: _med(runs, "cold", "bytes_before_first_frame", k) for k in kinds}
    bg = sorted({k for r in runs for k in r["cold"]["bytes_background"]})
    s["bytes_background"] = {k: _med(runs, "cold", "bytes_background", k) for k in bg}
    s["bytes_warm"] = _med(runs, "warm", "bytes", "total")
    fk = sorted({k for f in floors for k in f["cold"]["bytes"]})
    s["bytes_floor"] = {k: _med(floors, "cold", "bytes", k) for k in fk}
    core = sum(v or 0 for k, v in s["bytes_floor"].items() if k in ("wasm", "stdlib", "pyodide-js"))
    s["pyodide_core_bytes"] = core or None
    first = s["bytes_first_visit"].get("total")
    s["own_bytes_before_first_frame"] = (first - core) if first is not None and core else None
    s["switch_bytes_sw"] = _med(runs, "switch", "bytes", "total")
    s["switch_ms_sw"] = _med(runs, "switch", "first_frame_ms")
    snaps = [r["settle"]["snapshot"] for r in runs if r.get("settle", {}).get("snapshot")]
    s["snapshot"] = snaps[-1] if snaps else None

    s["modes"] = {}
    frames = raw.get("frames", {})
    cpy = raw.get("cpython", {})
    anim = raw.get("animation", {})
    for mode in sorted(set(frames) | set(cpy) | set(anim)):
        m: dict = {}
        f = frames.get(mode) or {}
        if f.get("error"):
            m["error"] = f["error"]
        if f.get("python"):
            m.update(py_p50=percentile(f["python"], 50), py_p95=percentile(f["python"], 95),
                     rt_p50=percentile(f["roundtrip"], 50), rt_p95=percentile(f["roundtrip"], 95),
                     parse_p95=percentile(f["parse"], 95), bytes=median(f["bytes"]), items=max(f["items"]),
                     submode=f.get("submode"))
        c = cpy.get(mode) or {}
        if c.get("python"):
            m.update(cpy_p50=percentile(c["python"], 50), cpy_p95=percentile(c["python"], 95))
        a = anim.get(mode)
        if a:
            fresh, raf = shown_frames(a["ticks"])
            secs = (raf[-1] - raf[0]) / 1000 if len(raf) > 1 else 0
            gaps, raf_gaps = intervals(fresh), intervals(raf)
            m.update(painted_fps=len(fresh) / secs if secs else None,
                     raf_fps=len(raf_gaps) / secs if secs else None,
                     painted_over_20=over(gaps, JANK_MS), painted_gaps=len(gaps),
                     raf_over_20=over(raf_gaps, JANK_MS), raf_gaps=len(raf_gaps),
                     anim_py_p95=percentile(a["pythonMs"], 95),
                     anim_longtasks=len([d for _, d in a["longtasks"] if d > LONGTASK_MS]))
            if a.get("switch"):
                m["switch_bytes_net"] = a["switch"]["bytes"]["total"]
                m["switch_ms_net"] = a["switch"]["first_frame_ms"]
        s["modes"][mode] = m

    soaks = raw.get("soaks") or ({raw["soak"]["mode"]: raw["soak"]} if raw.get("soak") else {})
    s["memory"] = [m for m in (_memory(x) for x in soaks.values()) if m]
    return s


def _memory(soak: dict) -> dict | None:
    """(early, late, growth) of each memory figure of one soak."""
    if not (soak.get("early") and soak.get("late")):
        return None
    e, l = soak["early"], soak["late"]
    out = {"mode": soak.get("mode"), "early_s": e["t_s"], "late_s": l["t_s"]}
    for key in ("js_heap", "renderer_rss"):
        out[key] = (e.get(key), l.get(key), growth(e.get(key), l.get(key)))
    for key in ("wasm_bytes", "py_objects"):
        a, b = (e.get("worker") or {}).get(key), (l.get("worker") or {}).get(key)
        if a is not None and b is not None:
            out[key] = (a, b, growth(a, b))
    return out


# -- verdicts -------------------------------------------------------------

def _v(ok: bool | None) -> str:
    return "n/a" if ok is None else ("ok" if ok else "MISSED")


def _ms(x) -> str:
    return "–" if x is None else f"{x:,.0f} ms"


def _ms2(x) -> str:
    return "–" if x is None else f"{x:.2f} ms"


def _x(x) -> str:
    return "–" if x is None else f"{x:.2f}×"


def _b(x) -> str:
    if x is None:
        return "–"
    return f"{x / MB:.2f} MB" if x >= 100 * KB else f"{x / KB:.1f} KB"


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:+.1f} %"


def verdicts(s: dict) -> list[tuple[str, str, str, str]]:
    """(figure, measured, target, ok/MISSED) rows for every target."""
    rows = []
    pc, ff, fl = s.get("prose_cold_ms"), s.get("first_frame_cold_ms"), s.get("floor_cold_ms")
    rows.append(("prose visible, cold", _ms(pc), "< 1,000 ms", _v(None if pc is None else pc < 1000)))
    rows.append(("prose visible, warm", _ms(s.get("prose_warm_ms")), "< 1,000 ms",
                 _v(None if s.get("prose_warm_ms") is None else s["prose_warm_ms"] < 1000)))
    rows.append(("prose shown before Python answers", str(s.get("prose_before_python")), "always",
                 _v(s.get("prose_before_python"))))
    rows.append(("floor: bare Pyodide boot + one line, cold", _ms(fl), "(reference)", ""))
    rows.append(("floor, warm (HTTP and code caches)", _ms(s.get("floor_warm_ms")), "(reference)", ""))
    rows.append(("first frame, cold", _ms(ff), "≤ 1.0 × floor", ""))
    r = s.get("cold_over_floor")
    rows.append(("first frame cold ÷ floor", _x(r), "≤ 1.00×", _v(None if r is None else r <= 1.0)))
    rows.append(("first frame, warm (returning reader)", _ms(s.get("first_frame_warm_ms")), "≤ 0.4 × cold", ""))
    r = s.get("warm_over_cold")
    rows.append(("first frame warm ÷ cold", _x(r), "≤ 0.40×", _v(None if r is None else r <= 0.4)))
    for visit in ("cold", "warm"):
        n = s.get(f"longtasks_{visit}_over_50")
        rows.append((f"main-thread long tasks > 50 ms to first frame, {visit} (longest)",
                     "–" if n is None else f"{n:.0f} ({_ms(s.get(f'longtasks_{visit}_max_ms'))})", "0",
                     _v(None if n is None else n == 0)))
    bf = s.get("bytes_first_visit", {})
    rows.append(("bytes before first frame, first visit", _b(bf.get("total")),
                 "≤ Pyodide core + 1.5 MB", ""))
    own = s.get("own_bytes_before_first_frame")
    rows.append(("  of which beyond Pyodide's core (" + _b(s.get("pyodide_core_bytes")) + ")", _b(own), "≤ 1.50 MB",
                 _v(None if own is None else own <= OWN_BUDGET_BYTES)))
    for k, v in bf.items():
        if k != "total":
            rows.append((f"  {k}", _b(v), "", ""))
    bg = s.get("bytes_background", {})
    rows.append(("bytes after first frame (background, for the next visit)", _b(bg.get("total")), "(reported)", ""))
    rows.append(("bytes on a returning visit", _b(s.get("bytes_warm")), "(reported)", ""))
    sw = s.get("switch_bytes_sw")
    rows.append(("chapter switch, first visit (service worker active)", _b(sw), "< 100 KB",
                 _v(None if sw is None else sw < SWITCH_BUDGET_BYTES)))
    nets = [m.get("switch_bytes_net") for m in s.get("modes", {}).values() if m.get("switch_bytes_net") is not None]
    if nets:
        worst = max(nets)
        rows.append(("chapter switch over the network (no service worker), worst", _b(worst), "< 100 KB",
                     _v(worst < SWITCH_BUDGET_BYTES)))
    for mode, m in s.get("modes", {}).items():
        if "py_p95" in m:
            rows.append((f"frame() p95 in the browser, {mode}", _ms2(m["py_p95"]), "< 4 ms",
                         _v(m["py_p95"] < FRAME_P95_BUDGET_MS)))
        elif m.get("error"):
            rows.append((f"frame() p95 in the browser, {mode}", "error", "< 4 ms", "MISSED"))
        if "painted_fps" in m:
            share = m["painted_over_20"] / m["painted_gaps"] if m["painted_gaps"] else None
            ok = None if share is None else (m["painted_fps"] >= FPS_HELD and share <= JANK_SHARE)
            rows.append((f"new frames shown / s and share of gaps over 20 ms, {mode}",
                         f"{m['painted_fps']:.1f} fps, {100 * (share or 0):.1f} %", "60 fps, ≤ 1 %", _v(ok)))
    for mem in s.get("memory") or []:
        for key, label in (("js_heap", "page JS heap"), ("wasm_bytes", "worker wasm memory"),
                           ("py_objects", "worker Python objects"), ("renderer_rss", "renderer resident memory")):
            if key not in mem or mem[key][2] is None:
                continue
            a, b, g = mem[key]
            fmt = (lambda x: f"{x:,}") if key == "py_objects" else _b
            rows.append((f"{label}, {mem['early_s']:.0f} s → {mem['late_s']:.0f} s ({mem['mode']})",
                         f"{fmt(a)} → {fmt(b)} ({_pct(g)})", "≤ +10 %", _v(g <= MEMORY_GROWTH)))
    return rows


def table(s: dict) -> str:
    """The Markdown tables the bench prints and ``bench/README.md`` keeps."""
    lines = ["| figure | measured (median) | target | verdict |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in verdicts(s)]
    lines += ["", "| mode (default view) | frame() p50 / p95, browser | round trip p95 | JSON.parse p95 "
              "| answer | primitives | CPython p50 / p95 | browser ÷ CPython (p50) | new frames / s | rAF / s "
              "| new-frame gaps > 20 ms | rAF gaps > 20 ms | network switch |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for mode, m in s.get("modes", {}).items():
        if "py_p50" not in m:
            lines.append(f"| {mode} | {m.get('error', 'not measured')} |" + " |" * 11)
            continue
        slow = ratio(m.get("py_p50"), m.get("cpy_p50"))
        lines.append(
            f"| {mode} ({m.get('submode')}) | {_ms2(m['py_p50'])} / {_ms2(m['py_p95'])} | {_ms2(m['rt_p95'])} "
            f"| {_ms2(m['parse_p95'])} | {_b(m['bytes'])} | {m['items']} "
            f"| {_ms2(m.get('cpy_p50'))} / {_ms2(m.get('cpy_p95'))} | {_x(slow)} "
            f"| {m.get('painted_fps', 0):.1f} | {m.get('raf_fps', 0):.1f} "
            f"| {m.get('painted_over_20', '–')} of {m.get('painted_gaps', '–')} "
            f"| {m.get('raf_over_20', '–')} of {m.get('raf_gaps', '–')} | {_b(m.get('switch_bytes_net'))} |")
    return "\n".join(lines)
