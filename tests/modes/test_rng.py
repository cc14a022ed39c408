"""core.rng: one deterministic generator for every mode, checked against a by-hand LCG and numpy."""
import math

import numpy as np
import pytest

from llmviz.core.rng import gaussian, lcg_ints, lcg_states, lcg_uniforms, normals, portable_log

M64 = 2 ** 64


def test_states_follow_the_recurrence_written_out():
    # x₀ = seed·φ64 + c (mod 2⁶⁴), then x ← a·x + b (mod 2⁶⁴), in Python's unbounded integers
    seed = 11
    x = (seed * 11400714819323198485 + 2685821657736338717) % M64
    want = []
    for _ in range(5):
        x = (6364136223846793005 * x + 1442695040888963407) % M64
        want.append(x)
    assert lcg_states(seed, 5) == want


def test_sequences_are_pinned():
    # a change here changes every picture that uses the generator: the matrices' operands, the race's noise
    assert lcg_ints(5, 6, 0, 9) == [2, 9, 2, 7, 4, 2]
    assert gaussian(0, 3) == pytest.approx([0.25677466753006384, 1.1979676621577589, -0.38735108050494566],
                                           rel=1e-12)


def test_ranges():
    u = lcg_uniforms(3, 10_000)
    assert 0 < min(u) and max(u) < 1
    ints = lcg_ints(4, 10_000, -3, 2)
    assert set(ints) == {-3, -2, -1, 0, 1, 2}
    with pytest.raises(ValueError):
        lcg_ints(0, 1, 2, 1)
    with pytest.raises(ValueError):
        lcg_states(0, -1)


def test_gaussian_is_standard_normal():
    z = np.array(gaussian(1, 40_000))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    # the share beyond ±1.96 standard deviations is about 5 %
    assert np.mean(np.abs(z) > 1.96) == pytest.approx(0.05, abs=0.005)
    assert all(map(math.isfinite, z))


def test_deterministic_and_prefix_stable():
    assert gaussian(7, 9) == gaussian(7, 9) != gaussian(8, 9)
    # an odd count is the prefix of the next even one: asking for more never changes the first draws
    assert gaussian(7, 9) == gaussian(7, 10)[:9]


def test_normals_are_standard_normal():
    z = np.array(normals(3, 200_000))
    assert abs(z.mean()) < 0.01 and z.std() == pytest.approx(1, abs=0.01)
    # the shape, not only the spread: the standard normal's quantiles within four standard errors
    for q, want in ((0.001, -3.090232), (0.025, -1.959964), (0.16, -0.994458), (0.5, 0.0), (0.84, 0.994458),
                    (0.975, 1.959964), (0.999, 3.090232)):
        density = math.exp(-want * want / 2) / math.sqrt(2 * math.pi)
        assert np.quantile(z, q) == pytest.approx(want, abs=4 * math.sqrt(q * (1 - q) / z.size) / density)
    assert normals(3, 7) == normals(3, 7)
    assert len(normals(5, 0)) == 0 and len(normals(5, 257)) == 257
    assert normals(4, 64) != normals(5, 64)


def test_normals_are_pinned():
    # a change here changes the vectors chapter's random vectors and every number measured from them
    assert normals(0, 3) == pytest.approx([-0.39309285588953413, 0.13341389521373576, -2.134694187223577],
                                          rel=1e-15)


def test_portable_log_matches_the_c_library():
    rng = np.random.default_rng(3)
    xs = np.concatenate([rng.random(4000), rng.random(4000) ** 40, [2.0 ** -1074, 1e-300, 0.5, 1.0, 2.0, 1e300]])
    assert np.abs(np.array(portable_log(xs.tolist())) - np.log(xs)).max() < 1e-10
    assert portable_log([]) == []


def test_normals_use_only_arithmetic_every_platform_rounds_alike():
    """No C-library function whose last bit may differ between CPython and Pyodide: the draw goes
    through integer arithmetic, + − × ÷, math.sqrt (correctly rounded) and math.frexp (exact) only."""
    import ast
    import inspect

    from llmviz.core import rng

    used = {node.attr for fn in (rng.normals, rng.portable_log, rng.lcg_uniforms, rng.lcg_states)
            for node in ast.walk(ast.parse(inspect.getsource(fn)))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "math"}
    assert used <= {"sqrt", "frexp"}, used
