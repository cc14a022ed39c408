"""The appendices, A–F.

A–E are generated from the chapters and the catalog, each after a short
introduction read from ``appendices/<letter>-<name>.md``; F (the cheatsheet)
is a hand-written source rendered like a chapter without a simulation.
Everything links back: solutions to their exercises, terms to their ``dfn``,
papers to the chapters citing them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from markdown_it import MarkdownIt

from . import catalog_tables
from .chapters import ChapterContext, Library, RenderedChapter, answer_html, cite_html
from .errors import Problems
from .katex import MathBank
from .markdown import Context, parse, render_inline, render_tokens, slug
from .sources import read_source


@dataclass(frozen=True)
class AppendixSpec:
    letter: str
    title: str
    file: str
    generated: bool

    @property
    def id(self) -> str:
        return f"appendix-{self.letter.lower()}"


APPENDICES = (
    AppendixSpec("A", "Worked solutions", "a-solutions.md", True),
    AppendixSpec("B", "Glossary", "b-glossary.md", True),
    AppendixSpec("C", "Notation", "c-notation.md", True),
    AppendixSpec("D", "Model cards", "d-model-cards.md", True),
    AppendixSpec("E", "Paper library", "e-papers.md", True),
    AppendixSpec("F", "Cheatsheet", "f-cheatsheet.md", False),
)


@dataclass
class RenderedAppendix:
    spec: AppendixSpec
    title: str
    body: str  # math still as placeholders

    @property
    def id(self) -> str:
        return self.spec.id


class AppendixContext(Context):
    """Roles in an appendix's own text: citations and computed answers.

    ``{ans}`name``` reads ``llmviz.answers.<appendix>`` (``appendix_f`` for
    appendix F); ``{ans}`chapter-id:name``` reads a chapter's answers.
    """

    def __init__(self, rel: str, appendix_id: str, library: Library, problems: Problems, math: MathBank):
        super().__init__(rel, problems, math, {"cite": self._cite, "ans": self._ans})
        self.appendix_id, self.library = appendix_id, library

    def _cite(self, content: str, line: int) -> str:
        return cite_html(content, self.library, self, line, None)

    def _ans(self, content: str, line: int) -> str:
        owner, _, name = content.strip().rpartition(":")
        return answer_html(owner or self.appendix_id, name, self.library, self, line)


def render_appendices(md: MarkdownIt, directory: Path, rel_of, chapters: list[RenderedChapter],
                      library: Library, problems: Problems, math: MathBank) -> list[RenderedAppendix]:
    """Every appendix, in order; ``rel_of(path)`` gives a path as messages show it."""
    out = []
    for spec in APPENDICES:
        path = directory / spec.file
        if not path.exists():
            if not spec.generated:
                problems.add(rel_of(path), None, f"appendix {spec.letter} ({spec.title}) has no source")
                continue
            src = None
        else:
            src = read_source(path, rel_of(path), problems)
            if src is None:
                continue
        title = str(src.meta.get("title") or spec.title).strip() if src else spec.title
        intro = ""
        if src:
            ctx = AppendixContext(src.rel, spec.id, library, problems, math)
            intro = render_tokens(md, parse(md, src.text, ctx), ctx)
        body = intro + _GENERATORS.get(spec.letter, lambda *a: "")(md, chapters, library, problems, math)
        out.append(RenderedAppendix(spec, title, body))
    return out


def _chapter_link(ch: RenderedChapter, anchor: str = "") -> str:
    href = f"#/{ch.meta.id}" + (f"/{anchor}" if anchor else "")
    return f'<a href="{href}">{ch.meta.n} {escape(ch.meta.title)}</a>'


def _front_ctx(ch: RenderedChapter, library: Library, problems: Problems, math: MathBank) -> ChapterContext:
    # Front-matter values render in their chapter's context so citations and math work there too.
    return ChapterContext(ch.meta, None, library, problems, math, appendix=True)


def _solutions(md, chapters, library, problems, math) -> str:
    parts = []
    for ch in chapters:
        if not ch.exercises:
            continue
        items = []
        for ex in ch.exercises:
            label = f"Exercise {ch.meta.n}.{ex.k}"
            title = f" — {ex.title_html}" if ex.title_html else ""
            items.append(
                f'<section class="worked" id="sol-{ch.meta.id}-{ex.k}">\n'
                f'<h3><a href="#/{ch.meta.id}/{ex.anchor}">{label}</a>{title}</h3>\n'
                f'<div class="question">\n{ex.question_html}</div>\n'
                f'<div class="worked-solution">\n{ex.solution_html}</div>\n</section>\n')
        parts.append(f'<section class="solutions-chapter" id="sol-{ch.meta.id}">\n'
                     f'<h2>{_chapter_link(ch)}</h2>\n{"".join(items)}</section>\n')
    return "".join(parts)


def _glossary(md, chapters, library, problems, math) -> str:
    entries = []
    for ch in chapters:
        ctx = _front_ctx(ch, library, problems, math)
        for term, definition in ch.meta.glossary.items():
            line = ch.meta.source.key_line(term)
            entries.append((term.casefold(), term, render_inline(md, definition, ctx, line), ch))
    if not entries:
        return ""
    items = "".join(
        f'<dt id="term-{slug(term)}"><dfn>{escape(term)}</dfn></dt>\n'
        f'<dd>{definition} <span class="from">({_chapter_link(ch, "term-" + slug(term))})</span></dd>\n'
        for _, term, definition, ch in sorted(entries, key=lambda e: (e[0], e[1])))
    return f'<dl class="glossary">\n{items}</dl>\n'


def _notation(md, chapters, library, problems, math) -> str:
    parts = []
    for ch in chapters:
        if not ch.meta.notation:
            continue
        ctx = _front_ctx(ch, library, problems, math)
        rows = []
        for entry in ch.meta.notation:
            line = ch.meta.source.line_of(r"^\s*-?\s*symbol\s*:.*" + _re_escape_fragment(entry["symbol"]))
            rows.append(f'<tr><td class="symbol">{render_inline(md, entry["symbol"], ctx, line)}</td>'
                        f'<td>{render_inline(md, entry["meaning"], ctx, line)}</td></tr>\n')
        parts.append(f'<section class="notation-chapter" id="notation-{ch.meta.id}">\n<h2>{_chapter_link(ch)}</h2>\n'
                     f'<table class="notation">\n<thead><tr><th scope="col">Symbol</th><th scope="col">Meaning</th>'
                     f'</tr></thead>\n<tbody>\n{"".join(rows)}</tbody>\n</table>\n</section>\n')
    return "".join(parts)


def _model_cards(md, chapters, library, problems, math) -> str:
    try:
        from llmviz import catalog
    except Exception as e:  # noqa: BLE001 - any import failure leaves appendix D without data
        problems.add("py/llmviz/catalog", None, f"appendix D cannot read the catalog: {type(e).__name__}: {e}")
        return ""
    out = []
    models = catalog_tables.entries(getattr(catalog, "MODELS", {}))
    if models:
        out.append('<h2 id="at-a-glance">At a glance</h2>\n')
        out.append(catalog_tables.model_summary(models))
        out.append('<h2 id="models">Models</h2>\n')
        out += [catalog_tables.card(m, "model-" + slug(catalog_tables.entry_name(m))) for m in models]
    for attr, title, anchor in (("GPUS", "Accelerators", "hardware"),
                                ("INTERCONNECTS", "Interconnects", "interconnects"),
                                ("FORMATS", "Number formats", "formats")):
        items = catalog_tables.entries(getattr(catalog, attr, {}))
        if items:
            out.append(f'<h2 id="{anchor}">{title}</h2>\n')
            out.append(catalog_tables.comparison(items, title, anchor + "-table"))
    if not models:
        problems.add("py/llmviz/catalog", None, "appendix D: the catalog has no MODELS entries")
    return "".join(out)


def _papers(md, chapters, library, problems, math) -> str:
    by_id = {ch.meta.id: ch for ch in chapters}
    items = []
    for key in sorted(library.papers, key=lambda k: library.papers[k].sort_key()):
        p = library.papers[key]
        owner = by_id[p.chapter]  # every paper comes from some chapter's front matter
        ctx = _front_ctx(owner, library, problems, math)
        line = owner.meta.source.key_line(key)
        cited = [by_id[c] for c in library.cited_by.get(key, []) if c in by_id]
        if owner not in cited:
            cited.insert(0, owner)
        where = ", ".join(_chapter_link(c) for c in cited)
        venue = f"{escape(p.venue)}, " if p.venue else ""
        items.append(
            f'<section class="paper" id="paper-{key}">\n'
            f'<h3><a href="{escape(p.url)}" rel="noopener">{escape(p.title)}</a></h3>\n'
            f'<p class="paper-meta">{escape(p.authors)}. {venue}{p.year}.</p>\n'
            f'<p class="paper-summary">{render_inline(md, p.summary, ctx, line)}</p>\n'
            f'<p class="cited-in">Cited in: {where}</p>\n</section>\n')
    return "".join(items)


def _re_escape_fragment(symbol: str) -> str:
    return re.escape(symbol.strip("'\""))


_GENERATORS = {"A": _solutions, "B": _glossary, "C": _notation, "D": _model_cards, "E": _papers}
