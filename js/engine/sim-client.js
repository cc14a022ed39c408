// The page's handle on the Python worker: request/response with ids, boot
// progress, and Python's own output. One worker lives for the whole visit, so
// switching chapters never reloads Python.

export class SimClient {
  /**
   * @param {string} workerURL  module worker script
   * @param {{pyodideURL: string, wheelURL: string, build: string}} urls  absolute URLs on this
   *        site, and the build id (it names Python's saved memory snapshot)
   */
  constructor(workerURL, urls) {
    this.nextId = 1;
    this.failed = null;
    this.pending = new Map();
    this.framed = false;
    this.onProgress = () => {};
    this.onLog = () => {};
    this.ready = new Promise((resolve, reject) => {
      this._resolveReady = resolve;
      this._rejectReady = reject;
    });
    this.ready.catch(() => {});
    this.workerURL = workerURL;
    this.urls = urls;
    this.worker = null;
    this.queued = []; // requests made before start()
    // The shell may have started the worker already (index.html), to save
    // the time the engine's modules take to load; adopt it and replay what
    // it said so far.
    const early = globalThis.llmvizEarlyWorker;
    delete globalThis.llmvizEarlyWorker;
    if (early) {
      this._attach(early.worker);
      for (const m of early.messages) this._receive(m);
      if (early.error) this._fail(early.error);
    }
  }

  /** Start Python's worker, unless it is running; requests made before wait for it. */
  start() {
    if (this.worker) return;
    let worker;
    try {
      worker = new Worker(this.workerURL, { type: "module" });
    } catch (err) {
      this._fail(`the simulation worker could not start (${err.message})`);
      return;
    }
    this._attach(worker);
    worker.postMessage({ op: "init", ...this.urls });
    for (const m of this.queued) worker.postMessage(m);
    this.queued = [];
  }

  _attach(worker) {
    this.worker = worker;
    worker.onmessage = (e) => this._receive(e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this._fail(e.message || "the simulation worker could not start");
    };
  }

  _fail(error) {
    this.failed = error;
    this._rejectReady(new Error(error));
    for (const { resolve } of this.pending.values()) resolve({ error: `Python did not start: ${error}` });
    this.pending.clear();
  }

  _receive(m) {
    if (m.type === "progress") this.onProgress(m);
    else if (m.type === "log") this.onLog(m);
    else if (m.type === "ready") {
      performance.mark("llmviz:python-ready");
      this._resolveReady(m);
    }
    else if (m.type === "failed") this._fail(m.error);
    else if (m.type === "reply") {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) {
        p.resolve({ error: m.error });
        return;
      }
      try {
        const data = JSON.parse(m.json);
        if (m.ms !== undefined) data._ms = m.ms;
        p.resolve(data);
        if (p.op === "frame" && !data.error && !this.framed) {
          // The page paints a frame in its request's continuation, queued by
          // resolve() above and so run before this: the mark follows the paint.
          this.framed = true;
          queueMicrotask(() => performance.mark("llmviz:first-frame"));
        }
      } catch (err) {
        p.resolve({ error: `unreadable answer from Python: ${err.message}` });
      }
    }
  }

  /**
   * Send one request; resolves with the parsed answer, which is
   * {"error": "..."} when Python reported a fault or could not start (never rejects).
   */
  request(op, args = {}) {
    if (this.failed) return Promise.resolve({ error: `Python did not start: ${this.failed}` });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, op });
      const msg = { id, op, ...args };
      if (this.worker) this.worker.postMessage(msg);
      else this.queued.push(msg);
    });
  }
}
