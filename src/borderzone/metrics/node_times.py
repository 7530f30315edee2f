"""Minutes from every node of a road graph to its nearest target, computed once per file.

A road graph's Dijkstra is the costly part of a travel time; a cell only needs the minutes
of its nearest nodes. So the graphs are searched once, one side at a time (the sides never
share a node, and a target joins each side on its own), and the nodes' minutes written to
a table of :data:`NODE_TIME_COLUMNS` that the chunks of the cells read near their cells
(:func:`read_node_times`):

- ``town_times.parquet`` (rule ``build_town_times``, once per pair,
  :func:`~borderzone.metrics.towns.build_town_times`): over the corridor's roads to the
  nearest town;
- ``{W}km/crossing_times.parquet`` (rule ``build_crossing_times``, once per width,
  :func:`build_crossing_times`): over the buffer's roads to the nearest road crossing.
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet
import shapely

from borderzone.errors import InputDataError
from borderzone.metrics.chainage import select_crossings
from borderzone.metrics.inputs import to_lonlat
from borderzone.metrics.travel import RoadGraph, RoadNodes, crossing_node_minutes, road_graph

log = logging.getLogger(__name__)

NODE_TIME_COLUMNS = ("lon", "lat", "side", "minutes")
"""Columns of a node times table: one row per node of a road graph, in its order."""


def node_times(
    roads_by_side: Iterable[gpd.GeoDataFrame],
    minutes_of: Callable[[RoadGraph], np.ndarray],
    *,
    speeds_kmh: Mapping[str, float],
) -> pd.DataFrame:
    """Build each side's road graph in turn and keep its nodes' minutes (:data:`NODE_TIME_COLUMNS`).

    ``roads_by_side`` gives the roads (with ``side``) of one side after the other; a
    side's graph is dropped before the next is built. The nodes are those of one graph of
    every side, in its order.
    """
    frames = []
    for roads in roads_by_side:
        graph = road_graph(roads, speeds_kmh=speeds_kmh)
        frames.append(
            pd.DataFrame(
                {"lon": graph.lonlat[:, 0], "lat": graph.lonlat[:, 1], "side": graph.side}
            ).assign(minutes=minutes_of(graph))
        )
        del graph
    out = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({"lon": [], "lat": [], "side": [], "minutes": []})
    )
    out["side"] = pd.Categorical(out["side"].astype(str))
    return out


def build_crossing_times(
    *,
    roads: Callable[[str], gpd.GeoDataFrame],
    sides: Iterable[str],
    crossings: gpd.GeoDataFrame,
    speeds_kmh: Mapping[str, float],
    access_kmh: float,
) -> pd.DataFrame:
    """Minutes from every node of the buffer's road graph to the nearest road crossing.

    Parameters
    ----------
    roads
        Reads the buffer's roads of one side (``network.gpkg``, with ``side``).
    sides
        The ISO3 codes of the sides, in the order of the pair.
    crossings
        The ``crossings`` layer: each road crossing joins the nearest node of each side.
    speeds_kmh, access_kmh
        As for :func:`~borderzone.metrics.travel.travel_time_to_crossing_min`.

    Returns
    -------
    pandas.DataFrame
        :data:`NODE_TIME_COLUMNS`; ``minutes`` is inf where no crossing is reached.
    """
    cxy = shapely.get_coordinates(to_lonlat(select_crossings(crossings, kind="road")))
    out = node_times(
        (roads(side) for side in sides),
        lambda graph: crossing_node_minutes(graph, cxy, access_kmh=access_kmh),
        speeds_kmh=speeds_kmh,
    )
    log.info(
        "minutes to a road crossing (%d) from %d road nodes (%d reach one)",
        len(cxy),
        len(out),
        int(np.isfinite(out["minutes"]).sum()),
    )
    return out


def node_times_bounds(path: str | Path) -> tuple[float, float, float, float]:
    """Lon/lat bounds of the nodes of a node times table, from the file's statistics."""
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


def read_node_times(
    path: str | Path, *, bbox: tuple[float, float, float, float] | None = None
) -> tuple[RoadNodes, np.ndarray]:
    """Read a node times table (:func:`node_times`) as the nodes and their minutes.

    With ``bbox`` (lon/lat), only the nodes inside it, in the order of the file.

    Raises
    ------
    InputDataError
        Naming the file when it is missing or lacks a column of :data:`NODE_TIME_COLUMNS`.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path} does not exist")
    filters = None
    if bbox is not None:
        x0, y0, x1, y1 = bbox
        filters = [("lon", ">=", x0), ("lon", "<=", x1), ("lat", ">=", y0), ("lat", "<=", y1)]
    table = pd.read_parquet(path, filters=filters)
    missing = [c for c in NODE_TIME_COLUMNS if c not in table.columns]
    if missing:
        raise InputDataError(f"{path}: no column {', '.join(missing)} (not a node times table)")
    nodes = RoadNodes(
        lonlat=table[["lon", "lat"]].to_numpy(float),
        side=table["side"].astype(str).to_numpy(),
    )
    return nodes, table["minutes"].to_numpy(float)
