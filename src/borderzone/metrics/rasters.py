"""Rasters of the border zone on an equal-area grid, written as Cloud-Optimized GeoTIFFs.

The grid is an Albers equal-area conic fitted to the zone (:func:`borderzone.crs.fitted_crs`),
square pixels of ``resolution_m`` (1 km by default) aligned to multiples of it, covering the
widest buffer. Pixels outside the buffer are nodata. Three rasters:

- :func:`distance_to_road_km`: Euclidean distance to the nearest road pixel
  (``scipy.ndimage.distance_transform_edt`` times the pixel size).
- :func:`travel_time_raster_min`: cost distance to the nearest road crossing over the pixel
  graph (8 neighbours, ``scipy.sparse.csgraph.dijkstra``), at the speed of the fastest road
  in a pixel or off-road speed elsewhere; pixels on the border are impassable except at
  crossings.
- :func:`population_density_raster`: people per km², resampled by sum from a population
  raster in any CRS, or from the places' populations.

Albers keeps areas, not distances: over a zone spanning 9° of latitude its scale departs
from 1 by up to ~1 % at the edges, so distances and times are good to about that much.
"""

import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import scipy.sparse
import shapely
from rasterio.features import rasterize
from rasterio.transform import Affine
from rasterio.warp import Resampling, reproject
from scipy import ndimage
from scipy.sparse.csgraph import dijkstra

from borderzone.crs import WGS84, densify_lonlat, fitted_crs
from borderzone.errors import InputDataError
from borderzone.metrics.segment import DEFAULT_SPEEDS_KMH, road_speeds_kmh, select_crossings

log = logging.getLogger(__name__)

NODATA = -9999.0


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
    geoms = densify_lonlat(np.asarray(area.to_crs(WGS84).geometry.values, dtype=object))
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


def _project(gdf: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """Geometries in the grid's CRS (densified in lon/lat when they come from another)."""
    if gdf.crs is not None and pyproj.CRS(gdf.crs) == grid.crs:
        return np.asarray(gdf.geometry.values, dtype=object)
    geoms = densify_lonlat(np.asarray(gdf.to_crs(WGS84).geometry.values, dtype=object))
    return np.asarray(gpd.GeoSeries(geoms, crs=WGS84).to_crs(grid.crs).values, dtype=object)


def zone_mask(area: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """Boolean raster: True where a pixel touches ``area``."""
    geoms = [g for g in _project(area, grid) if g is not None and not g.is_empty]
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


def _burn_lines(geoms: np.ndarray, grid: Grid, values: np.ndarray | None = None) -> np.ndarray:
    """Rasterize lines (all touched pixels); later values overwrite earlier ones."""
    if values is None:
        values = np.ones(len(geoms))
    ok = np.asarray([g is not None and not g.is_empty for g in geoms], dtype=bool)
    if not ok.any():
        return np.zeros(grid.shape, dtype="float32")
    return rasterize(
        zip(geoms[ok], values[ok], strict=True),
        out_shape=grid.shape,
        transform=grid.transform,
        all_touched=True,
        dtype="float32",
    )


def distance_to_road_km(
    roads: gpd.GeoDataFrame, grid: Grid, *, mask: np.ndarray | None = None
) -> np.ndarray:
    """Distance from each pixel centre to the nearest pixel a road passes through, in km.

    Parameters
    ----------
    roads
        Lines (any CRS); every road counts, on either side of the border.
    grid
        The output grid.
    mask
        Pixels to keep (True); others are NaN.

    Returns
    -------
    numpy.ndarray
        float32 (height, width); 0 on road pixels, NaN outside ``mask``; inf when there is
        no road at all.
    """
    on_road = _burn_lines(_project(roads, grid), grid) > 0
    if on_road.any():
        dist = ndimage.distance_transform_edt(~on_road) * grid.resolution_m / 1000
    else:
        dist = np.full(grid.shape, np.inf)
    dist = dist.astype("float32")
    if mask is not None:
        dist[~mask] = np.nan
    return dist


def travel_time_raster_min(
    roads: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    border: gpd.GeoDataFrame | shapely.Geometry,
    grid: Grid,
    *,
    mask: np.ndarray,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    offroad_kmh: float = 20.0,
) -> np.ndarray:
    """Minutes from each pixel to the nearest road crossing, over the pixel graph.

    Each pixel costs ``60 / speed`` minutes per km, at the speed of the fastest road
    through it or ``offroad_kmh``; a move to one of the 8 neighbours costs the mean of the
    two pixels' costs times the step (1 or √2 pixels). Pixels the border passes through
    are impassable, except the pixel of each road crossing and its 8 neighbours; a diagonal
    move between two border pixels is not allowed either, so the border cannot be crossed
    elsewhere. One multi-source Dijkstra from the crossing pixels gives all times.

    Parameters
    ----------
    roads
        Lines with ``highway`` (and surface tags).
    crossings
        Points with ``kind``; road crossings are the sources.
    border
        The border line (``border`` layer or a lon/lat geometry).
    grid
        The output grid.
    mask
        Pixels of the zone (True); others are impassable and NaN.
    speeds_kmh, offroad_kmh
        Speeds on roads (see :data:`borderzone.metrics.segment.DEFAULT_SPEEDS_KMH`) and off them.

    Returns
    -------
    numpy.ndarray
        float32 (height, width) minutes; NaN outside the mask, on impassable border pixels,
        and where no crossing can be reached.
    """
    if offroad_kmh <= 0:
        raise ValueError(f"offroad_kmh must be positive, got {offroad_kmh}")
    if isinstance(border, shapely.Geometry):
        border = gpd.GeoDataFrame(geometry=[border], crs=WGS84)
    speed = np.full(grid.shape, float(offroad_kmh), dtype="float32")
    if len(roads):
        v = road_speeds_kmh(roads, speeds_kmh=speeds_kmh)
        order = np.argsort(v, kind="stable")
        burned = _burn_lines(_project(roads, grid)[order], grid, v[order])
        speed = np.where(burned > 0, np.maximum(burned, offroad_kmh), speed)
    barrier = _burn_lines(_project(border, grid), grid) > 0
    cross = select_crossings(crossings, kind="road")
    cxy = shapely.get_coordinates(_project(cross, grid)) if len(cross) else np.zeros((0, 2))
    row, col = grid.rowcol(cxy[:, 0], cxy[:, 1])
    inside = (row >= 0) & (row < grid.height) & (col >= 0) & (col < grid.width)
    row, col = row[inside], col[inside]
    opening = np.zeros(grid.shape, dtype=bool)
    opening[row, col] = True
    opening = ndimage.binary_dilation(opening, structure=np.ones((3, 3), dtype=bool))
    barrier &= ~opening
    passable = mask & ~barrier
    passable[row, col] = True

    idx = np.full(grid.shape, -1, dtype=np.int64)
    idx[passable] = np.arange(int(passable.sum()))
    cost = (60.0 / speed).astype(np.float64)  # minutes per km
    step_km = grid.resolution_m / 1000
    rows, cols, vals = [], [], []
    h, w = grid.shape
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        a = (slice(0, h - dr), slice(max(0, -dc), w - max(0, dc)))
        b = (slice(dr, h), slice(max(0, dc), w - max(0, -dc)))
        ia, ib = idx[a], idx[b]
        ok = (ia >= 0) & (ib >= 0)
        if dr and dc:
            # the two pixels sharing the diagonal's corner: both on the border blocks it
            c1 = barrier[(a[0], b[1])]
            c2 = barrier[(b[0], a[1])]
            ok &= ~(c1 & c2)
        length = step_km * (np.sqrt(2.0) if dr and dc else 1.0)
        rows.append(ia[ok])
        cols.append(ib[ok])
        vals.append((cost[a][ok] + cost[b][ok]) / 2 * length)
    n = int(passable.sum())
    graph = scipy.sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    out = np.full(grid.shape, np.nan, dtype="float32")
    sources = np.unique(idx[row, col])
    sources = sources[sources >= 0]
    if len(sources) == 0 or n == 0:
        return out
    minutes = dijkstra(graph, directed=False, indices=sources, min_only=True)
    minutes[~np.isfinite(minutes)] = np.nan
    out[passable] = minutes.astype("float32")
    log.info(
        "travel time raster: %d passable pixels, %d crossings, median %.0f min",
        n,
        len(sources),
        float(np.nanmedian(out)) if np.isfinite(out).any() else float("nan"),
    )
    return out


def population_density_raster(
    grid: Grid,
    *,
    raster: str | Path | None = None,
    places: gpd.GeoDataFrame | None = None,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """People per km² on the grid.

    Parameters
    ----------
    grid
        The output grid (equal-area).
    raster
        Population raster in people per pixel, any CRS; resampled by sum (GDAL ``sum``),
        which keeps the total.
    places
        Points with ``population``, used when there is no raster: each place's people go
        to the pixel containing it.
    mask
        Pixels to keep (True); others are NaN.

    Returns
    -------
    numpy.ndarray
        float32 (height, width).
    """
    pixel_km2 = (grid.resolution_m / 1000) ** 2
    people = np.zeros(grid.shape, dtype=np.float64)
    if raster is not None:
        raster = Path(raster)
        if not raster.exists():
            raise InputDataError(f"population raster {raster} does not exist")
        with rasterio.open(raster) as src:
            if src.crs is None:
                raise InputDataError(f"population raster {raster} has no CRS")
            src_nodata = src.nodata
            reproject(
                source=rasterio.band(src, 1),
                destination=people,
                src_nodata=src_nodata,
                dst_transform=grid.transform,
                dst_crs=grid.crs.to_wkt(),
                dst_nodata=np.nan,
                resampling=Resampling.sum,
            )
        people = np.nan_to_num(people, nan=0.0)
    elif places is not None:
        pop = pd.to_numeric(places["population"], errors="coerce").fillna(0).to_numpy(float)
        xy = shapely.get_coordinates(shapely.point_on_surface(_project(places, grid)))
        row, col = grid.rowcol(xy[:, 0], xy[:, 1])
        ok = (row >= 0) & (row < grid.height) & (col >= 0) & (col < grid.width)
        np.add.at(people, (row[ok], col[ok]), pop[ok])
    else:
        raise ValueError("population_density_raster needs a raster or places")
    density = (people / pixel_km2).astype("float32")
    if mask is not None:
        density[~mask] = np.nan
    return density


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
    beside ``path`` and renamed into place.

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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tif", dir=path.parent)
    os.close(fd)
    profile = {
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "dtype": "float32",
        "crs": grid.crs.to_wkt(),
        "transform": grid.transform,
        "nodata": nodata,
    }
    try:
        if has_cog:
            opts = {
                "driver": "COG",
                "compress": "deflate",
                "blocksize": 512,
                "overview_resampling": "average",
                "predictor": 3,
            }
            _write(tmp, arr, profile | opts, units, description, tags)
        else:  # GeoTIFF with the COG layout: tiled, internal overviews copied first
            fd2, plain = tempfile.mkstemp(suffix=".tif", dir=path.parent)
            os.close(fd2)
            try:
                opts = {
                    "driver": "GTiff",
                    "tiled": True,
                    "blockxsize": 512,
                    "blockysize": 512,
                    "compress": "deflate",
                }
                _write(plain, arr, profile | opts, units, description, tags)
                with rasterio.open(plain, "r+") as ds:
                    factors = [f for f in (2, 4, 8, 16, 32) if max(ds.shape) / f >= 256]
                    ds.build_overviews(factors or [2], Resampling.average)
                with rasterio.open(plain) as src:
                    rasterio.shutil.copy(
                        src,
                        tmp,
                        driver="GTiff",
                        tiled=True,
                        blockxsize=512,
                        blockysize=512,
                        compress="deflate",
                        COPY_SRC_OVERVIEWS="YES",
                    )
            finally:
                Path(plain).unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
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


def write_rasters(
    out_dir: str | Path,
    *,
    buffer: gpd.GeoDataFrame,
    border: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    population: str | Path | None = None,
    places: gpd.GeoDataFrame | None = None,
    resolution_m: float = 1000.0,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    offroad_kmh: float = 20.0,
    tags: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """Write ``distance_to_road.tif``, ``travel_time_to_crossing.tif``, ``population_density.tif``.

    Parameters
    ----------
    out_dir
        Directory of the three COGs.
    buffer
        The zone covered (the widest ``buffer`` layer, both sides).
    border, roads, crossings
        The border line, the roads (covering the zone) and the crossings.
    population, places
        Population raster (people per pixel) or, without one, places with ``population``.
    resolution_m
        Pixel size of the equal-area grid.
    speeds_kmh, offroad_kmh
        Speeds for the travel time.
    tags
        Extra tags written into every file (provenance).

    Returns
    -------
    dict of pathlib.Path
        ``distance_to_road``, ``travel_time_to_crossing``, ``population_density``.
    """
    out_dir = Path(out_dir)
    grid = equal_area_grid(buffer, resolution_m=resolution_m)
    mask = zone_mask(buffer, grid)
    paths = {
        k: out_dir / f"{k}.tif"
        for k in ("distance_to_road", "travel_time_to_crossing", "population_density")
    }
    write_cog(
        paths["distance_to_road"],
        distance_to_road_km(roads, grid, mask=mask),
        grid,
        units="km",
        description="distance to the nearest road",
        tags=tags,
    )
    tt = travel_time_raster_min(
        roads, crossings, border, grid, mask=mask, speeds_kmh=speeds_kmh, offroad_kmh=offroad_kmh
    )
    write_cog(
        paths["travel_time_to_crossing"],
        tt,
        grid,
        units="min",
        description="travel time to the nearest road crossing",
        tags=tags,
    )
    pop = population_density_raster(grid, raster=population, places=places, mask=mask)
    write_cog(
        paths["population_density"],
        pop,
        grid,
        units="people/km2",
        description="population density",
        tags=tags,
    )
    return paths
