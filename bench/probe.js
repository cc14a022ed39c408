// Injected into every book page the bench opens, before the page's own
// scripts. It observes without changing behaviour: long tasks, paint timings,
// when the chapter's prose enters the page, and the Python worker's replies
// (which requests were frames, when their answers arrived, how long Python
// took). Everything lands in window.__bench for the bench to read.
(() => {
  const B = (window.__bench = {
    longtasks: [], paints: {}, lcp: null, prose: null, firstFrame: null,
    frames: [], pythonMs: [], workerEvents: [], worker: null,
  });
  const observe = (type, fn) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(fn)).observe({ type, buffered: true });
    } catch (e) { /* entry type not supported */ }
  };
  observe("longtask", (e) => B.longtasks.push([e.startTime, e.duration]));
  observe("paint", (e) => { B.paints[e.name] = e.startTime; });
  observe("largest-contentful-paint", (e) => { B.lcp = e.startTime; });

  // Prose: the moment a chapter's <article> is in the library pane, then the
  // next animation frame (the one that paints it).
  const seen = new MutationObserver(() => {
    if (B.prose !== null || B._proseQueued) return;
    const article = document.querySelector("#library article");
    if (!article) return;
    B._proseQueued = true;
    B.proseInserted = performance.now();
    requestAnimationFrame(() => { B.prose = performance.now(); });
  });
  seen.observe(document, { childList: true, subtree: true });

  // The Python worker: remember which request ids were frames; a frame's
  // answer is painted by the page in the same task, so the time after that
  // task (setTimeout 0) is when the frame is on the canvas.
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(url, opts) {
      super(url, opts);
      B.worker = this;
      const ops = new Map();
      const post = this.postMessage.bind(this);
      this.postMessage = (m, transfer) => {
        if (m && m.id !== undefined) ops.set(m.id, m.op);
        return transfer ? post(m, transfer) : post(m);
      };
      this.addEventListener("message", (e) => {
        const d = e.data || {};
        const now = performance.now();
        if (d.type === "reply") {
          const op = ops.get(d.id);
          ops.delete(d.id);
          if (op !== "frame" || d.error) return;
          if (d.ms !== undefined) B.pythonMs.push(d.ms);
          setTimeout(() => {
            const t = performance.now();
            B.frames.push(t);
            if (B.firstFrame === null) B.firstFrame = t;
          }, 0);
        } else if (d.type && d.type !== "log" && d.type !== "progress") {
          B.workerEvents.push({ t: now, ...d, modes: undefined });
        }
      });
    }
  };

  // A window of animation, seen the way the reader sees it: at every
  // requestAnimationFrame tick, how many simulation frames have been painted
  // so far (a tick with a higher count shows new content). Also Python's
  // per-frame time and the long tasks inside the window.
  B.window = (ms) => new Promise((resolve) => {
    const ticks = [];
    const f0 = B.frames.length, p0 = B.pythonMs.length, l0 = B.longtasks.length;
    const t0 = performance.now();
    const tick = (ts) => {
      ticks.push([ts, B.frames.length - f0]);
      if (performance.now() - t0 < ms) requestAnimationFrame(tick);
      else resolve({
        ms: performance.now() - t0, ticks,
        frames: B.frames.slice(f0), pythonMs: B.pythonMs.slice(p0), longtasks: B.longtasks.slice(l0),
      });
    };
    requestAnimationFrame(tick);
  });

  // Marks the engine sets itself win over the probe's own observations.
  B.mark = (name) => {
    const e = performance.getEntriesByName(name);
    return e.length ? e[0].startTime : null;
  };
})();
