// Navigation start to "Python answered", the same clock as the book's first frame.
// (A file of its own, not an inline script: the server sends the book's
// Content Security Policy, which runs only the site's own files.)
const w = new Worker(new URL("./floor-worker.mjs", location.href), { type: "module" });
w.onmessage = (e) => {
  performance.mark("floor-ready");
  window.__floor = { ms: performance.now(), worker_ms: e.data.worker_ms, answer: e.data.answer };
  document.getElementById("status").textContent = "ready " + e.data.answer;
};
