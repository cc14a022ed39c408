"""The same ``frame()`` calls in CPython: the bridge call the worker makes, JSON included."""
from __future__ import annotations

import json
import time


def frame_costs(modes: list[str], n: int, warm: int) -> dict:
    """Per mode at its defaults: milliseconds of ``bridge.frame(t)`` for ``n`` frames at 60 fps
    steps after ``warm`` unmeasured ones, the answer's size and its primitive count. An entry
    ``"mode/view"`` opens that view instead of the mode's first."""
    from llmviz import bridge

    out = {}
    for mode in modes:
        mode_id, _, view = mode.partition("/")
        opened = json.loads(bridge.open_mode(mode_id, "{}", view))
        if "error" in opened:
            out[mode] = {"error": opened["error"]}
            continue
        ms, sizes, items = [], [], []
        for i in range(warm + n):
            t0 = time.perf_counter()
            answer = bridge.frame(i / 60)
            dt = (time.perf_counter() - t0) * 1000
            if i < warm:
                continue
            ms.append(dt)
            sizes.append(len(answer))
            items.append(len(json.loads(answer)["scene"]["items"]))
        out[mode] = {"submode": opened["state"]["submode"], "python": ms, "bytes": sizes, "items": items}
    return out
