"""A reader at the browser: a Playwright page on the built site, with what it saw.

Collects console errors (page and workers), uncaught exceptions and every
request URL, and wraps the few things the tests do on the page: open a
chapter, wait for its simulation, read the canvas, telemetry and controls.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

BOOT_TIMEOUT_MS = 90_000
STEP_TIMEOUT_MS = 15_000

# Share of canvas pixels that differ from the palette's background colour.
PAINTED_JS = """() => {
  const c = document.querySelector(".stage-canvas");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const hex = getComputedStyle(document.documentElement).getPropertyValue("--c-bg").trim().slice(1);
  const bg = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 24) n++;
  }
  return n / (d.length / 4);
}"""

# A cheap fingerprint of the canvas pixels, to tell whether a frame changed.
DIGEST_JS = """() => {
  const c = document.querySelector(".stage-canvas");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let h = 2166136261;
  for (let i = 0; i < d.length; i += 28) h = Math.imul(h ^ (d[i] + 3 * d[i + 1] + 7 * d[i + 2]), 16777619);
  return h >>> 0;
}"""

READY_JS = """(id) => {
  const a = document.querySelector("#library article");
  const ws = document.getElementById("workshop");
  return a && a.id === id && ws.dataset.state === "ready"
    && document.querySelector(".sim-time").textContent !== "";
}"""


class Reader:
    """One page of the site, with everything it logged and requested."""

    def __init__(self, context, site):
        self.context = context
        self.site = site
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(site.url))
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        context.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("worker", lambda w: w.on("console", self._console))

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.errors.append(f"console: {msg.text}")

    def take_errors(self) -> list[str]:
        """Errors seen since the last call."""
        out, self.errors = self.errors, []
        return out

    def foreign_requests(self) -> list[str]:
        """Requests that left the site's origin (data: and blob: URLs stay on the page)."""
        return sorted({u for u in self.requests
                       if not u.startswith(("data:", "blob:")) and not u.startswith(self.origin + "/")})

    # -- navigation -------------------------------------------------------------

    def goto(self, hash_: str = "") -> float:
        """Load the site (optionally at a route); seconds until the first chapter's frame."""
        t0 = time.perf_counter()
        self.page.goto(self.site.url + hash_)
        return t0

    def route(self, hash_: str) -> None:
        """Follow an in-book link (a hash change, as clicking a link does).

        A page that has not opened the book yet (a test run on its own) loads
        it at that route instead, so no test depends on the one before it.
        """
        if not self.page.url.startswith(self.site.url):
            self.goto(hash_)
            return
        self.page.evaluate("h => { location.hash = h; }", hash_)

    def wait_article(self, page_id: str) -> None:
        self.page.wait_for_function("id => document.querySelector('#library article')?.id === id",
                                    arg=page_id, timeout=STEP_TIMEOUT_MS)

    def wait_ready(self, page_id: str, timeout: int = STEP_TIMEOUT_MS) -> None:
        """Wait until page_id's article is shown and its simulation has painted a frame."""
        self.page.wait_for_function(READY_JS, arg=page_id, timeout=timeout)

    def state(self) -> str:
        return self.page.eval_on_selector("#workshop", "e => e.dataset.state")

    # -- the workshop -------------------------------------------------------------

    def painted(self) -> float:
        return self.page.evaluate(PAINTED_JS)

    def digest(self) -> int:
        return self.page.evaluate(DIGEST_JS)

    def telemetry(self) -> str:
        return self.page.inner_text(".telemetry")

    def console_lines(self, level: str | None = None) -> list[str]:
        sel = f".console .log-{level}" if level else ".console li"
        return self.page.eval_on_selector_all(sel, "els => els.map((e) => e.textContent)")

    def active_view(self) -> str:
        return self.page.evaluate(
            "() => document.querySelector('.view[aria-pressed=true]')?.dataset.view ?? ''")

    def views(self) -> list[str]:
        return self.page.eval_on_selector_all(".view", "els => els.map((e) => e.dataset.view)")

    def control_value(self, name: str) -> str | None:
        return self.page.evaluate(
            "n => document.querySelector(`.control[data-param='${n}']`)?.dataset.value ?? null", name)

    def pause(self) -> None:
        if self.page.get_attribute(".transport .play", "aria-pressed") == "true":
            self.page.click(".transport .play")
            self.settle()

    def settle(self, ms: int = 250) -> None:
        """Let any frame in flight land."""
        self.page.wait_for_timeout(ms)

    def wait_changed(self, read, before, timeout_s: float = 4.0):
        """Poll read() until it differs from before; returns the last value."""
        end = time.perf_counter() + timeout_s
        now = read()
        while now == before and time.perf_counter() < end:
            self.page.wait_for_timeout(100)
            now = read()
        return now
