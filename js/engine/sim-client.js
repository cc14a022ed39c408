// The page's handle on the Python worker: request/response with ids, boot
// progress, and Python's own output. One worker lives for the whole visit, so
// switching chapters never reloads Python.
//
// A watchdog notices a worker that stopped answering (killed by the browser,
// stuck in a loop, or a boot that went silent), starts a new one and tells the
// page (onRestart), which reopens the simulation where it was.

// A frame takes milliseconds: a request unanswered this long means Python is gone.
const REPLY_TIMEOUT_MS = 8000;
// A booting worker says it is alive every second (worker.js), except while
// the interpreter starts, which blocks it for seconds on a slow phone; this
// long without a word means it hung or was killed.
const BOOT_STALL_MS = 30000;
// Restarts in a row without a single answer between them before giving up.
const MAX_RESTARTS = 2;
const WATCH_EVERY_MS = 1000;

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
    this.onRestart = () => {};
    // Called with ("ready", the worker's ready message) each time Python is
    // up, first boot and restarts alike, and with ("failed", reason) when it
    // could not be started; `ready` is a new promise after each restart.
    this.onStatus = () => {};
    this.readyInfo = null;
    this.restarts = 0;
    // The watchdog's limits, in ms (properties so a test can shorten them).
    this.replyTimeoutMs = REPLY_TIMEOUT_MS;
    this.bootStallMs = BOOT_STALL_MS;
    this.isReady = false;
    this.readyAt = 0;
    this.lastHeard = 0;
    this._newReady();
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

  _newReady() {
    this.ready = new Promise((resolve, reject) => {
      this._resolveReady = resolve;
      this._rejectReady = reject;
    });
    this.ready.catch(() => {});
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
    this.lastHeard = performance.now();
    worker.onmessage = (e) => this._receive(e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      if (this.isReady) this._restart(`Python's worker crashed (${e.message || "no reason given"})`);
      else this._fail(e.message || "the simulation worker could not start");
    };
    this._watch ??= setInterval(() => this._check(), WATCH_EVERY_MS);
  }

  /** The watchdog: a silent boot or an unanswered request means the worker is gone. */
  _check() {
    if (!this.worker || this.failed) return;
    const now = performance.now();
    if (!this.isReady) {
      if (now - this.lastHeard > this.bootStallMs) this._restart("Python stopped starting");
      return;
    }
    for (const p of this.pending.values()) {
      // a request sent while Python was starting waits for it: count from ready
      if (now - Math.max(p.sent, this.readyAt) > this.replyTimeoutMs) {
        this._restart("Python stopped answering");
        return;
      }
    }
  }

  /**
   * Replace the worker: pending requests resolve with {error, restarting},
   * a new worker boots (from the snapshot where there is one), and onRestart
   * lets the page reopen its simulation once the new one is ready.
   */
  _restart(reason) {
    const old = this.worker;
    if (old) {
      old.onmessage = null;
      old.onerror = null;
      old.terminate();
    }
    this.worker = null;
    for (const { resolve } of this.pending.values()) resolve({ error: reason, restarting: true });
    this.pending.clear();
    this.restarts += 1;
    if (this.restarts > MAX_RESTARTS) {
      this._fail(`${reason}, and starting it again did not help`);
      return;
    }
    this.isReady = false;
    this._newReady();
    this.start();
    this.onRestart(reason);
  }

  /**
   * After a failed start (a download that broke, a damaged file): forget the
   * failure and boot a new worker, which downloads the package afresh.
   * `ready` is a new promise; requests made from now on wait for it.
   */
  retry() {
    if (!this.failed) return;
    const old = this.worker;
    if (old) {
      old.onmessage = null;
      old.onerror = null;
      old.terminate();
    }
    this.worker = null;
    this.failed = null;
    this.restarts = 0;
    this.isReady = false;
    this._newReady();
    this.urls = { ...this.urls, fresh: true };
    this.start();
  }

  _fail(error) {
    this.failed = error;
    this._rejectReady(new Error(error));
    for (const { resolve } of this.pending.values()) resolve({ error: `Python did not start: ${error}` });
    this.pending.clear();
    this.onStatus("failed", error);
  }

  _receive(m) {
    this.lastHeard = performance.now();
    if (m.type === "progress") this.onProgress(m);
    else if (m.type === "log") this.onLog(m);
    else if (m.type === "ready") {
      if (!this.isReady && !this.restarts) performance.mark("llmviz:python-ready");
      this.isReady = true;
      this.readyAt = performance.now();
      this.readyInfo = m;
      this._resolveReady(m);
      this.onStatus("ready", m);
    }
    else if (m.type === "failed") this._fail(m.error);
    else if (m.type === "reply") {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.restarts = 0; // it answers: the next fault may restart it again
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
      this.pending.set(id, { resolve, op, sent: performance.now() });
      const msg = { id, op, ...args };
      if (this.worker) this.worker.postMessage(msg);
      else this.queued.push(msg);
    });
  }
}
