import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from metrics_helpers import box_cells, geodesic_km

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.metrics.node_times import read_node_times
from borderzone.metrics.towns import build_town_times
from borderzone.metrics.travel import travel_time_to_town_min

SPEEDS = {"primary": 80.0, "default": 30.0}


@pytest.fixture
def corridor():
    """Two countries split at lon 61: a 0.5° primary road in each, a town at one end.

    The road of AAA runs from (60, 50) to (60.5, 50) with a town of 60,000 at its eastern
    end; BBB's road runs from (61.5, 50) to (62, 50) with a village of 900 only.
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
    return roads, places, countries


def test_every_node_gets_its_minutes_to_the_town_of_its_side(corridor, tmp_path):
    roads, places, countries = corridor
    times = build_town_times(
        roads=roads,
        places=places,
        countries=countries,
        speeds_kmh=SPEEDS,
        access_kmh=20.0,
        town_min_population=50_000,
    )
    assert len(times) == 4  # the two ends of each road
    aaa = times[times["side"] == "AAA"].set_index("lon")
    assert aaa.loc[60.5, "minutes"] == pytest.approx(0, abs=1e-6)  # the town is on the node
    length = geodesic_km(60.0, 50.0, 60.5, 50.0)
    assert aaa.loc[60.0, "minutes"] == pytest.approx(length / 80 * 60, rel=1e-6)
    # BBB has no town: its nodes reach none (a town across the border does not count)
    assert np.isinf(times.loc[times["side"] == "BBB", "minutes"]).all()

    path = tmp_path / "town_times.parquet"
    times.to_parquet(path, index=False)
    nodes, minutes = read_node_times(path)
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


def test_a_table_without_the_columns_is_refused(tmp_path):
    path = tmp_path / "town_times.parquet"
    pd.DataFrame({"lon": [60.0], "lat": [50.0]}).to_parquet(path)
    with pytest.raises(InputDataError, match=r"town_times.parquet: no column side, minutes"):
        read_node_times(path)
    with pytest.raises(InputDataError, match="does not exist"):
        read_node_times(tmp_path / "missing.parquet")
