"""Shared builders of the metrics unit tests: box cells, geodesic lengths, constant rasters."""

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from rasterio.transform import Affine

from borderzone.crs import WGS84, fitted_crs
from borderzone.geodesy import GEOD
from borderzone.metrics.grid import Grid


def box_cells(boxes, sides=None):
    sides = sides or ["AAA"] * len(boxes)
    return gpd.GeoDataFrame(
        {"seg_id": np.arange(1, len(boxes) + 1), "side": sides},
        geometry=[shapely.box(*b) for b in boxes],
        crs=WGS84,
    )


def geodesic_km(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000


def constant_rasters(tmp_path, density):
    """The same density as an equal-area raster (2 km) and a lon/lat raster (0.01°)."""
    bounds = (59.0, 49.0, 61.0, 51.0)
    aea = fitted_crs(bounds, kind="equal_area")
    x0, y0, x1, y1 = gpd.GeoSeries([shapely.box(*bounds)], crs=WGS84).to_crs(aea).total_bounds
    r = 2000.0
    w, h = int((x1 - x0) // r) + 2, int((y1 - y0) // r) + 2
    ea = tmp_path / "ea.tif"
    with rasterio.open(
        ea,
        "w",
        driver="GTiff",
        width=w,
        height=h,
        count=1,
        dtype="float32",
        crs=aea.to_wkt(),
        transform=Affine(r, 0, x0 - r, 0, -r, y1 + r),
        nodata=-1,
    ) as dst:
        dst.write(np.full((h, w), density * (r / 1000) ** 2, dtype="float32"), 1)
    step = 0.01
    lat_top = bounds[3] - np.arange(200) * step
    row_area = (
        np.array(
            [
                abs(
                    GEOD.polygon_area_perimeter(
                        [60, 60 + step, 60 + step, 60], [lt, lt, lt - step, lt - step]
                    )[0]
                )
                for lt in lat_top
            ]
        )
        / 1e6
    )
    ll = tmp_path / "ll.tif"
    with rasterio.open(
        ll,
        "w",
        driver="GTiff",
        width=200,
        height=200,
        count=1,
        dtype="float64",
        crs="EPSG:4326",
        transform=Affine(step, 0, bounds[0], 0, -step, bounds[3]),
        nodata=-1,
    ) as dst:
        dst.write(np.repeat((density * row_area)[:, None], 200, axis=1), 1)
    return ea, ll


GRID_CRS = fitted_crs((59.0, 49.0, 61.0, 51.0), kind="equal_area")


def grid(n: int, res: float = 1000.0) -> Grid:
    return Grid(crs=GRID_CRS, transform=Affine(res, 0, 0.0, 0, -res, n * res), width=n, height=n)


def centre(g: Grid, row: float, col: float) -> tuple[float, float]:
    return (col + 0.5) * g.resolution_m, g.transform.f - (row + 0.5) * g.resolution_m


def lines(g: Grid, pts_list, **cols) -> gpd.GeoDataFrame:
    geoms = [shapely.LineString([centre(g, r, c) for r, c in pts]) for pts in pts_list]
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=GRID_CRS)
