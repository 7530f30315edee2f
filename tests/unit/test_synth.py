"""Tests of borderzone.synth.world: the written files, read back with real readers."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pyogrio
import pyproj
import pytest
import rasterio
import shapely

from borderzone.border.line import trace_border
from borderzone.crs import WGS84, local_aeqd
from borderzone.io import read_countries
from borderzone.synth.world import (
    World,
    generate_world,
)

OUTLINES = Path(__file__).resolve().parents[2] / "data" / "rus_kaz_outlines.gpkg"
ROAD_CLASSES = {
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
    "service", "track", "motorway_link", "trunk_link", "primary_link", "secondary_link",
    "tertiary_link",
}  # fmt: skip


@dataclass
class Extract:
    """What a world's PBF holds, read with pyosmium."""

    ways: dict[int, tuple[dict[str, str], np.ndarray, list[int]]] = field(default_factory=dict)
    nodes: dict[int, tuple[dict[str, str], tuple[float, float]]] = field(default_factory=dict)
    relations: dict[int, dict[str, str]] = field(default_factory=dict)
    areas: list[tuple[int, dict[str, str], shapely.Geometry]] = field(default_factory=list)


def read_extract(path: Path) -> Extract:
    out = Extract()
    wkb = osmium.geom.WKBFactory()
    for obj in osmium.FileProcessor(str(path)).with_locations().with_areas():
        if obj.is_node() and len(obj.tags):
            out.nodes[obj.id] = (dict(obj.tags), (obj.location.lon, obj.location.lat))
        elif obj.is_way():
            coords = np.array([(n.lon, n.lat) for n in obj.nodes])
            out.ways[obj.id] = (dict(obj.tags), coords, [n.ref for n in obj.nodes])
        elif obj.is_relation():
            out.relations[obj.id] = dict(obj.tags)
        elif obj.is_area() and obj.from_way() is False:
            geom = shapely.from_wkb(wkb.create_multipolygon(obj))
            out.areas.append((obj.orig_id(), dict(obj.tags), geom))
    return out


def border_of(world: World, pair: tuple[str, str]) -> shapely.LineString:
    countries = read_countries(world.countries, iso3=pair)
    border, _ = trace_border(countries, pair=pair)
    return border.geometry.iloc[0]


def to_local(geom: shapely.Geometry, lon: float, lat: float) -> shapely.Geometry:
    tr = pyproj.Transformer.from_crs(WGS84, local_aeqd(lon, lat), always_xy=True)
    return shapely.transform(geom, lambda c: np.column_stack(tr.transform(*c.T)))


def side(point: np.ndarray, countries: gpd.GeoDataFrame) -> str | None:
    for row in countries.itertuples():
        if shapely.contains_xy(row.geometry, *point):
            return row.iso3
    return None


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return generate_world(tmp_path_factory.mktemp("world"), n_ways=300, seed=0)


@pytest.fixture(scope="module")
def extract(world) -> Extract:
    return read_extract(world.pbf)


@pytest.fixture(scope="module")
def border(world) -> shapely.LineString:
    return border_of(world, ("XAA", "XBB"))


@pytest.fixture(scope="module")
def truth(world) -> gpd.GeoDataFrame:
    return gpd.read_file(world.truth, layer="crossings")


@pytest.fixture(scope="module")
def rus_kaz(tmp_path_factory) -> World:
    countries = read_countries(OUTLINES, iso3=("RUS", "KAZ"))
    return generate_world(
        tmp_path_factory.mktemp("rk"), countries=countries, pair=("RUS", "KAZ"), n_ways=500
    )


def test_files_open(world):
    assert all(Path(p).exists() for p in (world.pbf, world.countries, world.truth))
    countries = gpd.read_file(world.countries, layer="countries")
    assert list(countries.iso3) == ["XAA", "XBB"]
    assert {"iso3", "name"} <= set(countries.columns)
    assert countries.crs.to_epsg() == 4326
    assert countries.is_valid.all()
    assert pyogrio.list_layers(world.truth)[:, 0].tolist() == [
        "crossings",
        "non_crossings",
        "places",
    ]


def test_pbf_holds_roads_rails_and_places(extract):
    tags = [t for t, _, _ in extract.ways.values()]
    highways = {t["highway"] for t in tags if "highway" in t}
    assert ROAD_CLASSES <= highways
    assert len(extract.ways) >= 300
    surfaced = [t for t in tags if "surface" in t]
    only_grade = [t for t in tags if "tracktype" in t and "surface" not in t]
    only_smooth = [t for t in tags if "smoothness" in t and "surface" not in t]
    bare = [
        t for t in tags if "highway" in t and not {"surface", "tracktype", "smoothness"} & set(t)
    ]
    assert surfaced and only_grade and only_smooth and bare
    assert any("name:ru" in t for t in tags) and any("name:kk" in t for t in tags)
    assert any("ref" in t and "highway" in t for t in tags)
    rails = [t for t in tags if t.get("railway") == "rail"]
    assert {t.get("usage") for t in rails} >= {"main", "branch", "industrial"}
    assert {t.get("electrified") for t in rails} >= {"contact_line", "no"}
    assert all(t["gauge"] == "1520" for t in rails)
    assert any(t.get("railway") == "abandoned" for t in tags)
    assert any(t.get("railway") == "construction" for t in tags)
    places = [t for t, _ in extract.nodes.values() if "place" in t]
    assert {t["place"] for t in places} >= {"city", "town", "village"}
    pops = [t["population"] for t in places]
    assert any(not p.isdigit() for p in pops) and sum(p.isdigit() for p in pops) > len(pops) / 2


def test_checkpoints(extract):
    nodes = [t for t, _ in extract.nodes.values()]
    controls = [t for t in nodes if t.get("barrier") == "border_control"]
    assert len(controls) >= 3
    assert any(t.get("border_control") == "small_border_traffic" for t in controls)
    assert any(t.get("railway") == "border" for t in nodes)
    areas = [t for t, c, r in extract.ways.values() if t.get("barrier") == "border_control"]
    assert len(areas) == 1


def test_admin_relations_build_valid_polygons(extract, world):
    levels = [t.get("admin_level") for t in extract.relations.values()]
    assert levels.count("2") == 2 and levels.count("4") >= 4 and levels.count("6") >= 8
    countries = gpd.read_file(world.countries, layer="countries").set_index("iso3")
    built = {t["ISO3166-1:alpha3"]: g for _, t, g in extract.areas if t.get("admin_level") == "2"}
    assert set(built) == {"XAA", "XBB"}
    for iso3, geom in built.items():
        assert geom.is_valid
        outline = countries.geometry[iso3]
        assert abs(geom.area - outline.area) / outline.area < 1e-6
    level2 = [t for t in extract.relations.values() if t.get("admin_level") == "2"]
    for t in level2:
        assert t["type"] == "boundary" and t["boundary"] == "administrative"
        assert t["ISO3166-1"] and t["name"]
    assert all(g.is_valid for _, t, g in extract.areas if t.get("admin_level") in ("4", "6"))
    assert any(t.get("maritime") == "yes" for t, _, _ in extract.ways.values())


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


def test_transit_line_runs_long_in_the_other_country(truth, extract, world):
    countries = read_countries(world.countries, iso3=("XAA", "XBB"))
    ids = sorted({int(i) for i in truth[truth.transit].osm_ids})
    rail = [w for w in extract.ways.values() if w[0].get("name") == "Транзитная магистраль"]
    line = shapely.line_merge(shapely.MultiLineString([shapely.LineString(c) for _, c, _ in rail]))
    inside = line.intersection(countries.geometry.iloc[1])
    assert inside.length * 70 > 100  # degrees to km, roughly: more than 100 km in B
    assert len(ids) == 2


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


def test_same_seed_same_bytes_other_seed_differs(world, tmp_path):
    again = generate_world(tmp_path / "again", n_ways=300, seed=0)
    other = generate_world(tmp_path / "other", n_ways=300, seed=1)

    def digest(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()

    for name in ("pbf", "countries", "truth", "population"):
        assert digest(getattr(again, name)) == digest(getattr(world, name)), name
    assert digest(other.pbf) != digest(world.pbf)


def test_population_total(world):
    with rasterio.open(world.population) as src:
        data = src.read(1)
        tags = src.tags()
        assert src.crs is not None and src.nodata is not None
        assert src.crs.is_projected
    total = float(data.sum(dtype=np.float64))
    assert total == pytest.approx(float(tags["TOTAL_POPULATION"]), rel=1e-6)
    meta = pyogrio.read_info(world.truth, layer="crossings")["dataset_metadata"]
    assert float(meta["total_population"]) == pytest.approx(total, rel=1e-6)
    places = gpd.read_file(world.truth, layer="places")
    rural = data[data > 0].min()
    expected = places.population.sum() + (data > 0).sum() * 1.5
    assert total == pytest.approx(expected, rel=1e-3)
    assert rural == pytest.approx(1.5, rel=1e-3)
    assert (data >= 0).all()


def test_far_ways_lie_far_from_the_border(tmp_path):
    w = generate_world(tmp_path, n_ways=600, seed=3, far_fraction=0.5)
    ex = read_extract(w.pbf)
    line = border_of(w, ("XAA", "XBB"))
    lat_max = shapely.get_coordinates(line)[:, 1].max()
    far = [c for t, c, _ in ex.ways.values() if c[:, 1].min() > lat_max + 2.8]
    assert len(far) >= 200
    geod = pyproj.Geod(ellps="WGS84")
    # the nearest border point of the first vertex of each far way is more than 300 km away
    for c in far[:20]:
        nearest = shapely.ops.nearest_points(line, shapely.Point(c[0]))[0]
        assert geod.inv(nearest.x, nearest.y, *c[0])[2] > 300_000


def test_rus_kaz_world(rus_kaz):
    truth = gpd.read_file(rus_kaz.truth, layer="crossings")
    line = border_of(rus_kaz, ("RUS", "KAZ"))
    assert truth.in_gap.sum() == 1 and truth.transit.sum() == 2
    for p in truth.geometry:
        assert to_local(line, p.x, p.y).distance(to_local(p, p.x, p.y)) <= 1.0
    ex = read_extract(rus_kaz.pbf)
    iso = {t["ISO3166-1:alpha3"] for _, t, g in ex.areas if t.get("admin_level") == "2"}
    assert iso == {"RUS", "KAZ"}
    gap = truth[truth.in_gap].iloc[0]
    tags, coords, _ = ex.ways[int(gap.osm_ids)]
    p = gap.geometry
    hit = to_local(line, p.x, p.y).intersection(to_local(shapely.LineString(coords), p.x, p.y))
    assert hit.distance(shapely.Point(0, 0)) < 1.0


def test_only_the_truth_ways_meet_the_border(world, extract, border, truth):
    listed = {int(i) for ids in truth.osm_ids for i in ids.split(",")}
    non = gpd.read_file(world.truth, layer="non_crossings")
    listed |= set(non.osm_id.astype(int))
    ids = [i for i, (t, c, _) in extract.ways.items() if "boundary" not in t and len(c) > 1]
    lines = [shapely.LineString(extract.ways[i][1]) for i in ids]
    meets = {ids[k] for k in np.flatnonzero(shapely.dwithin(lines, border, 1e-6))}
    assert meets == listed
