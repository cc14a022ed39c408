"""core.labels: a label goes to the first offered spot that fits, or nowhere."""
from llmviz.core.labels import around, boxes_overlap, place_label
from llmviz.core.scene import Scene, text_box

BOUNDS = (0, 0, 400, 300)


def texts(sc):
    return [it for it in sc.items if it["k"] == "text"]


def test_first_free_spot_wins_and_is_recorded():
    sc, placed = Scene(), []
    assert place_label(sc, placed, BOUNDS, 100, 100, "alpha", size=14, offsets=around(10, 14))
    (t,) = texts(sc)
    assert (t["x"], t["y"], t["align"]) == (110, 100, "l")           # right of the point
    assert placed == [text_box(110, 100, "alpha", 14, "l", "m")]
    # the same point again: the right is taken, so the left is next
    assert place_label(sc, placed, BOUNDS, 100, 100, "beta", size=14, offsets=around(10, 14))
    assert texts(sc)[1]["align"] == "r" and texts(sc)[1]["x"] == 90
    assert not boxes_overlap(placed[0], placed[1])


def test_spots_outside_the_bounds_are_skipped_and_none_left_draws_nothing():
    sc, placed = Scene(), []
    # at the right edge, the label cannot go right
    assert place_label(sc, placed, BOUNDS, 395, 150, "edge", size=14, offsets=around(10, 14))
    assert texts(sc)[0]["align"] == "r"
    # a box covering everything leaves no spot: nothing drawn, nothing recorded
    full = [(0, 0, 400, 300)]
    sc2 = Scene()
    assert not place_label(sc2, full, BOUNDS, 200, 150, "x", size=14)
    assert sc2.items == [] and full == [(0, 0, 400, 300)]


def test_above_and_below_keep_the_gap_from_the_point_to_the_text():
    up, down = around(10, 16)[2], around(10, 16)[3]
    box_up = text_box(50 + up[0], 50 + up[1], "w", 16, up[2], "m")
    box_down = text_box(50 + down[0], 50 + down[1], "w", 16, down[2], "m")
    assert abs(box_up[3] - 40) < 1e-9 and abs(box_down[1] - 60) < 1e-9


def test_halo_puts_a_plate_of_the_given_colour_under_the_text():
    sc = Scene()
    place_label(sc, [], BOUNDS, 100, 100, "tok", size=14, halo=True, plate="panel")
    assert [it["k"] for it in sc.items] == ["rect", "text"] and sc.items[0]["fill"] == "panel"
    assert not boxes_overlap((0, 0, 1, 1), (1, 0, 2, 1))              # touching is not overlapping


def test_margin_keeps_labels_apart_that_would_only_touch():
    placed = [text_box(110, 100, "left", 14, "l", "m")]
    right_edge = placed[0][2]
    # a label whose box would start exactly where the first ends fits without a margin ...
    sc = Scene()
    assert place_label(sc, list(placed), BOUNDS, right_edge, 100, "next", size=14, offsets=((0, 0, "l"),))
    # ... but not with one, so the two never read as one word
    assert not place_label(Scene(), list(placed), BOUNDS, right_edge, 100, "next", size=14,
                           offsets=((0, 0, "l"),), margin=3)
    assert place_label(Scene(), list(placed), BOUNDS, right_edge + 3, 100, "next", size=14,
                       offsets=((0, 0, "l"),), margin=3)
