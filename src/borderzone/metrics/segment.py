"""Per-segment accessibility, isolation and population measures of the border zone.

Each measure is its own function that returns a :class:`pandas.Series` (or, for
:func:`population_stats`, a frame) aligned to the index of the ``cells`` it is given, in the
manner of momepy; :func:`segment_metrics` assembles them into one layer with a row per
segment and side.

Geometry conventions
--------------------
- Inputs are in any CRS and are brought to EPSG:4326 first; results carry no geometry
  except :func:`segment_metrics`, which is written in EPSG:4326.
- Areas are measured in an Albers equal-area conic fitted to the cells
  (:func:`borderzone.crs.fitted_crs`), after densifying lon/lat edges.
- Lengths of lines are geodesic on WGS84 (:func:`borderzone.geodesy.geodesic_length_km`),
  measured on the pieces of each line that fall in each cell (an STRtree of the lines is
  queried with the cells; only the lines that cross a cell's edge are cut).
- Distances along the border are chainage differences (km from the border's western end).
- Buffers around roads (:func:`share_within_km_of_road`) are drawn in an azimuthal
  equidistant projection centred on each cell, where distances are true to 0.005 %.
- Travel times run over the road graph of each side; a side is left only at a crossing.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import scipy.sparse
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from borderzone.crs import WGS84, densify_lonlat, fitted_crs, local_aeqd
from borderzone.errors import InputDataError
from borderzone.geodesy import GEOD, edge_lengths_m, geodesic_length_km
from borderzone.osm.schema import RAIL_EXCLUDE, surface_class

log = logging.getLogger(__name__)

ROAD_GROUPS: dict[str, tuple[str, ...]] = {
    "main": (
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
    ),
    "local": (
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    ),
    "track": ("track",),
}
"""Groups of ``highway`` values used for road densities."""

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


# --------------------------------------------------------------------------------------
# Input checks and shared helpers
# --------------------------------------------------------------------------------------


def _check(gdf: pd.DataFrame, name: str, columns: Iterable[str] = ()) -> None:
    """Raise InputDataError unless ``gdf`` is a frame with ``columns`` (and a CRS if spatial)."""
    if not isinstance(gdf, pd.DataFrame):
        raise InputDataError(f"{name} must be a (Geo)DataFrame, got {type(gdf).__name__}")
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise InputDataError(
            f"{name} lacks column(s) {', '.join(missing)} (columns: "
            f"{', '.join(map(str, gdf.columns))})"
        )
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.crs is None:
        raise InputDataError(f"{name} has no CRS")


def _lonlat(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Geometries of ``gdf`` in EPSG:4326 as a shapely array."""
    return np.asarray(gdf.to_crs(WGS84).geometry.values, dtype=object)


def _bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    if maxx - minx < 1e-6:
        minx, maxx = minx - 0.5, maxx + 0.5
    return float(minx), float(miny), float(maxx), float(maxy)


def area_crs(gdf: gpd.GeoDataFrame) -> pyproj.CRS:
    """Albers equal-area conic fitted to the extent of ``gdf``."""
    return fitted_crs(_bounds(_lonlat(gdf)), kind="equal_area")


def cell_area_km2(cells: gpd.GeoDataFrame) -> pd.Series:
    """Area of each cell in km², in an equal-area conic fitted to the cells."""
    _check(cells, "cells")
    geoms = densify_lonlat(_lonlat(cells))
    crs = fitted_crs(_bounds(geoms), kind="equal_area")
    area = gpd.GeoSeries(geoms, crs=WGS84).to_crs(crs).area.to_numpy() / 1e6
    return pd.Series(area, index=cells.index, name="area_km2")


def _line_km_by_cell(
    cells: gpd.GeoDataFrame, lines: gpd.GeoDataFrame, group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Geodesic km of ``lines`` inside each cell, per group: array (n_cells, n_groups)."""
    cg = _lonlat(cells)
    lg = _lonlat(lines)
    out = np.zeros((len(cg), n_groups))
    if len(lg) == 0 or len(cg) == 0:
        return out
    tree = shapely.STRtree(lg)
    ci, li = tree.query(cg, predicate="intersects")
    shapely.prepare(cg)
    inside = shapely.contains(cg[ci], lg[li])
    km = np.empty(len(ci))
    full = geodesic_length_km(lg)
    km[inside] = full[li[inside]]
    cut = ~inside
    if cut.any():
        km[cut] = geodesic_length_km(shapely.intersection(lg[li[cut]], cg[ci[cut]]))
    np.add.at(out, (ci, group[li]), km)
    return out


def _highway_mask(roads: pd.DataFrame, classes: str | Iterable[str] | None) -> np.ndarray:
    if classes is None:
        return np.ones(len(roads), dtype=bool)
    if isinstance(classes, str):
        if classes not in ROAD_GROUPS:
            raise ValueError(
                f"classes={classes!r} is no road group (groups: {', '.join(ROAD_GROUPS)})"
            )
        classes = ROAD_GROUPS[classes]
    return roads["highway"].isin(list(classes)).to_numpy()


# --------------------------------------------------------------------------------------
# Densities of the networks
# --------------------------------------------------------------------------------------


def road_density(
    cells: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    classes: str | Iterable[str] | None = None,
) -> pd.Series:
    """Length of road per area: km of road per km² of cell.

    Parameters
    ----------
    cells
        Polygons (any CRS).
    roads
        Lines with a ``highway`` column (any CRS).
    classes
        None for every road; a group name of :data:`ROAD_GROUPS` (``"main"``, ``"local"``,
        ``"track"``); or an iterable of ``highway`` values.

    Returns
    -------
    pandas.Series
        Geodesic km of the roads inside each cell divided by its equal-area km².

    Examples
    --------
    A 10 km road in a 100 km² cell gives 0.1 km/km².
    """
    _check(cells, "cells")
    _check(roads, "roads", ["highway"])
    keep = _highway_mask(roads, classes)
    km = _line_km_by_cell(cells, roads[keep], np.zeros(int(keep.sum()), dtype=int), 1)[:, 0]
    return pd.Series(km / cell_area_km2(cells).to_numpy(), index=cells.index, name="road_density")


def _active_rail(rail: pd.DataFrame) -> np.ndarray:
    if "railway" not in rail.columns:
        return np.ones(len(rail), dtype=bool)
    return ~rail["railway"].isin(list(RAIL_EXCLUDE)).to_numpy()


def rail_density(cells: gpd.GeoDataFrame, rail: gpd.GeoDataFrame) -> pd.Series:
    """Km of railway per km² of cell; abandoned, disused, planned lines left out.

    Parameters
    ----------
    cells
        Polygons (any CRS).
    rail
        Lines, with an optional ``railway`` column (values in :data:`RAIL_EXCLUDE`
        are not counted).

    Returns
    -------
    pandas.Series
        Geodesic km of line inside each cell per equal-area km².
    """
    _check(cells, "cells")
    _check(rail, "rail")
    keep = _active_rail(rail)
    km = _line_km_by_cell(cells, rail[keep], np.zeros(int(keep.sum()), dtype=int), 1)[:, 0]
    return pd.Series(km / cell_area_km2(cells).to_numpy(), index=cells.index, name="rail_density")


def share_within_km_of_road(
    cells: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    km: float = 5.0,
    sample_m: float = 500.0,
) -> pd.Series:
    """Share of each cell's area lying within ``km`` of any road.

    In an azimuthal equidistant projection centred on each cell (distortion below 0.01 %
    for cells up to ~100 km across), a lattice of points every ``sample_m`` (finer for
    small cells: at least ~1,600 points a cell) covers the cell; the share is that of the
    points within ``km`` of a road (nearest-line queries on an STRtree), so the cost grows
    with the cell area, not with the number of roads.

    Parameters
    ----------
    cells
        Polygons (any CRS).
    roads
        Lines (any CRS).
    km
        Distance from a road, in km.
    sample_m
        Spacing of the sample points in metres.

    Returns
    -------
    pandas.Series
        Values in [0, 1].
    """
    _check(cells, "cells")
    _check(roads, "roads")
    if km <= 0:
        raise ValueError(f"km must be positive, got {km}")
    cg = _lonlat(cells)
    lg = _lonlat(roads)
    share = np.zeros(len(cg))
    if len(lg) == 0:
        return pd.Series(share, index=cells.index, name="share_within_road_km")
    conformal = fitted_crs(_bounds(np.concatenate([cg, lg])), kind="conformal")
    to_lcc = pyproj.Transformer.from_crs(WGS84, conformal, always_xy=True)
    c_lcc = shapely.transform(densify_lonlat(cg), to_lcc.transform, interleaved=False)
    l_lcc = shapely.transform(lg, to_lcc.transform, interleaved=False)
    tree = shapely.STRtree(l_lcc)
    # a conformal conic's scale stays within a few % over the area: 1.1 is a safe margin
    ci, li = tree.query(c_lcc, predicate="dwithin", distance=km * 1000 * 1.1)
    order = np.argsort(ci, kind="stable")
    ci, li = ci[order], li[order]
    bounds = np.searchsorted(ci, np.arange(len(cg) + 1))
    for i in range(len(cg)):
        near = li[bounds[i] : bounds[i + 1]]
        if len(near) == 0:
            continue
        c = shapely.centroid(cg[i])
        aeqd = local_aeqd(c.x, c.y)
        to = pyproj.Transformer.from_crs(WGS84, aeqd, always_xy=True).transform
        cell = shapely.transform(densify_lonlat(cg[i]), to, interleaved=False)
        lines = shapely.transform(lg[near], to, interleaved=False)
        # a lattice of points over the cell; the share is that of points within reach
        x0, y0, x1, y1 = cell.bounds
        step = max(min(sample_m, np.sqrt(shapely.area(cell)) / 40), 1.0)
        gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
        shapely.prepare(cell)
        inside = shapely.contains_xy(cell, gx.ravel(), gy.ravel())
        if not inside.any():
            continue
        pts = shapely.points(gx.ravel()[inside], gy.ravel()[inside])
        hit, _ = shapely.STRtree(lines).query_nearest(
            pts, max_distance=km * 1000, all_matches=False
        )
        share[i] = len(np.unique(hit)) / len(pts)
    return pd.Series(np.clip(share, 0, 1), index=cells.index, name="share_within_road_km")


# --------------------------------------------------------------------------------------
# Distances along the border to crossings
# --------------------------------------------------------------------------------------


def _chainage(cells: pd.DataFrame, segments: pd.DataFrame | None) -> tuple[np.ndarray, ...]:
    if segments is None:
        _check(cells, "cells", ["from_km", "to_km"])
        return cells["from_km"].to_numpy(float), cells["to_km"].to_numpy(float)
    _check(cells, "cells", ["seg_id"])
    _check(segments, "segments", ["seg_id", "from_km", "to_km"])
    seg = segments.set_index("seg_id")
    missing = set(cells["seg_id"]) - set(seg.index)
    if missing:
        raise InputDataError(f"cells have seg_id(s) {sorted(missing)[:5]} absent from segments")
    seg = seg.loc[cells["seg_id"].to_numpy()]
    return seg["from_km"].to_numpy(float), seg["to_km"].to_numpy(float)


def select_crossings(
    crossings: pd.DataFrame,
    *,
    kind: Literal["road", "rail"] | None = None,
    where: str | np.ndarray | pd.Series | None = None,
) -> pd.DataFrame:
    """Select the crossings of a ``kind`` that satisfy ``where``.

    Parameters
    ----------
    crossings
        The ``crossings`` layer (columns ``kind``, ``km``, ...).
    kind
        ``"road"``, ``"rail"`` or None for both.
    where
        A :meth:`pandas.DataFrame.query` expression such as ``"official"`` or
        ``"surface_class == 'paved'"``, or a boolean mask aligned to ``crossings``.
    """
    _check(crossings, "crossings", ["kind"] if kind is not None else [])
    out = crossings
    if kind is not None:
        if kind not in ("road", "rail"):
            raise ValueError(f"kind must be 'road', 'rail' or None, got {kind!r}")
        out = out[out["kind"] == kind]
    if where is not None:
        if isinstance(where, str):
            out = out.query(where)
        else:
            mask = np.asarray(where, dtype=bool)
            if len(mask) != len(crossings):
                raise ValueError("where mask must have one value per crossing")
            out = out[mask[crossings.index.get_indexer(out.index)]]
    return out


def distance_to_crossing_km(
    cells: pd.DataFrame,
    crossings: pd.DataFrame,
    *,
    segments: pd.DataFrame | None = None,
    kind: Literal["road", "rail"] | None = None,
    where: str | np.ndarray | pd.Series | None = None,
) -> pd.Series:
    """Distance along the border from each cell's segment to the nearest crossing.

    The distance is 0 when a crossing's chainage ``km`` falls inside the segment
    ``[from_km, to_km]``, else the chainage gap to the nearest crossing before or after it.
    Both sides of a segment get the same value.

    Parameters
    ----------
    cells
        Rows with ``seg_id`` (and ``from_km``, ``to_km`` when ``segments`` is None).
    crossings
        The ``crossings`` layer: ``kind``, ``km`` and the columns ``where`` uses.
    segments
        The ``segments`` layer (``seg_id``, ``from_km``, ``to_km``).
    kind, where
        Which crossings count; see :func:`select_crossings`. E.g. paved road crossings:
        ``kind="road", where="surface_class == 'paved'"``; official checkpoints:
        ``where="official"``.

    Returns
    -------
    pandas.Series
        Km; NaN when there is no such crossing at all.

    Examples
    --------
    A segment from km 100 to 125 with crossings at km 40 and 160 is 35 km from the nearest.
    """
    _check(crossings, "crossings", ["km"])
    from_km, to_km = _chainage(cells, segments)
    km = np.sort(select_crossings(crossings, kind=kind, where=where)["km"].to_numpy(float))
    if len(km) == 0:
        return pd.Series(np.nan, index=cells.index, name="dist_crossing_km")
    # nearest crossing at or before to_km, and at or after from_km
    before = np.searchsorted(km, to_km, side="right") - 1
    after = np.searchsorted(km, from_km, side="left")
    d_before = np.where(before >= 0, from_km - km[np.clip(before, 0, None)], np.inf)
    d_after = np.where(after < len(km), km[np.clip(after, None, len(km) - 1)] - to_km, np.inf)
    dist = np.clip(np.minimum(d_before, d_after), 0.0, None)
    return pd.Series(dist, index=cells.index, name="dist_crossing_km")


def crossings_count(
    cells: pd.DataFrame,
    crossings: pd.DataFrame,
    *,
    segments: pd.DataFrame | None = None,
    kind: Literal["road", "rail"] | None = None,
    where: str | np.ndarray | pd.Series | None = None,
) -> pd.Series:
    """Count the crossings whose chainage falls in each cell's segment ``[from_km, to_km)``.

    The last segment also counts a crossing at its end.
    """
    _check(crossings, "crossings", ["km"])
    from_km, to_km = _chainage(cells, segments)
    km = np.sort(select_crossings(crossings, kind=kind, where=where)["km"].to_numpy(float))
    n = np.searchsorted(km, to_km, side="left") - np.searchsorted(km, from_km, side="left")
    last = to_km >= to_km.max() if len(to_km) else to_km.astype(bool)
    n = n + last * (np.searchsorted(km, to_km, "right") - np.searchsorted(km, to_km, "left"))
    return pd.Series(n.astype(int), index=cells.index, name="n_crossings")


# --------------------------------------------------------------------------------------
# Road graph and travel times
# --------------------------------------------------------------------------------------


def road_speeds_kmh(
    roads: pd.DataFrame, *, speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH
) -> np.ndarray:
    """Speed of each road from its class and surface class (see :data:`DEFAULT_SPEEDS_KMH`).

    The surface class follows :func:`borderzone.osm.schema.surface_class` (``surface``, then
    ``tracktype``, ``smoothness``, then the class default).
    """
    _check(roads, "roads", ["highway"])
    if "default" not in speeds_kmh:
        raise ValueError("speeds_kmh needs a 'default' entry")
    bad = {k: v for k, v in speeds_kmh.items() if not v > 0}
    if bad:
        raise ValueError(f"speeds_kmh must be positive: {bad}")
    cols = ["highway", "surface", "tracktype", "smoothness"]
    tags = pd.DataFrame({c: roads[c] if c in roads.columns else None for c in cols})
    tags = tags.astype(object).where(tags.notna(), None)
    key = pd.MultiIndex.from_frame(tags.fillna("\0"))
    codes, uniques = pd.factorize(key)
    speeds = np.empty(len(uniques))
    for i, combo in enumerate(uniques):
        t = {c: v for c, v in zip(cols, combo, strict=True) if v != "\0"}
        surface, _ = surface_class(
            t.get("highway"), t.get("surface"), t.get("tracktype"), t.get("smoothness")
        )
        base = str(t.get("highway", "")).removesuffix("_link")
        speeds[i] = speeds_kmh.get(f"{base}:{surface}", speeds_kmh.get(base, speeds_kmh["default"]))
    return speeds[codes] if len(codes) else np.zeros(0)


@dataclass
class RoadGraph:
    """Undirected road graph of both sides; nodes of different sides are never merged.

    Attributes
    ----------
    matrix
        Upper-triangular sparse matrix of edge costs in minutes (n × n).
    lonlat
        Node coordinates, (n, 2).
    side
        Side (ISO3) of each node.
    """

    matrix: scipy.sparse.csr_matrix
    lonlat: np.ndarray
    side: np.ndarray

    def nearest(
        self, lon: np.ndarray, lat: np.ndarray, side: np.ndarray, *, k: int = 4
    ) -> tuple[np.ndarray, np.ndarray]:
        """Find the ``k`` nearest nodes of the same side and their geodesic distance (km).

        Missing neighbours have node -1 and distance inf.
        """
        n = len(lon)
        nodes = np.full((n, k), -1, dtype=np.int64)
        dist = np.full((n, k), np.inf)
        if n == 0 or len(self.lonlat) == 0:
            return nodes, dist
        crs = fitted_crs(_bounds(shapely.points(self.lonlat)), kind="conformal")
        to = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
        nx, ny = to.transform(self.lonlat[:, 0], self.lonlat[:, 1])
        qx, qy = to.transform(lon, lat)
        for s in np.unique(side):
            mine = np.flatnonzero(self.side == s)
            ask = np.flatnonzero(side == s)
            if len(mine) == 0 or len(ask) == 0:
                continue
            kk = min(k, len(mine))
            tree = cKDTree(np.column_stack([nx[mine], ny[mine]]))
            _, j = tree.query(np.column_stack([qx[ask], qy[ask]]), k=kk)
            j = j.reshape(len(ask), kk)
            node = mine[j]
            _, _, d = GEOD.inv(
                np.repeat(lon[ask], kk),
                np.repeat(lat[ask], kk),
                self.lonlat[node.ravel(), 0],
                self.lonlat[node.ravel(), 1],
            )
            nodes[ask, :kk] = node
            dist[ask, :kk] = np.asarray(d).reshape(len(ask), kk) / 1000
        return nodes, dist


def road_graph(
    roads: gpd.GeoDataFrame, *, speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH
) -> RoadGraph:
    """Road graph of each side from shared vertices; edge cost = geodesic length / speed.

    Ways are joined where they share a vertex (coordinates equal to 1e-6°, ~0.1 m) on the
    same ``side``; ``oneway`` is ignored.

    Parameters
    ----------
    roads
        Lines with ``highway`` and ``side`` (as in ``network.gpkg``).
    speeds_kmh
        Speed table, see :func:`road_speeds_kmh`.
    """
    _check(roads, "roads", ["highway", "side"])
    speed = road_speeds_kmh(roads, speeds_kmh=speeds_kmh)
    geoms = _lonlat(roads)
    parts, of = shapely.get_parts(geoms, return_index=True)
    coords, v_of = shapely.get_coordinates(parts, return_index=True)
    sides, side_code = np.unique(roads["side"].astype(str).to_numpy(), return_inverse=True)
    if len(sides) > 60:
        raise InputDataError("roads have more than 60 sides")
    vs = side_code[of[v_of]].astype(np.int64)
    xi = np.round((coords[:, 0] + 180.0) * 1e6).astype(np.int64)
    yi = np.round((coords[:, 1] + 90.0) * 1e6).astype(np.int64)
    key = (vs << 57) | (xi << 28) | yi
    node, uniq = pd.factorize(key)
    n = len(uniq)
    first = np.zeros(n, dtype=np.int64)
    first[node[::-1]] = np.arange(len(node))[::-1]
    lonlat = coords[first]
    node_side = sides[vs[first]] if n else np.array([], dtype=str)
    same = v_of[1:] == v_of[:-1]
    a, b = node[:-1][same], node[1:][same]
    minutes = edge_lengths_m(coords)[same] / 1000 / speed[of[v_of[:-1][same]]] * 60
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = lo != hi
    lo, hi, minutes = lo[keep], hi[keep], np.maximum(minutes[keep], 1e-9)
    order = np.lexsort((minutes, hi, lo))
    lo, hi, minutes = lo[order], hi[order], minutes[order]
    firsts = np.ones(len(lo), dtype=bool)
    firsts[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    matrix = scipy.sparse.csr_matrix((minutes[firsts], (lo[firsts], hi[firsts])), shape=(n, n))
    log.info("road graph: %d nodes, %d edges", n, int(firsts.sum()))
    return RoadGraph(matrix=matrix, lonlat=lonlat, side=node_side)


def _minutes_from_targets(
    graph: RoadGraph,
    target_lonlat: np.ndarray,
    target_sides: Sequence[np.ndarray],
    *,
    access_kmh: float,
    links: np.ndarray | None = None,
) -> np.ndarray:
    """Minutes from every node to the nearest target (multi-source Dijkstra).

    Each target joins the nearest node of each of its sides at ``access_kmh`` (straight
    line). ``links`` (pairs of node ids with costs, shape (m, 3)) are extra edges, e.g.
    the two ends of a crossing.
    """
    n = graph.matrix.shape[0]
    rows, cols, vals = [], [], []
    for sides_of in target_sides:
        node, km = graph.nearest(
            target_lonlat[:, 0], target_lonlat[:, 1], np.asarray(sides_of), k=1
        )
        ok = node[:, 0] >= 0
        rows.append(np.full(int(ok.sum()), n))
        cols.append(node[ok, 0])
        vals.append(np.maximum(km[ok, 0] / access_kmh * 60, 1e-9))
    m = graph.matrix.tocoo()
    r = np.concatenate([m.row, *rows])
    c = np.concatenate([m.col, *cols])
    v = np.concatenate([m.data, *vals])
    if links is not None and len(links):
        r = np.concatenate([r, links[:, 0].astype(np.int64)])
        c = np.concatenate([c, links[:, 1].astype(np.int64)])
        v = np.concatenate([v, np.maximum(links[:, 2], 1e-9)])
    full = scipy.sparse.csr_matrix((v, (r, c)), shape=(n + 1, n + 1))
    full.sum_duplicates()
    return dijkstra(full, directed=False, indices=n)[:n]


def _origins(
    cells: gpd.GeoDataFrame, settlements: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Origin points (lon, lat), the cell position of each, and its weight.

    Settlements inside a cell weighted by population (1 when unknown); a cell without any
    settlement has its centroid (weight 1).
    """
    cg = _lonlat(cells)
    pts_cell = np.zeros(0, dtype=np.int64)
    pts = np.zeros((0, 2))
    weight = np.zeros(0)
    if settlements is not None and len(settlements):
        sg = _lonlat(settlements)
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
    graph: RoadGraph,
    node_minutes: np.ndarray,
    settlements: gpd.GeoDataFrame | None,
    *,
    direct: tuple[np.ndarray, np.ndarray] | None,
    access_kmh: float,
    k: int = 4,
) -> np.ndarray:
    """Population-weighted minutes of each cell's origins to the nearest target."""
    _check(cells, "cells", ["side"])
    xy, cell_of, w = _origins(cells, settlements)
    side = cells["side"].astype(str).to_numpy()[cell_of]
    nodes, km = graph.nearest(xy[:, 0], xy[:, 1], side, k=k)
    net = np.where(nodes >= 0, node_minutes[np.clip(nodes, 0, None)], np.inf)
    best = np.min(km / access_kmh * 60 + net, axis=1) if len(xy) else np.zeros(0)
    if direct is not None:
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
    return out


def _nearest_km(xy: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Geodesic km from each lon/lat point to the nearest target (searched in a conic)."""
    crs = fitted_crs(_bounds(shapely.points(np.concatenate([xy, targets]))), kind="conformal")
    to = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    tx, ty = to.transform(targets[:, 0], targets[:, 1])
    qx, qy = to.transform(xy[:, 0], xy[:, 1])
    _, j = cKDTree(np.column_stack([tx, ty])).query(np.column_stack([qx, qy]))
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
) -> pd.Series:
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
        Filter of the crossings, see :func:`select_crossings`.
    graph
        A prebuilt :func:`road_graph` of ``roads`` (to reuse it between measures).

    Returns
    -------
    pandas.Series
        Minutes; NaN when there is no road crossing.

    Examples
    --------
    A settlement on a 40 km paved primary road (80 km/h) ending at a crossing is 30 min
    from it.
    """
    _check(cells, "cells", ["side"])
    _check(roads, "roads", ["highway", "side"])
    cross = select_crossings(crossings, kind="road", where=where)
    if len(cross) == 0:
        return pd.Series(np.nan, index=cells.index, name="time_to_crossing_min")
    graph = graph if graph is not None else road_graph(roads, speeds_kmh=speeds_kmh)
    cxy = shapely.get_coordinates(_lonlat(cross))
    sides = np.unique(cells["side"].astype(str))
    target_sides = [np.full(len(cxy), s) for s in sides]
    minutes = _minutes_from_targets(graph, cxy, target_sides, access_kmh=access_kmh)
    direct = (cxy, None)
    out = _cell_minutes(cells, graph, minutes, settlements, direct=direct, access_kmh=access_kmh)
    return pd.Series(out, index=cells.index, name="time_to_crossing_min")


def travel_time_to_town_min(
    cells: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    settlements: gpd.GeoDataFrame | None = None,
    *,
    min_population: float = 50_000,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    access_kmh: float = 20.0,
    graph: RoadGraph | None = None,
) -> pd.Series:
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

    Returns
    -------
    pandas.Series
        Minutes; NaN for cells of a side without any such town.
    """
    _check(cells, "cells", ["side"])
    _check(places, "places", ["population", "side"])
    pop = pd.to_numeric(places["population"], errors="coerce").fillna(0).to_numpy()
    towns = places[pop >= min_population]
    if len(towns) == 0:
        return pd.Series(np.nan, index=cells.index, name="time_to_town_min")
    graph = graph if graph is not None else road_graph(roads, speeds_kmh=speeds_kmh)
    txy = shapely.get_coordinates(shapely.point_on_surface(_lonlat(towns)))
    tside = towns["side"].astype(str).to_numpy()
    minutes = _minutes_from_targets(graph, txy, [tside], access_kmh=access_kmh)
    settlements = places if settlements is None else settlements
    out = _cell_minutes(
        cells, graph, minutes, settlements, direct=(txy, tside), access_kmh=access_kmh
    )
    return pd.Series(out, index=cells.index, name="time_to_town_min")


# --------------------------------------------------------------------------------------
# Isolation
# --------------------------------------------------------------------------------------


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
    _check(metrics, "metrics", [town_col, crossing_col, density_col])
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


# --------------------------------------------------------------------------------------
# Population
# --------------------------------------------------------------------------------------


def _zonal_sum(geoms_4326: np.ndarray, raster: str | Path) -> np.ndarray:
    """Coverage-weighted sum of a raster over each polygon (exactextract), any raster CRS."""
    import rasterio
    from exactextract import exact_extract

    raster = Path(raster)
    if not raster.exists():
        raise InputDataError(f"population raster {raster} does not exist")
    with rasterio.open(raster) as src:
        if src.crs is None:
            raise InputDataError(f"population raster {raster} has no CRS")
        crs = pyproj.CRS.from_wkt(src.crs.to_wkt())
    polys = gpd.GeoDataFrame(
        {"_i": np.arange(len(geoms_4326))},
        geometry=gpd.GeoSeries(densify_lonlat(geoms_4326), crs=WGS84).to_crs(crs),
        crs=crs,
    )
    out = np.zeros(len(geoms_4326))
    if len(polys) == 0:
        return out
    table = exact_extract(str(raster), polys, ["sum"], include_cols=["_i"], output="pandas")
    out[table["_i"].to_numpy(int)] = table["sum"].fillna(0).to_numpy(float)
    return out


def population_stats(
    cells: gpd.GeoDataFrame,
    *,
    raster: str | Path | None = None,
    places: gpd.GeoDataFrame | None = None,
    rural_below: float = 10_000,
) -> pd.DataFrame:
    """Compute population, density, rural share and number of settlements of each cell.

    With a ``raster`` (people per pixel, any CRS, nodata set) the population is the exact
    coverage-weighted sum of the pixels under the cell (exactextract; the cells are
    densified and reprojected into the raster's CRS). Without one it is the sum of the
    ``population`` of the places inside the cell (a settlement-based surface).

    Parameters
    ----------
    cells
        Polygons (any CRS).
    raster
        Population raster, people per pixel.
    places
        Points with ``population`` (NaN allowed), e.g. the ``places`` layer.
    rural_below
        Places smaller than this are rural.

    Returns
    -------
    pandas.DataFrame
        ``population``; ``pop_density_km2`` (people per equal-area km²); ``rural_share``:
        share of the people not living in a place of ``rural_below`` or more (with a
        raster: 1 - people of those places / cell population, clipped to [0, 1]; from
        places alone: people of smaller places / people of all places); NaN when there are
        no people; and ``n_settlements``, the places inside the cell.
    """
    _check(cells, "cells")
    if raster is None and places is None:
        raise ValueError("population_stats needs a raster or places")
    cg = _lonlat(cells)
    area = cell_area_km2(cells).to_numpy()
    n = len(cg)
    place_pop = np.zeros(n)
    urban_pop = np.zeros(n)
    count = np.zeros(n, dtype=int)
    if places is not None:
        _check(places, "places", ["population"])
        pg = shapely.point_on_surface(_lonlat(places))
        ci, pi = shapely.STRtree(pg).query(cg, predicate="intersects")
        _, first = np.unique(pi, return_index=True)
        ci, pi = ci[first], pi[first]
        pop = pd.to_numeric(places["population"], errors="coerce").fillna(0).to_numpy(float)
        place_pop = np.bincount(ci, weights=pop[pi], minlength=n)
        urban_pop = np.bincount(
            ci, weights=np.where(pop[pi] >= rural_below, pop[pi], 0), minlength=n
        )
        count = np.bincount(ci, minlength=n)
    total = _zonal_sum(cg, raster) if raster is not None else place_pop
    with np.errstate(invalid="ignore", divide="ignore"):
        rural = np.clip(1 - urban_pop / total, 0, 1) if places is not None else np.nan
        rural = np.where(total > 0, rural, np.nan)
        density = np.where(area > 0, total / area, np.nan)
    return pd.DataFrame(
        {
            "population": total,
            "pop_density_km2": density,
            "rural_share": rural,
            "n_settlements": count,
        },
        index=cells.index,
    )


def region_population(
    admin: gpd.GeoDataFrame, raster: str | Path, *, admin_level: int | None = 4
) -> gpd.GeoDataFrame:
    """Compute population, area and density of whole admin regions from a population raster.

    Parameters
    ----------
    admin
        Admin polygons (any CRS), with ``admin_level`` when ``admin_level`` is set.
    raster
        Population raster, people per pixel.
    admin_level
        Keep only this level (4: oblasts, krais, republics); None keeps every row.

    Returns
    -------
    geopandas.GeoDataFrame
        The admin rows with ``population``, ``area_km2``, ``pop_density_km2``, in
        EPSG:4326.
    """
    _check(admin, "admin", ["admin_level"] if admin_level is not None else [])
    if admin_level is not None:
        level = pd.to_numeric(admin["admin_level"], errors="coerce")
        admin = admin[level == admin_level]
    out = admin.to_crs(WGS84).copy()
    out = out[out.geometry.notna() & ~out.geometry.is_empty]
    out["population"] = _zonal_sum(_lonlat(out), raster)
    out["area_km2"] = cell_area_km2(out).to_numpy() if len(out) else []
    out["pop_density_km2"] = out["population"] / out["area_km2"]
    return out


# --------------------------------------------------------------------------------------
# All together
# --------------------------------------------------------------------------------------


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
    town_roads: gpd.GeoDataFrame | None = None,
    speeds_kmh: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    access_kmh: float = 20.0,
    road_buffer_km: float = 5.0,
    town_min_population: float = 50_000,
    rural_below: float = 10_000,
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
    towns, town_roads
        Places and roads (with ``side``) searched for the nearest town, e.g. the corridor
        layers; default ``places`` and ``roads``.
    speeds_kmh, access_kmh
        Speeds on roads and off the network (straight line).
    road_buffer_km
        Distance for ``share_within_road_km``.
    town_min_population
        Size of a town for ``time_to_town_min``.
    rural_below
        Size under which places are rural.
    isolation_weights
        Weights of town, crossing and density in :func:`isolation_index`.

    Returns
    -------
    geopandas.GeoDataFrame
        The cell columns, ``from_km``, ``to_km`` and :data:`METRIC_COLUMNS`, in EPSG:4326.
    """
    _check(cells, "cells", ["seg_id", "side"])
    _check(crossings, "crossings", ["kind", "km"])
    cells = cells.to_crs(WGS84)
    out = cells.copy()
    from_km, to_km = _chainage(cells, segments)
    out["from_km"], out["to_km"] = from_km, to_km
    out["area_km2"] = cell_area_km2(cells)
    out = out.join(
        population_stats(cells, raster=population, places=places, rural_below=rural_below)
    )
    out["n_crossings"] = crossings_count(cells, crossings, segments=segments)

    group = np.full(len(roads), -1)
    for j, name in enumerate(ROAD_GROUPS):
        group[_highway_mask(roads, name)] = j
    km = _line_km_by_cell(cells, roads, np.where(group < 0, 3, group), 4)
    area = out["area_km2"].to_numpy()
    out["road_km_per_km2"] = km.sum(axis=1) / area
    out["main_road_km_per_km2"] = km[:, 0] / area
    out["local_road_km_per_km2"] = km[:, 1] / area
    out["track_km_per_km2"] = km[:, 2] / area
    out["rail_km_per_km2"] = rail_density(cells, rail)
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

    graph = road_graph(roads, speeds_kmh=speeds_kmh)
    out["time_to_crossing_min"] = travel_time_to_crossing_min(
        cells, roads, crossings, places, access_kmh=access_kmh, graph=graph
    )
    town_graph = graph if town_roads is None else road_graph(town_roads, speeds_kmh=speeds_kmh)
    out["time_to_town_min"] = travel_time_to_town_min(
        cells,
        roads if town_roads is None else town_roads,
        places if towns is None else towns,
        places,
        min_population=town_min_population,
        access_kmh=access_kmh,
        graph=town_graph,
    )
    out["isolation_index"] = isolation_index(out, weights=isolation_weights)
    keep = [c for c in cells.columns if c != "geometry"]
    keep += [c for c in ("from_km", "to_km") if c not in keep]
    if "area_km2" not in keep:
        keep.append("area_km2")
    out = out[keep + list(METRIC_COLUMNS) + ["geometry"]]
    log.info(
        "metrics of %d cells: %s people, median %.0f min to a crossing",
        len(out),
        f"{out['population'].sum():,.0f}",
        float(np.nanmedian(out["time_to_crossing_min"])) if len(out) else float("nan"),
    )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)
