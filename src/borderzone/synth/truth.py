"""The truth of a world: every crossing and non-crossing, known from how it was built.

Each row comes from the design of a placed feature (:mod:`borderzone.synth.layout`), never
from intersecting the output; the rules they follow are in :mod:`borderzone.synth.world`.
The districts' km of line come from the meridians that bound them
(:func:`district_truth`), the rivers' from their design (:mod:`borderzone.synth.rivers`).
Surface classes come from the catalogue's literal values (:data:`Way.surface
<borderzone.synth.features.Way>`), not from the rule they check.
"""

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crs import WGS84
from borderzone.geodesy import GEOD, edge_lengths_m
from borderzone.osm.schema import road_rank
from borderzone.synth.features import Feature, Way
from borderzone.synth.layout import Placed

CHECKPOINT_RADIUS_M = 2000.0
SURFACE_WINDOW_M = 5000.0
MERGE_WITHIN_M = 100.0

CROSSING_COLUMNS = (
    "feature", "kind", "highway", "ref", "surface_class", "surface_source", "official",
    "local_only", "category", "transit", "in_gap", "osm_ids", "surface_differs", "border_km",
    "geometry",
)  # fmt: skip
"""Columns of the ``crossings`` layer, in order."""
NON_CROSSING_COLUMNS = ("feature", "kind", "reason", "osm_id", "tag", "geometry")
"""Columns of the ``non_crossings`` layer, in order."""
NON_TEXT_DTYPES = {
    "official": "bool", "local_only": "bool", "transit": "bool", "in_gap": "bool",
    "surface_differs": "bool", "border_km": "float64", "osm_id": "int64",
}  # fmt: skip
"""Dtypes of the columns of the two layers that hold no text, given to them when empty."""


def truth_rows(placed: Sequence[Placed]) -> tuple[list[dict], list[dict]]:
    """Rows of the crossings and of the non-crossings of the placed features, in order."""
    crossings: list[dict] = []
    non_crossings: list[dict] = []
    for p in placed:
        if p.feature.reason:
            non_crossings += _non_crossing_rows(p)
        else:
            crossings += _crossing_rows(p)
    return crossings, non_crossings


def _non_crossing_rows(p: Placed) -> list[dict]:
    feat = p.feature
    return [
        {
            "feature": feat.name,
            "kind": feat.kind,
            "reason": feat.reason,
            "osm_id": wid,
            "tag": w.tags.get("highway") or w.tags.get("railway"),
            "geometry": shapely.LineString(xy),
        }
        for w, wid, xy in zip(feat.ways, p.way_ids, p.coords, strict=True)
    ]


def _checkpoints(feat: Feature, coords: list[np.ndarray]) -> list[tuple[np.ndarray, dict]]:
    """Checkpoints of a feature with their positions (nodes, and areas by centroid)."""
    out: list[tuple[np.ndarray, dict[str, str]]] = []
    for w, xy in zip(feat.ways, coords, strict=True):
        for pos, tags in w.node_tags.items():
            if tags.get("barrier") == "border_control" or tags.get("railway") == "border":
                out.append((xy[pos], tags))
        if w.role == "area":
            out.append((np.asarray(shapely.Polygon(xy).centroid.coords[0]), w.tags))
    return out


def _crossing_rows(p: Placed) -> list[dict]:
    feat, frame = p.feature, p.frame
    checkpoints = _checkpoints(feat, p.coords)
    rows = []
    for u in feat.crossings:
        s = frame.s0 + u
        point = frame.border.point(s)
        near = [
            (w, wid)
            for w, wid in zip(feat.ways, p.way_ids, strict=True)
            if w.role == "cross" and any(abs(c - u) <= MERGE_WITHIN_M for c in w.crosses_at)
        ]
        cps = [
            tags
            for xy, tags in checkpoints
            if GEOD.inv(point[0], point[1], xy[0], xy[1])[2] <= CHECKPOINT_RADIUS_M
        ]
        official = bool(cps)
        local_only = official and all(
            t.get("border_control") == "small_border_traffic" for t in cps
        )
        row: dict = {
            "feature": feat.name,
            "kind": feat.kind,
            "border_km": s / 1000,
            "osm_ids": ",".join(str(i) for i in sorted(wid for _, wid in near)),
            "official": official,
            "local_only": local_only,
            "transit": feat.transit,
            "in_gap": frame.border.in_gap(s),
        }
        if feat.kind == "road":
            top = _top_way(near)
            row.update(
                highway=top.tags["highway"],
                ref=top.tags.get("ref"),
                surface_class=top.surface[0],
                surface_source=top.surface[1],
            )
            if official:
                row["category"] = "local checkpoint" if local_only else "international checkpoint"
            elif top.tags["highway"] == "track":
                row["category"] = "track"
            else:
                row["category"] = "road without checkpoint"
            row["surface_differs"] = surface_differs(feat, u)
        else:
            top = near[0][0]
            row.update(
                highway=None,
                ref=top.tags.get("ref"),
                surface_class=None,
                surface_source=None,
                surface_differs=False,
            )
            row["category"] = "rail checkpoint" if official else "rail without checkpoint"
        row["geometry"] = shapely.Point(point)
        rows.append(row)
    return rows


def _top_way(near: Sequence[tuple[Way, int]]) -> Way:
    """Pick the way of the highest class (:func:`~borderzone.osm.schema.road_rank`), then id."""
    rank = road_rank(pd.Series([w.tags["highway"] for w, _ in near]))
    best = min(range(len(near)), key=lambda i: (rank[i], near[i][1]))
    return near[best][0]


def surface_differs(feat: Feature, u: float) -> bool:
    """Compare (class, surface class) of the road's ways on each side within 5 km, by design."""
    sides: dict[int, set[tuple[str, str]]] = {1: set(), -1: set()}
    for w in feat.ways:
        if "highway" not in w.tags:
            continue
        key = (w.tags["highway"], w.surface[0])
        for uu, d in w.uv:
            if uu == "border" or d == 0 or abs(d) > SURFACE_WINDOW_M or abs(uu - u) > 6000:
                continue
            sides[1 if d > 0 else -1].add(key)
    return sides[1] != sides[-1]


def truth_layers(
    crossings: list[dict], non_crossings: list[dict], places: pd.DataFrame, pop_tags: list[str]
) -> dict[str, gpd.GeoDataFrame]:
    """Build the layers of ``truth.gpkg``: crossings by chainage, non-crossings, places.

    On a short border :func:`~borderzone.synth.layout.place_features` may place no feature:
    ``crossings`` and ``non_crossings`` are then empty, with their columns and dtypes.
    """
    table = _table(crossings, CROSSING_COLUMNS).sort_values("border_km", ignore_index=True)
    places_out = gpd.GeoDataFrame(
        {
            "name": places["name"].astype(str),
            "iso3": places.iso3.astype(str),
            "population": places.population.astype("int64"),
            "population_tag": pop_tags,
        },
        geometry=shapely.points(places.lon.to_numpy(), places.lat.to_numpy()),
        crs=WGS84,
    )
    return {
        "crossings": gpd.GeoDataFrame(table, geometry="geometry", crs=WGS84),
        "non_crossings": gpd.GeoDataFrame(
            _table(non_crossings, NON_CROSSING_COLUMNS), geometry="geometry", crs=WGS84
        ),
        "places": places_out,
    }


def _table(rows: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    """Tabulate the rows in ``columns``; with no row, type the columns (:data:`NON_TEXT_DTYPES`)."""
    table = pd.DataFrame(rows, columns=list(columns))
    if not rows:
        table = table.astype({c: t for c, t in NON_TEXT_DTYPES.items() if c in table.columns})
    return table


DISTRICT_STEP_M = 10.0
"""Spacing of the points along the line that measure each district's border km."""


def district_truth(districts: list[dict], lines: list[shapely.LineString]) -> gpd.GeoDataFrame:
    """Build the ``districts`` layer of the truth: each district's km of line, by construction.

    Districts are strips of their country between two meridians (``west``, ``east``), so a
    point of the line belongs to the strip of each side whose meridians hold its longitude:
    a district's ``border_km`` is the length of line between its meridians, measured on
    points every :data:`DISTRICT_STEP_M` along every part (``lines``); an enclave (no
    meridians) has none. ``touches_border`` is ``border_km > 0``.
    """
    lon, step = [], []
    for line in lines:
        coords = shapely.get_coordinates(line)
        chain = np.concatenate([[0.0], np.cumsum(edge_lengths_m(coords))])
        n = max(int(np.ceil(chain[-1] / DISTRICT_STEP_M)), 1)
        s = (np.arange(n) + 0.5) * (chain[-1] / n)
        lon.append(np.interp(s, chain, coords[:, 0]))
        step.append(np.full(n, chain[-1] / n))
    lon, step = np.concatenate(lon), np.concatenate(step)
    km = []
    for d in districts:
        if d["west"] is None:
            km.append(0.0)
            continue
        inside = (lon >= d["west"]) & (lon < d["east"])
        km.append(float(step[inside].sum()) / 1000)
    frame = pd.DataFrame(
        {
            "iso3": [d["iso3"] for d in districts],
            "region": [d["region"] for d in districts],
            "name": [d["name"] for d in districts],
            "name_en": [d["name_en"] for d in districts],
            "article": [d["article"] for d in districts],
            "matched_by": [d["matched_by"] for d in districts],
            "touches_border": [k > 0 for k in km],
            "border_km": km,
        }
    )
    return gpd.GeoDataFrame(frame, geometry=[d["geometry"] for d in districts], crs=WGS84)
