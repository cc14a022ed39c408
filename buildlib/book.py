"""Compiling every source into the book: checked, rendered, math filled in, in reading order.

:func:`compile_book` is everything the build does short of writing files, so
tests can check a book (or a broken chapter's messages) without building a
site. It reports every problem it finds at once, as ``file:line: message``.
"""
from __future__ import annotations

import json

import re
from dataclasses import dataclass
from html import escape

from .appendices import RenderedAppendix, render_appendices
from .chapters import Library, RenderedChapter, render_chapter
from .errors import Problems
from .htmltree import Node, parse_html, prose_words
from .katex import MathBank
from .markdown import make_markdown, plain, slug
from .project import Project
from .sources import ChapterMeta, Part, chapter_meta, read_parts, read_source

TITLE = "LLM Systems Textbook"
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


@dataclass
class Book:
    """The compiled book: parts, chapters and appendices with their final HTML fragments."""

    parts: dict[int, Part]
    chapters: list[RenderedChapter]
    appendices: list[RenderedAppendix]
    fragments: dict[str, str]  # dist-relative path → article HTML
    words: dict[str, int]      # chapter id → words of prose

    @property
    def order(self) -> list[str]:
        """Reading order: chapters by part and number, then the appendices."""
        return [c.meta.id for c in self.chapters] + [a.id for a in self.appendices]

    def manifest(self) -> dict:
        """``book.json`` without its build id (see the site contract)."""
        parts = []
        for number in sorted(self.parts):
            chs = [c for c in self.chapters if c.meta.part == number]
            if not chs:
                continue
            part = self.parts[number]
            parts.append({"id": part.id, "n": part.number, "title": part.title, "chapters": [
                {"id": c.meta.id, "n": c.meta.n, "title": c.meta.title, "mode": c.meta.mode,
                 "href": f"chapters/{c.meta.id}.html", "summary": plain(c.meta.summary)} for c in chs]})
        appendices = [{"id": a.id, "letter": a.spec.letter, "title": a.title,
                       "href": f"appendices/{a.id}.html"} for a in self.appendices]
        return {"title": TITLE, "parts": parts, "appendices": appendices, "order": self.order}

    def stats(self) -> dict[str, int]:
        """Counts for the build report."""
        return {"chapters": len(self.chapters), "words": sum(self.words.values()),
                "exercises": sum(len(c.exercises) for c in self.chapters),
                "triggers": sum(len(c.triggers) for c in self.chapters)}


def compile_book(project: Project) -> Book:
    """Read, check and render every chapter and appendix; :class:`BuildError` lists every problem."""
    project.import_llmviz()
    problems, math, md = Problems(), MathBank(), make_markdown()
    parts = read_parts(project.parts_file, problems, project.rel(project.parts_file))

    metas = _read_chapters(project, parts, problems)
    library = _library(metas, problems)
    describes = {m.id: _describe(m, problems) for m in metas}
    chapters = [render_chapter(md, m, describes[m.id], library, problems, math) for m in metas]
    appendices = render_appendices(md, project.appendices, project.rel, chapters, library, problems, math)

    math.render(project.root, problems)  # even after other problems, so one run reports them all
    problems.raise_if_any()

    order = [(c.meta.id, f"{c.meta.n} {c.meta.title}") for c in chapters] + \
            [(a.id, f"Appendix {a.spec.letter}: {a.title}") for a in appendices]
    fragments = {}
    for c in chapters:
        fragments[f"chapters/{c.meta.id}.html"] = math.fill(_chapter_article(c, _nav(order, c.meta.id)))
    for a in appendices:
        fragments[f"appendices/{a.id}.html"] = math.fill(_appendix_article(a, _nav(order, a.id)))
    seen: set[str] = set()
    trees = {path: parse_html(html) for path, html in fragments.items()}
    for c in chapters:
        _check_local(trees[f"chapters/{c.meta.id}.html"], c.meta.source.rel, problems, seen)
    for a in appendices:
        _check_local(trees[f"appendices/{a.id}.html"], f"appendix {a.spec.letter}", problems, seen)
    problems.raise_if_any()
    words = {c.meta.id: prose_words(trees[f"chapters/{c.meta.id}.html"]) for c in chapters}
    return Book(parts, chapters, appendices, fragments, words)


def _check_local(doc: Node, where: str, problems: Problems, seen: set[str]) -> None:
    """The book must work offline: a page may link out, but may not load anything from elsewhere.

    A URL is reported once, at the first page using it (appendix A repeats chapters' exercises).
    """
    for node in doc.iter():
        for attr in ("src", "srcset", "data", "poster", "href"):
            url = node.attrs.get(attr, "")
            if not _EXTERNAL.match(url) or (attr == "href" and node.tag == "a") or url in seen:
                continue
            seen.add(url)
            problems.add(where, None, f'<{node.tag} {attr}="{url}"> loads from another site; '
                                      f"the book must work offline")


def _read_chapters(project: Project, parts: dict[int, Part], problems: Problems) -> list[ChapterMeta]:
    metas: list[ChapterMeta] = []
    seen: dict[str, str] = {}
    if not project.chapters.is_dir():
        return metas
    for path in sorted(project.chapters.glob("*.md")):
        src = read_source(path, project.rel(path), problems)
        meta = chapter_meta(src, parts, problems) if src else None
        if meta is None:
            continue
        key = f"{meta.part}.{meta.number}"
        if meta.id in seen or key in seen:
            problems.add(src.rel, src.key_line("id"),
                         f"chapter {meta.id} duplicates {seen.get(meta.id) or seen.get(key)}")
            continue
        seen[meta.id] = seen[key] = src.rel
        metas.append(meta)
    metas.sort(key=lambda m: (m.part, m.number))
    return metas


def _library(metas: list[ChapterMeta], problems: Problems) -> Library:
    """All papers, with conflicting duplicates and clashing glossary terms reported."""
    lib = Library()
    terms: dict[str, str] = {}
    for m in metas:
        for key, paper in m.papers.items():
            first = lib.papers.get(key)
            if first is None:
                lib.papers[key] = paper
            elif (first.title, first.url) != (paper.title, paper.url):
                problems.add(m.source.rel, m.source.key_line(key),
                             f"paper {key!r} differs from its entry in {first.chapter} (same key, other title or url)")
        for term in m.glossary:
            anchor = slug(term)
            if anchor in terms:
                problems.add(m.source.rel, m.source.key_line(term),
                             f"glossary term {term!r} is already introduced by {terms[anchor]}; "
                             f"link to it there instead of defining it again")
            else:
                terms[anchor] = m.id
    return lib


def _describe(meta: ChapterMeta, problems: Problems) -> dict | None:
    """The chapter's mode declaration, or ``None`` with a problem naming the registered modes."""
    from llmviz import registry

    line = meta.source.key_line("mode")
    if meta.mode not in registry.MODE_PATHS:
        problems.add(meta.source.rel, line,
                     f"unknown mode id {meta.mode!r} (registered: {', '.join(registry.mode_ids()) or 'none'})")
        return None
    try:
        return registry.get_mode_class(meta.mode).describe()
    except Exception as e:  # noqa: BLE001 - the mode's own failure, reported against the chapter
        problems.add(meta.source.rel, line, f"mode {meta.mode!r} is registered but cannot be loaded: "
                                            f"{type(e).__name__}: {e}")
        return None


def _nav(order: list[tuple[str, str]], current: str) -> str:
    ids = [i for i, _ in order]
    k = ids.index(current)
    links = []
    if k > 0:
        links.append(f'<a rel="prev" href="#/{order[k - 1][0]}">← {escape(order[k - 1][1])}</a>')
    if k + 1 < len(order):
        links.append(f'<a rel="next" href="#/{order[k + 1][0]}">{escape(order[k + 1][1])} →</a>')
    return f'<nav class="chapter-nav" aria-label="Previous and next">{"".join(links)}</nav>\n'


def _text_fonts(mode_id: str) -> str:
    """The fonts the mode's canvas draws text in, as JSON for the article's data-fonts.

    Only a hint for the browser: a mode whose frames fail here gets none, and
    its own tests report the failure.
    """
    from llmviz import registry

    try:
        fonts = registry.get_mode_class(mode_id).text_fonts()
    except Exception:  # noqa: BLE001 - see the docstring
        fonts = []
    return json.dumps(fonts, separators=(",", ":"))


def _chapter_article(c: RenderedChapter, nav: str) -> str:
    m = c.meta
    return (f'<article id="{m.id}" class="chapter" data-mode="{escape(m.mode)}" data-part="{m.part}" '
            f'data-chapter="{m.number}" data-fonts="{escape(_text_fonts(m.mode))}">\n<header>\n<p class="kicker">Part {m.part} · Chapter {m.number}</p>\n'
            f'<h1>{escape(m.title)}</h1>\n<p class="summary">{c.summary_html}</p>\n</header>\n'
            f'{c.body}{nav}</article>\n')


def _appendix_article(a: RenderedAppendix, nav: str) -> str:
    return (f'<article id="{a.id}" class="appendix">\n<header>\n<p class="kicker">Appendix {a.spec.letter}</p>\n'
            f'<h1>{escape(a.title)}</h1>\n</header>\n{a.body}{nav}</article>\n')
