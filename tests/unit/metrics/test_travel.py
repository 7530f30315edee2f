import geopandas as gpd
import pandas as pd
import pytest
import shapely
from metrics_helpers import box_cells, geodesic_km

from borderzone.crs import WGS84
from borderzone.metrics.travel import travel_time_to_crossing_min


def test_travel_time_along_a_straight_road():
    cells = box_cells([(59.9, 49.9, 60.1, 50.1)])
    roads = gpd.GeoDataFrame(
        {"highway": ["primary"], "surface": ["asphalt"], "side": ["AAA"]},
        geometry=[shapely.LineString([(60.0, 50.0), (60.5, 50.0)])],
        crs=WGS84,
    )
    crossings = gpd.GeoDataFrame(
        {"kind": ["road", "rail"]}, geometry=shapely.points([(60.5, 50.0), (60.0, 50.2)]), crs=WGS84
    )
    places = gpd.GeoDataFrame(
        {"population": [1000.0]}, geometry=shapely.points([(60.0, 50.0)]), crs=WGS84
    )
    length = geodesic_km(60.0, 50.0, 60.5, 50.0)
    t = travel_time_to_crossing_min(
        cells, roads, crossings, places, speeds_kmh={"primary": 80.0, "default": 30.0}
    )
    assert t.iloc[0] == pytest.approx(length / 80 * 60, rel=1e-6)
    # unpaved primary goes slower
    slow = travel_time_to_crossing_min(
        cells,
        roads.assign(surface="dirt"),
        crossings,
        places,
        speeds_kmh={"primary": 80.0, "primary:unpaved": 40.0, "default": 30.0},
    )
    assert slow.iloc[0] == pytest.approx(length / 40 * 60, rel=1e-6)
    # two settlements weighted by population; the second is 0.05° north of the road end
    more = pd.concat(
        [
            places,
            gpd.GeoDataFrame(
                {"population": [3000.0]}, geometry=shapely.points([(60.0, 50.05)]), crs=WGS84
            ),
        ],
        ignore_index=True,
    )
    t2 = travel_time_to_crossing_min(
        cells, roads, crossings, more, speeds_kmh={"primary": 80.0, "default": 30.0}
    )
    access = geodesic_km(60.0, 50.05, 60.0, 50.0) / 20 * 60
    assert t2.iloc[0] == pytest.approx((t.iloc[0] * 1000 + (t.iloc[0] + access) * 3000) / 4000)
