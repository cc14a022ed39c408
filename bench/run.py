#!/usr/bin/env python3
"""The speed-budget benchmark of the LLM Systems Textbook (see bench/README.md).

    python bench/run.py               build, serve, measure (3 runs), print the table
    python bench/run.py --runs 5      more runs for steadier medians
    python bench/run.py --quick       one run and short windows: a smoke test of the bench
    python bench/run.py --full        memory soak of every mode instead of one

Writes bench/results/latest.json (raw data, figures and verdicts).
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# Views other than a chapter's first whose frames cost the most: the trained head
# runs the tiny language model (bench/README.md, "The tiny language model").
EXTRA_VIEWS = ["p02-c04-attention/trained"]
for p in (ROOT, ROOT / "py"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from bench import browser, cpython, report, site  # noqa: E402
from bench.server import BenchServer  # noqa: E402


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="cold/warm visit pairs (default 3)")
    ap.add_argument("--quick", action="store_true", help="1 run, short animation and soak windows")
    ap.add_argument("--full", action="store_true", help="memory soak for every mode (default: the first only)")
    ap.add_argument("--chapter", help="chapter for the visit figures (default: the first with a simulation)")
    ap.add_argument("--view", action="append", default=None, metavar="MODE/VIEW",
                    help="also time this view's frames (repeatable; default: "
                         + ", ".join(EXTRA_VIEWS) + ")")
    ap.add_argument("--no-gzip", action="store_true", help="serve without compression")
    ap.add_argument("--dpr", type=float, default=1.0, help="device pixel ratio of the page (default 1)")
    ap.add_argument("--out", type=Path, default=BENCH / "results" / "latest.json", help="where to write the JSON")
    args = ap.parse_args(argv)

    runs = 1 if args.quick else max(1, args.runs)
    n_frames, warm_frames = (120, 10) if args.quick else (300, 30)
    anim_s = 3.0 if args.quick else 10.0
    soak_s, early_s = (12.0, 5.0) if args.quick else (60.0, 5.0)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="llmviz-bench-") as tmp:
        log("building the site")
        s = site.build(Path(tmp) / "site", Path(tmp))
        modes = list(s.chapters)
        extra = [v for v in (args.view if args.view is not None else EXTRA_VIEWS) if v.partition("/")[0] in modes]
        chapter = args.chapter or next((s.chapters[m] for m in modes), None)
        if chapter is None:
            log("no chapter with a simulation: nothing to measure")
            return 1
        others = [c for c in s.book.get("order", []) if c != chapter and c in s.chapters.values()]
        switch_to = others[0] if others else next((c for c in s.book.get("order", []) if c != chapter), None)
        raw: dict = {"meta": meta(s, args, runs, chapter, switch_to), "floor": [], "book": []}

        with BenchServer(s.out, compress=not args.no_gzip) as server, sync_playwright() as pw:
            b = browser.Browser(pw, server, dpr=args.dpr)
            for r in range(runs):
                # Alternate the order so neither side always runs on a hotter machine.
                order = ("floor", "book") if r % 2 == 0 else ("book", "floor")
                for what in order:
                    log(f"run {r + 1}/{runs}: {what}")
                    if what == "floor":
                        raw["floor"].append(browser.floor_visits(b))
                    else:
                        raw["book"].append(browser.book_visits(b, chapter, switch_to, want_snapshot=True))
            log(f"frame cost in the browser ({n_frames} frames per mode)")
            raw["frames"] = browser.frame_costs(b, modes + extra, n_frames, warm_frames)
            log(f"animation, {anim_s:.0f} s per mode")
            raw["animation"] = browser.animation(b, s.chapters, anim_s)
            soak_modes = modes if args.full else modes[:1]
            raw["soaks"] = {}
            for m in soak_modes:
                log(f"memory soak, {m}, {soak_s:.0f} s")
                raw["soaks"][m] = {"mode": m, **browser.soak(b, s.chapters[m], soak_s, early_s)}
            raw["soak"] = raw["soaks"][soak_modes[0]]
        log("frame cost in CPython")
        raw["cpython"] = cpython.frame_costs(modes + extra, n_frames, warm_frames)

    raw["meta"]["load_after"] = _load()
    summary = report.summarize(raw)
    text = report.table(summary)
    print(text)
    busy = max(raw["meta"]["load_before"], raw["meta"]["load_after"])
    if busy > _cpus():
        log(f"the machine was busy (load average {busy:.1f} on {_cpus()} CPUs): absolute times are inflated; "
            f"the ratios, measured side by side, hold better")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "verdicts": report.verdicts(summary), "raw": raw},
                                   indent=1, default=str) + "\n", encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


def meta(s, args, runs: int, chapter: str, switch_to: str | None) -> dict:
    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""
    return {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "commit": git("rev-parse", "--short", "HEAD"),
            "build": s.build_id, "runs": runs, "chapter": chapter, "switch_to": switch_to,
            "stand_in_chapters": s.stand_ins, "gzip": not args.no_gzip, "dpr": args.dpr,
            "load_before": _load(),
            "machine": f"{platform.machine()}, {_cpus()} CPUs, {platform.system()} {platform.release()}",
            "chromium": browser.chromium_path()}


def _load() -> float:
    """The 1-minute load average (0 where the system does not report one)."""
    import os
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def _cpus() -> int:
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)


if __name__ == "__main__":
    sys.exit(main())
