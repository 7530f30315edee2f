"""Minutes to the nearest town from every node of the corridor's road graph, once per pair.

Towns are searched beyond the buffer, over the road graph of the whole OSM corridor cut
by country (:func:`by_side`). That graph and its multi-source Dijkstra from the towns do
not depend on the buffer width, so rule ``build_town_times`` computes them once and every
width's ``compute_segment_metrics`` reads the nodes' minutes
(:func:`read_town_times`) instead of building the corridor's graph again.
"""

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet
import shapely

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.metrics.travel import RoadNodes, road_graph, town_node_minutes
from borderzone.osm.clip import clip_lines

log = logging.getLogger(__name__)

TOWN_TIME_COLUMNS = ("lon", "lat", "side", "minutes")
"""Columns of ``town_times.parquet``: one row per node of the corridor's road graph."""


def by_side(data: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
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


def build_town_times(
    *,
    roads: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame],
    places: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    speeds_kmh: Mapping[str, float],
    access_kmh: float,
    town_min_population: float,
) -> pd.DataFrame:
    """Minutes from every node of the corridor's road graph to the nearest town of its side.

    The sides never share a node and a town serves its own side only, so each side's graph
    is built and searched on its own, one after the other: the nodes and their minutes are
    those of one graph of both sides, in its order, with half of it in memory.

    Parameters
    ----------
    roads, places
        The corridor's roads (or batches of them, e.g. :func:`~borderzone.io.iter_parquet`,
        cut by country one after another) and places (``osm/roads.parquet``,
        ``osm/places.parquet``).
    countries
        The two outlines: roads and towns take the side of the country they lie in.
    speeds_kmh, access_kmh, town_min_population
        As for :func:`~borderzone.metrics.travel.travel_time_to_town_min`.

    Returns
    -------
    pandas.DataFrame
        :data:`TOWN_TIME_COLUMNS`, in the graph's node order; ``minutes`` is inf where no
        town is reached.
    """
    towns = by_side(places, countries)
    sides: list[list[gpd.GeoDataFrame]] = [[] for _ in range(len(countries))]
    for batch in [roads] if isinstance(roads, gpd.GeoDataFrame) else roads:
        for i in range(len(countries)):
            sides[i].append(by_side(batch, countries.iloc[[i]]))
    frames = []
    for i in range(len(sides)):
        side_roads = pd.concat(sides[i], ignore_index=True)
        sides[i] = []
        graph = road_graph(gpd.GeoDataFrame(side_roads, crs=WGS84), speeds_kmh=speeds_kmh)
        del side_roads
        minutes = town_node_minutes(
            graph, towns, min_population=town_min_population, access_kmh=access_kmh
        )
        frames.append(
            pd.DataFrame(
                {"lon": graph.lonlat[:, 0], "lat": graph.lonlat[:, 1], "side": graph.side}
            ).assign(minutes=minutes)
        )
        del graph
    out = pd.concat(frames, ignore_index=True)
    out["side"] = pd.Categorical(out["side"])
    log.info(
        "minutes to a town of %d people from %d road nodes (%d reach one)",
        town_min_population,
        len(out),
        int(np.isfinite(out["minutes"]).sum()),
    )
    return out


def town_times_bounds(path: str | Path) -> tuple[float, float, float, float]:
    """Lon/lat bounds of the nodes of ``town_times.parquet``, from the file's statistics."""
    meta = pyarrow.parquet.read_metadata(path)
    names = meta.schema.names
    lo, hi = [], []
    for name in ("lon", "lat"):
        stats = [
            meta.row_group(g).column(names.index(name)).statistics
            for g in range(meta.num_row_groups)
        ]
        stats = [s for s in stats if s is not None and s.has_min_max]
        lo.append(min((s.min for s in stats), default=0.0))
        hi.append(max((s.max for s in stats), default=0.0))
    return (lo[0], lo[1], hi[0], hi[1])


def read_town_times(
    path: str | Path, *, bbox: tuple[float, float, float, float] | None = None
) -> tuple[RoadNodes, np.ndarray]:
    """Read ``town_times.parquet`` (:func:`build_town_times`) as the nodes and their minutes.

    With ``bbox`` (lon/lat), only the nodes inside it, in the order of the file.

    Raises
    ------
    InputDataError
        Naming the file when it is missing or lacks a column of :data:`TOWN_TIME_COLUMNS`.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path} does not exist")
    filters = None
    if bbox is not None:
        x0, y0, x1, y1 = bbox
        filters = [("lon", ">=", x0), ("lon", "<=", x1), ("lat", ">=", y0), ("lat", "<=", y1)]
    table = pd.read_parquet(path, filters=filters)
    missing = [c for c in TOWN_TIME_COLUMNS if c not in table.columns]
    if missing:
        raise InputDataError(f"{path}: no column {', '.join(missing)} (not a town times table)")
    nodes = RoadNodes(
        lonlat=table[["lon", "lat"]].to_numpy(float),
        side=table["side"].astype(str).to_numpy(),
    )
    return nodes, table["minutes"].to_numpy(float)
