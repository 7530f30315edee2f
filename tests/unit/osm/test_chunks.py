"""Tests of borderzone.osm.chunks: the corridor cut into Overpass chunks and merged back."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from borderzone.osm.chunks import build_overpass_chunks, collect_overpass
from borderzone.osm.schema import LAYER_COLUMNS, build_layer

BORDER = shapely.LineString([(60.0, 50.0), (62.0, 50.0)])  # ~143 km along 50°N


def test_chunks_cover_the_corridor_with_few_vertices() -> None:
    chunks = build_overpass_chunks(BORDER, width_km=10, chunk_km=50)
    assert list(chunks.columns) == ["chunk", "from_km", "to_km", "geometry"]
    assert chunks["chunk"].tolist() == list(range(len(chunks))) and len(chunks) == 3
    assert chunks["from_km"].iloc[0] == 0 and chunks["to_km"].iloc[-1] == pytest.approx(143, abs=1)
    assert chunks.crs.to_epsg() == 4326
    # everything within 10 km of the border (0.09° of latitude) is in some chunk
    zone = shapely.buffer(BORDER, 0.085, cap_style="flat")
    assert shapely.union_all(chunks.geometry.values).contains(zone)
    assert (shapely.get_num_coordinates(chunks.geometry.values) < 200).all()


def test_no_chunk_spans_two_parts_of_the_border() -> None:
    # two parts ~143 km each along 50°N, 1° of longitude (~71 km) apart
    west, east = BORDER, shapely.LineString([(63.0, 50.0), (65.0, 50.0)])
    border = gpd.GeoDataFrame({"part_id": [2, 1]}, geometry=[east, west], crs=4326)
    chunks = build_overpass_chunks(border, width_km=10, chunk_km=50)
    assert len(chunks) == 6
    # chainage runs on across the parts (west first, by part_id) without the gap between
    assert chunks["from_km"].iloc[1:].to_numpy() == pytest.approx(chunks["to_km"].iloc[:-1])
    assert chunks["to_km"].iloc[-1] == pytest.approx(2 * 143, abs=2)
    # each chunk lies around one part: none reaches the middle of the gap (63.5 - 62 = 0.5°)
    gap_middle = shapely.LineString([(62.5, 49.0), (62.5, 51.0)])
    assert not shapely.intersects(chunks.geometry.values, gap_middle).any()
    # and the six together still cover both parts' zones
    union = shapely.union_all(chunks.geometry.values)
    for part in (west, east):
        assert union.contains(shapely.buffer(part, 0.085, cap_style="flat"))


def layer(name: str, ids: list[int], geoms: list, **columns) -> gpd.GeoDataFrame:
    return build_layer(name, pd.DataFrame({"osm_id": ids, **columns}), geoms)


def test_collect_keeps_one_row_per_object_the_longest() -> None:
    short = shapely.LineString([(0, 0), (1, 0)])
    long = shapely.LineString([(0, 0), (1, 0), (2, 0)])
    point = shapely.Point(0, 0)
    parts = [
        {
            "roads": layer("roads", [7, 3], [short, short], highway=["primary", "track"]),
            "checkpoints": layer(
                "checkpoints", [5], [point], osm_type=["node"], barrier=["border_control"]
            ),
        },
        {
            "roads": layer("roads", [7], [long], highway=["primary"]),
            "checkpoints": layer(
                "checkpoints", [5], [point], osm_type=["way"], barrier=["border_control"]
            ),
            "places": layer("places", [], []),
        },
    ]
    out = collect_overpass(parts)
    assert list(out) == list(LAYER_COLUMNS)
    roads = out["roads"]
    assert roads.osm_id.tolist() == [3, 7]
    assert roads.geometry.iloc[1].equals(long)
    assert list(roads.columns) == [*LAYER_COLUMNS["roads"], "geometry"]
    cp = out["checkpoints"]
    assert list(zip(cp.osm_type, cp.osm_id, strict=True)) == [("node", 5), ("way", 5)]
    for name in ("rail", "places", "admin"):
        assert out[name].empty
        assert list(out[name].columns) == [*LAYER_COLUMNS[name], "geometry"]
        assert out[name]["osm_id"].dtype == np.int64
    assert out["admin"]["admin_level"].dtype == np.int64
