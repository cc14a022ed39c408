// The floor: a worker that only boots stock Pyodide and runs one line.
// The bench serves the npm package's own core files beside this page (never
// the site's copy, which the build may trim), so the book's first frame is
// compared with what Pyodide costs before any of our work or trimming.
const t0 = performance.now();
const indexURL = new URL("./pyodide/", self.location.href).href;
const { loadPyodide } = await import(indexURL + "pyodide.mjs");
const py = await loadPyodide({ indexURL });
const answer = py.runPython("1 + 1");
postMessage({ answer, worker_ms: performance.now() - t0 });
