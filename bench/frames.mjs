// Frame cost inside the browser: the site's own Python worker, driven with the
// engine's message protocol, one frame request per animation frame as the
// book does. For each frame: Python's time inside the worker (the worker's
// own "ms"), the round trip seen by the page (request → parsed answer), the
// JSON.parse share of it, the answer's size and its primitive count.

const book = await (await fetch("../book.json")).json();
const site = new URL("../", location.href);
const worker = new Worker(new URL("assets/engine/worker.js", site), { type: "module" });
const waiting = new Map();
let nextId = 1;
let ready;
const booted = new Promise((resolve, reject) => { ready = { resolve, reject }; });

worker.onmessage = (e) => {
  const m = e.data;
  if (m.type === "ready") ready.resolve(m);
  else if (m.type === "failed") ready.reject(new Error(m.error));
  else if (m.type === "reply") {
    const w = waiting.get(m.id);
    if (w) {
      waiting.delete(m.id);
      w(m);
    }
  }
};
worker.postMessage({ op: "init", build: book.build, pyodideURL: new URL(book.pyodide, site).href,
  wheelURL: new URL(book.wheel, site).href });

function request(op, args = {}) {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker.postMessage({ id, op, ...args });
  });
}

const nextFrame = () => new Promise((r) => requestAnimationFrame(r));

async function measure(mode, n, warm, submode = "") {
  const opened = await request("open", { mode, values: {}, submode });
  if (opened.error) return { mode, error: opened.error };
  const open = JSON.parse(opened.json);
  if (open.error) return { mode, error: open.error };
  const out = { mode, submode: open.state.submode, python: [], roundtrip: [], parse: [], bytes: [], items: [] };
  let t = 0;
  for (let i = 0; i < warm + n; i++) {
    await nextFrame();
    const t0 = performance.now();
    const m = await request("frame", { t });
    const t1 = performance.now();
    if (m.error) return { ...out, error: m.error };
    const data = JSON.parse(m.json);
    const t2 = performance.now();
    if (data.error) return { ...out, error: data.error };
    t += 1 / 60;
    if (i < warm) continue;
    out.python.push(m.ms);
    out.roundtrip.push(t2 - t0);
    out.parse.push(t2 - t1);
    out.bytes.push(m.json.length);
    out.items.push(data.scene.items.length);
  }
  return out;
}

window.__frames = { booted, measure, memory: () => request("memory") };
booted.then(() => { document.getElementById("status").textContent = "ready"; },
  (err) => { document.getElementById("status").textContent = `failed: ${err.message}`; });
