"""Published decoding settings: each entry as its source prints it, with the source."""
import pytest

from llmviz.catalog.decoding import SETTINGS, get_decoding


def test_every_setting_is_sourced_and_valid():
    for s in SETTINGS.values():
        assert s.source.startswith("https://") and s.notes
        assert s.temperature >= 0 and s.top_k >= 0 and 0 < s.top_p <= 1 and 0 <= s.min_p <= 1


def test_the_published_values():
    # meta-llama/llama3, llama/generation.py: temperature: float = 0.6, top_p: float = 0.9
    l3 = get_decoding("llama-3-reference")
    assert (l3.temperature, l3.top_p, l3.top_k, l3.min_p) == (0.6, 0.9, 0, 0.0)
    # Qwen3-8B model card, best practices: thinking 0.6 / 0.95 / 20 / 0, non-thinking 0.7 / 0.8 / 20 / 0
    on, off = get_decoding("qwen3-thinking"), get_decoding("qwen3-non-thinking")
    assert (on.temperature, on.top_p, on.top_k, on.min_p) == (0.6, 0.95, 20, 0.0)
    assert (off.temperature, off.top_p, off.top_k, off.min_p) == (0.7, 0.8, 20, 0.0)


def test_lookup():
    s = get_decoding("qwen3-thinking")
    assert get_decoding(s) is s
    with pytest.raises(ValueError, match="llama-3-reference"):
        get_decoding("gpt-5")
