"""Numbered segments of equal geodesic length along the border."""

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crs import WGS84
from borderzone.geodesy import GEOD, edge_lengths_m

log = logging.getLogger(__name__)


def cut_segments(
    border: shapely.LineString, *, segment_km: float, log_level: int = logging.INFO
) -> gpd.GeoDataFrame:
    """Cut the border into consecutive pieces of ``segment_km`` geodesic length.

    Segments run from the line's first vertex (the start of a part); the last one takes the
    remainder and may be shorter. Cut points are placed on the geodesic of the edge they
    fall on, so the lengths are exact. The same line and ``segment_km`` always give the
    same segments and ``seg_id`` values.

    Parameters
    ----------
    border
        One line (a part of the border) in EPSG:4326.
    segment_km
        Nominal segment length in km.
    log_level
        Level of the line logged on the segments (DEBUG for a caller cutting many lines).

    Returns
    -------
    geopandas.GeoDataFrame
        ``seg_id`` (1, 2, ... from the line's start), ``from_km``, ``to_km``, ``length_km``,
        in EPSG:4326.
    """
    if segment_km <= 0:
        raise ValueError(f"segment_km must be positive, got {segment_km}")
    coords = shapely.get_coordinates(border)
    edges_m = edge_lengths_m(coords)
    chain_m = np.concatenate([[0.0], np.cumsum(edges_m)])
    total_m = chain_m[-1]
    step_m = segment_km * 1000
    n = max(int(np.ceil(total_m / step_m - 1e-9)), 1)
    cuts_m = np.append(np.arange(n) * step_m, total_m)
    inner = cuts_m[1:-1]
    # edge on which each inner cut falls and the distance into it
    edge = np.clip(np.searchsorted(chain_m, inner, side="right") - 1, 0, len(edges_m) - 1)
    az, _, _ = GEOD.inv(coords[edge, 0], coords[edge, 1], coords[edge + 1, 0], coords[edge + 1, 1])
    lon, lat, _ = GEOD.fwd(coords[edge, 0], coords[edge, 1], az, inner - chain_m[edge])
    cut_pts = np.column_stack([lon, lat])

    first_v = np.concatenate([[1], edge + 1])  # first vertex inside each segment
    last_v = np.concatenate([edge, [len(coords) - 2]])  # last vertex inside it
    starts = np.concatenate([coords[:1], cut_pts])
    stops = np.concatenate([cut_pts, coords[-1:]])
    geoms = [
        shapely.LineString(
            np.concatenate([starts[[i]], coords[first_v[i] : last_v[i] + 1], stops[[i]]])
        )
        for i in range(n)
    ]
    from_km, to_km = cuts_m[:-1] / 1000, cuts_m[1:] / 1000
    segments = gpd.GeoDataFrame(
        pd.DataFrame(
            {
                "seg_id": np.arange(1, n + 1),
                "from_km": from_km,
                "to_km": to_km,
                "length_km": to_km - from_km,
            }
        ),
        geometry=geoms,
        crs=WGS84,
    )
    log.log(
        log_level,
        "%d segments of %g km (last %.2f km)",
        n,
        segment_km,
        segments.length_km.iloc[-1],
    )
    return segments


def cut_part_segments(border: gpd.GeoDataFrame, *, segment_km: float) -> gpd.GeoDataFrame:
    """Cut each part of the border into segments; no segment spans two parts.

    Each part is cut by :func:`cut_segments` from its start (the last segment of a part
    takes its remainder); ``seg_id`` runs on over the parts in ``part_id`` order and the
    chainage of a part's segments starts at the part's ``from_km``.

    Parameters
    ----------
    border
        The ``border`` layer: one LineString row per part with ``part_id`` and
        ``from_km`` (EPSG:4326).
    segment_km
        Nominal segment length in km.
    log_level
        Level of the line logged on the segments (DEBUG for a caller cutting many lines).

    Returns
    -------
    geopandas.GeoDataFrame
        ``seg_id``, ``part_id``, ``from_km``, ``to_km``, ``length_km``, in EPSG:4326.
    """
    frames, next_id = [], 1
    for row in border.sort_values("part_id", kind="stable").itertuples():
        seg = cut_segments(row.geometry, segment_km=segment_km)
        seg["seg_id"] += next_id - 1
        seg.insert(1, "part_id", row.part_id)
        if row.from_km:  # the length stays that of the part's own cut
            seg["from_km"] += row.from_km
            seg["to_km"] += row.from_km
        frames.append(seg)
        next_id += len(seg)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=WGS84)
