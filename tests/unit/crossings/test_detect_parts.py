"""Crossings of a border in several parts (tests/parts_outlines.py): found on each part."""

import numpy as np
import pytest
import shapely
from crossings_helpers import NO_CPS, NO_RAIL, PAIR, roads_frame

from borderzone.border.line import build_border
from borderzone.crossings.detect import detect_crossings
from borderzone.geodesy import GEOD
from borderzone.io import read_countries
from tests.parts_outlines import write_parts_outlines

ROAD_LON = {1: 55.25, 2: 60.5, 3: 67.0}  # one road across the middle of each part


def test_crossings_are_found_on_every_part_with_their_chainage(tmp_path):
    countries = read_countries(write_parts_outlines(tmp_path / "c.gpkg"), iso3=list(PAIR))
    layers = build_border(countries, pair=PAIR, snap_m=500, max_gap_km=10, segment_km=25)
    border, segments = layers["border"], layers["segments"]
    rows, expected_km = [], []
    for part in border.itertuples():
        lon = ROAD_LON[part.part_id]
        cut = shapely.LineString([(lon, 40), (lon, 60)])
        lat = shapely.intersection(part.geometry, cut).y
        rows.append((part.part_id, shapely.LineString([(lon, lat - 0.05), (lon, lat + 0.05)]), {}))
        coords = shapely.get_coordinates(part.geometry)
        before = np.vstack([coords[coords[:, 0] < lon], [[lon, lat]]])
        expected_km.append(part.from_km + GEOD.line_length(*before.T) / 1000)
    roads = roads_frame([(i, g, {"highway": "tertiary"}) for i, g, _ in rows])
    found = detect_crossings(
        border, segments, layers["border_gaps"], countries, roads, NO_RAIL, NO_CPS, pair=PAIR
    ).sort_values("km")
    assert found["osm_ids"].tolist() == ["1", "2", "3"]
    assert found["lon"].to_numpy() == pytest.approx(list(ROAD_LON.values()), abs=1e-6)
    assert found["km"].to_numpy() == pytest.approx(expected_km, abs=0.01)
    part_of_seg = segments.set_index("seg_id")["part_id"]
    assert part_of_seg.loc[found["seg_id"]].tolist() == [1, 2, 3]
    assert not found["in_gap"].any()
