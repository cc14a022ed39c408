"""Bad input and huge time jumps: messages instead of exceptions, bounded work, state kept on failure."""
import json
import math
import signal
from contextlib import contextmanager

import pytest

from llmviz import bridge
from llmviz.core.mode import EVENT_WINDOW_S, MAX_T
from llmviz.core.params import Number
from llmviz.registry import get_mode_class, mode_ids


def _views():
    for mid in mode_ids():
        for sub in get_mode_class(mid).submodes or {"": None}:
            yield pytest.param(mid, sub, id=f"{mid}[{sub}]")


@contextmanager
def hang_guard(seconds: int = 5):
    """Fail instead of hanging when work grows with a time jump (a guard, not a speed target)."""
    def boom(*_):
        raise TimeoutError(f"frame did not return within {seconds} s: work grows with t")
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("mid,sub", list(_views()))
def test_a_huge_time_jump_costs_one_ordinary_frame(mid, sub):
    m = get_mode_class(mid)(submode=sub or None)
    m.frame(0.0)
    with hang_guard():
        far = m.frame(1e12)
        again = m.frame(1e12 + 0.5)
        fresh = get_mode_class(mid)(submode=sub or None).frame(1e12)
    for f in (far, again, fresh):
        json.dumps(f, allow_nan=False)
        assert len(f["scene"]["items"]) <= 500
        assert len(f["console"]) <= 40, f"{len(f['console'])} console lines for one frame"
    assert "jumped" in far["console"][0]["text"]
    assert far["scene"] == fresh["scene"], "a jump and a fresh start at the same t draw the same frame"


def test_time_is_clamped_and_non_finite_time_becomes_zero_with_a_message():
    cls = get_mode_class(mode_ids()[0])
    m = cls()
    f = m.frame(math.nan)
    assert f["t"] == 0.0 and any("not a finite number" in c["text"] for c in f["console"])
    assert m.frame(math.inf)["t"] == MAX_T
    assert m.frame(-3.0)["t"] == 0.0
    assert json.loads(bridge.open_mode(mode_ids()[0]))["state"]
    assert json.loads(bridge.frame("nan"))["t"] == 0.0


def test_events_of_a_jump_cover_only_the_last_window():
    seen = []

    class Probe(get_mode_class(mode_ids()[0])):
        def events(self, t0, t1):
            seen.append((t0, t1))
            return []

    m = Probe()
    m.frame(1.0)
    m.frame(5e9)
    assert seen[-1] == (5e9 - EVENT_WINDOW_S, 5e9)


@pytest.mark.parametrize("value", [10 ** 400, -(10 ** 400), 2 ** 1024, math.inf, "9" * 500])
def test_numbers_beyond_a_double_clamp_with_a_message(value):
    p = Number("x", "Width", lo=1, hi=8, step=1, default=3, integer=True)
    v, msg = p.coerce(value)
    assert v in (1, 8) and msg and "Width" in msg and len(msg) < 200


def test_bridge_set_with_a_huge_integer_keeps_the_mode():
    mid = mode_ids()[0]
    bridge.open_mode(mid)
    p = next(q for q in get_mode_class(mid).params if isinstance(q, Number))
    ans = json.loads(bridge.set_param(p.name, 10 ** 400))
    assert "error" not in ans and ans["messages"]
    assert "error" not in json.loads(bridge.frame(1.0))


@pytest.mark.parametrize("values_json", ["[1, 2]", "7", "\"a\"", "{not json", "null"])
def test_select_with_values_that_are_not_an_object_is_a_message(values_json):
    mid = mode_ids()[0]
    cls = get_mode_class(mid)
    bridge.open_mode(mid)
    other = [s for s in cls.submodes if s != cls.default_submode][0]
    ans = json.loads(bridge.select(other, values_json))
    assert "error" not in ans
    assert ans["state"]["submode"] == other
    if values_json != "null":
        assert ans["messages"], values_json


def test_a_failing_select_leaves_view_and_values_as_they_were(monkeypatch):
    mid = mode_ids()[0]
    cls = get_mode_class(mid)
    bridge.open_mode(mid)
    before = json.loads(bridge.frame(1.0))
    state = bridge._current.state()
    other = [s for s in cls.submodes if s != cls.default_submode][0]

    def broken(self, values):
        raise RuntimeError("a bad trigger value")

    monkeypatch.setattr(cls, "apply", broken)
    ans = json.loads(bridge.select(other, "{}"))
    assert "error" in ans
    monkeypatch.undo()
    assert bridge._current.state() == state
    after = json.loads(bridge.frame(1.0))
    assert after["scene"] == before["scene"]
