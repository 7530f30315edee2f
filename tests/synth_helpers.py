"""Reading synthetic worlds back with real readers, for the tests of borderzone.synth.

Test modules import from here, never from each other; the worlds themselves are fixtures in
``tests/unit/synth/conftest.py``.
"""

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pyproj
import shapely

from borderzone.border.line import trace_border
from borderzone.crs import WGS84, local_aeqd
from borderzone.io import read_countries
from borderzone.synth.world import World

OUTLINES = Path(__file__).resolve().parents[1] / "data" / "rus_kaz_outlines.gpkg"


@dataclass
class Extract:
    """What a world's PBF holds, read with pyosmium."""

    ways: dict[int, tuple[dict[str, str], np.ndarray, list[int]]] = field(default_factory=dict)
    nodes: dict[int, tuple[dict[str, str], tuple[float, float]]] = field(default_factory=dict)
    relations: dict[int, dict[str, str]] = field(default_factory=dict)
    areas: list[tuple[int, dict[str, str], shapely.Geometry]] = field(default_factory=list)


def read_extract(path: Path) -> Extract:
    out = Extract()
    wkb = osmium.geom.WKBFactory()
    for obj in osmium.FileProcessor(str(path)).with_locations().with_areas():
        if obj.is_node() and len(obj.tags):
            out.nodes[obj.id] = (dict(obj.tags), (obj.location.lon, obj.location.lat))
        elif obj.is_way():
            coords = np.array([(n.lon, n.lat) for n in obj.nodes])
            out.ways[obj.id] = (dict(obj.tags), coords, [n.ref for n in obj.nodes])
        elif obj.is_relation():
            out.relations[obj.id] = dict(obj.tags)
        elif obj.is_area() and obj.from_way() is False:
            geom = shapely.from_wkb(wkb.create_multipolygon(obj))
            out.areas.append((obj.orig_id(), dict(obj.tags), geom))
    return out


def border_of(world: World, pair: tuple[str, str]) -> shapely.LineString:
    countries = read_countries(world.countries, iso3=pair)
    border, _ = trace_border(countries, pair=pair)
    return border.geometry.iloc[0]


def to_local(geom: shapely.Geometry, lon: float, lat: float) -> shapely.Geometry:
    tr = pyproj.Transformer.from_crs(WGS84, local_aeqd(lon, lat), always_xy=True)
    return shapely.transform(geom, lambda c: np.column_stack(tr.transform(*c.T)))


def side(point: np.ndarray, countries: gpd.GeoDataFrame) -> str | None:
    for row in countries.itertuples():
        if shapely.contains_xy(row.geometry, *point):
            return row.iso3
    return None


def read_back(world: World, pair: tuple[str, str]) -> dict:
    """A world's border, countries and corridor layers, as the workflow would read them."""
    from borderzone.osm.pbf import extract_corridor

    countries = read_countries(world.countries, iso3=pair)
    border, gaps = trace_border(countries, pair=pair)
    layers = extract_corridor(
        [world.pbf], corridor=shapely.box(*countries.total_bounds), engine="pyosmium"
    )
    return {"border": border, "gaps": gaps, "countries": countries, **layers}
