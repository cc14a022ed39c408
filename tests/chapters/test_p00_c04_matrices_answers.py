"""Chapter p00-c04's answers against independent oracles: numpy and arithmetic written out."""
from pathlib import Path

import numpy as np
import pytest

from llmviz.answers import answers_for

A = answers_for("p00-c04-matrices")
SOURCE = Path(__file__).resolve().parents[2] / "chapters" / "p00-c04-matrices.md"


def val(name):
    return A[name]().value




def test_point_and_determinant():
    M = np.array([[2, 1], [1, 3]])
    y = M @ np.array([1, 2])
    assert (val("ex1_y1"), val("ex1_y2")) == tuple(y) == (4, 7)
    assert val("ex1_det") == pytest.approx(np.linalg.det(M)) == pytest.approx(5)
    assert val("default_det") == pytest.approx(np.linalg.det(np.array([[1.5, 0.5], [0.5, 1.0]])))


def test_two_rotations_make_one_of_sixty_degrees():
    R = np.array([[0.866, -0.5], [0.5, 0.866]])
    RR = R @ R
    assert val("rot2_a") == pytest.approx(RR[0, 0])
    assert val("rot2_b") == pytest.approx(RR[0, 1])
    # and that is cos 60°, -sin 60° to the three digits the preset carries
    assert val("rot2_a") == pytest.approx(np.cos(np.pi / 3), abs=1e-3)
    assert val("rot2_b") == pytest.approx(-np.sin(np.pi / 3), abs=1e-3)
    assert A["rot2_a"]().text == "0.5"
    assert val("rot_det") == pytest.approx(1, abs=1e-4)


def test_singular_matrix_sends_a_point_to_the_origin():
    S = np.array([[1, 2], [0.5, 1]])
    assert np.allclose(S @ np.array([2, -1]), 0)
    assert val("singular_y1") == 0 and val("singular_y2") == 0


def test_gemm_counts():
    def count(m, n, k):  # one multiply and one add per term of every dot product
        return sum(2 for _ in range(m) for _ in range(n) for _ in range(k))
    assert val("gemm_default_flops") == count(3, 3, 4) == 72
    assert val("gemm_max_flops") == count(8, 8, 8) == 1024
    assert A["gemm_max_flops"]().text == "1,024 FLOP"
    assert val("ex5_flops") == count(5, 2, 3) == 60


def test_neuron_layer():
    assert val("ex6_matvec") == 2 * 256 * 784 == 401_408
    assert val("ex6_with_bias") == 401_408 + 256
    assert val("ex6_bias_share") == pytest.approx(256 / 401_664)
    assert A["ex6_bias_share"]().text == "0.06 %"


def test_llama_3_8b_layer_against_its_config():
    # published config.json: hidden_size 4096, 32 layers, 32 heads and 8 KV heads of 128,
    # intermediate_size 14336, vocab_size 128256, untied output matrix
    h, L, kv, ff, V = 4096, 32, 8 * 128, 14336, 128256
    assert val("llama_hidden") == h and val("llama_layers") == L
    assert val("llama_q_weights") == h * h
    assert val("llama_q_per_token") == 2 * h * h
    assert A["llama_q_per_token"]().text == "33.6 MFLOP"
    assert val("llama_q_weight_bytes") == 2 * h * h
    per_layer = 2 * (h * h + h * kv + h * kv + h * h + 3 * h * ff)
    assert val("llama_layer_per_token") == per_layer
    assert val("llama_model_per_token") == L * per_layer + 2 * h * V
    assert A["llama_model_per_token"]().text == "15.01 GFLOP"


def test_two_flops_per_parameter_rule():
    # Meta reports 8.03B parameters for Llama 3 8B
    assert val("llama_params") == pytest.approx(8.03e9, rel=1e-3)
    assert val("llama_two_n") == 2 * val("llama_params")
    assert val("llama_embedding_flops") == 2 * 128256 * 4096
    # the gap between 2N and the matrix FLOPs is exactly the looked-up embedding table (plus norms)
    gap = val("llama_two_n") - val("llama_model_per_token") - val("llama_embedding_flops")
    # the rest is the RMSNorm weights: two per layer and one before the output (config: 32 layers of 4096)
    assert val("llama_norm_params") == (2 * 32 + 1) * 4096
    assert gap == 2 * val("llama_norm_params")


def test_pricing_a_real_layer_step_by_step():
    h, kv, ff, L, V = 4096, 8 * 128, 14336, 32, 128256
    assert val("llama_k_weights") == h * kv
    assert val("llama_ffn_weights") == h * ff
    assert val("llama_layer_weights") == 2 * h * h + 2 * h * kv + 3 * h * ff
    assert val("llama_layer_per_token") == 2 * val("llama_layer_weights")
    assert val("llama_gate_over_q") == ff / h == 3.5
    assert val("llama_all_layers_flops") == L * val("llama_layer_per_token")
    assert val("llama_output_flops") == 2 * h * V
    assert val("llama_all_layers_flops") + val("llama_output_flops") == val("llama_model_per_token")


def test_the_morph_takes_the_time_the_prose_gives():
    from llmviz.modes.part00_math.matrices import MatricesMode

    m = MatricesMode(submode="transform")
    secs = val("morph_seconds")
    morph = lambda t: {e["id"]: e for e in m.frame(t)["telemetry"]}["morph"]["value"]
    assert morph(secs - 0.05) < 1 == morph(secs)


def test_batched_q_projection():
    h, T = 4096, 512
    assert val("q_flops_512") == 2 * h * h * T
    w = np.zeros((h, h), dtype=np.float16)
    x1 = np.zeros((h, 1), dtype=np.float16)
    assert val("q_bytes_1") == w.nbytes + 2 * x1.nbytes
    assert val("q_bytes_512") == w.nbytes + 2 * T * x1.nbytes
    assert val("q_intensity_1") == pytest.approx(2 * h * h / (w.nbytes + 2 * x1.nbytes))
    assert val("q_intensity_512") == pytest.approx(2 * h * h * T / (2 * (h * h + 2 * h * T)))
    assert A["q_intensity_512"]().text == "410 FLOP/B"


def test_shapes_quoted_in_the_prose():
    assert val("llama_vocab") == 128_256
    assert val("llama_ffn") == 14_336
    assert val("llama_kv_width") == 8 * 128
    assert val("gemm_k8_flops") == 2 * 3 * 3 * 8 == 2 * val("gemm_default_flops")


def test_kaplan_n_leaves_out_both_embedding_tables():
    # Kaplan et al. (2020), section 2.1: N excludes vocabulary and positional embeddings;
    # Llama 3 8B's input and output tables are separate, 128,256 x 4,096 each.
    table = 128256 * 4096
    assert val("kaplan_n") == val("llama_params") - 2 * table
    assert val("kaplan_two_n") == pytest.approx(13.96e9, rel=1e-3)
    assert A["kaplan_two_n"]().text == "13.96 GFLOP"


def test_the_row_form_costs_what_the_column_form_costs():
    T, h, kv = 512, 4096, 1024
    X = np.ones((T, h), dtype=np.float32)
    W = np.ones((h, kv), dtype=np.float32)
    Y = X @ W
    assert Y.shape == (T, kv) and (W.T @ X.T).shape == (kv, T)
    # one multiply and one add per term of each of Y's dot products
    assert val("rows_k_flops") == 2 * Y.size * X.shape[1]
    assert val("q_tokens") == T
