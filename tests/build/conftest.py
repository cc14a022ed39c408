"""The site is built once per test session (with ``build.py`` itself) and shared read-only."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # buildlib lives at the repository root
    sys.path.insert(0, str(ROOT))


def run_build(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``build.py`` with ``args``; the result keeps stdout, stderr and the exit code."""
    return subprocess.run([sys.executable, str(root / "build.py"), *args], capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "dist"
    proc = run_build("--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def book(dist) -> dict:
    return json.loads((dist / "book.json").read_text(encoding="utf-8"))
