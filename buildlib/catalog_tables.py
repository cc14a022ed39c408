"""Catalog entries as HTML tables, read generically from their dataclass fields.

Appendix D shows every field the catalog records, so a field added to a
model or GPU appears in the book without touching the build. Values are shown
exactly (integers with thousands separators, large or small floats in
scientific notation), and URLs inside source strings become links.
"""
from __future__ import annotations

import dataclasses
import math
import re
from html import escape

from .markdown import slug

_URL = re.compile(r"https?://[^\s;,)]+[^\s;,).]")


def entries(collection) -> list:
    """A catalog collection (mapping or sequence of dataclass instances) as a list, in its order."""
    items = list(collection.values()) if isinstance(collection, dict) else list(collection)
    return [x for x in items if dataclasses.is_dataclass(x)]


def entry_name(entry) -> str:
    """How an entry names itself (its ``name`` field, else the first string field)."""
    for attr in ("display_name", "label", "name", "id"):
        v = getattr(entry, attr, None)
        if isinstance(v, str) and v:
            return v
    return str(entry)


def fmt_value(v) -> str:
    """HTML for one field value."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}".replace(",", "\u202f") if abs(v) >= 10_000 else str(v)
    if isinstance(v, float):
        return _fmt_float(v)
    if isinstance(v, str):
        return linkify(v)
    if dataclasses.is_dataclass(v):
        return "; ".join(f"{escape(field_label(f.name))}: {fmt_value(getattr(v, f.name))}"
                         for f in dataclasses.fields(v))
    if isinstance(v, dict):
        return "; ".join(f"{escape(str(k))}: {fmt_value(x)}" for k, x in v.items())
    if isinstance(v, (set, frozenset)):
        return ", ".join(sorted(fmt_value(x) for x in v))
    if isinstance(v, (list, tuple)):
        return fmt_sequence(list(v))
    return escape(str(v))


def fmt_sequence(items: list) -> str:
    """A per-layer list, compressed without loss: ``attn ×40``, ``(mamba ×3, attn) ×8``."""
    if not items:
        return "—"
    n = len(items)
    for period in range(1, n // 2 + 1):
        if n % period == 0 and items == items[:period] * (n // period):
            inner = _runs(items[:period])
            return f"({inner}) ×{n // period}" if period > 1 else f"{inner} ×{n}"
    return _runs(items)


def _runs(items: list) -> str:
    out, i = [], 0
    while i < len(items):
        j = i
        while j + 1 < len(items) and items[j + 1] == items[i]:
            j += 1
        out.append(fmt_value(items[i]) + (f" ×{j - i + 1}" if j > i else ""))
        i = j + 1
    return ", ".join(out)


def linkify(text: str) -> str:
    """Escape ``text`` and turn each http(s) URL in it into a link."""
    out, pos = [], 0
    for m in _URL.finditer(text):
        out.append(escape(text[pos:m.start()]))
        url = m.group(0)
        out.append(f'<a href="{escape(url)}" rel="noopener">{escape(url)}</a>')
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def field_label(name: str) -> str:
    """``n_kv_heads`` → ``n kv heads``: field names read as written in the catalog."""
    return name.replace("_", " ")


def card(entry, anchor: str) -> str:
    """One entry as a two-column table (field, value) with the entry's name as caption."""
    rows = "".join(f'<tr><th scope="row">{escape(field_label(f.name))}</th><td>{fmt_value(getattr(entry, f.name))}</td></tr>\n'
                   for f in dataclasses.fields(entry))
    return (f'<table class="catalog-card" id="{anchor}">\n<caption>{escape(entry_name(entry))}</caption>\n'
            f'<tbody>\n{rows}</tbody>\n</table>\n')


def comparison(items: list, caption: str, anchor: str) -> str:
    """Several entries side by side: one column per entry, one row per field."""
    if not items:
        return ""
    names = [f.name for f in dataclasses.fields(items[0])]
    head = "".join(f'<th scope="col">{escape(entry_name(x))}</th>' for x in items)
    rows = []
    for name in names:
        cells = "".join(f"<td>{fmt_value(getattr(x, name, None))}</td>" for x in items)
        rows.append(f'<tr><th scope="row">{escape(field_label(name))}</th>{cells}</tr>\n')
    return (f'<div class="table-scroll"><table class="catalog-table" id="{anchor}">\n<caption>{escape(caption)}</caption>\n'
            f'<thead><tr><th scope="col">field</th>{head}</tr></thead>\n<tbody>\n{"".join(rows)}</tbody>\n</table></div>\n')


def model_summary(models: list) -> str:
    """One row per model with the figures the chapters use, computed by ``llmviz.calc``.

    Parameters (total and active per token), BF16 weight bytes and KV-cache
    bytes per token, so a reader can compare models without reading every card.
    """
    from llmviz.calc import active_param_count, kv_cache_bytes_per_token, param_count, weight_bytes
    from llmviz.units import fmt_bytes, fmt_count

    head = ("Model", "Released", "Params", "Active", "Weights", "KV / token", "Context")
    rows = []
    for m in models:
        anchor = "model-" + slug(entry_name(m))
        cells = (f'<a href="#{anchor}">{escape(entry_name(m))}</a>', escape(m.release),
                 fmt_count(param_count(m)), fmt_count(active_param_count(m)),
                 fmt_bytes(weight_bytes(m, "bf16")), fmt_bytes(kv_cache_bytes_per_token(m, "bf16")),
                 f"{m.max_context:,}".replace(",", "\u202f"))
        rows.append("<tr>" + "".join(f'<td class="nowrap">{c}</td>' for c in cells) + "</tr>\n")
    ths = "".join(f'<th scope="col">{h}</th>' for h in head)
    return (f'<div class="table-scroll"><table class="catalog-table" id="models-summary">\n'
            f'<caption>Parameters in total and active per token; weights and KV cache per token in BF16; '
            f'longest context in tokens. Computed by the book\'s calculators.</caption>\n'
            f'<thead><tr>{ths}</tr></thead>\n<tbody>\n{"".join(rows)}</tbody>\n</table></div>\n')


def _fmt_float(x: float) -> str:
    if math.isnan(x) or math.isinf(x):
        return escape(str(x))
    if x == 0 or 1e-3 <= abs(x) < 1e6:
        return f"{x:.6g}"
    from llmviz.units import fmt_sci  # imported late: py/ joins sys.path at build start
    return fmt_sci(x, digits=4)
