import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import Affine

from borderzone.crs import WGS84, fitted_crs
from borderzone.metrics.rasters import (
    Grid,
    distance_to_road_km,
    equal_area_grid,
    population_density_raster,
    travel_time_raster_min,
    write_cog,
)

CRS = fitted_crs((59.0, 49.0, 61.0, 51.0), kind="equal_area")


def grid(n: int, res: float = 1000.0) -> Grid:
    return Grid(crs=CRS, transform=Affine(res, 0, 0.0, 0, -res, n * res), width=n, height=n)


def centre(g: Grid, row: float, col: float) -> tuple[float, float]:
    return (col + 0.5) * g.resolution_m, g.transform.f - (row + 0.5) * g.resolution_m


def lines(g: Grid, pts_list, **cols) -> gpd.GeoDataFrame:
    geoms = [shapely.LineString([centre(g, r, c) for r, c in pts]) for pts in pts_list]
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=CRS)


def test_distance_is_zero_on_roads_and_the_pixel_distance_elsewhere():
    g = grid(40)
    roads = lines(g, [[(20, 0), (20, 39)]], highway=["track"])
    d = distance_to_road_km(roads, g)
    rows = np.arange(40)[:, None]
    assert np.array_equal(d, np.broadcast_to(np.abs(rows - 20).astype("float32"), (40, 40)))
    mask = np.zeros((40, 40), dtype=bool)
    mask[10:30] = True
    dm = distance_to_road_km(roads, g, mask=mask)
    assert np.isnan(dm[:10]).all() and (dm[mask] == d[mask]).all()
    # a single road pixel: Euclidean distances
    dot = lines(g, [[(5, 5), (5, 5.1)]], highway=["track"])
    d = distance_to_road_km(dot, g)
    assert d[8, 9] == pytest.approx(5.0) and d[5, 5] == 0


def test_travel_time_blocked_by_the_border_except_at_crossings():
    g = grid(60)
    border = lines(g, [[(-1, 30), (61, 30)]])  # vertical line through column 30
    cross_xy = centre(g, 5, 30)
    crossings = gpd.GeoDataFrame(
        {"kind": ["road", "rail"]},
        geometry=[shapely.Point(cross_xy), shapely.Point(centre(g, 50, 30))],
        crs=CRS,
    )
    roads = lines(g, [[(40, 0), (40, 29)]], highway=["primary"], surface=["asphalt"])
    mask = np.ones(g.shape, dtype=bool)
    t = travel_time_raster_min(roads, crossings, border, g, mask=mask, offroad_kmh=20.0)
    assert t[5, 30] == 0
    # border pixels away from the crossing are impassable (nodata), even at the rail crossing
    assert np.isnan(t[20:, 30]).all()
    # off road, 3 min per km: straight along the row from the crossing
    assert t[5, 33] == pytest.approx(9.0)
    # beside the border 45 rows down: the way round through the crossing (44 straight
    # moves and one diagonal), not the 2 km across
    expected = (44 + np.sqrt(2)) * 3
    assert t[50, 31] == pytest.approx(expected, rel=1e-5)
    # the left side has a road to help on row 40: no slower
    assert t[50, 29] <= expected
    # along row 40 the primary road: 80 km/h = 0.75 min/km
    assert t[40, 0] == pytest.approx(t[40, 29] + 29 * 0.75, rel=1e-5)
    # the rail crossing opens nothing
    t_rail_only = travel_time_raster_min(
        roads, crossings[crossings.kind == "rail"], border, g, mask=mask
    )
    assert np.isnan(t_rail_only).all()


def test_cog_layout_crs_nodata_and_units(tmp_path):
    g = grid(1200, res=100.0)
    roads = lines(g, [[(600, 0), (600, 1199)]], highway=["track"])
    d = distance_to_road_km(roads, g)
    d[:10] = np.nan
    path = tmp_path / "distance.tif"
    write_cog(path, d, g, units="km", description="distance to road")
    with rasterio.open(path) as src:
        assert src.crs is not None and src.crs.to_wkt() == CRS.to_wkt() or src.crs == CRS.to_wkt()
        assert src.nodata == -9999.0
        assert src.profile["tiled"] or src.block_shapes[0][0] < src.height
        assert src.block_shapes[0] == (512, 512)
        assert src.overviews(1)
        assert src.tags()["UNITS"] == "km"
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT", "COG") == "COG"
        a = src.read(1, masked=True)
        assert a.mask[:10].all() and not a.mask[10:].any()
        assert float(a[600, 3]) == 0.0 and float(a[700, 3]) == pytest.approx(10.0)
    assert not list(tmp_path.glob(".*"))  # no temporary files left


def test_population_density_from_a_lonlat_raster(tmp_path):
    from test_metrics import _constant_rasters

    ea, ll = _constant_rasters(tmp_path, 10.0)
    area = gpd.GeoDataFrame(geometry=[shapely.box(59.5, 49.5, 60.5, 50.5)], crs=WGS84)
    g = equal_area_grid(area, resolution_m=5000)
    for raster in (ea, ll):
        dens = population_density_raster(g, raster=raster)
        assert np.nanmean(dens[2:-2, 2:-2]) == pytest.approx(10.0, rel=0.01)
    places = gpd.GeoDataFrame(
        {"population": [5000.0]}, geometry=[shapely.Point(60.0, 50.0)], crs=WGS84
    )
    dens = population_density_raster(g, places=places)
    assert dens.sum() * 25 == pytest.approx(5000.0)
