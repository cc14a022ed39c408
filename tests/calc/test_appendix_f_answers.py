"""Appendix F's worked examples, recomputed by hand from published configs and datasheet figures."""
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from llmviz.answers import answer
from llmviz.answers.appendix_f import ANSWERS

SOURCE = Path(__file__).resolve().parents[2] / "appendices" / "f-cheatsheet.md"


def llama_params(L, h, n_h, n_kv, d_h, f, V):
    """Llama-style decoder: attention, gated FFN, two RMSNorms per layer, final norm, untied tables."""
    return L * (2 * h * d_h * (n_h + n_kv) + 3 * h * f + 2 * h) + h + 2 * V * h


# config.json of meta-llama/Meta-Llama-3-8B and Meta-Llama-3-70B.
N8 = llama_params(32, 4096, 32, 8, 128, 14336, 128256)
N70 = llama_params(80, 8192, 64, 8, 128, 28672, 128256)
KV70 = 2 * 80 * 8 * 128          # elements per token


def value(name):
    return answer("appendix-f", name).value


def test_parameter_and_byte_counts():
    assert value("llama3_8b_params") == N8 == 8_030_261_248      # "8.03B" on the model card
    assert value("llama3_70b_bf16_bytes") == 2 * N70
    assert value("llama3_70b_mxfp4_bytes") == math.ceil(N70 * 4.25 / 8)
    assert value("llama3_70b_kv_per_token") == KV70 * 2
    assert value("llama3_70b_kv_8x8k") == KV70 * 2 * 8192 * 8


def test_training_compute():
    assert value("llama3_8b_training_flops") == pytest.approx(6 * N8 * 15e12)
    n = math.sqrt(5.76e23 / 120)
    assert value("chinchilla_params") == pytest.approx(n)
    assert value("chinchilla_tokens") == pytest.approx(20 * n)


def test_zero_matches_figure_1():
    psi, n = 7.5e9, 64
    hand = [16 * psi, 4 * psi + 12 * psi / n, 2 * psi + 14 * psi / n, 16 * psi / n]
    assert [value(f"zero_stage{s}") for s in range(4)] == pytest.approx(hand)
    assert [answer("appendix-f", f"zero_stage{s}").text for s in range(4)] == \
        ["120 GB", "31.4 GB", "16.6 GB", "1.88 GB"]


def test_roofline_and_gemm():
    assert value("h100_bf16_peak") == 989.4e12
    assert value("h100_ridge") == pytest.approx(989.4e12 / 3.35e12)
    assert answer("appendix-f", "h100_ridge").text == "295 FLOP/byte"
    assert value("h100_at_intensity_1") == pytest.approx(3.35e12)
    assert value("gemm_flops") == 2 * 4096**3
    assert value("gemm_intensity") == pytest.approx(4096 / 3)


def test_decode_floor():
    # FP8: one byte per weight and per cached number; the untied 128,256 x 8,192 input table is skipped.
    read = (N70 - 128256 * 8192) + 8192 * KV70
    assert value("decode_step") == pytest.approx(read / 4.8e12)
    assert value("decode_rate") == pytest.approx(4.8e12 / read)


def test_speculative():
    e = float(np.sum(0.8 ** np.arange(6)))
    assert value("spec_tokens") == pytest.approx(e)
    assert answer("appendix-f", "spec_tokens").text == "3.69"      # Leviathan et al.: ≈ 3.69
    assert value("spec_speedup") == pytest.approx(e / 1.25)


def test_parallelism():
    assert value("bubble") == pytest.approx(7 / 39)
    grads = 2 * N8
    assert value("allreduce_nvlink") == pytest.approx(2 * 7 / 8 * grads / 450e9)
    assert value("allreduce_ndr") == pytest.approx(2 * 7 / 8 * grads / 50e9)
    assert value("expert_capacity") == 4096 // 8 * 5 // 4 == 640


def test_every_answer_is_printed_and_every_role_is_answered():
    text = SOURCE.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"id": "appendix-f", "title": "Cheatsheet: the book's formulas"}
    used = set(re.findall(r"\{ans\}`appendix-f:([a-z0-9_]+)`", text))
    assert used == set(ANSWERS)
    for name in ANSWERS:
        a = ANSWERS[name]()
        assert a.text and math.isfinite(a.value)
    assert "exercise" not in text
