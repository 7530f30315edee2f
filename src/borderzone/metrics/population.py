"""Population: the WorldPop rasters and their mosaic, and the people of cells and regions.

The population of a polygon is the exact coverage-weighted sum of the raster's pixels
under it (exactextract), the polygon densified in lon/lat and reprojected into the
raster's CRS, so a raster in any CRS gives the same count. Without a raster, places'
populations stand in (a settlement-based surface).
"""

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import rasterio.merge
import shapely
from exactextract import exact_extract

from borderzone.crs import WGS84, densify_lonlat
from borderzone.download import fetch_url
from borderzone.errors import InputDataError
from borderzone.metrics.cells import cell_area_km2
from borderzone.metrics.inputs import check_frame, place_population, to_lonlat


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
    """Open a population raster (people per pixel) that exists and has a CRS.

    Raises
    ------
    InputDataError
        Naming the file, when it is missing or has no CRS.
    """
    raster = Path(raster)
    if not raster.exists():
        raise InputDataError(f"population raster {raster} does not exist")
    src = rasterio.open(raster)
    if src.crs is None:
        src.close()
        raise InputDataError(f"population raster {raster} has no CRS")
    return src


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
