"""Minutes to the nearest town from every node of the corridor's road graph, once per pair.

Towns are searched beyond the buffer, over the road graph of the whole OSM corridor cut
by country (:func:`by_side`). That graph and its multi-source Dijkstra from the towns do
not depend on the buffer width, so rule ``build_town_times`` computes them once and every
width's chunks read the nodes' minutes
(:func:`~borderzone.metrics.node_times.read_node_times`) instead of building the
corridor's graph again.
"""

import logging
from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crs import WGS84
from borderzone.metrics.node_times import node_times
from borderzone.metrics.travel import town_node_minutes
from borderzone.osm.clip import clip_lines

log = logging.getLogger(__name__)


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
        :data:`~borderzone.metrics.node_times.NODE_TIME_COLUMNS`, in the graph's node
        order; ``minutes`` is inf where no town is reached.
    """
    towns = by_side(places, countries)
    sides: list[list[gpd.GeoDataFrame]] = [[] for _ in range(len(countries))]
    for batch in [roads] if isinstance(roads, gpd.GeoDataFrame) else roads:
        for i in range(len(countries)):
            sides[i].append(by_side(batch, countries.iloc[[i]]))

    def side_roads():
        for i in range(len(sides)):
            frame = gpd.GeoDataFrame(pd.concat(sides[i], ignore_index=True), crs=WGS84)
            sides[i] = []
            yield frame

    out = node_times(
        side_roads(),
        lambda graph: town_node_minutes(
            graph, towns, min_population=town_min_population, access_kmh=access_kmh
        ),
        speeds_kmh=speeds_kmh,
    )
    log.info(
        "minutes to a town of %d people from %d road nodes (%d reach one)",
        town_min_population,
        len(out),
        int(np.isfinite(out["minutes"]).sum()),
    )
    return out
