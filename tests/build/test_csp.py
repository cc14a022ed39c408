"""The shell's Content Security Policy: scripts only from the site and the shell's own
inline script, by hash; nothing from another origin."""
from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

import pytest

from buildlib.csp import inline_script_hashes, policy, with_policy


class _Scripts(HTMLParser):
    """Inline scripts and the CSP meta, read by the standard library's parser."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.inline: list[tuple[dict, str]] = []
        self.csp: list[str] = []
        self.first_script_at = None
        self._open = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(a["content"])
            assert self.first_script_at is None, "the policy comes after a script"
        if tag == "script":
            self.first_script_at = self.first_script_at or self.getpos()
            self._open = a
            self._body = []

    def handle_data(self, data):
        if self._open is not None:
            self._body.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            if "src" not in self._open:
                self.inline.append((self._open, "".join(self._body)))
            self._open = None


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_shell_carries_one_policy_before_any_script_hashing_each_inline_script(dist):
    p = _Scripts()
    p.feed((dist / "index.html").read_text(encoding="utf-8"))
    assert len(p.csp) == 1
    directives = dict((d.split()[0], d.split()[1:]) for d in p.csp[0].split("; "))
    runs = [body for attrs, body in p.inline if attrs.get("type", "") in ("", "module")]
    assert runs, "the shell has its early-worker script"
    assert sorted(directives["script-src"]) == sorted(["'self'", "'wasm-unsafe-eval'", *(_sha(b) for b in runs)])
    # JSON data blocks are not scripts and must not widen the policy.
    data = [body for attrs, body in p.inline if attrs.get("type") == "application/json"]
    assert data and not set(_sha(b) for b in data) & set(directives["script-src"])
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    for name in ("default-src", "connect-src", "worker-src", "font-src"):
        assert directives[name] == ["'self'"], name
    assert "'unsafe-eval'" not in p.csp[0] and "'unsafe-inline'" not in directives["script-src"]


def test_hashes_follow_the_script_bytes_and_skip_external_and_data_scripts():
    html = ('<meta charset="utf-8"><script type="application/json">{"a": 1}</script>'
            '<script src="x.js"></script><script>let x = "é";</script><script type="module">go()</script>')
    assert inline_script_hashes(html) == [_sha('let x = "é";'), _sha("go()")]
    out = with_policy(html)
    assert out.index("Content-Security-Policy") < out.index("<script")
    assert policy([_sha('let x = "é";'), _sha("go()")]) in out


def test_a_shell_without_a_charset_is_refused():
    with pytest.raises(ValueError, match="meta charset"):
        with_policy("<html><script>x</script></html>")
