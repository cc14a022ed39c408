"""The tiny model's corpus: the prose of the chapter sources, as a reader reads it.

Rules, applied to each ``chapters/*.md`` in file-name (book) order:

- The YAML front matter is dropped (glossary, notation and papers are
  metadata, not prose).
- Display math (``$$ … $$``) is dropped: formula blocks are not sentences,
  and their TeX would teach the model backslashes.
- Inline math is kept, turned into the plain text a reader would say:
  ``$d_{\\text{model}}$`` becomes ``d_model``, ``\\sqrt{d_k}`` becomes
  ``√d_k``, ``\\tau`` becomes ``τ``, ``\\cdot`` ``·``; braces go, any other
  command keeps its name without the backslash. A written dollar (``\\$``)
  is a dollar.
- ``{ans}`name``` becomes the number the book prints there (computed by
  ``llmviz.answers``, as the build does); ``{vis}`words <target>```,
  ``{dfn}`words <term>``` and Markdown links keep their words;
  ``{cite}`keys``` is dropped; ``*emphasis*`` loses its stars.
- Headings keep their text; an exercise keeps its title as a line of its
  own; the ``:::{solution}`` and closing ``:::`` lines are dropped.
- Each paragraph becomes one line (its source lines joined by spaces); list
  items start lines of their own. Chapters are separated by a blank line.

Held-out split: the last 10 % of each chapter's paragraphs (at least one),
counted in characters and cut at a paragraph boundary, so the held-out text
is whole paragraphs the model never saw, from every chapter.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

HELD_OUT_SHARE = 0.10

_TEX = {
    r"\cdot": "·", r"\times": "×", r"\sqrt": "√", r"\tau": "τ", r"\pi": "π", r"\beta": "β",
    r"\alpha": "α", r"\infty": "∞", r"\top": "ᵀ", r"\le": "≤", r"\leq": "≤", r"\ge": "≥",
    r"\geq": "≥", r"\approx": "≈", r"\dots": "…", r"\ldots": "…", r"\sum": "Σ", r"\qquad": " ",
    r"\quad": " ", r"\,": " ", r"\;": " ", r"\!": "", r"\log": "log", r"\max": "max",
    r"\det": "det", r"\to": "→", r"\rightarrow": "→", r"\neq": "≠", r"\pm": "±",
}
_ROLE = re.compile(r"\{(ans|vis|dfn|cite)\}`([^`]*)`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_INLINE_MATH = re.compile(r"(?<!\\)\$(?!\$)(.+?)(?<!\\)\$")
_EMPH = re.compile(r"\*{1,2}([^*\s][^*]*?)\*{1,2}")


def tex_to_text(tex: str) -> str:
    """Inline TeX as plain text: known commands to symbols, ``\\text{x}`` to x, braces dropped."""
    s = re.sub(r"\\(?:text|operatorname|mathrm|mathbf|mathit)\{([^{}]*)\}", r"\1", tex)
    s = re.sub(r"\\(left|right)\b", "", s)
    for cmd in sorted(_TEX, key=len, reverse=True):
        s = re.sub(re.escape(cmd) + (r"(?![A-Za-z])" if cmd[-1].isalpha() else ""), _TEX[cmd], s)
    s = re.sub(r"\\([A-Za-z]+)", r"\1", s)
    s = s.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", s).strip()


def _answer_text(chapter_id: str, name: str) -> str:
    from llmviz.answers import answer

    ref = name if ":" in name else f"{chapter_id}:{name}"
    cid, key = ref.split(":", 1)
    return answer(cid, key).text


def _role(chapter_id: str, m: re.Match) -> str:
    kind, body = m.group(1), m.group(2)
    if kind == "ans":
        return _answer_text(chapter_id, body)
    if kind == "cite":
        return ""
    return re.sub(r"\s*<[^<>]*>\s*$", "", body)


def _inline(chapter_id: str, line: str) -> str:
    line = _ROLE.sub(lambda m: _role(chapter_id, m), line)
    line = _LINK.sub(r"\1", line)
    line = _INLINE_MATH.sub(lambda m: tex_to_text(m.group(1)), line)
    line = _EMPH.sub(r"\1", line)
    line = line.replace("\\$", "$")
    line = re.sub(r"[ \t]+", " ", line)
    return re.sub(r" +([.,;:!?)])", r"\1", line).strip()


def chapter_paragraphs(source: str, chapter_id: str) -> list[str]:
    """The chapter's prose as paragraphs (one line each), by the rules above."""
    if source.startswith("---"):
        end = source.index("\n---", 3)
        source = source[source.index("\n", end + 1) + 1:]
    # display math first: it may span lines and contain blank-free runs of TeX
    source = re.sub(r"\$\$.*?\$\$", "\n", source, flags=re.S)
    paras: list[str] = []
    cur: list[str] = []
    last_item = 0

    def flush() -> None:
        nonlocal last_item
        if cur:
            text = _inline(chapter_id, " ".join(cur))
            if text:
                paras.append(text)
        cur.clear()

    for raw in source.splitlines():
        line = raw.strip()
        if not line:
            flush()
            last_item = 0
            continue
        if re.match(r"^:{3,}\s*\{solution\}", line) or re.fullmatch(r":{3,}", line):
            flush()
            continue
        m = re.match(r"^:{3,}\s*\{exercise\}\s*(.*)$", line)
        if m:
            flush()
            paras.append(_inline(chapter_id, m.group(1)))
            continue
        if line.startswith("#"):
            flush()
            paras.append(_inline(chapter_id, line.lstrip("#").strip()))
            continue
        num = re.match(r"^(\d+)\. ", line)
        if line.startswith("- ") or (num and int(num.group(1)) == last_item + 1):
            flush()
            if num:
                last_item = int(num.group(1))
        cur.append(line)
    flush()
    return paras


def split_held_out(paras: list[str], share: float = HELD_OUT_SHARE) -> tuple[list[str], list[str]]:
    """(train, held-out): the held-out part is the last paragraphs holding ``share`` of the characters."""
    total = sum(len(p) + 1 for p in paras)
    k, held = len(paras), 0
    while k > 1 and (held < share * total or k == len(paras)):
        k -= 1
        held += len(paras[k]) + 1
    return paras[:k], paras[k:]


def extract(root: Path) -> tuple[str, str, list[dict]]:
    """(train text, held-out text, per-chapter sizes) from ``root/chapters``."""
    py = str(root / "py")
    if py not in sys.path:
        sys.path.insert(0, py)
    train_parts, held_parts, stats = [], [], []
    for path in sorted((root / "chapters").glob("*.md")):
        cid = path.stem
        paras = chapter_paragraphs(path.read_text(encoding="utf-8"), cid)
        tr, ho = split_held_out(paras)
        train_parts.append("\n".join(tr))
        held_parts.append("\n".join(ho))
        stats.append({"chapter": cid, "paragraphs": len(paras), "train_chars": len(train_parts[-1]),
                      "held_out_chars": len(held_parts[-1])})
    return "\n\n".join(train_parts) + "\n", "\n\n".join(held_parts) + "\n", stats
