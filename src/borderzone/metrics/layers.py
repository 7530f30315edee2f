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
from borderzone.metrics.segment import METRIC_COLUMNS, region_population, segment_metrics
from borderzone.metrics.typology import cluster_segments
from borderzone.osm.clip import clip_lines

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


def compute_segment_metrics(
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
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Segment metrics with their typology, cluster profiles, and the region tables.

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
        See :func:`borderzone.metrics.segment.segment_metrics`.
    clusters
        Number of clusters, or None to choose it by silhouette.

    Returns
    -------
    metrics, profiles, regions, pairs
        ``segment_metrics`` (one row per seg_id × side, with ``cluster`` and
        ``cluster_label``); one row per cluster; the level 4 regions along the border
        and the pairs of regions facing each other (:func:`region_tables`; empty without
        admin areas).
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
    regions = pd.DataFrame(columns=REGION_COLUMNS)
    pairs = pd.DataFrame(columns=PAIR_COLUMNS)
    admin = corridor.get("admin")
    if admin is not None and len(admin):
        level = pd.to_numeric(admin["admin_level"], errors="coerce")
        on_border = _on_border(admin[level == 4], segments)
        on_border = on_border.assign(side=_side_of(on_border, countries))
        regions, pairs = region_tables(on_border, metrics, crossings, population=population)
    log.info(
        "%d cells, %d clusters; %d regions; measures: %s",
        len(metrics),
        len(profiles),
        len(regions),
        ", ".join(c for c in METRIC_COLUMNS if c in metrics),
    )
    return metrics, profiles.reset_index(), regions, pairs


REGION_COLUMNS = [
    "side",
    "name",
    "border_km",
    "road_crossings",
    "rail_crossings",
    "population",
    "area_km2",
    "pop_density_km2",
    "population_in_buffer",
    "buffer_area_km2",
    "buffer_density_km2",
    "isolation_index",
]
PAIR_COLUMNS = [
    "region_a",
    "region_b",
    "border_km",
    "road_crossings",
    "rail_crossings",
    "population_in_buffer_a",
    "population_in_buffer_b",
    "isolation_index_a",
    "isolation_index_b",
]


def region_tables(
    regions: gpd.GeoDataFrame,
    metrics: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    *,
    population: str | Path | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tables per region along the border and per pair of regions facing each other.

    Each cell belongs to the region holding its representative point (on its side); a
    segment's border length goes to the pair of regions of its two cells.

    Parameters
    ----------
    regions
        Level 4 areas along the border with ``side`` and ``name``.
    metrics
        ``segment_metrics`` of one width (cells with ``population``, ``area_km2``,
        ``isolation_index``, ``from_km``, ``to_km``).
    crossings
        The crossings (``kind``, ``seg_id``).
    population
        Population raster for the whole regions' population (None: not computed).

    Returns
    -------
    per_region, per_pair
        Columns :data:`REGION_COLUMNS` and :data:`PAIR_COLUMNS`.
    """
    cells = metrics.to_crs(WGS84).copy()
    points = shapely.point_on_surface(cells.geometry.values)
    cells["region"] = None
    for row in regions.itertuples():
        geom = row.geometry
        shapely.prepare(geom)
        inside = (cells["side"].to_numpy() == row.side) & shapely.contains(geom, points)
        cells.loc[inside, "region"] = row.name
    cells["length_km"] = cells["to_km"] - cells["from_km"]
    cells["weighted_iso"] = cells["isolation_index"] * cells["population"]
    kinds = crossings.groupby(["seg_id", "kind"]).size().unstack(fill_value=0)
    kinds = kinds.reindex(columns=["road", "rail"], fill_value=0)

    per_cell = cells.join(kinds, on="seg_id").fillna({"road": 0, "rail": 0})
    grouped = per_cell.dropna(subset=["region"]).groupby(["side", "region"])
    table = (
        grouped.agg(
            border_km=("length_km", "sum"),
            road_crossings=("road", "sum"),
            rail_crossings=("rail", "sum"),
            population_in_buffer=("population", "sum"),
            buffer_area_km2=("area_km2", "sum"),
            weighted_iso=("weighted_iso", "sum"),
        )
        .reset_index()
        .rename(columns={"region": "name"})
    )
    table["buffer_density_km2"] = table["population_in_buffer"] / table["buffer_area_km2"]
    table["isolation_index"] = table["weighted_iso"] / table["population_in_buffer"]
    whole = regions[["side", "name"]].copy()
    if population is not None:
        whole = pd.DataFrame(region_population(regions, population, admin_level=None))
    table = whole.drop(columns="geometry", errors="ignore").merge(
        table, on=["side", "name"], how="left"
    )
    table = table.reindex(columns=REGION_COLUMNS)

    sides = list(dict.fromkeys(cells["side"]))
    wide = cells.pivot_table(index="seg_id", columns="side", values=["region"], aggfunc="first")[
        "region"
    ].reindex(columns=sides)
    seg = cells.groupby("seg_id").agg(length_km=("length_km", "first")).join(kinds)
    seg = seg.fillna({"road": 0, "rail": 0})
    seg["region_a"], seg["region_b"] = wide.iloc[:, 0], wide.iloc[:, 1]
    for tag, side in zip(("a", "b"), sides, strict=False):
        side_cells = cells[cells["side"] == side].set_index("seg_id")
        seg[f"population_{tag}"] = side_cells["population"]
        seg[f"weighted_iso_{tag}"] = side_cells["weighted_iso"]
    pair = seg.dropna(subset=["region_a", "region_b"]).groupby(["region_a", "region_b"])
    pairs = pair.agg(
        border_km=("length_km", "sum"),
        road_crossings=("road", "sum"),
        rail_crossings=("rail", "sum"),
        population_in_buffer_a=("population_a", "sum"),
        population_in_buffer_b=("population_b", "sum"),
        weighted_iso_a=("weighted_iso_a", "sum"),
        weighted_iso_b=("weighted_iso_b", "sum"),
    ).reset_index()
    for tag in ("a", "b"):
        pairs[f"isolation_index_{tag}"] = (
            pairs[f"weighted_iso_{tag}"] / pairs[f"population_in_buffer_{tag}"]
        )
    pairs = pairs.sort_values("border_km", ascending=False, ignore_index=True)
    return table, pairs.reindex(columns=PAIR_COLUMNS)


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


def build_rasters(
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

    See :func:`borderzone.metrics.rasters.write_rasters`.
    """
    from borderzone.metrics.rasters import write_rasters
    from borderzone.qml import raster_pseudocolor_qml

    paths = write_rasters(
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
