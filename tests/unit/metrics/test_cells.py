import geopandas as gpd
import numpy as np
import pytest
import shapely
from metrics_helpers import box_cells, geodesic_km

from borderzone.crs import WGS84, local_aeqd
from borderzone.errors import InputDataError
from borderzone.geodesy import GEOD
from borderzone.metrics.cells import (
    ROAD_DENSITY_COLUMNS,
    _tangent_plane,
    _within,
    cell_area_km2,
    rail_density,
    road_densities,
    road_density,
    share_within_km_of_road,
)


def test_cell_area_matches_ellipsoid():
    cells = box_cells([(60.0, 50.0, 60.5, 50.5)])
    lons = np.linspace(60.0, 60.5, 200)
    lats = np.linspace(50.0, 50.5, 200)
    ring_lon = np.concatenate([lons, np.full(200, 60.5), lons[::-1], np.full(200, 60.0)])
    ring_lat = np.concatenate([np.full(200, 50.0), lats, np.full(200, 50.5), lats[::-1]])
    area, _ = GEOD.polygon_area_perimeter(ring_lon, ring_lat)
    assert cell_area_km2(cells).iloc[0] == pytest.approx(abs(area) / 1e6, rel=1e-4)


def test_road_density_of_known_roads():
    cells = box_cells([(59.9, 49.95, 60.1, 50.05), (60.1, 49.95, 60.3, 50.05)])
    roads = gpd.GeoDataFrame(
        {"highway": ["primary", "track", "residential"]},
        geometry=[
            shapely.LineString([(59.95, 50.0), (60.05, 50.0)]),  # inside cell 1
            shapely.LineString([(60.15, 50.01), (60.25, 50.01)]),  # inside cell 2
            shapely.LineString([(60.0, 49.97), (60.2, 49.97)]),  # half in each
        ],
        crs=WGS84,
    )
    area = cell_area_km2(cells).to_numpy()
    l1 = geodesic_km(59.95, 50.0, 60.05, 50.0)
    l2 = geodesic_km(60.15, 50.01, 60.25, 50.01)
    # the straight lon/lat line between (60.0, 49.97) and (60.2, 49.97) is cut at 60.1
    l3a, l3b = geodesic_km(60.0, 49.97, 60.1, 49.97), geodesic_km(60.1, 49.97, 60.2, 49.97)
    dens = road_density(cells, roads)
    assert dens.to_numpy() == pytest.approx([(l1 + l3a) / area[0], (l2 + l3b) / area[1]], rel=1e-9)
    main = road_density(cells, roads, classes="main")
    assert main.to_numpy() == pytest.approx([l1 / area[0], 0.0])
    track = road_density(cells, roads, classes=["track"])
    assert track.to_numpy() == pytest.approx([0.0, l2 / area[1]])
    # a projected input gives the same
    assert road_density(cells.to_crs(3857), roads.to_crs(3857)).to_numpy() == pytest.approx(
        dens.to_numpy(), rel=1e-6
    )
    rail = roads.assign(railway=["rail", "abandoned", "rail"])
    assert rail_density(cells, rail).iloc[1] == pytest.approx(l3b / area[1], rel=1e-9)


def test_share_within_km_of_road():
    aeqd = local_aeqd(60.0, 50.0)
    square = gpd.GeoSeries([shapely.box(-10_000, -10_000, 10_000, 10_000)], crs=aeqd)
    square = gpd.GeoSeries(shapely.segmentize(square.values, 200), crs=aeqd).to_crs(WGS84)
    cells = gpd.GeoDataFrame({"side": ["AAA"]}, geometry=square.values, crs=WGS84)
    road = gpd.GeoSeries([shapely.LineString([(0, -30_000), (0, 30_000)])], crs=aeqd)
    roads = gpd.GeoDataFrame({"highway": ["track"]}, geometry=road.values, crs=aeqd)
    # a band 10 km wide across a 20 km square
    assert share_within_km_of_road(cells, roads, km=5).iloc[0] == pytest.approx(0.5, abs=0.002)
    assert share_within_km_of_road(cells, roads, km=15).iloc[0] == pytest.approx(1.0)
    far = roads.set_geometry(road.translate(50_000).to_crs(WGS84).values).set_crs(WGS84)
    assert share_within_km_of_road(cells, far, km=5).iloc[0] == 0.0


@pytest.mark.parametrize("step_m", [500.0, 40.0])
def test_within_counts_the_points_within_reach_of_a_line(step_m):
    """Against each point's exact distance to the lines (shapely), points near the limit too."""
    rng = np.random.default_rng(3)
    starts = rng.uniform(-20_000, 20_000, (40, 2))
    lines = np.array(
        [
            *shapely.linestrings(np.stack([starts, starts + rng.normal(0, 4_000, (40, 2))], 1)),
            shapely.LineString([(3_000, 3_000), (3_000, 3_000)]),  # a line of no length
            shapely.MultiLineString([[(-9e3, 9e3), (-8e3, 12e3)], [(9e3, -9e3), (7e3, -14e3)]]),
        ]
    )
    xy = rng.uniform(-15_000, 15_000, (5_000, 2))
    dist = shapely.distance(shapely.points(xy)[:, None], lines[None, :]).min(axis=1)
    for d in (1_000.0, 2_500.0, float(np.median(dist))):
        assert _within(xy, lines, distance_m=d, step_m=step_m) == (dist <= d).sum()
    assert _within(xy, lines, distance_m=10.0, step_m=step_m) == (dist <= 10).sum()
    point = lines[-2:-1]  # the line of no length alone, and the lines 100 km away
    assert (
        _within(xy, point, distance_m=900.0, step_m=step_m)
        == (shapely.distance(shapely.points(xy), point[0]) <= 900).sum()
    )
    far = shapely.transform(lines, lambda c: c + 100_000)
    assert _within(xy, far, distance_m=5_000.0, step_m=step_m) == 0


def test_bad_input_names_the_column():
    cells = box_cells([(59.0, 49.0, 60.0, 50.0)])
    with pytest.raises(InputDataError, match="highway"):
        road_density(cells, gpd.GeoDataFrame(geometry=[], crs=WGS84))
    with pytest.raises(InputDataError, match="no CRS"):
        road_density(cells.set_crs(None, allow_override=True), cells.assign(highway="x"))


def test_a_configured_rail_exclude_changes_which_railways_count():
    cells = box_cells([(59.9, 49.95, 60.1, 50.05)])
    rail = gpd.GeoDataFrame(
        {"railway": ["rail", "abandoned", "disused"]},
        geometry=[
            shapely.LineString([(59.95, 50.0), (60.05, 50.0)]),
            shapely.LineString([(59.95, 50.01), (60.05, 50.01)]),
            shapely.LineString([(59.95, 50.02), (60.05, 50.02)]),
        ],
        crs=WGS84,
    )
    area = cell_area_km2(cells).iloc[0]
    km = [geodesic_km(59.95, lat, 60.05, lat) for lat in (50.0, 50.01, 50.02)]
    # by default (borderzone.osm.schema.RAIL_EXCLUDE) only the line in service counts
    assert rail_density(cells, rail).iloc[0] == pytest.approx(km[0] / area, rel=1e-9)
    only_disused = rail_density(cells, rail, rail_exclude=["disused"]).iloc[0]
    assert only_disused == pytest.approx((km[0] + km[1]) / area, rel=1e-9)
    assert rail_density(cells, rail, rail_exclude=[]).iloc[0] == pytest.approx(
        sum(km) / area, rel=1e-9
    )


def test_road_densities_match_road_density_per_group():
    cells = box_cells([(59.9, 49.95, 60.1, 50.05), (60.1, 49.95, 60.3, 50.05)])
    roads = gpd.GeoDataFrame(
        {"highway": ["primary", "track", "residential", "path"]},
        geometry=[
            shapely.LineString([(59.95, 50.0), (60.05, 50.0)]),
            shapely.LineString([(60.15, 50.01), (60.25, 50.01)]),
            shapely.LineString([(60.0, 49.97), (60.2, 49.97)]),
            shapely.LineString([(60.0, 50.03), (60.2, 50.03)]),
        ],
        crs=WGS84,
    )
    dens = road_densities(cells, roads)
    assert list(dens.columns) == [
        "road_km_per_km2",
        "main_road_km_per_km2",
        "local_road_km_per_km2",
        "track_km_per_km2",
    ]
    # every road counts in the total, also one of no group (path)
    assert dens["road_km_per_km2"].to_numpy() == pytest.approx(
        road_density(cells, roads).to_numpy(), rel=1e-12
    )
    for group, name in ROAD_DENSITY_COLUMNS.items():
        assert dens[name].to_numpy() == pytest.approx(
            road_density(cells, roads, classes=group).to_numpy(), rel=1e-12
        )


@pytest.mark.parametrize("lon, lat", [(50.0, 51.0), (61.123456, 54.654321), (87.5, 49.2)])
def test_the_cells_plane_keeps_distances_of_5_km_within_60_km_to_0_005_percent(lon, lat):
    rng = np.random.default_rng(0)
    n = 2000
    # points up to 55 km from the centre, and others 5 km from them in every direction
    lon1, lat1, _ = GEOD.fwd(
        np.full(n, lon), np.full(n, lat), rng.uniform(0, 360, n), rng.uniform(0, 55e3, n)
    )
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, rng.uniform(0, 360, n), np.full(n, 5e3))
    plane = _tangent_plane(lon, lat)
    x1, y1 = plane.transform(lon1, lat1)
    x2, y2 = plane.transform(lon2, lat2)
    assert np.abs(np.hypot(x2 - x1, y2 - y1) / 5e3 - 1).max() < 5e-5
    cx, cy = plane.transform(lon, lat)
    assert abs(cx) < 1e-6 and abs(cy) < 1e-6  # the centre maps to the origin
    nx, ny = plane.transform(lon, lat + 0.01)
    assert abs(nx) < 1e-6 and ny > 0  # north is up
