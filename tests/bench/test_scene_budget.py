"""Structural frame budget, checked in CPython: every mode's scene stays small in every view.

The browser pays for each frame three times (Python builds it, the worker
sends it as JSON, the page parses and paints it), so the bench's frame-time
targets hold only while scenes stay a few hundred primitives and a few tens
of kilobytes. Wall-clock time is the bench's business, not a test's.
"""
import json

import pytest

from llmviz import bridge, registry

MAX_PRIMITIVES = 500
MAX_FRAME_JSON_BYTES = 64_000
TIMES = (0.0, 0.37, 1.0, 2.5, 7.9, 30.0)


def _views(mode_id):
    desc = registry.get_mode_class(mode_id).describe()
    return list(desc["submodes"]) or [""]


@pytest.mark.parametrize("mode_id", registry.mode_ids())
def test_every_view_stays_within_the_frame_budget(mode_id):
    opened = json.loads(bridge.open_mode(mode_id))
    assert "error" not in opened, opened.get("error")
    for view in _views(mode_id):
        if view:
            assert "error" not in json.loads(bridge.select(view, "{}"))
        for t in TIMES:
            answer = bridge.frame(t)
            frame = json.loads(answer)
            assert "error" not in frame, f"{mode_id}[{view}] t={t}: {frame.get('error')}"
            n = len(frame["scene"]["items"])
            assert n <= MAX_PRIMITIVES, f"{mode_id}[{view}] t={t}: {n} primitives (budget {MAX_PRIMITIVES})"
            assert len(answer) <= MAX_FRAME_JSON_BYTES, (
                f"{mode_id}[{view}] t={t}: {len(answer):,} bytes of JSON (budget {MAX_FRAME_JSON_BYTES:,})")
