"""The Dijkstra over the junctions gives every node the time of a Dijkstra over every vertex."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra

from borderzone.crs import WGS84
from borderzone.geodesy import GEOD
from borderzone.metrics.travel import (
    QUANTUM_MIN,
    RoadNodes,
    node_minutes,
    road_graph,
    town_node_minutes,
)

ACCESS_KMH = 20.0


def lattice_roads(seed: int) -> gpd.GeoDataFrame:
    """Ways along the lines of a lattice, with inner vertices, meeting at shared vertices.

    On two sides; besides the lattice, a closed way touching nothing and a lone way.
    """
    rng = np.random.default_rng(seed)
    lines, sides, highway = [], [], []
    for side, x0 in (("AAA", 60.0), ("BBB", 63.0)):
        ticks = np.linspace(0, 2, 9)
        for i, t in enumerate(ticks):
            # each line of the lattice in two ways, cut at a random lattice point
            cut = int(rng.integers(2, 7))
            fine = np.linspace(0, 2, 33)  # 4 inner vertices between lattice points
            for along, name in ((fine[: 4 * cut + 1], "primary"), (fine[4 * cut :], "track")):
                jitter = rng.uniform(-0.004, 0.004, len(along))
                jitter[::4] = 0  # lattice points are shared exactly
                lines.append(shapely.LineString(np.c_[x0 + along, 50 + t + jitter]))
                lines.append(shapely.LineString(np.c_[x0 + t + jitter, 50 + along]))
                sides += [side, side]
                highway += [name if i % 2 else "secondary", name]
        ring = shapely.LinearRing(
            np.c_[x0 + 2.5 + 0.1 * np.cos(ticks * 3), 51 + 0.1 * np.sin(ticks * 3)]
        )
        lines += [
            shapely.LineString(ring.coords),
            shapely.LineString([(x0 + 2.6, 50), (x0 + 2.7, 50.2)]),
        ]
        sides += [side, side]
        highway += ["residential", "track"]
    return gpd.GeoDataFrame({"highway": highway, "side": sides}, geometry=lines, crs=WGS84)


def every_vertex_minutes(graph, towns: gpd.GeoDataFrame) -> np.ndarray:
    """The plain way: one Dijkstra over every vertex, from a node joined to each town."""
    n = graph.matrix.shape[0]
    lonlat = shapely.get_coordinates(towns.geometry.values)
    node, km = graph.nearest(lonlat[:, 0], lonlat[:, 1], towns["side"].to_numpy(), k=1)
    join = np.full(n, np.inf)
    cost = np.maximum(np.round(km[:, 0] / ACCESS_KMH * 60 / QUANTUM_MIN), 1) * QUANTUM_MIN
    np.minimum.at(join, node[:, 0], cost)
    joined = np.flatnonzero(np.isfinite(join))
    m = graph.matrix.tocoo()
    full = scipy.sparse.csr_matrix(
        (
            np.r_[m.data, join[joined]],
            (np.r_[m.row, np.full(len(joined), n)], np.r_[m.col, joined]),
        ),
        shape=(n + 1, n + 1),
    )
    return dijkstra(full, directed=False, indices=n)[:n]


def towns_at(points, sides) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"population": 100_000.0, "side": sides}, geometry=shapely.points(points), crs=WGS84
    )


def test_times_over_the_junctions_equal_those_over_every_vertex():
    for seed in range(3):
        roads = lattice_roads(seed)
        graph = road_graph(roads)
        # one town on a lattice point, one beside an inner vertex, one on the lone way
        towns = towns_at(
            [(60.0, 50.0), (61.01, 51.5), (63.7, 50.5), (62.65, 50.1)], ["AAA", "AAA", "BBB", "AAA"]
        )
        got = town_node_minutes(graph, towns, min_population=50_000, access_kmh=ACCESS_KMH)
        want = every_vertex_minutes(graph, towns)
        assert np.array_equal(got, want)
        # the closed way touching nothing is reached by no town
        assert np.isinf(got).sum() > 0 and np.isfinite(got).sum() > 0.9 * len(got)


def test_a_node_s_time_does_not_depend_on_roads_its_routes_do_not_take():
    roads = lattice_roads(0)
    towns = towns_at([(60.3, 50.2)], ["AAA"])
    whole = road_graph(roads)
    t_whole = town_node_minutes(whole, towns, min_population=50_000, access_kmh=ACCESS_KMH)
    at = dict(zip(map(tuple, whole.lonlat), t_whole, strict=True))
    # drop the ways beyond a time: junctions on them fold into chains of the ways left
    cut = float(np.median(t_whole[np.isfinite(t_whole)]))
    vertex_min = [min(at[tuple(c)] for c in g.coords) for g in roads.geometry]
    part = road_graph(roads[np.asarray(vertex_min) < cut])
    assert part.matrix.shape[0] < whole.matrix.shape[0]
    t_part = town_node_minutes(part, towns, min_population=50_000, access_kmh=ACCESS_KMH)
    # a route to a node quicker than the cut passes only nodes quicker still: all kept
    near = t_part < cut
    assert near.sum() > 100
    assert np.array_equal(t_part[near], [at[tuple(x)] for x in part.lonlat[near]])
    assert (t_part >= [at[tuple(x)] for x in part.lonlat]).all()


def test_edge_costs_are_whole_quanta_so_sums_are_exact():
    graph = road_graph(lattice_roads(1))
    q = graph.matrix.data / QUANTUM_MIN
    assert (q >= 1).all() and np.array_equal(q, np.round(q))


def test_sets_of_targets_searched_over_one_folding_equal_each_one_over_every_vertex():
    roads = lattice_roads(2)
    graph = road_graph(roads)
    towns = towns_at([(60.3, 50.2), (63.9, 51.1)], ["AAA", "BBB"])
    # beside inner vertices of the ways (degree 2): junctions only because targets join them
    others = towns_at([(60.5625, 50.51), (61.1875, 51.0), (63.8125, 50.25)], ["AAA", "AAA", "BBB"])
    both = node_minutes(
        graph,
        {
            "towns": (shapely.get_coordinates(towns.geometry.values), towns["side"].to_numpy()),
            "others": (shapely.get_coordinates(others.geometry.values), others["side"].to_numpy()),
        },
        access_kmh=ACCESS_KMH,
    )
    assert np.array_equal(both["towns"], every_vertex_minutes(graph, towns))
    assert np.array_equal(both["others"], every_vertex_minutes(graph, others))
    assert not np.array_equal(both["towns"], both["others"])


def brute_nearest(lonlat, side, points, sides, k):
    """Each point's k nearest nodes of its side by brute force: geocentric chords from PROJ."""
    ecef = Transformer.from_crs("EPSG:4326", "EPSG:4978", always_xy=True)
    xyz = np.column_stack(ecef.transform(lonlat[:, 0], lonlat[:, 1], np.zeros(len(lonlat))))
    query = np.column_stack(ecef.transform(points[:, 0], points[:, 1], np.zeros(len(points))))
    best = np.full((len(points), k), -1)
    for i, s in enumerate(sides):
        mine = np.flatnonzero(side == s)
        order = np.argsort(((xyz[mine] - query[i]) ** 2).sum(axis=1))[:k]
        best[i, : len(order)] = mine[order]
    return best


@pytest.mark.parametrize("k", [1, 4])
@pytest.mark.parametrize("many", [False, True])
def test_nearest_finds_the_nearest_nodes_of_few_and_of_many_points(k, many):
    """Against brute force, for points that a sample bounds and points a tree of all serves.

    Dense towns and sparse country, so that the reach of points varies from metres to
    hundreds of km; beside a node, between nodes, 100 and 1,500 km beyond the nodes, of a
    side with fewer nodes than ``k``, of a side without nodes, and beside a lone node
    whose next nodes lie far away.
    """
    rng = np.random.default_rng(7)
    towns = rng.uniform([60, 49], [64, 52], (12, 2))
    dense = towns[rng.integers(0, 12, 24_000)] + rng.normal(0, 0.02, (24_000, 2))
    # side EEE: a lone node, in the sample, and a village of 255 nodes 50 km away
    lone = np.r_[[[63.5, 51.5]], rng.normal([63.9, 51.9], 0.01, (255, 2))]
    lonlat = np.r_[dense, rng.uniform([60, 49], [64, 52], (600, 2)), [[61, 50], [62, 51]], lone]
    side = np.r_[
        np.where(rng.random(len(dense) + 600) < 0.7, "AAA", "BBB"), ["DDD"] * 2, ["EEE"] * 256
    ]
    nodes = RoadNodes(lonlat=lonlat, side=pd.Categorical(side))
    n_random = 2_000 if many else 20
    points = np.r_[
        lonlat[:5] + 1e-4,
        rng.uniform([60, 49], [64, 52], (n_random, 2)),
        [[66, 50.5], [66, 50.5], [82, 50.5], [61.5, 50.5], [63.5001, 51.5]],
    ]
    sides = np.r_[
        side[:5], np.resize(["AAA", "BBB"], n_random), ["AAA", "CCC", "BBB", "DDD", "EEE"]
    ]
    node, km = nodes.nearest(points[:, 0], points[:, 1], sides, k=k)
    assert ("AAA" in nodes._trees) == many  # a tree of all the side's nodes, or samples
    assert np.array_equal(node, brute_nearest(lonlat, side, points, sides, k))
    found = node >= 0
    _, _, metres = GEOD.inv(
        np.repeat(points[:, 0], k)[found.ravel()],
        np.repeat(points[:, 1], k)[found.ravel()],
        *lonlat[node[found]].T,
    )
    assert np.allclose(km[found], metres / 1000, rtol=1e-12)
    assert np.all(km[~found] == np.inf)
    assert km[-3, 0] > 1000  # found beyond any box of a reach
    # asked again (the next targets' search), with the first answer changed in place
    first = node.copy()
    node[:] = -7
    for _ in range(2):
        again, _ = nodes.nearest(points[:, 0], points[:, 1], sides, k=k)
        assert np.array_equal(again, first)
        again[:] = -7
    shifted, _ = nodes.nearest(points[:, 0] + 0.5, points[:, 1], sides, k=k)
    assert np.array_equal(shifted, brute_nearest(lonlat, side, points + [0.5, 0], sides, k))
