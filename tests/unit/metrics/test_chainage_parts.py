"""Chainage measures on a border in two parts: distances and counts stay on each part."""

import numpy as np
import pandas as pd

from borderzone.metrics.chainage import crossings_count, distance_to_crossing_km

# part 1 is km 0-50, part 2 km 50-80 (a break, e.g. the sea, lies between km 50 and 50)
SEGMENTS = pd.DataFrame(
    {
        "seg_id": [1, 2, 3, 4],
        "part_id": [1, 1, 2, 2],
        "from_km": [0.0, 25, 50, 75],
        "to_km": [25.0, 50, 75, 80],
    }
)
CELLS = pd.DataFrame({"seg_id": [1, 2, 3, 4], "side": ["A"] * 4})


def test_distance_counts_only_the_crossings_of_the_segments_part():
    crossings = pd.DataFrame({"kind": ["road", "road"], "km": [10.0, 79.0]})
    d = distance_to_crossing_km(CELLS, crossings, segments=SEGMENTS)
    # seg 2 (km 25-50) is 15 km from the crossing at km 10, not 29 km from km 79 on part 2;
    # seg 3 (km 50-75) is 4 km from km 79 and does not reach back to km 10 across the break
    assert d.tolist() == [0.0, 15.0, 4.0, 0.0]
    only_one = distance_to_crossing_km(CELLS, crossings[:1], segments=SEGMENTS)
    assert only_one[:2].tolist() == [0.0, 15.0] and np.isnan(only_one[2:]).all()


def test_a_crossing_nearer_across_the_break_does_not_count():
    crossings = pd.DataFrame({"kind": ["road", "road"], "km": [49.0, 0.0]})
    d = distance_to_crossing_km(CELLS, crossings, segments=SEGMENTS)
    assert d[2:].isna().all()  # part 2 has no crossing: 1 km back across the break is none
    assert d[:2].tolist() == [0.0, 0.0]


def test_counts_per_part_with_the_end_of_each_part():
    crossings = pd.DataFrame({"kind": ["road"] * 4, "km": [5.0, 50.0, 80.0, 24.0]})
    n = crossings_count(CELLS, crossings, segments=SEGMENTS)
    # km 50 is the start of part 2 (segment 3), km 80 the end of part 2 (its last segment)
    assert n.tolist() == [2, 0, 1, 1]
    assert n.sum() == len(crossings)
