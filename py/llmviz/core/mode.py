"""The Mode base class: one simulation, its parameters, sub-modes and frames.

A mode is deterministic: its frame at time ``t`` depends only on its
parameter values, its seed and ``t``. The browser engine calls
:meth:`Mode.frame` about 60 times a second, so subclasses cache everything
that depends only on parameters (keyed on ``self.values.version``) and do
per-frame work only for what moves.

Subclasses set the class attributes and implement :meth:`draw`, and
optionally :meth:`events`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from .params import Param, Values
from .scene import Scene


#: the latest simulation time a frame is drawn at (s); later times are clamped to it
MAX_T = 1e12
#: console events are reported for at most this much simulation time before a frame (s)
EVENT_WINDOW_S = 30.0


def _span(s: float) -> str:
    """A simulation time span for a console line: ``"12.5 s"``, ``"3.2e+09 s"``."""
    return f"{s:.3g} s" if s < 1e6 else f"{s:.2g} s"


@dataclass(frozen=True)
class Submode:
    """A named view a ``<vis-trigger>`` can switch to: a label and parameter presets.

    ``controls`` names the parameters this view shows (``None``: all of
    them). A view lists only the sliders that change its own picture, so a
    reader never moves a control that does nothing where they are looking.
    """

    label: str
    values: dict[str, Any] = field(default_factory=dict)
    help: str = ""
    controls: tuple[str, ...] | None = None


def metric(id: str, label: str, value: float, text: str, unit: str = "", help: str = "") -> dict:
    """One telemetry entry: ``value`` is the raw number in ``unit``, ``text`` is how it is shown."""
    d = {"id": id, "label": label, "value": value, "text": text, "unit": unit}
    if help:
        d["help"] = help
    return d


class Mode:
    """Base class of every simulation mode; see ARCHITECTURE.md for the contract."""

    id: str = ""
    chapter: str = ""
    title: str = ""
    params: tuple[Param, ...] = ()
    submodes: dict[str, Submode] = {}
    default_submode: str = ""
    #: simulation seconds one press of "step" advances
    step_dt: float = 1.0
    #: logical scene size
    size: tuple[int, int] = (960, 600)

    def __init__(self, values: dict[str, Any] | None = None, submode: str | None = None,
                 seed: int = 0):
        self.seed = seed
        self.values = Values(self.params)
        self.submode = self.default_submode or next(iter(self.submodes), "")
        self.messages: list[str] = []
        self._last_t: float | None = None
        self._cache: dict[str, tuple[int, str, Any]] = {}
        self._memos: dict[str, tuple] = {}
        if self.submode:
            self.messages += self._apply(self.submodes[self.submode].values) if self.submodes else []
        if submode:
            self.messages += self.select(submode)
        if values:
            self.messages += self.apply(values)

    # -- parameters -------------------------------------------------------

    def _apply(self, values: dict[str, Any]) -> list[str]:
        out = []
        for k, v in values.items():
            msg = self.values.set(k, v)
            if msg:
                out.append(msg)
        return out

    def apply(self, values: dict[str, Any]) -> list[str]:
        """Set several parameters; unknown names and bad values give messages, not errors."""
        out = []
        for k, v in values.items():
            try:
                msg = self.values.set(k, v)
            except ValueError as e:
                msg = str(e)
            if msg:
                out.append(msg)
        return out

    def set(self, name: str, value: Any) -> str | None:
        """Set one parameter; return the reader-facing message for a bad value, if any."""
        msgs = self.apply({name: value})
        return msgs[0] if msgs else None

    def select(self, name: str) -> list[str]:
        """Switch to sub-mode ``name`` and apply its presets."""
        if name not in self.submodes:
            known = ", ".join(self.submodes) or "none"
            return [f"unknown view {name!r} (this simulation has: {known})"]
        self.submode = name
        self.values.version += 1
        return self._apply(self.submodes[name].values)

    def snapshot(self) -> tuple:
        """What :meth:`restore` needs to undo a failed change: sub-mode and values."""
        return self.submode, dict(self.values.data), self.values.version

    def restore(self, saved: tuple) -> None:
        """Put back a :meth:`snapshot`; the version moves on so caches recompute."""
        self.submode, data, version = saved
        self.values.data = dict(data)
        self.values.version = max(version, self.values.version) + 1

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def cached(self, key: str, fn: Callable[[], Any]) -> Any:
        """``fn()`` computed once per parameter version and sub-mode."""
        hit = self._cache.get(key)
        if hit and hit[0] == self.values.version and hit[1] == self.submode:
            return hit[2]
        v = fn()
        self._cache[key] = (self.values.version, self.submode, v)
        return v

    def memo(self, name: str, key: Any, fn: Callable[[], Any]) -> Any:
        """``fn()`` remembered for one animation state ``key`` under the current parameters.

        While a picture rests between two steps of its story, consecutive
        frames are identical, so they cost a lookup instead of a redraw. One
        entry per ``name``: a new ``key`` replaces the old one.
        """
        full = (self.values.version, self.submode, key)
        hit = self._memos.get(name)
        if hit and hit[0] == full:
            return hit[1]
        v = fn()
        self._memos[name] = (full, v)
        return v

    # -- frames -----------------------------------------------------------

    def draw(self, t: float) -> tuple[Scene, list[dict]]:
        """Return the scene and telemetry at simulation time ``t`` (seconds)."""
        raise NotImplementedError

    def events(self, t0: float, t1: float) -> list[dict]:
        """Console events for simulation time in ``(t0, t1]``; ``{"level", "text"}`` each."""
        return []

    def frame(self, t: float) -> dict:
        """The frame state at time ``t``: ``{"scene", "telemetry", "console", "t"}``.

        ``t`` is clamped to ``[0, MAX_T]`` (a non-finite ``t`` becomes 0 with a
        message). Console events cover at most the last :data:`EVENT_WINDOW_S`
        seconds before ``t``: a jump far ahead is summarised in one line, so
        the cost of a frame never grows with the size of the jump.
        """
        try:
            t = float(t)
        except (TypeError, ValueError, OverflowError):
            t = math.nan
        if not math.isfinite(t) and not (t > 0):
            self.messages.append(f"simulation time {t!r} is not a finite number; showing t = 0")
            t = 0.0
        t = min(max(t, 0.0), MAX_T)
        t0 = self._last_t if self._last_t is not None and self._last_t <= t else -1.0
        # the clock moves on even if drawing fails, so a bad frame is not paid for twice
        self._last_t = t
        scene, telemetry = self.draw(t)
        skipped = []
        if t - t0 > EVENT_WINDOW_S and t0 >= 0:
            skipped = [{"level": "info", "text": f"jumped {_span(t - t0)} ahead; events of the last "
                                                 f"{EVENT_WINDOW_S:g} s follow"}]
            t0 = t - EVENT_WINDOW_S
        elif t0 < 0 and t > EVENT_WINDOW_S:
            t0 = t - EVENT_WINDOW_S
        console = skipped + self.events(t0, t) if t0 != t else []
        if self.messages:
            console = [{"level": "warn", "text": m} for m in self.messages] + console
            self.messages = []
        return {"t": t, "scene": scene.to_dict(), "telemetry": telemetry, "console": console}

    def new_scene(self) -> Scene:
        """An empty scene of this mode's logical size."""
        return Scene(*self.size)

    # -- description --------------------------------------------------------

    @classmethod
    def describe(cls) -> dict:
        """Declaration for the browser: ids, parameters and sub-modes."""
        return {
            "id": cls.id, "chapter": cls.chapter, "title": cls.title,
            "step_dt": cls.step_dt, "size": list(cls.size),
            "params": [p.describe() for p in cls.params],
            "submodes": {k: {"label": s.label, "values": s.values, "help": s.help,
                             "controls": list(cls.controls_of(k))}
                         for k, s in cls.submodes.items()},
            "default_submode": cls.default_submode or next(iter(cls.submodes), ""),
        }

    @classmethod
    def controls_of(cls, submode: str) -> tuple[str, ...]:
        """Names of the parameters the view ``submode`` shows, in declaration order."""
        sub = cls.submodes.get(submode)
        shown = None if sub is None else sub.controls
        if shown is None:
            return tuple(p.name for p in cls.params)
        declared = {p.name for p in cls.params}
        unknown = [n for n in shown if n not in declared]
        if unknown:
            raise ValueError(f"{cls.id}: view {submode!r} lists unknown controls {unknown}")
        return tuple(p.name for p in cls.params if p.name in shown)

    @classmethod
    def text_fonts(cls, times: tuple[float, ...] = (0.0, 1.0, 4.0)) -> list[list]:
        """The fonts every view's scenes draw text in at ``times`` (s), from the defaults.

        Sorted ``[font, bold, size]`` triples (size in logical units). The
        build writes them on the chapter, so the browser can resolve each
        font while it waits for Python instead of during the first frame.
        """
        found = set()
        for name in cls.submodes or {"": None}:
            mode = cls(submode=name or None)
            for t in times:
                for it in mode.frame(t)["scene"]["items"]:
                    if it["k"] == "text":
                        found.add((it.get("font", "sans"), bool(it.get("bold")), it["size"]))
        return [list(f) for f in sorted(found)]

    def state(self) -> dict:
        """Current parameter values and sub-mode."""
        return {"id": self.id, "submode": self.submode, "values": dict(self.values.data)}
