"""Writing the site: compile the book, lay out ``dist/`` per the site contract, swap it in.

The site is written into a fresh directory beside the output and renamed into
place only when complete, so a failed build never leaves a half-built site
(the previous one stays served).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from . import assets
from .book import TITLE, Book, compile_book
from .csp import with_policy
from .errors import BuildError
from .project import Project
from .stdlib import precompile_stdlib
from .service_worker import SW_NAME, file_hash, site_files, write_sw
from .wheel import write_wheel

SHELL = "index.html"
# Files that embed the build id; the id hashes their inputs instead of their bytes.
_DERIVED = {SHELL, "book.json", SW_NAME}
HREFS = {"palette_css_href": "assets/palette.css", "katex_css_href": "assets/katex/katex.min.css",
         "engine_href": "assets/engine/main.js"}


@dataclass
class BuildReport:
    out: Path
    build_id: str
    stats: dict[str, int]
    files: int
    bytes: int
    seconds: float

    def lines(self) -> list[str]:
        """The summary ``build.py`` prints."""
        s = self.stats
        return [f"Built {self.out} (build {self.build_id}) in {self.seconds:.1f} s",
                f"  {s['chapters']} chapters, {s['words']:,} words, {s['exercises']} exercises, "
                f"{s['triggers']} vis-triggers",
                f"  {self.files} files, {self.bytes / 1e6:.1f} MB"]


def build_site(project: Project, out: Path) -> BuildReport:
    """Build the whole site into ``out``; :class:`BuildError` (and ``out`` untouched) on any problem."""
    t0 = time.perf_counter()
    project.check_tools()
    shell_template = project.root / SHELL
    if not shell_template.exists():
        raise BuildError(f"{SHELL} (the shell template) is missing from the repository root")
    book = compile_book(project)

    out = Path(out).absolute()
    _check_replaceable(out)
    tmp = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        build_id = _write(project, book, tmp, shell_template)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = [out / p for p in site_files(out)] + [out / SW_NAME]
    return BuildReport(out, build_id, book.stats(), len(files), sum(f.stat().st_size for f in files),
                       time.perf_counter() - t0)


def _write(project: Project, book: Book, out: Path, shell_template: Path) -> str:
    for rel, html in book.fragments.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(html, encoding="utf-8")
    wheel = write_wheel(project.py, out / "py")
    assets.copy_pyodide(project, out)
    precompile_stdlib(project, wheel, out / "pyodide" / "python_stdlib.zip")
    assets.copy_katex(project, out)
    assets.copy_scripts(project, out)
    (out / "assets" / "palette.css").write_text(assets.palette_css(), encoding="utf-8")
    (out / "assets" / "icon.svg").write_text(assets.icon_svg(), encoding="utf-8")
    (out / "manifest.webmanifest").write_text(_manifest(), encoding="utf-8")

    manifest = {"title": TITLE, "wheel": wheel.relative_to(out).as_posix(), "pyodide": "pyodide/",
                **{k: v for k, v in book.manifest().items() if k != "title"}}
    build_id = _build_id(out, manifest, shell_template)
    manifest = {"build": build_id, **manifest}
    (out / "book.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / SHELL).write_text(_shell(shell_template, build_id, manifest), encoding="utf-8")
    write_sw(out, build_id)
    return build_id


def _build_id(out: Path, manifest: dict, shell_template: Path) -> str:
    """12 hex digits over every file's bytes, the book manifest and the shell template."""
    h = hashlib.sha256()
    for rel in site_files(out):
        if rel not in _DERIVED:
            h.update(f"{rel}\0{file_hash(out / rel)}\n".encode())
    h.update(json.dumps(manifest, sort_keys=True).encode())
    h.update(shell_template.read_bytes())
    h.update((Path(__file__).parent / "templates" / SW_NAME).read_bytes())
    return h.hexdigest()[:12]


def _shell(template: Path, build_id: str, book: dict) -> str:
    env = Environment(loader=FileSystemLoader(template.parent), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), keep_trailing_newline=True)
    try:
        html = env.get_template(template.name).render(build_id=build_id, book=book, **HREFS)
    except Exception as e:  # noqa: BLE001 - a template error is reported as a build problem
        raise BuildError(f"{template.name}: cannot render the shell template: {type(e).__name__}: {e}") from e
    try:
        return with_policy(html)
    except ValueError as e:
        raise BuildError(f"{template.name}: {e}") from e


def _manifest() -> str:
    from llmviz.core.palette import PALETTE

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), undefined=StrictUndefined)
    return env.get_template("manifest.webmanifest").render(
        title=TITLE, short_name="LLM Systems",
        description="An interactive textbook on how LLM systems work, with a live simulation in every chapter.",
        background=PALETTE["bg"][0], theme=PALETTE["accent"][0])


def _check_replaceable(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise BuildError(f"--out {out} exists and is not a directory")
    if any(out.iterdir()) and not ((out / "book.json").exists() or (out / SW_NAME).exists()):
        raise BuildError(f"refusing to replace {out}: it is not empty and does not hold an earlier build")


def _swap(tmp: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
