"""The built llmviz wheel in Pyodide under Node: the browser's Python path, without a browser.

One Node run boots Pyodide from node_modules, installs the wheel the build
writes (unpackArchive, as the page's worker does), opens every registered
mode in every view, renders frames, and drives the bridge's fault paths.
The tests below judge its report.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tooling import missing_tool

ROOT = Path(__file__).resolve().parents[2]
PYODIDE = ROOT / "node_modules" / "pyodide"
SCRIPT = Path(__file__).with_name("bridge_in_pyodide.mjs")

pytestmark = pytest.mark.node

# Pyodide runs pure Python roughly 20-50x slower than CPython; a frame must
# still fit in a 60 fps animation loop with room to paint.
WARM_FRAME_BUDGET_MS = 16.0


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if not shutil.which("node"):
        missing_tool("node is not installed")
    if not (PYODIDE / "pyodide.mjs").exists():
        missing_tool("node_modules/pyodide is missing (run npm ci)")
    sys.path.insert(0, str(ROOT))
    from buildlib.wheel import write_wheel

    wheel = write_wheel(ROOT / "py", tmp_path_factory.mktemp("wheel"))
    run = subprocess.run(["node", str(SCRIPT), str(PYODIDE), str(wheel), "6"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    return json.loads(run.stdout)


def test_wheel_boots_in_pyodide(report):
    assert report["python"].startswith("3."), report["python"]
    assert report["modes"], "the wheel registers no modes"


def test_every_mode_opens_and_draws_in_every_view(report):
    for mid, m in report["modes"].items():
        assert m["error"] is None, f"{mid}: {m['error']}"
        assert m["views"], f"{mid}: no view rendered"
        for view, v in m["views"].items():
            assert "error" not in v["select"], f"{mid}[{view}]: {v['select']}"
            assert v["select"]["state"]["submode"] == view
            for f in v["frames"]:
                assert "error" not in f, f"{mid}[{view}] t={f.get('t')}: {f.get('error')}"
                assert f["items"] > 0, f"{mid}[{view}] t={f['t']}: empty scene"
                assert [f["w"], f["h"]] == m["describe"]["size"]
                assert f["telemetry"], f"{mid}[{view}]: no telemetry"
                for e in f["telemetry"]:
                    assert e["label"] and e["text"], f"{mid}[{view}]: telemetry entry {e}"
            # Time must show: some frame of the sequence differs from the first.
            digests = {f["digest"] for f in v["frames"]} | {json.dumps(f["telemetry"]) for f in v["frames"]}
            assert len(digests) > 1, f"{mid}[{view}]: nothing changes over time"


def test_frames_fit_the_animation_budget_in_pyodide(report):
    slow = {f"{mid}[{view}]": round(v["warmFrameMs"], 2)
            for mid, m in report["modes"].items() for view, v in m["views"].items()
            if v["warmFrameMs"] > WARM_FRAME_BUDGET_MS}
    assert not slow, f"frames slower than {WARM_FRAME_BUDGET_MS} ms in Pyodide: {slow}"


def test_bad_parameters_answer_with_messages(report):
    for mid, m in report["modes"].items():
        assert m["error"] is None, f"{mid}: {m['error']}"
        for p in m["describe"]["params"]:
            r = m["badParams"][p["name"]]
            assert "error" not in r, f"{mid}.{p['name']}: {r}"
            assert r["messages"], f"{mid}.{p['name']}: a bad value gave no message"
            if p["kind"] == "number":
                assert r["value"] == p["hi"], f"{mid}.{p['name']}: not clamped to {p['hi']}: {r['value']}"
            else:
                assert r["value"] == p["default"]


def test_faults_are_contained(report):
    f = report["faults"]
    assert "unknown mode" in f["unknownMode"]["error"]
    assert "no simulation is open" in f["frameAfterFailedOpen"]["error"]
    assert "error" in f["describeUnknown"]
    assert "ZeroDivisionError" in f["brokenFrame"]["error"]
    assert "error" not in f["brokenOpen"]
    assert f["recoverFrame"].get("items", 0) > 0, f["recoverFrame"]


def test_reader_input_is_clamped_or_reported(report):
    f = report["faults"]
    opened = f["outOfRangeOnOpen"]
    assert "error" not in opened, opened
    msgs = " ".join(opened["messages"])
    assert "clamped" in msgs and "no-such-view" in msgs, msgs
    name = f["outOfRangeParam"]
    hi = next(p["hi"] for p in opened["describe"]["params"] if p["name"] == name)
    assert opened["state"]["values"][name] == hi
    assert "no_such_param" in " ".join(f["unknownParam"]["messages"])
    assert "no-such-view" in " ".join(f["unknownView"]["messages"])
    # Malformed values JSON is a reader's bad input like any other: a message, the state kept.
    assert "error" not in f["badValuesJson"]
    assert "not valid JSON" in " ".join(f["badValuesJson"]["messages"])
    assert "error" not in f["frameAfterBadInput"]
