"""The deliverables world with its border in two parts, for the report and web map tests.

The world's line loses its fifth segment (km 304–380), as if a third country lay there:
part 1 is segments 1–4 (km 0–304), part 2 the old segments 6–10, numbered 5–9, with the
chainage running on from km 304 to 684 (a break adds nothing to it). The crossing of the
lost segment goes; the others keep their place, those of part 2 with their km 76 less.
Part 1 then holds 4 road crossings, part 2 3 roads and the 2 railways; a gap of 1.5 km is
bridged in part 2, and the break is the straight line between the two parts.
"""

import geopandas as gpd
import pandas as pd
from pyproj import Geod
from shapely import LineString, line_merge, union_all

LOST_SEG, LOST_KM = 5, 76.0


def _renumber(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[frame["seg_id"] != LOST_SEG].copy()
    out.loc[out["seg_id"] > LOST_SEG, "seg_id"] -= 1
    return out


def two_parts(world: dict) -> dict:
    """Return a copy of the world with the border in two parts (module docstring)."""
    seg = _renumber(world["segments"])
    after = seg["seg_id"] >= LOST_SEG
    seg.loc[after, ["from_km", "to_km"]] -= LOST_KM
    seg.insert(1, "part_id", after.astype(int) + 1)
    lines = [line_merge(union_all(g.geometry.values)) for _, g in seg.groupby("part_id")]
    border = gpd.GeoDataFrame(
        {
            "pair": "RUS-KAZ",
            "part_id": [1, 2],
            "from_km": [0.0, 304.0],
            "to_km": [304.0, 684.0],
            "length_km": [304.0, 380.0],
            "official_length_km": 7644.0,
        },
        geometry=lines,
        crs=4326,
    )
    crossings = world["crossings"]
    lost = (crossings["km"] >= 304) & (crossings["km"] < 380)
    crossings = crossings[~lost].copy()
    later = crossings["km"] >= 380
    crossings.loc[later, "km"] -= LOST_KM
    crossings.loc[later, "seg_id"] -= 1
    (x0, y0), (x1, y1) = lines[0].coords[-1], lines[1].coords[0]
    breaks = gpd.GeoDataFrame(
        {
            "break_id": [1],
            "from_part": [1],
            "to_part": [2],
            "at_km": [304.0],
            "distance_km": [Geod(ellps="WGS84").inv(x0, y0, x1, y1)[2] / 1000],
            "between": ["third country or sea"],
        },
        geometry=[LineString([(x0, y0), (x1, y1)])],
        crs=4326,
    )
    return {
        **world,
        "border": border,
        "segments": seg,
        "crossings": crossings,
        "metrics": _renumber(world["metrics"]),
        "cells": _renumber(world["cells"]),
        "gaps": pd.DataFrame({"gap_id": [1], "part_id": [2], "length_km": [1.5]}),
        "breaks": breaks,
    }
