"""build.py as a user runs it: exit codes, messages, atomic output, build ids."""
from __future__ import annotations

import filecmp
import json
import shutil

from build_run import ROOT, run_build
from tooling import precache

BAD = """\
---
id: p05-c09-broken
title: Broken
mode: p05-c09-nosuch
summary: A chapter whose mode does not exist.
---

Text.
"""


def test_missing_node_modules_says_what_to_run(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("build.py", "buildlib", "py", "js", "index.html", "chapters", "appendices", "package.json"):
        (root / name).symlink_to(ROOT / name)
    proc = run_build("--out", str(tmp_path / "out"), root=root)
    assert proc.returncode == 2
    assert "node_modules is missing" in proc.stderr and "npm ci" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_bad_chapter_fails_clearly_and_keeps_the_previous_build(tmp_path, dist):
    out = tmp_path / "out"
    shutil.copytree(dist, out)
    before = (out / "book.json").read_bytes()
    chapters = tmp_path / "ch"
    chapters.mkdir()
    (chapters / "p05-c09-broken.md").write_text(BAD)
    proc = run_build("--out", str(out), "--chapters", str(chapters))
    assert proc.returncode == 1
    assert "ch/p05-c09-broken.md:4: unknown mode id 'p05-c09-nosuch' (registered: " in proc.stderr
    assert (out / "book.json").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")], "no half-built directory left"


def test_refuses_to_replace_a_directory_that_is_not_a_build(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    proc = run_build("--out", str(out), "--quiet")
    assert proc.returncode == 1 and "refusing to replace" in proc.stderr
    assert (out / "notes.txt").read_text() == "keep me"


def test_build_id_is_stable_and_follows_content(tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    for out in (first, again):
        proc = run_build("--out", str(out), "--quiet")
        assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    old_build, old_list = precache(first)
    assert precache(again) == (old_build, old_list), "the same sources give the same build"
    assert filecmp.cmp(first / "sw.js", again / "sw.js", shallow=False)
    assert json.loads((again / "book.json").read_text())["build"] == old_build

    appendices = tmp_path / "appendices"
    shutil.copytree(ROOT / "appendices", appendices)
    intro = appendices / "b-glossary.md"
    intro.write_text(intro.read_text() + "\nTerms link to their chapters.\n")
    changed = tmp_path / "changed"
    proc = run_build("--out", str(changed), "--appendices", str(appendices), "--quiet")
    assert proc.returncode == 0, proc.stderr
    new_build, new_list = precache(changed)
    assert new_build != old_build
    assert json.loads((changed / "book.json").read_text())["build"] == new_build
    differing = {p for p in new_list if new_list[p] != old_list.get(p)}
    # the changed page and the files that carry the build id; everything else is reused from cache
    assert differing == {"appendices/appendix-b.html", "book.json", "index.html"}


def test_report_counts(tmp_path, book):
    proc = run_build("--out", str(tmp_path / "out"))
    assert proc.returncode == 0
    n = sum(len(p["chapters"]) for p in book["parts"])
    assert f"{n} chapters," in proc.stdout and "words" in proc.stdout and "MB" in proc.stdout
