"""One chapter source → its article body, its exercises and what it introduces.

A chapter's roles: ``{dfn}`` (a glossary term of this chapter), ``{cite}`` (a
paper from any chapter's front matter), ``{vis}`` (a trigger checked against
the chapter's mode), ``{ans}`` (a computed answer from ``llmviz.answers``).
Its one directive is ``{exercise}``, holding exactly one ``{solution}``.

Exercises are rendered twice: in place, and for appendix A, where terms carry
no anchors (the chapter owns those) and triggers become links that open the
chapter's simulation in that state.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

from markdown_it import MarkdownIt

from .errors import Problems
from .katex import MathBank
from .markdown import Context, directive_blocks, parse, plain, render_inline, render_tokens, slug
from .sources import ChapterMeta, Paper
from .vis import TargetError, Trigger, parse_trigger


@dataclass
class Exercise:
    """One exercise as appendix A shows it (no anchors, triggers as links)."""

    k: int
    anchor: str
    title_html: str
    question_html: str
    solution_html: str


@dataclass
class Library:
    """What every chapter may refer to: all papers, and who cites them."""

    papers: dict[str, Paper] = field(default_factory=dict)
    cited_by: dict[str, list[str]] = field(default_factory=dict)
    answers: dict[tuple[str, str], str] = field(default_factory=dict)  # computed once per build

    def cite(self, key: str, chapter_id: str) -> None:
        """Record that ``chapter_id`` cites ``key``."""
        who = self.cited_by.setdefault(key, [])
        if chapter_id not in who:
            who.append(chapter_id)


@dataclass
class RenderedChapter:
    """A chapter's body HTML (math still as placeholders) and what it contains."""

    meta: ChapterMeta
    body: str
    summary_html: str
    exercises: list[Exercise]
    triggers: list[Trigger]
    dfns: list[str]
    answers: list[str]


def cite_html(keys: str, library: Library, ctx: Context, line: int, citing: str | None) -> str:
    """``(Kwon et al., 2023; …)`` linking each key to its entry in appendix E."""
    links = []
    for key in [k.strip() for k in keys.split(",") if k.strip()]:
        paper = library.papers.get(key)
        if paper is None:
            ctx.problem(line, f"unknown paper {key!r} in {{cite}} (cite a key from some chapter's 'papers')")
            continue
        if citing:
            library.cite(key, citing)
        links.append(f'<a class="cite" href="#/appendix-e/paper-{key}" title="{escape(paper.title)}">'
                     f'{escape(paper.short_cite())}</a>')
    if not links and not keys.strip():
        ctx.problem(line, "empty {cite}")
    return "(" + "; ".join(links) + ")" if links else ""


def answer_html(chapter_id: str, name: str, library: Library, ctx: Context, line: int) -> str:
    """``<span class="answer">`` holding the printed form of ``llmviz.answers`` answer ``name``."""
    from llmviz.answers import answer  # imported late: py/ joins sys.path at build start

    text = library.answers.get((chapter_id, name))
    if text is None:
        try:
            text = library.answers[chapter_id, name] = answer(chapter_id, name).text
        except Exception as e:  # noqa: BLE001 - any failure is the author's to fix, reported with its line
            ctx.problem(line, f"{{ans}}`{name}`: {type(e).__name__}: {e}")
            return escape(name)
    return f'<span class="answer" data-answer="{escape(name)}">{escape(text)}</span>'


class ChapterContext(Context):
    """Rendering rules inside one chapter (``appendix=True``: its exercises as appendix A shows them)."""

    def __init__(self, meta: ChapterMeta, describe: dict | None, library: Library, problems: Problems,
                 math: MathBank, appendix: bool = False):
        super().__init__(meta.source.rel, problems, math,
                         {"dfn": self._dfn, "cite": self._cite, "vis": self._vis, "ans": self._ans})
        self.meta, self.describe, self.library, self.appendix = meta, describe, library, appendix
        self.triggers: list[Trigger] = []
        self.dfns: list[str] = []
        self.answers: list[str] = []
        self.exercises: list[Exercise] = []
        self._in_exercise = False

    def for_appendix(self) -> "ChapterContext":
        """The same chapter rendered for appendix A: no anchors, triggers as links."""
        return ChapterContext(self.meta, self.describe, self.library, self.problems, self.math, appendix=True)

    # -- roles ---------------------------------------------------------------

    def _dfn(self, content: str, line: int) -> str:
        shown, _, term = content.partition(" <")
        term = term[:-1].strip() if term.endswith(">") else shown.strip()
        key = _glossary_key(term, self.meta.glossary)
        if key is None:
            self.problem(line, f"{{dfn}}`{term}` is not in this chapter's glossary front matter "
                               f"(terms: {', '.join(self.meta.glossary) or 'none'})")
            return f"<dfn>{escape(shown.strip())}</dfn>"
        anchor = ""
        if not self.appendix and key not in self.dfns:
            self.dfns.append(key)
            anchor = f' id="term-{slug(key)}"'
        return f'<dfn{anchor} title="{escape(plain(self.meta.glossary[key]))}">{escape(shown.strip())}</dfn>'

    def _cite(self, content: str, line: int) -> str:
        return cite_html(content, self.library, self, line, None if self.appendix else self.meta.id)

    def _vis(self, content: str, line: int) -> str:
        if self.describe is None:  # the mode itself is broken; that problem is already reported
            return escape(content)
        try:
            trig = parse_trigger(content, self.describe)
        except TargetError as e:
            self.problem(line, str(e))
            return escape(content.partition("<")[0].strip())
        if self.appendix:
            return f'<a class="vis-link" href="#/{self.meta.id}?{escape(trig.query())}">{escape(trig.phrase)}</a>'
        self.triggers.append(trig)
        values = escape(json.dumps(trig.values, separators=(",", ":")))
        return (f'<vis-trigger tabindex="0" role="button" data-submode="{escape(trig.submode)}" '
                f'data-values="{values}">{escape(trig.phrase)}</vis-trigger>')

    def _ans(self, content: str, line: int) -> str:
        chapter, _, name = content.strip().rpartition(":")
        self.answers.append(content.strip())
        return answer_html(chapter or self.meta.id, name, self.library, self, line)

    # -- directives ------------------------------------------------------------

    def directive(self, md: MarkdownIt, name: str, title: str, body, line: int) -> str:
        if name == "solution":
            self.problem(line, "a {solution} must sit directly inside an {exercise}")
            return render_tokens(md, body, self)
        if name != "exercise":
            self.problem(line, f"unknown directive {{{name}}} (chapters know {{exercise}} and {{solution}})")
            return render_tokens(md, body, self)
        if self._in_exercise:
            self.problem(line, "an {exercise} cannot contain another {exercise}")
            return render_tokens(md, body, self)
        return self._exercise(md, title, body, line)

    def _exercise(self, md: MarkdownIt, title: str, body, line: int) -> str:
        k = len(self.exercises) + 1
        anchor = f"ex-{k}"
        sols = [b for b in directive_blocks(body) if b[0] == "solution"]
        if len(sols) != 1:
            shown = f" {title!r}" if title else ""
            self.problem(line, f"exercise{shown} has {len(sols)} {{solution}} blocks; it needs exactly one")
        taken = {i for *_, start, end in sols for i in range(start, end + 1)}
        question = [t for i, t in enumerate(body) if i not in taken]
        solution = sols[0][2] if sols else []
        self._in_exercise = True
        appendix = self.for_appendix()
        appendix._in_exercise = True
        title_html = render_inline(md, title, self, line) if title else ""
        q_html, s_html = render_tokens(md, question, self), render_tokens(md, solution, self)
        self.exercises.append(Exercise(
            k, anchor, render_inline(md, title, appendix, line) if title else "",
            render_tokens(md, question, appendix), render_tokens(md, solution, appendix)))
        self._in_exercise = False
        heading = f"Exercise {self.meta.n}.{k}" + (f" — {title_html}" if title_html else "")
        return (f'<section class="exercise" id="{anchor}">\n<h3>{heading}</h3>\n{q_html}'
                f'<details class="solution">\n<summary>Worked solution</summary>\n{s_html}</details>\n</section>\n')


def render_chapter(md: MarkdownIt, meta: ChapterMeta, describe: dict | None, library: Library,
                   problems: Problems, math: MathBank) -> RenderedChapter:
    """Render a chapter's body; problems go to ``problems``."""
    ctx = ChapterContext(meta, describe, library, problems, math)
    body = render_tokens(md, parse(md, meta.source.text, ctx), ctx)
    summary = render_inline(md, meta.summary, ctx, meta.source.key_line("summary"))
    for term in meta.glossary:
        if term not in ctx.dfns:
            ctx.problem(meta.source.key_line(term),
                        f"glossary term {term!r} is never introduced with {{dfn}} in the text")
    return RenderedChapter(meta, body, summary, ctx.exercises, ctx.triggers, ctx.dfns, ctx.answers)


def _glossary_key(term: str, glossary: dict[str, str]) -> str | None:
    if term in glossary:
        return term
    folded = {k.casefold(): k for k in glossary}
    return folded.get(term.casefold())
