"""Points along the border line, each standing for a short piece of it, in local metric CRSs.

The tables that say which district or river a stretch of border belongs to
(:mod:`~borderzone.metrics.districts`, :mod:`~borderzone.metrics.rivers`) measure it on
points every ``step_m`` along each part of the line: each point stands for the ``step_m``
of line around it, so a length is a count of points times the step, exact to one step at
each end of a stretch. Distances from the points are measured in an azimuthal equidistant
projection centred on each ``chunk_km`` of border (:func:`borderzone.crs.local_aeqd`),
never in degrees and never in one zone for the whole line.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.border.line import border_parts
from borderzone.crs import WGS84, local_aeqd_transformers
from borderzone.geodesy import edge_lengths_m

CHUNK_KM = 100.0
"""Length of border measured in one local projection (scale error below 0.005 %)."""


def border_samples(border: gpd.GeoDataFrame, *, step_m: float) -> pd.DataFrame:
    """Points every ``step_m`` (geodesic) along each part of the border.

    Parameters
    ----------
    border
        The ``border`` layer (one or several parts), in any CRS.
    step_m
        Spacing of the points; each stands for the ``step_m`` of line around it.

    Returns
    -------
    pandas.DataFrame
        ``part`` (1, 2, ... in chainage order), ``km`` (chainage of the point from the
        part's start), ``lon``, ``lat``, ``chunk`` (which local projection measures it),
        ``length_m`` (the line each point stands for: ``step_m``, less at a part's end).
    """
    rows = []
    for part_no, line in enumerate(border_parts(border.to_crs(WGS84)), start=1):
        coords = shapely.get_coordinates(line)
        chain = np.concatenate([[0.0], np.cumsum(edge_lengths_m(coords))])
        total = chain[-1]
        n = max(int(np.ceil(total / step_m)), 1)
        s = (np.arange(n) + 0.5) * (total / n)
        lon = np.interp(s, chain, coords[:, 0])
        lat = np.interp(s, chain, coords[:, 1])
        rows.append(
            pd.DataFrame(
                {
                    "part": part_no,
                    "km": s / 1000,
                    "lon": lon,
                    "lat": lat,
                    "chunk": (s // (CHUNK_KM * 1000)).astype(int),
                    "length_m": total / n,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out["chunk"] = out.groupby(["part", "chunk"], sort=False).ngroup()
    return out


def distances_m(
    samples: pd.DataFrame, geoms: gpd.GeoSeries, *, within_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest of ``geoms`` to each sample within ``within_m``, in the chunk's local CRS.

    Parameters
    ----------
    samples
        :func:`border_samples`.
    geoms
        Lines or areas in any CRS (a point inside an area is at distance 0).
    within_m
        Farthest distance looked at.

    Returns
    -------
    (index, distance)
        Position in ``geoms`` of the nearest geometry (-1 when none lies within
        ``within_m``) and its distance in metres (inf when none), one per sample.
    """
    index = np.full(len(samples), -1, dtype=np.int64)
    distance = np.full(len(samples), np.inf)
    geoms = geoms.to_crs(WGS84)
    values = geoms.geometry.values if hasattr(geoms, "geometry") else geoms.values
    if len(values) == 0 or len(samples) == 0:
        return index, distance
    tree = shapely.STRtree(values)
    for _, chunk in samples.groupby("chunk", sort=False):
        lon, lat = chunk["lon"].to_numpy(), chunk["lat"].to_numpy()
        lon0, lat0 = float(np.median(lon)), float(np.median(lat))
        # a box a little larger than within_m in degrees at the chunk's highest latitude
        pad_lat = within_m / 110_000 * 1.1
        pad_lon = pad_lat / max(np.cos(np.radians(np.abs(lat).max() + pad_lat)), 0.05)
        box = shapely.box(lon.min() - pad_lon, lat.min() - pad_lat, lon.max() + pad_lon,
                          lat.max() + pad_lat)  # fmt: skip
        near = tree.query(box)
        if not len(near):
            continue
        fwd = local_aeqd_transformers(lon0, lat0)[0]
        # only the part of each geometry in the box can be within_m of a point: cut first,
        # so that a region's whole outline is not projected for every chunk
        cut = shapely.clip_by_rect(values[near], *box.bounds)
        keep = ~shapely.is_empty(cut)
        near, cut = near[keep], cut[keep]
        if not len(near):
            continue
        local = shapely.transform(
            cut, lambda c, f=fwd: np.column_stack(f.transform(c[:, 0], c[:, 1]))
        )
        x, y = fwd.transform(lon, lat)
        points = shapely.points(x, y)
        pts, found = shapely.STRtree(local).query_nearest(
            points, max_distance=within_m, return_distance=False, all_matches=False
        )
        d = shapely.distance(points[pts], local[found])
        rows = chunk.index.to_numpy()[pts]
        index[samples.index.get_indexer(rows)] = near[found]
        distance[samples.index.get_indexer(rows)] = d
    return index, distance
