"""Measures of each cell's own ground: its area, its road and rail density, its reach of roads.

Each measure returns a :class:`pandas.Series` (or, for :func:`road_densities`, a frame)
aligned to the index of the ``cells`` it is given, in the manner of momepy.

Geometry conventions
--------------------
- Inputs are in any CRS and are brought to EPSG:4326 first.
- Areas are measured in an Albers equal-area conic fitted to each cell
  (:func:`borderzone.crs.fitted_transformer`, one per cell), after densifying lon/lat edges.
- Lengths of lines are geodesic on WGS84 (:func:`borderzone.geodesy.geodesic_length_km`),
  measured on the pieces of each line that fall in each cell (an STRtree of the lines is
  queried with the cells; only the lines that cross a cell's edge are cut).
- Distances from roads (:func:`share_within_km_of_road`) are measured on the ellipsoid's
  tangent plane at each cell's centre, where they are true to 0.005 %.
"""

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import scipy.ndimage
import shapely

from borderzone.crs import DEGREES_TO_RADIANS, densify_lonlat, fitted_transformer
from borderzone.geodesy import geodesic_length_km, single_parts
from borderzone.metrics.inputs import (
    check_frame,
    halo_box,
    lonlat_bounds,
    to_lonlat,
)
from borderzone.osm.schema import RAIL_EXCLUDE

ROAD_GROUPS: dict[str, tuple[str, ...]] = {
    "main": (
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
    ),
    "local": (
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    ),
    "track": ("track",),
}
"""Groups of ``highway`` values used for road densities."""

ROAD_DENSITY_COLUMNS: dict[str, str] = {
    "main": "main_road_km_per_km2",
    "local": "local_road_km_per_km2",
    "track": "track_km_per_km2",
}
"""Column of :func:`road_densities` for each group of :data:`ROAD_GROUPS`."""


def cell_area_km2(cells: gpd.GeoDataFrame) -> pd.Series:
    """Area of each cell in km², in an equal-area conic fitted to that cell.

    One conic per cell (:func:`~borderzone.crs.fitted_transformer`): a cell's area does
    not depend on which other cells are measured with it (a chunk of the border or all).
    """
    check_frame(cells, "cells")
    geoms = densify_lonlat(to_lonlat(cells))
    area = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        to = fitted_transformer(lonlat_bounds(np.array([geom])), kind="equal_area")
        area[i] = shapely.area(shapely.transform(geom, to.transform, interleaved=False))
    return pd.Series(area / 1e6, index=cells.index, name="area_km2")


def _line_km_by_cell(
    cells: gpd.GeoDataFrame, lines: gpd.GeoDataFrame, group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Geodesic km of ``lines`` inside each cell, per group: array (n_cells, n_groups)."""
    cg = to_lonlat(cells)
    lg = to_lonlat(lines)
    out = np.zeros((len(cg), n_groups))
    if len(lg) == 0 or len(cg) == 0:
        return out
    tree = shapely.STRtree(lg)
    ci, li = tree.query(cg, predicate="intersects")
    # each cell's lines summed in their order, not the tree's: the same sums to the last
    # bit whichever other lines the tree holds (a chunk of the border or all)
    order = np.lexsort((li, ci))
    ci, li = ci[order], li[order]
    shapely.prepare(cg)
    inside = shapely.contains(cg[ci], lg[li])
    km = np.empty(len(ci))
    whole, of = np.unique(li[inside], return_inverse=True)  # lines inside a cell
    km[inside] = geodesic_length_km(lg[whole])[of]
    cut = ~inside
    if cut.any():
        km[cut] = geodesic_length_km(shapely.intersection(lg[li[cut]], cg[ci[cut]]))
    np.add.at(out, (ci, group[li]), km)
    return out


def _km_per_km2(cells: gpd.GeoDataFrame, lines: gpd.GeoDataFrame, name: str) -> pd.Series:
    """Geodesic km of all ``lines`` inside each cell per equal-area km² of it."""
    km = _line_km_by_cell(cells, lines, np.zeros(len(lines), dtype=int), 1)[:, 0]
    return pd.Series(km / cell_area_km2(cells).to_numpy(), index=cells.index, name=name)


def _highway_mask(roads: pd.DataFrame, classes: str | Iterable[str] | None) -> np.ndarray:
    if classes is None:
        return np.ones(len(roads), dtype=bool)
    if isinstance(classes, str):
        if classes not in ROAD_GROUPS:
            raise ValueError(
                f"classes={classes!r} is no road group (groups: {', '.join(ROAD_GROUPS)})"
            )
        classes = ROAD_GROUPS[classes]
    return roads["highway"].isin(list(classes)).to_numpy()


def road_density(
    cells: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    classes: str | Iterable[str] | None = None,
) -> pd.Series:
    """Length of road per area: km of road per km² of cell.

    Parameters
    ----------
    cells
        Polygons (any CRS).
    roads
        Lines with a ``highway`` column (any CRS).
    classes
        None for every road; a group name of :data:`ROAD_GROUPS` (``"main"``, ``"local"``,
        ``"track"``); or an iterable of ``highway`` values.

    Returns
    -------
    pandas.Series
        Geodesic km of the roads inside each cell divided by its equal-area km².

    Examples
    --------
    A 10 km road in a 100 km² cell gives 0.1 km/km².
    """
    check_frame(cells, "cells")
    check_frame(roads, "roads", ["highway"])
    return _km_per_km2(cells, roads[_highway_mask(roads, classes)], "road_density")


def road_densities(cells: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> pd.DataFrame:
    """Road density of all roads and of each group of :data:`ROAD_GROUPS`, in one pass.

    Parameters
    ----------
    cells
        Polygons (any CRS).
    roads
        Lines with a ``highway`` column (any CRS).

    Returns
    -------
    pandas.DataFrame
        ``road_km_per_km2`` (every road, in a group or not), then the columns of
        :data:`ROAD_DENSITY_COLUMNS`; km per km² as in :func:`road_density`.
    """
    check_frame(cells, "cells")
    check_frame(roads, "roads", ["highway"])
    other = len(ROAD_GROUPS)
    group = np.full(len(roads), other)
    for j, name in enumerate(ROAD_GROUPS):
        group[_highway_mask(roads, name)] = j
    km = _line_km_by_cell(cells, roads, group, other + 1)
    area = cell_area_km2(cells).to_numpy()
    columns = {"road_km_per_km2": km.sum(axis=1) / area}
    for j, name in enumerate(ROAD_GROUPS):
        columns[ROAD_DENSITY_COLUMNS[name]] = km[:, j] / area
    return pd.DataFrame(columns, index=cells.index)


def rail_density(
    cells: gpd.GeoDataFrame,
    rail: gpd.GeoDataFrame,
    *,
    rail_exclude: Sequence[str] = RAIL_EXCLUDE,
) -> pd.Series:
    """Km of railway per km² of cell; abandoned, disused, planned lines left out.

    Parameters
    ----------
    cells
        Polygons (any CRS).
    rail
        Lines, with an optional ``railway`` column.
    rail_exclude
        ``railway`` values that are not lines in service and do not count (the
        ``osm.rail_exclude`` setting; by default
        :data:`borderzone.osm.schema.RAIL_EXCLUDE`).

    Returns
    -------
    pandas.Series
        Geodesic km of line inside each cell per equal-area km².
    """
    check_frame(cells, "cells")
    check_frame(rail, "rail")
    if "railway" in rail.columns:
        rail = rail[~rail["railway"].isin(list(rail_exclude)).to_numpy()]
    return _km_per_km2(cells, rail, "rail_density")


def share_within_km_of_road(
    cells: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    km: float = 5.0,
    sample_m: float = 500.0,
) -> pd.Series:
    """Share of each cell's area lying within ``km`` of any road.

    On the ellipsoid's tangent plane at each cell's centre (:func:`_tangent_plane`:
    distances true to 0.005 % for cells up to ~110 km across), a lattice of points every
    ``sample_m`` (finer for small cells: at least ~1,600 points a cell) covers the cell;
    the share is that of the points within ``km`` of a road (nearest-line queries on an
    STRtree), so the cost grows with the cell area, not with the number of roads.

    Parameters
    ----------
    cells
        Polygons (any CRS).
    roads
        Lines (any CRS).
    km
        Distance from a road, in km.
    sample_m
        Spacing of the sample points in metres.

    Returns
    -------
    pandas.Series
        Values in [0, 1].
    """
    check_frame(cells, "cells")
    check_frame(roads, "roads")
    if km <= 0:
        raise ValueError(f"km must be positive, got {km}")
    cg = to_lonlat(cells)
    lg = to_lonlat(roads)
    share = np.zeros(len(cg))
    if len(lg) == 0:
        return pd.Series(share, index=cells.index, name="share_within_road_km")
    # a cell's lines: those whose envelope meets its halo box, which holds all within reach
    boxes = np.array([halo_box(cg[i : i + 1], km * 1.1) for i in range(len(cg))])
    ci, li = shapely.STRtree(lg).query(shapely.box(*boxes.T))
    order = np.argsort(ci, kind="stable")
    ci, li = ci[order], li[order]
    bounds = np.searchsorted(ci, np.arange(len(cg) + 1))
    for i in range(len(cg)):
        near = li[bounds[i] : bounds[i + 1]]
        if len(near) == 0:
            continue
        c = shapely.centroid(cg[i])
        to = _tangent_plane(c.x, c.y).transform
        cell = shapely.transform(densify_lonlat(cg[i]), to, interleaved=False)
        # only the lines' pieces in that box
        reach = shapely.clip_by_rect(lg[near], *boxes[i])
        lines = shapely.transform(reach[~shapely.is_empty(reach)], to, interleaved=False)
        # a lattice of points over the cell; the share is that of points within reach
        x0, y0, x1, y1 = cell.bounds
        step = max(min(sample_m, np.sqrt(shapely.area(cell)) / 40), 1.0)
        gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
        shapely.prepare(cell)
        inside = shapely.contains_xy(cell, gx.ravel(), gy.ravel())
        if not inside.any():
            continue
        xy = np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
        share[i] = _within(xy, lines, distance_m=km * 1000, step_m=step) / len(xy)
    return pd.Series(np.clip(share, 0, 1), index=cells.index, name="share_within_road_km")


def _tangent_plane(lon: float, lat: float) -> pyproj.Transformer:
    """Build the transformer from EPSG:4326 to the ellipsoid's tangent plane at a point.

    East and north in metres (PROJ's ``cart`` then ``topocentric``, the up axis dropped).

    A distance between points within ``r`` of the point is true to about ``r² / 2R²``
    (0.005 % at 60 km), as an azimuthal equidistant projection's is to about a third of
    that, for a sixth of the cost: ``cart`` is closed-form, ``aeqd`` solves a geodesic a
    point.
    """
    return pyproj.Transformer.from_pipeline(
        f"+proj=pipeline +step {DEGREES_TO_RADIANS} "
        "+step +proj=cart +ellps=WGS84 "
        f"+step +proj=topocentric +ellps=WGS84 +lat_0={lat:.6f} +lon_0={lon:.6f}"
    )


def _within(xy: np.ndarray, lines: np.ndarray, *, distance_m: float, step_m: float) -> int:
    """How many points lie within ``distance_m`` of any line (exactly, in metres).

    The lines are densified so that no edge is longer than a grid step ``g`` (``step_m``, or
    a twentieth of ``distance_m`` if more): every point of a line is then within ``g / 2``
    of a vertex. The vertices mark the nodes of a grid of step ``g`` they round to (each
    within ``e = g / √2``), and the grid's Euclidean distance transform
    (:func:`scipy.ndimage.distance_transform_edt`) gives each node ``D``, its distance to the
    nearest marked node. A point ``δ`` from its node is then within ``δ + D + e`` of a vertex
    and no nearer than ``D - δ - e - g / 2`` to a line: that settles most points at once
    (inside, or beyond reach). Only the points in the narrow band between go to exact
    nearest-line queries on an STRtree.
    """
    if len(xy) == 0:
        return 0
    g = max(step_m, distance_m / 20)
    e = g / np.sqrt(2)
    # the grid holds every vertex within reach of a point: within distance + g / 2 of it
    reach = distance_m + g / 2 + e + g
    origin = xy.min(axis=0) - reach
    shape = np.ceil((xy.max(axis=0) + reach - origin) / g).astype(int) + 1
    parts = single_parts(lines)[0]
    proper = shapely.length(parts) > 0  # GEOS cannot densify a line of no length
    vertices = np.concatenate(
        [
            shapely.get_coordinates(shapely.segmentize(parts[proper], g)),
            shapely.get_coordinates(parts[~proper]),
        ]
    )
    node = np.round((vertices - origin) / g).astype(np.int64)
    node = node[((node >= 0) & (node < shape)).all(axis=1)]
    if len(node) == 0:
        return 0
    unmarked = np.ones(shape, dtype=bool)
    unmarked[node[:, 0], node[:, 1]] = False
    grid = scipy.ndimage.distance_transform_edt(unmarked, sampling=g)
    at = np.round((xy - origin) / g).astype(np.int64)
    offset = np.hypot(*(xy - origin - at * g).T)
    nearest = grid[at[:, 0], at[:, 1]]
    rounding = 1e-6 * distance_m + 1e-3
    inside = offset + nearest + e <= distance_m - rounding
    band = ~inside & (nearest - offset - e - g / 2 <= distance_m + rounding)
    if not band.any():
        return int(inside.sum())
    pts = shapely.points(xy[band])
    hit, _ = shapely.STRtree(lines).query_nearest(pts, max_distance=distance_m, all_matches=False)
    return int(inside.sum()) + len(np.unique(hit))
