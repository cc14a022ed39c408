"""The llmviz wheel: a valid py3-none-any wheel, deterministic, importable on its own."""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile

from buildlib.wheel import package_files, write_wheel
from build_run import ROOT


def test_wheel_is_valid_and_complete(dist, book):
    path = dist / book["wheel"]
    assert path.name == "llmviz-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names == sorted(names[:-3]) + names[-3:], "package files sorted, metadata last"
        info = "llmviz-0.1.0.dist-info"
        wheel_meta = zf.read(f"{info}/WHEEL").decode()
        assert "Tag: py3-none-any" in wheel_meta and "Root-Is-Purelib: true" in wheel_meta
        meta = zf.read(f"{info}/METADATA").decode()
        assert "Name: llmviz" in meta and "Version: 0.1.0" in meta
        rows = list(csv.reader(io.StringIO(zf.read(f"{info}/RECORD").decode())))
        recorded = {r[0] for r in rows}
        assert recorded == set(names)
        for name, digest, size in rows:
            if name.endswith("RECORD"):
                assert digest == "" and size == ""
                continue
            data = zf.read(name)
            algo, b64 = digest.split("=", 1)
            assert algo == "sha256"
            assert base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode() == b64, name
            assert int(size) == len(data)
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        expected = {p.relative_to(ROOT / "py").as_posix() for p in package_files(ROOT / "py")}
        assert expected <= set(names)
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_wheel_is_deterministic(tmp_path):
    a = write_wheel(ROOT / "py", tmp_path / "a")
    b = write_wheel(ROOT / "py", tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()


def test_wheel_imports_alone_and_answers_a_bridge_call(dist, book, tmp_path):
    """With only the wheel on sys.path (no py/, no site-packages) the bridge lists and describes modes."""
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1])\n"
        "import llmviz, llmviz.bridge as b\n"
        "assert llmviz.__file__.startswith(sys.argv[1]), llmviz.__file__\n"
        "ids = json.loads(b.modes())\n"
        "described = {i: json.loads(b.describe(i)) for i in ids}\n"
        "print(json.dumps({'ids': ids, 'described': described}))\n")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(dist / book["wheel"])],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    from llmviz.registry import mode_ids

    assert out["ids"] == mode_ids()
    for ch in [c for p in book["parts"] for c in p["chapters"]]:
        described = out["described"][ch["mode"]]
        assert "error" not in described and described["id"] == ch["mode"]
