import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from borderzone.crs import WGS84
from borderzone.metrics.regions import (
    PAIR_COLUMNS,
    REGION_COLUMNS,
    _nearest_area,
    border_regions,
    region_tables,
)


def boxes(rows):
    return gpd.GeoDataFrame(
        [r[:-1] for r in rows],
        columns=["name", "side", "admin_level"][: len(rows[0]) - 1],
        geometry=[shapely.box(*r[-1]) for r in rows],
        crs=WGS84,
    )


def test_border_regions_keeps_level_4_areas_along_the_border():
    segments = gpd.GeoDataFrame(
        {"seg_id": [1]}, geometry=[shapely.LineString([(60.0, 50.0), (61.0, 50.0)])], crs=WGS84
    )
    countries = gpd.GeoDataFrame(
        {"iso3": ["AAA", "BBB"]},
        geometry=[shapely.box(59, 50, 62, 52), shapely.box(59, 48, 62, 50)],
        crs=WGS84,
    )
    admin = gpd.GeoDataFrame(
        {"name": ["North", "Far", "District", "South"], "admin_level": [4, 4, 6, "4"]},
        geometry=[
            shapely.box(60, 50, 61, 51),
            shapely.box(60, 50.5, 61, 51),  # ~55 km from the border
            shapely.box(60, 50, 61, 51),
            shapely.box(60, 49, 61, 50),
        ],
        crs=WGS84,
    )
    out = border_regions(admin, segments, countries)
    assert out["name"].tolist() == ["North", "South"]
    assert out["side"].tolist() == ["AAA", "BBB"]


def test_region_tables_by_construction():
    # two segments (15 and 10 km), a cell on each side of each; one region north, two south
    cells = gpd.GeoDataFrame(
        {
            "seg_id": [1, 2, 1, 2],
            "side": ["AAA", "AAA", "BBB", "BBB"],
            "from_km": [0.0, 15.0, 0.0, 15.0],
            "to_km": [15.0, 25.0, 15.0, 25.0],
            "population": [100.0, 300.0, 50.0, 0.0],
            "area_km2": [10.0, 20.0, 30.0, 40.0],
            "isolation_index": [0.2, 0.6, 0.5, 0.9],
        },
        geometry=[
            shapely.box(60, 50, 60.5, 50.5),
            shapely.box(60.5, 50, 61, 50.5),
            shapely.box(60, 49.5, 60.5, 50),
            shapely.box(60.5, 49.5, 61, 50),
        ],
        crs=WGS84,
    )
    regions = gpd.GeoDataFrame(
        {"side": ["AAA", "BBB", "BBB"], "name": ["North", "South-W", "South-E"]},
        geometry=[
            shapely.box(59.9, 50, 61.1, 51),
            shapely.box(59.9, 49, 60.5, 50),
            shapely.box(60.5, 49, 61.1, 50),
        ],
        crs=WGS84,
    )
    crossings = pd.DataFrame({"seg_id": [1, 2], "kind": ["road", "rail"]})
    per_region, per_pair = region_tables(regions, cells, crossings, population=None)
    assert list(per_region.columns) == REGION_COLUMNS
    assert list(per_pair.columns) == PAIR_COLUMNS
    r = per_region.set_index("name")
    assert r["border_km"].tolist() == [25.0, 15.0, 10.0]
    assert r["road_crossings"].tolist() == [1, 1, 0]
    assert r["rail_crossings"].tolist() == [1, 0, 1]
    assert r["population_in_buffer"].tolist() == [400.0, 50.0, 0.0]
    assert r.loc["North", "buffer_density_km2"] == pytest.approx(400 / 30)
    assert r.loc["North", "isolation_index"] == pytest.approx((100 * 0.2 + 300 * 0.6) / 400)
    assert r["population"].isna().all()  # no raster: whole regions not counted
    assert per_pair[["region_a", "region_b"]].values.tolist() == [
        ["North", "South-W"],
        ["North", "South-E"],
    ]
    assert per_pair["border_km"].tolist() == [15.0, 10.0]
    assert per_pair["population_in_buffer_b"].tolist() == [50.0, 0.0]
    assert per_pair["isolation_index_a"].tolist() == pytest.approx([0.2, 0.6])
    assert np.isnan(per_pair["isolation_index_b"].iloc[1])  # nobody on that side


# --- border km from the line itself, cut by the regions


def line_and_length(lon0=60.0, lon1=61.0, lat=50.0):
    from borderzone.geodesy import GEOD

    line = shapely.LineString([(lon0, lat), (lon1, lat)])
    return line, GEOD.inv(lon0, lat, lon1, lat)[2] / 1000


def test_cut_border_gives_each_km_to_the_nearest_region_on_each_side():
    from borderzone.metrics.regions import NO_REGION, border_km_by_region, cut_border_by_region

    line, total = line_and_length()
    border = gpd.GeoDataFrame({"part_id": [1]}, geometry=[line], crs=WGS84)
    regions = boxes(
        [
            ("N-W", "AAA", (59.9, 50, 60.4, 51)),
            ("N-E", "AAA", (60.4, 50, 61.1, 51)),
            ("S", "BBB", (59.9, 49, 60.8, 50)),  # ends 0.2° (~14 km) before the line does
            ("Far", "BBB", (60.8, 48, 61.1, 49)),  # more than 10 km from the line
        ]
    )
    pieces = cut_border_by_region(border, regions, sides=["AAA", "BBB"])
    assert pieces["length_km"].sum() == pytest.approx(total, rel=1e-9)
    per, pair = border_km_by_region(pieces)
    # the line meets lon 60.4 at 40 % of its length; pieces are 0.25 km
    assert per[("a", "N-W")] == pytest.approx(0.4 * total, abs=0.3)
    assert per[("a", "N-W")] + per[("a", "N-E")] == pytest.approx(total, rel=1e-9)
    # south: S up to 10 km beyond its east edge (lon 60.8 + 10 km), then no region
    reach = (61.0 - 60.8) * total - 10.0
    assert per[("b", NO_REGION)] == pytest.approx(reach, abs=0.3)
    assert "Far" not in per.loc["b"].index
    assert per[("b", "S")] + per[("b", NO_REGION)] == pytest.approx(total, rel=1e-9)
    assert pair[("N-W", "S")] == pytest.approx(0.4 * total, abs=0.3)
    assert pair.sum() == pytest.approx(total, rel=1e-9)


def two_cells() -> gpd.GeoDataFrame:
    """One segment's two cells along the line of :func:`line_and_length` (AAA north)."""
    return gpd.GeoDataFrame(
        {
            "seg_id": [1, 1],
            "side": ["AAA", "BBB"],
            "from_km": [0.0, 0.0],
            "to_km": [25.0, 25.0],
            "population": [10.0, 20.0],
            "area_km2": [5.0, 5.0],
            "isolation_index": [0.1, 0.2],
        },
        geometry=[shapely.box(60, 50, 61, 50.2), shapely.box(60, 49.8, 61, 50)],
        crs=WGS84,
    )


def test_region_tables_take_border_km_from_the_line():
    line, total = line_and_length()
    cells = two_cells()
    regions = gpd.GeoDataFrame(
        {"side": ["AAA", "BBB", "BBB"], "name": ["North", "South-W", "South-E"]},
        geometry=[
            shapely.box(59.9, 50, 61.1, 51),
            shapely.box(59.9, 49, 60.5, 50),
            shapely.box(60.5, 49, 61.1, 50),
        ],
        crs=WGS84,
    )
    segments = gpd.GeoDataFrame({"seg_id": [1]}, geometry=[line], crs=WGS84)
    crossings = pd.DataFrame({"seg_id": [1], "kind": ["road"]})
    per_region, per_pair = region_tables(
        regions, cells, crossings, population=None, segments=segments
    )
    r = per_region.set_index("name")["border_km"]
    assert r["North"] == pytest.approx(total, rel=1e-9)  # not a multiple of the 25 km segment
    assert r["South-W"] == pytest.approx(total / 2, abs=0.3)
    assert r["South-W"] + r["South-E"] == pytest.approx(total, rel=1e-9)
    p = per_pair.set_index(["region_a", "region_b"])["border_km"]
    assert p[("North", "South-W")] == pytest.approx(total / 2, abs=0.3)
    assert p.sum() == pytest.approx(total, rel=1e-9)


def test_region_tables_with_regions_on_one_side_only():
    """No pair of facing regions (e.g. a world whose other side has no admin areas)."""
    line, total = line_and_length()
    cells = two_cells()
    regions = gpd.GeoDataFrame(
        {"side": ["AAA"], "name": ["North"]}, geometry=[shapely.box(59.9, 50, 61.1, 51)], crs=WGS84
    )
    segments = gpd.GeoDataFrame({"seg_id": [1]}, geometry=[line], crs=WGS84)
    crossings = pd.DataFrame({"seg_id": [1], "kind": ["road"]})
    per_region, per_pair = region_tables(
        regions, cells, crossings, population=None, segments=segments
    )
    assert per_region.set_index("name")["border_km"]["North"] == pytest.approx(total, rel=1e-9)
    assert len(per_pair) == 0 and list(per_pair.columns) == list(PAIR_COLUMNS)


def test_nearest_area_agrees_with_query_nearest_on_whole_outlines():
    # regions with holes, a multipolygon, an overlap and jagged outlines; points inside
    # one area, inside two, on edges, outside near and beyond reach
    rng = np.random.default_rng(7)
    angles = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    jagged = [
        shapely.Polygon(  # star-shaped: valid
            np.column_stack([np.cos(angles), np.sin(angles)])
            * (r * (1 + 0.05 * rng.uniform(-1, 1, (400, 1))))
            + (cx, cy)
        )
        for cx, cy, r in ((0, 0, 10), (25, 0, 8), (10, 18, 6))
    ]
    areas = np.array(
        [
            jagged[0].difference(shapely.box(-2, -2, 2, 2)),  # a hole
            shapely.MultiPolygon([jagged[1], shapely.box(40, 40, 45, 45)]),
            jagged[2].union(shapely.box(5, 5, 12, 12)),  # overlaps the first
        ],
        dtype=object,
    )
    xy = rng.uniform(-20, 50, (4000, 2))
    edge = shapely.get_coordinates(shapely.boundary(areas[0]))[::7]
    points = shapely.points(np.concatenate([xy, edge]))
    nearest = _nearest_area(areas, points, max_distance=6.0)
    got, hit = shapely.STRtree(areas).query_nearest(
        points, max_distance=6.0, all_matches=False, return_distance=False
    )
    expected = np.full(len(points), -1)
    expected[got] = hit
    assert (nearest == -1).any() and (nearest >= 0).sum() > 1000
    # a point in two areas, or at equal distance from two, may take either: the distances
    # to the area found and to the area expected are the same
    d_got = shapely.distance(points, areas[np.maximum(nearest, 0)])
    d_expected = shapely.distance(points, areas[np.maximum(expected, 0)])
    assert ((nearest == -1) == (expected == -1)).all()
    assert np.allclose(d_got[nearest >= 0], d_expected[nearest >= 0], atol=1e-9)
    assert (nearest == expected).mean() > 0.99
