"""Lines that run through the other country, beside the article's transit lines.

Published rule
--------------
A transit route is a route (``ref``, else ``name``) whose crossings are ``transit``
(:mod:`borderzone.crossings.attributes`). Its ways of the OSM corridor are cut by each
country's outline; a piece whose two ends lie within :data:`END_M` of two different
crossings of the route is a stretch through that country (of two parallel tracks between
the same two crossings, the longer counts). Its geodesic length is the km the route runs
in that country, and the level 4 regions of that country it meets are the regions it
enters. A stretch that leaves the corridor (``osm.corridor_km`` on each side) is cut at
its edge and cannot be measured: the row says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crs import WGS84
from borderzone.geodesy import GEOD, geodesic_length_km
from borderzone.osm.clip import clip_lines
from borderzone.published import PublishedFigure, article_statements, match_region

END_M = 1000.0
"""A stretch's end within this distance of a crossing of its route ends at that crossing."""

TRANSIT_COLUMNS = [
    "kind",
    "route",
    "name",
    "crossings",
    "crossing_km",
    "regions_at_crossings",
    "through",
    "km_through",
    "regions_entered",
    "article",
    "article_value",
    "article_source",
    "note",
]
_LAYER = {"road": "roads", "rail": "rail"}
TRANSIT_LINE_COLUMNS = ("osm_id", "ref", "name")
"""The columns of the corridor's roads and rail that :func:`transit_table` reads."""


def _transit(crossings: pd.DataFrame) -> pd.DataFrame:
    """Select the transit crossings, each with its route (``_route``)."""
    c = pd.DataFrame(crossings).drop(columns="geometry", errors="ignore")
    t = c[c["transit"].fillna(False).astype(bool)] if "transit" in c else c.iloc[:0]
    return t.assign(_route=_key(t, "crossing_id"))


def transit_line_rows(crossings: pd.DataFrame) -> dict[str, list[str]]:
    """Name the rows of the corridor's lines that :func:`transit_table` reads.

    Each of :data:`TRANSIT_LINE_COLUMNS` with the transit routes (the ``any_in`` of
    :func:`borderzone.io.read_parquet`): a way's route is one of its ``ref``, ``name`` or
    ``osm_id``, so the ways of no transit route are never decoded.
    """
    routes = sorted(set(_transit(crossings)["_route"]))
    return {column: routes for column in TRANSIT_LINE_COLUMNS}


def _key(frame: pd.DataFrame, fallback: str) -> pd.Series:
    ref = frame["ref"] if "ref" in frame else pd.Series(None, index=frame.index)
    name = frame["name"] if "name" in frame else pd.Series(None, index=frame.index)
    key = ref.where(ref.notna() & (ref != ""), name)
    return key.where(key.notna() & (key != ""), frame[fallback].astype(str)).astype(str)


def _stretches(
    ways: gpd.GeoDataFrame, outline: shapely.Geometry, points: np.ndarray
) -> tuple[float, list[shapely.Geometry]]:
    """Km through one country between two different crossings, and the stretches."""
    if ways.empty:
        return 0.0, []
    inside = clip_lines(ways, outline)
    if inside.empty:
        return 0.0, []
    merged = shapely.line_merge(shapely.union_all(inside.geometry.values))
    best: dict[tuple[int, int], tuple[float, shapely.Geometry]] = {}
    for part in shapely.get_parts(merged):
        coords = shapely.get_coordinates(part)
        ends = []
        for lon, lat in (coords[0], coords[-1]):
            _, _, d = GEOD.inv(
                np.full(len(points), lon), np.full(len(points), lat), points[:, 0], points[:, 1]
            )
            i = int(np.argmin(d))
            ends.append(i if d[i] <= END_M else -1)
        if -1 in ends or ends[0] == ends[1]:
            continue
        km = float(geodesic_length_km(part))
        key = tuple(sorted(ends))
        if km > best.get(key, (0.0, None))[0]:
            best[key] = (km, part)
    return sum(km for km, _ in best.values()), [g for _, g in best.values()]


def transit_table(
    crossings: pd.DataFrame,
    *,
    lines: Mapping[str, gpd.GeoDataFrame],
    countries: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame | None,
    pair: Sequence[str],
    corridor_km: float,
    synthetic: bool = False,
) -> pd.DataFrame:
    """Each transit route: the km it runs in the other country and the regions it enters.

    Parameters
    ----------
    crossings
        The crossings (``kind``, ``transit``, ``ref``, ``name``, ``km``, ``lon``, ``lat``,
        ``region_<iso3>``).
    lines
        Corridor ``roads`` and ``rail`` (:data:`TRANSIT_LINE_COLUMNS`).
    countries
        The two outlines (``iso3``).
    regions
        Level 4 regions along the border (``side``, ``name``), or None.
    pair
        The two ISO3 codes.
    corridor_km
        The OSM corridor's width on each side (said where a stretch leaves it).
    synthetic
        The roads and railways are synthetic.

    Returns
    -------
    pandas.DataFrame
        :data:`TRANSIT_COLUMNS`: one row per transit route and country it runs through,
        then the article's transit lines not matched by any route (for Russia–Kazakhstan).
    """
    t = _transit(crossings)
    suffix = "; the run's roads and railways are synthetic" if synthetic else ""
    rows = []
    routes = {}  # each layer's ways and their route keys, once for all routes
    for kind, name in _LAYER.items():
        layer = lines.get(name)
        if layer is not None and len(layer) and "osm_id" in layer:
            layer = layer.to_crs(WGS84)
            routes[kind] = (layer, _key(layer, "osm_id").to_numpy())
    for (kind, route), g in t.groupby(["kind", "_route"], sort=True):
        ways = gpd.GeoDataFrame(geometry=[], crs=WGS84)
        if kind in routes:
            ways = routes[kind][0][routes[kind][1] == route]
        points = g[["lon", "lat"]].to_numpy(float)
        at = sorted(
            {str(v) for col in (f"region_{s}" for s in pair) if col in g for v in g[col].dropna()}
        )
        base = {
            "kind": kind,
            "route": route,
            "name": next((str(n) for n in g.get("name", pd.Series()).dropna() if n), ""),
            "crossings": len(g),
            "crossing_km": "; ".join(f"{k:.1f}" for k in sorted(g["km"])),
            "regions_at_crossings": ", ".join(at),
            "article": "",
            "article_value": "",
            "article_source": "",
        }
        found = False
        for iso3, outline in zip(countries["iso3"], countries.geometry.values, strict=True):
            km, parts = _stretches(ways, outline, points)
            if not parts:
                continue
            found = True
            entered = []
            if regions is not None and len(regions):
                mine = regions[regions["side"] == iso3]
                hit = shapely.intersects(
                    np.asarray(mine.geometry.values, dtype=object)[:, None],
                    np.asarray(parts, dtype=object)[None, :],
                ).any(axis=1)
                entered = sorted(mine.loc[hit, "name"].astype(str))
            rows.append(
                {
                    **base,
                    "through": iso3,
                    "km_through": km,
                    "regions_entered": ", ".join(entered),
                    "note": suffix.lstrip("; "),
                }
            )
        if not found:
            rows.append(
                {
                    **base,
                    "through": "",
                    "km_through": np.nan,
                    "note": "not computed: the stretch between its crossings leaves the OSM "
                    f"corridor ({corridor_km:g} km on each side) or its ways are not in it{suffix}",
                }
            )
    table = pd.DataFrame(rows, columns=TRANSIT_COLUMNS)
    return _beside_article(table, "-".join(pair), corridor_km=corridor_km, suffix=suffix)


def _matches(row: pd.Series, fig: PublishedFigure) -> bool:
    if row["kind"] != "rail":
        return False
    if fig.key == "transit_caspian":
        at = {match_region(n.strip()) for n in str(row["regions_at_crossings"]).split(",")}
        return bool(at & set(fig.items)) and row["crossings"] >= 2
    entered = {match_region(n.strip()) for n in str(row["regions_entered"]).split(",")}
    return row["through"] == "KAZ" and bool(entered & set(fig.items))


def _beside_article(
    table: pd.DataFrame, pair: str, *, corridor_km: float, suffix: str
) -> pd.DataFrame:
    """Set each of the article's transit lines beside the route that matches it, if any."""
    for key in ("transit_transsib", "transit_siberian_mainlines", "transit_caspian"):
        fig = article_statements(pair).get(key)
        if fig is None:
            continue
        free = table["article"].fillna("") == ""
        match = [i for i, row in table[free].iterrows() if _matches(row, fig)]
        if not match:
            why = (
                f"not found: no transit route of this run enters {' or '.join(fig.items)}"
                if key != "transit_caspian"
                else f"not found: no transit railway crosses in {' or '.join(fig.items)}"
            )
            if fig.unit == "km" and (fig.upper or fig.value) > corridor_km:
                why += (
                    f"; a stretch of {fig.text} reaches beyond the OSM corridor "
                    f"({corridor_km:g} km on each side) and cannot be measured in it"
                )
            table.loc[len(table)] = {
                "kind": "rail",
                "route": "—",
                "article": fig.label,
                "article_value": fig.text,
                "article_source": fig.citation,
                "note": why + suffix,
            }
            continue
        i = match[0]
        row = table.loc[i]
        if fig.key == "transit_caspian":
            at = {match_region(n.strip()) for n in str(row["regions_at_crossings"]).split(",")}
            agrees = set(fig.items) <= at and row["crossings"] == fig.value
            ours = f"{row['crossings']} crossings, at {row['regions_at_crossings']}"
        else:
            km = row["km_through"]
            lo, hi = fig.value, fig.upper
            agrees = km > lo if fig.qualifier == ">" else lo <= km <= (hi or lo)
            ours = f"{km:.0f} km through {row['through']}"
        table.loc[i, ["article", "article_value", "article_source"]] = [
            fig.label,
            fig.text,
            fig.citation,
        ]
        table.loc[i, "note"] = ("agrees: " if agrees else "differs: ") + ours + suffix
    table["crossings"] = table["crossings"].astype("Int64")
    return table
