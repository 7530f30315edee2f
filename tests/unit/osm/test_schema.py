"""Tests of borderzone.osm.schema: the tag rules and layer columns both OSM readers share."""

import numpy as np
import pandas as pd
import pytest
import shapely

from borderzone.osm.schema import (
    CHECKPOINT_MATCH,
    LAYER_COLUMNS,
    LAYER_GEOMETRY,
    build_layer,
    checkpoint_mask,
    closed_lines_as_areas,
    empty_layer,
    is_checkpoint,
    representative_points,
    road_rank,
    surface_class,
)

NAN = float("nan")

# (highway, surface, tracktype, smoothness) -> (surface_class, surface_source)
SURFACE_CASES = [
    # 1. surface
    (("track", "asphalt", None, None), ("paved", "tag")),  # surface beats the class
    (("primary", "gravel", None, None), ("unpaved", "tag")),
    (("secondary", "ground", None, None), ("unpaved", "tag")),
    (("service", "paving_stones", None, None), ("paved", "tag")),
    (("tertiary", "concrete", None, None), ("paved", "tag")),
    (("tertiary", "concrete:plates", None, None), ("paved", "tag")),  # concrete*
    (("tertiary", "concrete:lanes", None, None), ("paved", "tag")),
    (("residential", "asphalt", "grade5", "horrible"), ("paved", "tag")),  # beats the rest
    (("residential", "dirt", "grade1", "excellent"), ("unpaved", "tag")),
    (("track", "  asphalt ", None, None), ("paved", "tag")),  # blanks stripped
    (("track", "Asphalt", None, None), ("unpaved", "inferred")),  # case-sensitive
    (("trunk", "some_other_value", None, None), ("paved", "inferred")),  # says nothing
    # 2. tracktype
    (("primary", None, "grade3", None), ("unpaved", "tag")),  # beats the class
    (("track", None, "grade1", None), ("paved", "tag")),
    (("unclassified", None, "grade2", "excellent"), ("unpaved", "tag")),  # beats smoothness
    (("track", "unknown", "grade1", None), ("paved", "tag")),
    (("primary", None, "grade6", None), ("paved", "inferred")),  # not a grade
    # 3. smoothness
    (("tertiary", None, None, "good"), ("paved", "tag")),
    (("track", None, None, "excellent"), ("paved", "tag")),  # beats the class
    (("tertiary", None, None, "very_bad"), ("unpaved", "tag")),
    (("motorway", None, None, "impassable"), ("unpaved", "tag")),
    (("tertiary", None, None, "intermediate"), ("unknown", "none")),  # says nothing
    (("primary", None, None, "intermediate"), ("paved", "inferred")),
    (("track", None, None, "intermediate"), ("unpaved", "inferred")),
    # 4. class default
    (("motorway", None, None, None), ("paved", "inferred")),
    (("secondary", None, None, None), ("paved", "inferred")),
    (("motorway_link", None, None, None), ("paved", "inferred")),
    (("secondary_link", None, None, None), ("paved", "inferred")),
    (("track", None, None, None), ("unpaved", "inferred")),
    (("primary", NAN, NAN, NAN), ("paved", "inferred")),  # NaN is a missing tag
    # 5. unknown
    (("tertiary", None, None, None), ("unknown", "none")),
    (("tertiary_link", None, None, None), ("unknown", "none")),
    (("residential", None, None, None), ("unknown", "none")),
    (("footway", None, None, None), ("unknown", "none")),  # a class outside the roads
    ((None, None, None, None), ("unknown", "none")),
]


@pytest.mark.parametrize(("tags", "expected"), SURFACE_CASES)
def test_surface_class_table(tags, expected) -> None:
    assert surface_class(*tags) == expected


def test_surface_class_of_series_matches_the_table() -> None:
    columns = list(zip(*(tags for tags, _ in SURFACE_CASES), strict=True))
    index = pd.Index(range(100, 100 + len(SURFACE_CASES)))
    series = [pd.Series(c, index=index, dtype=object) for c in columns]
    cls, src = surface_class(*series)
    assert list(cls.index) == list(index)
    assert list(zip(cls, src, strict=True)) == [expected for _, expected in SURFACE_CASES]
    # a scalar among sequences is broadcast
    cls, src = surface_class(["track", "primary"], None, None, "good")
    assert cls.tolist() == ["paved", "paved"] and src.tolist() == ["tag", "tag"]


def test_road_rank_order() -> None:
    highway = pd.Series(
        [
            "motorway",
            "motorway_link",
            "trunk",
            "trunk_link",
            "primary",
            "secondary_link",
            "tertiary",
            "unclassified",
            "residential",
            "living_street",
            "service",
            "track",
            "footway",
            None,
        ]
    )
    assert road_rank(highway).tolist() == [0, 1, 2, 3, 4, 7, 8, 10, 12, 14, 16, 18, 20, 20]


@pytest.mark.parametrize(
    "tags",
    [
        {"barrier": "border_control"},
        {"barrier": "gate"},
        {"government": "border_control", "name": "Post"},
        {"railway": "border"},
        {"railway": "rail"},
        {"border_control": "customs"},
        {"border_control": "no"},
        {"building": "yes"},
        {},
    ],
)
def test_checkpoint_mask_agrees_with_is_checkpoint(tags) -> None:
    frame = pd.DataFrame([tags, {}], columns=[*CHECKPOINT_MATCH, "name"])
    assert checkpoint_mask(frame).tolist() == [is_checkpoint(tags), False]


def test_checkpoint_mask_without_columns() -> None:
    assert checkpoint_mask(pd.DataFrame({"name": ["a", None]})).tolist() == [False, False]
    frame = pd.DataFrame({"border_control": [None, NAN, "yes"]})
    assert checkpoint_mask(frame).tolist() == [False, False, True]


def test_layer_tables_cover_six_layers() -> None:
    assert list(LAYER_COLUMNS) == ["roads", "rail", "checkpoints", "places", "admin", "waterways"]
    assert set(LAYER_GEOMETRY) == set(LAYER_COLUMNS)
    assert LAYER_COLUMNS["admin"] == (
        "osm_id",
        "admin_level",
        "name",
        "name:en",
        "ISO3166-1:alpha3",
        "ISO3166-2",
    )
    assert LAYER_GEOMETRY["admin"] == "MultiPolygon"
    for columns in LAYER_COLUMNS.values():
        assert columns[0] == "osm_id"


def test_build_layer_types() -> None:
    rows = pd.DataFrame(
        {"osm_id": [5, 6], "admin_level": ["4", "6"], "name": ["A", NAN], "extra": [1, 2]}
    )
    admin = build_layer("admin", rows, [shapely.box(0, 0, 1, 1)] * 2)
    assert list(admin.columns) == [*LAYER_COLUMNS["admin"], "geometry"]
    assert admin["osm_id"].dtype == np.int64 and admin["admin_level"].dtype == np.int64
    assert admin["name"].tolist() == ["A", None] and admin["name:en"].tolist() == [None, None]
    places = build_layer("places", pd.DataFrame({"osm_id": [1], "population": ["1 000"]}), [None])
    assert places["population"].tolist() == [1000.0]
    with pytest.raises(KeyError, match="unknown OSM layer"):
        build_layer("rivers", rows, [])
    with pytest.raises(KeyError, match="osm_id"):
        build_layer("roads", pd.DataFrame({"highway": ["primary"]}), [None])


@pytest.mark.parametrize("name", list(LAYER_COLUMNS))
def test_empty_layer(name) -> None:
    gdf = empty_layer(name)
    assert gdf.empty and list(gdf.columns) == [*LAYER_COLUMNS[name], "geometry"]
    assert gdf.crs.to_epsg() == 4326 and gdf["osm_id"].dtype == np.int64


def test_closed_ways_count_as_areas() -> None:
    ring = shapely.LineString([(0, 0), (2, 0), (2, 2), (0, 2), (0, 0)])
    open_line = shapely.LineString([(0, 0), (2, 0), (2, 2)])
    there_and_back = shapely.LineString([(0, 0), (1, 0), (0, 0)])  # closed, 3 vertices
    point = shapely.Point(5, 5)
    areas = closed_lines_as_areas([ring, open_line, there_and_back, point])
    assert areas[0].equals(shapely.box(0, 0, 2, 2))
    assert areas[1].equals(open_line) and areas[2].equals(there_and_back)
    assert areas[3].equals(point)
    points = representative_points([ring, open_line, point])
    assert shapely.box(0, 0, 2, 2).contains(points[0])
    assert points[1].equals(shapely.Point(2, 0))  # the inner vertex of the line
    assert points[2].equals(point)
    assert len(representative_points([])) == 0
