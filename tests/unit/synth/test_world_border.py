"""The synthetic world laid along a given border: the configured settings, or border.gpkg."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from borderzone.border.line import build_border
from borderzone.errors import NoSharedBorderError
from borderzone.geodesy import GEOD
from borderzone.io import read_countries
from borderzone.synth.world import generate_world
from tests.outlines import EAST, LAT, WEST, border_coords
from tests.parts_outlines import write_parts_outlines

PAIR = ("XAA", "XBB")


def parted_outlines() -> gpd.GeoDataFrame:
    """XAA's outline runs 800 m south of XBB's: a border only with border.snap_m > 800."""
    line = border_coords(1201)
    south_line = line - [0.0, 0.8 / 111.0]
    south = shapely.Polygon(np.concatenate([south_line, [[EAST, LAT - 3], [WEST, LAT - 3]]]))
    north = shapely.Polygon(np.concatenate([line, [[EAST, LAT + 3], [WEST, LAT + 3]]]))
    return gpd.GeoDataFrame({"iso3": list(PAIR)}, geometry=[south, north], crs="EPSG:4326")


def truth_points(world) -> np.ndarray:
    return shapely.get_coordinates(gpd.read_file(world.truth, layer="crossings").geometry.values)


def test_world_takes_the_configured_border_settings(tmp_path):
    countries = parted_outlines()
    with pytest.raises(NoSharedBorderError):  # the default snap_m of 500 m finds none
        generate_world(tmp_path / "default", countries=countries, pair=PAIR, n_ways=200)
    world = generate_world(
        tmp_path / "w", countries=countries, pair=PAIR, n_ways=200, border_settings={"snap_m": 1500}
    )
    pts = truth_points(world)
    assert len(pts) >= 5
    xaa_edge = shapely.boundary(countries.geometry.iloc[0])  # the border follows XAA
    assert shapely.distance(shapely.points(pts), xaa_edge).max() < 1e-5


def test_world_is_laid_along_the_given_border_layers(tmp_path):
    countries = read_countries(write_parts_outlines(tmp_path / "c.gpkg"), iso3=list(PAIR))
    layers = build_border(countries, pair=PAIR, snap_m=500, max_gap_km=10, segment_km=25)
    world = generate_world(
        tmp_path / "w", countries=countries, pair=PAIR, n_ways=200, border=layers
    )
    truth = gpd.read_file(world.truth, layer="crossings")
    pts = shapely.points(shapely.get_coordinates(truth.geometry.values))
    border = layers["border"]
    longest = border.loc[border["length_km"].idxmax()]
    assert longest["part_id"] == 3  # 64.5-70 °E
    others = shapely.MultiLineString(list(border.geometry[border["part_id"] != 3]))
    assert len(pts) >= 10
    assert shapely.distance(pts, longest.geometry).max() < 1e-6  # laid along part 3
    assert shapely.distance(pts, others).min() > 0.1
    # chainage of the whole border: within part 3, and true along it from its start
    assert truth["border_km"].between(longest["from_km"], longest["to_km"]).all()
    coords = shapely.get_coordinates(longest.geometry)
    for row, pt in zip(truth.itertuples(), shapely.get_coordinates(pts), strict=True):
        before = np.vstack([coords[coords[:, 0] < pt[0]], [pt]])
        along = GEOD.line_length(*before.T) / 1000
        assert row.border_km == pytest.approx(longest["from_km"] + along, abs=0.05)
