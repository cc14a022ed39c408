"""GEMM cost formulas, checked against counting the work of a real product."""
import numpy as np
import pytest

from llmviz.calc.gemm import gemm_bytes, gemm_flops, gemm_intensity, gemm_macs, linear_flops


def _count_triple_loop(m, n, k):
    """Multiply-adds a schoolbook triple loop performs, counted one by one."""
    muls = adds = 0
    for _i in range(m):
        for _j in range(n):
            acc = 0
            for _p in range(k):
                acc = acc + 1 * 1  # one multiply, one add into the running sum
                muls += 1
                adds += 1
    return muls, adds


@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (3, 2, 4), (8, 1, 5), (2, 7, 3)])
def test_flops_are_two_per_multiply_add(m, n, k):
    muls, adds = _count_triple_loop(m, n, k)
    assert gemm_macs(m, n, k) == muls
    assert gemm_flops(m, n, k) == muls + adds


def test_llama_sized_projection():
    # one token through a 4096x4096 weight: 4096*4096 multiply-adds
    assert gemm_flops(4096, 1, 4096) == 33_554_432
    assert linear_flops(4096, 4096, tokens=1) == 2 * 4096 * 4096
    # batching 512 tokens multiplies the work by exactly 512
    assert linear_flops(4096, 4096, tokens=512) == 512 * linear_flops(4096, 4096)


def test_linear_flops_puts_tokens_in_n():
    # a 4096 -> 1024 projection: W is 1024x4096, X is 4096xT
    assert linear_flops(4096, 1024, tokens=3) == gemm_flops(1024, 3, 4096)
    assert linear_flops(4096, 1024, tokens=3) != gemm_flops(4096, 3, 4096)


def test_bytes_and_intensity_match_the_arrays():
    m, n, k = 64, 16, 128
    a = np.zeros((m, k), dtype=np.float16)
    b = np.zeros((k, n), dtype=np.float16)
    c = a @ b
    assert gemm_bytes(m, n, k) == a.nbytes + b.nbytes + c.nbytes
    assert gemm_bytes(m, n, k, bytes_per_element=4) == 2 * gemm_bytes(m, n, k)
    assert gemm_intensity(m, n, k) == pytest.approx(2 * m * n * k / (a.nbytes + b.nbytes + c.nbytes))


def test_intensity_grows_with_tokens():
    # matrix-vector: ~1 FLOP per byte in fp16; a wide batch: hundreds
    mv = gemm_intensity(4096, 1, 4096)
    mm = gemm_intensity(4096, 1024, 4096)
    assert 0.99 < mv < 1.0
    assert mm > 500


@pytest.mark.parametrize("args", [(0, 1, 1), (1, -2, 1), (1, 1, 0), (1.5, 1, 1), (True, 1, 1)])
def test_non_positive_or_non_integer_shapes_raise(args):
    with pytest.raises(ValueError):
        gemm_flops(*args)
    with pytest.raises(ValueError):
        gemm_bytes(*args)


def test_bad_element_size_raises():
    with pytest.raises(ValueError, match="bytes_per_element"):
        gemm_bytes(2, 2, 2, bytes_per_element=0)


def test_llama_3_8b_projection_shapes_match_its_config():
    from llmviz.calc.gemm import layer_projections
    # config.json: hidden_size 4096, 32 heads and 8 KV heads of width 128, intermediate_size 14336
    assert layer_projections("llama-3-8b") == {
        "q": (4096, 4096), "k": (4096, 1024), "v": (4096, 1024), "o": (4096, 4096),
        "gate": (4096, 14336), "up": (4096, 14336), "down": (14336, 4096),
    }


def test_per_token_matmul_flops_are_twice_the_matrix_parameters():
    from llmviz.calc.gemm import matmul_flops_per_token
    from llmviz.calc.model_size import param_breakdown
    # every weight is used in exactly one multiply-add per token, except the
    # input embedding, which is looked up rather than multiplied
    for name in ("llama-3-8b", "llama-2-7b", "opt-13b"):
        parts = param_breakdown(name)
        matrix_params = parts["attention"] + parts["ffn"] + (parts["unembedding"] or parts["embedding"])
        biases_and_more = 0
        if name == "opt-13b":
            # OPT carries biases (added, not multiplied): remove them from the count
            from llmviz.catalog import get_model
            m = get_model(name)
            biases_and_more = m.layers * (4 * m.hidden + m.ffn + m.hidden)
        assert matmul_flops_per_token(name) == 2 * (matrix_params - biases_and_more)
    # Llama-3-8B by hand: 32 layers x (2*4096*4096*2 + 2*4096*1024*2 + 3*2*4096*14336) + 2*4096*128256
    by_hand = 32 * (2 * 4096 * 4096 * 2 + 2 * 4096 * 1024 * 2 + 3 * 2 * 4096 * 14336) + 2 * 4096 * 128256
    assert matmul_flops_per_token("llama-3-8b") == by_hand == 15_009_316_864


def test_models_outside_the_dense_pattern_are_refused():
    from llmviz.calc.gemm import layer_projections
    for name in ("mixtral-8x7b", "deepseek-v3", "mamba-2.8b"):
        with pytest.raises(ValueError, match="dense"):
            layer_projections(name)
