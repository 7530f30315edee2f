"""Tests of borderzone.crossings.find: the rule's function joins detection and summaries."""

import geopandas as gpd
import pandas as pd
import shapely
from crossings_helpers import (
    BORDER,
    COUNTRIES,
    GAPS,
    NO_CPS,
    PAIR,
    SEGMENTS,
    crossing_line,
    find,
    rail_frame,
    roads_frame,
)

from borderzone.crossings import find_crossings
from borderzone.crossings.summary import summarise_crossings
from borderzone.crs import WGS84

ROADS = roads_frame([(1, crossing_line(61.0), {"highway": "trunk", "surface": "asphalt"})])
RAIL = rail_frame([(5, crossing_line(65.0), {"railway": "rail", "ref": "L1"})])
ADMIN = gpd.GeoDataFrame(
    {"admin_level": [4, 4], "name": ["S", "N"]},
    geometry=[shapely.box(59, 47, 71, 50.5), shapely.box(59, 49.7, 71, 53)],
    crs=WGS84,
)
LAYERS = {"border": BORDER, "border_gaps": GAPS, "segments": SEGMENTS}


def osm(admin):
    return {"roads": ROADS, "rail": RAIL, "checkpoints": NO_CPS, "admin": admin}


def test_find_crossings_gives_crossings_and_summaries():
    crossings, summary, by_region = find_crossings(
        LAYERS, COUNTRIES, osm(ADMIN), pair=list(PAIR), merge_within_m=50.0
    )
    expected = find(ROADS, RAIL, admin=ADMIN, merge_within_m=50.0)
    pd.testing.assert_frame_equal(crossings, expected)
    pd.testing.assert_frame_equal(summary, summarise_crossings(expected, pair=PAIR, roads=ROADS))
    pd.testing.assert_frame_equal(
        by_region, summarise_crossings(expected, pair=PAIR, by_region=True)
    )
    assert set(by_region.scope) == {"border", "S | N"}
    assert summary.published.isna().all()  # nothing is published for XAA-XBB


def test_without_admin_areas_by_region_is_empty():
    for admin in (None, ADMIN.iloc[:0]):
        crossings, summary, by_region = find_crossings(LAYERS, COUNTRIES, osm(admin), pair=PAIR)
        assert "region_XAA" not in crossings
        assert by_region.empty and list(by_region.columns) == list(summary.columns)


def test_the_pair_reaches_the_summary():
    countries = COUNTRIES.assign(iso3=["RUS", "KAZ"])
    _, summary, by_region = find_crossings(LAYERS, countries, osm(ADMIN), pair=["RUS", "KAZ"])
    border = summary.set_index(["group", "item"])
    assert border.loc[("headline", "rail lines"), "published"] == 16
    assert by_region.loc[by_region.scope != "border", "published"].isna().all()
