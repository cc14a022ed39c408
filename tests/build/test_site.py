"""The built site against the site contract: layout, book.json, fragments, links, service worker."""
from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from pathlib import Path
from threading import Thread

import pytest
import yaml

from buildlib.htmltree import parse_html
from buildlib.project import PYODIDE_FILES
from buildlib.serve import make_server
from build_run import ROOT
from llmviz.registry import get_mode_class, mode_ids
from tooling import precache

EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def all_files(dist: Path) -> set[str]:
    return {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}


def fragments(dist: Path) -> dict[str, str]:
    return {p: (dist / p).read_text(encoding="utf-8") for p in sorted(all_files(dist))
            if p.startswith(("chapters/", "appendices/")) and p.endswith(".html")}


def test_layout_follows_the_contract(dist, book):
    files = all_files(dist)
    for f in ("index.html", "manifest.webmanifest", "sw.js", "book.json", "assets/palette.css",
              "assets/katex/katex.min.css", book["wheel"]):
        assert f in files, f
    assert {f"pyodide/{name}" for name in PYODIDE_FILES} <= files
    assert {f"appendices/appendix-{x}.html" for x in "abcdef"} <= files
    chapter_ids = {c["id"] for p in book["parts"] for c in p["chapters"]}
    assert {f for f in files if f.startswith("chapters/")} == {f"chapters/{c}.html" for c in chapter_ids}
    engine = {p.relative_to(ROOT / "js" / "engine").as_posix() for p in (ROOT / "js" / "engine").rglob("*")
              if p.is_file() and not p.name.startswith(".")}
    assert {f"assets/engine/{e}" for e in engine} <= files
    # only what the site needs: no source maps, no TTF/WOFF fallbacks, no sources
    assert not [f for f in files if f.endswith((".map", ".ttf", ".woff", ".md", ".py", ".pyc"))]


def test_katex_css_references_only_shipped_woff2_fonts(dist):
    css = (dist / "assets/katex/katex.min.css").read_text(encoding="utf-8")
    urls = re.findall(r"url\(([^)]+)\)", css)
    assert urls and all(u.endswith(".woff2") for u in urls)
    for u in urls:
        assert (dist / "assets/katex" / u).is_file(), u


def test_palette_css_has_every_token_light_and_dark(dist):
    from llmviz.core.palette import PALETTE

    css = (dist / "assets/palette.css").read_text(encoding="utf-8")
    light, dark_media, dark_attr = re.split(r"@media \(prefers-color-scheme: dark\)|:root\[data-theme=dark\]", css)
    for token, (lo, hi) in PALETTE.items():
        assert f"--c-{token}: {lo};" in light
        assert f"--c-{token}: {hi};" in dark_media and f"--c-{token}: {hi};" in dark_attr


def test_book_json_is_consistent(dist, book):
    assert re.fullmatch(r"[0-9a-f]{12}", book["build"])
    assert (dist / book["wheel"]).is_file() and (dist / book["pyodide"]).is_dir()
    parts = {p["id"]: p for p in yaml.safe_load((ROOT / "chapters/parts.yaml").read_text())}
    chapters = []
    for part in book["parts"]:
        assert part["chapters"], "a part is listed only if it has chapters"
        assert part["title"] == parts[part["id"]]["title"] and part["n"] == parts[part["id"]]["number"]
        for ch in part["chapters"]:
            assert ch["id"].startswith(part["id"] + "-")
            assert ch["mode"] in mode_ids()
            assert (dist / ch["href"]).is_file()
            chapters.append(ch["id"])
    assert [a["letter"] for a in book["appendices"]] == list("ABCDEF")
    for a in book["appendices"]:
        assert a["id"] == f"appendix-{a['letter'].lower()}" and (dist / a["href"]).is_file()
    assert book["order"] == chapters + [a["id"] for a in book["appendices"]]
    assert sorted(chapters) == chapters, "reading order follows part and chapter numbers"


def test_shell_is_rendered_with_the_build_and_the_navigation(dist, book):
    html = (dist / "index.html").read_text(encoding="utf-8")
    assert book["build"] in html and "{{" not in html and "{%" not in html
    doc = parse_html(html)
    nav_targets = {a.attrs["href"] for a in doc.find_all("a") if a.attrs.get("href", "").startswith("#/")}
    assert {f"#/{i}" for i in book["order"]} <= nav_targets, "the sidebar lists every page before any script runs"


def test_every_fragment_is_one_article_with_its_id(dist, book):
    modes = {c["id"]: c["mode"] for p in book["parts"] for c in p["chapters"]}
    for path, html in fragments(dist).items():
        doc = parse_html(html)
        arts = doc.find_all("article")
        assert len(arts) == 1, path
        art = arts[0]
        page = Path(path).stem
        assert art.attrs["id"] == page
        if path.startswith("chapters/"):
            assert "chapter" in art.classes and art.attrs["data-mode"] == modes[page]
            assert art.attrs["data-part"].isdigit() and art.attrs["data-chapter"].isdigit()
        else:
            assert "appendix" in art.classes and "data-mode" not in art.attrs
        ids = [n.attrs["id"] for n in doc.iter() if "id" in n.attrs]
        assert len(ids) == len(set(ids)), f"{path}: duplicate ids"


def test_chapter_semantics(dist, book):
    for part in book["parts"]:
        for ch in part["chapters"]:
            doc = parse_html((dist / ch["href"]).read_text(encoding="utf-8"))
            exercises = doc.find_all("section", "exercise")
            assert exercises, ch["id"]
            for k, ex in enumerate(exercises, 1):
                assert ex.attrs["id"] == f"ex-{k}"
                assert len(ex.find_all(cls="solution")) == 1
            assert doc.find_all("dfn")
            describe = get_mode_class(ch["mode"]).describe()
            params = {p["name"] for p in describe["params"]}
            for trig in doc.find_all("vis-trigger"):
                assert trig.attrs["role"] == "button" and trig.attrs["tabindex"] == "0"
                sub = trig.attrs["data-submode"]
                assert sub == "" or sub in describe["submodes"]
                values = json.loads(trig.attrs["data-values"])
                assert set(values) <= params
                assert sub or values


def test_no_external_resources(dist):
    """Everything the pages load comes from the site; external links are plain <a> links only."""
    pages = {"index.html": (dist / "index.html").read_text(encoding="utf-8"), **fragments(dist)}
    for path, html in pages.items():
        for node in parse_html(html).iter():
            for attr in ("src", "srcset", "data", "poster", "action"):
                assert not EXTERNAL.match(node.attrs.get(attr, "")), (path, node.tag, attr)
            href = node.attrs.get("href", "")
            if EXTERNAL.match(href):
                assert node.tag == "a", (path, node.tag, href)
    for css in ("assets/palette.css", "assets/katex/katex.min.css"):
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", (dist / css).read_text(encoding="utf-8"))


def test_internal_links_resolve(dist, book):
    """Every ``#/<page>/<anchor>`` link points at a page and an element that exist."""
    pages = {Path(p).stem: parse_html(h) for p, h in fragments(dist).items()}
    ids = {page: {n.attrs["id"] for n in doc.iter() if "id" in n.attrs} for page, doc in pages.items()}
    for page, doc in pages.items():
        for a in doc.find_all("a"):
            m = re.match(r"^#/([^/?]+)(?:/([^?]+))?", a.attrs.get("href", ""))
            if not m:
                continue
            target, anchor = m.groups()
            assert target in ids, (page, a.attrs["href"])
            assert anchor is None or anchor in ids[target], (page, a.attrs["href"])


def test_service_worker_precaches_every_file(dist, book):
    build, listed = precache(dist)
    assert build == book["build"]
    assert set(listed) == all_files(dist) - {"sw.js"}
    for path, digest in listed.items():
        assert hashlib.sha256((dist / path).read_bytes()).hexdigest()[:16] == digest, path
    sw = (dist / "sw.js").read_text(encoding="utf-8")
    assert "skipWaiting" in sw and "clients.claim" in sw and '"llmviz-"' in sw


def test_manifest(dist):
    m = json.loads((dist / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert m["start_url"] == "." and m["display"] == "standalone"
    for icon in m["icons"]:
        assert (dist / icon["src"]).is_file()


@pytest.fixture(scope="module")
def server(dist):
    httpd = make_server(dist, 0)
    Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path,mime", [
    ("pyodide/pyodide.asm.wasm", "application/wasm"),
    ("pyodide/pyodide.mjs", "text/javascript"),
    ("assets/engine/main.js", "text/javascript"),
    ("manifest.webmanifest", "application/manifest+json"),
    ("assets/katex/fonts/KaTeX_Main-Regular.woff2", "font/woff2"),
    ("index.html", "text/html"),
    ("sw.js", "text/javascript"),
])
def test_server_mime_types(server, dist, path, mime):
    with urllib.request.urlopen(server + path) as r:
        body = r.read()
        assert r.status == 200 and len(body) == (dist / path).stat().st_size
        assert r.headers["Content-Type"].split(";")[0] == mime
