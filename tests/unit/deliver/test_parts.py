"""The parts table on a hand-made border of three parts, everything known by construction.

Three straight parts along 50°N with stated chainage: part 1 km 0–100 (segments 1, 2),
part 2 km 100–250 (segments 3, 4, 5), part 3 km 250–300 (segment 6). Crossings sit at
known km in known segments; the cells of segment s hold 10·s people on the XAA side and s
on the XBB side.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from deliverables_world import make_world
from shapely import LineString

from borderzone.deliver.parts import (
    WHOLE,
    breaks_table,
    crossing_parts,
    gaps_table,
    part_ranges,
    parts_section,
    parts_sentence,
    parts_table,
)

RANGES = {1: (0.0, 100.0), 2: (100.0, 250.0), 3: (250.0, 300.0)}
SEG_PART = {1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 3}
SEG_KM = {1: (0, 50), 2: (50, 100), 3: (100, 150), 4: (150, 200), 5: (200, 250), 6: (250, 300)}
# km, seg_id (None: not known), kind, official
CROSSINGS = [
    (10.0, 1, "road", False),
    (60.0, 2, "rail", False),
    (100.0, 3, "road", True),  # at the start of part 2, where part 1 ends too
    (120.0, 3, "road", False),
    (200.0, 5, "road", False),
    (249.9, 5, "rail", True),
    (270.0, None, "road", False),  # no segment: by km
    (280.0, 6, "road", True),
]
# time to a crossing of each segment's two cells (XAA, XBB)
TIMES = {1: (10, 20), 2: (30, 40), 3: (5, 15), 4: (25, 35), 5: (45, 55), 6: (np.nan, np.nan)}


@pytest.fixture()
def layers():
    border = gpd.GeoDataFrame(
        {
            "pair": "XAA-XBB",
            "part_id": [1, 2, 3],
            "from_km": [r[0] for r in RANGES.values()],
            "to_km": [r[1] for r in RANGES.values()],
            "length_km": [r[1] - r[0] for r in RANGES.values()],
            "n_gaps": [2, 0, 1],
            "gaps_km": [5.0, 0.0, 4.0],
        },
        geometry=[LineString([(50 + 2 * i, 50), (51 + 2 * i, 50)]) for i in range(3)],
        crs=4326,
    )
    segments = gpd.GeoDataFrame(
        {
            "seg_id": list(SEG_PART),
            "part_id": list(SEG_PART.values()),
            "from_km": [SEG_KM[s][0] for s in SEG_PART],
            "to_km": [SEG_KM[s][1] for s in SEG_PART],
        },
        geometry=[LineString([(50 + s / 10, 50), (50.1 + s / 10, 50)]) for s in SEG_PART],
        crs=4326,
    )
    crossings = pd.DataFrame(CROSSINGS, columns=["km", "seg_id", "kind", "official"])
    metrics = pd.DataFrame(
        [
            {
                "seg_id": s,
                "side": side,
                "width_km": 20.0,
                "population": (10.0 if side == "XAA" else 1.0) * s,
                "time_to_crossing_min": TIMES[s][i],
            }
            for s in SEG_PART
            for i, side in enumerate(("XAA", "XBB"))
        ]
    )
    gaps = pd.DataFrame({"gap_id": [1, 2, 3], "part_id": [1, 1, 3], "length_km": [2.0, 3.0, 4.0]})
    breaks = pd.DataFrame(
        {
            "break_id": [1, 2],
            "from_part": [1, 2],
            "to_part": [2, 3],
            "at_km": [100.0, 250.0],
            "distance_km": [140.0, 70.0],
            "between": ["third country or sea", "XBB"],
        }
    )
    return border, segments, crossings, metrics, gaps, breaks


def test_one_row_per_part_and_one_for_the_whole(layers):
    border, segments, crossings, metrics, *_ = layers
    t = parts_table(border, segments, crossings, metrics)
    assert t["part"].tolist() == [1, 2, 3, WHOLE]
    assert t["from km"].tolist() == [0.0, 100.0, 250.0, 0.0]
    assert t["to km"].tolist() == [100.0, 250.0, 300.0, 300.0]
    assert t["length km"].tolist() == [100.0, 150.0, 50.0, 300.0]
    assert t["segments"].tolist() == [2, 3, 1, 6]


def test_counts_by_part_as_constructed_and_summing_to_the_whole(layers):
    border, segments, crossings, metrics, *_ = layers
    t = parts_table(border, segments, crossings, metrics).set_index("part")
    assert t["road crossings"].tolist() == [1, 3, 2, 6]
    assert t["rail crossings"].tolist() == [1, 1, 0, 2]
    assert t["official checkpoints"].tolist() == [0, 2, 1, 3]
    parts = t.drop(index=WHOLE)
    for col in ("segments", "road crossings", "rail crossings", "official checkpoints"):
        assert parts[col].sum() == t.loc[WHOLE, col], col
    assert t.loc[WHOLE, "road crossings"] + t.loc[WHOLE, "rail crossings"] == len(CROSSINGS)


def test_people_on_each_side_by_part(layers):
    border, segments, crossings, metrics, *_ = layers
    t = parts_table(border, segments, crossings, metrics).set_index("part")
    xaa, xbb = "people within 20 km, XAA", "people within 20 km, XBB"
    assert [c for c in t.columns if c.startswith("people")] == [xaa, xbb]
    assert t[xaa].tolist() == [10 * (1 + 2), 10 * (3 + 4 + 5), 10 * 6, 10 * 21]
    assert t[xbb].tolist() == [1 + 2, 3 + 4 + 5, 6, 21]
    assert t[xaa].drop(WHOLE).sum() == t.loc[WHOLE, xaa]


def test_median_time_to_a_crossing(layers):
    border, segments, crossings, metrics, *_ = layers
    t = parts_table(border, segments, crossings, metrics).set_index("part")
    median = t["median time to a crossing (min)"]
    assert median[1] == 25.0 and median[2] == 30.0  # (20 + 30) / 2; 25, 35 around 30
    assert np.isnan(median[3])  # no cell of part 3 reaches a crossing
    assert median[WHOLE] == 27.5  # of 10 cells: 5 10 15 20 25 | 30 35 40 45 55


def test_a_crossing_at_km_x_lands_in_the_part_that_holds_x(layers):
    border, segments, crossings, *_ = layers
    part = crossing_parts(border, segments, crossings)
    ranges = part_ranges(border).set_index("part_id")
    lo = ranges.loc[part.to_numpy(int), "from_km"].to_numpy()
    hi = ranges.loc[part.to_numpy(int), "to_km"].to_numpy()
    assert ((lo <= crossings["km"]) & (crossings["km"] <= hi)).all()
    assert part.tolist() == [1, 1, 2, 2, 2, 2, 3, 3]  # km 100 in segment 3: part 2


def test_crossings_without_segments_go_by_km(layers):
    border, segments, crossings, *_ = layers
    by_km = crossings.drop(columns="seg_id")
    by_km["km"] = [10.0, 99.0, 101.0, 249.0, 251.0, 300.0, 310.0, -5.0]
    assert crossing_parts(border, segments, by_km).tolist() == [1, 1, 2, 2, 3, 3, 3, 1]


def test_no_crossings_and_no_metrics(layers):
    border, segments, *_ = layers
    t = parts_table(border, segments, None, None)
    assert t["road crossings"].tolist() == [0, 0, 0, 0]
    assert not any(c.startswith(("people", "median")) for c in t.columns)


def test_breaks_between_parts(layers):
    *_, breaks = layers
    t = breaks_table(breaks)
    assert t["between parts"].tolist() == ["1 and 2", "2 and 3"]
    assert t["straight line km"].tolist() == [140.0, 70.0]
    assert t["what lies between"].tolist() == ["third country or sea", "XBB"]
    assert len(breaks_table(None)) == 0


def test_gaps_by_part_from_the_layer_or_the_border(layers):
    border, *_, gaps, _ = layers
    for t in (gaps_table(border, gaps), gaps_table(border, None)):
        assert t["part"].tolist() == [1, 2, 3, WHOLE]
        assert t["gaps bridged"].tolist() == [2, 0, 1, 3]
        assert t["km bridged"].tolist() == [5.0, 0.0, 4.0, 9.0]


def test_sentence_and_section_of_a_border_in_parts(layers):
    border, segments, crossings, metrics, gaps, breaks = layers
    s = parts_section(border, segments, crossings, metrics, gaps, breaks)
    assert s["table"]["part"].tolist() == [1, 2, 3, WHOLE]
    assert s["table"]["people within 20 km, XAA"].tolist() == ["30", "120", "60", "210"]
    assert s["table"]["median time to a crossing (min)"].iloc[2] == "—"
    assert len(s["breaks"]) == 2 and len(s["gaps"]) == 4
    assert s["sentence"].startswith("The border is in 3 parts, 300.0 km in all in 6 segments")
    assert "2 breaks" in s["sentence"] and "3 gaps" in s["sentence"]


def test_a_border_in_one_part_without_part_ids():
    w = make_world()  # one line, 10 segments, 10 crossings (2 rail, 4 official)
    s = parts_section(w["border"], w["segments"], w["crossings"], w["metrics"])
    t = s["table"]
    assert t["part"].tolist() == [WHOLE] and s["breaks"] is None and s["gaps"] is None
    row = t.iloc[0]
    assert (row["from km"], row["to km"], row["segments"]) == (0.0, 760.0, 10)
    assert (row["road crossings"], row["rail crossings"], row["official checkpoints"]) == (8, 2, 4)
    full = parts_table(w["border"], w["segments"], w["crossings"], w["metrics"])
    assert full["part"].tolist() == [1, WHOLE]
    assert full.drop(columns="part").iloc[0].equals(full.drop(columns="part").iloc[1])
    assert s["sentence"].startswith("The border is in one part, 760.0 km long in 10 segments")
    gaps = gaps_table(w["border"], None)
    sentence = parts_sentence(full, gaps, breaks_table(None))
    assert sentence.endswith("with no gap in the shared boundary bridged.")


def test_no_gaps_table_without_gaps(layers):
    border, segments, crossings, metrics, gaps, breaks = layers
    s = parts_section(border, segments, crossings, metrics, gaps.iloc[:0], breaks)
    assert s["gaps"] is None and len(s["breaks"]) == 2
    assert "with no gap in the shared boundary bridged" in s["sentence"]
