// Runs the built llmviz wheel in Pyodide under Node, the same way the
// browser's worker does (unpackArchive, then llmviz.bridge), and prints one
// JSON report on stdout for tests/node/test_pyodide_node.py to judge.
//
//   node bridge_in_pyodide.mjs <pyodide dir> <wheel file> [frames per view]

import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelPath, framesArg] = process.argv.slice(2);
const FRAMES = Number(framesArg || 4);
const TIMES = [0, 0.5, 1.7, 4.0, 9.3, 30.0].slice(0, Math.max(2, FRAMES));

const t0 = performance.now();
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + path.sep });
const bootMs = performance.now() - t0;

const file = await readFile(wheelPath);
const wheel = new Uint8Array(file.buffer, file.byteOffset, file.byteLength); // Pyodide rejects Node's Buffer
const t1 = performance.now();
py.unpackArchive(wheel, "wheel");
const bridge = py.pyimport("llmviz.bridge");
const installMs = performance.now() - t1;

const J = (s) => JSON.parse(s);
const report = { bootMs, installMs, python: py.runPython("import sys; sys.version"), modes: {}, faults: {} };

for (const id of J(bridge.modes())) {
  const out = { views: {}, describe: null, error: null };
  report.modes[id] = out;
  const desc = J(bridge.describe(id));
  if (desc.error) {
    out.error = desc.error;
    continue;
  }
  out.describe = desc;
  const opened = J(bridge.open_mode(id, "{}", "", 0));
  if (opened.error) {
    out.error = opened.error;
    continue;
  }
  const views = Object.keys(desc.submodes).length ? Object.keys(desc.submodes) : [""];
  for (const view of views) {
    const sel = view ? J(bridge.select(view, "{}")) : { state: opened.state, messages: [] };
    const v = { select: sel, frames: [], frameMs: [] };
    out.views[view] = v;
    if (sel.error) continue;
    for (const t of TIMES) {
      const s = performance.now();
      const f = J(bridge.frame(t));
      v.frameMs.push(performance.now() - s);
      v.frames.push(f.error ? { error: f.error } : {
        t: f.t, items: f.scene.items.length, w: f.scene.w, h: f.scene.h,
        kinds: [...new Set(f.scene.items.map((it) => it.k))],
        telemetry: f.telemetry, console: f.console,
        digest: JSON.stringify(f.scene).length,
      });
    }
    // The cost the page pays every animation frame once caches are warm; the
    // fastest of a run, since a busy machine only ever adds time.
    const warm = [];
    for (let i = 0; i < 12; i++) {
      const s = performance.now();
      bridge.frame(2.0 + i / 60);
      warm.push(performance.now() - s);
    }
    v.warmFrameMs = Math.min(...warm);
  }
  // Every parameter pushed past its range (or given a bad value) answers
  // with a message and an accepted value, never an exception.
  out.badParams = {};
  for (const p of desc.params) {
    const bad = p.kind === "number" ? p.hi + Math.abs(p.hi - p.lo) + 1 : p.kind === "choice" ? "no-such-option" : "maybe";
    const r = J(bridge.set_param(p.name, bad));
    out.badParams[p.name] = r.error ? { error: r.error } : { messages: r.messages, value: r.state.values[p.name] };
  }
}

// Faults a reader could trigger, each contained by the bridge.
const F = report.faults;
F.unknownMode = J(bridge.open_mode("no-such-mode", "{}", "", 0));
F.frameAfterFailedOpen = J(bridge.frame(1.0));
F.describeUnknown = J(bridge.describe("no-such-mode"));
const first = J(bridge.modes())[0];
if (first) {
  const desc = J(bridge.describe(first));
  const num = desc.params.find((p) => p.kind === "number");
  const values = num ? { [num.name]: num.hi + Math.abs(num.hi - num.lo) + 7 } : {};
  F.outOfRangeOnOpen = J(bridge.open_mode(first, JSON.stringify(values), "no-such-view", 0));
  F.outOfRangeParam = num ? num.name : null;
  F.unknownParam = J(bridge.set_param("no_such_param", 1));
  F.unknownView = J(bridge.select("no-such-view", "{}"));
  F.badValuesJson = J(bridge.select("", "{not json"));
  F.frameAfterBadInput = J(bridge.frame(0.5));
}

// A mode whose drawing raises: registered at run time by this test only, so
// the product ships no broken mode. The bridge must answer with an error,
// and the next mode must open and draw normally.
py.runPython(`
import llmviz.registry as registry, types, sys
from llmviz.core import Mode
class Broken(Mode):
    id = "broken"
    def draw(self, t):
        return 1 / 0
mod = types.ModuleType("broken_mode_for_test")
mod.Broken = Broken
sys.modules["broken_mode_for_test"] = mod
registry.MODE_PATHS["broken"] = "broken_mode_for_test:Broken"
`);
F.brokenOpen = J(bridge.open_mode("broken", "{}", "", 0));
F.brokenFrame = J(bridge.frame(0.0));
if (first) {
  F.recoverOpen = J(bridge.open_mode(first, "{}", "", 0));
  const f = J(bridge.frame(1.0));
  F.recoverFrame = f.error ? { error: f.error } : { items: f.scene.items.length };
}

process.stdout.write(JSON.stringify(report));
