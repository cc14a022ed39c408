"""Shared test set-up: make ``py/`` and the test helpers importable without an install."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "py", ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))



@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Playwright's sync API allows one per thread)."""
    from tooling import CHROMIUM, CHROMIUM_ARGS, missing_tool

    if not Path(CHROMIUM).exists():
        missing_tool(f"{CHROMIUM} is not installed (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
