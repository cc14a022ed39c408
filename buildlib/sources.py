"""Reading sources: a file's YAML front matter, the parts list, and chapter metadata.

Checks here are about the front matter alone (required keys, id matching the
file name, a known part, well-formed glossary/notation/papers); checks that
need the mode or other chapters happen while rendering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Problems

CHAPTER_ID = re.compile(r"^p(\d\d)-c(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*$")
PAPER_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
PAPER_FIELDS = ("title", "authors", "year", "url", "summary")


@dataclass
class Source:
    """One Markdown source: its text and parsed front matter."""

    path: Path
    rel: str
    text: str
    meta: dict

    def line_of(self, pattern: str, default: int = 1) -> int:
        """1-based line of the first match of regex ``pattern`` (multiline), else ``default``."""
        m = re.search(pattern, self.text, re.M)
        return self.text.count("\n", 0, m.start()) + 1 if m else default

    def key_line(self, key: str) -> int:
        """Line of a front-matter key ``key:`` (at any indentation)."""
        return self.line_of(r"^\s*['\"]?" + re.escape(key) + r"['\"]?\s*:")


@dataclass(frozen=True)
class Part:
    id: str
    number: int
    title: str


@dataclass
class Paper:
    key: str
    title: str
    authors: str
    year: int
    url: str
    summary: str
    venue: str = ""
    chapter: str = ""  # the chapter whose front matter lists it first

    def sort_key(self) -> tuple:
        """Library order: first author's surname, year, title."""
        return (self.short_cite().split(",")[0].casefold(), self.year, self.title.casefold())

    def short_cite(self) -> str:
        """``Kwon et al., 2023`` from the authors field (``Kwon, Li, …`` or ``Kwon and Li``)."""
        names = [a.strip() for a in re.split(r",|\band\b", self.authors) if a.strip()]
        first = names[0].split()[-1] if names else self.title
        if len(names) == 2:
            who = f"{first} and {names[1].split()[-1]}"
        elif len(names) > 2:
            who = f"{first} et al."
        else:
            who = first
        return f"{who}, {self.year}"


@dataclass
class ChapterMeta:
    """A chapter's front matter, checked."""

    source: Source
    id: str
    part: int
    number: int
    title: str
    mode: str
    summary: str
    glossary: dict[str, str] = field(default_factory=dict)
    notation: list[dict] = field(default_factory=list)
    papers: dict[str, Paper] = field(default_factory=dict)

    @property
    def n(self) -> str:
        """``"5.2"``: part and chapter number as the reader sees them."""
        return f"{self.part}.{self.number}"


def read_source(path: Path, rel: str, problems: Problems) -> Source | None:
    """Read ``path`` and its front matter; ``None`` (with a problem) if the front matter is broken."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        problems.add(rel, 1, "missing YAML front matter (the file must start with a '---' line)")
        return None
    end = text.find("\n---\n", 3)
    if end < 0 and text.endswith("\n---"):
        end = len(text) - 4
    if end < 0:
        problems.add(rel, 1, "front matter is not closed by a '---' line")
        return None
    try:
        meta = yaml.safe_load(text[4:end + 1]) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problems.add(rel, line, f"front matter is not valid YAML: {getattr(e, 'problem', e)}")
        return None
    if not isinstance(meta, dict):
        problems.add(rel, 1, "front matter must be a mapping of keys to values")
        return None
    return Source(path, rel, text, meta)


def read_parts(path: Path, problems: Problems, rel: str) -> dict[int, Part]:
    """The parts list: part number → :class:`Part`."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as e:
        problems.add(rel, None, f"cannot read the parts list: {e}")
        return {}
    parts = {}
    for i, p in enumerate(raw):
        try:
            part = Part(str(p["id"]), int(p["number"]), str(p["title"]))
        except (KeyError, TypeError, ValueError):
            problems.add(rel, None, f"entry {i + 1} needs id, number and title")
            continue
        parts[part.number] = part
    return parts


def chapter_meta(src: Source, parts: dict[int, Part], problems: Problems) -> ChapterMeta | None:
    """Check a chapter's front matter; ``None`` if it is too broken to render."""
    meta, rel = src.meta, src.rel
    ok = True
    for key in ("id", "title", "mode", "summary"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            problems.add(rel, src.key_line(key) if key in meta else 1,
                         f"front matter needs a non-empty '{key}'")
            ok = False
    if not ok:
        return None
    cid = meta["id"].strip()
    m = CHAPTER_ID.match(cid)
    if not m:
        problems.add(rel, src.key_line("id"), f"chapter id {cid!r} is not of the form pNN-cNN-slug")
        return None
    if src.path.stem != cid:
        problems.add(rel, src.key_line("id"), f"chapter id {cid!r} does not match the file name {src.path.name!r}")
    part, number = int(m.group(1)), int(m.group(2))
    if part not in parts:
        problems.add(rel, src.key_line("id"),
                     f"part {part} of {cid!r} is not in chapters/parts.yaml "
                     f"(parts: {', '.join(str(p) for p in sorted(parts))})")
        return None
    ch = ChapterMeta(src, cid, part, number, meta["title"].strip(), meta["mode"].strip(), meta["summary"].strip())

    glossary = meta.get("glossary") or {}
    if not isinstance(glossary, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                 for k, v in glossary.items()):
        problems.add(rel, src.key_line("glossary"), "glossary must map each term to its definition (text)")
    else:
        ch.glossary = {k.strip(): v.strip() for k, v in glossary.items()}

    notation = meta.get("notation") or []
    if not isinstance(notation, list) or not all(
            isinstance(n, dict) and isinstance(n.get("symbol"), str) and isinstance(n.get("meaning"), str)
            for n in notation):
        problems.add(rel, src.key_line("notation"), "notation must be a list of {symbol, meaning} entries")
    else:
        ch.notation = notation

    papers = meta.get("papers") or {}
    if not isinstance(papers, dict):
        problems.add(rel, src.key_line("papers"), "papers must map each citation key to its details")
        papers = {}
    for key, p in papers.items():
        line = src.key_line(str(key))
        if not PAPER_KEY.match(str(key)):
            problems.add(rel, line, f"paper key {key!r} may use only letters, digits, '-' and '_'")
            continue
        missing = [f for f in PAPER_FIELDS if not isinstance(p, dict) or not str(p.get(f, "")).strip()]
        if missing:
            problems.add(rel, line, f"paper {key!r} needs {', '.join(missing)}")
            continue
        if not str(p["url"]).startswith(("https://", "http://")):
            problems.add(rel, line, f"paper {key!r}: url must be an http(s) link")
            continue
        try:
            year = int(p["year"])
        except (TypeError, ValueError):
            problems.add(rel, line, f"paper {key!r}: year must be a number")
            continue
        ch.papers[str(key)] = Paper(str(key), str(p["title"]).strip(), str(p["authors"]).strip(), year,
                                    str(p["url"]).strip(), str(p["summary"]).strip(),
                                    str(p.get("venue") or "").strip(), cid)
    return ch
