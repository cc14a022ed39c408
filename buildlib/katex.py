"""Math, pre-rendered by KaTeX at build time in one Node process per build.

Rendering happens in two steps so all of a book's math costs one process
start: while Markdown renders, each expression becomes a placeholder and is
queued (:meth:`MathBank.placeholder`); then :meth:`MathBank.render` sends the
unique expressions to ``js/build/render-math.mjs`` and :meth:`MathBank.fill`
swaps the results in. Malformed TeX becomes a ``file:line`` problem.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from .errors import BuildError, Problems

# Private-use code points cannot come from a source file's text by accident.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(_OPEN + r"(\d+)" + _CLOSE)


class MathBank:
    """Queue of unique ``(tex, display)`` expressions and, after :meth:`render`, their HTML."""

    def __init__(self) -> None:
        self._index: dict[tuple[str, bool], int] = {}
        self._items: list[tuple[str, bool]] = []
        self._where: list[tuple[str, int]] = []
        self._html: list[str] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def placeholder(self, tex: str, display: bool, rel: str, line: int) -> str:
        """Queue ``tex`` (first seen at ``rel:line``) and return its placeholder."""
        key = (tex, bool(display))
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self._items)
            self._items.append(key)
            self._where.append((rel, line))
        return f"{_OPEN}{i}{_CLOSE}"

    def render(self, root: Path, problems: Problems) -> None:
        """Render every queued expression with KaTeX; malformed ones become problems."""
        script = root / "js" / "build" / "render-math.mjs"
        katex = root / "node_modules" / "katex" / "dist" / "katex.mjs"
        payload = json.dumps([{"tex": t, "display": d} for t, d in self._items])
        try:
            proc = subprocess.run(["node", str(script), str(katex)], input=payload, capture_output=True,
                                  text=True, encoding="utf-8", timeout=300)
        except FileNotFoundError:
            raise BuildError("node is not on PATH: math is rendered by KaTeX under Node.", exit_code=2) from None
        if proc.returncode != 0:
            raise BuildError(f"js/build/render-math.mjs failed:\n{proc.stderr.strip()}", exit_code=2)
        results = json.loads(proc.stdout)
        html = []
        for (tex, display), (rel, line), res in zip(self._items, self._where, results):
            if "error" in res:
                shown = tex if len(tex) <= 60 else tex[:57] + "…"
                fence = "$$" if display else "$"
                problems.add(rel, line, f"malformed math {fence}{shown}{fence}: {res['error']}")
                html.append("")
            else:
                html.append(res["html"])
        self._html = html

    def fill(self, html: str) -> str:
        """``html`` with every placeholder replaced by its rendered math."""
        assert self._html is not None, "render() first"
        return _PLACEHOLDER.sub(lambda m: self._html[int(m.group(1))], html)

