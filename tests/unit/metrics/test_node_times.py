import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from metrics_helpers import box_cells, geodesic_km

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.metrics.node_times import build_node_times, read_node_times, write_node_times
from borderzone.metrics.travel import travel_time_to_crossing_min, travel_time_to_town_min

SPEEDS = {"primary": 80.0, "default": 30.0}


@pytest.fixture
def corridor():
    """Two countries split at lon 61: a 0.5° primary road in each, a town at one end.

    The road of AAA runs from (60, 50) to (60.5, 50) with a town of 60,000 at its eastern
    end; BBB's road runs from (61.5, 50) to (62, 50) with a village of 900 only. A road
    crossing lies on the border at (61, 50), off both roads.
    """
    countries = gpd.GeoDataFrame(
        {"iso3": ["AAA", "BBB"]},
        geometry=[shapely.box(59, 49, 61, 51), shapely.box(61, 49, 63, 51)],
        crs=WGS84,
    )
    roads = gpd.GeoDataFrame(
        {"highway": ["primary", "primary"], "surface": ["asphalt", "asphalt"]},
        geometry=[
            shapely.LineString([(60.0, 50.0), (60.5, 50.0)]),
            shapely.LineString([(61.5, 50.0), (62.0, 50.0)]),
        ],
        crs=WGS84,
    )
    places = gpd.GeoDataFrame(
        {"population": [60_000.0, 900.0], "name": ["Town", "Village"]},
        geometry=shapely.points([(60.5, 50.0), (62.0, 50.0)]),
        crs=WGS84,
    )
    crossings = gpd.GeoDataFrame(
        {"kind": ["road"], "km": [0.0]}, geometry=[shapely.Point(61.0, 50.0)], crs=WGS84
    )
    return roads, places, countries, crossings


@pytest.fixture
def times(corridor):
    roads, places, countries, crossings = corridor
    return build_node_times(
        roads=roads,
        places=places,
        countries=countries,
        crossings=crossings,
        speeds_kmh=SPEEDS,
        access_kmh=20.0,
        town_min_population=50_000,
    )


def test_every_node_gets_its_minutes_to_the_town_of_its_side(corridor, times, tmp_path):
    roads, places, countries, _ = corridor
    assert len(times) == 4  # the two ends of each road
    aaa = times[times["side"] == "AAA"].set_index("lon")
    assert aaa.loc[60.5, "town_min"] == pytest.approx(0, abs=1e-6)  # the town is on the node
    length = geodesic_km(60.0, 50.0, 60.5, 50.0)
    assert aaa.loc[60.0, "town_min"] == pytest.approx(length / 80 * 60, rel=1e-6)
    # BBB has no town: its nodes reach none (a town across the border does not count)
    assert np.isinf(times.loc[times["side"] == "BBB", "town_min"]).all()

    path = tmp_path / "node_times.parquet"
    write_node_times(times, path)
    nodes, minutes = read_node_times(path)
    minutes = minutes["town"]
    cells = box_cells([(59.9, 49.9, 60.1, 50.1)]).assign(side="AAA")
    village = places.iloc[[1]].assign(side="BBB")
    town = places.iloc[[0]].assign(side="AAA")
    origin = gpd.GeoDataFrame(
        {"population": [100.0], "side": ["AAA"]}, geometry=shapely.points([(60.0, 50.0)]), crs=WGS84
    )
    t = travel_time_to_town_min(
        cells,
        None,
        pd.concat([town, village], ignore_index=True),
        origin,
        town_times=(nodes, minutes),
        access_kmh=20.0,
    )
    assert t.iloc[0] == pytest.approx(length / 80 * 60, rel=1e-6)


def test_every_node_gets_its_minutes_to_the_crossing_on_either_side(corridor, times, tmp_path):
    roads, places, countries, crossings = corridor
    # the crossing joins the nearest node of each side off the road, at 20 km/h
    access = {
        "AAA": geodesic_km(61.0, 50.0, 60.5, 50.0),
        "BBB": geodesic_km(61.0, 50.0, 61.5, 50.0),
    }
    road = {"AAA": geodesic_km(60.0, 50.0, 60.5, 50.0), "BBB": geodesic_km(61.5, 50.0, 62.0, 50.0)}
    for side, near, far in (("AAA", 60.5, 60.0), ("BBB", 61.5, 62.0)):
        mine = times[times["side"] == side].set_index("lon")
        assert mine.loc[near, "crossing_min"] == pytest.approx(access[side] / 20 * 60, rel=1e-6)
        expected = access[side] / 20 * 60 + road[side] / 80 * 60
        assert mine.loc[far, "crossing_min"] == pytest.approx(expected, rel=1e-6)

    path = tmp_path / "node_times.parquet"
    write_node_times(times, path)
    nodes, minutes = read_node_times(path, bbox=(61.2, 49.0, 63.0, 51.0))
    minutes = minutes["crossing"]
    assert set(nodes.side) == {"BBB"} and len(minutes) == 2
    cells = box_cells([(61.9, 49.9, 62.1, 50.1)]).assign(side="BBB")
    origin = gpd.GeoDataFrame(
        {"population": [100.0], "side": ["BBB"]}, geometry=shapely.points([(62.0, 50.0)]), crs=WGS84
    )
    t = travel_time_to_crossing_min(
        cells, None, crossings, origin, crossing_times=(nodes, minutes), access_kmh=20.0
    )
    assert t.iloc[0] == pytest.approx(access["BBB"] / 20 * 60 + road["BBB"] / 80 * 60, rel=1e-6)


def test_a_table_without_the_columns_is_refused(tmp_path):
    path = tmp_path / "node_times.parquet"
    pd.DataFrame({"lon": [60.0], "lat": [50.0]}).to_parquet(path)
    with pytest.raises(
        InputDataError, match=r"node_times.parquet: no column side, crossing_min, town_min"
    ):
        read_node_times(path)
    with pytest.raises(InputDataError, match="does not exist"):
        read_node_times(tmp_path / "missing.parquet")
