"""The bridge the browser's worker calls: JSON strings in and out.

Strings cross the Python↔JavaScript boundary as one copy, cheaper than
converting nested proxies, and ``JSON.parse`` on the other side is fast.
Every call is fault-contained: an exception in a mode becomes an
``{"error": ...}`` answer that the page shows in its console and on the
canvas, and the rest of the book keeps working.
"""
from __future__ import annotations

import json
import traceback
from typing import Any

from .core.mode import Mode
from .registry import get_mode_class, mode_ids

_current: Mode | None = None


def _dump(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


def _error(e: BaseException) -> str:
    tb = traceback.extract_tb(e.__traceback__)
    where = f" ({tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
    return _dump({"error": f"{type(e).__name__}: {e}{where}"})


def modes() -> str:
    """JSON list of registered mode ids."""
    return _dump(mode_ids())


def describe(mode_id: str) -> str:
    """JSON declaration of one mode (parameters, sub-modes, sizes)."""
    try:
        return _dump(get_mode_class(mode_id).describe())
    except Exception as e:  # noqa: BLE001 - contained and reported
        return _error(e)


def open_mode(mode_id: str, values_json: str = "{}", submode: str = "", seed: int = 0) -> str:
    """Make ``mode_id`` current with optional values/sub-mode; JSON of its state and messages."""
    global _current
    try:
        cls = get_mode_class(mode_id)
        values, bad = _values(values_json)
        _current = cls(values=None, submode=submode or None, seed=seed)
        messages = list(_current.messages) + bad
        messages += _current.apply(values)
        _current.messages = []
        return _dump({"describe": cls.describe(), "state": _current.state(), "messages": messages})
    except Exception as e:  # noqa: BLE001
        _current = None
        return _error(e)


def set_param(name: str, value: Any) -> str:
    """Set one parameter of the current mode; JSON of its state and any message."""
    try:
        msg = _require().set(name, value)
        return _dump({"state": _current.state(), "messages": [msg] if msg else []})
    except Exception as e:  # noqa: BLE001
        return _error(e)


def _values(values_json: str) -> tuple[dict, list[str]]:
    """Parameter values from a reader's JSON: a dict, or ``{}`` with a message saying why not."""
    try:
        values = json.loads(values_json or "{}")
    except (TypeError, ValueError):
        return {}, ["the settings sent with this view are not valid JSON; they were ignored"]
    if not isinstance(values, dict):
        return {}, ["the settings sent with this view are not a set of name = value pairs; they were ignored"]
    return values, []


def select(submode: str, values_json: str = "{}") -> str:
    """Switch the current mode's sub-mode, then apply extra values; JSON state and messages.

    All or nothing: if anything raises, the mode keeps the view and values it
    had, so the page's buttons and URL never disagree with Python.
    """
    try:
        m = _require()
    except Exception as e:  # noqa: BLE001
        return _error(e)
    saved = m.snapshot()
    try:
        values, messages = _values(values_json)
        messages = (m.select(submode) if submode else []) + messages
        messages += m.apply(values)
        return _dump({"state": m.state(), "messages": messages})
    except Exception as e:  # noqa: BLE001
        m.restore(saved)
        return _error(e)


def frame(t: float) -> str:
    """JSON frame state of the current mode at simulation time ``t`` seconds."""
    try:
        return _dump(_require().frame(float(t)))
    except Exception as e:  # noqa: BLE001
        return _error(e)


def _require() -> Mode:
    if _current is None:
        raise RuntimeError("no simulation is open")
    return _current
