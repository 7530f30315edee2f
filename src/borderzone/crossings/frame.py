"""The border in the working CRS: the side of a point, and the chainage of a point on the line.

Published rules
---------------
The working CRS is a conformal conic fitted to the border (:func:`borderzone.crs.fitted_crs`);
every lon/lat input is densified to 0.01° edges (:func:`borderzone.crs.densify_lonlat`)
before it is projected. The outlines of the two countries are clipped to the window
:data:`WINDOW_MARGIN_DEG` around the border's bounding box.

A point's side (:meth:`Frame.side`) is the first country when its outline contains the
point, else the second country when its outline does, else none; points within
:data:`ON_BORDER_M` of the border line also get none. The border may be in several parts
(one row of the ``border`` layer each, see :mod:`borderzone.border.line`): the edges of
every part are searched, and no edge joins two parts. The chainage of a point on the
border (:meth:`Frame.locate`) is the ``from_km`` of the part its nearest edge belongs to
plus the geodesic length of that part from its first vertex to the point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from borderzone.border.line import border_parts
from borderzone.crs import WGS84, densify_lonlat, fitted_crs
from borderzone.geodesy import GEOD, edge_lengths_m

ON_BORDER_M = 0.5
"""Vertices this close to the border line are on it and belong to neither side."""

WINDOW_MARGIN_DEG = 2.0
"""Margin of the working window around the border's bounding box, in degrees."""

_Window = tuple[float, float, float, float]


def _clip_and_project(geoms: np.ndarray, window: _Window, fwd: pyproj.Transformer) -> np.ndarray:
    """Lon/lat geometries clipped to the window, densified and projected."""
    geoms = shapely.clip_by_rect(geoms, *window)
    return shapely.transform(densify_lonlat(geoms), fwd.transform, interleaved=False)


@dataclass
class Frame:
    """The border, the two countries and the working CRS."""

    fwd: pyproj.Transformer
    inv: pyproj.Transformer
    border_ll: np.ndarray  # densified lon/lat vertices of every part, one after the other
    edges: np.ndarray  # projected two-point edges (none between two parts)
    tree: shapely.STRtree  # of edges
    coarse: shapely.STRtree  # of lon/lat boxes around the edges
    chain_m: np.ndarray  # geodesic chainage of each densified vertex
    edge_start: np.ndarray  # index in border_ll of each edge's first vertex
    edge_part: np.ndarray  # part_id of each edge
    poly_a: shapely.Geometry
    poly_b: shapely.Geometry
    window: _Window

    def project(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Densify lon/lat (multi)lines and project them.

        Returns the lon/lat and projected vertices, and for each vertex the index of its
        part and of its geometry in ``geoms``.
        """
        parts, owner = shapely.get_parts(densify_lonlat(geoms), return_index=True)
        ll, part = shapely.get_coordinates(parts, return_index=True)
        x, y = self.fwd.transform(ll[:, 0], ll[:, 1])
        return ll, np.column_stack([x, y]), part, owner[part]

    def project_areas(self, geoms: np.ndarray) -> np.ndarray:
        """Lon/lat areas clipped to the window, densified and projected."""
        return _clip_and_project(geoms, self.window, self.fwd)

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

    def locate(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geodesic chainage (km), lon and lat of projected points on the border."""
        lon, lat = self.inv.transform(x, y)
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        edge = np.zeros(len(x), dtype=np.int64)
        if len(x):
            (inp, hit) = self.tree.query_nearest(shapely.points(x, y), all_matches=False)
            edge[inp] = hit
        first = self.edge_start[edge]
        start = self.border_ll[first]
        _, _, along = GEOD.inv(start[:, 0], start[:, 1], lon, lat)
        span = self.chain_m[first + 1] - self.chain_m[first]
        along = np.minimum(np.asarray(along, dtype=float), span)
        return (self.chain_m[first] + along) / 1000, lon, lat

    def part(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``part_id`` of the part nearest each projected point."""
        edge = np.zeros(len(x), dtype=np.int64)
        if len(x):
            (inp, hit) = self.tree.query_nearest(shapely.points(x, y), all_matches=False)
            edge[inp] = hit
        return self.edge_part[edge]


def border_frame(
    border: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, pair: Sequence[str]
) -> Frame:
    """Project the border and the outlines of ``pair`` into a CRS fitted to the border.

    Parameters
    ----------
    border
        The ``border`` layer in EPSG:4326: one LineString row per part (``part_id``,
        ``from_km``), or one (Multi)LineString row whose merged lines are the parts.
    countries
        Outlines in EPSG:4326, columns ``iso3`` and ``geometry``.
    pair
        The two ISO3 codes: the first and the second side.
    """
    parts = border_parts(border)
    has_chainage = isinstance(border, gpd.GeoDataFrame) and {"part_id", "from_km"} <= set(
        border.columns
    )
    if has_chainage and len(parts) == len(border):
        rows = border.sort_values("part_id", kind="stable")
        part_ids = rows["part_id"].to_numpy(np.int64)
        offsets_m = rows["from_km"].to_numpy(float) * 1000
    else:  # parts without chainage: one after the other
        part_ids = np.arange(1, len(parts) + 1)
        offsets_m = None
    x0, y0, x1, y1 = shapely.MultiLineString(parts).bounds
    margin = WINDOW_MARGIN_DEG
    window = (max(x0 - margin, -180), max(y0 - margin, -90))
    window += (min(x1 + margin, 180), min(y1 + margin, 90))
    crs = fitted_crs((x0, y0, x1, y1) if x1 > x0 else window, kind="conformal")
    fwd = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    inv = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    lls, chains, starts, owners, n, end_m = [], [], [], [], 0, 0.0
    for k, part in enumerate(parts):
        ll = shapely.get_coordinates(densify_lonlat(part))
        chain = np.concatenate([[0.0], np.cumsum(edge_lengths_m(ll))])
        offset = end_m if offsets_m is None else offsets_m[k]
        lls.append(ll)
        chains.append(offset + chain)
        starts.append(n + np.arange(len(ll) - 1))
        owners.append(np.full(len(ll) - 1, part_ids[k]))
        n, end_m = n + len(ll), offset + chain[-1]
    ll, edge_start = np.concatenate(lls), np.concatenate(starts)
    x, y = fwd.transform(ll[:, 0], ll[:, 1])
    xy = np.column_stack([x, y])
    edges = shapely.linestrings(np.stack([xy[edge_start], xy[edge_start + 1]], axis=1))
    eps = 0.001  # degrees: far more than a lon/lat and a projected edge ever part
    a, b = ll[edge_start], ll[edge_start + 1]
    lo, hi = np.minimum(a, b) - eps, np.maximum(a, b) + eps
    boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
    outlines = countries.set_index("iso3").geometry
    polys = _clip_and_project(
        np.array([outlines[code] for code in pair], dtype=object), window, fwd
    )
    shapely.prepare(polys)
    return Frame(
        fwd=fwd,
        inv=inv,
        border_ll=ll,
        edges=edges,
        tree=shapely.STRtree(edges),
        coarse=shapely.STRtree(boxes),
        chain_m=np.concatenate(chains),
        edge_start=edge_start,
        edge_part=np.concatenate(owners),
        poly_a=polys[0],
        poly_b=polys[1],
        window=window,
    )
