"""Reading built HTML back: a small element tree, and the prose word count.

The build counts a chapter's words on its finished fragment, and the tests
inspect fragments (articles, exercises, triggers, links) through the same tree,
so "what the reader gets" is measured one way everywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable, Iterator

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")


@dataclass
class Node:
    """An element (``tag`` "" for the document root) with attributes, children and text pieces."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)
    line: int = 0

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator["Node"]:
        """This element and every element below it, in document order."""
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list["Node"]:
        """Descendants (and self) matching ``tag`` and/or having class ``cls``."""
        return [n for n in self.iter()
                if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)]

    def text(self, skip: Callable[["Node"], bool] | None = None) -> str:
        """Concatenated text, leaving out subtrees for which ``skip(node)`` is true."""
        out: list[str] = []
        self._text(out, skip)
        return "".join(out)

    def _text(self, out: list[str], skip) -> None:
        for c in self.children:
            if isinstance(c, str):
                out.append(c)
            elif not (skip and skip(c)):
                c._text(out, skip)
                if c.tag in ("p", "li", "div", "section", "td", "th", "h1", "h2", "h3", "dt", "dd", "br"):
                    out.append(" ")


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v or "") for k, v in attrs}, line=self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: (v or "") for k, v in attrs}, line=self.getpos()[0]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    """The element tree of ``html`` (a fragment or a document)."""
    b = _Builder()
    b.feed(html)
    b.close()
    return b.root


def _not_prose(node: Node) -> bool:
    return (node.tag in ("code", "pre", "header", "nav", "script", "style", "math")
            or bool(node.classes & {"katex", "katex-display", "math-display"}))


def prose_words(html: "str | Node") -> int:
    """Words a reader reads in a fragment (HTML or its tree), not counting math, code, header or navigation."""
    doc = parse_html(html) if isinstance(html, str) else html
    return len(_WORD.findall(doc.text(skip=_not_prose)))
