"""A small world of country outlines whose land neighbours are known by construction.

The centre country (``XBB`` unless told) is about the box 60–66°E, 48–52°N, with the sea
to its west. It has exactly three land neighbours, each sharing one whole edge of it; a
shared edge waves 0.05° to either side of its parallel or meridian, and is one list of
vertices every 0.0125° in both outlines, so that they meet exactly:

- ``XAA`` south (60–66°E, 45–48°N): a border of 6° along 48°N, about 450 km;
- ``XCC`` east (66–69°E, 48–52°N): a border of 4° along 66°E, about 450 km;
- ``XDD`` north (60–66°E, 52–55°N): a border of 6° along 52°N, about 415 km.

Three other countries are not its neighbours: ``XEE`` (the box 66–69°E, 52–55°N) touches
it only at its north-eastern corner (it borders ``XCC`` and ``XDD`` along straight edges);
``XFF``, an island off its west coast, lies 0.011° of longitude (about 0.8 km) from it,
farther than ``border.snap_m = 500`` m but nearer than 1 km; ``XGG`` lies far away.
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

WEST, EAST, SOUTH, NORTH = 60.0, 66.0, 48.0, 52.0
STEP = 0.0125
NEIGHBOURS = ("XAA", "XCC", "XDD")
"""The centre country's land neighbours, sorted."""
NOT_NEIGHBOURS = ("XEE", "XFF", "XGG")
ISLAND_GAP_DEG = 0.011
WAVE_DEG = 0.05
"""Amplitude of the shared edges' wave, in degrees (about 5 km)."""


def _edge(start: tuple[float, float], end: tuple[float, float]) -> np.ndarray:
    """Vertices every ``STEP`` degrees on the straight line from ``start`` to ``end``."""
    n = round(max(abs(end[0] - start[0]), abs(end[1] - start[1])) / STEP) + 1
    return np.column_stack([np.linspace(start[0], end[0], n), np.linspace(start[1], end[1], n)])


def _wavy(start: tuple[float, float], end: tuple[float, float]) -> np.ndarray:
    """A shared edge: the straight line from ``start`` to ``end`` (whole degrees, along a
    parallel or a meridian) moved across itself by ``WAVE_DEG * sin(pi * degrees along)``,
    which is 0 at every whole degree (so at the ends and corners)."""
    line = _edge(start, end)
    along = 0 if start[1] == end[1] else 1
    offset = WAVE_DEG * np.sin(np.pi * (line[:, along] - line[0, along]))
    line[:, 1 - along] += offset
    return line


def _ring(*pieces: np.ndarray) -> shapely.Polygon:
    """A polygon from pieces of its boundary, each starting where the previous one ends."""
    ring = np.concatenate([piece[:-1] for piece in pieces] + [pieces[-1][-1:]])
    return shapely.Polygon(np.round(ring, 9))


def world_outlines(centre: str = "XBB") -> gpd.GeoDataFrame:
    """The world's outlines, one row per country, in EPSG:4326 (column ``iso3``)."""
    south = _wavy((WEST, SOUTH), (EAST, SOUTH))  # centre | XAA, west to east
    east = _wavy((EAST, SOUTH), (EAST, NORTH))  # centre | XCC, south to north
    north = _wavy((WEST, NORTH), (EAST, NORTH))  # centre | XDD, west to east
    gap = ISLAND_GAP_DEG
    outlines = {
        centre: _ring(south, east, north[::-1], _edge((WEST, NORTH), (WEST, SOUTH))),
        "XAA": _ring(
            south,
            _edge((EAST, SOUTH), (EAST, 45.0)),
            _edge((EAST, 45.0), (WEST, 45.0)),
            _edge((WEST, 45.0), (WEST, SOUTH)),
        ),
        "XCC": _ring(
            east,
            _edge((EAST, NORTH), (69.0, NORTH)),
            _edge((69.0, NORTH), (69.0, SOUTH)),
            _edge((69.0, SOUTH), (EAST, SOUTH)),
        ),
        "XDD": _ring(
            north,
            _edge((EAST, NORTH), (EAST, 55.0)),
            _edge((EAST, 55.0), (WEST, 55.0)),
            _edge((WEST, 55.0), (WEST, NORTH)),
        ),
        "XEE": shapely.box(EAST, NORTH, 69.0, 55.0),
        "XFF": shapely.box(WEST - 0.5, 49.0, WEST - gap, 51.0),
        "XGG": shapely.box(100.0, 10.0, 102.0, 12.0),
    }
    return gpd.GeoDataFrame(
        {"iso3": list(outlines)}, geometry=list(outlines.values()), crs="EPSG:4326"
    )


def write_world_outlines(
    path: Path, *, centre: str = "XBB", iso3_column: str = "iso3", layer: str = "countries"
) -> Path:
    """Write :func:`world_outlines` to ``path`` (any GDAL format by its suffix)."""
    gdf = world_outlines(centre).rename(columns={"iso3": iso3_column})
    gdf.to_file(path, layer=layer)
    return path
