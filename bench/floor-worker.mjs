// The floor: a worker that only boots the site's Pyodide and runs one line.
// Our own first frame is compared against this in the same run.
const t0 = performance.now();
const { loadPyodide } = await import(new URL("../pyodide/pyodide.mjs", self.location.href).href);
const py = await loadPyodide({ indexURL: new URL("../pyodide/", self.location.href).href });
const answer = py.runPython("1 + 1");
postMessage({ answer, worker_ms: performance.now() - t0 });
