"""A local static server for the built site, on 127.0.0.1 only.

Python's ``http.server`` guesses types from the system's tables, which may
lack ``.mjs``, ``.wasm`` or ``.webmanifest``; Pyodide needs ``application/wasm``
for streaming compilation and module scripts need a JavaScript type, so the
types the site uses are set here explicitly. Every response carries the
shell's Content Security Policy as a header, as a host that can send headers
should (ARCHITECTURE.md, "Security"), so Python's worker runs under it too.
"""
from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .csp import policy_in

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".whl": "application/zip",
    ".zip": "application/zip",
}


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files with the site's MIME types; ``sw.js`` is always revalidated."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def end_headers(self) -> None:
        if self.path.split("?", 1)[0].endswith(("/sw.js", "/book.json")):
            self.send_header("Cache-Control", "no-cache")
        policy = _policy(Path(self.directory) / "index.html")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        super().end_headers()

    def log_request(self, code="-", size="-") -> None:  # quiet: only failed requests are logged
        if str(code).startswith(("4", "5")):
            super().log_request(code, size)


def _policy(shell: Path) -> str | None:
    """The policy in the served shell, re-read when a rebuild replaces it."""
    try:
        return _policy_of(shell, shell.stat().st_mtime_ns)
    except OSError:
        return None


@functools.lru_cache(maxsize=4)
def _policy_of(shell: Path, _mtime_ns: int) -> str | None:
    return policy_in(shell.read_text(encoding="utf-8"))


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # Browsers drop connections they no longer need (a cancelled fetch, a reload): not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def make_server(directory: Path, port: int) -> ThreadingHTTPServer:
    """A server for ``directory`` on ``127.0.0.1:port`` (0 picks a free port)."""
    handler = functools.partial(SiteHandler, directory=str(directory))
    return SiteServer(("127.0.0.1", port), handler)


def serve(directory: Path, port: int) -> None:
    """Serve ``directory`` until interrupted, printing its URL; ``OSError`` if the port is taken."""
    try:
        httpd = make_server(directory, port)
    except OSError as e:
        raise OSError(f"cannot serve on 127.0.0.1:{port}: {e.strerror}; choose another port: "
                      f"--serve PORT") from None
    with httpd:
        print(f"Serving {directory} at http://127.0.0.1:{httpd.server_address[1]}/  (Ctrl+C stops)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            print()
