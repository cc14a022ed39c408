"""The scenarios the bench drives in Chromium (Playwright), each returning plain data.

Every scenario opens its own persistent browser profile in a fresh
directory, so "cold" really means an empty HTTP cache, no compiled-wasm cache,
no service worker and empty Cache Storage, and "warm" means a second visit in
the same profile. Times are milliseconds from navigation start, read from the
page's own clock (``performance.now()``); the probe (``probe.js``) and the
engine's ``llmviz:*`` performance marks supply them.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .server import BenchServer, Hit, bytes_by_kind

PROBE = (Path(__file__).parent / "probe.js").read_text(encoding="utf-8")
BOOT_TIMEOUT_MS = 180_000
VIEWPORT = {"width": 1280, "height": 800}


def chromium_path() -> str:
    """The Chromium binary: $CHROMIUM, else Debian's ``/usr/bin/chromium``, else ``chromium`` on PATH."""
    for cand in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if cand and Path(cand).exists():
            return cand
    raise SystemExit("Chromium not found: install Debian's 'chromium' package or set CHROMIUM=/path/to/chromium")


class Browser:
    """Opens fresh Chromium profiles against one bench server."""

    def __init__(self, playwright, server: BenchServer, dpr: float = 1.0):
        self.pw = playwright
        self.server = server
        self.dpr = dpr
        self.exe = chromium_path()

    @contextmanager
    def profile(self, service_workers: str = "allow"):
        """A persistent context in a new empty profile directory; yields (context, profile dir)."""
        d = tempfile.mkdtemp(prefix="llmviz-bench-profile-")
        ctx = self.pw.chromium.launch_persistent_context(
            d, executable_path=self.exe, headless=True, viewport=VIEWPORT, device_scale_factor=self.dpr,
            service_workers=service_workers, args=["--enable-precise-memory-info"])
        ctx.add_init_script(PROBE)
        try:
            yield ctx, d
        finally:
            ctx.close()
            shutil.rmtree(d, ignore_errors=True)

    def url(self, path: str) -> str:
        return self.server.url + path.lstrip("/")


# -- reading the page ------------------------------------------------------

READ = """() => {
  const B = window.__bench;
  const mark = (n) => { const e = performance.getEntriesByName(n); return e.length ? e[0].startTime : null; };
  return {
    timeOrigin: performance.timeOrigin,
    prose: mark("llmviz:prose") ?? B.prose,
    firstFrame: mark("llmviz:first-frame") ?? B.firstFrame,
    marks: performance.getEntriesByType("mark").filter((m) => m.name.startsWith("llmviz:"))
      .map((m) => [m.name, m.startTime]),
    fcp: B.paints["first-contentful-paint"] ?? null, lcp: B.lcp,
    longtasks: B.longtasks, workerEvents: B.workerEvents, frames: B.frames.length,
  };
}"""


def wait_first_frame(page, timeout_ms: int = BOOT_TIMEOUT_MS) -> dict:
    """Wait until the page shows its prose and its first simulation frame; the page's timings."""
    page.wait_for_function(
        "() => window.__bench && (window.__bench.prose !== null || performance.getEntriesByName('llmviz:prose').length)"
        " && (window.__bench.firstFrame !== null || performance.getEntriesByName('llmviz:first-frame').length)",
        timeout=timeout_ms, polling=50)
    return page.evaluate(READ)


def split_hits(hits: list[Hit], t_epoch_ms: float) -> tuple[list[Hit], list[Hit]]:
    """(requests the page or its Python worker started before ``t``, everything else)."""
    before = [h for h in hits if h.initiator != "sw" and h.start * 1000 < t_epoch_ms]
    ids = {id(h) for h in before}
    return before, [h for h in hits if id(h) not in ids]


def longtasks_before(timings: dict, t_ms: float) -> list[float]:
    return [d for (s, d) in timings["longtasks"] if s < t_ms]


def settle(page, server: BenchServer, want_snapshot: bool, timeout_s: float = 90) -> dict:
    """After a first visit's first frame: wait for the service worker to be active, for the
    worker's snapshot (when the engine makes one) and for the network to go quiet."""
    t0 = time.time()
    sw = page.evaluate("""async () => {
      if (!('serviceWorker' in navigator)) return 'unsupported';
      const r = await Promise.race([navigator.serviceWorker.ready.then(() => 'active'),
                                     new Promise((res) => setTimeout(() => res('timeout'), 60000))]);
      return r;
    }""")
    snapshot = None
    if want_snapshot:
        try:
            page.wait_for_function("() => window.__bench.workerEvents.some((e) => e.type === 'snapshot')",
                                   timeout=60_000, polling=200)
            snapshot = page.evaluate("() => window.__bench.workerEvents.find((e) => e.type === 'snapshot')")
        except Exception:  # noqa: BLE001 - no snapshot message: reported as missing
            snapshot = None
    server.wait_idle(quiet_s=2.0, timeout_s=max(5.0, timeout_s - (time.time() - t0)))
    return {"service_worker": sw, "snapshot": snapshot}


# -- scenarios ---------------------------------------------------------------

def floor_visits(b: Browser) -> dict:
    """The bare-Pyodide page, cold then warm (same profile, HTTP and code caches kept)."""
    out = {}
    with b.profile() as (ctx, _):
        for visit in ("cold", "warm"):
            page = ctx.new_page()
            mark = b.server.mark()
            page.goto(b.url("bench/floor.html"), wait_until="commit")
            page.wait_for_function("() => window.__floor", timeout=BOOT_TIMEOUT_MS, polling=50)
            f = page.evaluate("() => window.__floor")
            hits = b.server.since(mark)
            out[visit] = {"ms": f["ms"], "worker_ms": f["worker_ms"], "bytes": bytes_by_kind(hits)}
            page.close()
    return out


def book_visits(b: Browser, chapter: str, switch_to: str | None, want_snapshot: bool) -> dict:
    """A first visit (cold profile) to ``chapter``, its background work, a chapter switch, and
    a returning visit in the same profile (service worker installed, caches warm)."""
    out: dict = {}
    with b.profile() as (ctx, _):
        page = ctx.new_page()
        mark = b.server.mark()
        page.goto(b.url(f"#/{chapter}"), wait_until="commit")
        cold = wait_first_frame(page)
        ff_epoch = cold["timeOrigin"] + cold["firstFrame"]
        out["settle"] = settle(page, b.server, want_snapshot)
        before, after = split_hits(b.server.since(mark), ff_epoch)
        out["cold"] = {**_visit(cold), "bytes_before_first_frame": bytes_by_kind(before),
                       "bytes_background": bytes_by_kind(after),
                       "requests_before_first_frame": len(before)}
        if switch_to:
            out["switch"] = switch(page, b.server, switch_to)
        page.close()

        page = ctx.new_page()
        mark = b.server.mark()
        page.goto(b.url(f"#/{chapter}"), wait_until="commit")
        warm = wait_first_frame(page)
        page.wait_for_timeout(500)
        out["warm"] = {**_visit(warm), "bytes": bytes_by_kind(b.server.since(mark))}
        page.close()
    return out


def _visit(t: dict) -> dict:
    lt = longtasks_before(t, t["firstFrame"])
    return {"prose_ms": t["prose"], "first_frame_ms": t["firstFrame"], "fcp_ms": t["fcp"], "lcp_ms": t["lcp"],
            "longtasks_ms": lt, "marks": t["marks"], "worker_events": t["workerEvents"]}


def switch(page, server: BenchServer, target: str, timeout_ms: int = 60_000) -> dict:
    """Follow an in-book link to ``target``; the bytes fetched until its prose and (for a
    chapter with a simulation) a new frame are on screen, and the time that took."""
    n0 = page.evaluate("() => window.__bench.frames.length")
    mark = server.mark()
    t0 = page.evaluate("() => performance.now()")
    page.evaluate(f"() => {{ location.hash = '#/{target}'; }}")
    page.wait_for_function(f"() => document.querySelector('#library article[id=\"{target}\"]')",
                           timeout=timeout_ms, polling=20)
    t_prose = page.evaluate("() => performance.now()")
    has_mode = page.evaluate(f"() => !!document.querySelector('#library article[id=\"{target}\"]').dataset.mode")
    t_frame = None
    if has_mode:
        page.wait_for_function(f"() => window.__bench.frames.length > {n0} + 1", timeout=timeout_ms, polling=20)
        t_frame = page.evaluate("() => window.__bench.frames[window.__bench.frames.length - 1]")
    server.wait_idle(quiet_s=0.5, timeout_s=10)
    return {"to": target, "prose_ms": t_prose - t0, "first_frame_ms": (t_frame - t0) if t_frame else None,
            "bytes": bytes_by_kind(server.since(mark))}


def frame_costs(b: Browser, modes: list[str], n: int, warm: int) -> dict:
    """Per-frame cost of every mode at its defaults, measured in the site's own worker.
    An entry ``"mode/view"`` opens that view instead of the mode's first."""
    with b.profile(service_workers="block") as (ctx, _):
        page = ctx.new_page()
        page.goto(b.url("bench/frames.html"))
        page.wait_for_function("() => window.__frames", timeout=30_000)
        page.evaluate("() => window.__frames.booted.then(() => true)")
        return {m: page.evaluate("([m, v, n, w]) => window.__frames.measure(m, n, w, v)",
                                 [*split_view(m), n, warm]) for m in modes}


def split_view(key: str) -> tuple[str, str]:
    """``"mode/view"`` → ``("mode", "view")``; a bare mode id → ``(mode, "")`` (its first view)."""
    mode, _, view = key.partition("/")
    return mode, view


def animation(b: Browser, chapters: dict[str, str], seconds: float) -> dict:
    """Smoothness of every mode in the real book (service worker blocked, so every chapter
    switch goes to the network): rAF cadence, frames painted and Python's time per frame
    over ``seconds`` of animation, and the bytes of each chapter switch."""
    out = {}
    with b.profile(service_workers="block") as (ctx, _):
        page = ctx.new_page()
        first = True
        for mode, chapter in chapters.items():
            if first:
                page.goto(b.url(f"#/{chapter}"), wait_until="commit")
                wait_first_frame(page)
                sw = None
                first = False
            else:
                sw = switch(page, b.server, chapter)
            page.wait_for_timeout(1000)
            w = page.evaluate("(ms) => window.__bench.window(ms)", seconds * 1000)
            out[mode] = {"chapter": chapter, "switch": sw, **w}
    return out


def soak(b: Browser, chapter: str, seconds: float, early_s: float = 5.0) -> dict:
    """Memory after ``early_s`` and after ``seconds`` of animation of one chapter."""
    with b.profile(service_workers="block") as (ctx, profile_dir):
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        page.goto(b.url(f"#/{chapter}"), wait_until="commit")
        wait_first_frame(page)
        t0 = time.time()
        samples = {}
        for label, at in (("early", early_s), ("late", seconds)):
            page.wait_for_timeout(max(0, (t0 + at - time.time()) * 1000))
            samples[label] = memory_sample(page, cdp, profile_dir)
            samples[label]["t_s"] = time.time() - t0
        samples["frames"] = page.evaluate("() => window.__bench.frames.length")
        return samples


def memory_sample(page, cdp, profile_dir: str) -> dict:
    """Page JS heap after a collection, the worker's own report (when it answers the
    ``memory`` request) and the resident memory of the profile's renderer processes."""
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")
    worker = page.evaluate("""() => new Promise((resolve) => {
      const w = window.__bench.worker;
      if (!w) return resolve(null);
      const id = 2 ** 31 + Math.floor(Math.random() * 1e6);
      const timer = setTimeout(() => resolve(null), 5000);
      w.addEventListener('message', function h(e) {
        if (!e.data || e.data.id !== id) return;
        w.removeEventListener('message', h);
        clearTimeout(timer);
        resolve(e.data.error ? null : JSON.parse(e.data.json));
      });
      w.postMessage({ id, op: 'memory' });
    })""")
    return {"js_heap": heap["usedSize"], "worker": worker, "renderer_rss": renderer_rss(profile_dir)}


def renderer_rss(profile_dir: str) -> int | None:
    """Resident bytes of the renderer processes of the browser using ``profile_dir`` (Linux /proc)."""
    procs = {}
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ")  # children rewrite it as one string
            stat = (p / "stat").read_text().rsplit(")", 1)[1].split()
            status = (p / "status").read_text()
        except OSError:
            continue
        rss = next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        procs[int(p.name)] = (int(stat[1]), cmd, rss)
    flag = f"--user-data-dir={profile_dir} ".encode()
    roots = {pid for pid, (_, cmd, _) in procs.items() if flag in cmd + b" "}
    if not roots:
        return None
    family, grew = set(roots), True
    while grew:
        grew = False
        for pid, (ppid, _, _) in procs.items():
            if ppid in family and pid not in family:
                family.add(pid)
                grew = True
    return sum(rss for pid, (_, cmd, rss) in procs.items()
               if pid in family and b"--type=renderer" in cmd)
