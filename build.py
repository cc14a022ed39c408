#!/usr/bin/env python3
"""Build the LLM Systems Textbook into a static site (``dist/`` by default), optionally serving it.

    python build.py                 build into dist/
    python build.py --out DIR       build into DIR
    python build.py --serve [PORT]  build, then serve on http://127.0.0.1:PORT/ (default 8000)

A bad chapter source fails the build with ``file:line: message`` lines and a
non-zero exit, leaving any earlier build in place. A missing ``node_modules``
exits with code 2 and says what to run.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).absolute().parent
sys.path.insert(0, str(ROOT))

from buildlib import BuildError, Project  # noqa: E402
from buildlib.serve import serve  # noqa: E402
from buildlib.site import build_site  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build the LLM Systems Textbook into a static site.")
    ap.add_argument("--out", type=Path, default=ROOT / "dist", help="output directory (default: dist/)")
    ap.add_argument("--serve", nargs="?", type=int, const=8000, metavar="PORT",
                    help="after building, serve the site on 127.0.0.1 (default port 8000)")
    ap.add_argument("--chapters", type=Path, help="read chapter sources from this directory instead of chapters/")
    ap.add_argument("--appendices", type=Path, help="read appendix sources from this directory")
    ap.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = ap.parse_args(argv)

    project = Project.at(ROOT, chapters=args.chapters, appendices=args.appendices)
    try:
        report = build_site(project, args.out)
    except BuildError as e:
        print(f"build failed ({len(e.problems)} problem{'s' if len(e.problems) != 1 else ''}):"
              if e.exit_code == 1 else "build failed:", file=sys.stderr)
        for line in e.problems:
            print(line, file=sys.stderr)
        return e.exit_code
    if not args.quiet:
        print("\n".join(report.lines()))
    if args.serve is not None:
        try:
            serve(report.out, args.serve)
        except OSError as e:
            print(e, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
