"""Rasters of the border zone on the equal-area grid, each with a QGIS style beside it.

On the grid of :mod:`borderzone.metrics.grid` (pixels outside the corridor are
nodata), three rasters, written by :func:`build_rasters` (rule ``build_rasters``):

- :func:`distance_to_road_km`: Euclidean distance to the nearest road pixel
  (``scipy.ndimage.distance_transform_edt`` times the pixel size).
- :func:`travel_time_raster_min`: cost distance to the nearest road crossing over the pixel
  graph (8 neighbours, ``scipy.sparse.csgraph.dijkstra``), at the speed of the fastest road
  in a pixel or off-road speed elsewhere; pixels on the border are impassable except at
  crossings.
- :func:`population_density_raster`: people per km², resampled by sum from a population
  raster in any CRS, or from the places' populations.

The six files (three rasters, three styles) are written as one set: under temporary names
in a hidden folder beside them (:data:`PARTIAL_DIR`), renamed into place together once all
are written. A failure removes the folder; a killed run leaves it, and the next run removes
it before it starts.

Albers keeps areas, not distances: over a zone spanning 9° of latitude its scale departs
from 1 by up to ~1 % at the edges, so distances and times are good to about that much.
"""

import logging
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import scipy.sparse
import shapely
from rasterio.warp import Resampling, reproject
from scipy import ndimage
from scipy.sparse.csgraph import dijkstra

from borderzone.crs import WGS84
from borderzone.metrics.chainage import select_crossings
from borderzone.metrics.grid import (
    Grid,
    burn_lines,
    equal_area_grid,
    project_to_grid,
    write_cog,
    zone_mask,
)
from borderzone.metrics.inputs import check_frame, place_population
from borderzone.metrics.population import check_population_raster, open_population
from borderzone.metrics.travel import DEFAULT_SPEEDS_KMH, road_speeds_kmh
from borderzone.qml import raster_pseudocolor_qml

log = logging.getLogger(__name__)

RASTERS: dict[str, tuple[str, str]] = {
    "distance_to_road": ("km", "distance to the nearest road"),
    "travel_time_to_crossing": ("min", "travel time to the nearest road crossing"),
    "population_density": ("people/km2", "population density"),
}
"""Each raster's file stem, units and description, in the order they are written."""

PARTIAL_DIR = ".build_rasters.partial"
"""Folder (inside the output folder) of the rasters and styles being written."""


def road_speed_pixels(
    roads: Iterable[gpd.GeoDataFrame],
    grid: Grid,
    *,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
) -> np.ndarray:
    """Speed (km/h) of the fastest road through each pixel, 0 where none passes.

    ``roads`` are lines with ``highway`` (and surface tags), in any CRS, given in batches:
    each is burnt (all touched pixels) and dropped before the next, so a corridor of
    millions of roads never lies in memory at once. A pixel's value is a maximum, the same
    whatever the batches.
    """
    fastest = np.zeros(grid.shape, dtype="float32")
    for batch in roads:
        if len(batch) == 0:
            continue
        v = road_speeds_kmh(batch, speeds_kmh=speeds_kmh)
        order = np.argsort(v, kind="stable")
        burned = burn_lines(project_to_grid(batch, grid)[order], grid, v[order])
        np.maximum(fastest, burned, out=fastest)
    return fastest


def distance_to_road_km(
    roads: gpd.GeoDataFrame | np.ndarray, grid: Grid, *, mask: np.ndarray | None = None
) -> np.ndarray:
    """Distance from each pixel centre to the nearest pixel a road passes through, in km.

    Parameters
    ----------
    roads
        Lines (any CRS); every road counts, on either side of the border. Or the road
        pixels already burnt: :func:`road_speed_pixels` (> 0 on a road).
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
    if isinstance(roads, np.ndarray):
        on_road = roads > 0
    else:
        on_road = burn_lines(project_to_grid(roads, grid), grid) > 0
    if on_road.any():
        dist = ndimage.distance_transform_edt(~on_road) * grid.resolution_m / 1000
    else:
        dist = np.full(grid.shape, np.inf)
    dist = dist.astype("float32")
    if mask is not None:
        dist[~mask] = np.nan
    return dist


def travel_time_raster_min(
    roads: gpd.GeoDataFrame | np.ndarray,
    crossings: gpd.GeoDataFrame,
    border: gpd.GeoDataFrame | shapely.Geometry,
    grid: Grid,
    *,
    mask: np.ndarray,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    access_kmh: float = 20.0,
) -> np.ndarray:
    """Minutes from each pixel to the nearest road crossing, over the pixel graph.

    Each pixel costs ``60 / speed`` minutes per km, at the speed of the fastest road
    through it or ``access_kmh``; a move to one of the 8 neighbours costs the mean of the
    two pixels' costs times the step (1 or √2 pixels). Pixels the border passes through
    are impassable, except the pixel of each road crossing and its 8 neighbours; a diagonal
    move between two border pixels is not allowed either, so the border cannot be crossed
    elsewhere. One multi-source Dijkstra from the crossing pixels gives all times.

    Parameters
    ----------
    roads
        Lines with ``highway`` (and surface tags), or the fastest speed of each pixel
        already burnt (:func:`road_speed_pixels`).
    crossings
        Points with ``kind``; road crossings are the sources.
    border
        The border line (``border`` layer or a lon/lat geometry).
    grid
        The output grid.
    mask
        Pixels of the zone (True); others are impassable and NaN.
    speeds_kmh, access_kmh
        Speeds on roads (see :data:`borderzone.metrics.travel.DEFAULT_SPEEDS_KMH`) and off them.

    Returns
    -------
    numpy.ndarray
        float32 (height, width) minutes; NaN outside the mask, on impassable border pixels,
        and where no crossing can be reached.
    """
    if access_kmh <= 0:
        raise ValueError(f"access_kmh must be positive, got {access_kmh}")
    if isinstance(border, shapely.Geometry):
        border = gpd.GeoDataFrame(geometry=[border], crs=WGS84)
    burned = (
        roads
        if isinstance(roads, np.ndarray)
        else road_speed_pixels([roads], grid, speeds_kmh=speeds_kmh)
    )
    speed = np.where(burned > 0, np.maximum(burned, access_kmh), access_kmh).astype("float32")
    barrier = burn_lines(project_to_grid(border, grid), grid) > 0
    cross = select_crossings(crossings, kind="road")
    cxy = shapely.get_coordinates(project_to_grid(cross, grid)) if len(cross) else np.zeros((0, 2))
    row, col = grid.rowcol(cxy[:, 0], cxy[:, 1])
    inside = grid.inside(row, col)
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
        with open_population(raster) as src:
            reproject(
                source=rasterio.band(src, 1),
                destination=people,
                src_nodata=src.nodata,
                dst_transform=grid.transform,
                dst_crs=grid.crs.to_wkt(),
                dst_nodata=np.nan,
                resampling=Resampling.sum,
            )
        people = np.nan_to_num(people, nan=0.0)
    elif places is not None:
        check_frame(places, "places", ["population"])
        pop = place_population(places)
        xy = shapely.get_coordinates(shapely.point_on_surface(project_to_grid(places, grid)))
        row, col = grid.rowcol(xy[:, 0], xy[:, 1])
        ok = grid.inside(row, col)
        np.add.at(people, (row[ok], col[ok]), pop[ok])
    else:
        raise ValueError("population_density_raster needs a raster or places")
    density = (people / pixel_km2).astype("float32")
    if mask is not None:
        density[~mask] = np.nan
    return density


def build_rasters(
    out_dir: str | Path,
    *,
    buffer: gpd.GeoDataFrame,
    border: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame],
    crossings: gpd.GeoDataFrame,
    population: str | Path | None = None,
    places: gpd.GeoDataFrame | None = None,
    resolution_m: float = 1000.0,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    access_kmh: float = 20.0,
    tags: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """Write the three COGs of the corridor, each with a QGIS style (.qml) beside it.

    ``distance_to_road.tif``, ``travel_time_to_crossing.tif`` and
    ``population_density.tif`` (:data:`RASTERS`); each ``.qml`` is a pseudocolour ramp
    from 0 to the 98th percentile of the raster's values.

    Parameters
    ----------
    out_dir
        Directory of the three COGs and their styles.
    buffer
        The zone covered (the corridor's ``buffer`` layer: both sides, clipped to the countries).
    border, roads, crossings
        The border line, the roads (covering the zone; or batches of them, e.g.
        :func:`~borderzone.io.iter_parquet`, burnt one after another) and the crossings.
    population, places
        Population raster (people per pixel) or, without one, places with ``population``.
    resolution_m
        Pixel size of the equal-area grid.
    speeds_kmh, access_kmh
        Speeds on roads and off them (``layers.access_kmh``) for the travel time.
    tags
        Extra tags written into every file (provenance).

    Returns
    -------
    dict of pathlib.Path
        The ``.tif`` of each raster of :data:`RASTERS`, by name.

    Raises
    ------
    InputDataError
        When the population raster does not suit the corridor
        (:func:`~borderzone.metrics.population.check_population_raster`), before any
        raster is computed; none of the six files is then written, nor on any other
        failure.
    """
    out_dir = Path(out_dir)
    partial = out_dir / PARTIAL_DIR
    if partial.exists():
        log.info("removing %s, left by an interrupted run", partial)
        shutil.rmtree(partial)
    if population is not None:
        check_population_raster(population, area=buffer, name="the corridor's land")
    grid = equal_area_grid(buffer, resolution_m=resolution_m)
    mask = zone_mask(buffer, grid)
    # burnt once for both rasters that need them
    fastest = road_speed_pixels(
        [roads] if isinstance(roads, gpd.GeoDataFrame) else roads, grid, speeds_kmh=speeds_kmh
    )
    measures = {
        "distance_to_road": lambda: distance_to_road_km(fastest, grid, mask=mask),
        "travel_time_to_crossing": lambda: travel_time_raster_min(
            fastest, crossings, border, grid, mask=mask, access_kmh=access_kmh
        ),
        "population_density": lambda: population_density_raster(
            grid, raster=population, places=places, mask=mask
        ),
    }
    partial.mkdir(parents=True)
    try:
        for name, (units, description) in RASTERS.items():
            write_cog(
                partial / f"{name}.tif",
                measures[name](),
                grid,
                units=units,
                description=description,
                tags=tags,
            )
        for name in RASTERS:
            _write_style(partial / f"{name}.tif")
        paths = _commit(partial, out_dir)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return paths


def _commit(partial: Path, out_dir: Path) -> dict[str, Path]:
    """Rename the rasters and styles of ``partial`` into ``out_dir``, styles last."""
    paths = {name: out_dir / f"{name}.tif" for name in RASTERS}
    for suffix in (".tif", ".qml"):
        for name, path in paths.items():
            (partial / f"{name}{suffix}").replace(path.with_suffix(suffix))
    log.info("wrote %s: %s", out_dir, ", ".join(f"{name}.tif/.qml" for name in RASTERS))
    return paths


def _write_style(path: Path) -> None:
    """Write a pseudocolour style beside a raster, from 0 to its 98th percentile."""
    with rasterio.open(path) as ds:
        band = ds.read(1, masked=True)
    values = band.compressed()
    values = values[np.isfinite(values)]
    vmax = float(np.percentile(values, 98)) if values.size else 1.0
    qml = raster_pseudocolor_qml(vmin=0.0, vmax=max(vmax, 1e-6))
    path.with_suffix(".qml").write_text(qml, encoding="utf-8")
