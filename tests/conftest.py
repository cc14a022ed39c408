"""Shared test set-up: make ``py/`` and the test helpers importable without an install."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "py", ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

