"""The KV-cache workshop: its numbers are the calculators', its animation is where it should be."""

import pytest

from llmviz.calc.decode import decode_step_lower_bound
from llmviz.calc.kv_cache import kv_cache_bytes, kv_cache_bytes_per_token
from llmviz.calc.kv_fit import max_batch_that_fits, max_context_that_fits
from llmviz.calc.model_size import weight_bytes
from llmviz.catalog import GPUS, MODELS
from llmviz.modes.part05_inference import kv_cache as mod
from llmviz.modes.part05_inference.kv_cache import KVCacheMode, fmt_tokens
from tooling import label_problems


def tel(frame):
    return {e["id"]: e for e in frame["telemetry"]}


def items(frame, kind):
    return [it for it in frame["scene"]["items"] if it["k"] == kind]


def texts(frame):
    return [it["s"] for it in items(frame, "text")]


@pytest.mark.parametrize("values", [
    {},
    {"model": "opt-13b", "gpu": "a100-80gb-sxm", "context": 2048, "batch": 16},
    {"model": "llama-2-70b", "gpus": 2, "kv_dtype": "fp8", "context": 4096, "batch": 32},
    {"model": "mistral-7b", "context": 32768, "batch": 100},
])
def test_telemetry_is_the_calculators(values):
    m = KVCacheMode(submode="memory", values=values)
    t = tel(m.frame(3.0))
    name, gpu, n, b, kvd = m["model"], m["gpu"], m["gpus"], m["batch"], m["kv_dtype"]
    ctx = min(m["context"], MODELS[name].max_context)
    assert t["per_token"]["value"] == kv_cache_bytes_per_token(name, kvd)
    assert t["cache"]["value"] == kv_cache_bytes(name, ctx, b, kvd)
    assert t["weights"]["value"] == weight_bytes(name, "bf16")
    assert t["hbm"]["value"] == GPUS[gpu].hbm_bytes * n
    assert t["max_context"]["value"] == max_context_that_fits(name, gpu, n, b, kvd)
    assert t["max_batch"]["value"] == max_batch_that_fits(name, gpu, n, ctx, kvd)


def test_decode_floor_matches_the_decode_calculator_on_one_gpu():
    m = KVCacheMode(submode="memory", values={"model": "llama-3-8b", "context": 4096, "batch": 8})
    t = tel(m.frame(1.0))
    want = decode_step_lower_bound("llama-3-8b", "h100-sxm", "bf16", 8, 4096)
    assert t["decode_floor"]["value"] == pytest.approx(want)
    kv_read = kv_cache_bytes("llama-3-8b", 4096, 8) / GPUS["h100-sxm"].hbm_bytes_per_s
    assert t["kv_share"]["value"] == pytest.approx(kv_read / want)


def test_context_is_capped_at_the_models_maximum():
    m = KVCacheMode(submode="memory", values={"model": "opt-13b", "context": 100_000, "batch": 1})
    f = m.frame(2.0)
    assert tel(f)["cache"]["value"] == kv_cache_bytes("opt-13b", 2048, 1)
    assert "OPT-13B stops at 2K tokens" in texts(f)
    assert tel(m.frame(mod.SWEEP_S))["context_now"]["value"] == 2048


def test_model_choices_are_every_catalog_model_with_attention():
    names = dict(KVCacheMode.params[0].options)
    assert "mamba-2.8b" not in names
    assert set(names) == {k for k, v in MODELS.items() if v.attention_layers}
    assert set(mod.COMPARE) <= set(names)


# -- grow / nocache ------------------------------------------------------------------

def test_timeline_prefill_then_one_token_per_step_then_loop():
    assert KVCacheMode.timeline(0.0)[:2] == ("prefill", mod.PROMPT)
    phase, n, step, p = KVCacheMode.timeline(mod.PREFILL_S + 2.5 * mod.STEP_S)
    assert (phase, n, step) == ("decode", mod.PROMPT + 3, 3) and p == pytest.approx(0.5)
    assert KVCacheMode.timeline(mod.PERIOD_S - 0.1)[:2] == ("hold", mod.PROMPT + mod.DECODE_STEPS)
    again, first = KVCacheMode.timeline(mod.PERIOD_S + 0.3), KVCacheMode.timeline(0.3)
    assert again[:3] == first[:3] and again[3] == pytest.approx(first[3])


def _filled_columns(grid):
    cols = grid["cols"]
    return sum(1 for c in range(cols) if grid["v"][c] is not None)


def test_each_decode_step_adds_one_column_in_every_drawn_grid():
    m = KVCacheMode(submode="grow")
    for step in (1, 2, 7):
        t = mod.PREFILL_S + (step - 1 + 0.6) * mod.STEP_S
        f = m.frame(t)
        gs = items(f, "grid")
        # Llama 3 8B: three drawn attention layers, a K and a V grid each, one row per KV head
        assert len(gs) == 6
        assert all(g["rows"] == 8 for g in gs)
        assert all(_filled_columns(g) == mod.PROMPT + step for g in gs)
        # the newest column is the darkest value
        assert all(g["v"][mod.PROMPT + step - 1] == mod.NEW_V for g in gs)
        assert tel(f)["tokens"]["value"] == mod.PROMPT + step
        assert tel(f)["vectors_step"]["value"] == 2 * 32 * 8


def test_long_runs_scroll_and_keep_the_newest_column_last():
    m = KVCacheMode(submode="grow")
    f = m.frame(mod.PREFILL_S + 30.2 * mod.STEP_S)
    n = mod.PROMPT + 31
    g = items(f, "grid")[0]
    assert _filled_columns(g) == mod.VIS_COLS
    assert g["v"][mod.VIS_COLS - 1] == mod.NEW_V
    assert f"{n - mod.VIS_COLS} older ←" in texts(f)


def test_without_a_cache_every_column_is_recomputed_each_step():
    m = KVCacheMode(submode="nocache")
    base = mod.PREFILL_S + 4 * mod.STEP_S           # step 5 starts: token PROMPT + 5
    n = mod.PROMPT + 5


    def recomputed(f):
        """Columns the step has recomputed: the filled ones left of the blanking rectangle."""
        g = items(f, "grid")[0]
        blank = [r for r in items(f, "rect") if r.get("fill") == "panel" and r["y"] == g["y"]]
        hidden = round(blank[0]["w"] / mod.COL_W) if blank else 0
        return _filled_columns(g) - hidden

    early, late = recomputed(m.frame(base + 0.05 * mod.STEP_S)), recomputed(m.frame(base + 0.95 * mod.STEP_S))
    assert 1 <= early < late == n
    t = tel(m.frame(base + 0.5 * mod.STEP_S))
    assert t["vectors_step"]["value"] == n * 2 * 32 * 8


def test_mixed_stacks_draw_one_layer_of_each_kind():
    jamba = MODELS["jamba-v0.1"]
    layers = KVCacheMode.drawn_layers(jamba)
    kinds = {jamba.layer_kinds()[i] for i in layers}
    assert kinds == {"ssm", "attn"}
    f = KVCacheMode(values={"model": "jamba-v0.1"}).frame(3.0)
    assert len(items(f, "grid")) == 4              # two attention layers drawn, K and V each
    assert any(s.startswith("Mamba layer") for s in texts(f))
    oss = MODELS["gpt-oss-120b"]
    assert {oss.layer_kinds()[i] for i in KVCacheMode.drawn_layers(oss)} == {"attn", "attn_local"}


def test_mla_draws_one_latent_per_layer():
    f = KVCacheMode(values={"model": "deepseek-v2"}).frame(3.0)
    assert all(g["rows"] == 1 for g in items(f, "grid"))
    assert any("(512 + 64) numbers × 2 bytes = 67.5 KiB" in s for s in texts(f))


# -- memory --------------------------------------------------------------------------

def test_memory_sweep_reaches_the_slider_and_reports_the_crossing():
    m = KVCacheMode(submode="memory")          # Llama 3 8B, one H100, batch 64, 8K tokens
    assert tel(m.frame(0.0))["context_now"]["value"] == 1
    assert tel(m.frame(mod.SWEEP_S))["context_now"]["value"] == 8192
    edge = max_context_that_fits("llama-3-8b", "h100-sxm", 1, 64)
    assert edge == 7622
    m2 = KVCacheMode(submode="memory")
    log = []
    for i in range(0, 121):
        log += m2.frame(i * 0.1)["console"]
    crossings = [e["text"] for e in log if e["level"] == "warn"]
    assert len(crossings) == 1 and crossings[0].startswith(f"token {edge + 1:,}:")
    end = m2.frame(20.0)
    assert "does not fit" in texts(end)
    assert f"full past {edge:,} tokens" in texts(end)


def test_memory_bar_turns_red_only_above_hbm():
    fit = KVCacheMode(submode="memory", values={"batch": 8}).frame(30.0)
    over = KVCacheMode(submode="memory", values={"batch": 64}).frame(30.0)
    assert "fits" in texts(fit) and not any(r.get("fill") == "bad" for r in items(fit, "rect"))
    assert any(r.get("fill") == "bad" for r in items(over, "rect"))


def test_weights_that_do_not_fit_say_so():
    f = KVCacheMode(submode="memory", values={"model": "llama-2-70b"}).frame(10.0)
    assert tel(f)["max_context"]["value"] == 0
    assert any(s.startswith("The weights alone (138 GB) exceed 80 GB") for s in texts(f))
    # two H100s hold the weights and leave room for cache
    f2 = KVCacheMode(submode="memory", values={"model": "llama-2-70b", "gpus": 2}).frame(10.0)
    assert tel(f2)["max_context"]["value"] > 0


# -- compare -------------------------------------------------------------------------

def test_compare_bars_are_proportional_to_each_models_cache():
    m = KVCacheMode(submode="compare", values={"context": 4096})
    f = m.frame(30.0)
    bars = [r for r in items(f, "rect") if r["x"] == mod.CMP_BAR_X and r.get("fill") in ("accent", "accent2")]
    rows = m._compare_rows()
    assert len(bars) == len(rows)
    widths = {r["m"].name: b["w"] for r, b in zip(rows, bars)}
    want = {n: kv_cache_bytes(n, min(4096, MODELS[n].max_context)) for n in widths}
    # MHA OPT-13B at its 2,048-token maximum vs GQA Llama 2 70B at 4,096
    assert widths["opt-13b"] / widths["llama-2-70b"] == pytest.approx(want["opt-13b"] / want["llama-2-70b"])
    assert widths["llama-2-13b"] / widths["mistral-7b"] == pytest.approx(
        want["llama-2-13b"] / want["mistral-7b"])
    assert "800 KiB · 1.68 GB · max 2K" in texts(f)


def test_compare_narrates_windows_and_limits_and_adds_the_chosen_model():
    m = KVCacheMode(submode="compare", values={"context": 32768, "model": "jamba-v0.1"})
    assert "jamba-v0.1" in [r["m"].name for r in m._compare_rows()]
    log = []
    for i in range(0, 100):
        log += [e["text"] for e in m.frame(i * 0.1)["console"]]
    assert any(s.startswith("Mistral 7B: 4,096-token window full") for s in log)
    assert any(s.startswith("OPT-13B reaches its 2K-token maximum") for s in log)


# -- labels and cost -----------------------------------------------------------------

@pytest.mark.parametrize("model", [k for k, v in MODELS.items() if v.attention_layers])
def test_every_model_lays_out_cleanly_in_every_view(model):
    extremes = ({}, {"gpu": "b200", "gpus": 8, "batch": 1, "context": 1 << 20, "kv_dtype": "fp8"},
                {"context": 100, "batch": 256})
    for sub in KVCacheMode.submodes:
        for extra in extremes:
            m = KVCacheMode(submode=sub, values={"model": model, **extra})
            for t in (0.0, 1.7, 4.0, 9.3, 36.0):
                assert not label_problems(m.frame(t)), (model, sub, extra, t)


def test_token_counts_read_like_context_lengths():
    assert [fmt_tokens(n) for n in (8192, 131072, 1 << 20, 7622, 100)] == ["8K", "128K", "1M", "7,622", "100"]


# -- what each view shows ------------------------------------------------------------

def test_grow_counts_vectors_with_and_without_a_cache():
    m = KVCacheMode(submode="grow")
    vec = 2 * 32 * 8
    for step in (1, 5, 20):
        f = m.frame(mod.PREFILL_S + (step - 0.5) * mod.STEP_S)
        n = mod.PROMPT + step
        t = tel(f)
        assert t["vectors_with"]["value"] == n * vec
        # prefill computes the prompt once; decode step k recomputes all PROMPT + k tokens
        assert t["vectors_without"]["value"] == (mod.PROMPT + sum(mod.PROMPT + k for k in range(1, step + 1))) * vec
        assert t["held"]["value"] == n * kv_cache_bytes_per_token("llama-3-8b")
    assert tel(KVCacheMode(submode="nocache").frame(5.0))["held"]["value"] == 0


def test_views_show_only_their_own_controls_and_numbers():
    assert KVCacheMode.controls_of("grow") == ("model", "kv_dtype")
    assert KVCacheMode.controls_of("nocache") == ("model", "kv_dtype")
    assert set(KVCacheMode.controls_of("memory")) == {p.name for p in KVCacheMode.params}
    # one sequence decoding says nothing about GPUs, batches or HBM
    for sub in ("grow", "nocache", "compare"):
        ids = set(tel(KVCacheMode(submode=sub).frame(3.0)))
        assert not ids & {"hbm", "max_batch", "max_context", "decode_floor"}, sub
    t = tel(KVCacheMode(submode="compare", values={"context": 32768}).frame(mod.SWEEP_S))
    assert t["largest_now"]["value"] == kv_cache_bytes("llama-3.1-405b", 32768)
    assert t["cache_now"]["value"] == kv_cache_bytes("llama-3-8b", 8192)


def test_memory_chart_is_linear_in_context():
    """The cache is B·T·bytes per token: on the chart a straight line from the weights up."""
    m = KVCacheMode(submode="memory", values={"batch": 8})
    lay = m._memory_layout()
    fy = lay["fy"]
    w = weight_bytes("llama-3-8b", "bf16")
    for frac in (0.25, 0.5, 0.75):
        f = m.frame(frac * mod.SWEEP_S)
        now = tel(f)["context_now"]["value"]
        assert now == round(frac * 8192)
        dot = items(f, "circle")[0]
        assert dot["x"] == pytest.approx(mod.CH_X + frac * mod.CH_W)
        assert dot["y"] == pytest.approx(fy(w + 8 * now * 131072))
    # a sliding window bends the line once, at the window
    mis = KVCacheMode(submode="memory", values={"model": "mistral-7b", "context": 32768})
    assert mis._memory_layout()["ks"] == [0, 4096, 32768]


def test_token_axis_ticks():
    assert KVCacheMode.token_ticks(8192) == [0, 2048, 4096, 6144, 8192]
    assert KVCacheMode.token_ticks(131072) == [0, 32768, 65536, 98304, 131072]
    assert KVCacheMode.token_ticks(7622) == [0, 1024, 2048, 3072, 4096, 5120, 6144, 7622]
    assert KVCacheMode.token_ticks(1) == [0, 1]
