"""Tests of borderzone.synth.truth: the truth layers agree with the ways in the PBF."""

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
import shapely
from synth_helpers import side, to_local

from borderzone.border.line import trace_border
from borderzone.crs import WGS84
from borderzone.io import read_countries
from borderzone.synth.features import CATALOGUE
from borderzone.synth.truth import CROSSING_COLUMNS
from borderzone.synth.world import generate_world


def test_truth_points_lie_on_the_border(truth, border):
    assert len(truth) >= 15
    for p in truth.geometry:
        d = to_local(border, p.x, p.y).distance(to_local(p, p.x, p.y))
        assert d <= 1.0


def test_truth_ways_cross_the_border_at_the_point(truth, border, extract):
    for row in truth.itertuples():
        p = row.geometry
        local_border = to_local(border, p.x, p.y)
        for wid in map(int, row.osm_ids.split(",")):
            tags, coords, _ = extract.ways[wid]
            assert (row.kind == "rail") == ("railway" in tags)
            hits = local_border.intersection(to_local(shapely.LineString(coords), p.x, p.y))
            assert not hits.is_empty
            assert hits.distance(shapely.Point(0, 0)) < 100.0


def test_truth_columns_and_special_crossings(truth):
    cols = {"kind", "highway", "ref", "surface_class", "surface_source", "official", "local_only",
            "category", "transit", "in_gap", "osm_ids", "surface_differs"}  # fmt: skip
    assert cols <= set(truth.columns)
    assert set(truth.category) == {
        "international checkpoint", "local checkpoint", "road without checkpoint", "track",
        "rail checkpoint", "rail without checkpoint",
    }  # fmt: skip
    dual = truth[truth.feature == "dual_carriageway"]
    assert len(dual) == 1 and len(dual.osm_ids.iloc[0].split(",")) == 3
    assert dual.highway.iloc[0] == "motorway" and dual.official.iloc[0]
    zz = truth[truth.feature == "zigzag"]
    assert len(zz) == 3 and zz.osm_ids.nunique() == 1
    pts = shapely.points(np.column_stack([zz.geometry.x, zz.geometry.y]))
    local = [to_local(q, pts[0].x, pts[0].y) for q in pts]
    assert min(a.distance(b) for i, a in enumerate(local) for b in local[i + 1 :]) > 100
    transit = truth[truth.transit]
    assert len(transit) == 2 and (transit.kind == "rail").all()
    assert truth.in_gap.sum() == 1
    assert truth.local_only.sum() == 1
    assert set(truth[truth.surface_differs].feature) == {"paved_to_track", "gravel_to_asphalt"}
    assert (truth[truth.kind == "rail"].highway.isna()).all()


def test_truth_columns_in_order_by_chainage(truth):
    assert list(truth.columns) == list(CROSSING_COLUMNS)
    assert truth.border_km.is_monotonic_increasing


def test_truth_surfaces_are_the_catalogue_literals(truth):
    """The truth takes each road's surface from the table (the first crossing way's)."""
    expected = {
        r.name: next(w.surface for w in r.ways if w.role == "cross")
        for r in CATALOGUE
        if r.kind == "road" and not r.reason
    }
    roads = truth[truth.kind == "road"]
    assert set(roads.feature) == set(expected)
    for row in roads.itertuples():
        assert (row.surface_class, row.surface_source) == expected[row.feature], row.feature


def test_non_crossings(world, extract, border):
    non = gpd.read_file(world.truth, layer="non_crossings")
    assert set(non.reason) == {"touches", "abandoned", "construction"}
    countries = read_countries(world.countries, iso3=("XAA", "XBB"))
    for row in non.itertuples():
        tags, coords, _ = extract.ways[row.osm_id]
        p = shapely.Point(coords[0])
        line = to_local(shapely.LineString(coords), p.x, p.y)
        local_border = to_local(border, p.x, p.y)
        if row.reason == "touches":
            # every vertex off the border lies on one side: the way never changes side
            off = [c for c in coords if to_local(shapely.Point(c), p.x, p.y).distance(
                local_border) > 1.0]  # fmt: skip
            assert len({side(c, countries) for c in off}) == 1
            assert line.distance(local_border) < 0.05
        else:
            assert tags["railway"] in ("abandoned", "construction")
            assert side(coords[0], countries) != side(coords[-1], countries)


def short_border_countries(km: float) -> gpd.GeoDataFrame:
    """Two squares 0.5° wide, XAA west and XBB east, sharing about ``km`` of 60° E."""
    south = 50.0 - km / 111.2
    xaa = shapely.box(59.5, 49.7, 60.0, 50.0)
    xbb = shapely.box(60.0, south, 60.5, south + 0.3)
    return gpd.GeoDataFrame({"iso3": ["XAA", "XBB"]}, geometry=[xaa, xbb], crs=WGS84)


@pytest.mark.parametrize("km", [3.0, 6.0])
def test_a_world_on_a_short_border_has_its_truth(tmp_path, world, km):
    countries = short_border_countries(km)
    settings = {"min_part_km": 1.0}
    short = generate_world(
        tmp_path, countries=countries, n_ways=50, seed=1, border_settings=settings
    )
    border, _ = trace_border(countries, pair=("XAA", "XBB"), **settings)
    line, length_km = border.geometry.iloc[0], border["length_km"].iloc[0]
    assert shapely.get_coordinates(line)[:, 0] == pytest.approx(60.0)  # along the shared edge
    assert {name for name, _ in pyogrio.list_layers(short.truth)} == {
        "crossings", "non_crossings", "places", "rivers", "districts"
    }  # fmt: skip
    for layer in ("crossings", "non_crossings"):  # the fields of a world with features
        got, full = (pyogrio.read_info(w.truth, layer=layer) for w in (short, world))
        assert list(got["fields"]) == list(full["fields"]), layer
        assert list(got["dtypes"]) == list(full["dtypes"]), layer
    crossings = gpd.read_file(short.truth, layer="crossings")
    for p in crossings.geometry:
        assert to_local(line, p.x, p.y).distance(to_local(p, p.x, p.y)) <= 1.0
    assert crossings["border_km"].between(0, length_km).all()
    # the districts of each side are strips between meridians that cover the whole line
    districts = gpd.read_file(short.truth, layer="districts")
    for iso3 in ("XAA", "XBB"):
        own = districts[districts["iso3"] == iso3]
        assert own["border_km"].sum() == pytest.approx(length_km, rel=1e-6), iso3
    with rasterio.open(short.population) as raster:
        assert raster.crs.is_projected
        assert raster.read(1).sum() > 0
