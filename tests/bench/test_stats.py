"""The bench's statistics and byte bookkeeping, checked against numpy and by hand."""
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.server import Hit, bytes_by_kind, kind_of  # noqa: E402
from bench.stats import growth, intervals, median, over, percentile, ratio  # noqa: E402


@pytest.mark.parametrize("n", [1, 2, 3, 10, 101, 1000])
@pytest.mark.parametrize("q", [0, 5, 50, 90, 95, 99, 100])
def test_percentile_matches_numpy_linear(n, q):
    xs = np.random.default_rng(n * 100 + q).lognormal(size=n)
    assert percentile(xs.tolist(), q) == pytest.approx(float(np.percentile(xs, q)), rel=1e-12)


def test_median_of_even_and_odd_counts():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert median([]) is None


def test_percentile_rejects_q_outside_0_100():
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_over_counts_strictly_greater():
    assert over([20, 20.1, 19.9, 50], 20) == 2


def test_intervals_between_consecutive_timestamps():
    assert intervals([0, 16.7, 33.3, 70]) == pytest.approx([16.7, 16.6, 36.7])
    assert intervals([5]) == []


def test_ratio_and_growth_treat_missing_as_unknown():
    assert ratio(3, 4) == 0.75
    assert ratio(None, 4) is None and ratio(3, 0) is None
    assert growth(100, 110) == pytest.approx(0.10)
    assert growth(None, 1) is None


@pytest.mark.parametrize("path, kind", [
    ("/pyodide/pyodide.asm.wasm", "wasm"),
    ("/bench/pyodide/pyodide.asm.wasm", "wasm"),
    ("/pyodide/python_stdlib.zip", "stdlib"),
    ("/pyodide/pyodide.asm.mjs", "pyodide-js"),
    ("/pyodide/pyodide-lock.json", "pyodide-js"),
    ("/py/llmviz-0.1.0-py3-none-any.whl", "wheel"),
    ("/assets/katex/fonts/KaTeX_Main-Regular.woff2", "fonts-math"),
    ("/assets/katex/katex.min.css", "fonts-math"),
    ("/chapters/p05-c02-kv-cache.html", "chapters"),
    ("/appendices/appendix-a.html", "chapters"),
    ("/sw.js", "sw"),
    ("/assets/engine/main.js", "shell"),
    ("/", "shell"),
    ("/bench/floor.html", "bench"),
])
def test_kind_of_sorts_files_into_budget_lines(path, kind):
    assert kind_of(path) == kind


def test_bytes_by_kind_sums_wire_bytes():
    hits = [Hit("/pyodide/pyodide.asm.wasm", 200, 3_000, 9_000, 0, 1, "worker"),
            Hit("/chapters/a.html", 200, 10, 40, 0, 1, "page"),
            Hit("/chapters/b.html", 304, 0, 0, 0, 1, "page")]
    assert bytes_by_kind(hits) == {"wasm": 3_000, "chapters": 10, "total": 3_010}
