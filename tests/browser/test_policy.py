"""The page runs under its Content Security Policy without breaking anything it does."""
from __future__ import annotations

import pytest

from reader import BOOT_TIMEOUT_MS, Reader

pytestmark = pytest.mark.browser

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
"""


def test_a_reading_session_breaks_no_rule_of_the_policy(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(WATCH)
    r = Reader(context, site)
    try:
        order = site.book["order"]
        first = order[0]
        r.goto(f"#/{first}")
        r.wait_ready(first, timeout=BOOT_TIMEOUT_MS)
        assert r.page.evaluate("document.querySelector('meta[http-equiv=Content-Security-Policy]') !== null")
        # A chapter with a simulation and math, an appendix, and a reload that
        # the service worker answers and the shell's early worker starts.
        mode_pages = [c for c in order if c.startswith("p")]
        for page_id in (mode_pages[len(mode_pages) // 2], "appendix-c"):
            r.route(f"#/{page_id}")
            r.wait_article(page_id)
        r.page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)
        r.page.reload()
        r.wait_article("appendix-c")
        back = mode_pages[-1]
        r.route(f"#/{back}")
        r.wait_ready(back, timeout=BOOT_TIMEOUT_MS)
        assert r.page.evaluate("Boolean(window.llmvizSim && llmvizSim.isReady)")
        assert r.page.evaluate("window.__violations") == []
        assert not r.take_errors()
    finally:
        context.close()
