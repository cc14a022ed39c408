"""Helpers shared by test modules."""
import json
import os
import re
from pathlib import Path

import pytest


CHROMIUM = "/usr/bin/chromium"
# Quiet flags: this machine's network is closed, and Chromium's background
# services would otherwise try (and fail) to reach their hosts at every start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def missing_tool(reason: str) -> None:
    """Skip a test whose tool is absent on a newcomer's machine; fail it in CI.

    ``.ci/run`` installs Chromium, Node and the npm packages, so in CI a
    missing tool is a broken install, never a reason to pass quietly.
    """
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


def label_problems(frame: dict, slack: float = 0.5) -> list[str]:
    """What is wrong with a frame's text labels: any that leave the canvas or overlap.

    Boxes come from ``core.scene.text_box``, the same estimate the painter
    enforces with ``maxWidth``; ``nc`` labels may overlap shapes' own labels
    on purpose but must still lie inside the canvas.
    """
    from llmviz.core.scene import text_box

    sc = frame["scene"]
    w, h = sc["w"], sc["h"]
    problems, boxes = [], []
    for it in sc["items"]:
        if it["k"] != "text":
            continue
        b = text_box(it["x"], it["y"], it["s"], it["size"], it["align"], it["base"], it.get("font", "sans"))
        if b[0] < -slack or b[1] < -slack or b[2] > w + slack or b[3] > h + slack:
            problems.append(f"label {it['s']!r} at {tuple(round(v, 1) for v in b)} leaves the {w}x{h} canvas")
        if not it.get("nc"):
            boxes.append((b, it["s"]))
    for i, (a, sa) in enumerate(boxes):
        for b, sb in boxes[i + 1:]:
            if not (a[2] <= b[0] + slack or b[2] <= a[0] + slack or a[3] <= b[1] + slack or b[3] <= a[1] + slack):
                problems.append(f"labels {sa!r} and {sb!r} overlap")
    return problems


def precache(dist: Path) -> tuple[str, dict]:
    """A built site's service worker: its build id and precache list (path → content hash)."""
    sw = (dist / "sw.js").read_text(encoding="utf-8")
    build = re.search(r'^const BUILD_ID = "([0-9a-f]+)";', sw, re.M).group(1)
    listed = json.loads(re.search(r"^const PRECACHE = (\{.*\});$", sw, re.M).group(1))
    return build, listed
