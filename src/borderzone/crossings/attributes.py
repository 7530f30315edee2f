"""What kind of crossing each is, and the columns of the crossings layer.

Published rules
---------------
Surface: ``surface_class`` and ``surface_source`` of a crossing (from its way) and
``surface_<iso3>`` of each side follow :func:`borderzone.osm.schema.surface_class`.

Checkpoints: a crossing is ``official`` when a checkpoint lies within
``checkpoint_within_m`` of its point (for roads a ``railway=border`` node alone does not
count), ``local_only`` when every such checkpoint has ``border_control`` in
:data:`LOCAL_BORDER_CONTROL`.

Category (:data:`CATEGORIES`), first that applies: a road crossing is a ``local
checkpoint`` when ``official`` and ``local_only``, an ``international checkpoint`` when
``official``, a ``track`` when its ``highway`` is ``track``, else a ``road without
checkpoint``; a rail crossing is a ``rail checkpoint`` when ``official``, else a ``rail
without checkpoint``.

Transit: same-kind ways are grouped into routes (same ``ref``, else same ``name``, else
the way alone) and joined where they share a vertex; edges that change side or touch a
vertex without a side are removed. A remaining piece (all in one country) that holds an
end of at least two crossings of its route and is at least ``transit_min_km`` long makes
those crossings ``transit``: the line leaves a country and comes back into it.

Continuity: on each side, among the crossing's ways and the ways sharing a vertex with
them, the one with the longest length on that side within ``continuity_km`` of the
crossing gives ``highway_<iso3>`` and ``surface_<iso3>``; ``surface_differs`` is set when
the class or the surface class differs between the sides.

Admin names: on each side, the level 4 (``region_<iso3>``) and level 6
(``district_<iso3>``) area of that side that holds the crossing way's vertex next to the
border on that side, else the area of that side nearest the crossing.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crossings.frame import Frame
from borderzone.crossings.graph import components
from borderzone.crs import WGS84
from borderzone.osm.schema import road_rank, surface_class

log = logging.getLogger(__name__)

LOCAL_BORDER_CONTROL = frozenset({"small_border_traffic", "local", "local_traffic"})
"""``border_control`` values of checkpoints open to local traffic only."""

CONTINUITY_STEP_M = 100.0
"""Ways are cut into edges this long to measure their length on each side."""

CATEGORIES: tuple[str, ...] = (
    "international checkpoint",
    "local checkpoint",
    "road without checkpoint",
    "track",
    "rail checkpoint",
    "rail without checkpoint",
)
"""Crossing categories, roads then rail, in legend order."""

_OUT_COLUMNS = (
    "crossing_id kind km seg_id lon lat in_gap direction osm_ids n_ways highway ref name "
    "surface_class surface_source railway gauge usage electrified official checkpoint_name "
    "local_only category transit"
).split()

FLAGS: tuple[str, ...] = ("official", "local_only", "transit", "in_gap", "surface_differs")
"""The boolean columns of the crossings layer."""


def continuity_columns(pair: tuple[str, str]) -> list[str]:
    """``highway_<A>``, ``surface_<A>``, ``highway_<B>``, ``surface_<B>``."""
    return [f"{tag}_{code}" for code in pair for tag in ("highway", "surface")]


def _nones(n: int) -> pd.Series:
    return pd.Series([None] * n, dtype=object)


def _osm_grid(ll: np.ndarray) -> np.ndarray:
    """Lon/lat as int64 at OSM precision (1e-7°)."""
    return np.round(ll * 1e7).astype(np.int64)


def _surface(tags: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    return surface_class(tags["highway"], tags["surface"], tags["tracktype"], tags["smoothness"])


def _route_key(lines: pd.DataFrame) -> pd.Series:
    """Route identity of each way: its ref, else its name, else its id."""

    def clean(s: pd.Series) -> pd.Series:
        s = s.astype(object).where(s.notna(), "").astype(str).str.strip()
        return s.where(s != "")

    ref, name = clean(lines["ref"]), clean(lines["name"])
    key = ("ref:" + ref).fillna("name:" + name)
    return key.fillna("id:" + lines["osm_id"].astype(str))


# --------------------------------------------------------------------------------------
# per kind, from the ways


def way_attributes(
    frame: Frame,
    kind: str,
    lines: gpd.GeoDataFrame,
    raw: pd.DataFrame,
    rep: pd.DataFrame,
    *,
    pair: tuple[str, str],
    continuity_km: float,
    transit_min_km: float,
) -> pd.DataFrame:
    """Take the attributes of the crossings of one kind from their ways.

    Parameters
    ----------
    frame
        The border in the working CRS.
    kind
        ``road`` or ``rail``.
    lines
        The ways of that kind, as checked by
        :func:`borderzone.crossings.detect.detect_crossings`.
    raw
        The crossing points: ``way``, ``label`` (of the merged crossing), ``side_from``,
        ``xy_from``, ``xy_to``, ``ll_from``, ``ll_to``.
    rep
        The point of each merged crossing, by label in order: ``way``, ``x``, ``y``,
        ``side_from``, ``xy_from``, ``xy_to``.
    pair, continuity_km, transit_min_km
        See :func:`borderzone.crossings.detect.detect_crossings`.

    Returns
    -------
    pandas.DataFrame
        One row per row of ``rep`` (with a RangeIndex): ``ref``, ``name``, ``transit``,
        ``_near1`` and ``_near2`` (the way's vertex next to the border on each side) and,
        for roads, ``highway``, ``surface_class``, ``surface_source`` and the
        :func:`continuity_columns`, for rail, ``railway``, ``gauge``, ``usage``,
        ``electrified``.
    """
    transit = _transit(frame, lines, raw, min_km=transit_min_km)
    way = rep["way"].to_numpy()
    t = pd.DataFrame(
        {
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
        cls, src = _surface(top)
        t["highway"] = top["highway"].to_numpy()
        t["surface_class"] = cls.to_numpy()
        t["surface_source"] = src.to_numpy()
        members = raw.groupby("label", sort=True)["way"].agg(lambda s: np.unique(s.to_numpy()))
        cont = _continuity(
            frame,
            lines,
            list(members.to_numpy()),
            rep["x"].to_numpy(),
            rep["y"].to_numpy(),
            radius_m=continuity_km * 1000,
        )
        t[continuity_columns(pair)] = cont[["hw1", "sf1", "hw2", "sf2"]].to_numpy()
    else:
        for col in ("railway", "gauge", "usage", "electrified"):
            t[col] = lines[col].to_numpy()[way]
    return t


def _transit(
    frame: Frame, lines: gpd.GeoDataFrame, raw: pd.DataFrame, *, min_km: float
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
    ikey = np.column_stack([codes[owner], _osm_grid(ll)])
    node_keys, node = np.unique(ikey, axis=0, return_inverse=True)
    node = node.ravel()
    v = np.arange(len(xy) - 1)
    keep = (part[v] == part[v + 1]) & (side[v] == side[v + 1]) & (side[v] != 0)
    v = v[keep]
    length = np.hypot(*(xy[v + 1] - xy[v]).T)
    comp = components(len(node_keys), node[v], node[v + 1])
    comp_m = np.bincount(comp[node[v]], weights=length, minlength=comp.max() + 1)
    # the nodes at the two ends of each crossing stretch
    rows = np.flatnonzero(pd.Series(r_route).isin(keys).to_numpy())
    ends = []
    for col in ("ll_from", "ll_to"):
        e = _osm_grid(np.stack(raw[col].to_numpy()[rows]))
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
    q = _osm_grid(ll)
    return q[:, 0] * 4_000_000_000 + q[:, 1], idx


def _continuity(
    frame: Frame,
    roads: gpd.GeoDataFrame,
    ways: list[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    radius_m: float,
) -> pd.DataFrame:
    """Class and surface class of the longest way of each crossing's road on each side."""
    n = len(ways)
    out = pd.DataFrame({c: _nones(n) for c in ("hw1", "sf1", "hw2", "sf2")})
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
    cls, _ = _surface(tags)
    for s in (1, 2):
        b = (best["side"] == s).to_numpy()
        out.loc[best["c"].to_numpy()[b], f"hw{s}"] = tags["highway"].to_numpy()[b]
        out.loc[best["c"].to_numpy()[b], f"sf{s}"] = cls.to_numpy()[b]
    return out


# --------------------------------------------------------------------------------------
# all crossings, at their points


def _checkpoints(
    frame: Frame,
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
            "checkpoint_name": _nones(n),
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
    found = per.size().index
    out.loc[found, "official"] = True
    out.loc[found, "local_only"] = per["local"].all().to_numpy()
    out.loc[found, "checkpoint_name"] = per["name"].first().to_numpy()
    return out


def _category(t: pd.DataFrame) -> np.ndarray:
    """Give the category of each crossing (:data:`CATEGORIES`)."""
    international, local_cp, road_without, track, rail_cp, rail_without = CATEGORIES
    road = (t["kind"] == "road").to_numpy()
    official = t["official"].astype(bool).to_numpy()
    local = t["local_only"].astype(bool).to_numpy()
    return np.select(
        [
            road & official & local,
            road & official,
            road & (t["highway"] == "track").to_numpy(),
            road,
            official,
        ],
        [local_cp, international, track, road_without, rail_cp],
        rail_without,
    )


def _admin_names(
    frame: Frame,
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
    geoms = frame.project_areas(np.asarray(areas.geometry.array, dtype=object))
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


def _crossing_ids(kind: pd.Series, km: np.ndarray) -> pd.Series:
    """``R`` (road) or ``T`` (rail), then the chainage in metres."""
    letter = np.where((kind == "road").to_numpy(), "R", "T")
    metres = np.round(km * 1000).astype(np.int64)
    return pd.Series([f"{k}{m:d}" for k, m in zip(letter, metres, strict=True)])


def assemble_crossings(
    frame: Frame,
    located: pd.DataFrame,
    checkpoints: gpd.GeoDataFrame,
    admin: gpd.GeoDataFrame | None,
    *,
    pair: tuple[str, str],
    checkpoint_within_m: float,
) -> gpd.GeoDataFrame:
    """Add the attributes taken at the crossing points; give the layer its columns and ids.

    Parameters
    ----------
    frame
        The border in the working CRS.
    located
        The crossings of both kinds, each with the columns of :func:`way_attributes`
        and ``kind``, ``x``, ``y``, ``direction``, ``osm_ids``, ``n_ways``, ``km``,
        ``lon``, ``lat``, ``seg_id``, ``in_gap``.
    checkpoints, admin
        As checked by :func:`borderzone.crossings.detect.detect_crossings`.
    pair, checkpoint_within_m
        See :func:`borderzone.crossings.detect.detect_crossings`.

    Returns
    -------
    geopandas.GeoDataFrame
        The crossings layer described in :func:`borderzone.crossings.detect.detect_crossings`.
    """
    cont_cols = continuity_columns(pair)
    admin_cols = (
        [f"{t}_{c}" for t in ("region", "district") for c in pair] if admin is not None else []
    )
    columns = _OUT_COLUMNS + cont_cols + ["surface_differs"] + admin_cols
    t = located.copy()
    for col in (*_OUT_COLUMNS, *cont_cols, "_near1", "_near2"):
        if col not in t:
            t[col] = _nones(len(t))
    x, y = t["x"].to_numpy(float), t["y"].to_numpy(float)
    cp = _checkpoints(frame, checkpoints, x, y, t["kind"].to_numpy(), within_m=checkpoint_within_m)
    t[cp.columns] = cp.to_numpy()
    t["category"] = _category(t)
    t["surface_differs"] = (
        (t["kind"] == "road").to_numpy()
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
    t = t.assign(crossing_id=_crossing_ids(t["kind"], t["km"].to_numpy()))
    t = t.sort_values(["km", "kind"], kind="stable").reset_index(drop=True)
    dup = t.groupby("crossing_id").cumcount()
    t.loc[dup > 0, "crossing_id"] = t["crossing_id"] + "-" + (dup + 1).astype(str)
    for col in FLAGS:
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
