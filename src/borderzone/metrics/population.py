"""Population: the WorldPop rasters and their mosaic, and the people of cells and regions.

The population of a polygon is the exact coverage-weighted sum of the raster's pixels
under it (exactextract), the polygon densified in lon/lat and reprojected into the
raster's CRS, so a raster in any CRS gives the same count. Without a raster, places'
populations stand in (a settlement-based surface).

A raster is checked where it enters (:func:`check_population_raster`, called by the rules
``compute_segment_metrics`` and ``build_rasters`` before their work): it must open, have a
CRS and one band, hold data over at least :data:`MIN_COVERAGE` of the zone's land (a
warning below :data:`WARN_COVERAGE`) and no negative value there.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import rasterio.errors
import rasterio.merge
import rasterio.warp
import shapely
from exactextract import exact_extract

from borderzone.crs import WGS84, densify_lonlat
from borderzone.download import fetch_url
from borderzone.errors import InputDataError
from borderzone.metrics.cells import cell_area_km2
from borderzone.metrics.inputs import check_frame, place_population, to_lonlat

log = logging.getLogger(__name__)

MIN_COVERAGE = 0.5
"""Least share of the zone's land a population raster must hold data over (else an error)."""

WARN_COVERAGE = 0.99
"""Share of the zone's land with data below which a warning is logged (people there count 0)."""


def retrieve_worldpop(url: str, *, dest: str | Path) -> Path:
    """Download one country's WorldPop raster to ``dest`` once.

    A thin wrapper of :func:`borderzone.download.fetch_url` (resumed, checksummed, never
    downloaded twice).

    Parameters
    ----------
    url
        The raster's address (``population.worldpop_url`` with the country filled in).
    dest
        The ``.tif`` to write; left alone when it is already there.
    """
    return fetch_url(url, dest=Path(dest))


def build_population(paths: Sequence[str | Path], dest: str | Path) -> Path:
    """Mosaic rasters of one CRS (e.g. WorldPop per country) into one GeoTIFF.

    Where they overlap, the first one wins.
    """
    dest = Path(dest)
    sources = [rasterio.open(p) for p in paths]
    try:
        data, transform = rasterio.merge.merge(sources)
        profile = sources[0].profile | {
            "height": data.shape[1],
            "width": data.shape[2],
            "transform": transform,
            "driver": "GTiff",
            "compress": "deflate",
            "tiled": True,
        }
    finally:
        for s in sources:
            s.close()
    tmp = dest.with_name(f".{dest.name}.tmp")
    with rasterio.open(tmp, "w", **profile) as out:
        out.write(data)
    tmp.replace(dest)
    return dest


def open_population(raster: str | Path) -> rasterio.DatasetReader:
    """Open a population raster (people per pixel): a readable one-band raster with a CRS.

    Raises
    ------
    InputDataError
        Naming the file, when it is missing, not a file, not a raster, has no CRS or has
        several bands.
    """
    raster = Path(raster)
    if not raster.exists():
        raise InputDataError(f"population raster {raster} does not exist")
    if not raster.is_file():
        raise InputDataError(f"population raster {raster} is not a file")
    try:
        src = rasterio.open(raster)
    except rasterio.errors.RasterioIOError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        for quoted in (f"'{raster}' ", f"`{raster}' "):
            reason = reason.replace(quoted, "")
        reason = reason.rstrip(".")
        raise InputDataError(
            f"population raster {raster} is not a readable raster: {reason}"
        ) from exc
    if src.crs is None:
        src.close()
        raise InputDataError(f"population raster {raster} has no CRS")
    if src.count != 1:
        count = src.count
        src.close()
        raise InputDataError(
            f"population raster {raster} has {count} bands: one band of people per pixel "
            "is expected"
        )
    return src


@dataclass(frozen=True)
class RasterCoverage:
    """How a population raster covers a zone, as shares of the zone's land area.

    Attributes
    ----------
    data
        Share with data (inside the raster's extent and not nodata).
    outside
        Share outside the raster's extent.
    nodata
        Share inside the extent but nodata.
    minimum
        Least value over the zone (NaN without data).
    """

    data: float
    outside: float
    nodata: float
    minimum: float


def raster_coverage(raster: str | Path, area: gpd.GeoDataFrame) -> RasterCoverage:
    """Measure which share of ``area`` a population raster covers with data, and its minimum.

    One exactextract pass over ``area`` (densified and reprojected into the raster's CRS,
    as for the sums): the share inside the raster's extent is the equal-area share of the
    polygons inside its bounds; within it, the share of nodata is the coverage-weighted
    share of nodata pixels (by spherical pixel area for a raster in degrees).

    Parameters
    ----------
    raster
        Population raster (checked by :func:`open_population`).
    area
        Polygons of the zone, any CRS.
    """
    check_frame(area, "area")
    geoms = to_lonlat(area)
    geoms = geoms[~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)]
    with open_population(raster) as src:
        crs = pyproj.CRS.from_wkt(src.crs.to_wkt())
        bounds = src.bounds
        nodata = src.nodata
    total_km2 = float(cell_area_km2(gpd.GeoDataFrame(geometry=geoms, crs=WGS84)).sum())
    if total_km2 <= 0:
        return RasterCoverage(data=0.0, outside=1.0, nodata=0.0, minimum=float("nan"))
    polys = gpd.GeoSeries(densify_lonlat(geoms), crs=WGS84).to_crs(crs)
    extent = shapely.box(*bounds)
    extent = shapely.segmentize(
        extent, max(bounds.right - bounds.left, bounds.top - bounds.bottom) / 256
    )
    inside = gpd.GeoSeries(shapely.intersection(polys.values, extent), crs=crs)
    inside = inside[~inside.is_empty]
    inside_km2 = (
        float(cell_area_km2(gpd.GeoDataFrame(geometry=inside, crs=crs)).sum())
        if len(inside)
        else 0.0
    )
    share_in = min(inside_km2 / total_km2, 1.0)
    if share_in <= 0:
        return RasterCoverage(data=0.0, outside=1.0, nodata=0.0, minimum=float("nan"))
    weight = "area_spherical_m2" if crs.is_geographic else "area_cartesian"
    fill = 0 if nodata is None or not np.isfinite(nodata) or nodata != 0 else 1
    try:
        table = exact_extract(
            str(raster),
            gpd.GeoDataFrame({"_i": np.arange(len(inside))}, geometry=inside.values, crs=crs),
            [
                f"valid=count(coverage_weight={weight})",
                f"every=count(coverage_weight={weight},default_value={fill})",
                "least=min",
            ],
            include_cols=["_i"],
            output="pandas",
        )
    except (RuntimeError, rasterio.errors.RasterioError) as exc:  # truncated or damaged
        cause = exc.__cause__ or exc
        reason = str(cause).strip().splitlines()[-1] if str(cause).strip() else "read failed"
        raise InputDataError(
            f"population raster {raster} cannot be read (truncated or damaged?): {reason}"
        ) from exc
    every = float(table["every"].sum())
    valid_in = float(table["valid"].sum()) / every if every > 0 else 0.0
    least = table["least"].to_numpy(float)
    least = float(np.nanmin(least)) if np.isfinite(least).any() else float("nan")
    return RasterCoverage(
        data=share_in * valid_in,
        outside=1.0 - share_in,
        nodata=share_in * (1.0 - valid_in),
        minimum=least,
    )


def check_population_raster(
    raster: str | Path, *, area: gpd.GeoDataFrame, name: str = "the corridor's land"
) -> RasterCoverage:
    """Check a population raster before it is used over ``area``; warn when it falls short.

    Parameters
    ----------
    raster
        Population raster, people per pixel.
    area
        The land it must cover, e.g. the corridor's ``buffer`` layer or a width's cells.
    name
        What ``area`` is, in the messages (``"the corridor's land"``).

    Returns
    -------
    RasterCoverage
        The raster's coverage of ``area``.

    Raises
    ------
    InputDataError
        On one line naming the file, when it is missing, not a raster, has no CRS or
        several bands, does not overlap ``area``, holds data over less than
        :data:`MIN_COVERAGE` of it (only nodata, or outside its extent), or holds a
        negative value over it.
    """
    cover = raster_coverage(raster, area)
    where = f"{100 * cover.outside:.1f} % outside its extent, {100 * cover.nodata:.1f} % nodata"
    if cover.outside >= 1.0:
        x0, y0, x1, y1 = _lonlat_bounds(raster)
        a0, b0, a1, b1 = shapely.total_bounds(to_lonlat(area))
        raise InputDataError(
            f"population raster {raster} does not overlap {name}: the raster covers lon "
            f"{x0:.2f} to {x1:.2f}, lat {y0:.2f} to {y1:.2f}; {name} lon {a0:.2f} to "
            f"{a1:.2f}, lat {b0:.2f} to {b1:.2f}"
        )
    if cover.data <= 0:
        raise InputDataError(f"population raster {raster} holds only nodata over {name}")
    if cover.data < MIN_COVERAGE:
        raise InputDataError(
            f"population raster {raster} holds data over only {100 * cover.data:.1f} % of "
            f"{name} ({where}); at least {100 * MIN_COVERAGE:.0f} % is needed"
        )
    if cover.minimum < 0:
        raise InputDataError(
            f"population raster {raster} holds negative values over {name} (down to "
            f"{cover.minimum:g}); people per pixel cannot be negative: if {cover.minimum:g} "
            "marks missing data, set it as the file's nodata value"
        )
    if cover.data < WARN_COVERAGE:
        log.warning(
            "population raster %s holds data over %.1f %% of %s (%s): no people are counted there",
            raster,
            100 * cover.data,
            name,
            where,
        )
    else:
        log.info(
            "population raster %s holds data over %.1f %% of %s",
            raster,
            100 * cover.data,
            name,
        )
    return cover


def _lonlat_bounds(raster: str | Path) -> tuple[float, float, float, float]:
    """Return the raster's bounds in lon/lat."""
    with open_population(raster) as src:
        return rasterio.warp.transform_bounds(src.crs, WGS84, *src.bounds, densify_pts=21)


def _zonal_sum(geoms_4326: np.ndarray, raster: str | Path) -> np.ndarray:
    """Coverage-weighted sum of a raster over each polygon (exactextract), any raster CRS."""
    with open_population(raster) as src:
        crs = pyproj.CRS.from_wkt(src.crs.to_wkt())
    polys = gpd.GeoDataFrame(
        {"_i": np.arange(len(geoms_4326))},
        geometry=gpd.GeoSeries(densify_lonlat(geoms_4326), crs=WGS84).to_crs(crs),
        crs=crs,
    )
    out = np.zeros(len(geoms_4326))
    if len(polys) == 0:
        return out
    table = exact_extract(str(raster), polys, ["sum"], include_cols=["_i"], output="pandas")
    out[table["_i"].to_numpy(int)] = table["sum"].fillna(0).to_numpy(float)
    return out


def population_stats(
    cells: gpd.GeoDataFrame,
    *,
    raster: str | Path | None = None,
    places: gpd.GeoDataFrame | None = None,
    rural_below: float = 10_000,
) -> pd.DataFrame:
    """Compute population, density, rural share and number of settlements of each cell.

    With a ``raster`` (people per pixel, any CRS, nodata set) the population is the exact
    coverage-weighted sum of the pixels under the cell (exactextract; the cells are
    densified and reprojected into the raster's CRS). Without one it is the sum of the
    ``population`` of the places inside the cell (a settlement-based surface).

    Parameters
    ----------
    cells
        Polygons (any CRS).
    raster
        Population raster, people per pixel.
    places
        Points with ``population`` (NaN allowed), e.g. the ``places`` layer.
    rural_below
        Places smaller than this are rural.

    Returns
    -------
    pandas.DataFrame
        ``population``; ``pop_density_km2`` (people per equal-area km²); ``rural_share``:
        share of the people not living in a place of ``rural_below`` or more (with a
        raster: 1 - people of those places / cell population, clipped to [0, 1]; from
        places alone: people of smaller places / people of all places); NaN when there are
        no people; and ``n_settlements``, the places inside the cell.
    """
    check_frame(cells, "cells")
    if raster is None and places is None:
        raise ValueError("population_stats needs a raster or places")
    cg = to_lonlat(cells)
    area = cell_area_km2(cells).to_numpy()
    n = len(cg)
    place_pop = np.zeros(n)
    urban_pop = np.zeros(n)
    count = np.zeros(n, dtype=int)
    if places is not None:
        check_frame(places, "places", ["population"])
        pg = shapely.point_on_surface(to_lonlat(places))
        ci, pi = shapely.STRtree(pg).query(cg, predicate="intersects")
        _, first = np.unique(pi, return_index=True)
        ci, pi = ci[first], pi[first]
        pop = place_population(places)
        place_pop = np.bincount(ci, weights=pop[pi], minlength=n)
        urban_pop = np.bincount(
            ci, weights=np.where(pop[pi] >= rural_below, pop[pi], 0), minlength=n
        )
        count = np.bincount(ci, minlength=n)
    total = _zonal_sum(cg, raster) if raster is not None else place_pop
    with np.errstate(invalid="ignore", divide="ignore"):
        rural = np.clip(1 - urban_pop / total, 0, 1) if places is not None else np.nan
        rural = np.where(total > 0, rural, np.nan)
        density = np.where(area > 0, total / area, np.nan)
    return pd.DataFrame(
        {
            "population": total,
            "pop_density_km2": density,
            "rural_share": rural,
            "n_settlements": count,
        },
        index=cells.index,
    )


def region_population(regions: gpd.GeoDataFrame, raster: str | Path) -> gpd.GeoDataFrame:
    """Compute population, area and density of whole regions from a population raster.

    Parameters
    ----------
    regions
        Polygons (any CRS), e.g. admin_level 4 areas.
    raster
        Population raster, people per pixel.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows with a geometry, with ``population``, ``area_km2``, ``pop_density_km2``, in
        EPSG:4326.
    """
    check_frame(regions, "regions")
    out = regions.to_crs(WGS84).copy()
    out = out[out.geometry.notna() & ~out.geometry.is_empty]
    out["population"] = _zonal_sum(to_lonlat(out), raster)
    out["area_km2"] = cell_area_km2(out).to_numpy() if len(out) else []
    out["pop_density_km2"] = out["population"] / out["area_km2"]
    return out
