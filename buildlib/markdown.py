"""The book's Markdown dialect, on markdown-it-py.

CommonMark plus: YAML front matter; ``$inline$`` and ``$$display$$`` math;
roles written ``{name}`content``` (``dfn``, ``cite``, ``vis``, ``ans``); and
directives fenced by colons, which may nest when the outer fence is longer::

    ::::{exercise} Title
    Question…
    :::{solution}
    Answer…
    :::
    ::::

What a role or directive becomes depends on where it appears (a chapter, an
appendix), so rendering goes through a :class:`Context` that the caller
subclasses. Every role, math span and directive carries the 1-based source line
it came from, so problems can be reported as ``file:line``.
"""
from __future__ import annotations

import re
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

from .errors import Problems
from .katex import MathBank

_DIRECTIVE = re.compile(r"^\{([A-Za-z][\w-]*)\}\s*(.*)$")
_INLINE_SPANS = ("math_inline", "math_inline_double", "myst_role")


class Context:
    """What rendering needs to know about the source being rendered.

    ``roles`` maps a role name to ``fn(content, line) -> html``; subclasses
    override :meth:`directive`. Problems go to ``problems`` with this source's
    ``rel`` path; math goes to the shared ``math`` bank as placeholders.
    """

    def __init__(self, rel: str, problems: Problems, math: MathBank,
                 roles: dict[str, Callable[[str, int], str]] | None = None):
        self.rel = rel
        self.problems = problems
        self.math = math
        self.roles = roles or {}

    def problem(self, line: int | None, message: str) -> None:
        """Record a problem at ``line`` of this source."""
        self.problems.add(self.rel, line, message)

    def role(self, name: str, content: str, line: int) -> str:
        """HTML for ``{name}`content```; unknown roles are problems."""
        fn = self.roles.get(name)
        if fn is None:
            known = ", ".join(sorted(self.roles)) or "none here"
            self.problem(line, f"unknown role {{{name}}} (known: {known})")
            return escapeHtml(content)
        return fn(content, line)

    def directive(self, md: MarkdownIt, name: str, title: str, body: list[Token], line: int) -> str:
        """HTML for a ``:::{name} title`` block; the base class knows none."""
        self.problem(line, f"unknown directive {{{name}}} here")
        return render_tokens(md, body, self)


def make_markdown() -> MarkdownIt:
    """A parser/renderer for chapter and appendix sources."""
    md = MarkdownIt("commonmark")
    md.enable("table")
    front_matter_plugin(md)
    # No math across spaces or digits at the edges, so "$2 and $3" stays prose.
    dollarmath_plugin(md, allow_space=False, allow_digits=False, double_inline=True)
    myst_role_plugin(md)
    container_plugin(md, "directive", validate=lambda params, *_: bool(_DIRECTIVE.match(params.strip())))
    # Before text_join, while an escaped "\$" is still its own token and not text.
    md.core.ruler.before("text_join", "llmviz_lines", _annotate)
    md.add_render_rule("front_matter", lambda *a: "")
    md.add_render_rule("myst_role", _render_role)
    md.add_render_rule("math_inline", _render_math(False))
    md.add_render_rule("math_inline_double", _render_math(True))
    md.add_render_rule("math_block", _render_math(True))
    md.add_render_rule("math_block_label", _render_math(True))
    return md


def parse(md: MarkdownIt, text: str, ctx: Context) -> list[Token]:
    """Block tokens of a whole source (front matter included, so lines match the file)."""
    return md.parse(text, {"ctx": ctx})


def render_tokens(md: MarkdownIt, tokens: list[Token], ctx: Context) -> str:
    """HTML for a run of block tokens; directives are handed to ``ctx.directive``."""
    out: list[str] = []
    run: list[Token] = []
    env = {"ctx": ctx}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type != "container_directive_open":
            run.append(tok)
            i += 1
            continue
        if run:
            out.append(md.renderer.render(run, md.options, env))
            run = []
        j = _matching_close(tokens, i)
        m = _DIRECTIVE.match(tok.info.strip())
        assert m, tok.info  # the container rule only opens on this pattern
        out.append(ctx.directive(md, m.group(1), m.group(2).strip(), tokens[i + 1:j], tok.map[0] + 1))
        i = j + 1
    if run:
        out.append(md.renderer.render(run, md.options, env))
    return "".join(out)


def directive_blocks(tokens: list[Token]) -> list[tuple[str, str, list[Token], int, int, int]]:
    """Top-level directives in ``tokens``: ``(name, title, body, line, start, end)`` with token indices."""
    found = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "container_directive_open":
            j = _matching_close(tokens, i)
            m = _DIRECTIVE.match(tok.info.strip())
            found.append((m.group(1), m.group(2).strip(), tokens[i + 1:j], tok.map[0] + 1, i, j))
            i = j + 1
        else:
            i += 1
    return found


def render_inline(md: MarkdownIt, text: str, ctx: Context, line: int) -> str:
    """HTML for one line of inline Markdown (front-matter values, titles) found at ``line``."""
    env = {"ctx": ctx, "line0": line - 1}
    return md.renderer.render(md.parseInline(text, env), md.options, env)


def plain(text: str) -> str:
    """Inline Markdown as plain text for attributes and ``book.json``: roles give their text, ``$`` goes."""
    text = re.sub(r"\{[\w-]+\}`([^`<]*?)\s*(?:<[^`>]*>)?`", r"\1", text)
    return re.sub(r"\s+", " ", text.replace("$", "")).strip()


def slug(text: str) -> str:
    """A URL fragment for ``text``: lower case, ASCII letters/digits joined by ``-``."""
    text = re.sub(r"\{[\w-]+\}`([^`]*)`", r"\1", text)
    text = re.sub(r"\$[^$]*\$", "", text)
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "x"


def _matching_close(tokens: list[Token], i: int) -> int:
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].type == "container_directive_open":
            depth += 1
        elif tokens[j].type == "container_directive_close":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)  # unreachable: the parser always emits the close


def _annotate(state) -> None:
    """Give inline spans their source line and h2/h3 headings an ``id``; report stray ``$``."""
    used: set[str] = state.env.setdefault("heading_ids", set())
    toks = state.tokens
    for k, tok in enumerate(toks):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3") and k + 1 < len(toks):
            base = "sec-" + slug(toks[k + 1].content)
            hid, n = base, 2
            while hid in used:
                hid, n = f"{base}-{n}", n + 1
            used.add(hid)
            tok.attrSet("id", hid)
        if tok.type != "inline" or not tok.children:
            continue
        base_line = state.env.get("line0", 0) if state.inlineMode or not tok.map else tok.map[0]
        src, pos = tok.content, 0
        stray: dict[int, int] = {}  # line offset → position of the first stray "$" on it
        for child in tok.children:
            if child.type == "text" and "$" in child.content:
                at = max(src.find(child.content, pos), pos) + child.content.index("$")
                stray.setdefault(src.count("\n", 0, at), at)
            if child.type not in _INLINE_SPANS:
                continue
            if child.type == "myst_role":
                needle = "{" + child.meta.get("name", "") + "}"
            else:
                needle = child.content.split("\n", 1)[0]
            at = src.find(needle, pos)
            if at < 0:
                at = pos
            else:
                pos = at + len(needle)
            child.meta = {**(child.meta or {}), "line": base_line + src.count("\n", 0, at) + 1}
        for offset, at in stray.items():
            _stray_dollar(state.env.get("ctx"), src.split("\n")[offset], base_line + offset + 1)


def _stray_dollar(ctx: Context | None, text: str, line: int) -> None:
    # A "$" left in the text is math that did not parse (it started or ended with a
    # space, or was never closed), or an unescaped dollar sign; both read wrong.
    if ctx is None:
        return
    snippet = text.strip() if len(text.strip()) <= 70 else text.strip()[:67] + "…"
    ctx.problem(line, f"'$' that neither opens nor closes math in {snippet!r}: math may not start or end with a "
                      f"space (write $d_k =$, not $d_k = $), and a dollar sign is written \\$")


def _line(tok: Token) -> int:
    if tok.map:
        return tok.map[0] + 1
    return (tok.meta or {}).get("line", 0)


def _render_role(renderer, tokens, idx, options, env) -> str:
    tok = tokens[idx]
    return env["ctx"].role(tok.meta.get("name", ""), tok.content, _line(tok))


def _render_math(display: bool):
    def rule(renderer, tokens, idx, options, env) -> str:
        tok = tokens[idx]
        ctx: Context = env["ctx"]
        ph = ctx.math.placeholder(tok.content.strip(), display, ctx.rel, _line(tok))
        if tok.type in ("math_block", "math_block_label"):
            label = f' id="eq-{slug(tok.info)}"' if tok.type == "math_block_label" else ""
            return f'<div class="math-display"{label}>{ph}</div>\n'
        return ph
    return rule
