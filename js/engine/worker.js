// The Python side of the page: boots Pyodide, installs the llmviz wheel served
// by the site itself, and answers requests by calling llmviz.bridge. Requests
// are handled one at a time in arrival order; every answer carries the
// request's id. Bridge calls return JSON strings, which are passed through
// untouched (one string copy is cheaper than converting nested proxies).
//
// A returning reader's Python starts from a memory snapshot: after the first
// frame of a visit, when the worker is idle, the interpreter's memory (with
// llmviz already imported) is saved in Cache Storage, under a key naming the
// build and Pyodide's version. The next visit restores it instead of booting
// (well under a second instead of several); a snapshot that is missing, from
// another build, or fails to restore is deleted and Python boots normally.
// The first visit downloads nothing more for it.

let pyodide = null;
let bridge = null;
let bootError = null;
let chain = Promise.resolve();
let snapshotPlan = null; // {key} when this visit should save a snapshot after its first frame

// Not named "llmviz-…": the service worker deletes those caches when a new
// build activates. A snapshot of another build is found by its key instead.
const SNAPSHOT_CACHE = "python-snapshot";
const SNAPSHOT_DELAY_MS = 2000; // after the first frame, so saving never delays it

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

// -- the memory snapshot --------------------------------------------------

const snapshots = {
  key: (build, version, pyodideURL) => new URL(`snapshot-${build}-pyodide-${version}.bin`, pyodideURL).href,

  /**
   * The stored snapshot as {key, read}, or null. read() returns a promise of
   * its bytes, which loadPyodide accepts, so reading its tens of megabytes
   * overlaps with Pyodide compiling its wasm.
   */
  async find() {
    try {
      const cache = await caches.open(SNAPSHOT_CACHE);
      const [req] = await cache.keys();
      const hit = req && (await cache.match(req));
      return hit ? { key: req.url, read: () => hit.arrayBuffer().then((b) => new Uint8Array(b)) } : null;
    } catch (err) {
      return null;
    }
  },

  async write(key, bytes) {
    const cache = await caches.open(SNAPSHOT_CACHE);
    for (const req of await cache.keys()) await cache.delete(req);
    await cache.put(key, new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } }));
  },

  async clear() {
    try {
      if (self.caches) await caches.delete(SNAPSHOT_CACHE);
    } catch (err) {
      // nothing stored, or storage unavailable: nothing to clear
    }
  },
};

// Saved once per visit, between two requests (making it takes tens of
// milliseconds of this worker's time); storing it continues in the background.
function scheduleSnapshot() {
  const plan = snapshotPlan;
  if (!plan) return;
  snapshotPlan = null;
  setTimeout(() => {
    chain = chain.then(() => {
      const t0 = performance.now();
      let bytes;
      try {
        bytes = pyodide.makeMemorySnapshot();
      } catch (err) {
        post({ type: "snapshot", stored: false, error: String(err && err.message ? err.message : err) });
        return;
      }
      const makeMs = performance.now() - t0;
      snapshots.write(plan.key, bytes).then(
        () => post({ type: "snapshot", stored: true, bytes: bytes.byteLength, makeMs, storeMs: performance.now() - t0 }),
        (err) => post({ type: "snapshot", stored: false, error: String(err && err.message ? err.message : err) }));
    });
  }, SNAPSHOT_DELAY_MS);
}

async function boot({ pyodideURL, wheelURL, build, fresh }) {
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
  // A retry after a failed start asks past the browser's HTTP cache, which
  // may hold the damaged copy.
  const wheelPromise = fetch(wheelURL, fresh ? { cache: "reload" } : {}).then((r) => {
    if (!r.ok) throw new Error(`could not download the llmviz package (${r.status} ${r.statusText})`);
    return r.arrayBuffer();
  });
  wheelPromise.catch(() => {});
  const canSnapshot = Boolean(build && self.caches);
  const finding = canSnapshot ? snapshots.find() : null;
  const { loadPyodide, version } = await import(new URL("pyodide.mjs", pyodideURL).href);
  const key = canSnapshot ? snapshots.key(build, version, pyodideURL) : null;
  let stored = await finding;
  if (stored && stored.key !== key) {
    await snapshots.clear(); // another build's or another Pyodide's: never restored
    stored = null;
  }
  const options = {
    indexURL: pyodideURL,
    stdout: (s) => post({ type: "log", level: "info", text: s }),
    stderr: (s) => post({ type: "log", level: "warn", text: s }),
  };
  let restored = false;
  if (stored) {
    try {
      pyodide = await loadPyodide({ ...options, _loadSnapshot: stored.read() });
      restored = true;
    } catch (err) {
      post({ type: "log", level: "info", text: `Python's saved state could not be restored (${err.message}); starting afresh.` });
      await snapshots.clear();
    }
  }
  if (!pyodide) pyodide = await loadPyodide({ ...options, _makeSnapshot: Boolean(key) });
  untrack();
  const tPy = performance.now();
  const wheel = await wheelPromise;
  progress("llmviz", 92, "Loading the simulations");
  try {
    await installLlmviz(wheel);
  } catch (err) {
    if (!restored) throw err;
    // A restored interpreter that cannot run llmviz: forget it and boot afresh.
    await snapshots.clear();
    post({ type: "log", level: "info", text: `Python's saved state was unusable (${err.message}); starting afresh.` });
    restored = false;
    pyodide = await loadPyodide({ ...options, _makeSnapshot: true });
    await installLlmviz(wheel);
  }
  const modes = JSON.parse(bridge.modes());
  if (key && !restored) snapshotPlan = { key };
  progress("ready", 100, "Ready");
  const t1 = performance.now();
  post({ type: "ready", modes, restored, ms: Math.round(t1 - t0), pythonMs: Math.round(tPy - t0),
    llmvizMs: Math.round(t1 - tPy) });
}

// The wheel's files are not part of a snapshot (the file system lives on the
// JavaScript side), so they are unpacked on every boot. A restored
// interpreter already has llmviz.bridge imported; modes it never opened are
// imported from the unpacked files, the same files the snapshot's import
// caches saw, since its key names the build.
async function installLlmviz(wheel) {
  pyodide.unpackArchive(wheel, "wheel");
  bridge = pyodide.pyimport("llmviz.bridge");
}

// What Python holds in memory, for the benchmark's leak check: the wasm
// heap's size (it only grows) and the number of objects Python's garbage
// collector tracks (after a collection), which grows with a leak long before
// the heap does.
function memory() {
  const heap = pyodide._module?.HEAPU8?.byteLength ?? null;
  const objects = pyodide.runPython("import gc; gc.collect(); len(gc.get_objects())");
  return JSON.stringify({ wasm_bytes: heap, py_objects: objects });
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
    case "memory":
      return memory();
    default:
      throw new Error(`unknown request ${m.op}`);
  }
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.op === "init") {
    // Alive while booting: the page's watchdog takes a long silence for a
    // worker that hung or was killed.
    const alive = setInterval(() => post({ type: "alive" }), 1000);
    chain = boot(m).catch((err) => {
      bootError = String(err && err.message ? err.message : err);
      post({ type: "failed", error: bootError });
    }).finally(() => clearInterval(alive));
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
      if (m.op === "frame") scheduleSnapshot();
    } catch (err) {
      // The bridge contains mode faults itself; reaching here means the
      // interpreter or the bridge broke. Report it and keep serving.
      post({ type: "reply", id: m.id, error: String(err && err.message ? err.message : err) });
    }
  });
};
