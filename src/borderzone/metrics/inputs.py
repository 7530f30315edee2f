"""Checks of the measures' inputs, and their geometries in lon/lat.

The measures take frames in any CRS; these helpers check what enters (a frame, the columns
a measure reads, a CRS) and bring geometries to EPSG:4326, where the fitted conics of
:mod:`borderzone.crs` are chosen from their extent.
"""

import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from borderzone.crs import WGS84, fitted_crs
from borderzone.errors import InputDataError


def check_frame(gdf: pd.DataFrame, name: str, columns: Iterable[str] = ()) -> None:
    """Raise InputDataError unless ``gdf`` is a frame with ``columns`` (and a CRS if spatial).

    Parameters
    ----------
    gdf
        The input.
    name
        Its name in the message, e.g. ``"roads"``.
    columns
        Columns it must have.
    """
    if not isinstance(gdf, pd.DataFrame):
        raise InputDataError(f"{name} must be a (Geo)DataFrame, got {type(gdf).__name__}")
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise InputDataError(
            f"{name} lacks column(s) {', '.join(missing)} (columns: "
            f"{', '.join(map(str, gdf.columns))})"
        )
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.crs is None:
        raise InputDataError(f"{name} has no CRS")


def to_lonlat(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Geometries of ``gdf`` in EPSG:4326 as a shapely array."""
    return np.asarray(gdf.to_crs(WGS84).geometry.values, dtype=object)


def lonlat_bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    """Bounds of lon/lat geometries, widened to 1° of longitude when they have no width."""
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    if maxx - minx < 1e-6:
        minx, maxx = minx - 0.5, maxx + 0.5
    return float(minx), float(miny), float(maxx), float(maxy)


def to_conformal(geoms: np.ndarray) -> pyproj.Transformer:
    """Make the transformer from lon/lat to a conformal conic fitted to ``geoms`` (x, y)."""
    crs = fitted_crs(lonlat_bounds(geoms), kind="conformal")
    return pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)


def place_population(places: pd.DataFrame) -> np.ndarray:
    """People of each place: its ``population`` as a number, 0 where unknown."""
    return pd.to_numeric(places["population"], errors="coerce").fillna(0).to_numpy(float)


WHOLE_WORLD = (-180.0, -90.0, 180.0, 90.0)
"""The lon/lat box of the whole world (x0, y0, x1, y1)."""


def halo_box(geoms: np.ndarray, km: float) -> tuple[float, float, float, float]:
    """Lon/lat box around ``geoms`` holding every point within ``km`` of them.

    Conservative: a degree of latitude is taken as 110 km (it is 110.6–111.7 km) and a
    degree of longitude as 111.3 km times the cosine of the box's highest latitude (it is
    111.32 km times the cosine at the equator, more elsewhere).
    The whole world when the box would reach a pole or go round the Earth.
    """
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    dlat = km / 110.0
    y0, y1 = y0 - dlat, y1 + dlat
    top = max(abs(y0), abs(y1))
    if top >= 89.0:
        return WHOLE_WORLD
    dlon = km / (111.3 * math.cos(math.radians(top)))
    if x1 - x0 + 2 * dlon >= 360.0:
        return WHOLE_WORLD
    return (max(x0 - dlon, -180.0), y0, min(x1 + dlon, 180.0), y1)


BOX_GRID_DEG = 0.05
"""Finest cell (degrees) of the grid :func:`box_cover` marks boxes on."""


def box_cover(lonlat: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Whether each lon/lat point, (n, 2), lies in a cell of a grid that a box meets.

    Every point inside one of the ``boxes`` (rows of x0, y0, x1, y1) is kept, and points
    near one (in the same cell of :data:`BOX_GRID_DEG`, coarser for boxes over a large
    area: 10⁷ cells at most): one pass over the points, whatever the number of boxes.
    """
    boxes = np.atleast_2d(np.asarray(boxes, dtype=float))
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    area = (boxes[:, 2].max() - x0) * (boxes[:, 3].max() - y0)
    cell = max(BOX_GRID_DEG, math.sqrt(area / 1e7))
    grid = np.floor((boxes - [x0, y0, x0, y0]) / cell).astype(np.int64)
    marked = np.zeros((grid[:, 2].max() + 1, grid[:, 3].max() + 1), dtype=bool)
    for i0, j0, i1, j1 in grid:
        marked[i0 : i1 + 1, j0 : j1 + 1] = True
    i = np.floor((lonlat[:, 0] - x0) / cell)
    j = np.floor((lonlat[:, 1] - y0) / cell)
    keep = (i >= 0) & (j >= 0) & (i < marked.shape[0]) & (j < marked.shape[1])
    keep[keep] = marked[i[keep].astype(np.int64), j[keep].astype(np.int64)]
    return keep
