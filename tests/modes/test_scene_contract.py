"""The contract every registered mode keeps, checked on every sub-mode.

Deterministic frames, plain-JSON output, palette-only colours, text inside
the canvas and not overlapping, telemetry with units, and bad parameters
answered with messages instead of exceptions.
"""
import json
import math

import pytest

from llmviz.core.palette import TOKENS
from llmviz.core.params import Choice, Flag, Number
from llmviz.registry import get_mode_class, mode_ids
from tooling import label_problems

TIMES = (0.0, 0.5, 1.7, 4.0, 9.3, 30.0)


def _cases():
    for mid in mode_ids():
        cls = get_mode_class(mid)
        for sub in cls.submodes or {"": None}:
            yield pytest.param(mid, sub, id=f"{mid}[{sub}]")


@pytest.mark.parametrize("mid,sub", list(_cases()))
def test_frames_are_deterministic_and_json(mid, sub):
    cls = get_mode_class(mid)
    a, b = cls(submode=sub or None), cls(submode=sub or None)
    for t in TIMES:
        fa, fb = a.frame(t), b.frame(t)
        ja = json.dumps(fa["scene"], allow_nan=False, sort_keys=True)
        assert ja == json.dumps(fb["scene"], allow_nan=False, sort_keys=True), f"t={t}"
        assert fa["telemetry"] == fb["telemetry"]
        json.dumps(fa, allow_nan=False)


@pytest.mark.parametrize("mid,sub", list(_cases()))
def test_scene_uses_palette_and_labels_fit(mid, sub):
    cls = get_mode_class(mid)
    m = cls(submode=sub or None)
    for t in TIMES:
        f = m.frame(t)
        for it in f["scene"]["items"]:
            for key in ("fill", "stroke"):
                if key in it:
                    assert it[key] in TOKENS, f"{it['k']} uses colour {it[key]!r}, not a palette token"
            for key, v in it.items():
                if isinstance(v, float):
                    assert math.isfinite(v), f"{it['k']}.{key} is not finite"
            if it["k"] == "text":
                assert it["s"].strip(), "empty label"
        assert not label_problems(f), f"t={t}: {label_problems(f)[:3]}"


@pytest.mark.parametrize("mid,sub", list(_cases()))
def test_telemetry_has_units_and_text(mid, sub):
    m = get_mode_class(mid)(submode=sub or None)
    tel = m.frame(2.0)["telemetry"]
    assert tel, "a mode shows its state in numbers"
    for e in tel:
        assert {"id", "label", "value", "text", "unit"} <= set(e)
        assert e["text"].strip()
        assert isinstance(e["value"], (int, float)) and math.isfinite(e["value"])


@pytest.mark.parametrize("mid", mode_ids())
def test_bad_parameters_get_messages_not_exceptions(mid):
    cls = get_mode_class(mid)
    m = cls()
    assert m.set("no_such_parameter", 1), "unknown parameter must be reported"
    for p in cls.params:
        if isinstance(p, Number):
            msg = m.set(p.name, p.hi * 10 + 10)
            assert msg and p.label in msg
            assert m[p.name] == (int(p.hi) if p.integer else p.hi)
            assert m.set(p.name, "banana")
            assert m[p.name] == p.default
        elif isinstance(p, Choice):
            assert m.set(p.name, "not-an-option")
            assert m[p.name] == p.default
        elif isinstance(p, Flag):
            assert m.set(p.name, "perhaps")
        m.frame(1.0)  # still draws after bad input
    assert m.select("no-such-view")


def _alternative(p):
    if isinstance(p, Number):
        return p.lo if p.default != p.lo else p.hi
    if isinstance(p, Choice):
        return next(v for v in p.values() if v != p.default)
    return not p.default


@pytest.mark.parametrize("mid,sub", list(_cases()))
def test_every_shown_control_changes_its_view(mid, sub):
    """Rubric axis 5: a control a view shows must change that view's picture."""
    cls = get_mode_class(mid)
    shown = cls.controls_of(sub) if sub else tuple(p.name for p in cls.params)
    before = json.dumps(cls(submode=sub or None).frame(3.0)["scene"], sort_keys=True)
    for name in shown:
        p = next(q for q in cls.params if q.name == name)
        m = cls(submode=sub or None)
        m.set(name, _alternative(p))
        after = json.dumps(m.frame(3.0)["scene"], sort_keys=True)
        assert before != after, f"view {sub!r} shows {name!r} but moving it changes nothing there"


@pytest.mark.parametrize("mid", mode_ids())
def test_every_parameter_is_shown_somewhere(mid):
    cls = get_mode_class(mid)
    shown = set()
    for sub in cls.submodes:
        shown.update(cls.controls_of(sub))
    assert shown >= {p.name for p in cls.params} or not cls.submodes


@pytest.mark.parametrize("mid", mode_ids())
def test_scene_stays_small(mid):
    """Bounded primitive count keeps frame() and its transfer cheap."""
    cls = get_mode_class(mid)
    for sub in cls.submodes or {"": None}:
        f = cls(submode=sub or None).frame(5.0)
        assert len(f["scene"]["items"]) < 2500
        assert len(json.dumps(f)) < 200_000


@pytest.mark.parametrize("mid", mode_ids())
def test_text_fonts_list_every_first_frame_font(mid):
    """The build hands the browser text_fonts() to resolve before the first frame:
    it must cover every view's frame at t = 0, the frame a reader sees first."""
    cls = get_mode_class(mid)
    fonts = cls.text_fonts()
    assert fonts == sorted(fonts) and len({tuple(f) for f in fonts}) == len(fonts)
    for sub in cls.submodes or {"": None}:
        for it in cls(submode=sub or None).frame(0.0)["scene"]["items"]:
            if it["k"] == "text":
                assert [it.get("font", "sans"), bool(it.get("bold")), it["size"]] in fonts, (sub, it["s"])
