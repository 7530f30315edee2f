"""Per-segment layers of one buffer width, put together for the workflow."""

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.merge
import shapely

from borderzone.crs import WGS84, fitted_crs
from borderzone.metrics import METRIC_COLUMNS, region_population, segment_metrics
from borderzone.network import clip_lines
from borderzone.typology import cluster_segments

log = logging.getLogger(__name__)

CLUSTER_COLUMNS = (
    "pop_density_km2",
    "road_km_per_km2",
    "rail_km_per_km2",
    "dist_road_crossing_km",
    "time_to_crossing_min",
    "time_to_town_min",
    "n_crossings",
)
"""Measures the segment typology clusters on (standardised)."""


def metric_layers(
    *,
    cells: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    network: Mapping[str, gpd.GeoDataFrame],
    corridor: Mapping[str, gpd.GeoDataFrame],
    countries: gpd.GeoDataFrame,
    population: str | Path | None,
    speeds_kmh: Mapping[str, float],
    access_kmh: float,
    road_buffer_km: float,
    town_min_population: float,
    rural_below: float,
    clusters: int | None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """Segment metrics with their typology, cluster profiles, and whole-region population.

    Parameters
    ----------
    cells, segments, crossings
        Layers of ``zones.gpkg``, ``border.gpkg`` and ``crossings.gpkg``.
    network
        ``roads``, ``rail`` and ``places`` clipped to the buffer (``network.gpkg``).
    corridor
        ``roads``, ``places`` and ``admin`` of the whole OSM corridor: towns are searched
        beyond the buffer, and regions are whole admin_level 4 areas.
    countries
        The two outlines, to tell which side a region lies on.
    population
        Raster of people per pixel, or None to count the places' populations.
    speeds_kmh, access_kmh, road_buffer_km, town_min_population, rural_below
        See :func:`borderzone.metrics.segment_metrics`.
    clusters
        Number of clusters, or None to choose it by silhouette.

    Returns
    -------
    metrics, profiles, regions
        ``segment_metrics`` (one row per seg_id × side, with ``cluster`` and
        ``cluster_label``); one row per cluster; population, area and density of each
        level 4 region along the border on each side (empty without admin areas or
        raster).
    """
    towns, town_roads = (
        _by_side(corridor["places"], countries),
        _by_side(corridor["roads"], countries),
    )
    metrics = segment_metrics(
        cells,
        segments,
        crossings,
        roads=network["roads"],
        rail=network["rail"],
        places=network["places"],
        population=population,
        towns=towns,
        town_roads=town_roads,
        speeds_kmh=speeds_kmh,
        access_kmh=access_kmh,
        road_buffer_km=road_buffer_km,
        town_min_population=town_min_population,
        rural_below=rural_below,
    )
    usable = [c for c in CLUSTER_COLUMNS if metrics[c].notna().any()]
    cluster, profiles = cluster_segments(metrics, columns=usable, k=clusters)
    metrics["cluster"] = cluster.to_numpy()
    metrics["cluster_label"] = metrics["cluster"].map(profiles["label"]).to_numpy()
    regions = pd.DataFrame(columns=["side", "name", "population", "area_km2", "pop_density_km2"])
    admin = corridor.get("admin")
    if population is not None and admin is not None and len(admin):
        level = pd.to_numeric(admin["admin_level"], errors="coerce")
        on_border = _on_border(admin[level == 4], segments)
        whole = region_population(on_border, population, admin_level=4)
        whole["side"] = _side_of(whole, countries)
        regions = pd.DataFrame(whole.drop(columns="geometry"))[
            ["side", "name", "population", "area_km2", "pop_density_km2"]
        ]
    log.info(
        "%d cells, %d clusters; %d regions; measures: %s",
        len(metrics),
        len(profiles),
        len(regions),
        ", ".join(c for c in METRIC_COLUMNS if c in metrics),
    )
    return metrics, profiles.reset_index(), regions


def _on_border(
    areas: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    *,
    within_km: float = 10.0,
    min_km: float = 20.0,
) -> gpd.GeoDataFrame:
    """Areas along at least ``min_km`` of border within ``within_km`` of their outline.

    The tolerance lets generalised outlines (Natural Earth) count; the minimum length
    leaves out areas that only meet the border at a corner.
    """
    if areas.empty:
        return areas
    work = fitted_crs(tuple(segments.total_bounds), kind="conformal")
    line = shapely.union_all(segments.to_crs(work).geometry.values)
    zones = shapely.buffer(areas.to_crs(work).geometry.values, within_km * 1000)
    length_km = shapely.length(shapely.intersection(zones, line)) / 1000
    return areas[length_km >= min_km]


def _side_of(areas: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> np.ndarray:
    """ISO3 of the country that holds each area's representative point (None if neither)."""
    points = shapely.point_on_surface(areas.to_crs(WGS84).geometry.values)
    side = np.full(len(areas), None, dtype=object)
    for code, geom in zip(countries["iso3"], countries.geometry.values, strict=True):
        shapely.prepare(geom)
        side[shapely.contains(geom, points)] = code
    return side


def _by_side(data: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Cut lines (or keep points) by country, with the country's ISO3 as ``side``."""
    parts = []
    for code, geom in zip(countries["iso3"], countries.geometry.values, strict=True):
        shapely.prepare(geom)
        if len(data) and data.geom_type.iloc[0].endswith("Point"):
            part = data[shapely.intersects(geom, data.geometry.values)]
        else:
            part = clip_lines(data.to_crs(WGS84), geom)
        parts.append(part.assign(side=code))
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)


def merge_rasters(paths: Sequence[str | Path], dest: str | Path) -> Path:
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


def raster_layers(
    out_dir: str | Path,
    *,
    buffer: gpd.GeoDataFrame,
    border: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    population: str | Path | None,
    places: gpd.GeoDataFrame,
    resolution_m: float,
    speeds_kmh: Mapping[str, float],
    access_kmh: float,
    tags: Mapping[str, str],
) -> dict[str, Path]:
    """Write the three COGs of the widest buffer, each with a QGIS style (.qml) beside it.

    See :func:`borderzone.rasters.build_rasters`.
    """
    from borderzone.rasters import build_rasters
    from borderzone.styles import raster_pseudocolor_qml

    paths = build_rasters(
        out_dir,
        buffer=buffer,
        border=border,
        roads=roads,
        crossings=crossings,
        population=population,
        places=places,
        resolution_m=resolution_m,
        speeds_kmh=speeds_kmh,
        offroad_kmh=access_kmh,
        tags=tags,
    )
    for path in paths.values():
        with rasterio.open(path) as ds:
            band = ds.read(1, masked=True)
        values = band.compressed()
        values = values[np.isfinite(values)]
        vmax = float(np.percentile(values, 98)) if values.size else 1.0
        qml = raster_pseudocolor_qml(vmin=0.0, vmax=max(vmax, 1e-6))
        Path(path).with_suffix(".qml").write_text(qml, encoding="utf-8")
    return paths
