"""Pyodide's standard library with the modules the book imports precompiled to bytecode.

Pyodide ships its standard library as source, and a cold boot spends most of
its time compiling the modules it imports inside WebAssembly.
``js/build/precompile-stdlib.mjs`` boots Pyodide once under Node, runs the
wheel's bridge and every mode, and rewrites ``python_stdlib.zip`` so exactly
the modules that were imported are unchecked-hash ``.pyc`` files; every other
module stays source. Measured in Chromium on this project's machines, Pyodide
then boots about three times faster for about 0.7 MB more on the wire (see
bench/README.md).
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .errors import BuildError
from .project import Project


def precompile_stdlib(project: Project, wheel: Path, out_zip: Path) -> dict:
    """Write the precompiled standard library to ``out_zip``; ``{"modules", "bytes"}``."""
    script = project.root / "js" / "build" / "precompile-stdlib.mjs"
    try:
        proc = subprocess.run(["node", str(script), str(project.node_modules / "pyodide"), str(wheel),
                               str(out_zip)], capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        raise BuildError("node is not on PATH: the build precompiles Python's standard library under Node.",
                         exit_code=2) from None
    if proc.returncode != 0:
        raise BuildError(f"js/build/precompile-stdlib.mjs failed:\n{proc.stderr.strip()[-4000:]}", exit_code=2)
    return json.loads(proc.stdout)
