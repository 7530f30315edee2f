"""Country outlines with a known shared border, written as a GeoPackage for tests.

XAA lies south and XBB north of a sine-shaped border from 58°E to 70°E near 50°N; both
reach the sea at 58°E (a coastline each, which is not border). XCC lies far away. With
``notch_km``, XAA's outline leaves the border for a stretch near 64°E and comes back
``notch_km`` further east, so the shared boundary has a gap of about that length there.
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

WEST, EAST, LAT = 58.0, 70.0, 50.0


def border_coords(n: int = 2401) -> np.ndarray:
    lon = np.linspace(WEST, EAST, n)
    lat = LAT + 0.15 * np.sin((lon - WEST) * 1.3) + 0.03 * np.sin((lon - WEST) * 7.1)
    return np.column_stack([lon, lat])


def write_outlines(path: Path, *, notch_km: float = 0.0) -> Path:
    line = border_coords()
    south_line = line.copy()
    if notch_km:
        # pull XAA's edge 3 km south over a stretch about notch_km long near 64°E
        half = notch_km / 2 / (111.32 * np.cos(np.radians(LAT)))
        inside = np.abs(line[:, 0] - 64.0) < half
        south_line[inside, 1] -= 3 / 111.0
    south = shapely.Polygon(np.concatenate([south_line, [[EAST, LAT - 3], [WEST, LAT - 3]]]))
    north = shapely.Polygon(np.concatenate([line, [[EAST, LAT + 3], [WEST, LAT + 3]]]))
    far = shapely.box(100, 10, 102, 12)
    gdf = gpd.GeoDataFrame(
        {"iso3": ["XAA", "XBB", "XCC"], "name": ["Aland", "Bland", "Cland"]},
        geometry=[south, north, far],
        crs="EPSG:4326",
    )
    gdf.to_file(path, layer="countries", driver="GPKG")
    return path
