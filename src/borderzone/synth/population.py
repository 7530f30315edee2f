"""The population raster of a world: each place spread as a Gaussian, on a rural floor."""

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import shapely
from rasterio.features import rasterize
from rasterio.transform import Affine

from borderzone.crs import WGS84, fitted_crs

PIXEL_M = 1000.0
RURAL_DENSITY = 1.5  # people per km² inside the countries
MARGIN_M = 200_000.0  # the raster reaches this far beyond the border's bounds


def write_population(
    path: Path, countries: gpd.GeoDataFrame, border: shapely.LineString, places: pd.DataFrame
) -> float:
    """Write the population raster; return its total (people).

    The raster is float32 people per pixel of 1 km in an equal-area CRS fitted to the
    border, nodata -1, with tags ``TOTAL_POPULATION`` and ``UNITS``. Each place adds its
    population as a Gaussian (wider for bigger places) cut to the countries; every pixel in
    a country adds :data:`RURAL_DENSITY` per km².

    Parameters
    ----------
    path
        The GeoTIFF to write.
    countries
        The two countries (their union is where people live).
    border
        The border line (EPSG:4326): sets the CRS and the extent.
    places
        ``lon``, ``lat``, ``population`` of each place.
    """
    crs = fitted_crs(border.bounds, kind="equal_area")
    to = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    bx = np.column_stack(to.transform(*shapely.get_coordinates(border).T))
    x0 = math.floor((bx[:, 0].min() - MARGIN_M) / PIXEL_M) * PIXEL_M
    y1 = math.ceil((bx[:, 1].max() + MARGIN_M) / PIXEL_M) * PIXEL_M
    x1 = math.ceil((bx[:, 0].max() + MARGIN_M) / PIXEL_M) * PIXEL_M
    y0 = math.floor((bx[:, 1].min() - MARGIN_M) / PIXEL_M) * PIXEL_M
    width, height = int((x1 - x0) / PIXEL_M), int((y1 - y0) / PIXEL_M)
    transform = Affine(PIXEL_M, 0.0, x0, 0.0, -PIXEL_M, y1)
    shapes = countries.to_crs(crs).geometry
    mask = rasterize(
        ((g, 1) for g in shapes), out_shape=(height, width), transform=transform, dtype="uint8"
    ).astype(bool)
    grid = np.zeros((height, width), dtype=np.float64)
    px, py = to.transform(places.lon.to_numpy(), places.lat.to_numpy())
    col = ((np.asarray(px) - x0) / PIXEL_M).astype(int)
    row = ((y1 - np.asarray(py)) / PIXEL_M).astype(int)
    for c, r, pop in zip(col, row, places.population.to_numpy(dtype=float), strict=True):
        sigma = 1.0 + 1.5 * max(math.log10(max(pop, 10.0)) - 2.0, 0.0)  # pixels
        rad = int(math.ceil(3 * sigma))
        r0, r1 = max(r - rad, 0), min(r + rad + 1, height)
        c0, c1 = max(c - rad, 0), min(c + rad + 1, width)
        if r0 >= r1 or c0 >= c1:
            continue
        yy, xx = np.mgrid[r0:r1, c0:c1]
        k = np.exp(-((yy - r) ** 2 + (xx - c) ** 2) / (2 * sigma**2)) * mask[r0:r1, c0:c1]
        if k.sum() == 0:
            continue
        grid[r0:r1, c0:c1] += pop * k / k.sum()
    grid += RURAL_DENSITY * (PIXEL_M / 1000) ** 2 * mask
    data = grid.astype(np.float32)
    total = float(data.sum(dtype=np.float64))
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="float32",
        crs=crs.to_wkt(),
        transform=transform,
        nodata=-1.0,
        compress="deflate",
        tiled=True,
    ) as dst:
        dst.write(data, 1)
        dst.update_tags(TOTAL_POPULATION=f"{total:.3f}", UNITS="people per pixel")
    return total
