"""The training-dynamics workshop: what each view shows is the mechanism the chapter teaches."""
import json
import math

import pytest

from llmviz.modes.part01_networks.training import (CURVE_STEPS, EVAL, FLOOR, PASS_S, SWEEP_LRS, SWEEP_STEPS,
                                                   TrainingMode, steps_at, sweep_steps_at, time_of_step)

END = time_of_step(CURVE_STEPS) + 1.0


def tel(frame: dict) -> dict:
    return {e["id"]: e["value"] for e in frame["telemetry"]}


def curves(t: float, **values) -> dict:
    m = TrainingMode(submode="curves")
    for k, v in values.items():
        assert m.set(k, v) is None
    return tel(m.frame(t))


# -- curves -------------------------------------------------------------------------------------------


def test_the_clock_reaches_every_step_and_stops():
    assert steps_at(0) == 0 and steps_at(1.0) == 24 and steps_at(END) == CURVE_STEPS
    for k in (1, 100, 999):
        assert steps_at(time_of_step(k) + 1e-9) >= k > steps_at(time_of_step(k) - 1e-3)


def test_the_default_run_learns_and_then_overfits():
    """Seed 3, 32 units, η 0.01, batches of 4 of 12 points: the training loss falls over 500-fold."""
    start, end = curves(0.0), curves(END)
    assert end["step"] == CURVE_STEPS
    assert start["train"] / end["train"] > 500
    # the validation loss bottoms out early and rises again: the gap the chapter names
    assert end["best_step"] < 300 and end["val"] > 1.5 * end["best_val"]
    assert end["train"] < FLOOR < end["best_val"]
    assert end["gap"] == pytest.approx(end["val"] - end["train"])
    assert end["epochs"] == pytest.approx(CURVE_STEPS * 4 / 12)


def test_more_data_and_weight_decay_close_the_gap():
    base = curves(END)
    assert curves(END, points=48)["gap"] < 0.1 * base["gap"]
    decayed = curves(END, decay=0.3)
    assert decayed["gap"] < 0.1 * base["gap"] and decayed["train"] > FLOOR
    too_much = curves(END, decay=1.0)
    assert too_much["train"] > 2 * FLOOR and too_much["val"] > base["best_val"]


def test_a_narrow_network_underfits_and_a_full_batch_overfits_more():
    narrow = curves(END, width=4)
    assert narrow["train"] > FLOOR and abs(narrow["gap"]) < 0.05
    assert curves(END, batch=12)["val"] > curves(END)["val"]


def test_playing_frame_by_frame_equals_jumping():
    played = TrainingMode(submode="curves")
    for i in range(0, 400):
        f = played.frame(i / 30)
    jumped = TrainingMode(submode="curves").frame(399 / 30)
    assert json.dumps(f["scene"], sort_keys=True) == json.dumps(jumped["scene"], sort_keys=True)
    assert tel(f) == tel(jumped)


def test_a_batch_larger_than_the_training_set_is_the_whole_set():
    assert curves(END, batch=40) == curves(END, batch=12)
    m = TrainingMode(submode="curves")
    assert "Learning rate" in m.set("lr", 5.0) and m["lr"] == 1.0


def test_the_panel_narrates_overfitting():
    m = TrainingMode(submode="curves")
    texts = " ".join(it["s"] for it in m.frame(END)["scene"]["items"] if it["k"] == "text")
    assert "below the noise floor" in texts and "lowest validation" in texts
    events = []
    m2 = TrainingMode(submode="curves")
    for t in range(0, int(END) + 2):
        events += [e["text"] for e in m2.frame(float(t))["console"]]
    assert any(e.startswith("step 1,000:") for e in events)


# -- sweep --------------------------------------------------------------------------------------------


def sweep_end(batch: int) -> dict:
    m = TrainingMode(submode="sweep")
    m.set("batch", batch)
    return tel(m.frame(SWEEP_STEPS / 30 + 1))


def test_the_sweep_finds_a_u():
    end = sweep_end(12)
    assert end["step"] == SWEEP_STEPS and sweep_steps_at(1.0) == 30
    best = end["best_loss"]
    assert end["best_lr"] not in (SWEEP_LRS[0], SWEEP_LRS[-1])
    assert end["loss_0"] > 10 * best and end[f"loss_{len(SWEEP_LRS) - 1}"] > 10 * best


def test_smaller_batches_want_smaller_learning_rates():
    assert sweep_end(1)["best_lr"] < sweep_end(12)["best_lr"]


# -- norm ---------------------------------------------------------------------------------------------


def norm(**values) -> dict:
    m = TrainingMode(submode="norm")
    for k, v in values.items():
        m.set(k, v)
    return tel(m.frame(0.0))


def test_scaling_changes_neither_norm_and_shifting_only_rmsnorm():
    base, big, shifted, tiny = norm(), norm(scale=1000), norm(shift=2), norm(scale=0.001)
    assert base["ln_rms"] == pytest.approx(1, abs=1e-4) and base["rn_rms"] == pytest.approx(1, abs=1e-4)
    # ε = 1e-5 costs the unscaled vector about 4e-6 of its size; scaled by 1,000 the cost vanishes
    assert big["ln_rms"] == pytest.approx(base["ln_rms"], abs=1e-5)
    assert big["rn_rms"] == pytest.approx(base["rn_rms"], abs=1e-5)
    assert big["rms"] == pytest.approx(1000 * base["rms"])
    assert shifted["rn_mean"] > 0.8 and shifted["ln_rms"] == pytest.approx(base["ln_rms"], abs=1e-4)
    assert tiny["rn_rms"] < 0.35 and tiny["ln_rms"] < 0.35


def test_the_probe_walks_the_entries():
    m = TrainingMode(submode="norm")
    labels = [next(it["s"] for it in m.frame(t)["scene"]["items"] if it["k"] == "text" and it["s"].startswith("LayerNorm:"))
              for t in (0.0, 1.3, 2.5)]
    assert len(set(labels)) == 3


# -- depth --------------------------------------------------------------------------------------------


def depth(block: str, blocks: int = 16, t: float = 2 * PASS_S + 0.5) -> dict:
    m = TrainingMode(submode="depth")
    m.set("block", block)
    m.set("depth", blocks)
    return m.frame(t)


def test_plain_blocks_shrink_the_gradient_and_residual_blocks_do_not():
    plain = tel(depth("plain"))
    assert plain["ratio"] < 1e-4 and plain["act_top"] < plain["loss"]
    assert tel(depth("plain", 32))["ratio"] < 1e-9
    for block in ("residual", "prenorm"):
        assert 0.1 < tel(depth(block))["ratio"] < 10
    assert tel(depth("residual"))["act_top"] > tel(depth("prenorm"))["act_top"] > 1


def test_the_passes_animate_up_then_down():
    bars = lambda f, colour: sum(1 for it in f["scene"]["items"] if it["k"] == "rect" and it.get("fill") == colour)
    early, mid, done = depth("plain", t=0.1), depth("plain", t=PASS_S + 0.05), depth("plain")
    assert bars(early, "accent") == 1 and bars(early, "accent2") == 0
    assert bars(mid, "accent") == 17 and bars(mid, "accent2") == 0
    assert bars(done, "accent") == 17 and bars(done, "accent2") == 16
    assert any("block 1 / gradient at block 16" in it["s"] for it in done["scene"]["items"] if it["k"] == "text")


def test_every_view_is_deterministic_and_small():
    for sub in TrainingMode.submodes:
        a, b = TrainingMode(submode=sub).frame(7.7), TrainingMode(submode=sub).frame(7.7)
        assert a["scene"] == b["scene"] and len(a["scene"]["items"]) <= 500
        assert len(json.dumps(a)) < 64_000
        assert all(math.isfinite(e["value"]) for e in a["telemetry"])


def _triggers():
    import re
    from pathlib import Path
    src = (Path(__file__).resolve().parents[2] / "chapters" / "p01-c05-training.md").read_text(encoding="utf-8")
    for target in re.findall(r"\{vis\}`[^`<]*<([^>]+)>`", src):
        sub, _, query = target.partition("?")
        values = dict(kv.split("=") for kv in query.split("&")) if query else {}
        yield pytest.param(sub, values, id=target)


@pytest.mark.parametrize("sub,values", list(_triggers()))
def test_every_trigger_lands_on_a_legible_state(sub, values):
    from tooling import label_problems

    m = TrainingMode(submode=sub)
    assert m.apply(values) == []
    for t in (0.0, 2.0, 6.5, 40.0):
        f = m.frame(t)
        assert not label_problems(f), (t, label_problems(f)[:3])
        assert len(f["scene"]["items"]) <= 500
