"""Shared fixtures-by-construction of the crossings tests (tests/unit/crossings/).

An analytic border: XAA south and XBB north of lat = 50 + 0.1 sin(lon), 60-70 °E; builders
of road, rail and checkpoint layers; and a synthetic OSM world run through the border and
OSM stages, with its truth.
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from borderzone.border.line import trace_border
from borderzone.border.segments import cut_segments
from borderzone.crossings.detect import detect_crossings
from borderzone.crs import WGS84, local_aeqd
from borderzone.geodesy import GEOD
from borderzone.synth import world as synth

WEST, EAST = 60.0, 70.0
PAIR = ("XAA", "XBB")
OUTLINES = Path(__file__).resolve().parents[1] / "data" / "rus_kaz_outlines.gpkg"


def f(lon):
    return 50.0 + 0.1 * np.sin(lon)


def _world():
    lon = np.arange(WEST, EAST + 1e-9, 0.005)
    line = np.column_stack([lon, f(lon)])
    south = shapely.Polygon(np.concatenate([line, [[EAST, 47.0], [WEST, 47.0]]]))
    north = shapely.Polygon(np.concatenate([line, [[EAST, 53.0], [WEST, 53.0]]]))
    countries = gpd.GeoDataFrame({"iso3": list(PAIR)}, geometry=[south, north], crs=WGS84)
    border_line = shapely.LineString(line)
    border = gpd.GeoDataFrame({"pair": ["XAA-XBB"]}, geometry=[border_line], crs=WGS84)
    segments = cut_segments(border_line, segment_km=25)
    gaps = gpd.GeoDataFrame({"gap_id": [], "from_km": [], "to_km": []}, geometry=[], crs=WGS84)
    return border, segments, gaps, countries


BORDER, SEGMENTS, GAPS, COUNTRIES = _world()
KM_PER_DEG_LAT = 111.2


def crossing_line(lon, *, dy=0.05, n=6, dx=0.0):
    """A road from XAA (south) to XBB (north) through the border at ``lon``."""
    t = np.linspace(-1, 1, n)
    return shapely.LineString(np.column_stack([lon + dx * t, f(lon) + dy * t]))


def _tag_frame(rows, cols):
    data = {"osm_id": [r[0] for r in rows]}
    for c in cols:
        data[c] = [r[2].get(c) for r in rows]
    return gpd.GeoDataFrame(data, geometry=[r[1] for r in rows], crs=WGS84)


def roads_frame(rows):
    """Roads from (osm_id, geometry, tags) rows, with the layer's tag columns."""
    return _tag_frame(rows, ["highway", "surface", "tracktype", "smoothness", "ref", "name"])


def rail_frame(rows):
    """Rail from (osm_id, geometry, tags) rows, with the layer's tag columns."""
    return _tag_frame(rows, ["railway", "gauge", "usage", "electrified", "ref", "name"])


def checkpoints_frame(rows):
    cols = ["barrier", "government", "railway", "border_control", "name"]
    data = {"osm_id": list(range(1, len(rows) + 1)), "osm_type": ["node"] * len(rows)}
    for c in cols:
        data[c] = [r[1].get(c) for r in rows]
    return gpd.GeoDataFrame(data, geometry=[shapely.Point(r[0]) for r in rows], crs=WGS84)


NO_ROADS = roads_frame([])
NO_RAIL = rail_frame([])
NO_CPS = checkpoints_frame([])


def find(roads=NO_ROADS, rail=NO_RAIL, checkpoints=NO_CPS, admin=None, world=None, **kw):
    border, segments, gaps, countries = world or (BORDER, SEGMENTS, GAPS, COUNTRIES)
    return detect_crossings(
        border, segments, gaps, countries, roads, rail, checkpoints, admin, pair=PAIR, **kw
    )


def metres_to_border(lon, lat):
    """Distance in metres from a point to the analytic border, in a local projection."""
    crs = local_aeqd(lon, lat)
    fwd = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    blon = np.linspace(lon - 0.05, lon + 0.05, 20001)
    x, y = fwd.transform(blon, f(blon))
    return shapely.distance(shapely.Point(0, 0), shapely.LineString(np.column_stack([x, y])))


# --------------------------------------------------------------------------------------
# the truth of synthetic worlds


def run_world(out_dir: Path, seed: int, countries=None, pair=PAIR):
    """Crossings found in a synthetic world, its truth, its non-crossings and its roads."""
    from borderzone.osm.pbf import extract_corridor

    world = synth.generate_world(out_dir, countries=countries, pair=pair, n_ways=300, seed=seed)
    countries = gpd.read_file(world.countries, layer="countries")[["iso3", "geometry"]]
    border, gaps = trace_border(countries, pair=pair)
    segments = cut_segments(border.geometry.iloc[0], segment_km=25)
    corridor = shapely.buffer(border.geometry.iloc[0], 0.3)
    layers = extract_corridor([world.pbf], corridor=corridor, engine="pyosmium")
    found = detect_crossings(
        border,
        segments,
        gaps,
        countries,
        layers["roads"],
        layers["rail"],
        layers["checkpoints"],
        layers["admin"],
        pair=pair,
    )
    truth = gpd.read_file(world.truth, layer="crossings")
    non = gpd.read_file(world.truth, layer="non_crossings")
    return found, truth, non, layers["roads"]


def matched(found, truth):
    """Index of the found crossing of each truth crossing (same kind, nearest, ≤ 50 m)."""
    out = []
    for row in truth.itertuples():
        same = found[found.kind == row.kind]
        d = GEOD.inv(
            np.full(len(same), row.geometry.x),
            np.full(len(same), row.geometry.y),
            same.lon.to_numpy(),
            same.lat.to_numpy(),
        )[2]
        k = int(np.argmin(d))
        assert d[k] <= 50.0, f"{row.feature} at km {row.border_km:.3f}: nearest found {d[k]:.0f} m"
        out.append(same.index[k])
    return out
