"""core.geometry's segment clip against a brute-force sample of the segment."""
import numpy as np
import pytest

from llmviz.core.geometry import clip_params, clip_segment

BOX = (-1.0, 2.0, -0.5, 1.5)


def _inside(x, y, box=BOX, eps=1e-9):
    return box[0] - eps <= x <= box[1] + eps and box[2] - eps <= y <= box[3] + eps


@pytest.mark.parametrize("seed", range(40))
def test_the_clipped_part_is_exactly_the_inside_of_the_segment(seed):
    rng = np.random.default_rng(seed)
    x1, y1, x2, y2 = rng.uniform(-4, 4, size=4)
    ts = np.linspace(0, 1, 4001)
    inside = [t for t in ts if _inside(x1 + t * (x2 - x1), y1 + t * (y2 - y1))]
    got = clip_params(x1, y1, x2, y2, *BOX)
    if not inside:
        assert got is None or got[1] - got[0] < 1e-3
        return
    assert got is not None
    assert got[0] == pytest.approx(inside[0], abs=1e-3) and got[1] == pytest.approx(inside[-1], abs=1e-3)
    seg = clip_segment(x1, y1, x2, y2, *BOX)
    assert _inside(seg[0], seg[1]) and _inside(seg[2], seg[3])


def test_degenerate_and_parallel_segments():
    assert clip_segment(0.5, 0.5, 0.5, 0.5, *BOX) == (0.5, 0.5, 0.5, 0.5)
    assert clip_segment(3, 3, 3, 3, *BOX) is None
    assert clip_segment(-5, 1, 5, 1, *BOX) == (-1, 1, 2, 1)   # horizontal, crosses
    assert clip_segment(-5, 1.6, 5, 1.6, *BOX) is None        # horizontal, above the box
