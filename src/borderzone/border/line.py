"""The shared land border of two countries, built from their outlines."""

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from borderzone.border.segments import cut_segments
from borderzone.crs import WGS84, densify_lonlat, fitted_crs
from borderzone.errors import BorderzoneError, NoSharedBorderError
from borderzone.geodesy import edge_lengths_m

log = logging.getLogger(__name__)

BRIDGE_STEP_M = 1000.0  # vertex spacing of the straight lines that bridge gaps


def trace_border(
    countries: gpd.GeoDataFrame,
    *,
    pair: Sequence[str],
    snap_m: float = 500.0,
    max_gap_km: float = 10.0,
    official_length_km: float | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Build the shared land border of two countries as one west-to-east line.

    The border follows the outline of the first country of ``pair`` wherever it lies
    within ``snap_m`` of the second country's outline. The pieces found are chained end
    to end; gaps between them up to ``max_gap_km`` long are bridged by straight lines and
    listed. Coastlines are never within ``snap_m`` of the other country, so they drop out;
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
        Longest gap between pieces of shared boundary that is bridged.
    official_length_km
        Published length, stored beside the measured one.

    Returns
    -------
    border : geopandas.GeoDataFrame
        One LineString row with ``pair``, ``length_km`` (geodesic), ``official_length_km``,
        ``difference_pct``, ``n_gaps`` and ``gaps_km``, in EPSG:4326.
    gaps : geopandas.GeoDataFrame
        One row per bridged gap: ``gap_id``, ``from_km``, ``to_km``, ``length_km``.
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

    line_a = shapely.segmentize(shapely.boundary(project(geom_a)), snap_m / 2)
    line_b = shapely.boundary(project(geom_b))
    tree_b = _edge_tree(line_b)
    pieces = _shared_pieces(line_a, tree_b, snap_m=snap_m)
    if not pieces:
        raise NoSharedBorderError(
            f"pair {code_a}-{code_b}: the outlines share no stretch of boundary of at least "
            f"{2 * snap_m / 1000:g} km within border.snap_m={snap_m:g} m (they touch only "
            "at a point, or not at all)"
        )
    coords, bridge = _chain(pieces, max_gap_m=max_gap_km * 1000, pair=(code_a, code_b))
    coords, bridge = _trim_ends(coords, bridge, tree_b, snap_m=snap_m)
    lon, lat = to_geo.transform(coords[:, 0], coords[:, 1])
    lonlat = np.column_stack([lon, lat])
    if lonlat[0, 0] > lonlat[-1, 0]:  # west to east
        lonlat, bridge = lonlat[::-1], bridge[::-1]
    line = shapely.LineString(lonlat)

    edges_km = edge_lengths_m(lonlat) / 1000
    chainage = np.concatenate([[0.0], np.cumsum(edges_km)])
    length_km = float(chainage[-1])
    gaps = _gap_table(lonlat, bridge, chainage)
    diff = None if official_length_km is None else 100 * (length_km / official_length_km - 1)
    border = gpd.GeoDataFrame(
        {
            "pair": [f"{code_a}-{code_b}"],
            "length_km": [length_km],
            "official_length_km": [official_length_km],
            "difference_pct": [diff],
            "n_gaps": [len(gaps)],
            "gaps_km": [float(gaps["length_km"].sum())],
        },
        geometry=[line],
        crs=WGS84,
    )
    official = (
        ""
        if official_length_km is None
        else (f"; official {official_length_km:,.0f} km ({diff:+.2f} %)")
    )
    log.info("border %s-%s: %s km geodesic%s", code_a, code_b, f"{length_km:,.1f}", official)
    log.info("%d gaps bridged, %.2f km in all", len(gaps), gaps["length_km"].sum())
    for row in gaps.itertuples():
        log.info("gap %d at km %.1f: %.3f km", row.gap_id, row.from_km, row.length_km)
    return border, gaps


def build_border(
    countries: gpd.GeoDataFrame,
    *,
    pair: Sequence[str],
    snap_m: float,
    max_gap_km: float,
    segment_km: float,
    official_length_km: float | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Build the layers of ``border.gpkg``: ``border``, ``border_gaps`` and ``segments``.

    See :func:`trace_border` and :func:`borderzone.border.segments.cut_segments` for the
    parameters.
    """
    border, gaps = trace_border(
        countries,
        pair=pair,
        snap_m=snap_m,
        max_gap_km=max_gap_km,
        official_length_km=official_length_km,
    )
    segments = cut_segments(border.geometry.iloc[0], segment_km=segment_km)
    return {"border": border, "border_gaps": gaps, "segments": segments}


def _edge_tree(line: shapely.Geometry) -> shapely.STRtree:
    """Spatial index of the two-point edges of a (multi)line."""
    coords, part = shapely.get_coordinates(shapely.get_parts(line), return_index=True)
    same = part[1:] == part[:-1]
    return shapely.STRtree(
        shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    )


def _shared_pieces(
    line_a: shapely.Geometry, tree: shapely.STRtree, *, snap_m: float
) -> list[np.ndarray]:
    """Find the runs of ``line_a`` whose vertices all lie within ``snap_m`` of the edges."""
    parts_a = shapely.get_parts(line_a)
    coords_a, part_a = shapely.get_coordinates(parts_a, return_index=True)
    hit, _ = tree.query_nearest(shapely.points(coords_a), max_distance=snap_m, all_matches=False)
    near = np.zeros(len(coords_a), dtype=bool)
    near[hit] = True
    shared = near[1:] & near[:-1] & (part_a[1:] == part_a[:-1])
    if not shared.any():
        return []
    edges = shapely.linestrings(np.stack([coords_a[:-1][shared], coords_a[1:][shared]], axis=1))
    merged = shapely.line_merge(shapely.MultiLineString(list(edges)))
    pieces = [shapely.get_coordinates(p) for p in shapely.get_parts(merged)]
    min_len = 2 * snap_m
    kept = [p for p in pieces if _length(p) >= min_len]
    if len(kept) < len(pieces):
        log.info(
            "dropped %d pieces of shared boundary shorter than %.0f m (%.2f km in all)",
            len(pieces) - len(kept),
            min_len,
            sum(_length(p) for p in pieces if _length(p) < min_len) / 1000,
        )
    return kept


def _length(coords: np.ndarray) -> float:
    return float(np.hypot(*np.diff(coords, axis=0).T).sum())


def _bridge(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Interior vertices of a straight line from p to q, at most BRIDGE_STEP_M apart."""
    n = int(np.ceil(np.hypot(*(q - p)) / BRIDGE_STEP_M))
    t = np.linspace(0, 1, n + 1)[1:-1, None]
    return p + t * (q - p)


def _chain(
    pieces: list[np.ndarray], *, max_gap_m: float, pair: tuple[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """Chain pieces end to end, bridging gaps up to ``max_gap_m``.

    Returns the vertices and, per edge, whether it belongs to a bridge.
    """
    order = sorted(range(len(pieces)), key=lambda i: -_length(pieces[i]))
    chain = [pieces[order[0]]]
    flags = [np.zeros(len(pieces[order[0]]) - 1, dtype=bool)]
    unused = set(order[1:])
    while unused:
        ids = np.fromiter(unused, dtype=int)
        starts = np.array([pieces[i][0] for i in ids])
        ends = np.array([pieces[i][-1] for i in ids])
        tail, head = chain[-1][-1], chain[0][0]
        # distance from the chain's tail / head to each unused piece's start / end
        cand = np.stack(
            [
                np.hypot(*(starts - tail).T),  # append as is
                np.hypot(*(ends - tail).T),  # append reversed
                np.hypot(*(ends - head).T),  # prepend as is
                np.hypot(*(starts - head).T),  # prepend reversed
            ]
        )
        how, k = np.unravel_index(np.argmin(cand), cand.shape)
        gap = cand[how, k]
        if gap > max_gap_m:
            break
        piece = pieces[ids[k]]
        if how in (1, 3):
            piece = piece[::-1]
        if how in (0, 1):
            a, b = tail, piece[0]
        else:
            a, b = piece[-1], head
        inner = _bridge(a, b) if gap > 1.0 else np.empty((0, 2))
        link_flags = np.full(len(inner) + 1, gap > 1.0)
        if gap <= 1.0:  # touching pieces: drop the duplicate vertex
            piece = piece[1:] if how in (0, 1) else piece[:-1]
            link_flags = np.zeros(0, dtype=bool)
        piece_flags = np.zeros(max(len(piece) - 1, 0), dtype=bool)
        if how in (0, 1):
            chain += [inner, piece]
            flags += [link_flags, piece_flags]
        else:
            chain = [piece, inner, *chain]
            flags = [piece_flags, link_flags, *flags]
        unused.discard(ids[k])
    coords = np.concatenate(chain)
    bridge = np.concatenate(flags)
    if unused:
        rest = sum(_length(pieces[i]) for i in unused)
        total = _length(coords)
        if rest > 0.01 * total:
            raise BorderzoneError(
                f"pair {pair[0]}-{pair[1]}: the shared boundary falls into stretches more "
                f"than border.max_gap_km={max_gap_m / 1000:g} km apart ({rest / 1000:.1f} km "
                "left over); raise border.max_gap_km or check the outlines"
            )
        log.warning(
            "dropped %d stray pieces of shared boundary (%.2f km) farther than %.1f km "
            "from the main line",
            len(unused),
            rest / 1000,
            max_gap_m / 1000,
        )
    return coords, bridge


def _trim_ends(
    coords: np.ndarray, bridge: np.ndarray, tree: shapely.STRtree, *, snap_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Cut the stubs of coastline or third-country border off the two ends.

    Where the border meets a coast or a third country, the first outline turns away from
    the second one, yet stays within ``snap_m`` of it for up to ``snap_m``. Within the last
    ``2 * snap_m`` at each end, the line is cut at the outermost vertex whose distance to
    the second outline is within ``snap_m / 10`` of the smallest distance there.
    """
    dist_to_b = np.full(len(coords), np.inf)
    step = np.hypot(*np.diff(coords, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(step)])
    window = (along <= 2 * snap_m) | (along >= along[-1] - 2 * snap_m)
    (idx, _), dist = tree.query_nearest(
        shapely.points(coords[window]), return_distance=True, all_matches=False
    )
    dist_to_b[np.flatnonzero(window)[idx]] = dist
    head = np.flatnonzero(along <= 2 * snap_m)
    tail = np.flatnonzero(along >= along[-1] - 2 * snap_m)
    first = head[dist_to_b[head] <= dist_to_b[head].min() + snap_m / 10][0]
    last = tail[dist_to_b[tail] <= dist_to_b[tail].min() + snap_m / 10][-1]
    if last - first < 1:
        return coords, bridge
    trimmed = along[first] + along[-1] - along[last]
    if trimmed > 0:
        log.info("trimmed %.0f m of coast or third-country boundary off the ends", trimmed)
    return coords[first : last + 1], bridge[first:last]


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
