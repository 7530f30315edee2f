"""The waterways layer: from the synthetic world's PBF (both engines) and an Overpass reply."""

import pytest
import shapely
from osm_helpers import overpass_waterways
from servers import LocalServer, Reply, overpass_json, status_text

from borderzone.osm.clip import clip_network
from borderzone.osm.overpass import overpass_query, retrieve_overpass_chunk
from borderzone.osm.pbf import extract_corridor
from borderzone.osm.prefilter import osmium_binary
from borderzone.osm.schema import LAYER_COLUMNS, is_water_area
from borderzone.synth.rivers import RIVERS
from borderzone.synth.world import generate_world

ENGINES = ["pyosmium"] + (["osmium-tool"] if osmium_binary("auto") else [])
CHUNK = shapely.box(61.0, 51.0, 61.2, 51.1)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return generate_world(tmp_path_factory.mktemp("w"), n_ways=200, seed=3)


@pytest.mark.parametrize("engine", ENGINES)
def test_pbf_reader_gives_the_worlds_rivers_areas_and_no_stream(world, engine):
    import geopandas as gpd

    countries = gpd.read_file(world.countries)
    layers = extract_corridor(
        [world.pbf], corridor=shapely.box(*countries.total_bounds), engine=engine
    )
    water = layers["waterways"]
    assert list(water.columns) == [*LAYER_COLUMNS["waterways"], "geometry"]
    names = set(water["name"])
    assert {r.name for r in RIVERS} <= names
    assert "stream" not in set(water["waterway"].dropna())  # bulk streams are left out
    areas = water[water.geom_type == "MultiPolygon"]
    # the closed riverbank way of the river that follows, the multipolygon of the wide one
    assert sorted(zip(areas["osm_type"], areas["name"], strict=True)) == [
        ("relation", "Илек"),
        ("way", "Уй"),
    ]
    lines = water[water.geom_type == "LineString"]
    assert set(lines["waterway"]) == {"river", "canal"}
    assert set(lines.loc[lines["waterway"] == "canal", "name"]) == {"Канал имени Ленина"}


def test_is_water_area():
    assert is_water_area({"waterway": "riverbank"})
    assert is_water_area({"natural": "water", "water": "river"})
    assert not is_water_area({"natural": "water", "water": "lake"})
    assert not is_water_area({"water": "river"})


def test_overpass_query_asks_for_waterways():
    query = overpass_query(CHUNK, timeout_s=60)
    assert 'way["waterway"~"^(river|canal)$"]' in query
    assert 'wr["waterway"="riverbank"]' in query
    assert 'wr["natural"="water"]["water"="river"]' in query


def test_overpass_reply_gives_lines_then_areas(tmp_path, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    with LocalServer() as server:
        server.route("GET", "/api/status", default=lambda r: Reply(body=status_text()))
        server.route(
            "POST",
            "/api/interpreter",
            default=Reply(
                body=overpass_json(overpass_waterways()),
                headers={"Content-Type": "application/json"},
            ),
        )
        layers = retrieve_overpass_chunk(
            CHUNK, url=server.url + "/api", cache_dir=tmp_path, timeout_s=10
        )
    water = layers["waterways"]
    assert list(water.columns) == [*LAYER_COLUMNS["waterways"], "geometry"]
    assert list(zip(water["osm_type"], water["osm_id"], strict=True)) == [
        ("way", 300),
        ("way", 301),
        ("relation", 400),
        ("way", 303),
    ]
    assert list(water.geom_type) == ["LineString"] * 2 + ["MultiPolygon"] * 2
    assert water.loc[0, "name:en"] == "Ilek"
    bank = water.geometry[3]
    assert bank.area == pytest.approx(0.02 * 0.02)
    assert water.geometry[2].area == pytest.approx(0.04 * 0.03)


def test_clip_network_splits_waterways_into_lines_and_areas():
    import geopandas as gpd

    from borderzone.osm.elements import layers_from_elements

    layers = layers_from_elements(overpass_waterways(), polygon=CHUNK)
    buffer = gpd.GeoDataFrame(
        {"side": ["XAA"], "width_km": [5.0]}, geometry=[shapely.box(61.0, 51.0, 61.03, 51.1)],
        crs=4326,
    )  # fmt: skip
    out = clip_network(layers, buffer)
    assert set(out["waterways"].geom_type) == {"LineString"}
    assert set(out["water_areas"].geom_type) == {"MultiPolygon"}
    # the riverbank (61.02-61.04) is cut at 61.03: half of it is left
    assert shapely.area(out["water_areas"].geometry.values).sum() == pytest.approx(0.01 * 0.02)
    assert out["waterways"].geometry.bounds["maxx"].max() == pytest.approx(61.03)
