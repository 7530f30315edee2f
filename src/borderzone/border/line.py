"""The shared land border of two countries, built from their outlines, in parts.

Published rules
---------------
A border is one or more **parts**, each an ordered LineString. Pieces of shared boundary
are chained end to end; a gap up to ``border.max_gap_km`` between two pieces is bridged by
a straight line inside the part (``border_gaps``); a longer gap starts a new part, and the
two parts are not joined (``border_breaks``). Parts shorter than ``border.min_part_km``
(slivers where generalised outlines happen to touch) are dropped and logged.

**Where chainage starts.** The border's extent is measured in km: east-west along the
parallel at the middle latitude of its bounding box, north-south along the meridian. When
the east-west extent is at least the north-south one, every part runs from its western end
(its end of smaller longitude) and the parts are ordered by the longitude of their western
ends, west first; else every part runs from its northern end and the parts are ordered by
the latitude of their northern ends, north first. ``border.reverse`` turns this round (the
eastern or southern ends first). Chainage (``from_km``, ``to_km``) runs over the parts in
this order and counts only border: a break between two parts adds nothing to it.

**What lies between two parts.** The outlines of two countries cannot name a third
country, nor tell it from the sea. A break is ``between`` = ``"third country or sea"``
when the straight line between the two part ends runs outside both outlines along at
least half its length, else the ISO3 code of the outline it runs inside most.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from borderzone.border.pieces import (
    bridge_points,
    chain_parts,
    edge_tree,
    planar_length,
    shared_pieces,
    trim_ends,
)
from borderzone.border.segments import cut_part_segments
from borderzone.crs import WGS84, densify_lonlat, fitted_crs
from borderzone.errors import InputDataError, NoSharedBorderError
from borderzone.geodesy import GEOD, edge_lengths_m

log = logging.getLogger(__name__)

BETWEEN_OUTSIDE = "third country or sea"
"""``between`` of a break whose straight line runs mostly outside both outlines."""


@dataclass(frozen=True)
class TracedBorder:
    """The layers of a traced border: ``border`` (one row per part), ``gaps``, ``breaks``."""

    border: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    breaks: gpd.GeoDataFrame


class TraceOptions(TypedDict, total=False):
    """The options of :func:`trace_parts` besides ``pair``, with their meaning and defaults there.

    :func:`trace_border` and :func:`build_border` pass them on as keywords.
    """

    snap_m: float
    max_gap_km: float
    min_part_km: float
    reverse: bool
    official_length_km: float | None


def trace_parts(
    countries: gpd.GeoDataFrame,
    *,
    pair: Sequence[str],
    snap_m: float = 500.0,
    max_gap_km: float = 10.0,
    min_part_km: float = 5.0,
    reverse: bool = False,
    official_length_km: float | None = None,
) -> TracedBorder:
    """Build the shared land border of two countries, in ordered parts.

    The border follows the outline of the first country of ``pair`` wherever it lies
    within ``snap_m`` of the second country's outline. The pieces found are chained end
    to end; gaps between them up to ``max_gap_km`` long are bridged by straight lines and
    listed, longer ones start a new part (the rules are in the module documentation).
    Coastlines are never within ``snap_m`` of the other country, so they drop out;
    outlines must be land outlines (a maritime boundary between two territorial seas would
    otherwise count as border).

    Parameters
    ----------
    countries
        Outlines with columns ``iso3`` and ``geometry`` in EPSG:4326, as from
        :func:`borderzone.io.read_countries`.
    pair
        The two ISO3 codes.
    snap_m
        Distance in metres within which two outlines count as one boundary.
    max_gap_km
        Longest gap between pieces of shared boundary that is bridged within a part.
    min_part_km
        Shortest part kept; shorter ones are dropped.
    reverse
        Start the chainage at the eastern (or southern) end instead.
    official_length_km
        Published length of the whole border, stored beside the measured one.

    Returns
    -------
    TracedBorder
        ``border``: one LineString row per part with ``pair``, ``part_id`` (1, 2, ... in
        chainage order), ``from_km``, ``to_km``, ``length_km`` (geodesic, of the part),
        ``official_length_km`` and ``difference_pct`` (of the whole border, on every row),
        ``n_gaps`` and ``gaps_km`` (of the part). ``gaps``: one row per bridged gap,
        ``gap_id``, ``part_id``, ``from_km``, ``to_km``, ``length_km``. ``breaks``: one row
        per break between consecutive parts, ``break_id``, ``from_part``, ``to_part``,
        ``at_km``, ``distance_km`` (geodesic, end to end), ``between``, with the straight
        line between the two ends. All in EPSG:4326.
    """
    code_a, code_b = pair
    outlines = countries.set_index("iso3").geometry
    geom_a, geom_b = outlines[code_a], outlines[code_b]
    ax0, ay0, ax1, ay1 = geom_a.bounds
    bx0, by0, bx1, by1 = geom_b.bounds
    # Coarse prefilter on the overlap of the two boxes (1 degree exceeds any snap tolerance).
    window = (
        max(ax0, bx0) - 1.0,
        max(ay0, by0) - 1.0,
        min(ax1, bx1) + 1.0,
        min(ay1, by1) + 1.0,
    )
    if window[0] >= window[2] or window[1] >= window[3]:
        raise NoSharedBorderError(f"pair {code_a}-{code_b}: the two outlines are far apart")
    window = (max(window[0], -180), max(window[1], -90), min(window[2], 180), min(window[3], 90))
    crs = fitted_crs(window, kind="conformal")
    to_proj = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    to_geo = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)

    def project(geom: shapely.Geometry) -> shapely.Geometry:
        clipped = densify_lonlat(shapely.clip_by_rect(geom, *window))
        return shapely.transform(clipped, to_proj.transform, interleaved=False)

    poly_a, poly_b = project(geom_a), project(geom_b)
    line_a = shapely.segmentize(shapely.boundary(poly_a), snap_m / 2)
    line_b = shapely.boundary(poly_b)
    tree_b = edge_tree(line_b)
    pieces = shared_pieces(line_a, tree_b, snap_m=snap_m)
    if not pieces:
        raise NoSharedBorderError(
            f"pair {code_a}-{code_b}: the outlines share no stretch of boundary of at least "
            f"{2 * snap_m / 1000:g} km within border.snap_m={snap_m:g} m (they touch only "
            "at a point, or not at all)"
        )
    parts = [
        trim_ends(coords, bridge, tree_b, snap_m=snap_m)
        for coords, bridge in chain_parts(pieces, max_gap_m=max_gap_km * 1000)
    ]
    kept = [p for p in parts if planar_length(p[0]) >= min_part_km * 1000]
    if not kept:
        raise NoSharedBorderError(
            f"pair {code_a}-{code_b}: every stretch of shared boundary is shorter than "
            f"border.min_part_km={min_part_km:g} km"
        )
    if len(kept) < len(parts):
        log.warning(
            "dropped %d parts shorter than border.min_part_km=%g km (%.2f km in all)",
            len(parts) - len(kept),
            min_part_km,
            sum(planar_length(c) for c, _ in parts if planar_length(c) < min_part_km * 1000) / 1000,
        )
    lonlat = []
    for coords, bridge in kept:
        lon, lat = to_geo.transform(coords[:, 0], coords[:, 1])
        lonlat.append((np.column_stack([lon, lat]), bridge))
    ordered = _orient(lonlat, reverse=reverse)
    border, gaps = _part_tables(ordered, pair=f"{code_a}-{code_b}")
    length_km = float(border["length_km"].sum())
    diff = None if official_length_km is None else 100 * (length_km / official_length_km - 1)
    border.insert(5, "official_length_km", official_length_km)
    border.insert(6, "difference_pct", diff)
    breaks = _break_table(ordered, border, to_proj, poly_a, poly_b, pair=(code_a, code_b))
    official = (
        ""
        if official_length_km is None
        else (f"; official {official_length_km:,.0f} km ({diff:+.2f} %)")
    )
    log.info(
        "border %s-%s: %s km geodesic in %d part(s)%s",
        code_a,
        code_b,
        f"{length_km:,.1f}",
        len(border),
        official,
    )
    log.info("%d gaps bridged, %.2f km in all", len(gaps), gaps["length_km"].sum())
    for row in gaps.itertuples():
        log.info("gap %d at km %.1f: %.3f km", row.gap_id, row.from_km, row.length_km)
    for row in breaks.itertuples():
        log.info(
            "break %d at km %.1f between parts %d and %d: %.1f km apart (%s)",
            row.break_id,
            row.at_km,
            row.from_part,
            row.to_part,
            row.distance_km,
            row.between,
        )
    return TracedBorder(border=border, gaps=gaps, breaks=breaks)


def trace_border(
    countries: gpd.GeoDataFrame, *, pair: Sequence[str], **options: Unpack[TraceOptions]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Trace the ``border`` (one row per part) and ``border_gaps`` layers (:func:`trace_parts`)."""
    traced = trace_parts(countries, pair=pair, **options)
    return traced.border, traced.gaps


def build_border(
    countries: gpd.GeoDataFrame,
    *,
    pair: Sequence[str],
    segment_km: float,
    **options: Unpack[TraceOptions],
) -> dict[str, gpd.GeoDataFrame]:
    """Build the layers of ``border.gpkg``: border, border_gaps, border_breaks, segments.

    ``border_breaks`` is there only when the border is in several parts (so a border in
    one part keeps the three layers it always had). See :func:`trace_parts` for ``pair``
    and the ``options``, and :func:`borderzone.border.segments.cut_part_segments` for
    ``segment_km``.
    """
    traced = trace_parts(countries, pair=pair, **options)
    breaks = {"border_breaks": traced.breaks} if len(traced.breaks) else {}
    return {
        "border": traced.border,
        "border_gaps": traced.gaps,
        **breaks,
        "segments": cut_part_segments(traced.border, segment_km=segment_km),
    }


def border_parts(border: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry) -> list:
    """Return the parts of a border as LineStrings in chainage order.

    Parameters
    ----------
    border
        The ``border`` layer (rows ordered by ``part_id`` when it has one, else as they
        come), a GeoSeries, or one LineString / MultiLineString; a MultiLineString row or
        geometry is merged, and each line it merges into is a part.

    Raises
    ------
    InputDataError
        When a part is not a line.
    """
    if isinstance(border, gpd.GeoDataFrame) and "part_id" in border.columns:
        border = border.sort_values("part_id", kind="stable")
    geoms = (
        list(border.geometry.values)
        if isinstance(border, gpd.GeoDataFrame | gpd.GeoSeries)
        else [border]
    )
    parts = []
    for geom in geoms:
        if geom is not None and geom.geom_type == "MultiLineString":
            geom = shapely.line_merge(geom)
        for part in shapely.get_parts(geom) if geom is not None else [None]:
            if part is None or part.geom_type != "LineString":
                kind = "NULL" if part is None else part.geom_type
                raise InputDataError(f"layer border holds a {kind}, not one LineString")
            parts.append(part)
    if not parts:
        raise InputDataError("layer border holds no line")
    return parts


def _orient(
    parts: list[tuple[np.ndarray, np.ndarray]], *, reverse: bool
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Orient and order the parts by the rule of the module documentation."""
    allc = np.concatenate([c for c, _ in parts])
    (lon0, lat0), (lon1, lat1) = allc.min(axis=0), allc.max(axis=0)
    mid_lat = (lat0 + lat1) / 2
    ew_km = GEOD.line_length(np.linspace(lon0, lon1, 361), np.full(361, mid_lat)) / 1000
    ns_km = GEOD.inv((lon0 + lon1) / 2, lat0, (lon0 + lon1) / 2, lat1)[2] / 1000
    axis, sign = (0, 1.0) if ew_km >= ns_km else (1, -1.0)  # west first, else north first
    if reverse:
        sign = -sign
    log.info(
        "border spans %.0f km east-west and %.0f km north-south: chainage from the %s end",
        ew_km,
        ns_km,
        {(0, 1.0): "western", (0, -1.0): "eastern", (1, -1.0): "northern", (1, 1.0): "southern"}[
            (axis, sign)
        ],
    )
    out = []
    for coords, bridge in parts:
        if sign * coords[0, axis] > sign * coords[-1, axis]:
            coords, bridge = coords[::-1], bridge[::-1]
        out.append((coords, bridge))
    return sorted(out, key=lambda p: sign * p[0][0, axis])


def _part_tables(
    parts: list[tuple[np.ndarray, np.ndarray]], *, pair: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Tabulate the parts (``border`` rows) and their bridged gaps, with chainage."""
    rows, gaps, offset = [], [], 0.0
    for part_id, (lonlat, bridge) in enumerate(parts, start=1):
        chainage = np.concatenate([[0.0], np.cumsum(edge_lengths_m(lonlat) / 1000)])
        length = float(chainage[-1])
        part_gaps = _gap_table(lonlat, bridge, chainage + offset)
        part_gaps.insert(1, "part_id", part_id)
        gaps.append(part_gaps)
        rows.append(
            {
                "pair": pair,
                "part_id": part_id,
                "from_km": offset,
                "to_km": offset + length,
                "length_km": length,
                "n_gaps": len(part_gaps),
                "gaps_km": float(part_gaps["length_km"].sum()),
                "geometry": shapely.LineString(lonlat),
            }
        )
        offset += length
    gap_table = pd.concat(gaps, ignore_index=True)
    gap_table["gap_id"] = np.arange(1, len(gap_table) + 1)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84), gpd.GeoDataFrame(
        gap_table, geometry="geometry", crs=WGS84
    )


def _break_table(
    parts: list[tuple[np.ndarray, np.ndarray]],
    border: gpd.GeoDataFrame,
    to_proj: pyproj.Transformer,
    poly_a: shapely.Geometry,
    poly_b: shapely.Geometry,
    *,
    pair: tuple[str, str],
) -> gpd.GeoDataFrame:
    """One row per break between consecutive parts, with what lies between them."""
    rows = []
    for i in range(len(parts) - 1):
        p, q = parts[i][0][-1], parts[i + 1][0][0]
        xy = np.column_stack(to_proj.transform(*np.stack([p, q]).T))
        chord = shapely.LineString(np.concatenate([xy[:1], bridge_points(xy[0], xy[1]), xy[1:]]))
        inside = np.array([shapely.intersection(chord, g).length for g in (poly_a, poly_b)])
        outside = 1 - inside.sum() / chord.length if chord.length > 0 else 1.0
        between = BETWEEN_OUTSIDE if outside >= 0.5 else pair[int(np.argmax(inside))]
        rows.append(
            {
                "break_id": i + 1,
                "from_part": i + 1,
                "to_part": i + 2,
                "at_km": float(border["to_km"].iloc[i]),
                "distance_km": float(GEOD.inv(p[0], p[1], q[0], q[1])[2] / 1000),
                "between": between,
                "geometry": shapely.LineString([p, q]),
            }
        )
    columns = ["break_id", "from_part", "to_part", "at_km", "distance_km", "between"]
    frame = pd.DataFrame(rows, columns=[*columns, "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)


def _gap_table(lonlat: np.ndarray, bridge: np.ndarray, chainage: np.ndarray) -> gpd.GeoDataFrame:
    """One row per run of bridge edges, with its chainage and geodesic length."""
    padded = np.concatenate([[False], bridge, [False]]).astype(int)
    starts = np.flatnonzero(np.diff(padded) == 1)
    stops = np.flatnonzero(np.diff(padded) == -1)  # edge index one past the run
    geoms = [shapely.LineString(lonlat[s : e + 1]) for s, e in zip(starts, stops, strict=True)]
    return gpd.GeoDataFrame(
        pd.DataFrame(
            {
                "gap_id": np.arange(1, len(starts) + 1),
                "from_km": chainage[starts],
                "to_km": chainage[stops],
                "length_km": chainage[stops] - chainage[starts],
            }
        ),
        geometry=geoms,
        crs=WGS84,
    )
