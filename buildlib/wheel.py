"""The ``llmviz`` wheel, written directly with :mod:`zipfile`.

A pure-Python ``py3-none-any`` wheel needs only the package files and three
metadata files, so no build backend (and no network) is involved. The bytes
are deterministic: entries sorted, fixed timestamps and permissions. Equal
sources give an equal wheel, so the site's build id changes only when the
Python actually changed.
"""
from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from pathlib import Path

NAME = "llmviz"
SUMMARY = "Simulations, calculators and the model/hardware catalog of the LLM Systems Textbook"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def version(py_dir: Path) -> str:
    """``__version__`` from ``llmviz/__init__.py`` (read, not imported)."""
    text = (py_dir / NAME / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", text, re.M)
    if not m:
        raise ValueError(f"{NAME}/__init__.py has no __version__")
    return m.group(1)


def wheel_name(py_dir: Path) -> str:
    """``llmviz-<version>-py3-none-any.whl``."""
    return f"{NAME}-{version(py_dir)}-py3-none-any.whl"


def package_files(py_dir: Path) -> list[Path]:
    """Every file of the package except bytecode caches, sorted."""
    root = py_dir / NAME
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))


def write_wheel(py_dir: Path, out_dir: Path) -> Path:
    """Write the wheel into ``out_dir`` and return its path."""
    ver = version(py_dir)
    dist_info = f"{NAME}-{ver}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (p.relative_to(py_dir).as_posix(), p.read_bytes()) for p in package_files(py_dir)]
    entries.append((f"{dist_info}/METADATA", (
        f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {ver}\nSummary: {SUMMARY}\n"
        f"Requires-Python: >=3.11\nLicense: MIT\n").encode()))
    entries.append((f"{dist_info}/WHEEL", (
        "Wheel-Version: 1.0\nGenerator: llmviz-build\nRoot-Is-Purelib: true\nTag: py3-none-any\n").encode()))
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in entries)
    record += f"{dist_info}/RECORD,,\n"
    entries.append((f"{dist_info}/RECORD", record.encode()))

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{NAME}-{ver}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
