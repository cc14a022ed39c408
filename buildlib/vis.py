"""``{vis}`phrase <target>``` triggers: parsing the target and checking it against a mode.

A target is ``view``, ``view?param=value&…`` or ``?param=value&…``. The view
must be one of the mode's sub-modes and each parameter one it declares, with
a value its control accepts (in range, a known option, on/off), so a trigger
never sends the simulation something it would have to clamp.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

_TRIGGER = re.compile(r"^(?P<phrase>.*?)\s*<(?P<target>[^<>]*)>\s*$", re.S)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class TargetError(ValueError):
    """A trigger target the mode cannot honour; the message is for the chapter's author."""


@dataclass(frozen=True)
class Trigger:
    phrase: str
    submode: str
    values: dict

    def query(self) -> str:
        """The route query (``view=grow&context=4096``) that opens this state."""
        parts = [f"view={quote(self.submode, safe='')}"] if self.submode else []
        parts += [f"{quote(k, safe='')}={quote(_fmt(v), safe='')}" for k, v in self.values.items()]
        return "&".join(parts)


def parse_trigger(content: str, describe: dict) -> Trigger:
    """Parse ``phrase <target>`` and check the target against ``describe`` (a mode's declaration)."""
    m = _TRIGGER.match(content)
    if not m or not m.group("phrase").strip():
        raise TargetError(f"vis-trigger {content!r} needs a phrase and a target: {{vis}}`phrase <view>`")
    phrase, target = m.group("phrase").strip(), m.group("target").strip()
    submode, _, query = target.partition("?")
    views = list(describe.get("submodes", {}))
    params = {p["name"]: p for p in describe.get("params", [])}
    where = f"(views: {', '.join(views) or 'none'}; parameters: {', '.join(params) or 'none'})"
    if not target or (submode and submode not in views) or (not submode and not query):
        raise TargetError(f"unknown vis-trigger target {target!r} {where}")
    values = {}
    pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False) if query else []
    if query and not pairs:
        raise TargetError(f"unknown vis-trigger target {target!r} {where}")
    for name, raw in pairs:
        if name not in params:
            raise TargetError(f"unknown parameter {name!r} in vis-trigger target {target!r} {where}")
        values[name] = _value(params[name], raw, target)
    return Trigger(phrase, submode, values)


def _value(p: dict, raw: str, target: str):
    kind = p.get("kind")
    if kind == "number":
        try:
            x = float(raw)
        except ValueError:
            raise TargetError(f"{p['name']}={raw!r} in vis-trigger target {target!r} is not a number") from None
        if not p["lo"] <= x <= p["hi"]:
            raise TargetError(f"{p['name']}={raw} in vis-trigger target {target!r} is outside "
                              f"{_fmt(p['lo'])}..{_fmt(p['hi'])}")
        if p.get("integer"):
            if not x.is_integer():
                raise TargetError(f"{p['name']}={raw} in vis-trigger target {target!r} must be a whole number")
            return int(x)
        return int(x) if x.is_integer() else x
    if kind == "choice":
        options = [o[0] for o in p.get("options", [])]
        if raw not in options:
            raise TargetError(f"{p['name']}={raw!r} in vis-trigger target {target!r} is not an option "
                              f"({', '.join(options)})")
        return raw
    if kind == "flag":
        s = raw.strip().lower()
        if s in _TRUE or s in _FALSE:
            return s in _TRUE
        raise TargetError(f"{p['name']}={raw!r} in vis-trigger target {target!r} must be on or off")
    return raw


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
