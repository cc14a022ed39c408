"""The bench's static server: the site's own handler, plus gzip and a log of every byte sent.

Static hosts compress text and wasm on the wire, so byte budgets are judged on
compressed sizes: responses of compressible types are gzipped (level 6, as
common hosts do) when the browser asks for it. Already-compressed files (zip,
wheel, woff2) go as they are. Every response is logged with who asked for it
(the page, the Python worker or the service worker, told apart by the
``Referer`` a fetch carries) and when, so a scenario can split its bytes by
time and by kind.
"""
from __future__ import annotations

import email.utils
import gzip
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from buildlib.serve import SiteHandler
from http.server import ThreadingHTTPServer

COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".wasm", ".svg", ".webmanifest", ".map", ".txt")


@dataclass(frozen=True)
class Hit:
    """One response the server sent."""

    path: str          # URL path without query, e.g. "/pyodide/pyodide.asm.wasm"
    status: int
    wire: int          # body bytes on the wire (compressed when gzipped)
    raw: int           # body bytes before compression
    start: float       # epoch seconds when the request arrived
    end: float         # epoch seconds when the last byte was written
    initiator: str     # "page", "worker", "sw" or "other"

    @property
    def kind(self) -> str:
        """Which budget line the file belongs to (see :func:`kind_of`)."""
        return kind_of(self.path)


def kind_of(path: str) -> str:
    """The byte-budget category of a URL path: wasm, stdlib, pyodide-js, wheel, fonts-math,
    chapters, shell, sw or bench."""
    p = path.lower()
    if p.endswith(".wasm"):
        return "wasm"
    if p.endswith("python_stdlib.zip") or ("/pyodide/" in p and p.endswith(".zip")):
        return "stdlib"
    if "/pyodide/" in p:
        return "pyodide-js"
    if p.startswith("/bench/"):
        return "bench"
    if p.endswith(".whl"):
        return "wheel"
    if "/katex/" in p:
        return "fonts-math"
    if p.startswith(("/chapters/", "/appendices/")):
        return "chapters"
    if p.endswith("/sw.js"):
        return "sw"
    return "shell"


class _Handler(SiteHandler):
    """The site's handler with gzip, a response cache and logging into the server."""

    server: "BenchServer"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        start = time.time()
        path = unquote(urlsplit(self.path).path)
        fs = Path(self.translate_path(self.path))
        if fs.is_dir():
            fs = fs / "index.html"
        if not fs.is_file():
            self.send_error(404, "File not found")
            self.server.record(Hit(path, 404, 0, 0, start, time.time(), self._initiator()))
            return
        st = fs.stat()
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        ims = self.headers.get("If-Modified-Since")
        if ims and _not_modified(ims, st.st_mtime):
            self.send_response(304)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            self.server.record(Hit(path, 304, 0, 0, start, time.time(), self._initiator()))
            return
        raw = self.server.body(fs, st.st_mtime_ns)
        gz = (self.server.compress and fs.suffix.lower() in COMPRESSIBLE
              and "gzip" in (self.headers.get("Accept-Encoding") or ""))
        body = self.server.gzipped(fs, st.st_mtime_ns, raw) if gz else raw
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(fs)))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", last_modified)
        if gz:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            return
        self.server.record(Hit(path, 200, len(body), len(raw), start, time.time(), self._initiator()))

    def _initiator(self) -> str:
        ref = urlsplit(self.headers.get("Referer") or "").path
        if ref.endswith("/sw.js"):
            return "sw"
        # Module imports carry the importing module as referrer: the engine's
        # modules name the page's scripts, Pyodide's name the worker.
        if ref.endswith(("/worker.js", "-worker.mjs")) or "/pyodide/" in ref:
            return "worker"
        return "page" if ref or self.headers.get("Sec-Fetch-Dest") == "document" else "other"


def _not_modified(ims: str, mtime: float) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(ims).timestamp()
    except (TypeError, ValueError):
        return False
    return int(mtime) <= since


class BenchServer(ThreadingHTTPServer):
    """Serves ``root`` on 127.0.0.1 (a free port), logging every response in :attr:`hits`."""

    daemon_threads = True

    def __init__(self, root: Path, compress: bool = True):
        self.root = Path(root)
        self.compress = compress
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._bodies: dict[tuple[str, int], bytes] = {}
        self._gz: dict[tuple[str, int], bytes] = {}
        super().__init__(("127.0.0.1", 0), lambda *a: _Handler(*a, directory=str(self.root)))
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL with a trailing slash."""
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def __enter__(self) -> "BenchServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def mark(self) -> int:
        """An index into the log; :meth:`since` returns what was served after it."""
        with self._lock:
            return len(self.hits)

    def since(self, mark: int) -> list[Hit]:
        with self._lock:
            return list(self.hits[mark:])

    def last_activity(self) -> float:
        """Epoch seconds of the last completed response (0 if none)."""
        with self._lock:
            return self.hits[-1].end if self.hits else 0.0

    def body(self, fs: Path, mtime_ns: int) -> bytes:
        key = (str(fs), mtime_ns)
        data = self._bodies.get(key)
        if data is None:
            data = self._bodies[key] = fs.read_bytes()
        return data

    def gzipped(self, fs: Path, mtime_ns: int, raw: bytes) -> bytes:
        key = (str(fs), mtime_ns)
        data = self._gz.get(key)
        if data is None:
            data = self._gz[key] = gzip.compress(raw, compresslevel=6, mtime=0)
        return data

    def wait_idle(self, quiet_s: float, timeout_s: float) -> bool:
        """Block until no response completed for ``quiet_s`` seconds; False on timeout."""
        t_end = time.time() + timeout_s
        while time.time() < t_end:
            if time.time() - max(self.last_activity(), 0) >= quiet_s:
                return True
            time.sleep(0.1)
        return False


def bytes_by_kind(hits: list[Hit]) -> dict[str, int]:
    """Wire bytes per :func:`kind_of` category, plus ``total``."""
    out: dict[str, int] = {}
    for h in hits:
        out[h.kind] = out.get(h.kind, 0) + h.wire
    out["total"] = sum(h.wire for h in hits)
    return out

