"""Tests of borderzone.crossings.attributes: checkpoints and categories, transit,
continuity, admin names and the surface rule they use, and the truth of synthetic worlds."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from crossings_helpers import (
    KM_PER_DEG_LAT,
    checkpoints_frame,
    crossing_line,
    f,
    find,
    matched,
    rail_frame,
    roads_frame,
)

from borderzone.crs import WGS84
from borderzone.osm.schema import surface_class

# --------------------------------------------------------------------------------------
# attributes on hand-built fixtures


def test_checkpoints_official_local_and_categories():
    def north(lon, metres):
        return (lon, float(f(lon)) + metres / 1000 / KM_PER_DEG_LAT)

    roads = roads_frame(
        [
            (1, crossing_line(61.0), {"highway": "primary"}),  # checkpoint 1.5 km
            (2, crossing_line(61.5), {"highway": "secondary"}),  # checkpoint 2.5 km
            (3, crossing_line(62.0), {"highway": "tertiary"}),  # local checkpoint
            (4, crossing_line(62.5), {"highway": "track"}),  # no checkpoint
            (5, crossing_line(63.0), {"highway": "track"}),  # only a railway=border node
        ]
    )
    rail = rail_frame(
        [
            (9, crossing_line(63.5), {"railway": "rail"}),
            (8, crossing_line(64.5), {"railway": "rail"}),
        ]
    )
    cps = checkpoints_frame(
        [
            (north(61.0, 1500), {"barrier": "border_control", "name": "MAPP"}),
            (north(61.5, 2500), {"barrier": "border_control", "name": "far"}),
            (
                north(62.0, 300),
                {
                    "barrier": "border_control",
                    "border_control": "small_border_traffic",
                    "name": "local",
                },
            ),
            (north(63.0, 10), {"railway": "border"}),
            (north(63.5, 10), {"railway": "border", "name": "rail border"}),
        ]
    )
    out = find(roads, rail, cps).set_index("osm_ids")
    assert out.official.to_dict() == {
        "1": True,
        "2": False,
        "3": True,
        "4": False,
        "5": False,
        "9": True,
        "8": False,
    }
    assert out.local_only.to_dict() == {
        "1": False,
        "2": False,
        "3": True,
        "4": False,
        "5": False,
        "9": False,
        "8": False,
    }
    assert out.loc["1", "checkpoint_name"] == "MAPP" and out.loc["2", "checkpoint_name"] is None
    assert out.category.to_dict() == {
        "1": "international checkpoint",
        "2": "road without checkpoint",
        "3": "local checkpoint",
        "4": "track",
        "5": "track",
        "9": "rail checkpoint",
        "8": "rail without checkpoint",
    }
    # a wider radius takes in the far checkpoint
    assert (
        find(roads, rail, cps, checkpoint_within_m=3000).set_index("osm_ids").loc["2", "official"]
    )


def _excursion(lon0, lon1, depth_deg):
    """Rail from XAA into XBB at lon0, along XBB ``depth_deg`` north, back into XAA at lon1."""
    lon = np.arange(lon0 + 0.05, lon1 - 0.05 + 1e-9, 0.02)
    start = [(lon0 - 0.1, f(lon0) - 0.1), (lon0, f(lon0) + 0.0001)]
    middle = np.column_stack([lon, f(lon) + depth_deg])
    end = [(lon1, f(lon1) + 0.0001), (lon1 + 0.1, f(lon1) - 0.1)]
    return start, middle, end


def test_transit_rail_line():
    start, middle, end = _excursion(62.0, 63.0, 0.1)  # ~70 km in XBB
    a = shapely.LineString([*start, tuple(middle[0])])
    b = shapely.LineString(middle)
    c = shapely.LineString([tuple(middle[-1]), *end])
    tags = {"railway": "rail", "ref": "TS", "usage": "main"}
    other = crossing_line(65.0)  # an ordinary line of the same ref elsewhere
    rail = rail_frame([(1, a, tags), (2, b, tags), (3, c, tags), (4, other, tags)])
    out = find(rail=rail).set_index("osm_ids")
    assert out.transit.to_dict() == {"1": True, "3": True, "4": False}
    assert out.loc["1", "direction"] == "XAA->XBB" and out.loc["3", "direction"] == "XBB->XAA"
    assert not find(rail=rail, transit_min_km=100).transit.any()
    # without the middle way the two crossings are not joined
    assert not find(rail=rail[rail.osm_id != 2]).transit.any()


def test_transit_needs_one_route():
    start, middle, end = _excursion(62.0, 63.0, 0.1)
    rail = rail_frame(
        [
            (1, shapely.LineString([*start, tuple(middle[0])]), {"railway": "rail", "ref": "A"}),
            (2, shapely.LineString(middle), {"railway": "rail", "ref": "B"}),
            (3, shapely.LineString([tuple(middle[-1]), *end]), {"railway": "rail", "ref": "A"}),
        ]
    )
    assert not find(rail=rail).transit.any()


def test_continuity_and_surface_differs():
    lon = 66.0
    y0 = float(f(lon))
    south = shapely.LineString([(lon, y0 - 0.05), (lon, y0 + 0.003)])  # paved, 300 m into XBB
    north = shapely.LineString([(lon, y0 + 0.003), (lon, y0 + 0.06)])  # then a track
    same = crossing_line(67.0)
    roads = roads_frame(
        [
            (1, south, {"highway": "primary", "surface": "asphalt"}),
            (2, north, {"highway": "track", "tracktype": "grade4"}),
            (3, same, {"highway": "secondary"}),
        ]
    )
    out = find(roads).set_index("osm_ids")
    assert out.loc["1", ["highway_XAA", "surface_XAA", "highway_XBB", "surface_XBB"]].tolist() == [
        "primary",
        "paved",
        "track",
        "unpaved",
    ]
    assert out.loc["1", "surface_differs"] and not out.loc["3", "surface_differs"]
    # within 200 m the primary is the longest way on both sides
    near = find(roads, continuity_km=0.2).set_index("osm_ids")
    assert near.loc["1", "highway_XBB"] == "primary" and not near.loc["1", "surface_differs"]


def test_admin_names_on_each_side():
    admin = gpd.GeoDataFrame(
        {
            "osm_id": [1, 2, 3, 4, 5],
            "admin_level": [4, 4, 6, 6, 4],
            "name": ["South West", "North", "South district", "North district", "South East"],
        },
        geometry=[
            shapely.box(59, 47, 65, 49.5),  # leaves a strip next to the border
            shapely.box(59, 50.2, 71, 53),
            shapely.box(59, 47, 71, 49.8),
            shapely.box(59, 50.2, 71, 53),
            shapely.box(65, 47, 71, 49.5),
        ],
        crs=WGS84,
    )
    roads = roads_frame(
        [
            (1, crossing_line(62.0, dy=0.8), {"highway": "primary"}),
            (2, crossing_line(68.0, dy=0.05), {"highway": "primary"}),
        ]
    )
    out = find(roads, admin=admin).set_index("osm_ids")
    assert out.loc["1", ["region_XAA", "region_XBB"]].tolist() == ["South West", "North"]
    assert out.loc["1", ["district_XAA", "district_XBB"]].tolist() == [
        "South district",
        "North district",
    ]
    # road 2 ends inside the strip: the nearest area on each side
    assert out.loc["2", ["region_XAA", "region_XBB"]].tolist() == ["South East", "North"]


# --------------------------------------------------------------------------------------
# surface rule (borderzone.osm.schema.surface_class), as the crossings use it


@pytest.mark.parametrize(
    ("highway", "surface", "tracktype", "smoothness", "expected"),
    [
        ("track", "asphalt", None, None, ("paved", "tag")),
        ("motorway", "gravel", None, None, ("unpaved", "tag")),
        ("residential", "concrete:plates", None, None, ("paved", "tag")),
        ("residential", "paving_stones", None, None, ("paved", "tag")),
        ("service", "sett", None, None, ("paved", "tag")),
        ("primary", "dirt", None, None, ("unpaved", "tag")),
        ("tertiary", "compacted", None, None, ("unpaved", "tag")),
        ("unclassified", "ground", "grade1", None, ("unpaved", "tag")),
        ("track", None, "grade1", None, ("paved", "tag")),
        ("primary", None, "grade3", None, ("unpaved", "tag")),
        ("track", "weird", "grade5", None, ("unpaved", "tag")),
        ("residential", None, None, "good", ("paved", "tag")),
        ("track", None, None, "excellent", ("paved", "tag")),
        ("primary", None, None, "very_bad", ("unpaved", "tag")),
        ("primary", None, None, "intermediate", ("paved", "inferred")),
        ("tertiary", None, None, "intermediate", ("unknown", "none")),
        ("motorway", None, None, None, ("paved", "inferred")),
        ("trunk_link", None, None, None, ("paved", "inferred")),
        ("secondary", None, None, None, ("paved", "inferred")),
        ("tertiary", None, None, None, ("unknown", "none")),
        ("track", None, None, None, ("unpaved", "inferred")),
        ("residential", "asphalt;gravel", None, None, ("unknown", "none")),
        (None, None, None, None, ("unknown", "none")),
    ],
)
def test_surface_rule(highway, surface, tracktype, smoothness, expected):
    assert surface_class(highway, surface, tracktype, smoothness) == expected


def test_surface_rule_vectorised_matches_scalars():
    rows = [
        ("track", "asphalt", None, None),
        ("primary", None, "grade3", None),
        ("tertiary", None, None, "intermediate"),
        ("service", None, None, None),
        ("secondary_link", np.nan, None, None),
    ]
    df = pd.DataFrame(rows, columns=["h", "s", "t", "m"], index=[10, 11, 12, 13, 14])
    cls, src = surface_class(df.h, df.s, df.t, df.m)
    assert list(cls.index) == [10, 11, 12, 13, 14]
    assert list(zip(cls, src, strict=True)) == [surface_class(*r) for r in rows]
    lists = surface_class(["track", "primary"], [None, "dirt"], [None, None], [None, None])
    assert [x.tolist() for x in lists] == [["unpaved", "unpaved"], ["inferred", "tag"]]


# --------------------------------------------------------------------------------------
# the truth of synthetic worlds (synth_run: conftest.py)


@pytest.mark.parametrize(
    "column",
    [
        "highway",
        "ref",
        "official",
        "local_only",
        "category",
        "transit",
        "in_gap",
        "surface_differs",
    ],
)
def test_synth_classes_equal_truth(synth_run, column):
    found, truth, _, _ = synth_run
    got = found.loc[matched(found, truth)].reset_index(drop=True)
    a = [None if pd.isna(v) else v for v in got[column]]
    b = [None if pd.isna(v) else v for v in truth[column]]
    assert a == b, list(zip(truth.feature, a, b, strict=True))


def test_synth_surface_all_features(synth_run):
    found, truth, _, _ = synth_run
    got = found.loc[matched(found, truth)].reset_index(drop=True)
    road = truth.kind == "road"
    assert got.surface_class[road].tolist() == truth.surface_class[road].tolist()
    assert got.surface_source[road].tolist() == truth.surface_source[road].tolist()
