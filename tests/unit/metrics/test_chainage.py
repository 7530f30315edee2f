import pandas as pd
import pytest

from borderzone.errors import InputDataError
from borderzone.metrics.chainage import crossings_count, distance_to_crossing_km


def test_distance_to_crossing_along_the_border():
    segments = pd.DataFrame(
        {"seg_id": [1, 2, 3, 4], "from_km": [0.0, 25, 50, 75], "to_km": [25.0, 50, 75, 100]}
    )
    cells = pd.DataFrame({"seg_id": [1, 2, 3, 4, 2], "side": ["A"] * 4 + ["B"]})
    crossings = pd.DataFrame(
        {
            "kind": ["road", "road", "rail"],
            "km": [10.0, 90.0, 60.0],
            "official": [False, True, True],
            "surface_class": ["unpaved", "paved", None],
        }
    )
    d = distance_to_crossing_km(cells, crossings, segments=segments, kind="road")
    assert d.tolist() == [0.0, 15.0, 15.0, 0.0, 15.0]
    rail = distance_to_crossing_km(cells, crossings, segments=segments, kind="rail")
    assert rail.tolist() == [35.0, 10.0, 0.0, 15.0, 10.0]
    paved = distance_to_crossing_km(
        cells, crossings, segments=segments, kind="road", where="surface_class == 'paved'"
    )
    assert paved.tolist() == [65.0, 40.0, 15.0, 0.0, 40.0]
    official = distance_to_crossing_km(
        cells, crossings, segments=segments, where=crossings["official"]
    )
    assert official.tolist() == [35.0, 10.0, 0.0, 0.0, 10.0]
    none = distance_to_crossing_km(cells, crossings[:0], segments=segments)
    assert none.isna().all()
    with pytest.raises(InputDataError, match="seg_id"):
        distance_to_crossing_km(cells.assign(seg_id=9), crossings, segments=segments)


def test_crossings_count_per_segment_and_at_the_end():
    segments = pd.DataFrame({"seg_id": [1, 2], "from_km": [0.0, 25.0], "to_km": [25.0, 50.0]})
    cells = pd.DataFrame({"seg_id": [1, 2, 2], "side": ["A", "A", "B"]})
    crossings = pd.DataFrame({"kind": ["road", "road", "rail"], "km": [0.0, 25.0, 50.0]})
    # [from_km, to_km): the crossing at km 25 belongs to segment 2; the last one counts its end
    assert crossings_count(cells, crossings, segments=segments).tolist() == [1, 2, 2]
    assert crossings_count(cells, crossings, segments=segments, kind="rail").tolist() == [0, 1, 1]
    # chainage taken from the cells themselves
    own = cells.assign(from_km=[0.0, 25.0, 25.0], to_km=[25.0, 50.0, 50.0])
    assert crossings_count(own, crossings).tolist() == [1, 2, 2]
