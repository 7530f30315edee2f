"""Where roads and railways cross the border, and what kind of crossing each is.

Published rules
---------------
Detection (:func:`detect_crossings`), in a conformal conic fitted to the border, after
densifying every input to 0.01° edges:

1. Only ways whose lines intersect an edge of the border are looked at (a spatial index of
   the border's two-point edges; no loop over all ways).
2. Each vertex of such a way gets a side: the first country when its outline contains the
   vertex, else the second country when its outline does, else none (sea, sliver between
   the outlines, a bridged gap, a third country). Vertices within :data:`ON_BORDER_M` of
   the border line also get none, and so do vertices more than 2° outside the border's
   bounding box (the outlines are clipped to it).
3. Vertices without a side are dropped; every change of side between consecutive remaining
   vertices of a way is one crossing, placed where that stretch of the way meets the border
   (the middle meeting point along the way if there are several; no crossing if there is
   none, e.g. a way that went round the end of the border through a third country). A way
   that touches the border and turns back, or runs along it, never changes side.
4. Crossing points of the same kind within ``merge_within_m`` of each other (transitively)
   are one crossing listing every way: dual carriageways, links, parallel tracks. Its point
   is that of its highest-ranked way (:func:`road_rank`; rail: ``railway``, then ``usage``),
   the lowest ``osm_id`` among equals.

Surface (:func:`surface_class`), first rule that applies:

1. ``surface`` in :data:`PAVED_SURFACES` (or starting with ``concrete``) gives ``paved``,
   in :data:`UNPAVED_SURFACES` gives ``unpaved``;
2. ``tracktype``: ``grade1`` gives ``paved``, ``grade2`` to ``grade5`` give ``unpaved``;
3. ``smoothness`` in :data:`PAVED_SMOOTHNESS` gives ``paved``, in
   :data:`UNPAVED_SMOOTHNESS` gives ``unpaved`` (``intermediate`` says nothing);

   these three have source ``tag``;
4. the class default: :data:`PAVED_CLASSES` are ``paved`` and ``track`` is ``unpaved``,
   source ``inferred``; anything else is ``unknown`` with source ``none``.

Checkpoints: a crossing is ``official`` when a checkpoint lies within
``checkpoint_within_m`` of its point (for roads a ``railway=border`` node alone does not
count), ``local_only`` when every such checkpoint has ``border_control`` in
:data:`LOCAL_BORDER_CONTROL`.

Transit: same-kind ways are grouped into routes (same ``ref``, else same ``name``, else
the way alone) and joined where they share a vertex; edges that change side or touch a
vertex without a side are removed. A remaining piece (all in one country) that holds an
end of at least two crossings of its route and is at least ``transit_min_km`` long makes
those crossings ``transit``: the line leaves a country and comes back into it.

Continuity: on each side, among the crossing's ways and the ways sharing a vertex with
them, the one with the longest length on that side within ``continuity_km`` of the
crossing gives ``highway_<iso3>`` and ``surface_<iso3>``; ``surface_differs`` is set when
the class or the surface class differs between the sides.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from borderzone.crs import WGS84, densify_lonlat, fitted_crs
from borderzone.errors import InputDataError
from borderzone.geodesy import GEOD, edge_lengths_m, geodesic_length_km
from borderzone.osm.schema import road_rank, surface_class
from borderzone.published import PUBLISHED_RUS_KAZ

log = logging.getLogger(__name__)

RAIL_ORDER: tuple[str, ...] = ("rail", "narrow_gauge", "light_rail")
"""Railway values from highest to lowest."""

USAGE_ORDER: tuple[str, ...] = ("main", "branch", "industrial", "military", "tourism", "test")
"""Railway ``usage`` values from highest to lowest (ranked after ``railway``)."""

LOCAL_BORDER_CONTROL = frozenset({"small_border_traffic", "local", "local_traffic"})
"""``border_control`` values of checkpoints open to local traffic only."""

ON_BORDER_M = 0.5
"""Vertices this close to the border line are on it and belong to neither side."""

CONTINUITY_STEP_M = 100.0  # ways are cut into edges this long to measure them per side

HEADLINES: dict[str, str] = {
    "road crossings": "roads",
    "rail lines": "rail_lines",
    "trunk highways": "trunk_roads",
    "dirt roads": "dirt_roads",
}
"""Headline rows of :func:`summarise_crossings` and their keys in :mod:`borderzone.published`."""

PUBLISHED: dict[str, float] = {
    f.key: f.value for f in PUBLISHED_RUS_KAZ if f.key in HEADLINES.values()
}
"""Figures published for the Russia–Kazakhstan border, by key, for :func:`summarise_crossings`."""

CATEGORIES: tuple[str, ...] = (
    "international checkpoint",
    "local checkpoint",
    "road without checkpoint",
    "track",
    "rail checkpoint",
    "rail without checkpoint",
)
"""Crossing categories, roads then rail, in legend order."""

_ROAD_COLUMNS = ("surface", "tracktype", "smoothness", "ref", "name")
_RAIL_COLUMNS = ("gauge", "usage", "electrified", "ref", "name")
_CP_COLUMNS = ("barrier", "government", "railway", "border_control", "name")


# --------------------------------------------------------------------------------------
# rules


def _rail_rank(rail: pd.DataFrame) -> np.ndarray:
    railway = rail["railway"].map({c: i for i, c in enumerate(RAIL_ORDER)})
    usage = rail["usage"].map({c: i for i, c in enumerate(USAGE_ORDER)})
    railway = railway.fillna(len(RAIL_ORDER)).to_numpy(float)
    usage = usage.fillna(len(USAGE_ORDER)).to_numpy(float)
    return railway * 10 + usage


def _route_key(lines: pd.DataFrame) -> pd.Series:
    """Route identity of each way: its ref, else its name, else its id."""

    def clean(s: pd.Series) -> pd.Series:
        s = s.astype(object).where(s.notna(), "").astype(str).str.strip()
        return s.where(s != "")

    ref, name = clean(lines["ref"]), clean(lines["name"])
    key = ("ref:" + ref).fillna("name:" + name)
    return key.fillna("id:" + lines["osm_id"].astype(str))


# --------------------------------------------------------------------------------------
# input checks


def _check_layer(
    name: str, gdf: Any, required: Sequence[str], optional: Sequence[str] = ()
) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputDataError(f"layer {name} is not a GeoDataFrame (got {type(gdf).__name__})")
    if gdf.crs is None:
        raise InputDataError(f"layer {name} has no CRS")
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise InputDataError(
            f"layer {name} lacks column(s) {', '.join(missing)} "
            f"(columns: {', '.join(map(str, gdf.columns))})"
        )
    gdf = gdf.to_crs(WGS84) if not gdf.crs.equals(WGS84) else gdf
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf.reset_index(drop=True)
    extra = [c for c in optional if c not in gdf.columns]
    if extra:
        gdf = gdf.assign(**{c: pd.Series([None] * len(gdf), dtype=object) for c in extra})
    return gdf


# --------------------------------------------------------------------------------------
# the border in the working CRS


@dataclass
class _Frame:
    """The border, the two countries and the working CRS."""

    fwd: pyproj.Transformer
    inv: pyproj.Transformer
    border_ll: np.ndarray  # densified lon/lat vertices
    edges: np.ndarray  # projected two-point edges
    tree: shapely.STRtree  # of edges
    coarse: shapely.STRtree  # of lon/lat boxes around the edges
    chain_m: np.ndarray  # geodesic chainage of each densified vertex
    poly_a: shapely.Geometry
    poly_b: shapely.Geometry
    window: tuple[float, float, float, float]

    def project(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Densify lon/lat (multi)lines and project them.

        Returns the lon/lat and projected vertices, and for each vertex the index of its
        part and of its geometry in ``geoms``.
        """
        parts, owner = shapely.get_parts(densify_lonlat(geoms), return_index=True)
        ll, part = shapely.get_coordinates(parts, return_index=True)
        x, y = self.fwd.transform(ll[:, 0], ll[:, 1])
        return ll, np.column_stack([x, y]), part, owner[part]

    def project_geom(self, geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(densify_lonlat(geom), self.fwd.transform, interleaved=False)

    def side(self, xy: np.ndarray) -> np.ndarray:
        """1 inside the first country, 2 inside the second, 0 elsewhere or on the border."""
        side = np.zeros(len(xy), dtype=np.int8)
        if len(xy) == 0:
            return side
        in_a = shapely.contains_xy(self.poly_a, xy[:, 0], xy[:, 1])
        side[in_a] = 1
        rest = np.flatnonzero(~in_a)
        in_b = shapely.contains_xy(self.poly_b, xy[rest, 0], xy[rest, 1])
        side[rest[in_b]] = 2
        on, _ = self.tree.query(shapely.points(xy), predicate="dwithin", distance=ON_BORDER_M)
        side[on] = 0
        return side


def _frame(border: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, pair: Sequence[str]) -> _Frame:
    line = border.geometry.iloc[0]
    if line.geom_type == "MultiLineString":
        line = shapely.line_merge(line)
    if line.geom_type != "LineString":
        raise InputDataError(f"layer border holds a {line.geom_type}, not one LineString")
    x0, y0, x1, y1 = line.bounds
    margin = 2.0
    window = (max(x0 - margin, -180), max(y0 - margin, -90))
    window += (min(x1 + margin, 180), min(y1 + margin, 90))
    crs = fitted_crs((x0, y0, x1, y1) if x1 > x0 else window, kind="conformal")
    fwd = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    inv = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    ll = shapely.get_coordinates(densify_lonlat(line))
    x, y = fwd.transform(ll[:, 0], ll[:, 1])
    xy = np.column_stack([x, y])
    edges = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
    eps = 0.001  # degrees: far more than a lon/lat and a projected edge ever part
    lo, hi = np.minimum(ll[:-1], ll[1:]) - eps, np.maximum(ll[:-1], ll[1:]) + eps
    boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
    outlines = countries.set_index("iso3").geometry
    polys = []
    for code in pair:
        geom = shapely.clip_by_rect(outlines[code], *window)
        geom = shapely.transform(densify_lonlat(geom), fwd.transform, interleaved=False)
        shapely.prepare(geom)
        polys.append(geom)
    return _Frame(
        fwd=fwd,
        inv=inv,
        border_ll=ll,
        edges=edges,
        tree=shapely.STRtree(edges),
        coarse=shapely.STRtree(boxes),
        chain_m=np.concatenate([[0.0], np.cumsum(edge_lengths_m(ll))]),
        poly_a=polys[0],
        poly_b=polys[1],
        window=window,
    )


# --------------------------------------------------------------------------------------
# detection


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Label each node by its connected component (numpy union-find)."""
    parent = np.arange(n)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            break
        ra, rb = ra[differ], rb[differ]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:  # pointer jumping until every node points at its root
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt
        a, b = a[differ], b[differ]
    return np.unique(parent, return_inverse=True)[1]


def _detect(frame: _Frame, lines: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per change of side of a way at the border (before merging)."""
    columns = ["way", "x", "y", "side_from", "xy_from", "xy_to", "ll_from", "ll_to"]
    empty = pd.DataFrame({c: [] for c in columns})
    if len(lines) == 0:
        return empty
    geoms = np.asarray(lines.geometry.array, dtype=object)
    parts, way_of = shapely.get_parts(geoms, return_index=True)
    ok = shapely.get_num_coordinates(parts) >= 2
    parts, way_of = parts[ok], way_of[ok]
    near = np.unique(frame.coarse.query(parts)[0])  # envelopes near a border edge
    parts, way_of = parts[near], way_of[near]
    if len(parts) == 0:
        return empty
    ll, xy, part, _ = frame.project(parts)
    plines = shapely.linestrings(xy, indices=part)
    touch = np.unique(frame.tree.query(plines, predicate="intersects")[0])
    if len(touch) == 0:
        return empty
    keep_v = np.isin(part, touch)
    ll, xy, part = ll[keep_v], xy[keep_v], part[keep_v]
    side = frame.side(xy)
    k = np.flatnonzero(side != 0)
    i, j = k[:-1], k[1:]
    change = (part[i] == part[j]) & (side[i] != side[j])
    i, j = i[change], j[change]
    if len(i) == 0:
        return empty
    # the stretch of each way between the two vertices, and where it meets the border
    n_v = j - i + 1
    offset = np.arange(n_v.sum()) - np.repeat(np.cumsum(n_v) - n_v, n_v)
    sub = shapely.linestrings(
        xy[np.repeat(i, n_v) + offset], indices=np.repeat(np.arange(len(i)), n_v)
    )
    s_idx, e_idx = frame.tree.query(sub, predicate="intersects")
    inter = shapely.intersection(sub[s_idx], frame.edges[e_idx])
    pts, owner = shapely.get_coordinates(inter, return_index=True)
    sub_of = s_idx[owner]
    pos = shapely.line_locate_point(sub[sub_of], shapely.points(pts))
    order = np.lexsort((pos, sub_of))
    pts, sub_of, pos = pts[order], sub_of[order], pos[order]
    dup = np.concatenate([[False], (sub_of[1:] == sub_of[:-1]) & (np.diff(pos) < 1e-3)])
    pts, sub_of = pts[~dup], sub_of[~dup]
    subs, start, count = np.unique(sub_of, return_index=True, return_counts=True)
    mid = start + (count - 1) // 2
    i, j = i[subs], j[subs]
    return pd.DataFrame(
        {
            "way": way_of[part[i]],
            "x": pts[mid, 0],
            "y": pts[mid, 1],
            "side_from": side[i],
            "xy_from": list(xy[i]),
            "xy_to": list(xy[j]),
            "ll_from": list(ll[i]),
            "ll_to": list(ll[j]),
        }
    )


def _merge(raw: pd.DataFrame, *, within_m: float) -> np.ndarray:
    """Label of the merged crossing of each raw crossing point."""
    pts = shapely.points(raw["x"].to_numpy(), raw["y"].to_numpy())
    a, b = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=max(within_m, 0.0))
    return _components(len(raw), a, b)


# --------------------------------------------------------------------------------------
# attributes


def _locate(frame: _Frame, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Geodesic chainage (km), lon and lat of points on the border."""
    lon, lat = frame.inv.transform(x, y)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    edge = np.zeros(len(x), dtype=np.int64)
    if len(x):
        (inp, hit) = frame.tree.query_nearest(shapely.points(x, y), all_matches=False)
        edge[inp] = hit
    start = frame.border_ll[edge]
    _, _, along = GEOD.inv(start[:, 0], start[:, 1], lon, lat)
    along = np.minimum(np.asarray(along, dtype=float), np.diff(frame.chain_m)[edge])
    return (frame.chain_m[edge] + along) / 1000, lon, lat


def _checkpoints(
    frame: _Frame,
    checkpoints: gpd.GeoDataFrame,
    x: np.ndarray,
    y: np.ndarray,
    kind: np.ndarray,
    *,
    within_m: float,
) -> pd.DataFrame:
    """``official``, ``checkpoint_name`` and ``local_only`` of each crossing."""
    n = len(x)
    out = pd.DataFrame(
        {
            "official": np.zeros(n, dtype=bool),
            "checkpoint_name": pd.Series([None] * n, dtype=object),
            "local_only": np.zeros(n, dtype=bool),
        }
    )
    if n == 0 or len(checkpoints) == 0:
        return out
    cps = checkpoints.reset_index(drop=True)
    centre = shapely.centroid(np.asarray(cps.geometry.array, dtype=object))
    cx, cy = frame.fwd.transform(shapely.get_x(centre), shapely.get_y(centre))
    pts = shapely.points(cx, cy)
    is_road_cp = (
        (cps["barrier"] == "border_control")
        | (cps["government"] == "border_control")
        | cps["border_control"].notna()
    ).to_numpy()
    local = cps["border_control"].isin(LOCAL_BORDER_CONTROL).to_numpy()
    q, c = shapely.STRtree(pts).query(shapely.points(x, y), predicate="dwithin", distance=within_m)
    ok = (kind[q] == "rail") | is_road_cp[c]
    q, c = q[ok], c[ok]
    if len(q) == 0:
        return out
    dist = np.hypot(np.asarray(cx)[c] - x[q], np.asarray(cy)[c] - y[q])
    hits = pd.DataFrame(
        {"q": q, "dist": dist, "local": local[c], "name": cps["name"].to_numpy()[c]}
    )
    hits = hits.sort_values(["q", "dist"], kind="stable")
    per = hits.groupby("q")
    out.loc[per.size().index, "official"] = True
    out.loc[per.size().index, "local_only"] = per["local"].all().to_numpy()
    out.loc[per.size().index, "checkpoint_name"] = per["name"].first().to_numpy()
    return out


def _transit(
    frame: _Frame, lines: gpd.GeoDataFrame, raw: pd.DataFrame, *, min_km: float
) -> pd.Series:
    """Whether each merged crossing (by label) is part of a line that leaves and re-enters."""
    route = _route_key(lines).to_numpy()
    r_route = route[raw["way"].to_numpy()]
    per = pd.DataFrame({"route": r_route, "label": raw["label"]}).groupby("route")["label"]
    keys = per.nunique()
    keys = keys.index[keys >= 2].to_numpy()
    transit = pd.Series(False, index=np.unique(raw["label"]))
    if len(keys) == 0:
        return transit
    sel = np.flatnonzero(pd.Series(route).isin(keys).to_numpy())
    codes, uniques = pd.factorize(route[sel])
    code_of = {r: i for i, r in enumerate(uniques)}
    ll, xy, part, owner = frame.project(np.asarray(lines.geometry.array, dtype=object)[sel])
    side = frame.side(xy)
    ikey = np.column_stack([codes[owner], np.round(ll * 1e7).astype(np.int64)])
    node_keys, node = np.unique(ikey, axis=0, return_inverse=True)
    node = node.ravel()
    v = np.arange(len(xy) - 1)
    keep = (part[v] == part[v + 1]) & (side[v] == side[v + 1]) & (side[v] != 0)
    v = v[keep]
    length = np.hypot(*(xy[v + 1] - xy[v]).T)
    comp = _components(len(node_keys), node[v], node[v + 1])
    comp_m = np.bincount(comp[node[v]], weights=length, minlength=comp.max() + 1)
    # the nodes at the two ends of each crossing stretch
    rows = np.flatnonzero(pd.Series(r_route).isin(keys).to_numpy())
    ends = []
    for col in ("ll_from", "ll_to"):
        e = np.round(np.stack(raw[col].to_numpy()[rows]) * 1e7).astype(np.int64)
        ends.append(np.column_stack([[code_of[r] for r in r_route[rows]], e]))
    ends = np.concatenate(ends)
    labels = np.tile(raw["label"].to_numpy()[rows], 2)
    table = pd.DataFrame(node_keys, columns=["c", "lon", "lat"]).assign(comp=comp)
    found = pd.DataFrame(ends, columns=["c", "lon", "lat"]).assign(label=labels)
    found = found.merge(table, on=["c", "lon", "lat"], how="inner")
    found["m"] = comp_m[found["comp"].to_numpy()]
    n_cross = found.groupby("comp")["label"].transform("nunique")
    hit = found[(n_cross >= 2) & (found["m"] >= min_km * 1000)]
    transit.loc[np.unique(hit["label"])] = True
    return transit


def _vertex_keys(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One int64 per vertex from its lon/lat at OSM precision, and the geometry index."""
    ll, idx = shapely.get_coordinates(geoms, return_index=True)
    q = np.round(ll * 1e7).astype(np.int64)
    return q[:, 0] * 4_000_000_000 + q[:, 1], idx


def _continuity(
    frame: _Frame,
    roads: gpd.GeoDataFrame,
    ways: list[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    radius_m: float,
) -> pd.DataFrame:
    """Class and surface class of the longest way of each crossing's road on each side."""
    n = len(ways)
    out = pd.DataFrame(
        {c: pd.Series([None] * n, dtype=object) for c in ("hw1", "sf1", "hw2", "sf2")}
    )
    if n == 0:
        return out
    geoms = np.asarray(roads.geometry.array, dtype=object)
    sidx = roads.sindex
    pairs_c, pairs_w = [], []
    for c, w in enumerate(ways):
        cand = np.setdiff1d(np.unique(sidx.query(geoms[w], predicate="intersects")[1]), w)
        linked = cand[:0]
        if len(cand):
            own, _ = _vertex_keys(geoms[w])
            keys, idx = _vertex_keys(geoms[cand])
            linked = np.unique(cand[idx[np.isin(keys, own)]])
        allw = np.concatenate([w, linked])
        pairs_c.append(np.full(len(allw), c))
        pairs_w.append(allw)
    pc, pw = np.concatenate(pairs_c), np.concatenate(pairs_w)
    uw, inv = np.unique(pw, return_inverse=True)
    _, xy, part, owner = frame.project(geoms[uw])
    plines = shapely.segmentize(shapely.linestrings(xy, indices=part), CONTINUITY_STEP_M)
    part_owner = np.zeros(part.max() + 1, dtype=np.int64)
    part_owner[part] = owner
    pxy, ppart = shapely.get_coordinates(plines, return_index=True)
    v = np.flatnonzero(ppart[:-1] == ppart[1:])
    mid = (pxy[v] + pxy[v + 1]) / 2
    edges = pd.DataFrame(
        {
            "u": part_owner[ppart[v]],
            "mx": mid[:, 0],
            "my": mid[:, 1],
            "len": np.hypot(*(pxy[v + 1] - pxy[v]).T),
            "side": frame.side(mid),
        }
    )
    edges = edges[edges["side"] != 0]
    pairs = pd.DataFrame({"c": pc, "u": inv})
    e = pairs.merge(edges, on="u")
    e = e[np.hypot(e["mx"] - x[e["c"]], e["my"] - y[e["c"]]) <= radius_m]
    if e.empty:
        return out
    per = e.groupby(["c", "side", "u"], as_index=False)["len"].sum()
    way = uw[per["u"].to_numpy()]
    per["rank"] = road_rank(roads["highway"].iloc[way])
    per["osm_id"] = roads["osm_id"].to_numpy()[way]
    per["way"] = way
    per = per.sort_values(
        ["c", "side", "len", "rank", "osm_id"], ascending=[True, True, False, True, True]
    )
    best = per.drop_duplicates(["c", "side"])
    tags = roads.iloc[best["way"].to_numpy()]
    cls, _ = surface_class(tags["highway"], tags["surface"], tags["tracktype"], tags["smoothness"])
    for s in (1, 2):
        b = (best["side"] == s).to_numpy()
        out.loc[best["c"].to_numpy()[b], f"hw{s}"] = tags["highway"].to_numpy()[b]
        out.loc[best["c"].to_numpy()[b], f"sf{s}"] = cls.to_numpy()[b]
    return out


def _admin_names(
    frame: _Frame,
    admin: gpd.GeoDataFrame,
    near: dict[int, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
) -> dict[tuple[str, int], np.ndarray]:
    """Names of the admin areas (levels 4 and 6) on each side of each crossing."""
    n = len(x)
    out = {
        (lvl, s): np.full(n, None, dtype=object) for lvl in ("region", "district") for s in (1, 2)
    }
    level = pd.to_numeric(admin["admin_level"], errors="coerce")
    areas = admin[level.isin([4, 6])].reset_index(drop=True)
    if n == 0 or areas.empty:
        return out
    geoms = shapely.clip_by_rect(np.asarray(areas.geometry.array, dtype=object), *frame.window)
    geoms = shapely.transform(densify_lonlat(geoms), frame.fwd.transform, interleaved=False)
    keep = ~shapely.is_empty(geoms)
    areas, geoms = areas[keep].reset_index(drop=True), geoms[keep]
    rep = shapely.get_coordinates(shapely.point_on_surface(geoms))
    side = frame.side(rep)
    lv = pd.to_numeric(areas["admin_level"]).to_numpy()
    names = areas["name"].to_numpy()
    here = shapely.points(x, y)
    for lvl, tag in ((4, "region"), (6, "district")):
        for s in (1, 2):
            sel = np.flatnonzero((lv == lvl) & (side == s))
            if len(sel) == 0:
                continue
            tree = shapely.STRtree(geoms[sel])
            res = out[(tag, s)]
            p, a = tree.query(shapely.points(near[s]), predicate="within")
            first = np.unique(p, return_index=True)[1]
            res[p[first]] = names[sel[a[first]]]
            missing = np.flatnonzero(pd.isna(res))
            if len(missing):
                p2, a2 = tree.query_nearest(here[missing], all_matches=False)
                res[missing[p2]] = names[sel[a2]]
    return out


# --------------------------------------------------------------------------------------
# public API


def detect_crossings(
    border: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    gaps: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    rail: gpd.GeoDataFrame,
    checkpoints: gpd.GeoDataFrame,
    admin: gpd.GeoDataFrame | None = None,
    *,
    pair: Sequence[str],
    merge_within_m: float = 100.0,
    checkpoint_within_m: float = 2000.0,
    continuity_km: float = 5.0,
    transit_min_km: float = 10.0,
) -> gpd.GeoDataFrame:
    """Find the points where roads and railways cross the border, and classify them.

    The rules are published in the module documentation.

    Parameters
    ----------
    border
        One LineString row (west to east), as from :func:`borderzone.border.line.trace_border`.
    segments
        Columns ``seg_id``, ``from_km``, ``to_km``.
    gaps
        Bridged gaps of the border: columns ``from_km``, ``to_km`` (may be empty).
    countries
        Outlines: columns ``iso3`` and ``geometry``, with a row for each code of ``pair``.
    roads, rail, checkpoints
        OSM layers as from :func:`borderzone.osm.pbf.extract_corridor`: ``osm_id`` and
        ``highway`` (roads), ``osm_id`` and ``railway`` (rail), points (checkpoints); the
        other tag columns are used when present. Ways must be whole where they cross.
    admin
        Optional admin areas (``admin_level``, ``name``): adds the names of the level 4
        and level 6 areas on each side.
    pair
        The two ISO3 codes; the border follows the first one's outline.
    merge_within_m
        Crossing points of one kind closer than this are one crossing.
    checkpoint_within_m
        A checkpoint this close to a crossing makes it official.
    continuity_km
        How far from the crossing the roads on each side are compared.
    transit_min_km
        Shortest stretch in the other country that makes a line a transit line.

    Returns
    -------
    geopandas.GeoDataFrame
        One Point per crossing on the border, sorted by ``km``, in EPSG:4326, with
        ``crossing_id`` (``R`` road / ``T`` rail, then the chainage in metres), ``kind``,
        ``km``, ``seg_id``, ``lon``, ``lat``, ``in_gap``, ``direction``
        (``"<A>-><B>"``, ``"<B>-><A>"`` or ``"both"`` along the ways), ``osm_ids``,
        ``n_ways``, ``highway``, ``ref``, ``name``, ``surface_class``,
        ``surface_source``, ``railway``, ``gauge``, ``usage``, ``electrified``,
        ``official``, ``checkpoint_name``, ``local_only``, ``category``, ``transit``,
        ``highway_<A>``, ``surface_<A>``, ``highway_<B>``, ``surface_<B>``,
        ``surface_differs`` and, with ``admin``, ``region_<A>``, ``region_<B>``,
        ``district_<A>``, ``district_<B>``.

    Examples
    --------
    >>> crossings = detect_crossings(border, segments, gaps, countries, roads, rail,
    ...                            checkpoints, admin, pair=["RUS", "KAZ"])  # doctest: +SKIP
    >>> crossings.groupby("kind").size()  # doctest: +SKIP
    """
    if len(pair) != 2 or pair[0] == pair[1]:
        raise InputDataError(f"pair must be two different ISO3 codes, got {list(pair)}")
    code_a, code_b = str(pair[0]), str(pair[1])
    border = _check_layer("border", border, ())
    if len(border) != 1:
        raise InputDataError(f"layer border must have one row, got {len(border)}")
    segments = _check_layer("segments", segments, ("seg_id", "from_km", "to_km"))
    if not isinstance(gaps, pd.DataFrame) or not {"from_km", "to_km"} <= set(gaps.columns):
        raise InputDataError("layer border_gaps lacks column(s) from_km, to_km")
    countries = _check_layer("countries", countries, ("iso3",))
    missing = [c for c in (code_a, code_b) if c not in set(countries["iso3"])]
    if missing:
        raise InputDataError(f"layer countries has no outline for {', '.join(missing)}")
    roads = _check_layer("roads", roads, ("osm_id", "highway"), _ROAD_COLUMNS)
    rail = _check_layer("rail", rail, ("osm_id", "railway"), _RAIL_COLUMNS)
    checkpoints = _check_layer("checkpoints", checkpoints, (), _CP_COLUMNS)
    if admin is not None:
        admin = _check_layer("admin", admin, ("admin_level", "name"))
    for name, value in (
        ("merge_within_m", merge_within_m),
        ("checkpoint_within_m", checkpoint_within_m),
        ("continuity_km", continuity_km),
        ("transit_min_km", transit_min_km),
    ):
        if not value >= 0:
            raise InputDataError(f"{name} must be zero or positive, got {value!r}")

    frame = _frame(border, countries, (code_a, code_b))
    tables = [
        _crossings_of_kind(
            frame,
            kind,
            lines,
            pair=(code_a, code_b),
            merge_within_m=merge_within_m,
            continuity_km=continuity_km,
            transit_min_km=transit_min_km,
        )
        for kind, lines in (("road", roads), ("rail", rail))
    ]
    return _assemble(
        frame, tables, segments, gaps, checkpoints, admin, (code_a, code_b), checkpoint_within_m
    )


def _crossings_of_kind(
    frame: _Frame,
    kind: str,
    lines: gpd.GeoDataFrame,
    *,
    pair: tuple[str, str],
    merge_within_m: float,
    continuity_km: float,
    transit_min_km: float,
) -> pd.DataFrame:
    """Find and merge the crossings of one kind; take their attributes from their ways."""
    code_a, code_b = pair
    direction = {1: f"{code_a}->{code_b}", 2: f"{code_b}->{code_a}"}
    raw = _detect(frame, lines)
    if raw.empty:
        return pd.DataFrame({"x": [], "y": [], "kind": []})
    raw["label"] = _merge(raw, within_m=merge_within_m)
    at = lines.iloc[raw["way"].to_numpy()]
    raw["rank"] = road_rank(at["highway"]) if kind == "road" else _rail_rank(at)
    raw["osm_id"] = lines["osm_id"].to_numpy()[raw["way"].to_numpy()]
    raw["dir"] = raw["side_from"].map(direction)
    raw = raw.sort_values(["label", "rank", "osm_id"], kind="stable")
    per = raw.groupby("label", sort=True)
    rep = raw.drop_duplicates("label").set_index("label").sort_index()
    ids = per["osm_id"].agg(lambda s: ",".join(str(i) for i in sorted(set(s))))
    dirs = per["dir"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "both")
    transit = _transit(frame, lines, raw, min_km=transit_min_km)
    way = rep["way"].to_numpy()
    t = pd.DataFrame(
        {
            "kind": kind,
            "x": rep["x"].to_numpy(),
            "y": rep["y"].to_numpy(),
            "direction": dirs.to_numpy(),
            "osm_ids": ids.to_numpy(),
            "n_ways": per["osm_id"].nunique().to_numpy(),
            "ref": lines["ref"].to_numpy()[way],
            "name": lines["name"].to_numpy()[way],
            "transit": transit.loc[rep.index].to_numpy(),
        }
    )
    near = {}
    for s in (1, 2):
        from_s = (rep["side_from"] == s).to_numpy()
        near[s] = np.where(
            from_s[:, None],
            np.stack(rep["xy_from"].to_numpy()),
            np.stack(rep["xy_to"].to_numpy()),
        )
    t["_near1"], t["_near2"] = list(near[1]), list(near[2])
    if kind == "road":
        top = lines.iloc[way]
        cls, src = surface_class(
            top["highway"], top["surface"], top["tracktype"], top["smoothness"]
        )
        t["highway"] = top["highway"].to_numpy()
        t["surface_class"] = cls.to_numpy()
        t["surface_source"] = src.to_numpy()
        members = per["way"].agg(lambda s: np.unique(s.to_numpy()))
        cont = _continuity(
            frame,
            lines,
            list(members.to_numpy()),
            t["x"].to_numpy(),
            t["y"].to_numpy(),
            radius_m=continuity_km * 1000,
        )
        t[[f"highway_{code_a}", f"surface_{code_a}", f"highway_{code_b}", f"surface_{code_b}"]] = (
            cont[["hw1", "sf1", "hw2", "sf2"]].to_numpy()
        )
    else:
        for col in ("railway", "gauge", "usage", "electrified"):
            t[col] = lines[col].to_numpy()[way]
    log.info(
        "%d %s crossings from %d crossing points of %d ways",
        len(t),
        kind,
        len(raw),
        raw["way"].nunique(),
    )
    return t


_OUT_COLUMNS = (
    "crossing_id kind km seg_id lon lat in_gap direction osm_ids n_ways highway ref name "
    "surface_class surface_source railway gauge usage electrified official checkpoint_name "
    "local_only category transit"
).split()


def _assemble(
    frame: _Frame,
    tables: list[pd.DataFrame],
    segments: gpd.GeoDataFrame,
    gaps: pd.DataFrame,
    checkpoints: gpd.GeoDataFrame,
    admin: gpd.GeoDataFrame | None,
    pair: tuple[str, str],
    checkpoint_within_m: float,
) -> gpd.GeoDataFrame:
    code_a, code_b = pair
    cont_cols = [f"highway_{code_a}", f"surface_{code_a}", f"highway_{code_b}", f"surface_{code_b}"]
    admin_cols = (
        [f"{t}_{c}" for t in ("region", "district") for c in pair] if admin is not None else []
    )
    columns = _OUT_COLUMNS + cont_cols + ["surface_differs"] + admin_cols
    tables = [t for t in tables if len(t)]
    t = (
        pd.concat(tables, ignore_index=True)
        if tables
        else pd.DataFrame({"x": [], "y": [], "kind": []})
    )
    for col in (*_OUT_COLUMNS, *cont_cols, "_near1", "_near2"):
        if col not in t:
            t[col] = pd.Series([None] * len(t), dtype=object)
    x, y = t["x"].to_numpy(float), t["y"].to_numpy(float)
    t["km"], t["lon"], t["lat"] = _locate(frame, x, y)
    seg = segments.sort_values("from_km")
    pos = np.clip(
        np.searchsorted(seg["from_km"].to_numpy(), t["km"].to_numpy(), side="right") - 1,
        0,
        max(len(seg) - 1, 0),
    )
    t["seg_id"] = seg["seg_id"].to_numpy()[pos] if len(seg) else None
    km = t["km"].to_numpy()[:, None]
    g0, g1 = gaps["from_km"].to_numpy(float), gaps["to_km"].to_numpy(float)
    t["in_gap"] = ((km >= g0 - 1e-9) & (km <= g1 + 1e-9)).any(axis=1) if len(gaps) else False
    cp = _checkpoints(frame, checkpoints, x, y, t["kind"].to_numpy(), within_m=checkpoint_within_m)
    t[cp.columns] = cp.to_numpy()
    road = (t["kind"] == "road").to_numpy()
    official = t["official"].astype(bool).to_numpy()
    local = t["local_only"].astype(bool).to_numpy()
    t["category"] = np.select(
        [
            road & official & local,
            road & official,
            road & (t["highway"] == "track").to_numpy(),
            road,
            official,
        ],
        [
            "local checkpoint",
            "international checkpoint",
            "track",
            "road without checkpoint",
            "rail checkpoint",
        ],
        "rail without checkpoint",
    )
    t["surface_differs"] = (
        road
        & (
            (t[cont_cols[0]] != t[cont_cols[2]]).to_numpy()
            | (t[cont_cols[1]] != t[cont_cols[3]]).to_numpy()
        )
        & t[cont_cols[0]].notna().to_numpy()
        & t[cont_cols[2]].notna().to_numpy()
    )
    if admin is not None:
        near = {
            s: np.stack(t[f"_near{s}"].to_numpy()) if len(t) else np.zeros((0, 2)) for s in (1, 2)
        }
        names = _admin_names(frame, admin, near, x, y)
        for (tag, s), values in names.items():
            t[f"{tag}_{pair[s - 1]}"] = values
    letter = np.where(road, "R", "T")
    base = pd.Series(
        [
            f"{k}{m:d}"
            for k, m in zip(
                letter, np.round(t["km"].to_numpy() * 1000).astype(np.int64), strict=True
            )
        ]
    )
    t = t.assign(crossing_id=base).sort_values(["km", "kind"], kind="stable").reset_index(drop=True)
    dup = t.groupby("crossing_id").cumcount()
    t.loc[dup > 0, "crossing_id"] = t["crossing_id"] + "-" + (dup + 1).astype(str)
    for col in ("official", "local_only", "transit", "in_gap", "surface_differs"):
        t[col] = t[col].fillna(False).astype(bool)
    t["n_ways"] = t["n_ways"].fillna(0).astype("int64")
    text = ["crossing_id", "kind", "direction", "osm_ids", "highway", "ref", "name"]
    text += ["surface_class", "surface_source", "railway", "gauge", "usage", "electrified"]
    text += ["checkpoint_name", "category", *cont_cols]
    for col in text:  # tag values stay str or None, as in the OSM layers
        t[col] = t[col].astype(object).where(t[col].notna(), None)
    t["seg_id"] = t["seg_id"].astype("int64") if len(t) else t["seg_id"]
    out = gpd.GeoDataFrame(
        t[columns],
        geometry=shapely.points(t["lon"].to_numpy(float), t["lat"].to_numpy(float)),
        crs=WGS84,
    )
    log.info(
        "%d crossings: %d road, %d rail, %d official",
        len(out),
        int((out["kind"] == "road").sum()),
        int((out["kind"] == "rail").sum()),
        int(out["official"].sum()),
    )
    return out


def summarise_crossings(
    crossings: gpd.GeoDataFrame,
    *,
    roads: gpd.GeoDataFrame | None = None,
    by_region: bool = False,
) -> pd.DataFrame:
    """Count crossings the way published figures are given, in one long table.

    Parameters
    ----------
    crossings
        Output of :func:`detect_crossings`.
    roads
        Roads of the corridor (clipped to it): adds their geodesic length in km, in all
        and per class.
    by_region
        Also give the counts per pair of level 4 regions (``region_<A>``, ``region_<B>``).

    Returns
    -------
    pandas.DataFrame
        Columns ``scope`` (``"border"`` or ``"<region A> | <region B>"``), ``group``
        (``headline``, ``kind``, ``highway``, ``surface_class``, ``category``, ``flag``,
        ``road_km``), ``item``, ``value``, ``key`` (of the headline rows, as in
        :data:`HEADLINES`) and ``published`` (the figure in :data:`PUBLISHED` for the
        headline rows of the whole border, else NaN). The
        headlines are ``road crossings``, ``rail lines`` (rail crossings grouped by
        ``ref``, else ``name``), ``trunk highways`` (``highway`` motorway or trunk, links
        included) and ``dirt roads`` (``surface_class`` unpaved).
    """
    need = {"kind", "highway", "surface_class", "category", "ref", "name", "crossing_id"}
    missing = sorted(need - set(crossings.columns))
    if missing:
        raise InputDataError(f"crossings lack column(s) {', '.join(missing)}")
    rows: list[tuple[str, str, str, float]] = []

    def count(scope: str, c: pd.DataFrame) -> None:
        road, rail = c[c["kind"] == "road"], c[c["kind"] == "rail"]
        line = rail["ref"].where(rail["ref"].notna() & (rail["ref"] != ""), rail["name"])
        line = line.where(line.notna() & (line != ""), rail["crossing_id"])
        base = road["highway"].astype(object).where(road["highway"].notna(), "")
        base = base.astype(str).str.removesuffix("_link")
        rows.extend(
            [
                (scope, "headline", "road crossings", len(road)),
                (scope, "headline", "rail lines", line.nunique()),
                (scope, "headline", "trunk highways", int(base.isin(["motorway", "trunk"]).sum())),
                (scope, "headline", "dirt roads", int((road["surface_class"] == "unpaved").sum())),
                (scope, "kind", "road", len(road)),
                (scope, "kind", "rail", len(rail)),
            ]
        )
        order = road_rank(pd.Series(sorted(road["highway"].dropna().unique()), dtype=object))
        classes = sorted(road["highway"].dropna().unique())
        for _, hw in sorted(zip(order, classes, strict=True)):
            rows.append((scope, "highway", hw, int((road["highway"] == hw).sum())))
        for sc in ("paved", "unpaved", "unknown"):
            rows.append((scope, "surface_class", sc, int((road["surface_class"] == sc).sum())))
        for cat in CATEGORIES:
            rows.append((scope, "category", cat, int((c["category"] == cat).sum())))
        for flag in ("official", "local_only", "transit", "in_gap", "surface_differs"):
            if flag in c:
                rows.append((scope, "flag", flag, int(c[flag].fillna(False).astype(bool).sum())))

    count("border", crossings)
    if roads is not None:
        if "highway" not in roads or roads.crs is None:
            raise InputDataError("roads for the summary need a CRS and a highway column")
        lengths = geodesic_length_km(np.asarray(roads.to_crs(WGS84).geometry.array, dtype=object))
        per = pd.Series(lengths).groupby(roads["highway"].to_numpy()).sum()
        rows.append(("border", "road_km", "all", float(lengths.sum())))
        ranked = sorted(zip(road_rank(pd.Series(per.index, dtype=object)), per.index, strict=True))
        for _, hw in ranked:
            rows.append(("border", "road_km", hw, float(per[hw])))
    if by_region:
        cols = [c for c in crossings.columns if c.startswith("region_")]
        if len(cols) != 2:
            raise InputDataError("by_region needs the region_<A> and region_<B> columns of admin")
        keyed = crossings.assign(
            _scope=crossings[cols[0]].fillna("?").astype(str)
            + " | "
            + crossings[cols[1]].fillna("?").astype(str)
        )
        for scope, c in keyed.groupby("_scope", sort=True):
            count(str(scope), c)
    out = pd.DataFrame(rows, columns=["scope", "group", "item", "value"])
    headline = (out["group"] == "headline").to_numpy()
    out["key"] = np.where(headline, out["item"].map(HEADLINES), None)
    published = out["key"].map(PUBLISHED).astype(float)
    out["published"] = published.where(headline & (out["scope"] == "border").to_numpy())
    return out


def find_crossings(
    border_layers: Mapping[str, gpd.GeoDataFrame],
    countries: gpd.GeoDataFrame,
    osm: Mapping[str, gpd.GeoDataFrame],
    *,
    pair: Sequence[str],
    merge_within_m: float = 100.0,
    checkpoint_within_m: float = 2000.0,
    continuity_km: float = 5.0,
    transit_min_km: float = 10.0,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """Crossings of the border with their summary tables, for the workflow.

    Parameters
    ----------
    border_layers
        ``border``, ``border_gaps`` and ``segments`` (the layers of ``border.gpkg``).
    countries
        The two outlines.
    osm
        Corridor layers ``roads``, ``rail``, ``checkpoints`` and ``admin``.
    pair, merge_within_m, checkpoint_within_m, continuity_km, transit_min_km
        See :func:`detect_crossings`.

    Returns
    -------
    crossings, summary, by_region
        The crossings; the summary for the whole border (with the roads of the corridor);
        the summary per pair of facing level 4 regions (empty without admin areas).
    """
    admin = osm.get("admin")
    crossings = detect_crossings(
        border_layers["border"],
        border_layers["segments"],
        border_layers["border_gaps"],
        countries,
        osm["roads"],
        osm["rail"],
        osm["checkpoints"],
        admin if admin is not None and len(admin) else None,
        pair=pair,
        merge_within_m=merge_within_m,
        checkpoint_within_m=checkpoint_within_m,
        continuity_km=continuity_km,
        transit_min_km=transit_min_km,
    )
    summary = summarise_crossings(crossings, roads=osm["roads"])
    has_regions = all(f"region_{code}" in crossings.columns for code in pair)
    by_region = (
        summarise_crossings(crossings, by_region=True)
        if has_regions
        else pd.DataFrame(columns=summary.columns)
    )
    return crossings, summary, by_region
