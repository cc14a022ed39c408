"""``sw.js``: the service worker that makes the book work offline and notice new builds.

The worker's JavaScript lives in ``templates/sw.js`` (its comments explain the
caching strategies); this module fills in the build id and the precache list:
every file of the site except ``sw.js`` itself, with a hash of its bytes so a
returning reader's browser re-downloads only what changed.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

SW_NAME = "sw.js"
# Fetched from the network first so an open page can see that a new build exists.
NETWORK_FIRST = ("book.json",)


def site_files(out: Path) -> list[str]:
    """Every file under ``out`` as a scope-relative URL path, sorted, except ``sw.js``."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and p.relative_to(out).as_posix() != SW_NAME)


def file_hash(path: Path) -> str:
    """First 16 hex digits of the SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def render_sw(out: Path, build_id: str) -> str:
    """The service worker's source for the site in ``out``."""
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      undefined=StrictUndefined, keep_trailing_newline=True)
    precache = {path: file_hash(out / path) for path in site_files(out)}
    return env.get_template(SW_NAME).render(build_id=build_id, precache=precache,
                                            network_first=list(NETWORK_FIRST))


def write_sw(out: Path, build_id: str) -> Path:
    """Write ``out/sw.js``; call it last, once every other file is in place."""
    path = out / SW_NAME
    path.write_text(render_sw(out, build_id), encoding="utf-8")
    return path
