"""Worlds shared by the tests of borderzone.synth (written once per session, read only)."""

import geopandas as gpd
import pytest
import shapely
from synth_helpers import OUTLINES, Extract, border_of, read_extract

from borderzone.io import read_countries
from borderzone.synth.world import World, generate_world


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    return generate_world(tmp_path_factory.mktemp("world"), n_ways=300, seed=0)


@pytest.fixture(scope="session")
def extract(world) -> Extract:
    return read_extract(world.pbf)


@pytest.fixture(scope="session")
def border(world) -> shapely.LineString:
    return border_of(world, ("XAA", "XBB"))


@pytest.fixture(scope="session")
def truth(world) -> gpd.GeoDataFrame:
    return gpd.read_file(world.truth, layer="crossings")


@pytest.fixture(scope="session")
def rus_kaz(tmp_path_factory) -> World:
    countries = read_countries(OUTLINES, iso3=("RUS", "KAZ"))
    return generate_world(
        tmp_path_factory.mktemp("rk"), countries=countries, pair=("RUS", "KAZ"), n_ways=500
    )
