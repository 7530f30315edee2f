"""Travel times over the road graph of each side: to the nearest road crossing, to a town.

Road speeds come from the road class and surface class (:data:`DEFAULT_SPEEDS_KMH`); the
graph joins ways at shared vertices, one graph per side, and a side is left only at a
crossing. From an origin (a settlement or a cell's centroid) the network is reached in a
straight line at ``access_kmh``; one multi-source Dijkstra
(:func:`scipy.sparse.csgraph.dijkstra`) from the targets gives every node's time.

The Dijkstra runs on the junctions only (:func:`node_minutes`): a way's inner
vertices, on no other way, are folded into the edge between the junctions at its ends,
and their times follow from those of the two ends. Edge costs are whole multiples of
:data:`QUANTUM_MIN`, so every sum of them is exact in floating point: a node's time is the
exact minimum over its routes, the same whichever vertices are folded and whichever roads
around them are in the graph (a chunk of the border, :mod:`borderzone.metrics.chunks`).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from borderzone.crs import geocentric
from borderzone.errors import InputDataError
from borderzone.geodesy import GEOD, chord_lengths_m, single_parts
from borderzone.metrics.chainage import select_crossings
from borderzone.metrics.inputs import (
    box_cover,
    check_frame,
    halo_box,
    place_population,
    to_lonlat,
)
from borderzone.osm.schema import surface_class

log = logging.getLogger(__name__)

DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "motorway": 100.0,
    "trunk": 90.0,
    "primary": 80.0,
    "primary:unpaved": 50.0,
    "secondary": 70.0,
    "secondary:unpaved": 45.0,
    "tertiary": 60.0,
    "tertiary:unpaved": 40.0,
    "unclassified": 50.0,
    "unclassified:unpaved": 35.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 20.0,
    "road": 40.0,
    "track": 20.0,
    "track:paved": 40.0,
    "default": 30.0,
}
"""Speeds by road class, and by ``class:surface_class`` where the surface changes it.

A way's speed is looked up as ``"{class}:{surface_class}"``, then ``"{class}"``, then
``"default"``; ``class`` is ``highway`` without ``_link``.
"""


QUANTUM_MIN = 2.0**-20
"""Edge costs are rounded to whole multiples of this many minutes (57 µs), at least one:
sums of up to 2**33 minutes of them are exact in float64."""

SPEED_TAGS = ("highway", "surface", "tracktype", "smoothness")
"""The tags a road's speed is read from (:func:`road_speeds_kmh`)."""

SUBSAMPLE = 64
"""One node in this many makes the sample that bounds a point's reach
(:meth:`RoadNodes._within_reach`)."""

MAX_REACH_KM = 1000.0
"""Reach beyond which :meth:`RoadNodes._within_reach` keeps every node."""

REACH_COLUMNS = ("worst_origin_min", "worst_node_km")
"""How far a cell's travel time reached: the longest time of any of its origins (inf when
one reaches no target, -inf without origins) and the longest distance from an origin to
the last of its nearest road nodes (inf when it has fewer). A chunk of the border looks
up a cell's times exactly when that last node lies well inside its halo of nodes
(:mod:`borderzone.metrics.chunks`)."""


def road_speeds_kmh(
    roads: pd.DataFrame, *, speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH
) -> np.ndarray:
    """Speed of each road from its class and surface class (see :data:`DEFAULT_SPEEDS_KMH`).

    The surface class follows :func:`borderzone.osm.schema.surface_class` (``surface``, then
    ``tracktype``, ``smoothness``, then the class default).
    """
    check_frame(roads, "roads", ["highway"])
    if "default" not in speeds_kmh:
        raise ValueError("speeds_kmh needs a 'default' entry")
    bad = {k: v for k, v in speeds_kmh.items() if not v > 0}
    if bad:
        raise ValueError(f"speeds_kmh must be positive: {bad}")
    cols = list(SPEED_TAGS)
    tags = pd.DataFrame({c: roads[c] if c in roads.columns else None for c in cols})
    tags = tags.astype(object).where(tags.notna(), None)
    key = pd.MultiIndex.from_frame(tags.fillna("\0"))
    codes, uniques = pd.factorize(key)
    if not len(codes):
        return np.zeros(0)
    # each combination of tags once
    combos = pd.DataFrame(list(uniques), columns=cols).replace("\0", None)
    surface, _ = surface_class(*(combos[c] for c in cols))
    base = combos["highway"].fillna("").astype(str).str.removesuffix("_link")
    speeds = np.array(
        [
            speeds_kmh.get(f"{b}:{s}", speeds_kmh.get(b, speeds_kmh["default"]))
            for b, s in zip(base, surface, strict=True)
        ],
        dtype=float,
    )
    return speeds[codes]


@dataclass
class RoadNodes:
    """The nodes of a road graph, by side, searched for the nearest ones.

    Attributes
    ----------
    lonlat
        Node coordinates, (n, 2).
    side
        Side (ISO3) of each node: a categorical (one code a node), or strings.
    xyz
        Their geocentric coordinates (:func:`~borderzone.crs.geocentric`), (n, 3), or None:
        then computed for the nodes a search looks at (:meth:`xyz_of`).
    """

    lonlat: np.ndarray
    side: pd.Categorical | np.ndarray
    xyz: np.ndarray | None = field(default=None, kw_only=True)
    _trees: dict[str, cKDTree] = field(default_factory=dict, init=False, repr=False)
    _last: tuple = field(default=(), init=False, repr=False)

    def xyz_of(self, nodes: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Geocentric coordinates of ``nodes`` (all by default).

        From ``xyz`` when given, else computed for these nodes alone.
        """
        if self.xyz is not None:
            return self.xyz[nodes]
        return geocentric(self.lonlat[nodes, 0], self.lonlat[nodes, 1])

    def _tree(self, side: str, mine: np.ndarray) -> cKDTree:
        """Return a k-d tree of the nodes ``mine``, all of ``side``'s, built once per graph.

        Geocentric (:func:`~borderzone.crs.geocentric`), not a projection fitted to the
        nodes: the nearest nodes of a point are the same whether the graph holds every
        road or only those around it (a chunk of the border).
        """
        if side not in self._trees:
            xyz = self.xyz_of() if len(mine) == len(self.lonlat) else self.xyz_of(mine)
            # a sliding-midpoint tree without shrunk boxes: built in half the time
            self._trees[side] = cKDTree(xyz, balanced_tree=False, compact_nodes=False)
        return self._trees[side]

    def _side_codes(self) -> tuple[np.ndarray, list[str]]:
        """Each node's side as a code, and the side names."""
        # factorize, not np.unique: sorting millions of side strings cost seconds
        codes, names = pd.factorize(self.side)  # a categorical's own codes: no strings
        return codes, [str(s) for s in names]

    def nearest(
        self, lon: np.ndarray, lat: np.ndarray, side: np.ndarray, *, k: int = 4
    ) -> tuple[np.ndarray, np.ndarray]:
        """Find the ``k`` nearest nodes of the same side and their geodesic distance (km).

        Nearest as the chords between geocentric coordinates measure
        (:func:`~borderzone.crs.geocentric`). Few points among many nodes (the cells of
        a chunk, the targets of a search) are searched in a k-d tree of only the nodes
        within their reach (:meth:`_within_reach`): the same nodes as from a tree of all
        the side's nodes, for a fraction of its cost (both targets of a 20 km chunk, 106
        points among 4.7 M nodes: 0.6 s, against 1.9 s for the coordinates and tree of
        every node). More points query a tree of all the side's nodes, built once.

        Missing neighbours have node -1 and distance inf. The last answer is kept: the
        same points asked again (for a second set of targets) are not searched again.
        """
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        side = np.asarray(side)
        asked = (lon.tobytes(), lat.tobytes(), side.astype(str).tobytes(), k)
        if self._last and self._last[0] == asked:
            return self._last[1].copy(), self._last[2].copy()
        nodes, dist = self._nearest(lon, lat, side, k)
        self._last = (asked, nodes.copy(), dist.copy())
        return nodes, dist

    def _nearest(
        self, lon: np.ndarray, lat: np.ndarray, side: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Search the ``k`` nearest nodes (:meth:`nearest`), without the last answer."""
        n = len(lon)
        nodes = np.full((n, k), -1, dtype=np.int64)
        dist = np.full((n, k), np.inf)
        if n == 0 or len(self.lonlat) == 0:
            return nodes, dist
        codes, names = self._side_codes()
        q = geocentric(lon, lat)
        for s in np.unique(side):
            if s not in names:
                continue
            ask = np.flatnonzero(side == s)
            mine = np.flatnonzero(codes == names.index(s))
            if s not in self._trees and len(mine) >= SUBSAMPLE * max(len(ask), k):
                mine = mine[self._within_reach(lon[ask], lat[ask], q[ask], mine, k)]
                tree = cKDTree(self.xyz_of(mine))
            else:
                tree = self._tree(s, mine)
            kk = min(k, len(mine))
            _, j = tree.query(q[ask], k=kk)
            node = mine[j.reshape(len(ask), kk)]
            _, _, d = GEOD.inv(
                np.repeat(lon[ask], kk),
                np.repeat(lat[ask], kk),
                self.lonlat[node.ravel(), 0],
                self.lonlat[node.ravel(), 1],
            )
            nodes[ask, :kk] = node
            dist[ask, :kk] = np.asarray(d).reshape(len(ask), kk) / 1000
        return nodes, dist

    def _within_reach(
        self, lon: np.ndarray, lat: np.ndarray, q: np.ndarray, mine: np.ndarray, k: int
    ) -> np.ndarray:
        """Positions in ``mine`` (nodes) of those that may be among the points' ``k`` nearest.

        The ``k`` nearest nodes of a sample (one node of ``mine`` in :data:`SUBSAMPLE`) are
        nodes too: a point's ``k`` nearest nodes lie no farther from it, in chord, than
        the farthest of them does in geodesic distance (its reach), and so within the box
        of 1.001 times that reach around the point (:func:`~borderzone.metrics.inputs.halo_box`:
        a geodesic exceeds its chord by less than 0.1 % below :data:`MAX_REACH_KM`). All
        nodes when a reach passes that.
        """
        sample = mine[::SUBSAMPLE]
        _, j = cKDTree(self.xyz_of(sample)).query(q, k=k)
        far = sample[np.reshape(j, (len(lon), k))]
        _, _, metres = GEOD.inv(
            np.repeat(lon, k),
            np.repeat(lat, k),
            self.lonlat[far.ravel(), 0],
            self.lonlat[far.ravel(), 1],
        )
        reach = np.reshape(metres, (len(lon), k)).max(axis=1) / 1000
        if reach.max() > MAX_REACH_KM:
            return np.arange(len(mine))
        boxes = [
            halo_box(shapely.points([x, y]), km * 1.001)
            for x, y, km in zip(lon, lat, reach, strict=True)
        ]
        lonlat = self.lonlat if len(mine) == len(self.lonlat) else self.lonlat[mine]
        return np.flatnonzero(box_cover(lonlat, boxes))


@dataclass
class RoadGraph(RoadNodes):
    """Undirected road graph of both sides; nodes of different sides are never merged.

    Attributes
    ----------
    matrix
        Upper-triangular sparse matrix of edge costs in minutes (n × n), besides the
        nodes' ``lonlat`` and ``side`` (:class:`RoadNodes`).
    """

    matrix: scipy.sparse.csr_matrix


def road_graph(
    roads: gpd.GeoDataFrame, *, speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH
) -> RoadGraph:
    """Road graph of each side from shared vertices; edge cost = length / speed.

    Ways are joined where they share a vertex (coordinates equal to 1e-6°, ~0.1 m) on the
    same ``side``; ``oneway`` is ignored. An edge's length is that of the arc between its
    nodes (:func:`~borderzone.geodesy.chord_lengths_m`, the geodesic to 3e-8).

    Parameters
    ----------
    roads
        Lines with ``highway`` and ``side`` (as in ``network.gpkg``).
    speeds_kmh
        Speed table, see :func:`road_speeds_kmh`.
    """
    check_frame(roads, "roads", ["highway", "side"])
    speed = road_speeds_kmh(roads, speeds_kmh=speeds_kmh)
    geoms = to_lonlat(roads)
    parts, of = single_parts(geoms)
    coords, v_of = shapely.get_coordinates(parts, return_index=True)
    del geoms, parts
    sides, side_code = np.unique(roads["side"].astype(str).to_numpy(), return_inverse=True)
    if len(sides) > 60:
        raise InputDataError("roads have more than 60 sides")
    vs = side_code[of[v_of]]
    key = vs.astype(np.int64) << 57
    key |= np.round((coords[:, 0] + 180.0) * 1e6).astype(np.int64) << 28
    key |= np.round((coords[:, 1] + 90.0) * 1e6).astype(np.int64)
    node, uniq = pd.factorize(key)
    del key
    n = len(uniq)
    node = node.astype(np.int32 if n < 2**31 else np.int64)
    first = np.zeros(n, dtype=np.int64)
    first[node[::-1]] = np.arange(len(node) - 1, -1, -1)
    lonlat = coords[first]
    node_side = pd.Categorical.from_codes(vs[first], categories=sides)
    del coords, vs, first, uniq
    xyz = geocentric(lonlat[:, 0], lonlat[:, 1])
    same = np.flatnonzero((v_of[1:] == v_of[:-1]) & (node[1:] != node[:-1]))
    kmh = speed[of[v_of[same]]]
    del v_of, of
    a, b = node[same], node[same + 1]
    del node, same
    # in blocks of a million edges: the endpoints of every edge at once weigh 0.7 GB
    metres = np.concatenate(
        [
            chord_lengths_m(xyz[a[i : i + 2**20]], xyz[b[i : i + 2**20]])
            for i in range(0, max(len(a), 1), 2**20)
        ]
    )
    minutes = _quantized(metres / 1000 / kmh * 60)
    del metres, kmh
    lo, hi, minutes = _cheapest(np.minimum(a, b), np.maximum(a, b), minutes, n)
    del a, b
    matrix = scipy.sparse.csr_matrix(
        (minutes, hi, np.searchsorted(lo, np.arange(n + 1))), shape=(n, n)
    )
    log.info("road graph: %d nodes, %d edges", n, len(lo))
    return RoadGraph(matrix=matrix, lonlat=lonlat, side=node_side, xyz=xyz)


def _cheapest(
    lo: np.ndarray, hi: np.ndarray, cost: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep the cheapest of parallel edges (``lo`` < ``hi`` < ``n``), sorted by ``lo``, ``hi``.

    A sparse matrix's constructor would add parallel edges up instead.
    """
    edge = lo.astype(np.int64) * n + hi
    order = np.argsort(edge)
    edge, cost = edge[order], cost[order]
    del order
    firsts = np.flatnonzero(np.diff(edge, prepend=-1))
    if len(edge):
        cost = np.minimum.reduceat(cost, firsts)
    lo, hi = np.divmod(edge[firsts], max(n, 1))
    return lo, hi, cost


def _quantized(minutes: np.ndarray) -> np.ndarray:
    """Round edge costs to whole multiples of :data:`QUANTUM_MIN`, at least one."""
    return np.maximum(np.round(np.asarray(minutes, dtype=float) / QUANTUM_MIN), 1.0) * QUANTUM_MIN


Targets = tuple[np.ndarray, np.ndarray | None]
"""Targets of a search (:func:`node_minutes`): their lon/lat, (m, 2), and the side of each,
or None when each target joins every side (a crossing)."""


def _starts(
    graph: RoadGraph, targets: Targets, *, access_kmh: float
) -> tuple[np.ndarray, np.ndarray]:
    """Give the nodes the targets join and the minutes to each.

    A target joins the nearest node of each side it serves, at ``access_kmh`` in a straight
    line; a node joined by several targets appears as often.
    """
    lonlat, side = targets
    if side is None:
        sides_of = [np.full(len(lonlat), s) for s in pd.unique(graph.side)]
    else:
        sides_of = [side]
    start, start_min = [np.zeros(0, dtype=np.int64)], [np.zeros(0)]
    for s in sides_of if len(lonlat) else []:
        node, km = graph.nearest(lonlat[:, 0], lonlat[:, 1], np.asarray(s), k=1)
        ok = node[:, 0] >= 0
        start.append(node[ok, 0])
        start_min.append(_quantized(km[ok, 0] / access_kmh * 60))
    return np.concatenate(start), np.concatenate(start_min)


def node_minutes(
    graph: RoadGraph, targets: Mapping[str, Targets], *, access_kmh: float
) -> dict[str, np.ndarray]:
    """Minutes from every node of ``graph`` to the nearest target of each set.

    Each target joins the nearest node of each side it serves at ``access_kmh`` (straight
    line). The graph is folded once for every set (:func:`_fold`): its junctions are the
    nodes of degree other than 2 and the nodes any target joins. Each set then has one
    multi-source Dijkstra over the junctions; the other nodes take the quicker of the two
    ends of their chain.

    Returns
    -------
    dict
        The minutes of every node (inf where no target is reached) by the name of its set.
    """
    n = graph.matrix.shape[0]
    out = {name: np.full(n, np.inf) for name in targets}
    starts = {name: _starts(graph, t, access_kmh=access_kmh) for name, t in targets.items()}
    graph._trees.clear()  # the k-d trees, not needed from here: freed
    if n == 0 or not any(len(start) for start, _ in starts.values()):
        return out
    fold = _fold(graph.matrix, np.concatenate([start for start, _ in starts.values()]))
    k = len(fold.junctions)
    for name, (start, start_min) in starts.items():
        minutes = out[name]
        if len(start) == 0:
            continue
        np.minimum.at(minutes, start, start_min)  # targets sharing a node: the nearest
        start = np.flatnonzero(np.isfinite(minutes))
        # Dijkstra over the junctions, from a node k joined to each start at its minutes
        small = scipy.sparse.csr_matrix(
            (
                np.concatenate([fold.cost, minutes[start]]),
                (
                    np.concatenate([fold.a, np.full(len(start), k)]),
                    np.concatenate([fold.b, fold.position[start]]),
                ),
            ),
            shape=(k + 1, k + 1),
        )
        minutes[fold.junctions] = dijkstra(small, directed=False, indices=k)[:k]
        del small
        np.minimum.at(minutes, fold.inner, minutes[fold.inner_from] + fold.inner_min)
    return out


@dataclass
class _Folding:
    """A road graph folded at its junctions (:func:`_fold`).

    Attributes
    ----------
    junctions
        The junctions' nodes; ``position`` gives each node's place among them (-1: none).
    a, b, cost
        The edges between junctions (places in ``junctions``): the graph's own and the
        chains of non-junctions folded into one, the cheapest of parallel ones.
    inner, inner_from, inner_min
        Each non-junction node on a chain, twice: with each end of its chain (a node) and
        the minutes from it (an exact sum, see :data:`QUANTUM_MIN`).
    """

    junctions: np.ndarray
    position: np.ndarray
    a: np.ndarray
    b: np.ndarray
    cost: np.ndarray
    inner: np.ndarray
    inner_from: np.ndarray
    inner_min: np.ndarray


def _fold(matrix: scipy.sparse.csr_matrix, start: np.ndarray) -> _Folding:
    """Fold the chains of non-junction nodes of a graph (upper-triangular ``matrix``).

    Junctions are the nodes of degree other than 2 and ``start``. Every chain is walked
    once from each of its ends; a chain of non-junctions alone (a closed way touching
    nothing) is never reached.
    """
    n = matrix.shape[0]
    both = (matrix + matrix.T).tocsr()  # each edge both ways; a row is a node's neighbours
    first, other, cost = both.indptr, both.indices, both.data
    del both
    ends = np.repeat(np.arange(n, dtype=other.dtype), np.diff(first))
    junction = np.diff(first) != 2
    junction[start] = True
    # a non-junction has degree 2: its two neighbours sit side by side in its row
    go = junction[ends] & ~junction[other]
    walk_from, here, minutes = ends[go], other[go], cost[go]
    came = walk_from.copy()
    direct = junction[ends] & junction[other] & (ends < other)
    a, b, c = [ends[direct]], [other[direct]], [cost[direct]]
    del ends, go, direct
    # every non-junction on a chain is reached twice: once from each end
    size = 2 * int((~junction).sum())
    inner, inner_from, inner_min = (
        np.empty(size, other.dtype),
        np.empty(size, other.dtype),
        np.empty(size),
    )
    filled = 0
    while len(here):
        done = junction[here]
        a.append(walk_from[done])
        b.append(here[done])
        c.append(minutes[done])
        walk_from, here, minutes, came = (
            walk_from[~done],
            here[~done],
            minutes[~done],
            came[~done],
        )
        put = slice(filled, filled + len(here))
        inner[put], inner_from[put], inner_min[put] = here, walk_from, minutes
        filled += len(here)
        j = first[here]
        step = np.where(other[j] == came, j + 1, j)
        came, here, minutes = here, other[step], minutes + cost[step]
    junctions = np.flatnonzero(junction).astype(other.dtype)
    position = np.full(n, -1, dtype=other.dtype)
    position[junctions] = np.arange(len(junctions))
    a, b, c = position[np.concatenate(a)], position[np.concatenate(b)], np.concatenate(c)
    keep = a < b  # a folded chain was walked from both ends; a loop joins a node to itself
    a, b, c = _cheapest(a[keep], b[keep], c[keep], len(junctions))
    return _Folding(
        junctions=junctions,
        position=position,
        a=a,
        b=b,
        cost=c,
        inner=inner[:filled],
        inner_from=inner_from[:filled],
        inner_min=inner_min[:filled],
    )


def _origins(
    cells: gpd.GeoDataFrame, settlements: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Origin points (lon, lat), the cell position of each, and its weight.

    Settlements inside a cell weighted by population (1 when unknown); a cell without any
    settlement has its centroid (weight 1).
    """
    cg = to_lonlat(cells)
    pts_cell = np.zeros(0, dtype=np.int64)
    pts = np.zeros((0, 2))
    weight = np.zeros(0)
    if settlements is not None and len(settlements):
        sg = to_lonlat(settlements)
        sg = shapely.point_on_surface(sg)
        tree = shapely.STRtree(sg)
        ci, si = tree.query(cg, predicate="intersects")
        _, first = np.unique(si, return_index=True)  # a point on a shared edge: first cell
        ci, si = ci[first], si[first]
        pop = (
            pd.to_numeric(settlements["population"], errors="coerce").to_numpy(float)
            if "population" in settlements.columns
            else np.ones(len(sg))
        )
        pts = shapely.get_coordinates(sg[si])
        pts_cell = ci
        weight = np.where(np.isfinite(pop[si]) & (pop[si] > 0), pop[si], 1.0)
    empty = np.setdiff1d(np.arange(len(cg)), pts_cell)
    cent = shapely.get_coordinates(shapely.point_on_surface(cg[empty]))
    return (
        np.concatenate([pts, cent]),
        np.concatenate([pts_cell, empty]),
        np.concatenate([weight, np.ones(len(empty))]),
    )


def _cell_minutes(
    cells: gpd.GeoDataFrame,
    graph: RoadNodes,
    node_minutes: np.ndarray,
    settlements: gpd.GeoDataFrame | None,
    *,
    direct: tuple[np.ndarray, np.ndarray | None],
    access_kmh: float,
    k: int = 4,
) -> pd.DataFrame:
    """Population-weighted minutes of each cell's origins to the nearest target.

    An origin reaches the network at one of its ``k`` nearest nodes of its side, or the
    nearest target in a straight line (``direct``: the targets' lon/lat and sides, None
    when every target serves both sides), whichever is quicker.

    Returns the minutes and the :data:`REACH_COLUMNS` of each cell (positional).
    """
    check_frame(cells, "cells", ["side"])
    xy, cell_of, w = _origins(cells, settlements)
    side = cells["side"].astype(str).to_numpy()[cell_of]
    nodes, km = graph.nearest(xy[:, 0], xy[:, 1], side, k=k)
    net = np.where(nodes >= 0, node_minutes[np.clip(nodes, 0, None)], np.inf)
    best = np.min(km / access_kmh * 60 + net, axis=1) if len(xy) else np.zeros(0)
    t_xy, t_side = direct
    for s in np.unique(side):
        ask = side == s
        mine = t_side == s if t_side is not None else np.ones(len(t_xy), dtype=bool)
        if not mine.any():
            continue
        near = _nearest_km(xy[ask], t_xy[mine])
        best[ask] = np.minimum(best[ask], near / access_kmh * 60)
    num = np.bincount(
        cell_of, weights=np.where(np.isfinite(best), best * w, 0), minlength=len(cells)
    )
    den = np.bincount(cell_of, weights=np.where(np.isfinite(best), w, 0), minlength=len(cells))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / den, np.nan)
    worst_min = np.full(len(cells), -np.inf)
    np.maximum.at(worst_min, cell_of, np.where(np.isfinite(best), best, np.inf))
    worst_km = np.full(len(cells), -np.inf)
    np.maximum.at(worst_km, cell_of, km[:, -1] if len(xy) else np.zeros(0))
    return pd.DataFrame({"minutes": out, REACH_COLUMNS[0]: worst_min, REACH_COLUMNS[1]: worst_km})


def _nearest_km(xy: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Geodesic km from each lon/lat point to the nearest target (searched geocentrically)."""
    tree = cKDTree(geocentric(targets[:, 0], targets[:, 1]))
    _, j = tree.query(geocentric(xy[:, 0], xy[:, 1]))
    _, _, d = GEOD.inv(xy[:, 0], xy[:, 1], targets[j, 0], targets[j, 1])
    return np.asarray(d) / 1000


def travel_time_to_crossing_min(
    cells: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    settlements: gpd.GeoDataFrame | None = None,
    *,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    access_kmh: float = 20.0,
    where: str | np.ndarray | pd.Series | None = None,
    graph: RoadGraph | None = None,
    crossing_times: tuple[RoadNodes, np.ndarray] | None = None,
    with_reach: bool = False,
) -> pd.Series | pd.DataFrame:
    """Travel time from each cell's population to the nearest road crossing, in minutes.

    Origins are the settlements inside the cell, weighted by population (1 when unknown),
    or the cell's centroid when it has none. From an origin one reaches any of its 4
    nearest road nodes on its side in a straight line at ``access_kmh``, then drives over
    the road graph of that side (:func:`road_graph`) at the speeds of ``speeds_kmh``; a
    crossing joins the nearest node of each side (also at ``access_kmh``). One
    multi-source Dijkstra from all crossings gives every node's time. The straight line to
    the nearest crossing at ``access_kmh`` is an upper bound, so origins off the network
    still get a time.

    Parameters
    ----------
    cells
        Polygons with ``side``.
    roads
        Lines with ``highway``, ``side`` (and ``surface``, ``tracktype``, ``smoothness``
        when present).
    crossings
        Points with ``kind``; only ``kind == "road"`` crossings (filtered by ``where``)
        count.
    settlements
        Points with ``population`` (e.g. the ``places`` layer); None uses centroids.
    speeds_kmh
        Speed table (see :data:`DEFAULT_SPEEDS_KMH`).
    access_kmh
        Speed off the network, straight line.
    where
        Filter of the crossings, see :func:`~borderzone.metrics.chainage.select_crossings`.
    graph
        A prebuilt :func:`road_graph` of ``roads`` (to reuse it between measures).
    crossing_times
        The nodes of a road graph and each one's minutes to the nearest of these crossings
        (:func:`crossing_node_minutes`, computed once for all cells); ``roads`` and
        ``graph`` are then not used.
    with_reach
        Also give each cell's :data:`REACH_COLUMNS`.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Minutes; NaN when there is no road crossing. With ``with_reach``, a frame of the
        minutes (``time_to_crossing_min``) and the :data:`REACH_COLUMNS`.

    Examples
    --------
    A settlement on a 40 km paved primary road (80 km/h) ending at a crossing is 30 min
    from it.
    """
    check_frame(cells, "cells", ["side"])
    cross = select_crossings(crossings, kind="road", where=where)
    if len(cross) == 0:
        return _result(None, cells, "time_to_crossing_min", with_reach=with_reach)
    cxy = shapely.get_coordinates(to_lonlat(cross))
    if crossing_times is None:
        check_frame(roads, "roads", ["highway", "side"])
        graph = graph if graph is not None else road_graph(roads, speeds_kmh=speeds_kmh)
        crossing_times = (graph, crossing_node_minutes(graph, cxy, access_kmh=access_kmh))
    nodes, minutes = crossing_times
    out = _cell_minutes(
        cells, nodes, minutes, settlements, direct=(cxy, None), access_kmh=access_kmh
    )
    return _result(out, cells, "time_to_crossing_min", with_reach=with_reach)


def crossing_node_minutes(
    graph: RoadGraph, crossing_lonlat: np.ndarray, *, access_kmh: float
) -> np.ndarray:
    """Minutes from every node of ``graph`` to the nearest of the crossings (lon/lat).

    Each crossing joins the nearest node of each side at ``access_kmh``
    (:func:`travel_time_to_crossing_min`); inf where none is reached, everywhere when there
    is no crossing.
    """
    targets = {"crossing": (np.asarray(crossing_lonlat, dtype=float).reshape(-1, 2), None)}
    return node_minutes(graph, targets, access_kmh=access_kmh)["crossing"]


def _result(
    out: pd.DataFrame | None, cells: pd.DataFrame, name: str, *, with_reach: bool
) -> pd.Series | pd.DataFrame:
    """Give the minutes of :func:`_cell_minutes` (None: no target) on the cells' index.

    A Series named ``name``, or with ``with_reach`` a frame with the :data:`REACH_COLUMNS`.
    """
    if out is None:
        out = pd.DataFrame(
            {"minutes": np.nan, **dict.fromkeys(REACH_COLUMNS, -np.inf)}, index=range(len(cells))
        )
    out = out.set_axis(cells.index).rename(columns={"minutes": name})
    return out if with_reach else out[name]


def travel_time_to_town_min(
    cells: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame | None,
    places: gpd.GeoDataFrame,
    settlements: gpd.GeoDataFrame | None = None,
    *,
    min_population: float = 50_000,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    access_kmh: float = 20.0,
    graph: RoadGraph | None = None,
    town_times: tuple[RoadNodes, np.ndarray] | None = None,
    with_reach: bool = False,
) -> pd.Series | pd.DataFrame:
    """Travel time from each cell's population to the nearest town of its own side.

    Same method as :func:`travel_time_to_crossing_min`, with the towns of at least
    ``min_population`` as targets, each joined to the nearest node of its side. Towns
    across the border do not count (a border crossing is no daily trip). Towns beyond the
    road network given are reached in a straight line at ``access_kmh``: pass the corridor
    layers (wider than the buffer) so that towns just outside the buffer are reached by
    road.

    Parameters
    ----------
    cells
        Polygons with ``side``.
    roads
        Lines with ``highway`` and ``side``.
    places
        Points with ``population`` and ``side``: candidate towns.
    settlements
        Origins (see :func:`travel_time_to_crossing_min`); None uses ``places``.
    min_population
        Smallest population of a town.
    graph
        A prebuilt :func:`road_graph` of ``roads``.
    town_times
        The nodes of a road graph and each one's minutes to the nearest town
        (:func:`town_node_minutes`), computed once for every width; ``roads`` and
        ``graph`` are then not used.
    with_reach
        Also give each cell's :data:`REACH_COLUMNS`.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Minutes; NaN for cells of a side without any such town. With ``with_reach``, a
        frame of the minutes (``time_to_town_min``) and the :data:`REACH_COLUMNS`.
    """
    check_frame(cells, "cells", ["side"])
    towns = _towns(places, min_population=min_population)
    if len(towns) == 0:
        return _result(None, cells, "time_to_town_min", with_reach=with_reach)
    if town_times is None:
        graph = graph if graph is not None else road_graph(roads, speeds_kmh=speeds_kmh)
        town_times = (
            graph,
            town_node_minutes(graph, places, min_population=min_population, access_kmh=access_kmh),
        )
    txy, tside = town_targets(towns, min_population=min_population)
    settlements = places if settlements is None else settlements
    nodes, minutes = town_times
    out = _cell_minutes(
        cells, nodes, minutes, settlements, direct=(txy, tside), access_kmh=access_kmh
    )
    return _result(out, cells, "time_to_town_min", with_reach=with_reach)


def town_node_minutes(
    graph: RoadGraph, places: gpd.GeoDataFrame, *, min_population: float, access_kmh: float
) -> np.ndarray:
    """Minutes from every node of ``graph`` to the nearest town of its side.

    Towns are the ``places`` of at least ``min_population`` people, each joined to the
    nearest node of its own side at ``access_kmh`` (:func:`travel_time_to_town_min`); inf
    where no town is reached, everywhere when there is none.
    """
    targets = {"town": town_targets(places, min_population=min_population)}
    return node_minutes(graph, targets, access_kmh=access_kmh)["town"]


def town_targets(places: gpd.GeoDataFrame, *, min_population: float) -> Targets:
    """Give the towns among ``places`` (at least ``min_population`` people) as targets."""
    towns = _towns(places, min_population=min_population)
    lonlat = shapely.get_coordinates(shapely.point_on_surface(to_lonlat(towns)))
    return lonlat, towns["side"].astype(str).to_numpy()


def _towns(places: gpd.GeoDataFrame, *, min_population: float) -> gpd.GeoDataFrame:
    """Keep the places of at least ``min_population`` people (with ``side``)."""
    check_frame(places, "places", ["population", "side"])
    return places[place_population(places) >= min_population]
