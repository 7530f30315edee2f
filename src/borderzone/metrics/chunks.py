"""The cells of one width measured in chunks of the border, each job reading only its part.

Rule ``measure_cells`` measures the cells of one chunk: the border's chainage cut into
``chunks.count`` stretches of equal length (:func:`chunk_of`), a cell going with the start
of its segment. Each measure but the travel times is the cell's own and needs only what
lies within ``road_buffer_km`` of it: a chunk reads the roads, rail and places of the
buffer within that much of its cells (:func:`halo_box`).

The travel times need every road a route may take, so their Dijkstras are not run per
chunk: each road node of the corridor's minutes to the nearest crossing and to the
nearest town are computed once per pair (rule ``build_node_times``,
:mod:`borderzone.metrics.node_times`), and a cell's origins only look up their nearest
nodes. A chunk reads the nodes within ``chunks.halo_km`` of its cells and keeps a cell's
times when the last of its origins' nearest nodes lies well inside that halo (a share
:data:`SAFETY` of it): then they are the cell's nearest nodes among all. The other cells
are looked up again with the halo doubled, until it holds them or every node, so a remote
stretch costs more and nothing is cut short. Rule ``compute_segment_metrics`` then puts
the chunks together and ranks the cells
(:func:`~borderzone.metrics.segment.finish_metrics`): the layers are the same whatever the
number of chunks (tested).
"""

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from borderzone.crs import WGS84
from borderzone.metrics.inputs import halo_box
from borderzone.metrics.node_times import TARGETS, by_side
from borderzone.metrics.population import check_population_raster
from borderzone.metrics.segment import cell_measures, travel_times
from borderzone.metrics.travel import REACH_COLUMNS, RoadNodes

log = logging.getLogger(__name__)

SAFETY = 0.8
"""Share of the halo the last of an origin's nearest nodes may reach to count as exact:
room for the difference between the straight distance and what the nearest-node search
and the halo's box in degrees measure."""

NetworkReader = Callable[[tuple[float, float, float, float]], Mapping[str, gpd.GeoDataFrame]]
"""Reads the ``roads``, ``rail`` and ``places`` of the buffer within a lon/lat box."""
NodesReader = Callable[
    [tuple[float, float, float, float]], tuple[RoadNodes, Mapping[str, np.ndarray]]
]
"""Reads the road nodes of a node times table within a lon/lat box, and their minutes to
each of :data:`~borderzone.metrics.node_times.TARGETS`."""


def chunk_of(cells: pd.DataFrame, segments: pd.DataFrame, *, chunks: int) -> np.ndarray:
    """Chunk (0 … ``chunks`` - 1) of each cell: where its segment starts on the chainage."""
    start = segments.set_index("seg_id")["from_km"]
    length = float(segments["to_km"].max())
    km = cells["seg_id"].map(start).to_numpy(float)
    return np.clip((km / length * chunks).astype(int), 0, chunks - 1)


def _holds(box: tuple[float, ...], extent: tuple[float, ...]) -> bool:
    """Whether the lon/lat ``box`` holds the whole ``extent``."""
    return (
        box[0] <= extent[0] and box[1] <= extent[1] and box[2] >= extent[2] and box[3] >= extent[3]
    )


def measure_cells(
    *,
    cells: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    read_network: NetworkReader,
    node_times: tuple[NodesReader, tuple[float, float, float, float]],
    places: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    population: str | Path | None,
    chunk: int,
    chunks: int,
    halo_km: float,
    speeds_kmh: Mapping[str, float],
    access_kmh: float,
    road_buffer_km: float,
    town_min_population: float,
    rural_below: float,
    rail_exclude: Sequence[str],
) -> gpd.GeoDataFrame:
    """Every measure of the cells of one chunk, the isolation index aside.

    Parameters
    ----------
    cells, segments, crossings
        Every cell of the width (``zones.gpkg``), the segments and every crossing.
    read_network
        Reader of the buffer's network within a box (:data:`NetworkReader`).
    node_times
        A reader of the node times table's nodes within a box (:data:`NodesReader`) and
        the lon/lat bounds of all its nodes (a box that holds them reads every node).
    places, countries
        The corridor's places, candidates for the nearest town of their country.
    population
        Population raster, or None to count the places' people.
    chunk, chunks
        This chunk and the number of chunks (:func:`chunk_of`).
    halo_km
        First halo of road nodes around the chunk's cells; doubled where it does not hold
        a cell's nearest nodes.
    speeds_kmh, access_kmh, road_buffer_km, town_min_population, rural_below, rail_exclude
        See :func:`~borderzone.metrics.segment.segment_metrics`.

    Returns
    -------
    geopandas.GeoDataFrame
        The chunk's cells with the columns of
        :func:`~borderzone.metrics.segment.cell_measures` and the two travel times.

    Raises
    ------
    InputDataError
        Before any measure, when the population raster does not suit the cells
        (:func:`~borderzone.metrics.population.check_population_raster`).
    """
    cells = cells.to_crs(WGS84)
    mine = cells[chunk_of(cells, segments, chunks=chunks) == chunk]
    if population is not None:
        widths = sorted(set(cells["width_km"])) if "width_km" in cells else []
        name = f"the {widths[0]:g} km cells" if len(widths) == 1 else "the cells"
        check_population_raster(population, area=mine, name=name)
    towns = by_side(places, countries)
    network = read_network(halo_box(mine.geometry.values, road_buffer_km))
    out = cell_measures(
        mine,
        segments,
        crossings,
        roads=network["roads"],
        rail=network["rail"],
        places=network["places"],
        population=population,
        road_buffer_km=road_buffer_km,
        rural_below=rural_below,
        rail_exclude=rail_exclude,
    )
    times = pd.DataFrame(
        np.nan, index=mine.index, columns=["time_to_crossing_min", "time_to_town_min"]
    )
    todo = np.ones(len(mine), dtype=bool)
    while todo.any():
        box = halo_box(mine.geometry.values[todo], halo_km)
        nodes, minutes = node_times[0](box)  # one node index for both targets
        t = travel_times(
            mine[todo],
            crossings,
            roads=network["roads"],
            places=network["places"],
            towns=towns,
            crossing_times=(nodes, minutes["crossing"]),
            town_times=(nodes, minutes["town"]),
            speeds_kmh=speeds_kmh,
            access_kmh=access_kmh,
            town_min_population=town_min_population,
            with_reach=True,
        )
        held = np.ones(len(t), dtype=bool)
        if not _holds(box, node_times[1]):
            for target in TARGETS:
                held &= t[f"{target}_{REACH_COLUMNS[1]}"].to_numpy() < SAFETY * halo_km
        times.loc[t.index[held]] = t.loc[held, times.columns].to_numpy()
        todo[np.flatnonzero(todo)[held]] = False
        if todo.any():
            halo_km *= 2
            log.info(
                "chunk %d: %d cells' nearest road nodes lie beyond the halo: looked up "
                "within %g km",
                chunk,
                int(todo.sum()),
                halo_km,
            )
    log.info("chunk %d of %d: %d cells, last halo %g km", chunk + 1, chunks, len(mine), halo_km)
    return gpd.GeoDataFrame(out.join(times), geometry="geometry", crs=WGS84)
