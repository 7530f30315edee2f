"""The equal-area raster grid of the border zone, and one band written on it as a COG.

The grid is an Albers equal-area conic fitted to the zone (:func:`borderzone.crs.fitted_crs`),
square pixels of ``resolution_m`` (1 km by default) aligned to multiples of it, covering the
widest buffer. Vector layers are brought onto it (:func:`project_to_grid`) and burnt into it
(:func:`zone_mask`, :func:`burn_lines`); :func:`write_cog` writes a band as a
Cloud-Optimized GeoTIFF.
"""

import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import rasterio
import rasterio.shutil
import shapely
from rasterio.features import rasterize
from rasterio.transform import Affine
from rasterio.warp import Resampling

from borderzone.crs import WGS84, densify_lonlat, fitted_crs
from borderzone.errors import InputDataError
from borderzone.io import replacing
from borderzone.metrics.inputs import to_lonlat

log = logging.getLogger(__name__)

NODATA = -9999.0
"""Nodata value of the rasters written."""


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid.

    Attributes
    ----------
    crs
        Projected CRS (metres).
    transform
        Affine transform of the top-left corner.
    width, height
        Size in pixels.
    """

    crs: pyproj.CRS
    transform: Affine
    width: int
    height: int

    @property
    def resolution_m(self) -> float:
        """Pixel size in metres."""
        return float(self.transform.a)

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``."""
        return self.height, self.width

    def rowcol(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of projected points (may fall outside the grid)."""
        col = np.floor((np.asarray(x) - self.transform.c) / self.transform.a).astype(np.int64)
        row = np.floor((np.asarray(y) - self.transform.f) / self.transform.e).astype(np.int64)
        return row, col

    def inside(self, row: np.ndarray, col: np.ndarray) -> np.ndarray:
        """Tell which rows and columns fall on the grid."""
        return (row >= 0) & (row < self.height) & (col >= 0) & (col < self.width)


def equal_area_grid(area: gpd.GeoDataFrame, *, resolution_m: float = 1000.0) -> Grid:
    """Grid in an Albers equal-area conic fitted to ``area``, covering it.

    Parameters
    ----------
    area
        Polygons to cover (e.g. the widest ``buffer`` layer), any CRS.
    resolution_m
        Pixel size in metres.
    """
    if resolution_m <= 0:
        raise ValueError(f"resolution_m must be positive, got {resolution_m}")
    if area.crs is None:
        raise InputDataError("area has no CRS")
    geoms = densify_lonlat(to_lonlat(area))
    crs = fitted_crs(tuple(shapely.total_bounds(geoms)), kind="equal_area")
    x0, y0, x1, y1 = gpd.GeoSeries(geoms, crs=WGS84).to_crs(crs).total_bounds
    r = resolution_m
    x0, y0 = np.floor(x0 / r) * r - r, np.floor(y0 / r) * r - r
    x1, y1 = np.ceil(x1 / r) * r + r, np.ceil(y1 / r) * r + r
    return Grid(
        crs=crs,
        transform=Affine(r, 0.0, x0, 0.0, -r, y1),
        width=int(round((x1 - x0) / r)),
        height=int(round((y1 - y0) / r)),
    )


def project_to_grid(gdf: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """Geometries in the grid's CRS (densified in lon/lat when they come from another)."""
    if gdf.crs is not None and pyproj.CRS(gdf.crs) == grid.crs:
        return np.asarray(gdf.geometry.values, dtype=object)
    geoms = densify_lonlat(to_lonlat(gdf))
    return np.asarray(gpd.GeoSeries(geoms, crs=WGS84).to_crs(grid.crs).values, dtype=object)


def zone_mask(area: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """Boolean raster: True where a pixel touches ``area``."""
    geoms = [g for g in project_to_grid(area, grid) if g is not None and not g.is_empty]
    if not geoms:
        return np.zeros(grid.shape, dtype=bool)
    burned = rasterize(
        ((g, 1) for g in geoms),
        out_shape=grid.shape,
        transform=grid.transform,
        all_touched=True,
        dtype="uint8",
    )
    return burned.astype(bool)


def burn_lines(geoms: np.ndarray, grid: Grid, values: np.ndarray | None = None) -> np.ndarray:
    """Rasterize lines (all touched pixels); later values overwrite earlier ones."""
    if values is None:
        values = np.ones(len(geoms))
    geoms = np.asarray(geoms, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return np.zeros(grid.shape, dtype="float32")
    return rasterize(
        _shapes(geoms[ok], values[ok], grid),
        out_shape=grid.shape,
        transform=grid.transform,
        all_touched=True,
        dtype="float32",
    )


INNER_PIXEL = 1e-6
"""How far (in pixels) from a pixel's edges a vertex lies strictly inside it
(:func:`_touching`); far more than the rounding of GDAL's pixel coordinates."""


def _touching(xy: np.ndarray, which: np.ndarray, grid: Grid) -> np.ndarray:
    """Which vertices of lines (``which`` line each is of) change the pixels they touch.

    A run of a line's vertices strictly inside one pixel touches that pixel alone, and so
    does the straight edge from its first vertex to its last (a pixel is convex): the
    vertices between are left out. Roads with a vertex every few tens of metres keep a few
    per pixel of a kilometre.
    """
    col = (xy[:, 0] - grid.transform.c) / grid.transform.a
    row = (xy[:, 1] - grid.transform.f) / grid.transform.e
    inner = np.ones(len(xy), dtype=bool)
    for t in (col, row):
        frac = t - np.floor(t)
        inner &= (frac > INNER_PIXEL) & (frac < 1 - INNER_PIXEL)
    same = (
        (which[1:] == which[:-1])
        & (np.floor(col[1:]) == np.floor(col[:-1]))
        & (np.floor(row[1:]) == np.floor(row[:-1]))
        & inner[1:]
        & inner[:-1]
    )
    keep = np.ones(len(xy), dtype=bool)
    keep[1:-1] = ~(same[:-1] & same[1:])
    return keep


def _shapes(geoms: np.ndarray, values: np.ndarray, grid: Grid) -> list[tuple[dict, float]]:
    """(GeoJSON mapping, value) of geometries for rasterio, in order, runs of lines merged.

    rasterio reads a mapping's coordinates; shapely's ``__geo_interface__`` builds them
    point by point in Python (80 % of burning a corridor's roads), and each shape costs
    its own checks. The lines' coordinates are listed in one pass over them all, without
    the vertices that touch no other pixel (:func:`_touching`), and a run of lines of one
    value (roads sorted by speed) is one MultiLineString: the same pixels with the same
    value. Other geometries keep their own mapping.
    """
    line = shapely.get_type_id(geoms) == 1
    xy, which = shapely.get_coordinates(geoms[line], return_index=True)
    keep = _touching(xy, which, grid)
    xy, which = xy[keep], which[keep]
    ends = np.searchsorted(which, np.arange(1, int(line.sum()) + 1)).tolist()
    xy = list(zip(xy[:, 0].tolist(), xy[:, 1].tolist(), strict=True))  # tuples: no GC passes
    lines = [xy[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]
    out, k = [], 0
    runs = itertools.groupby(zip(line, values.tolist(), geoms, strict=True), key=lambda t: t[:2])
    for (is_line, value), run in runs:
        run = [g for _, _, g in run]
        if is_line:
            out.append(({"type": "MultiLineString", "coordinates": lines[k : k + len(run)]}, value))
            k += len(run)
        else:
            out.extend((g.__geo_interface__, value) for g in run)
    return out


def write_cog(
    path: str | Path,
    data: np.ndarray,
    grid: Grid,
    *,
    units: str,
    description: str,
    nodata: float = NODATA,
    tags: Mapping[str, str] | None = None,
) -> None:
    """Write one band as a Cloud-Optimized GeoTIFF (tiled, deflate, overviews), atomically.

    NaN and infinite values become ``nodata``. The file is written under a temporary name
    beside ``path`` and renamed into place (:func:`~borderzone.io.replacing`), with the
    permissions of the user's umask, as every other output.

    Parameters
    ----------
    path
        Destination ``.tif``.
    data
        (height, width) array on ``grid``.
    units, description
        Stored as the band's units and description and as tags ``UNITS`` and
        ``DESCRIPTION``.
    nodata
        Nodata value.
    tags
        Extra dataset tags.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if data.shape != grid.shape:
        raise ValueError(f"data shape {data.shape} is not the grid's {grid.shape}")
    arr = np.where(np.isfinite(data), data, nodata).astype("float32")
    with rasterio.Env() as env:
        has_cog = "COG" in env.drivers()
    profile = {
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "dtype": "float32",
        "crs": grid.crs.to_wkt(),
        "transform": grid.transform,
        "nodata": nodata,
    }
    # created by GDAL under the user's umask, like every other output (a file made by
    # tempfile.mkstemp would stay readable by its owner only)
    with replacing(path) as tmp:
        if has_cog:
            opts = {
                "driver": "COG",
                "compress": "deflate",
                "blocksize": 512,
                "overview_resampling": "average",
                "predictor": 3,
            }
            _write(str(tmp), arr, profile | opts, units, description, tags)
        else:  # GeoTIFF with the COG layout: tiled, internal overviews copied first
            plain = tmp.with_name(f"{tmp.name}.plain.tif")  # removed with tmp on failure
            try:
                opts = {
                    "driver": "GTiff",
                    "tiled": True,
                    "blockxsize": 512,
                    "blockysize": 512,
                    "compress": "deflate",
                }
                _write(str(plain), arr, profile | opts, units, description, tags)
                with rasterio.open(plain, "r+") as ds:
                    factors = [f for f in (2, 4, 8, 16, 32) if max(ds.shape) / f >= 256]
                    ds.build_overviews(factors or [2], Resampling.average)
                with rasterio.open(plain) as src:
                    rasterio.shutil.copy(src, tmp, **opts, COPY_SRC_OVERVIEWS="YES")
            finally:
                plain.unlink(missing_ok=True)
    log.info("wrote %s (%d × %d, %s)", path, grid.width, grid.height, units)


def _write(
    path: str,
    arr: np.ndarray,
    profile: dict,
    units: str,
    description: str,
    tags: Mapping[str, str] | None,
) -> None:
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)
        dst.set_band_description(1, description)
        dst.update_tags(UNITS=units, DESCRIPTION=description, **dict(tags or {}))
        dst.update_tags(1, UNITS=units)
        dst.units = (units,)
