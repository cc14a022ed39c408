"""The site is built once per test session (with ``build.py`` itself) and shared read-only."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from build_run import run_build


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "dist"
    proc = run_build("--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def book(dist) -> dict:
    return json.loads((dist / "book.json").read_text(encoding="utf-8"))
