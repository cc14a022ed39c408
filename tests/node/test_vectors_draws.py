"""The vectors workshop's random numbers are the same bits in Pyodide as in CPython.

Its normal draws (core.rng.normals) use only integer arithmetic, IEEE arithmetic,
math.sqrt and math.frexp, because the C libraries behind CPython and Pyodide round
math.log, math.cos and math.sin differently in the last bit for some inputs; its ledger's
integer vectors come from random.Random.choice. This runs the same draws in both and
compares a hash of every bit; the chapter prints numbers measured from them.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tooling import missing_tool

ROOT = Path(__file__).resolve().parents[2]
PYODIDE = ROOT / "node_modules" / "pyodide"
SCRIPT = Path(__file__).with_name("draws_in_pyodide.mjs")

pytestmark = pytest.mark.node

DRAWS = """
import hashlib, struct
from llmviz.modes.part00_math.vectors import CHUNK, gaussian_chunk, ledger_vectors
h = hashlib.sha256()
for vector in range(48):
    for chunk in range(8):
        h.update(struct.pack(f"{CHUNK}d", *gaussian_chunk(0, vector, chunk)))
for seed in range(8):
    h.update(repr(ledger_vectors(seed, 10, "random")).encode())
h.hexdigest()
"""


def test_random_components_are_the_same_bits_in_pyodide(tmp_path):
    if not shutil.which("node"):
        missing_tool("node is not installed")
    if not (PYODIDE / "pyodide.mjs").exists():
        missing_tool("node_modules/pyodide is missing (run npm ci)")
    sys.path.insert(0, str(ROOT))
    from buildlib.wheel import write_wheel

    wheel = write_wheel(ROOT / "py", tmp_path)
    source = tmp_path / "draws.py"
    source.write_text(DRAWS)
    run = subprocess.run(["node", str(SCRIPT), str(PYODIDE), str(wheel), str(source)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    here = {}
    exec(DRAWS.rsplit("\n", 2)[0], here)          # the same loop in this CPython
    assert run.stdout.strip().splitlines()[-1] == here["h"].hexdigest()
