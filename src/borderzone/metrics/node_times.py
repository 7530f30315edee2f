"""Minutes from every node of the corridor's road graph to the nearest crossing and town.

A road graph's Dijkstra is the costly part of a travel time; a cell only needs the minutes
of its nearest nodes. So rule ``build_node_times`` (:func:`build_node_times`, once per
pair) builds the road graph of the whole OSM corridor, cut by country (:func:`by_side`),
one side at a time (the sides never share a node, and a target joins each side on its
own), searches it from the road crossings and from the towns, and writes every node's
minutes to a table of :data:`NODE_TIME_COLUMNS`. Neither the graph nor its searches depend
on the buffer width: every width's chunks read the minutes of the nodes near their cells
(:func:`read_node_times`; the table is written by bands of longitude, so a chunk's box
reads only its band), and a new width builds no graph. A route may leave the buffer and
come back within the corridor, so a cell's time is the same in every width.
"""

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet
import shapely
from pandas.api.types import union_categoricals

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.io import replacing
from borderzone.metrics.chainage import select_crossings
from borderzone.metrics.inputs import to_lonlat
from borderzone.metrics.travel import (
    RoadNodes,
    Targets,
    node_minutes,
    road_graph,
    town_targets,
)
from borderzone.osm.clip import clip_lines

log = logging.getLogger(__name__)

ROW_GROUP = 65_536
"""Nodes per row group of a node times table (:func:`write_node_times`)."""

LON_BAND = 0.02
"""Width in degrees of the bands of longitude a node times table is written in (18,000
bands: their numbers fit 16 bits, :func:`write_node_times`)."""

TARGETS = ("crossing", "town")
"""What a node's minutes lead to: the nearest road crossing, the nearest town of its side."""

NODE_TIME_COLUMNS = ("lon", "lat", "side", *(f"{target}_min" for target in TARGETS))
"""Columns of a node times table: one row per node of the road graph."""


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


def node_times(
    roads_by_side: Iterable[gpd.GeoDataFrame],
    targets: Mapping[str, Targets],
    *,
    speeds_kmh: Mapping[str, float],
    access_kmh: float,
) -> pd.DataFrame:
    """Build each side's road graph in turn and keep its nodes' minutes to each target.

    ``roads_by_side`` gives the roads (with ``side``) of one side after the other; a
    side's graph is dropped before the next is built. ``targets`` names each set of targets
    (:data:`TARGETS`), all searched over one folding of the graph
    (:func:`~borderzone.metrics.travel.node_minutes`). The nodes are those of one graph of
    every side, in its order: ``lon``, ``lat``, ``side`` and ``{target}_min``
    (:data:`NODE_TIME_COLUMNS`).
    """
    frames, sides = [], []
    for roads in roads_by_side:
        graph = road_graph(roads, speeds_kmh=speeds_kmh)
        del roads  # the graph holds what the searches need
        frame = pd.DataFrame({"lon": graph.lonlat[:, 0], "lat": graph.lonlat[:, 1]})
        minutes = node_minutes(graph, targets, access_kmh=access_kmh)
        for target in targets:
            frame[f"{target}_min"] = minutes[target]
        frames.append(frame)
        sides.append(pd.Categorical(graph.side))
        del graph, minutes
    if not frames:
        return pd.DataFrame({c: [] for c in ["lon", "lat", "side"] + [f"{t}_min" for t in targets]})
    out = pd.concat(frames, ignore_index=True)
    out.insert(2, "side", union_categoricals(sides))
    return out


def build_node_times(
    *,
    roads: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame],
    places: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    speeds_kmh: Mapping[str, float],
    access_kmh: float,
    town_min_population: float,
) -> pd.DataFrame:
    """Minutes from every node of the corridor's road graph to the nearest crossing and town.

    The sides never share a node and a town serves its own side only, so each side's graph
    is built and searched on its own, one after the other: the nodes are those of one
    graph of both sides, in its order, with half of it in memory.

    Parameters
    ----------
    roads, places
        The corridor's roads (or batches of them, e.g. :func:`~borderzone.io.iter_parquet`,
        cut by country one after another) and places (``osm/roads.parquet``,
        ``osm/places.parquet``).
    countries
        The two outlines: roads and towns take the side of the country they lie in.
    crossings
        The ``crossings`` layer: each road crossing joins the nearest node of each side.
    speeds_kmh, access_kmh, town_min_population
        As for :func:`~borderzone.metrics.travel.travel_time_to_crossing_min` and
        :func:`~borderzone.metrics.travel.travel_time_to_town_min`.

    Returns
    -------
    pandas.DataFrame
        :data:`NODE_TIME_COLUMNS`, in the graph's node order; a target's minutes are inf
        where none is reached.
    """
    towns = by_side(places, countries)
    cxy = shapely.get_coordinates(to_lonlat(select_crossings(crossings, kind="road")))
    sides: list[list[gpd.GeoDataFrame]] = [[] for _ in range(len(countries))]
    for batch in [roads] if isinstance(roads, gpd.GeoDataFrame) else roads:
        for i in range(len(countries)):
            sides[i].append(by_side(batch, countries.iloc[[i]]))

    def side_roads():
        while sides:  # nothing held here once a side is handed over
            yield gpd.GeoDataFrame(pd.concat(sides.pop(0), ignore_index=True), crs=WGS84)

    out = node_times(
        side_roads(),
        {
            "crossing": (cxy, None),
            "town": town_targets(towns, min_population=town_min_population),
        },
        speeds_kmh=speeds_kmh,
        access_kmh=access_kmh,
    )
    log.info(
        "minutes from %d road nodes to a road crossing (%d crossings, %d nodes reach one) "
        "and to a town of %d people (%d nodes reach one)",
        len(out),
        len(cxy),
        int(np.isfinite(out["crossing_min"]).sum()),
        town_min_population,
        int(np.isfinite(out["town_min"]).sum()),
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


def write_node_times(times: pd.DataFrame, path: str | Path) -> None:
    """Write a node times table by bands of longitude, in row groups of :data:`ROW_GROUP` nodes.

    The nodes go west to east by band of :data:`LON_BAND` degrees, in their own order
    within a band (a stable sort of 16-bit band numbers is a radix sort, several times
    faster than sorting 20 M nodes by longitude and latitude). Each row group is then a
    narrow band of longitude, so that a box along the border (:func:`read_node_times`)
    reads only the row groups it overlaps.
    """
    band = np.floor((times["lon"].to_numpy(float) + 180.0) / LON_BAND).astype(np.int16)
    order = np.argsort(band, kind="stable")
    with replacing(path) as tmp:
        # a dictionary for the sides alone: the minutes and coordinates have too many values
        # for one to pay (half the time of the write, a smaller file)
        times.iloc[order].to_parquet(
            tmp, index=False, row_group_size=ROW_GROUP, use_dictionary=["side"]
        )


def read_node_times(
    path: str | Path, *, bbox: tuple[float, float, float, float] | None = None
) -> tuple[RoadNodes, dict[str, np.ndarray]]:
    """Read the nodes of a node times table (:func:`build_node_times`) and their minutes.

    Returns the nodes and, for each of :data:`TARGETS`, their minutes. With ``bbox``
    (lon/lat), only the nodes inside it, in the order of the file.

    Raises
    ------
    InputDataError
        Naming the file when it is missing or lacks a column of :data:`NODE_TIME_COLUMNS`.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path} does not exist")
    names = pyarrow.parquet.read_schema(path).names
    missing = [c for c in NODE_TIME_COLUMNS if c not in names]
    if missing:
        raise InputDataError(f"{path}: no column {', '.join(missing)} (not a node times table)")
    filters = None
    if bbox is not None:
        x0, y0, x1, y1 = bbox
        filters = [("lon", ">=", x0), ("lon", "<=", x1), ("lat", ">=", y0), ("lat", "<=", y1)]
    # Arrow's columns straight to arrays, no pandas frame between: a third less time
    table = pyarrow.parquet.read_table(path, columns=list(NODE_TIME_COLUMNS), filters=filters)
    nodes = RoadNodes(
        lonlat=np.column_stack([table.column(c).to_numpy() for c in ("lon", "lat")]).astype(
            float, copy=False
        ),
        # the side names once, not once per node (a file's dictionary column stays one)
        side=pd.Categorical(table.column("side").to_pandas()),
    )
    return nodes, {
        target: table.column(f"{target}_min").to_numpy().astype(float, copy=False)
        for target in TARGETS
    }
