"""Tests of borderzone.synth.towns: made-up places, their tags, the roads between them."""

import numpy as np
import pandas as pd
import pytest
import shapely

from borderzone.errors import InputDataError
from borderzone.osm.schema import parse_population
from borderzone.synth.countries import procedural_countries
from borderzone.synth.layout import trace
from borderzone.synth.osm_writer import Osm
from borderzone.synth.towns import (
    add_place_links,
    add_place_nodes,
    check_places,
    generate_places,
    place_tags,
)


def _world():
    rng = np.random.default_rng(0)
    countries = procedural_countries(rng, ("XAA", "XBB"))
    return rng, countries, trace(countries, pair=("XAA", "XBB"))


def test_generated_places_lie_on_both_sides_near_the_border():
    rng, countries, border = _world()
    places = generate_places(rng, countries, border.line, 40)
    assert list(places.columns) == ["name", "lon", "lat", "population", "iso3"]
    assert places.iso3.value_counts().to_dict() == {"XAA": 20, "XBB": 20}
    assert places.name.is_unique
    for iso3, geom in zip(countries.iso3, countries.geometry, strict=True):
        mine = places[places.iso3 == iso3]
        assert shapely.contains_xy(geom, mine.lon, mine.lat).all()
        assert mine.population.iloc[:2].tolist() == [180_000, 25_000]


def test_place_tags():
    places = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D", "E", "F"],
            "population": [150_000, 12_000, 900, 1200, 2500, 100],
            "iso3": ["XAA", "XAA", "XBB", "XAA", "XBB", "XBB"],
        }
    )
    tags, pops = place_tags(places, second="XBB")
    assert [t["place"] for t in tags] == ["city", "town", "village", "village", "village", "hamlet"]
    assert pops == ["150000", "12000", "ок. 900", "ок. 1200", "ок. 2500", "100"]
    assert parse_population(pd.Series(pops)).isna().sum() == 3  # unparseable on purpose
    assert "name:ru" in tags[0] and "name:kk" in tags[2]


def test_place_nodes_and_links_stay_off_the_border():
    rng, countries, border = _world()
    places = generate_places(rng, countries, border.line, 30)
    osm = Osm()
    pops = add_place_nodes(osm, places, second="XBB")
    assert len(osm.nodes) == len(places) == len(pops)
    clearance = border.degrees(1000.0)
    n = add_place_links(rng, osm, places, border.tree(), clearance)
    assert n == len(osm.ways) > 10
    for _, refs, tags in osm.ways:
        line = shapely.LineString([osm.nodes[r - 1][1:3] for r in refs])
        assert shapely.distance(line, border.line) > clearance
        assert tags["highway"] in {"trunk", "primary", "secondary", "tertiary", "unclassified"}
        assert (tags.get("surface") == "asphalt") == (tags["highway"] in {"trunk", "primary"})


def test_check_places():
    with pytest.raises(InputDataError, match="lat"):
        check_places(pd.DataFrame({"name": [], "lon": [], "population": [], "iso3": []}))
    given = pd.DataFrame(
        {"name": ["A"], "lon": [1.0], "lat": [2.0], "population": [3], "iso3": ["XAA"]},
        index=[7],
    )
    assert check_places(given).index.tolist() == [0]
