"""The land neighbours of a country, in a small world whose neighbours are known."""

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
from world_outlines import (
    ISLAND_GAP_DEG,
    NEIGHBOURS,
    world_outlines,
    write_world_outlines,
)

from borderzone.border.neighbours import land_neighbours, neighbours_of
from borderzone.config import check_outlines
from borderzone.errors import ConfigError, InputDataError


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return write_world_outlines(tmp_path_factory.mktemp("world") / "world.gpkg")


def test_the_centre_has_exactly_its_three_neighbours(world):
    found = land_neighbours(world, iso3="XBB", snap_m=500, layer="countries")
    assert found == sorted(NEIGHBOURS) == ["XAA", "XCC", "XDD"]


def test_a_corner_an_island_and_a_far_country_are_no_neighbours(world):
    # XEE touches the centre at one corner only; it borders XCC and XDD along whole edges
    assert land_neighbours(world, iso3="XEE", snap_m=500) == ["XCC", "XDD"]
    assert land_neighbours(world, iso3="XFF", snap_m=500) == []
    assert land_neighbours(world, iso3="XGG", snap_m=500) == []


def test_snap_m_decides_as_for_a_pair(world):
    # the island lies 0.011 degrees of longitude off the west coast (60 E), 49-51 N
    geod = pyproj.Geod(ellps="WGS84")
    gaps_m = [geod.line_length([60 - ISLAND_GAP_DEG, 60], [lat, lat]) for lat in (49, 51)]
    assert 500 < min(gaps_m) and max(gaps_m) < 1000
    assert land_neighbours(world, iso3="XBB", snap_m=1000) == ["XAA", "XCC", "XDD", "XFF"]


def test_every_neighbour_found_passes_the_check_of_a_pair(world):
    countries = {"source": "file", "file": str(world), "layer": "countries", "iso3_column": "iso3"}
    config = {"countries": countries, "border": {"snap_m": 500}}
    for code in land_neighbours(world, iso3="XBB", snap_m=500):
        check_outlines({**config, "pair": ["XBB", code]})
    with pytest.raises(ConfigError, match="XBB and XEE touch only at a point"):
        check_outlines({**config, "pair": ["XBB", "XEE"]})


def test_any_format_column_and_stray_rows(tmp_path):
    # a GeoJSON file with Natural Earth's column name, a "-99" row and a NULL outline
    gdf = world_outlines().rename(columns={"iso3": "ISO_A3"})
    extra = gpd.GeoDataFrame(
        {"ISO_A3": ["-99", "XHH"]},
        geometry=[gdf.geometry.iloc[1], None],  # "-99" has XAA's outline
        crs="EPSG:4326",
    )
    path = tmp_path / "world.geojson"
    gpd.GeoDataFrame(pd.concat([gdf, extra], ignore_index=True), crs="EPSG:4326").to_file(path)
    found = land_neighbours(path, iso3="XBB", snap_m=500, iso3_column="ISO_A3")
    assert found == ["XAA", "XCC", "XDD"]


def test_no_neighbour_is_one_line_naming_file_and_code(world):
    with pytest.raises(ConfigError) as err:
        neighbours_of(world, iso3="XGG", snap_m=500)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("neighbours_of: XGG has no land neighbour in ")
    assert str(world) in message


def test_a_code_missing_from_the_file_is_one_line(world):
    with pytest.raises(ConfigError) as err:
        neighbours_of(world, iso3="RUS", snap_m=500)
    assert "\n" not in str(err.value)
    assert f"neighbours_of: RUS: countries file {world} has no outline for RUS" in str(err.value)
    with pytest.raises(InputDataError, match="has no column 'ISO_A3'"):
        land_neighbours(world, iso3="XBB", snap_m=500, iso3_column="ISO_A3")
