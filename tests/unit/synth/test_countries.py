"""Tests of borderzone.synth.countries: outlines and the admin boundaries in the PBF."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from borderzone.errors import InputDataError
from borderzone.synth.countries import (
    boundary_relation,
    country_name,
    prepare_countries,
    procedural_countries,
)
from borderzone.synth.osm_writer import Osm


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


def test_country_names():
    assert country_name("KAZ") == "Kazakhstan" and country_name("XAA") == "Xaaland"


def test_procedural_countries_share_a_border():
    c = procedural_countries(np.random.default_rng(0), ("XAA", "XBB"))
    assert list(c.iso3) == ["XAA", "XBB"] and list(c.name) == ["Xaaland", "Xbbland"]
    assert c.is_valid.all()
    shared = shapely.intersection(c.geometry.iloc[0].boundary, c.geometry.iloc[1].boundary)
    assert shapely.length(shared) > 5  # degrees: most of the 7° of longitude


def test_prepare_countries(rus_kaz_countries):
    out = prepare_countries(rus_kaz_countries.iloc[::-1], pair=("KAZ", "RUS"))
    assert list(out.columns) == ["iso3", "name", "geometry"] and list(out.iso3) == ["KAZ", "RUS"]
    no_name = rus_kaz_countries[["iso3", "geometry"]]
    assert list(prepare_countries(no_name, pair=("RUS", "KAZ")).name) == ["Russia", "Kazakhstan"]
    with pytest.raises(InputDataError, match="iso3"):
        prepare_countries(rus_kaz_countries.drop(columns="iso3"), pair=("RUS", "KAZ"))


def test_boundary_relation_splits_long_rings_and_marks_the_sea():
    osm = Osm()
    ring = shapely.Polygon(
        [(x, 0.0) for x in np.linspace(0, 1, 30)] + [(1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    )
    sea = shapely.box(-0.1, 0.5, 1.1, 1.1)
    rid = boundary_relation(osm, ring, {"admin_level": "4"}, max_nodes=10, maritime=sea)
    members = osm.relations[rid - 1][1]
    assert len(members) >= 4 and {m[2] for m in members} == {"outer"}
    tags = [osm.ways[m[1] - 1][2] for m in members]
    assert any(t.get("maritime") == "yes" for t in tags)
    assert all(len(osm.ways[m[1] - 1][1]) <= 11 for m in members)
    refs = [r for m in members for r in osm.ways[m[1] - 1][1]]
    assert len(set(refs)) == 32  # 29 + 3 corners: nodes shared between consecutive ways
