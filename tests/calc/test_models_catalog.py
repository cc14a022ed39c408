"""The model catalog: names, structure of each entry, layer patterns read from config.json."""
import pytest

from llmviz.catalog.models import (
    ATTN, ATTN_LOCAL, DENSE, MLA, MODELS, MOE, NO_FFN, SSM, Mamba, ModelConfig, MoE,
    get_model, iter_models,
)

REQUIRED = ["opt-13b", "llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3-8b", "llama-3-70b",
            "mistral-7b", "mixtral-8x7b", "deepseek-v2", "deepseek-v3", "jamba-v0.1",
            "qwen3-235b-a22b", "gpt-oss-120b"]
NEWER = ["llama-4-scout", "llama-4-maverick", "kimi-k2", "deepseek-r1", "qwen3-30b-a3b",
         "qwen3-32b", "gpt-oss-20b"]


@pytest.mark.parametrize("name", REQUIRED + NEWER)
def test_named_models_are_in_the_catalog(name):
    assert get_model(name) is MODELS[name]
    assert get_model(name).name == name


@pytest.mark.parametrize("m", list(MODELS.values()), ids=list(MODELS))
def test_every_entry_is_complete_and_cites_a_config_file(m):
    assert m.source.startswith("https://huggingface.co/") and m.source.endswith("/config.json")
    assert m.display_name and m.family
    year, month = m.release.split("-")
    assert 2022 <= int(year) <= 2026 and 1 <= int(month) <= 12
    assert min(m.layers, m.hidden, m.vocab, m.max_context) > 0
    assert len(m.layer_kinds()) == len(m.ffn_layer_kinds()) == m.layers
    assert m.attention_layers + m.ssm_layers == m.layers
    if m.attention_layers:
        assert m.heads % m.kv_heads == 0 and m.head_dim > 0
    if m.is_moe:
        assert 0 < m.moe.active_experts < m.moe.experts and m.moe.expert_ffn > 0


def test_catalog_is_in_release_order():
    releases = [m.release for m in MODELS.values()]
    assert releases == sorted(releases)
    assert [m.name for m in iter_models()] == list(MODELS)


def test_iter_models_filters_by_family():
    llamas = [m.name for m in iter_models("Llama")]
    assert "llama-2-70b" in llamas and "llama-4-maverick" in llamas
    assert all(MODELS[n].family == "Llama" for n in llamas)
    assert "mixtral-8x7b" not in llamas


@pytest.mark.parametrize("name, kind", [
    ("opt-13b", "MHA"), ("llama-2-7b", "MHA"), ("llama-2-70b", "GQA"), ("llama-3-8b", "GQA"),
    ("mistral-7b", "GQA"), ("deepseek-v2", "MLA"), ("deepseek-v3", "MLA"), ("kimi-k2", "MLA"),
    ("qwen3-235b-a22b", "GQA"), ("gpt-oss-120b", "GQA"), ("jamba-v0.1", "GQA"),
    ("mamba-2.8b", "none"),
])
def test_attention_kind_follows_the_head_counts(name, kind):
    # Llama 2 paper §2.2: only the 34B and 70B use grouped-query attention.
    assert get_model(name).attention_kind == kind


def test_jamba_interleaves_one_attention_layer_in_eight_and_moe_every_other_layer():
    # config.json: attn_layer_period 8, attn_layer_offset 4, expert_layer_period 2, offset 1.
    m = get_model("jamba-v0.1")
    kinds = m.layer_kinds()
    assert [i for i, k in enumerate(kinds) if k == ATTN] == [4, 12, 20, 28]
    assert kinds.count(SSM) == 28 and m.is_hybrid
    assert m.moe_layers() == tuple(range(1, 32, 2))
    assert m.dense_layers() == tuple(range(0, 32, 2))


def test_deepseek_keeps_the_first_layers_dense():
    # first_k_dense_replace: 1 in DeepSeek-V2 and Kimi K2, 3 in DeepSeek-V3.
    assert get_model("deepseek-v2").dense_layers() == (0,)
    assert get_model("deepseek-v3").dense_layers() == (0, 1, 2)
    assert get_model("kimi-k2").dense_layers() == (0,)
    assert len(get_model("deepseek-v3").moe_layers()) == 58


def test_gpt_oss_alternates_banded_and_full_attention():
    # config.json layer_types: sliding_attention, full_attention, ... with sliding_window 128.
    m = get_model("gpt-oss-120b")
    assert m.layer_kinds()[:4] == (ATTN_LOCAL, ATTN, ATTN_LOCAL, ATTN)
    assert m.layer_kinds().count(ATTN_LOCAL) == 18 and m.sliding_window == 128


def test_llama_4_layers():
    # no_rope_layers = [1, 1, 1, 0, ...]: every fourth layer is global NoPE attention; the rest
    # attend within 8192-token chunks. Maverick interleave_moe_layer_step 2: MoE on odd layers.
    scout, maverick = get_model("llama-4-scout"), get_model("llama-4-maverick")
    for m in (scout, maverick):
        assert [i for i, k in enumerate(m.layer_kinds()) if k == ATTN] == list(range(3, 48, 4))
        assert m.sliding_window == 8192
    assert scout.moe_layers() == tuple(range(48))
    assert maverick.moe_layers() == tuple(range(1, 48, 2))


def test_mistral_every_layer_is_windowed_and_mixtral_none():
    assert set(get_model("mistral-7b").layer_kinds()) == {ATTN_LOCAL}
    assert set(get_model("mixtral-8x7b").layer_kinds()) == {ATTN}


def test_mamba_has_no_attention_and_no_ffn():
    m = get_model("mamba-2.8b")
    assert set(m.layer_kinds()) == {SSM} and set(m.ffn_layer_kinds()) == {NO_FFN}
    assert m.attention_layers == 0 and not m.is_hybrid


def test_deepseek_r1_shares_v3_architecture():
    v3, r1 = get_model("deepseek-v3"), get_model("deepseek-r1")
    for field in ("layers", "hidden", "heads", "vocab", "mla", "moe", "ffns"):
        assert getattr(v3, field) == getattr(r1, field)
    assert r1.release > v3.release


def test_get_model_returns_an_entry_unchanged():
    m = MODELS["mixtral-8x7b"]
    assert get_model(m) is m


@pytest.mark.parametrize("bad", ["gpt-5", "", "Llama-2-7B", None, 7])
def test_unknown_model_lists_the_known_names(bad):
    with pytest.raises(ValueError) as err:
        get_model(bad)
    msg = str(err.value)
    assert msg.startswith("model must be one of") and "llama-2-7b" in msg and "gpt-oss-120b" in msg


def _tiny(**kw):
    base = dict(name="t", display_name="T", family="T", release="2024-01",
                source="https://example.org/config.json", layers=2, hidden=8, heads=2,
                kv_heads=1, head_dim=4, ffn=16, vocab=10, max_context=32, rope_theta=1e4)
    base.update(kw)
    return ModelConfig(**base)


def test_default_patterns_fill_every_layer():
    assert _tiny().layer_kinds() == (ATTN, ATTN) and _tiny().ffn_layer_kinds() == (DENSE, DENSE)
    moe = _tiny(moe=MoE(experts=4, active_experts=2, expert_ffn=8))
    assert moe.ffn_layer_kinds() == (MOE, MOE) and moe.is_moe
    assert _tiny().attention_kind == "MQA"
    assert _tiny(mla=MLA(4, 2, 2, 2)).attention_kind == "MLA"


@pytest.mark.parametrize("kw, words", [
    (dict(mixers=(ATTN_LOCAL, ATTN)), "sliding_window"),
    (dict(mixers=(SSM, ATTN)), "Mamba"),
    (dict(ffns=(MOE, DENSE)), "MoE"),
    (dict(mixers=(ATTN,)), "one entry per layer"),
    (dict(heads=3, kv_heads=2), "multiple of kv_heads"),
    (dict(release="2024"), "YYYY-MM"),
    (dict(source="config.json"), "URL"),
    (dict(mixers=("rnn", ATTN)), "mixer kinds"),
    (dict(norm_eps=0.0), "norm_eps"),
    (dict(norm_eps=-1e-5), "norm_eps"),
    (dict(norm_eps=float("nan")), "norm_eps"),
])
def test_inconsistent_entries_are_rejected(kw, words):
    with pytest.raises(ValueError, match=words):
        _tiny(**kw)


def test_a_hybrid_needs_mamba_settings_and_accepts_them():
    m = _tiny(mixers=(SSM, ATTN), mamba=Mamba(d_state=4, d_conv=2, expand=2, dt_rank=2))
    assert m.is_hybrid and m.ssm_layers == 1


def test_norm_eps_where_recorded():
    # meta-llama/Meta-Llama-3-8B config.json: "rms_norm_eps": 1e-05 (Meta's model.py: norm_eps = 1e-5)
    assert get_model("llama-3-8b").norm_eps == 1e-5
    assert _tiny().norm_eps is None and _tiny(norm_eps=1e-6).norm_eps == 1e-6
    # configs publish 1e-5 or 1e-6 and the like: a recorded ε is small
    assert all(0 < m.norm_eps <= 1e-3 for m in MODELS.values() if m.norm_eps is not None)
