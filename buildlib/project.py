"""Where a build's inputs live.

Tests point ``chapters`` or ``appendices`` at temporary directories to build a
book from small sources; everything else comes from the repository.
"""
from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError

PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")


@dataclass(frozen=True)
class Project:
    """The repository root and the source directories a build reads."""

    root: Path
    chapters: Path
    appendices: Path

    @classmethod
    def at(cls, root: Path | str, chapters: Path | str | None = None,
           appendices: Path | str | None = None) -> "Project":
        """The project rooted at ``root``, optionally with other chapter/appendix directories."""
        root = Path(root).absolute()
        return cls(root=root,
                   chapters=Path(chapters).absolute() if chapters else root / "chapters",
                   appendices=Path(appendices).absolute() if appendices else root / "appendices")

    @property
    def py(self) -> Path:
        """The directory holding the ``llmviz`` package."""
        return self.root / "py"

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def parts_file(self) -> Path:
        """``parts.yaml`` lives with the chapters (a test's chapter directory may bring its own)."""
        own = self.chapters / "parts.yaml"
        return own if own.exists() else self.root / "chapters" / "parts.yaml"

    def rel(self, path: Path) -> str:
        """``path`` as the reader should see it in a message: repo-relative when possible."""
        path = Path(path).absolute()
        for base in (self.root, self.chapters.parent, self.appendices.parent):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def import_llmviz(self) -> None:
        """Make ``py/`` importable so the build can read modes, answers and the catalog."""
        if str(self.py) not in sys.path:
            sys.path.insert(0, str(self.py))

    def check_tools(self) -> None:
        """Fail with what to run when Node or the npm packages are missing (exit code 2)."""
        missing = [f for f in PYODIDE_FILES if not (self.node_modules / "pyodide" / f).exists()]
        katex = self.node_modules / "katex" / "dist" / "katex.mjs"
        if not self.node_modules.is_dir() or missing or not katex.exists():
            what = "node_modules is missing" if not self.node_modules.is_dir() else (
                "node_modules is incomplete (" + ", ".join(
                    [f"pyodide/{m}" for m in missing] + ([] if katex.exists() else ["katex"])) + ")")
            raise BuildError(
                f"{what}.\n"
                f"The build copies Pyodide and renders math with KaTeX from the pinned npm packages. Run:\n\n"
                f"    cd {self.root} && npm ci\n\n"
                f"then build again.", exit_code=2)
        if shutil.which("node") is None:
            raise BuildError("node is not on PATH: the build renders math with KaTeX under Node (version 18 or "
                             "newer). Install Node.js, then build again.", exit_code=2)
