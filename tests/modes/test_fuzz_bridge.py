"""The bridge under fuzzing: a bounded, seeded sample of hostile calls (tools/fuzz_bridge.py;
its --full run covers every mode, view, parameter and hostile value)."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import fuzz_bridge  # noqa: E402


@pytest.mark.parametrize("seed", [0, 1])
def test_hostile_calls_give_messages_valid_frames_and_the_same_answers_twice(seed):
    report = fuzz_bridge.sample(calls=2500, seed=seed)
    assert report.frames > 300
    assert report.problems == []


def test_every_hostile_value_reaches_the_bridge_as_a_reader_could_send_it():
    assert len(fuzz_bridge.HOSTILE) == 39 and len(fuzz_bridge.TIMES) == 8
    kinds = {type(v) for v in fuzz_bridge.HOSTILE}
    assert {type(None), bool, int, float, str, list, dict} <= kinds


@pytest.mark.parametrize("answer,is_frame,found", [
    ('{"error": "ZeroDivisionError"}', True, "error"),
    ('{"scene": {"items": [1, 2]}, "t": NaN}', True, "not strict JSON"),
    (json.dumps({"scene": {"items": [0] * 501}}), True, "501 primitives"),
    (json.dumps({"scene": {"items": []}, "pad": "x" * 70_000}), True, "KB of JSON"),
    ('{"messages": []}', False, "without state"),
    ("[]", False, "not an object"),
])
def test_the_checker_catches_each_kind_of_bad_answer(answer, is_frame, found):
    report = fuzz_bridge.Report()
    fuzz_bridge._check(report, "case", answer, is_frame)
    assert len(report.problems) == 1 and found in report.problems[0]
