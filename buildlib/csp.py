"""The shell's Content Security Policy: a ``<meta>`` that lets the page run only the
build's own files and the shell's inline script, by its hash.

A static host may send no headers at all, so the policy travels in the page.
Scripts: ``'self'`` plus the SHA-256 of each inline script the shell runs (the
early-worker bootstrap); JSON data blocks are not scripts and need no hash.
Styles keep ``'unsafe-inline'``: KaTeX writes ``style`` attributes into the
rendered math (struts, vertical shifts) and the engine sizes elements through
the CSSOM, and style injection cannot run code. Python's worker is a
same-origin file, so ``worker-src 'self'`` covers it. A ``<meta>`` policy
binds the page only; a host that sends the same text as a header binds the
worker too, which compiles Pyodide's WebAssembly: hence
``'wasm-unsafe-eval'`` (the local server sends the header, so every browser
test runs the worker under it).
"""
from __future__ import annotations

import base64
import hashlib
import re

_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_EXECUTABLE = {"", "module", "text/javascript", "application/javascript"}
_CHARSET = re.compile(r"<meta charset=[^>]*>", re.I)
_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', re.I)


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions (``'sha256-…'``) for every inline script ``html`` runs, in order."""
    out = []
    for m in _SCRIPT.finditer(html):
        attrs = m.group("attrs")
        if re.search(r"\bsrc\s*=", attrs, re.I):
            continue
        kind = _TYPE.search(attrs)
        if (kind.group(1).lower() if kind else "") not in _EXECUTABLE:
            continue
        digest = hashlib.sha256(m.group("body").encode("utf-8")).digest()
        out.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return out


def policy(script_hashes: list[str]) -> str:
    """The policy's text for a shell whose inline scripts have these hashes."""
    return "; ".join([
        "default-src 'self'",
        " ".join(["script-src 'self' 'wasm-unsafe-eval'", *script_hashes]),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ])


def with_policy(html: str) -> str:
    """``html`` with the policy's ``<meta>`` right after ``<meta charset>`` (before any script).

    Raises ValueError when the page has no ``<meta charset>`` to anchor it.
    """
    anchor = _CHARSET.search(html)
    if not anchor:
        raise ValueError("the shell has no <meta charset> to put its security policy after")
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{policy(inline_script_hashes(html))}">'
    return html[:anchor.end()] + meta + html[anchor.end():]


def policy_in(html: str) -> str | None:
    """The policy a built shell carries in its ``<meta>``, or None if it has none."""
    m = _META.search(html)
    return m.group(1) if m else None
