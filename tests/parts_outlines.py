"""Outlines of synthetic pairs whose border is in several parts, or runs north-south.

``write_parts_outlines``: XAA lies south and XBB north of the sine border of
``tests/outlines.py`` (58–70 °E near 50 °N), but a third country XCC, a diamond centred on
the border between :data:`WEDGE_WEST` and :data:`WEDGE_EAST`, lies between them there, so
the two mainland outlines touch in two stretches. West of the mainland, across
:data:`SEA_KM` of sea, an island from :data:`ISLAND_WEST` to :data:`ISLAND_EAST` is shared
by the two along the wiggly line :func:`island_coords`. The true border is three parts,
west to east: the island, 58–63 °E and 64.5–70 °E.

``write_north_south_outlines``: XAA lies west and XBB east of a sine border that runs from
:data:`NS_SOUTH` to :data:`NS_NORTH` near 60 °E (:func:`north_south_coords`).
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity

from tests.outlines import EAST, LAT, WEST, border_coords

WEDGE_WEST, WEDGE_EAST = 63.0, 64.5  # on vertices of border_coords()
ISLAND_WEST, ISLAND_EAST = 54.0, 56.5
SEA_KM = (WEST - ISLAND_EAST) * 111.32 * np.cos(np.radians(LAT))  # island to mainland
NS_SOUTH, NS_NORTH, NS_LON = 40.0, 52.0, 60.0


def island_coords(n: int = 501) -> np.ndarray:
    lon = np.linspace(ISLAND_WEST, ISLAND_EAST, n)
    return np.column_stack([lon, LAT + 0.05 * np.sin((lon - ISLAND_WEST) * 4.0)])


def mainland_stretches() -> list[np.ndarray]:
    """The true mainland border west and east of the wedge."""
    line = border_coords()
    return [line[line[:, 0] <= WEDGE_WEST], line[line[:, 0] >= WEDGE_EAST]]


def wedge() -> shapely.Polygon:
    line = border_coords()
    w = line[np.isclose(line[:, 0], WEDGE_WEST)][0]
    e = line[np.isclose(line[:, 0], WEDGE_EAST)][0]
    mid = (WEDGE_WEST + WEDGE_EAST) / 2
    return shapely.Polygon([w, (mid, LAT - 1.0), e, (mid, LAT + 1.0)])


def write_parts_outlines(path: Path, *, part_m: float = 0.0) -> Path:
    """Write XAA, XBB and XCC; with ``part_m``, XAA lies that far south of where XBB's
    outline runs (so that the outlines make a border only with ``border.snap_m`` above it)."""
    line = border_coords()
    south = shapely.Polygon(np.concatenate([line, [[EAST, LAT - 3], [WEST, LAT - 3]]]))
    north = shapely.Polygon(np.concatenate([line, [[EAST, LAT + 3], [WEST, LAT + 3]]]))
    isl = island_coords()
    isl_s = shapely.Polygon(np.concatenate([isl, [[ISLAND_EAST, LAT - 1], [ISLAND_WEST, LAT - 1]]]))
    isl_n = shapely.Polygon(np.concatenate([isl, [[ISLAND_EAST, LAT + 1], [ISLAND_WEST, LAT + 1]]]))
    c = wedge()
    a = shapely.MultiPolygon([*shapely.get_parts(shapely.difference(south, c)), isl_s])
    b = shapely.MultiPolygon([*shapely.get_parts(shapely.difference(north, c)), isl_n])
    if part_m:
        a = shapely.affinity.translate(a, yoff=-part_m / 111_000.0)
    gdf = gpd.GeoDataFrame(
        {"iso3": ["XAA", "XBB", "XCC"], "name": ["Aland", "Bland", "Cland"]},
        geometry=[a, b, c],
        crs="EPSG:4326",
    )
    gdf.to_file(path, layer="countries", driver="GPKG")
    return path


def north_south_coords(n: int = 2401) -> np.ndarray:
    lat = np.linspace(NS_SOUTH, NS_NORTH, n)
    lon = NS_LON + 0.15 * np.sin((lat - NS_SOUTH) * 1.3) + 0.03 * np.sin((lat - NS_SOUTH) * 7.1)
    return np.column_stack([lon, lat])


def write_north_south_outlines(path: Path) -> Path:
    line = north_south_coords()
    west = shapely.Polygon(np.concatenate([line, [[NS_LON - 3, NS_NORTH], [NS_LON - 3, NS_SOUTH]]]))
    east = shapely.Polygon(np.concatenate([line, [[NS_LON + 3, NS_NORTH], [NS_LON + 3, NS_SOUTH]]]))
    gdf = gpd.GeoDataFrame(
        {"iso3": ["XAA", "XBB"], "name": ["Aland", "Bland"]},
        geometry=[west, east],
        crs="EPSG:4326",
    )
    gdf.to_file(path, layer="countries", driver="GPKG")
    return path
