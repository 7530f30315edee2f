"""Tables of the regions along the border and of the pairs of regions facing each other.

Regions are whole admin_level 4 areas (oblasts, krais, republics) that run along the
border; each cell of a width belongs to the region holding its representative point on its
side.

Published rule for the border km of a region: the border line itself is cut into pieces
of :data:`PIECE_KM` (geodesic) and each piece belongs, on each side, to the region of that
side whose polygon is nearest its midpoint (within ``within_km``; measured in a Lambert
conformal conic fitted to the border, where "nearest" is the ellipsoid's to second order);
a region's border km is the geodesic length of its pieces and a pair's the length of the
pieces whose nearest regions are that pair (:func:`cut_border_by_region`). The km of one
side's regions (with the pieces no region is near, :data:`NO_REGION`) sum to the border
length.
"""

import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.border.line import border_parts
from borderzone.border.segments import cut_segments
from borderzone.crs import WGS84, fitted_crs
from borderzone.metrics.population import region_population

log = logging.getLogger(__name__)

PIECE_KM = 0.25
"""Length of the pieces the border is cut into to give each km to a region."""

NO_REGION = "(no region within reach)"
"""Region name of the border pieces that no region of a side lies near."""

REGION_COLUMNS = [
    "side",
    "name",
    "border_km",
    "road_crossings",
    "rail_crossings",
    "population",
    "area_km2",
    "pop_density_km2",
    "population_in_buffer",
    "buffer_area_km2",
    "buffer_density_km2",
    "isolation_index",
]
PAIR_COLUMNS = [
    "region_a",
    "region_b",
    "border_km",
    "road_crossings",
    "rail_crossings",
    "population_in_buffer_a",
    "population_in_buffer_b",
    "isolation_index_a",
    "isolation_index_b",
]


def border_regions(
    admin: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, countries: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Select the admin_level 4 areas along the border, each with the ``side`` it lies on.

    Parameters
    ----------
    admin
        Admin areas with ``admin_level`` (any CRS).
    segments
        The ``segments`` layer: the border line.
    countries
        The two outlines (``iso3``), to tell which side an area lies on.

    Returns
    -------
    geopandas.GeoDataFrame
        The level 4 rows of ``admin`` along at least 20 km of border (within 10 km of
        their outline), with ``side``: the ISO3 of the country holding the area's
        representative point (None if neither).
    """
    level = pd.to_numeric(admin["admin_level"], errors="coerce")
    on_border = _on_border(admin[level == 4], segments)
    return on_border.assign(side=_side_of(on_border, countries))


def cut_border_by_region(
    border: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    sides: Sequence[str],
    piece_km: float = PIECE_KM,
    within_km: float = 10.0,
) -> gpd.GeoDataFrame:
    """Cut the border line into pieces, each with the nearest region on each side.

    Parameters
    ----------
    border
        The ``border`` layer or the ``segments`` layer: the line (any CRS).
    regions
        Areas with ``side`` (ISO3) and ``name``.
    sides
        The two ISO3 codes: the columns ``region_a`` and ``region_b`` are theirs.
    piece_km
        Length of the pieces.
    within_km
        A region farther than this from a piece is not its region (:data:`NO_REGION`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per piece, in chainage order of the parts: ``length_km`` (geodesic),
        ``region_a``, ``region_b``, in EPSG:4326. The lengths sum to the line's length.
    """
    # each row (a part, or a segment) is cut on its own: the pieces tile the line
    pieces = pd.concat(
        [
            cut_segments(part, segment_km=piece_km, log_level=logging.DEBUG)
            for part in border_parts(border.to_crs(WGS84))
        ],
        ignore_index=True,
    )
    log.info("border cut into %d pieces of %g km for its regions", len(pieces), piece_km)
    pieces = gpd.GeoDataFrame(pieces[["length_km"]], geometry=pieces.geometry, crs=WGS84)
    work = fitted_crs(tuple(pieces.total_bounds), kind="conformal")
    mid = shapely.line_interpolate_point(pieces.to_crs(work).geometry.values, 0.5, normalized=True)
    areas = regions.to_crs(work)
    for tag, side in zip(("a", "b"), sides, strict=True):
        mine = areas[areas["side"].to_numpy() == side]
        name = np.full(len(pieces), NO_REGION, dtype=object)
        if len(mine):
            nearest = _nearest_area(mine.geometry.values, mid, max_distance=within_km * 1000)
            found = nearest >= 0
            name[found] = mine["name"].to_numpy()[nearest[found]]
        pieces[f"region_{tag}"] = name
    return pieces


def _nearest_area(areas: np.ndarray, points: np.ndarray, *, max_distance: float) -> np.ndarray:
    """Index of the area nearest each point within ``max_distance`` (-1: none).

    As ``STRtree.query_nearest`` finds it, without measuring to whole outlines of ~10⁵
    vertices. A point in one area only is nearest to it (prepared point-in-polygon
    tests); a point outside every area is nearest to the area with the nearest edge (an
    STRtree of the outlines' edges); a point in several areas goes to ``query_nearest``.
    """
    nearest = np.full(len(points), -1, dtype=np.int64)
    x, y = shapely.get_x(points), shapely.get_y(points)
    count = np.zeros(len(points), dtype=np.int64)
    for i, area in enumerate(areas):
        shapely.prepare(area)
        hit = shapely.intersects_xy(area, x, y)
        count += hit
        nearest[hit] = i
    nearest[count != 1] = -1
    parts, part_of = shapely.get_parts(areas, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, vertex_of = shapely.get_coordinates(rings, return_index=True)
    first = np.flatnonzero(vertex_of[1:] == vertex_of[:-1])
    edges = shapely.linestrings(np.stack([xy[first], xy[first + 1]], axis=1))
    outside = np.flatnonzero(count == 0)
    got, edge = shapely.STRtree(edges).query_nearest(
        points[outside], max_distance=max_distance, all_matches=False
    )
    nearest[outside[got]] = part_of[ring_of[vertex_of[first[edge]]]]
    several = np.flatnonzero(count > 1)
    got, hit = shapely.STRtree(areas).query_nearest(
        points[several], max_distance=max_distance, all_matches=False
    )
    nearest[several[got]] = hit
    return nearest


def border_km_by_region(pieces: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    """Border km per (side tag, region) and per (region_a, region_b) of the pieces.

    ``pieces`` is the output of :func:`cut_border_by_region`; the first Series is indexed
    by (``"a"``/``"b"``, region name), the second by (``region_a``, ``region_b``).
    """
    per = pd.concat(
        {tag: pieces.groupby(f"region_{tag}", sort=True)["length_km"].sum() for tag in ("a", "b")}
    )
    pair = pieces.groupby(["region_a", "region_b"], sort=True)["length_km"].sum()
    return per, pair


def region_tables(
    regions: gpd.GeoDataFrame,
    metrics: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame,
    *,
    population: str | Path | None,
    segments: gpd.GeoDataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tables per region along the border and per pair of regions facing each other.

    Each cell belongs to the region holding its representative point (on its side). The
    border km of a region and of a pair come from the line cut by the regions
    (:func:`cut_border_by_region`) when ``segments`` is given; without it, from the
    segments of the cells (whole segments; a segment's length goes to the pair of regions
    of its two cells).

    Parameters
    ----------
    regions
        Level 4 areas along the border with ``side`` and ``name``.
    metrics
        ``segment_metrics`` of one width (cells with ``population``, ``area_km2``,
        ``isolation_index``, ``from_km``, ``to_km``).
    crossings
        The crossings (``kind``, ``seg_id``).
    population
        Population raster for the whole regions' population (None: not computed).
    segments
        The ``segments`` (or ``border``) layer: the line whose km are given to regions.

    Returns
    -------
    per_region, per_pair
        Columns :data:`REGION_COLUMNS` and :data:`PAIR_COLUMNS`.
    """
    cells = metrics.to_crs(WGS84).copy()
    points = shapely.point_on_surface(cells.geometry.values)
    cells["region"] = None
    for row in regions.itertuples():
        geom = row.geometry
        shapely.prepare(geom)
        inside = (cells["side"].to_numpy() == row.side) & shapely.contains(geom, points)
        cells.loc[inside, "region"] = row.name
    cells["length_km"] = cells["to_km"] - cells["from_km"]
    cells["weighted_iso"] = cells["isolation_index"] * cells["population"]
    kinds = crossings.groupby(["seg_id", "kind"]).size().unstack(fill_value=0)
    kinds = kinds.reindex(columns=["road", "rail"], fill_value=0)

    per_cell = cells.join(kinds, on="seg_id").fillna({"road": 0, "rail": 0})
    grouped = per_cell.dropna(subset=["region"]).groupby(["side", "region"])
    table = (
        grouped.agg(
            border_km=("length_km", "sum"),
            road_crossings=("road", "sum"),
            rail_crossings=("rail", "sum"),
            population_in_buffer=("population", "sum"),
            buffer_area_km2=("area_km2", "sum"),
            weighted_iso=("weighted_iso", "sum"),
        )
        .reset_index()
        .rename(columns={"region": "name"})
    )
    table["buffer_density_km2"] = table["population_in_buffer"] / table["buffer_area_km2"]
    table["isolation_index"] = table["weighted_iso"] / table["population_in_buffer"]
    whole = regions[["side", "name"]].copy()
    if population is not None:
        whole = pd.DataFrame(region_population(regions, population))
    table = whole.drop(columns="geometry", errors="ignore").merge(
        table, on=["side", "name"], how="left"
    )
    table = table.reindex(columns=REGION_COLUMNS)

    sides = list(dict.fromkeys(cells["side"]))
    wide = cells.pivot_table(index="seg_id", columns="side", values=["region"], aggfunc="first")[
        "region"
    ].reindex(columns=sides)
    seg = cells.groupby("seg_id").agg(length_km=("length_km", "first")).join(kinds)
    seg = seg.fillna({"road": 0, "rail": 0})
    seg["region_a"], seg["region_b"] = wide.iloc[:, 0], wide.iloc[:, 1]
    for tag, side in zip(("a", "b"), sides, strict=False):
        side_cells = cells[cells["side"] == side].set_index("seg_id")
        seg[f"population_{tag}"] = side_cells["population"]
        seg[f"weighted_iso_{tag}"] = side_cells["weighted_iso"]
    pair = seg.dropna(subset=["region_a", "region_b"]).groupby(["region_a", "region_b"])
    pairs = pair.agg(
        border_km=("length_km", "sum"),
        road_crossings=("road", "sum"),
        rail_crossings=("rail", "sum"),
        population_in_buffer_a=("population_a", "sum"),
        population_in_buffer_b=("population_b", "sum"),
        weighted_iso_a=("weighted_iso_a", "sum"),
        weighted_iso_b=("weighted_iso_b", "sum"),
    ).reset_index()
    for tag in ("a", "b"):
        pairs[f"isolation_index_{tag}"] = (
            pairs[f"weighted_iso_{tag}"] / pairs[f"population_in_buffer_{tag}"]
        )
    if segments is not None and len(sides) == 2:
        per, by_pair = border_km_by_region(cut_border_by_region(segments, regions, sides=sides))
        tag = table["side"].map(dict(zip(sides, ("a", "b"), strict=False)))
        keys = pd.MultiIndex.from_arrays([tag, table["name"]])
        table["border_km"] = per.reindex(keys).fillna(0.0).to_numpy()
        by_pair = by_pair.drop(index=NO_REGION, level=0, errors="ignore")
        by_pair = by_pair.drop(index=NO_REGION, level=1, errors="ignore")
        on = ["region_a", "region_b"]
        # names as text on both sides: an empty table's keys would otherwise be numbers
        pairs = pairs.drop(columns="border_km").astype(dict.fromkeys(on, object))
        pairs = pairs.merge(
            by_pair.rename("border_km").reset_index().astype(dict.fromkeys(on, object)),
            on=on,
            how="outer",
        )
        pairs = pairs.fillna({"border_km": 0.0, "road_crossings": 0, "rail_crossings": 0})
    pairs = pairs.sort_values("border_km", ascending=False, ignore_index=True, kind="stable")
    return table, pairs.reindex(columns=PAIR_COLUMNS)


def _on_border(
    areas: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    *,
    within_km: float = 10.0,
    min_km: float = 20.0,
) -> gpd.GeoDataFrame:
    """Areas along at least ``min_km`` of border within ``within_km`` of their outline.

    The tolerance lets generalised outlines (Natural Earth) count; the minimum length
    leaves out areas that only meet the border at a corner.
    """
    if areas.empty:
        return areas
    work = fitted_crs(tuple(segments.total_bounds), kind="conformal")
    line = shapely.union_all(segments.to_crs(work).geometry.values)
    zones = shapely.buffer(areas.to_crs(work).geometry.values, within_km * 1000)
    length_km = shapely.length(shapely.intersection(zones, line)) / 1000
    return areas[length_km >= min_km]


def _side_of(areas: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> np.ndarray:
    """ISO3 of the country that holds each area's representative point (None if neither)."""
    points = shapely.point_on_surface(areas.to_crs(WGS84).geometry.values)
    side = np.full(len(areas), None, dtype=object)
    for code, geom in zip(countries["iso3"], countries.geometry.values, strict=True):
        shapely.prepare(geom)
        side[shapely.contains(geom, points)] = code
    return side
