"""Where roads and railways cross the border: detection, merging, and the chainage.

Published rules
---------------
Detection (:func:`detect_crossings`), in a conformal conic fitted to the border, after
densifying every input to 0.01° edges (:mod:`borderzone.crossings.frame`):

1. Only ways whose lines intersect an edge of the border are looked at (a spatial index of
   the border's two-point edges; no loop over all ways).
2. Each vertex of such a way gets a side: the first country when its outline contains the
   vertex, else the second country when its outline does, else none (sea, sliver between
   the outlines, a bridged gap, a third country). Vertices within
   :data:`~borderzone.crossings.frame.ON_BORDER_M` of the border line also get none, and
   so do vertices more than 2° outside the border's bounding box (the outlines are clipped
   to it).
3. Vertices without a side are dropped; every change of side between consecutive remaining
   vertices of a way is one crossing, placed where that stretch of the way meets the border
   (the middle meeting point along the way if there are several; no crossing if there is
   none, e.g. a way that went round the end of the border through a third country). A way
   that touches the border and turns back, or runs along it, never changes side.
4. Crossing points of the same kind within ``merge_within_m`` of each other (transitively)
   are one crossing listing every way: dual carriageways, links, parallel tracks. Its point
   is that of its highest-ranked way (:func:`borderzone.osm.schema.road_rank`; rail:
   ``railway`` in :data:`RAIL_ORDER`, then ``usage`` in :data:`USAGE_ORDER`), the lowest
   ``osm_id`` among equals.

Each crossing is then placed on the chainage (``km``, geodesic, from the start of the border
line; :meth:`~borderzone.crossings.frame.Frame.locate`), in its segment (``seg_id``) and,
when its ``km`` falls in a bridged gap, flagged ``in_gap``.
What kind of crossing each is follows the rules of :mod:`borderzone.crossings.attributes`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crossings.attributes import assemble_crossings, way_attributes
from borderzone.crossings.frame import Frame, border_frame
from borderzone.crossings.graph import components
from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.geodesy import single_parts
from borderzone.osm.schema import road_rank

log = logging.getLogger(__name__)

RAIL_ORDER: tuple[str, ...] = ("rail", "narrow_gauge", "light_rail")
"""Railway values from highest to lowest."""

USAGE_ORDER: tuple[str, ...] = ("main", "branch", "industrial", "military", "tourism", "test")
"""Railway ``usage`` values from highest to lowest (ranked after ``railway``)."""

_ROAD_COLUMNS = ("surface", "tracktype", "smoothness", "ref", "name")
_RAIL_COLUMNS = ("gauge", "usage", "electrified", "ref", "name")
_CP_COLUMNS = ("barrier", "government", "railway", "border_control", "name")


def _rail_rank(rail: pd.DataFrame) -> np.ndarray:
    railway = rail["railway"].map({c: i for i, c in enumerate(RAIL_ORDER)})
    usage = rail["usage"].map({c: i for i, c in enumerate(USAGE_ORDER)})
    railway = railway.fillna(len(RAIL_ORDER)).to_numpy(float)
    usage = usage.fillna(len(USAGE_ORDER)).to_numpy(float)
    return railway * 10 + usage


def _no_crossings() -> pd.DataFrame:
    return pd.DataFrame({"x": [], "y": [], "kind": []})


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
# detection and merging


def _detect(frame: Frame, lines: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per change of side of a way at the border (before merging)."""
    columns = ["way", "x", "y", "side_from", "xy_from", "xy_to", "ll_from", "ll_to"]
    empty = pd.DataFrame({c: [] for c in columns})
    if len(lines) == 0:
        return empty
    geoms = np.asarray(lines.geometry.array, dtype=object)
    parts, way_of = single_parts(geoms)
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
    return components(len(raw), a, b)


def _crossings_of_kind(
    frame: Frame,
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
        return _no_crossings()
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
    t = pd.DataFrame(
        {
            "kind": kind,
            "x": rep["x"].to_numpy(),
            "y": rep["y"].to_numpy(),
            "direction": dirs.to_numpy(),
            "osm_ids": ids.to_numpy(),
            "n_ways": per["osm_id"].nunique().to_numpy(),
        }
    )
    t = t.join(
        way_attributes(
            frame,
            kind,
            lines,
            raw,
            rep,
            pair=pair,
            continuity_km=continuity_km,
            transit_min_km=transit_min_km,
        )
    )
    log.info(
        "%d %s crossings from %d crossing points of %d ways",
        len(t),
        kind,
        len(raw),
        raw["way"].nunique(),
    )
    return t


# --------------------------------------------------------------------------------------
# on the chainage


def _locate(
    frame: Frame, tables: list[pd.DataFrame], segments: gpd.GeoDataFrame, gaps: pd.DataFrame
) -> pd.DataFrame:
    """Join the crossings of both kinds; add ``km``, ``lon``, ``lat``, ``seg_id``, ``in_gap``."""
    tables = [t for t in tables if len(t)]
    t = pd.concat(tables, ignore_index=True) if tables else _no_crossings()
    t["km"], t["lon"], t["lat"] = frame.locate(t["x"].to_numpy(float), t["y"].to_numpy(float))
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
    return t


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

    The rules are published in the documentation of this module and of
    :mod:`borderzone.crossings.attributes`.

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
    codes = (str(pair[0]), str(pair[1]))
    border = _check_layer("border", border, ())
    if len(border) < 1:
        raise InputDataError("layer border has no row")
    segments = _check_layer("segments", segments, ("seg_id", "from_km", "to_km"))
    if not isinstance(gaps, pd.DataFrame) or not {"from_km", "to_km"} <= set(gaps.columns):
        raise InputDataError("layer border_gaps lacks column(s) from_km, to_km")
    countries = _check_layer("countries", countries, ("iso3",))
    missing = [c for c in codes if c not in set(countries["iso3"])]
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

    frame = border_frame(border, countries, codes)
    tables = [
        _crossings_of_kind(
            frame,
            kind,
            lines,
            pair=codes,
            merge_within_m=merge_within_m,
            continuity_km=continuity_km,
            transit_min_km=transit_min_km,
        )
        for kind, lines in (("road", roads), ("rail", rail))
    ]
    return assemble_crossings(
        frame,
        _locate(frame, tables, segments, gaps),
        checkpoints,
        admin,
        pair=codes,
        checkpoint_within_m=checkpoint_within_m,
    )
