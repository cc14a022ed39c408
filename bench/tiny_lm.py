#!/usr/bin/env python3
"""The tiny language model's speed, in CPython and in Pyodide under Node (see bench/README.md).

    python bench/tiny_lm.py            # both, 3 runs each, medians
    python bench/tiny_lm.py --runs 1

One measurement script (``MEASURE`` below) runs in a fresh CPython process
and in a fresh Pyodide under Node that installed the built wheel exactly as
the page's worker does (``unpackArchive``). It times, in this order: the
attention chapter's "trained" view for 10 s of frames at 60 fps from a cold
start (the first frame loads the weights), loading the weights alone (again,
from a fresh module cache), one token with the KV cache at positions 0–63
(``TinyLM.step``, logits included), one work unit of a ``Reading``, and a
whole 16-token sentence's forward pass without logits. Wall-clock figures
move with the machine's load; the table gives the median and the best of
the runs, and for CPython also CPU time (``time.process_time``), which a
busy machine inflates much less (Pyodide's process_time is wall time).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

MEASURE = r'''
import json, sys, time, statistics
def now(): return time.perf_counter() * 1000
def cpu(): return time.process_time() * 1000
from llmviz import bridge
out = {"python": sys.version.split()[0]}
# 1. the trained view, cold: its first frame loads the model
bridge.open_mode("p02-c04-attention", "{}", "trained", 0)
frames, frames_cpu = [], []
for i in range(600):
    t0, c0 = now(), cpu(); bridge.frame(i / 60); frames.append(now() - t0); frames_cpu.append(cpu() - c0)
out["view_first_frame_ms"] = frames[0]
rest = sorted(frames[1:])
out["view_frame_p50_ms"] = rest[len(rest) // 2]
out["view_frame_p95_ms"] = rest[int(len(rest) * 0.95)]
out["view_frame_max_ms"] = rest[-1]
out["view_frames_over_4ms"] = sum(1 for f in rest if f > 4)
rest_cpu = sorted(frames_cpu[1:])
# Pyodide's process_time is wall time: CPU time is a CPython-only figure
cpu_ok = sys.platform != "emscripten"
out["view_frame_cpu_p95_ms"] = rest_cpu[int(len(rest_cpu) * 0.95)] if cpu_ok else None
# 2. loading alone
import llmviz.lm.model as lm
lm._LOADED.clear()
t0 = now(); m = lm.load(); out["load_ms"] = now() - t0
# 3. one token with the KV cache, positions 0-63, logits included
text = ("The KV cache keeps the keys and values of every earlier token, so a decode step computes "
        "only the new token's query, key and value in each layer and compares its query with the keys "
        "already stored.")
ids = m.tokenizer.encode(text)[:64]
cache = m.new_cache(); steps, steps_cpu = [], []
for tok in ids:
    t0, c0 = now(), cpu(); m.step(tok, cache); steps.append(now() - t0); steps_cpu.append(cpu() - c0)
out["tokens"] = len(ids)
out["step_ms_p50"] = statistics.median(steps)
out["step_cpu_ms_p50"] = statistics.median(steps_cpu) if cpu_ok else None
out["step_ms_first8"] = statistics.median(steps[:8])
out["step_ms_last8"] = statistics.median(steps[-8:])
# 4. one unit of a Reading (about 2,048 multiply-adds)
r = lm.Reading(m, ids[:16]); units = []
while not r.done:
    t0 = now(); r.advance(1); units.append(now() - t0)
out["unit_ms_p50"] = statistics.median(units)
out["unit_ms_max"] = max(units)
# 5. a 16-token sentence, whole forward pass, no logits
t0 = now(); m.forward(ids[:16], logits="none"); out["forward16_ms"] = now() - t0
print("RESULT " + json.dumps(out))
'''


def run_cpython() -> dict:
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'py')!r})\n" + MEASURE
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    return _result(r)


def run_pyodide(wheel: Path) -> dict:
    script = BENCH / "tiny_lm_node.mjs"
    r = subprocess.run(["node", str(script), str(ROOT / "node_modules" / "pyodide"), str(wheel)],
                       input=MEASURE, capture_output=True, text=True, timeout=900)
    return _result(r)


def _result(r: subprocess.CompletedProcess) -> dict:
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"no result:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args(argv)
    from buildlib.wheel import write_wheel

    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        wheel = write_wheel(ROOT / "py", Path(tmp))
        runs = {"CPython": [], "Pyodide (Node)": []}
        for _ in range(a.runs):
            runs["CPython"].append(run_cpython())
            runs["Pyodide (Node)"].append(run_pyodide(wheel))
    keys = [k for k in runs["CPython"][0] if k != "python"]
    # A busy machine only ever adds time: the best run is the nearest to an idle one.
    print(f"load average {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; "
          f"median and best of {a.runs} runs")
    print("| figure | " + " | ".join(f"{k} {v[0]['python']}" for k, v in runs.items()) + " |")
    print("| --- | --- | --- |")
    for k in keys:
        cells = [f"{statistics.median(r[k] for r in v):.2f} / {min(r[k] for r in v):.2f}"
                 if v[0][k] is not None else "–" for v in runs.values()]
        print(f"| {k} | " + " | ".join(cells) + " |")
    print(json.dumps(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
