// The Python side of the page: boots Pyodide, installs the llmviz wheel served
// by the site itself, and answers requests by calling llmviz.bridge. Requests
// are handled one at a time in arrival order; every answer carries the
// request's id. Bridge calls return JSON strings, which are passed through
// untouched (one string copy is cheaper than converting nested proxies).

let bridge = null;
let bootError = null;
let chain = Promise.resolve();

const post = (msg) => self.postMessage(msg);

function progress(stage, pct, text) {
  post({ type: "progress", stage, pct: Math.round(pct), text });
}

// Count the bytes of the big downloads as they arrive, without touching the
// response Pyodide consumes (a clone is read in parallel), so the progress bar
// reports real bytes and the wasm keeps its streaming compile and code cache.
function trackDownloads(expected, onBytes, onDone) {
  const seen = new Map();
  const finished = new Set();
  const origFetch = self.fetch.bind(self);
  self.fetch = async (input, init) => {
    const res = await origFetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    const key = Object.keys(expected).find((name) => url.endsWith(name));
    if (key && res.ok && res.body) {
      const reader = res.clone().body.getReader();
      const len = Number(res.headers.get("content-length")) || 0;
      if (len) expected[key] = len;
      (async () => {
        let n = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          n += value.byteLength;
          seen.set(key, n);
          onBytes([...seen.values()].reduce((a, b) => a + b, 0),
            Object.values(expected).reduce((a, b) => a + b, 0));
        }
        finished.add(key);
        if (finished.size === Object.keys(expected).length) onDone();
      })().catch(() => {});
    }
    return res;
  };
  return () => { self.fetch = origFetch; };
}

async function boot({ pyodideURL, wheelURL }) {
  const t0 = performance.now();
  // Sizes of Pyodide's core files, used until the server states them.
  const expected = { "pyodide.asm.wasm": 9.6e6, "python_stdlib.zip": 2.5e6 };
  progress("download", 0, "Downloading the Python runtime");
  let downloaded = false;
  const untrack = trackDownloads(expected, (got, total) => {
    if (!downloaded) progress("download", Math.min(70, (70 * got) / total), "Downloading the Python runtime");
  }, () => {
    downloaded = true;
    progress("start", 75, "Starting Python");
  });
  const { loadPyodide } = await import(new URL("pyodide.mjs", pyodideURL).href);
  const wheelPromise = fetch(wheelURL).then((r) => {
    if (!r.ok) throw new Error(`could not download the llmviz package (${r.status} ${r.statusText})`);
    return r.arrayBuffer();
  });
  wheelPromise.catch(() => {});
  const py = await loadPyodide({
    indexURL: pyodideURL,
    stdout: (s) => post({ type: "log", level: "info", text: s }),
    stderr: (s) => post({ type: "log", level: "warn", text: s }),
  });
  untrack();
  const tPy = performance.now();
  const wheel = await wheelPromise;
  progress("llmviz", 92, "Loading the simulations");
  py.unpackArchive(wheel, "wheel");
  bridge = py.pyimport("llmviz.bridge");
  const modes = JSON.parse(bridge.modes());
  progress("ready", 100, "Ready");
  const t1 = performance.now();
  post({ type: "ready", modes, ms: Math.round(t1 - t0), pythonMs: Math.round(tPy - t0), llmvizMs: Math.round(t1 - tPy) });
}

function call(m) {
  switch (m.op) {
    case "open":
      return bridge.open_mode(m.mode, JSON.stringify(m.values || {}), m.submode || "", m.seed || 0);
    case "set":
      return bridge.set_param(m.name, m.value);
    case "select":
      return bridge.select(m.submode || "", JSON.stringify(m.values || {}));
    case "frame":
      return bridge.frame(m.t);
    case "describe":
      return bridge.describe(m.mode);
    default:
      throw new Error(`unknown request ${m.op}`);
  }
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.op === "init") {
    chain = boot(m).catch((err) => {
      bootError = String(err && err.message ? err.message : err);
      post({ type: "failed", error: bootError });
    });
    return;
  }
  chain = chain.then(() => {
    if (!bridge) {
      post({ type: "reply", id: m.id, error: `Python did not start: ${bootError || "unknown reason"}` });
      return;
    }
    const t0 = performance.now();
    try {
      const json = call(m);
      post({ type: "reply", id: m.id, json, ms: performance.now() - t0 });
    } catch (err) {
      // The bridge contains mode faults itself; reaching here means the
      // interpreter or the bridge broke. Report it and keep serving.
      post({ type: "reply", id: m.id, error: String(err && err.message ? err.message : err) });
    }
  });
};
