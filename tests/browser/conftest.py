"""Fixtures for driving the built site in headless Chromium.

The site is built once per test run into a temporary directory and served
from a thread on 127.0.0.1 with a free port; tests share one browser.
``BOOK_CHAPTERS`` may name another chapter-source directory to build from
(handy for trying the engine against draft chapters).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tooling import CHROMIUM, missing_tool

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Site:
    """A built site being served: its directory, its URL and its book.json."""

    dir: Path
    url: str
    chapters_dir: Path

    @property
    def book(self) -> dict:
        return json.loads((self.dir / "book.json").read_text(encoding="utf-8"))

    def build(self, chapters_dir: Path | None = None) -> str:
        """(Re)build into the served directory; returns the new build id."""
        cmd = [sys.executable, str(ROOT / "build.py"), "--out", str(self.dir), "--quiet",
               "--chapters", str(chapters_dir or self.chapters_dir)]
        run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, f"build failed:\n{run.stdout}\n{run.stderr}"
        return self.book["build"]


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        missing_tool(f"{CHROMIUM} is not installed (Debian package chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing_tool("playwright is not installed (pip install -e '.[dev]')")
    sys.path.insert(0, str(ROOT))
    from buildlib.serve import make_server

    chapters = Path(os.environ.get("BOOK_CHAPTERS") or ROOT / "chapters")
    base = tmp_path_factory.mktemp("site")
    # The served copy of the chapters lets a test change a source and rebuild.
    src = base / "chapters"
    shutil.copytree(chapters, src)
    out = base / "dist"
    s = Site(out, "", src)
    s.build()
    server = make_server(out, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    s.url = f"http://127.0.0.1:{server.server_address[1]}/"
    yield s
    server.shutdown()
    server.server_close()

