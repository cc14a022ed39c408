"""Build the site the benchmark serves.

The bench measures the real build: the repository's chapters, Pyodide, the
wheel and the service worker, exactly as ``build.py`` writes them. A mode
whose chapter is not written yet still deserves its numbers, so for such a
mode the bench adds a stand-in chapter (its front matter points at the mode,
its body is the mode's own description) to a private copy of the chapter
sources; the report marks those chapters as stand-ins. The floor pages are
copied into ``<site>/bench/`` after the build, with the npm package's own
Pyodide core beside them (the floor boots stock Pyodide, whatever the build
does to its copy), so they are never part of the service worker's precache.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PAGES = ("floor.html", "floor.mjs", "floor-worker.mjs", "frames.html", "frames.mjs")


@dataclass
class BenchSite:
    out: Path
    build_id: str
    book: dict
    chapters: dict[str, str]       # mode id → the chapter id that shows it
    stand_ins: list[str]           # chapter ids the bench wrote itself


def chapter_modes(chapters_dir: Path) -> dict[str, str]:
    """Mode id → chapter id for every chapter source in ``chapters_dir``."""
    out = {}
    for src in sorted(chapters_dir.glob("*.md")):
        text = src.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            continue
        meta = yaml.safe_load(text[4:text.find("\n---", 3)]) or {}
        if isinstance(meta, dict) and meta.get("mode") and meta.get("id"):
            out.setdefault(str(meta["mode"]), str(meta["id"]))
    return out


def stand_in_source(desc: dict) -> str:
    """A chapter source for a mode that has no chapter yet: its title, summary and
    one paragraph per view, each with a vis-trigger to that view."""
    title = desc["title"] or desc["id"]
    lines = ["---", f"id: {desc['id']}", f"title: {yaml.safe_dump(title).strip().splitlines()[0]}",
             f"mode: {desc['id']}", f"summary: {yaml.safe_dump('The simulation of ' + title + '.').strip().splitlines()[0]}",
             "---", ""]
    for name, sub in desc.get("submodes", {}).items():
        lines += [f"## {sub['label']}", ""]
        help_text = (sub.get("help") or sub["label"]).replace("`", "'")
        lines += [f"{help_text} {{vis}}`Show this view <{name}>`.", ""]
    for p in desc.get("params", []):
        label = str(p.get("label") or p.get("name")).replace("`", "'")
        lines += [f"- {label}", ""]
    return "\n".join(lines)


def build(out: Path, work: Path) -> BenchSite:
    """Build the site into ``out`` (chapter sources copied into ``work``) and add the bench pages."""
    import sys

    for p in (ROOT, ROOT / "py"):
        if str(p) not in sys.path:
            sys.path.insert(0, str(p))
    from buildlib import Project
    from buildlib.project import PYODIDE_FILES
    from buildlib.site import build_site
    from llmviz import registry

    src = ROOT / "chapters"
    chapters = work / "chapters"
    shutil.rmtree(chapters, ignore_errors=True)
    shutil.copytree(src, chapters)
    by_mode = chapter_modes(chapters)
    stand_ins = []
    for mode_id in registry.mode_ids():
        if mode_id in by_mode:
            continue
        try:
            desc = registry.get_mode_class(mode_id).describe()
        except Exception:  # noqa: BLE001 - a mode that cannot load has no numbers to give
            continue
        (chapters / f"{mode_id}.md").write_text(stand_in_source(desc), encoding="utf-8")
        by_mode[mode_id] = mode_id
        stand_ins.append(mode_id)
    report = build_site(Project.at(ROOT, chapters=chapters), out)
    pages = out / "bench"
    pages.mkdir(exist_ok=True)
    for name in PAGES:
        shutil.copy2(BENCH / name, pages / name)
    stock = pages / "pyodide"
    stock.mkdir(exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(ROOT / "node_modules" / "pyodide" / name, stock / name)
    import json

    book = json.loads((out / "book.json").read_text(encoding="utf-8"))
    return BenchSite(out, report.build_id, book, by_mode, stand_ins)
