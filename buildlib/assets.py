"""Static assets copied or generated into the site.

Pyodide's core files and KaTeX's stylesheet come from the pinned npm
packages; the engine and per-mode scripts from ``js/``; the palette's CSS and
the app icon are generated from ``llmviz.core.palette`` so colours are written
in one place.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from .project import PYODIDE_FILES, Project

_FONT_SRC = re.compile(r"src:([^;}]*)")
_WOFF2 = re.compile(r"url\((fonts/[^)]+\.woff2)\)\s*format\([\"']woff2[\"']\)")


def copy_pyodide(project: Project, out: Path) -> None:
    """Pyodide's core (interpreter, wasm, standard library, lock file) into ``out/pyodide/``."""
    dest = out / "pyodide"
    dest.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copyfile(project.node_modules / "pyodide" / name, dest / name)


def katex_css(css: str) -> tuple[str, list[str]]:
    """KaTeX's stylesheet reduced to WOFF2 fonts (every browser that runs the book reads WOFF2).

    Returns the rewritten CSS and the font files it references.
    """
    fonts: list[str] = []

    def only_woff2(m: re.Match) -> str:
        w = _WOFF2.search(m.group(1))
        if not w:
            return m.group(0)
        fonts.append(w.group(1))
        return f"src:{w.group(0)}"

    return _FONT_SRC.sub(only_woff2, css), sorted(set(fonts))


def copy_katex(project: Project, out: Path) -> None:
    """``katex.min.css`` (WOFF2-only) and the fonts it uses into ``out/assets/katex/``."""
    src = project.node_modules / "katex" / "dist"
    dest = out / "assets" / "katex"
    (dest / "fonts").mkdir(parents=True, exist_ok=True)
    css, fonts = katex_css((src / "katex.min.css").read_text(encoding="utf-8"))
    (dest / "katex.min.css").write_text(css, encoding="utf-8")
    for font in fonts:
        shutil.copyfile(src / font, dest / font)


def copy_scripts(project: Project, out: Path) -> None:
    """``js/engine/`` → ``assets/engine/`` and ``js/modes/`` → ``assets/modes/`` (hidden files skipped)."""
    for name in ("engine", "modes"):
        src, dest = project.root / "js" / name, out / "assets" / name
        dest.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".*", "*.map", "node_modules", "__pycache__"))


def palette_css() -> str:
    """The palette as CSS custom properties: light by default, dark by preference or by choice."""
    from llmviz.core.palette import css_variables

    light, dark = css_variables("light"), css_variables("dark")
    return (
        "/* Generated from llmviz.core.palette: the one place colours are defined. */\n"
        f":root, :root[data-theme=light] {{\n  color-scheme: light;\n{light}\n}}\n"
        f"@media (prefers-color-scheme: dark) {{\n  :root {{\n  color-scheme: dark;\n{dark}\n  }}\n}}\n"
        f":root[data-theme=dark] {{\n  color-scheme: dark;\n{dark}\n}}\n")


def icon_svg() -> str:
    """The app icon: a small attention grid in the palette's accent colours."""
    from llmviz.core.palette import PALETTE

    bg, ink, a1, a2 = PALETTE["bg"][0], PALETTE["ink"][0], PALETTE["accent"][0], PALETTE["accent2"][0]
    cells = []
    for r in range(4):
        for c in range(r + 1):  # a causal (lower-triangular) attention pattern
            fill = a1 if c == r else a2
            op = 1.0 if c == r else 0.35 + 0.15 * c
            cells.append(f'<rect x="{104 + c * 80}" y="{104 + r * 80}" width="64" height="64" rx="10" '
                         f'fill="{fill}" fill-opacity="{op:.2f}"/>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
            f'<rect width="512" height="512" rx="96" fill="{bg}"/>'
            f'<rect x="72" y="72" width="368" height="368" rx="40" fill="none" stroke="{ink}" stroke-width="12"/>'
            + "".join(cells) + "</svg>\n")
