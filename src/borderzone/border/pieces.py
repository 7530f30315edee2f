"""Pieces of the shared boundary of two outlines, in a projected CRS, chained into parts.

The steps of :func:`borderzone.border.line.trace_parts` that work in metres on the
projected outlines: find the runs of the first outline that lie within ``snap_m`` of the
second (:func:`shared_pieces`), chain them end to end over gaps up to ``max_gap_m``
(:func:`chain_parts`), and cut the stubs of coast or third-country boundary off the ends of
each part (:func:`trim_ends`). The rules are in :mod:`borderzone.border.line`.
"""

import logging

import numpy as np
import shapely

log = logging.getLogger(__name__)

BRIDGE_STEP_M = 1000.0  # vertex spacing of the straight lines that bridge gaps


def edge_tree(line: shapely.Geometry) -> shapely.STRtree:
    """Spatial index of the two-point edges of a (multi)line."""
    coords, part = shapely.get_coordinates(shapely.get_parts(line), return_index=True)
    same = part[1:] == part[:-1]
    return shapely.STRtree(
        shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    )


def shared_pieces(
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
    kept = [p for p in pieces if planar_length(p) >= min_len]
    if len(kept) < len(pieces):
        log.info(
            "dropped %d pieces of shared boundary shorter than %.0f m (%.2f km in all)",
            len(pieces) - len(kept),
            min_len,
            sum(planar_length(p) for p in pieces if planar_length(p) < min_len) / 1000,
        )
    return kept


def planar_length(coords: np.ndarray) -> float:
    """Length in CRS units (metres) of the line through ``coords``."""
    return float(np.hypot(*np.diff(coords, axis=0).T).sum())


def bridge_points(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Interior vertices of a straight line from p to q, at most BRIDGE_STEP_M apart."""
    n = int(np.ceil(np.hypot(*(q - p)) / BRIDGE_STEP_M))
    t = np.linspace(0, 1, n + 1)[1:-1, None]
    return p + t * (q - p)


def chain_parts(
    pieces: list[np.ndarray], *, max_gap_m: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Chain pieces into parts, each from the longest piece left.

    A part grows at both ends by the nearest piece within ``max_gap_m``, until none is
    that near. Returns, per part, its vertices and, per edge, whether it belongs to a bridge.
    """
    left = list(range(len(pieces)))
    parts = []
    while left:
        coords, bridge, left = _chain(pieces, left, max_gap_m=max_gap_m)
        parts.append((coords, bridge))
    return parts


def _chain(
    pieces: list[np.ndarray], left: list[int], *, max_gap_m: float
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Chain the pieces ``left`` from the longest, bridging gaps up to ``max_gap_m``.

    Returns the vertices, per edge whether it belongs to a bridge, and the pieces not used.
    """
    order = sorted(left, key=lambda i: -planar_length(pieces[i]))
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
        inner = bridge_points(a, b) if gap > 1.0 else np.empty((0, 2))
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
    return coords, bridge, sorted(unused)


def trim_ends(
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
