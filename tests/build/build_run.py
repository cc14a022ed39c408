"""Running ``build.py`` from the build tests (a module of its own: ``from conftest import``
would find whichever test folder's conftest was imported first)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # buildlib lives at the repository root
    sys.path.insert(0, str(ROOT))


def run_build(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``build.py`` with ``args``; the result keeps stdout, stderr and the exit code."""
    return subprocess.run([sys.executable, str(root / "build.py"), *args], capture_output=True, text=True,
                          timeout=300)
