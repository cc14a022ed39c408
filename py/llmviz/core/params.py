"""Declared parameters: what a control shows and how a value is checked.

The browser builds every control from these declarations, and every value a
reader sends (from a slider, a vis-trigger or a URL) passes through
:meth:`Param.coerce`, which either accepts it, clamps it with a message, or
falls back to the default with a message. Nothing raises on a reader's input.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


class ParamError(ValueError):
    """Raised for a parameter name a mode does not declare."""


@dataclass(frozen=True)
class Param:
    """Base of the parameter kinds; ``name`` is the id used in URLs and triggers."""

    name: str
    label: str
    help: str = ""

    kind = "param"

    def coerce(self, value: Any) -> tuple[Any, str | None]:
        """Return ``(accepted value, message or None)`` for a reader's input."""
        raise NotImplementedError

    def describe(self) -> dict:
        """Plain-data declaration the browser turns into a control."""
        return {"name": self.name, "label": self.label, "help": self.help, "kind": self.kind}


@dataclass(frozen=True)
class Number(Param):
    """A number on a slider: ``lo``..``hi`` in steps of ``step``, shown with ``unit``.

    ``integer`` makes it an int. ``log`` asks the control for a logarithmic
    slider (for quantities spanning decades, such as context length).
    """

    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.01
    default: float = 0.0
    unit: str = ""
    integer: bool = False
    log: bool = False

    kind = "number"

    def __post_init__(self) -> None:
        if not self.lo <= self.default <= self.hi:
            raise ValueError(f"{self.name}: default {self.default} outside [{self.lo}, {self.hi}]")

    def coerce(self, value: Any) -> tuple[Any, str | None]:
        try:
            x = float(value)
        except OverflowError:
            # an integer beyond a double's range (10**400): past either end of the slider
            x = math.inf if value > 0 else -math.inf
        except (TypeError, ValueError):
            shown = repr(value)
            if len(shown) > 40:
                shown = shown[:37] + "..."
            return self.default, (
                f"{self.label}: {shown} is not a number; using the default {self._fmt(self.default)}."
            )
        if math.isnan(x):
            return self.default, f"{self.label}: not a number; using the default {self._fmt(self.default)}."
        msg = None
        if x < self.lo or x > self.hi:
            clamped = min(max(x, self.lo), self.hi)
            msg = (
                f"{self.label} must be between {self._fmt(self.lo)} and {self._fmt(self.hi)}"
                f"{' ' + self.unit if self.unit else ''}; {self._fmt(x)} was clamped to {self._fmt(clamped)}."
            )
            x = clamped
        if self.integer:
            x = int(round(x))
        return x, msg

    def _fmt(self, x: float) -> str:
        if math.isinf(x):
            return "infinity" if x > 0 else "minus infinity"
        if float(x).is_integer() and abs(x) < 1e15:
            return str(int(x))
        return f"{x:g}"

    def describe(self) -> dict:
        d = super().describe()
        d.update(lo=self.lo, hi=self.hi, step=self.step, default=self.default,
                 unit=self.unit, integer=self.integer, log=self.log)
        return d


@dataclass(frozen=True)
class Choice(Param):
    """One of a fixed list of options: ``options`` is a tuple of ``(value, label)``."""

    options: tuple[tuple[str, str], ...] = ()
    default: str = ""

    kind = "choice"

    def __post_init__(self) -> None:
        if self.default not in self.values():
            raise ValueError(f"{self.name}: default {self.default!r} not among its options")

    def values(self) -> list[str]:
        """The option values, in order."""
        return [v for v, _ in self.options]

    def coerce(self, value: Any) -> tuple[Any, str | None]:
        s = str(value)
        if s in self.values():
            return s, None
        allowed = ", ".join(self.values())
        return self.default, f"{self.label}: unknown option {s!r} (choose one of {allowed}); using {self.default}."

    def describe(self) -> dict:
        d = super().describe()
        d.update(options=[list(o) for o in self.options], default=self.default)
        return d


@dataclass(frozen=True)
class Flag(Param):
    """An on/off switch."""

    default: bool = False

    kind = "flag"

    def coerce(self, value: Any) -> tuple[Any, str | None]:
        if isinstance(value, bool):
            return value, None
        s = str(value).strip().lower()
        if s in ("1", "true", "yes", "on"):
            return True, None
        if s in ("0", "false", "no", "off"):
            return False, None
        return self.default, f"{self.label}: {value!r} is not on/off; using {'on' if self.default else 'off'}."

    def describe(self) -> dict:
        d = super().describe()
        d.update(default=self.default)
        return d


@dataclass
class Values:
    """Current values of a mode's parameters, with a version that bumps on change.

    Modes key their caches on :attr:`version`, so derived data is recomputed
    only when a reader changes something, not on every frame.
    """

    params: tuple[Param, ...]
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0

    def __post_init__(self) -> None:
        for p in self.params:
            self.data.setdefault(p.name, p.default)

    def find(self, name: str) -> Param:
        """The declaration called ``name``; :class:`ParamError` if there is none."""
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParamError(f"unknown parameter {name!r} (this mode has: {known})")

    def set(self, name: str, value: Any) -> str | None:
        """Coerce and store one value; return the reader-facing message, if any."""
        p = self.find(name)
        v, msg = p.coerce(value)
        if self.data.get(name) != v:
            self.data[name] = v
            self.version += 1
        return msg

    def __getitem__(self, name: str) -> Any:
        return self.data[name]
