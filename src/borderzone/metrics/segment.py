"""Every measure of one buffer width per cell, the isolation index, and the rule's function.

:func:`segment_metrics` assembles the measures of :mod:`~borderzone.metrics.cells`,
:mod:`~borderzone.metrics.population`, :mod:`~borderzone.metrics.chainage` and
:mod:`~borderzone.metrics.travel` into one layer with a row per segment and side, in
EPSG:4326, and adds :func:`isolation_index`; :func:`compute_segment_metrics` (rule
``compute_segment_metrics``) adds the typology and the region tables.
"""

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.metrics.cells import (
    cell_area_km2,
    rail_density,
    road_densities,
    share_within_km_of_road,
)
from borderzone.metrics.chainage import cell_chainage, crossings_count, distance_to_crossing_km
from borderzone.metrics.inputs import check_frame
from borderzone.metrics.population import population_stats
from borderzone.metrics.regions import PAIR_COLUMNS, REGION_COLUMNS, border_regions, region_tables
from borderzone.metrics.travel import (
    DEFAULT_SPEEDS_KMH,
    REACH_COLUMNS,
    RoadNodes,
    road_graph,
    travel_time_to_crossing_min,
    travel_time_to_town_min,
)
from borderzone.metrics.typology import CLUSTER_COLUMNS, cluster_segments
from borderzone.osm.schema import RAIL_EXCLUDE

log = logging.getLogger(__name__)

METRIC_COLUMNS = (
    "population",
    "pop_density_km2",
    "rural_share",
    "n_settlements",
    "n_crossings",
    "road_km_per_km2",
    "main_road_km_per_km2",
    "local_road_km_per_km2",
    "track_km_per_km2",
    "rail_km_per_km2",
    "share_within_road_km",
    "dist_road_crossing_km",
    "dist_paved_crossing_km",
    "dist_official_crossing_km",
    "dist_rail_crossing_km",
    "time_to_crossing_min",
    "time_to_town_min",
    "isolation_index",
)


def isolation_index(
    metrics: pd.DataFrame,
    *,
    town_col: str = "time_to_town_min",
    crossing_col: str = "time_to_crossing_min",
    density_col: str = "pop_density_km2",
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
) -> pd.Series:
    """Isolation index in [0, 1] combining access to towns, to crossings, and density.

    Method. Three components per cell: ``log(1 + minutes to the nearest town)`` of at least
    the configured size (50,000 people by default), ``log(1 + minutes to the nearest road
    crossing)``, and ``-log(1 + people per km²)``. Each is rescaled min–max over all cells
    to [0, 1] and the index is their weighted mean: 0 is the best connected, most densely
    settled cell, 1 the most isolated. Missing components (no town or crossing reachable)
    count as the maximum, 1. The logarithm follows the remoteness index of Statistics
    Canada, whose gravity terms decline with travel cost and whose values are rescaled to
    [0, 1] (Alasia et al. 2017); the town size and drive time follow the EU typology of
    remote regions, where a region is remote when under half its people live within 45
    minutes' drive of a city of 50,000 (Dijkstra & Poelman 2008), built on the Degree of
    Urbanisation (Eurostat 2021). The index ranks cells within one run: it is relative, not
    comparable between runs.

    References
    ----------
    Alasia, A., Bédard, F., Bélanger, J., Guimond, E. and Penney, C. (2017). *Measuring
    remoteness and accessibility: A set of indices for Canadian communities.* Reports on
    Special Business Projects, Statistics Canada, cat. 18-001-X.
    Dijkstra, L. and Poelman, H. (2008). *Remote rural regions: How proximity to a city
    influences the performance of rural regions.* Regional Focus 01/2008, European
    Commission, DG REGIO.
    Eurostat (2021). *Applying the Degree of Urbanisation: A methodological manual to define
    cities, towns and rural areas for international comparisons.* Publications Office of
    the EU.

    Parameters
    ----------
    metrics
        Frame with the three component columns.
    town_col, crossing_col, density_col
        Their names.
    weights
        Weights of the town, crossing and density components.

    Returns
    -------
    pandas.Series
        Index aligned to ``metrics``; NaN only where every component is missing.
    """
    check_frame(metrics, "metrics", [town_col, crossing_col, density_col])
    comps = np.column_stack(
        [
            np.log1p(metrics[town_col].to_numpy(float)),
            np.log1p(metrics[crossing_col].to_numpy(float)),
            -np.log1p(metrics[density_col].to_numpy(float)),
        ]
    )
    all_missing = np.all(~np.isfinite(comps), axis=1)
    scaled = np.empty_like(comps)
    for j in range(3):
        col = comps[:, j]
        ok = np.isfinite(col)
        if not ok.any():
            scaled[:, j] = 1.0
            continue
        lo, hi = col[ok].min(), col[ok].max()
        scaled[:, j] = np.where(ok, (col - lo) / (hi - lo) if hi > lo else 0.0, 1.0)
    w = np.asarray(weights, dtype=float)
    index = scaled @ w / w.sum()
    index[all_missing] = np.nan
    return pd.Series(index, index=metrics.index, name="isolation_index")


def segment_metrics(
    cells: gpd.GeoDataFrame,
    segments: pd.DataFrame,
    crossings: gpd.GeoDataFrame,
    *,
    roads: gpd.GeoDataFrame,
    rail: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    population: str | Path | None = None,
    towns: gpd.GeoDataFrame | None = None,
    town_times: tuple[RoadNodes, np.ndarray] | None = None,
    crossing_times: tuple[RoadNodes, np.ndarray] | None = None,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    access_kmh: float = 20.0,
    road_buffer_km: float = 5.0,
    town_min_population: float = 50_000,
    rural_below: float = 10_000,
    rail_exclude: Sequence[str] = RAIL_EXCLUDE,
    isolation_weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
) -> gpd.GeoDataFrame:
    """Every per-cell measure of one buffer width: one row per ``seg_id`` × ``side``.

    Parameters
    ----------
    cells
        The ``cells`` layer (``seg_id``, ``side``, ``width_km``, ...).
    segments
        The ``segments`` layer (``seg_id``, ``from_km``, ``to_km``).
    crossings
        The ``crossings`` layer (``kind``, ``km``, ``surface_class``, ``official``, ...).
    roads, rail, places
        The ``network.gpkg`` layers of the same width (with ``side``).
    population
        Population raster (people per pixel); None uses the places' populations.
    towns
        Places (with ``side``) searched for the nearest town, e.g. the corridor's; default
        ``places``.
    town_times
        The nodes of the corridor's road graph and their minutes to the nearest of
        ``towns`` (:func:`~borderzone.metrics.node_times.read_node_times`); default: computed on
        the graph of ``roads``.
    crossing_times
        The same for the nearest road crossing.
    speeds_kmh, access_kmh
        Speeds on roads and off the network (straight line).
    road_buffer_km
        Distance for ``share_within_road_km``.
    town_min_population
        Size of a town for ``time_to_town_min``.
    rural_below
        Size under which places are rural.
    rail_exclude
        ``railway`` values left out of ``rail_km_per_km2``
        (:func:`~borderzone.metrics.cells.rail_density`).
    isolation_weights
        Weights of town, crossing and density in :func:`isolation_index`.

    Returns
    -------
    geopandas.GeoDataFrame
        The cell columns, ``from_km``, ``to_km`` and :data:`METRIC_COLUMNS`, in EPSG:4326.
    """
    cells = cells.to_crs(WGS84)
    out = cell_measures(
        cells,
        segments,
        crossings,
        roads=roads,
        rail=rail,
        places=places,
        population=population,
        road_buffer_km=road_buffer_km,
        rural_below=rural_below,
        rail_exclude=rail_exclude,
    )
    times = travel_times(
        cells,
        crossings,
        roads=roads,
        places=places,
        towns=towns,
        town_times=town_times,
        crossing_times=crossing_times,
        speeds_kmh=speeds_kmh,
        access_kmh=access_kmh,
        town_min_population=town_min_population,
    )
    return finish_metrics(out.join(times), weights=isolation_weights)


def cell_measures(
    cells: gpd.GeoDataFrame,
    segments: pd.DataFrame,
    crossings: gpd.GeoDataFrame,
    *,
    roads: gpd.GeoDataFrame,
    rail: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    population: str | Path | None,
    road_buffer_km: float,
    rural_below: float,
    rail_exclude: Sequence[str],
) -> gpd.GeoDataFrame:
    """Measure every cell as :func:`segment_metrics` does, but for the travel times.

    Each is the cell's own: it needs the roads, rail and places within ``road_buffer_km``
    of the cell, and every crossing.
    """
    check_frame(cells, "cells", ["seg_id", "side"])
    check_frame(crossings, "crossings", ["kind", "km"])
    cells = cells.to_crs(WGS84)
    out = cells.copy()
    from_km, to_km = cell_chainage(cells, segments)
    out["from_km"], out["to_km"] = from_km, to_km
    out["area_km2"] = cell_area_km2(cells)
    out = out.join(
        population_stats(cells, raster=population, places=places, rural_below=rural_below)
    )
    out["n_crossings"] = crossings_count(cells, crossings, segments=segments)

    for column, density in road_densities(cells, roads).items():
        out[column] = density.to_numpy()
    out["rail_km_per_km2"] = rail_density(cells, rail, rail_exclude=rail_exclude)
    out["share_within_road_km"] = share_within_km_of_road(cells, roads, km=road_buffer_km)

    kw = {"segments": segments}
    out["dist_road_crossing_km"] = distance_to_crossing_km(cells, crossings, kind="road", **kw)
    paved = "surface_class == 'paved'" if "surface_class" in crossings else None
    out["dist_paved_crossing_km"] = distance_to_crossing_km(
        cells, crossings, kind="road", where=paved, **kw
    )
    official = (
        crossings["official"].fillna(False).astype(bool).to_numpy()
        if "official" in crossings
        else None
    )
    out["dist_official_crossing_km"] = distance_to_crossing_km(
        cells, crossings, where=official, **kw
    )
    out["dist_rail_crossing_km"] = distance_to_crossing_km(cells, crossings, kind="rail", **kw)
    keep = [c for c in cells.columns if c != "geometry"]
    keep += [c for c in ("from_km", "to_km", "area_km2") if c not in keep]
    return out[keep + [c for c in METRIC_COLUMNS if c in out.columns] + ["geometry"]]


def travel_times(
    cells: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    *,
    roads: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame | None,
    town_times: tuple[RoadNodes, np.ndarray] | None,
    speeds_kmh: Mapping[str, float],
    access_kmh: float,
    town_min_population: float,
    crossing_times: tuple[RoadNodes, np.ndarray] | None = None,
    with_reach: bool = False,
) -> pd.DataFrame:
    """``time_to_crossing_min`` and ``time_to_town_min`` of each cell (:func:`segment_metrics`).

    The graph of ``roads`` is built only when ``crossing_times`` or ``town_times`` (the
    nodes' minutes, computed once: :mod:`borderzone.metrics.node_times`) is missing. With
    ``with_reach``, also each one's :data:`~borderzone.metrics.travel.REACH_COLUMNS`,
    prefixed ``crossing_`` and ``town_``.
    """
    graph = None
    if crossing_times is None or town_times is None:
        graph = road_graph(roads, speeds_kmh=speeds_kmh)
    crossing = travel_time_to_crossing_min(
        cells,
        roads,
        crossings,
        places,
        access_kmh=access_kmh,
        graph=graph,
        crossing_times=crossing_times,
        with_reach=True,
    )
    town = travel_time_to_town_min(
        cells,
        roads,
        places if towns is None else towns,
        places,
        min_population=town_min_population,
        access_kmh=access_kmh,
        graph=graph,
        town_times=town_times,
        with_reach=True,
    )
    out = pd.DataFrame(index=cells.index)
    for prefix, frame in (("crossing", crossing), ("town", town)):
        for column in frame.columns:
            out[column if column.startswith("time_") else f"{prefix}_{column}"] = frame[column]
    return out if with_reach else out[["time_to_crossing_min", "time_to_town_min"]]


def finish_metrics(
    out: gpd.GeoDataFrame, *, weights: tuple[float, float, float] = (1.0, 1.0, 1.0)
) -> gpd.GeoDataFrame:
    """Add the isolation index to the measures of every cell; order the columns.

    The index ranks the cells among each other (:func:`isolation_index`): it is computed
    once every cell of the width is measured, after the chunks are put together.
    """
    out = out.copy()
    out["isolation_index"] = isolation_index(out, weights=weights)
    reach = [f"{p}_{c}" for p in ("crossing", "town") for c in REACH_COLUMNS]
    first = [c for c in out.columns if c not in (*METRIC_COLUMNS, *reach, "geometry")]
    out = out[first + list(METRIC_COLUMNS) + ["geometry"]]
    log.info(
        "metrics of %d cells: %s people, median %.0f min to a crossing",
        len(out),
        f"{out['population'].sum():,.0f}",
        float(np.nanmedian(out["time_to_crossing_min"])) if len(out) else float("nan"),
    )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)


def compute_segment_metrics(
    *,
    measures: Sequence[gpd.GeoDataFrame],
    cells: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    admin: gpd.GeoDataFrame | None,
    countries: gpd.GeoDataFrame,
    population: str | Path | None,
    clusters: int | None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Segment metrics with their typology, cluster profiles, and the region tables.

    Parameters
    ----------
    measures
        The measures of each chunk of the cells (rule ``measure_cells``,
        :func:`~borderzone.metrics.chunks.measure_cells`).
    cells, segments, crossings
        Layers of ``zones.gpkg``, ``border.gpkg`` and ``crossings.gpkg``; the metrics keep
        the cells' order.
    admin
        Admin areas of the corridor: regions are whole admin_level 4 areas; None or empty
        for no region tables.
    countries
        The two outlines, to tell which side a region lies on.
    population
        Raster of people per pixel, or None to count the places' populations.
    clusters
        Number of clusters, or None to choose it by silhouette.

    Returns
    -------
    metrics, profiles, regions, pairs
        ``segment_metrics`` (one row per seg_id × side, with ``cluster`` and
        ``cluster_label``); one row per cluster; the level 4 regions along the border
        and the pairs of regions facing each other
        (:func:`~borderzone.metrics.regions.region_tables`; empty without admin areas).

    Raises
    ------
    InputDataError
        When the chunks do not hold every cell exactly once.
    """
    check_frame(cells, "cells", ["seg_id", "side"])
    key = ["seg_id", "side"]
    measured = pd.concat(measures, ignore_index=True)
    order = pd.MultiIndex.from_frame(cells[key].astype({"side": str}))
    got = pd.MultiIndex.from_frame(measured[key].astype({"side": str}))
    if got.has_duplicates or len(got) != len(order) or not got.isin(order).all():
        raise InputDataError(
            f"the chunks hold {len(got)} cells ({int(got.duplicated().sum())} twice) where "
            f"the zones hold {len(order)}: measure the cells again (rule measure_cells)"
        )
    measured = measured.set_axis(got).reindex(order).reset_index(drop=True)
    metrics = finish_metrics(gpd.GeoDataFrame(measured, geometry="geometry", crs=WGS84))
    usable = [c for c in CLUSTER_COLUMNS if metrics[c].notna().any()]
    cluster, profiles = cluster_segments(metrics, columns=usable, k=clusters)
    metrics["cluster"] = cluster.to_numpy()
    metrics["cluster_label"] = metrics["cluster"].map(profiles["label"]).to_numpy()
    regions = pd.DataFrame(columns=REGION_COLUMNS)
    pairs = pd.DataFrame(columns=PAIR_COLUMNS)
    if admin is not None and len(admin):
        on_border = border_regions(admin, segments, countries)
        regions, pairs = region_tables(
            on_border, metrics, crossings, population=population, segments=segments
        )
    log.info(
        "%d cells from %d chunks, %d clusters; %d regions; measures: %s",
        len(metrics),
        len(measures),
        len(profiles),
        len(regions),
        ", ".join(c for c in METRIC_COLUMNS if c in metrics),
    )
    return metrics, profiles.reset_index(), regions, pairs
