"""Synthetic worlds in real OpenStreetMap formats, with the expected answers known by construction.

:func:`generate_world` writes two countries (``countries.gpkg``), an OSM extract of the area
(``world.osm.pbf``, written by pyosmium), a population raster (``population.tif``) and a
truth file (``truth.gpkg``) that lists every physical crossing of the border by a road or a
railway. The truth comes from how the ways were built (each crossing way is laid out in
border coordinates, chainage and signed offset, with a node exactly on the border), never
from intersecting the output. Each feature is checked once while it is laid out, and moved
to another stretch of border if the border bends too much there for the design to hold.

Rules published here, which the crossing finder implements too
--------------------------------------------------------------
Surface class of a way: :func:`borderzone.osm.schema.surface_class`, the one published
rule (``surface``, then ``tracktype``, then ``smoothness``, then a class default), which
the truth and the crossing finder share.

A crossing is one point per physical crossing: crossing points of ways that belong to one
road (the carriageways and link of a dual carriageway) lie within 100 m of each other and
merge; crossings of one way more than 100 m apart (a zig-zag road) stay separate. A way that
reaches the border and returns to the side it came from, or runs along it, is no crossing.
``railway=abandoned``/``disused``/``construction``/``proposed`` lines are no crossings.

For a crossing:

- ``highway``: the highest class among the crossing ways, in the order of
  :data:`ROAD_CLASSES`; ``surface_class``/``surface_source`` come from the way of that class
  (the first in id order when several share it).
- ``official``: a ``barrier=border_control`` node or closed way (by its centroid) lies within
  2 km of the crossing point; for rail also a ``railway=border`` node.
- ``local_only``: official, and every such checkpoint has
  ``border_control=small_border_traffic``.
- ``category``: roads ``international checkpoint`` (official, not local only), ``local
  checkpoint`` (official, local only), ``track`` (``highway=track``, not official) or ``road
  without checkpoint``; rail ``rail checkpoint`` or ``rail without checkpoint``.
- ``surface_differs``: on each side, collect (highway class, surface class) of every way of
  the road (the crossing ways and the ways connected to them through shared nodes) that has
  a part on that side within 5 km of the crossing; the flag is set when the two sets differ.
- ``transit``: the railway leaves the first country and re-enters it (or the reverse).
- ``in_gap``: the crossing lies on a stretch of border that
  :func:`borderzone.border.line.trace_border` bridged.
"""

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pyogrio
import pyproj
import shapely

from borderzone.border.line import trace_border
from borderzone.crs import WGS84, fitted_crs
from borderzone.errors import InputDataError
from borderzone.geodesy import GEOD, edge_lengths_m
from borderzone.io import write_layers
from borderzone.osm.schema import ROAD_ORDER, road_rank, surface_class

log = logging.getLogger(__name__)

ROAD_CLASSES = ROAD_ORDER
"""Road classes from highest to lowest; a ``_link`` ranks just below its class."""

CHECKPOINT_RADIUS_M = 2000.0
SURFACE_WINDOW_M = 5000.0
MERGE_WITHIN_M = 100.0

NEAR_KM = 150.0  # procedural countries reach this far from the border
FAR_GAP_DEG = 3.5  # far ways start this many degrees of latitude north of the border
NEAR_MEAN_NODES = 40
FAR_MEAN_NODES = 320
BORDER_CLEARANCE_M = 1000.0  # ordinary ways keep at least this far from the border
FEATURE_SPACING_M = 15000.0
PIXEL_M = 1000.0
RURAL_DENSITY = 1.5  # people per km² inside the countries
_GDAL_DATE = "2020-01-01T00:00:00.000Z"
_NAMES = {"RUS": "Russia", "KAZ": "Kazakhstan"}
_ALPHA2 = {"RUS": "RU", "KAZ": "KZ"}
_NAMES_RU = {"RUS": "Россия", "KAZ": "Казахстан"}
_NAMES_KK = {"RUS": "Ресей", "KAZ": "Қазақстан"}


@dataclass(frozen=True)
class World:
    """The files of one synthetic world.

    Attributes
    ----------
    pbf
        ``world.osm.pbf``: boundaries, places, roads, railways, checkpoints.
    countries
        ``countries.gpkg``, layer ``countries``: columns ``iso3``, ``name`` (EPSG:4326).
    truth
        ``truth.gpkg``: layers ``crossings``, ``non_crossings`` and ``places``.
    population
        ``population.tif``: float32 people per pixel, equal-area CRS, nodata set.
    """

    pbf: Path
    countries: Path
    truth: Path
    population: Path


def _surface(tags: Mapping[str, str]) -> tuple[str, str]:
    """Surface class and source of one way's tags (:func:`borderzone.osm.schema.surface_class`)."""
    return surface_class(
        tags.get("highway"), tags.get("surface"), tags.get("tracktype"), tags.get("smoothness")
    )


# --------------------------------------------------------------------------------------
# OSM objects held in memory before writing
# --------------------------------------------------------------------------------------


@dataclass
class _Osm:
    """Tagged nodes, ways and relations with ids handed out in order."""

    nodes: list[tuple[int, float, float, dict[str, str]]] = field(default_factory=list)
    ways: list[tuple[int, list[int], dict[str, str]]] = field(default_factory=list)
    relations: list[tuple[int, list[tuple[str, int, str]], dict[str, str]]] = field(
        default_factory=list
    )
    shared: dict[tuple[int, int], int] = field(default_factory=dict)

    def node(self, lon: float, lat: float, tags: dict[str, str] | None = None) -> int:
        nid = len(self.nodes) + 1
        self.nodes.append((nid, float(lon), float(lat), tags or {}))
        return nid

    def shared_node(self, lon: float, lat: float) -> int:
        """Node at a location, reused when one was made there before (for boundaries)."""
        key = (round(lon * 1e7), round(lat * 1e7))
        nid = self.shared.get(key)
        if nid is None:
            nid = self.shared[key] = self.node(lon, lat)
        return nid

    def way(self, refs: Sequence[int], tags: dict[str, str]) -> int:
        wid = len(self.ways) + 1
        self.ways.append((wid, list(refs), tags))
        return wid

    def line(
        self,
        coords: np.ndarray,
        tags: dict[str, str],
        node_tags: Mapping[int, dict[str, str]] | None = None,
        refs: Mapping[int, int] | None = None,
    ) -> tuple[int, list[int]]:
        """Add a way through new nodes at ``coords``; ``refs`` reuses given nodes by position."""
        node_tags = node_tags or {}
        refs = refs or {}
        ids = [
            refs[i] if i in refs else self.node(x, y, node_tags.get(i))
            for i, (x, y) in enumerate(coords)
        ]
        return self.way(ids, tags), ids

    def relation(self, members: list[tuple[str, int, str]], tags: dict[str, str]) -> int:
        rid = len(self.relations) + 1
        self.relations.append((rid, members, tags))
        return rid

    def coords_of(self, way_id: int) -> np.ndarray:
        refs = self.ways[way_id - 1][1]
        return np.array([self.nodes[r - 1][1:3] for r in refs])


# --------------------------------------------------------------------------------------
# The border in chainage and offset
# --------------------------------------------------------------------------------------


class _Border:
    """The border line with geodesic chainage; points at a chainage lie exactly on it."""

    def __init__(self, line: shapely.LineString, side_a: shapely.Geometry, gaps: gpd.GeoDataFrame):
        self.line = line
        self.coords = shapely.get_coordinates(line)
        self.chain = np.concatenate([[0.0], np.cumsum(edge_lengths_m(self.coords))])
        self.length = float(self.chain[-1])
        self.gaps = [(r.from_km * 1000, r.to_km * 1000) for r in gaps.itertuples()]
        self.side_a = side_a
        self.sign = 1
        self.sign = self._side_sign()

    def points(self, s: np.ndarray) -> np.ndarray:
        """Lon/lat at chainages ``s`` (m), linear inside each edge so they lie on the line."""
        s = np.clip(np.asarray(s, dtype=float), 0.0, self.length)
        i = np.clip(np.searchsorted(self.chain, s, side="right") - 1, 0, len(self.coords) - 2)
        span = self.chain[i + 1] - self.chain[i]
        t = np.divide(s - self.chain[i], span, out=np.zeros_like(s), where=span > 0)
        out = self.coords[i] + t[:, None] * (self.coords[i + 1] - self.coords[i])
        out[t <= 0.0] = self.coords[i[t <= 0.0]]
        out[t >= 1.0] = self.coords[i[t >= 1.0] + 1]
        return out

    def point(self, s: float) -> np.ndarray:
        return self.points(np.array([s]))[0]

    def snap(self, s: float, within_m: float = 150.0) -> float:
        """Chainage of the border vertex nearest ``s`` if one lies within ``within_m``."""
        i = int(np.argmin(np.abs(self.chain - s)))
        return float(self.chain[i]) if abs(self.chain[i] - s) <= within_m else s

    def in_gap(self, s: float) -> bool:
        return any(a <= s <= b for a, b in self.gaps)

    def _side_sign(self) -> int:
        """+1 when the first country lies left of the west-to-east line, else -1."""
        votes = 0
        for s in np.linspace(0.1, 0.9, 9) * self.length:
            q = _Frame(self, s).xy([(0.0, 2000.0)])[0]
            votes += 1 if shapely.contains_xy(self.side_a, *q) else -1
        return 1 if votes >= 0 else -1


class _Frame:
    """Border coordinates around chainage ``s0``: (along m, offset m, positive = side A).

    Metric work happens in an equirectangular plane centred on the site: an affine map of
    lon/lat, so straight edges stay straight and intersections are those of the lon/lat
    lines; lengths are true to a fraction of a percent within 100 km.
    """

    def __init__(self, border: _Border, s0: float):
        self.border = border
        self.s0 = s0
        self.sign = border.sign
        self.lon0, self.lat0 = border.point(s0)
        self.kx = 111_320.0 * math.cos(math.radians(self.lat0))
        self.ky = 110_574.0

    def fwd(self, lonlat: np.ndarray) -> np.ndarray:
        lonlat = np.asarray(lonlat, dtype=float)
        return np.column_stack(
            [(lonlat[..., 0] - self.lon0) * self.kx, (lonlat[..., 1] - self.lat0) * self.ky]
        )

    def inv(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack([xy[:, 0] / self.kx + self.lon0, xy[:, 1] / self.ky + self.lat0])

    def xy(self, pts: Sequence[tuple[float, float]]) -> np.ndarray:
        """Lon/lat of (along, offset) pairs; offset 0 gives the exact border point."""
        uv = np.asarray(pts, dtype=float).reshape(-1, 2)
        s, d = self.s0 + uv[:, 0], uv[:, 1]
        on = self.border.points(s)
        h = np.maximum(100.0, 0.5 * np.abs(d))  # a longer chord smooths the normal far out
        a = self.fwd(self.border.points(s - h))
        b = self.fwd(self.border.points(s + h))
        t = (b - a) / np.hypot(*(b - a).T)[:, None]
        n = np.column_stack([-t[:, 1], t[:, 0]]) * self.sign
        out = self.inv(self.fwd(on) + d[:, None] * n)
        out[d == 0] = on[d == 0]
        return out

    def project(self, geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geom, self.fwd)


# --------------------------------------------------------------------------------------
# Crossing features
# --------------------------------------------------------------------------------------


@dataclass
class _Way:
    """A way of a feature, laid out in border coordinates."""

    uv: list[tuple[float, float]]
    tags: dict[str, str]
    node_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    crosses_at: list[float] = field(default_factory=list)  # along-offsets of its crossings
    role: str = "cross"  # cross | side | touch | area | dead (abandoned rail)
    joins: dict[int, tuple[int, int]] = field(default_factory=dict)  # pos -> (way k, pos)


@dataclass
class _Feature:
    name: str
    kind: str  # road | rail
    ways: list[_Way]
    crossings: list[float]  # along-offsets of its truth crossings (m), each merged group
    transit: bool = False
    reason: str = ""  # for non-crossing features: touches | abandoned | construction
    span: tuple[float, float] = (-6000.0, 6000.0)
    checkpoint_at: dict[float, list[dict[str, str]]] = field(default_factory=dict)


def _road_uv(
    rng: np.random.Generator, length_a: float, length_b: float, *, u0: float = 0.0, step=350.0
) -> list[tuple[float, float]]:
    """Lay out a road from side A (offset > 0) to side B through the border point at ``u0``."""
    da = np.concatenate([[60.0], np.arange(step, length_a, step), [length_a]])
    db = np.concatenate([[60.0], np.arange(step, length_b, step), [length_b]])
    wa = u0 + np.cumsum(rng.normal(0, 25, len(da))) * (da > 100)
    wb = u0 + np.cumsum(rng.normal(0, 25, len(db))) * (db > 100)
    pts = [(float(u), float(d)) for u, d in zip(wa[::-1], da[::-1], strict=True)]
    pts.append((u0, 0.0))
    pts += [(float(u), -float(d)) for u, d in zip(wb, db, strict=True)]
    return pts


def _names(rng: np.random.Generator, n: int, *, suffixes: Sequence[str]) -> list[str]:
    syl = "ка ра тал су бу лак ор ен ба ев ин ан ай кол тау жар бек ал мир бор дон сар ит".split()
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        k = int(rng.integers(2, 4))
        stem = "".join(syl[i] for i in rng.integers(0, len(syl), k))
        name = (stem + suffixes[int(rng.integers(0, len(suffixes)))]).capitalize()
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


_SUFFIX_A = ("овка", "ино", "ск", "ное", "ево")
_SUFFIX_B = ("коль", "тау", "су", "агаш", "булак")


def _features(rng: np.random.Generator) -> list[_Feature]:
    """Design the crossings and non-crossings, in placement order."""
    names = _names(rng, 40, suffixes=_SUFFIX_A)
    name_it = iter(names)

    def road(tags: dict[str, str], la=6000.0, lb=6000.0, **kw) -> _Way:
        return _Way(_road_uv(rng, la, lb), tags, crosses_at=[0.0], **kw)

    def named(highway: str, ref: str | None = None, **extra: str) -> dict[str, str]:
        n = next(name_it)
        tags = {"highway": highway, "name": f"{n} — граница", "name:ru": f"{n} — граница"}
        tags["name:kk"] = f"{n} — шекара"
        if ref:
            tags["ref"] = ref
        tags.update(extra)
        return tags

    feats: list[_Feature] = []
    # Transit railway: leaves A, runs > 100 km in B, re-enters A.
    long_u = 110_000.0
    uv_in = [(-12000.0, 20000.0), (-6000.0, 9000.0), (-2000.0, 2500.0), (-500.0, 400.0)]
    uv_in += [(0.0, 0.0), (500.0, -400.0), (2500.0, -3000.0), (7000.0, -12000.0)]
    mid = [(u, -25000.0) for u in np.arange(15000.0, long_u - 14000.0, 2000.0)]
    uv_out = [(long_u - 7000.0, -12000.0), (long_u - 2500.0, -3000.0)]
    uv_out += [(long_u - 500.0, -400.0), (long_u, 0.0), (long_u + 500.0, 400.0)]
    uv_out += [(long_u + 2000.0, 2500.0), (long_u + 6000.0, 9000.0), (long_u + 12000.0, 20000.0)]
    rail = {
        "railway": "rail",
        "usage": "main",
        "gauge": "1520",
        "electrified": "contact_line",
        "voltage": "25000",
        "name": "Транзитная магистраль",
        "ref": "ТМ-1",
    }
    feats.append(
        _Feature(
            "transit_rail",
            "rail",
            [
                _Way(uv_in, dict(rail), {4: {"railway": "border"}}, crosses_at=[0.0]),
                _Way(
                    [uv_in[-1], *[(float(u), d) for u, d in mid], uv_out[0]],
                    dict(rail),
                    role="side",
                    joins={0: (0, len(uv_in) - 1)},
                ),
                _Way(uv_out, dict(rail), crosses_at=[long_u], joins={0: (1, len(mid) + 1)}),
            ],
            crossings=[0.0, long_u],
            transit=True,
            span=(-13000.0, long_u + 13000.0),
        )
    )
    # Ordinary roads of several classes.
    feats.append(
        _Feature(
            "international_checkpoint",
            "road",
            [
                road(
                    named("primary", "А-21", surface="asphalt", lanes="2", maxspeed="90"),
                    node_tags={},
                )
            ],
            crossings=[0.0],
        )
    )
    w = feats[-1].ways[0]
    ia = _index_of_offset(w.uv, 700.0)
    ib = _index_of_offset(w.uv, -900.0)
    w.node_tags = {
        ia: {"barrier": "border_control", "name": "МАПП Тест", "operator": "Пограничная служба"},
        ib: {"barrier": "border_control", "name": "Тест (шекара бекеті)"},
    }
    w = road(named("secondary", "Р-7"))
    w.node_tags = {
        _index_of_offset(w.uv, 400.0): {
            "barrier": "border_control",
            "border_control": "small_border_traffic",
            "name": "Пункт упрощённого пропуска",
        }
    }
    feats.append(_Feature("local_checkpoint", "road", [w], crossings=[0.0]))
    feats.append(
        _Feature(
            "tertiary_smoothness",
            "road",
            [road(named("tertiary", smoothness="intermediate"))],
            crossings=[0.0],
        )
    )
    feats.append(
        _Feature(
            "track_tracktype",
            "road",
            [road({"highway": "track", "tracktype": "grade4"}, 3000.0, 3000.0)],
            crossings=[0.0],
        )
    )
    feats.append(
        _Feature(
            "unclassified_gravel",
            "road",
            [road(named("unclassified", surface="gravel"))],
            crossings=[0.0],
        )
    )
    feats.append(
        _Feature(
            "residential_plain",
            "road",
            [road({"highway": "residential", "name": "Пограничная улица"}, 1500.0, 1500.0)],
            crossings=[0.0],
        )
    )
    feats.append(
        _Feature(
            "service_concrete",
            "road",
            [road({"highway": "service", "surface": "concrete"}, 800.0, 800.0)],
            crossings=[0.0],
        )
    )
    feats.append(
        _Feature(
            "trunk_link",
            "road",
            [road(named("trunk_link", surface="asphalt", oneway="yes"), 1500.0, 1500.0)],
            crossings=[0.0],
        )
    )
    # Dual carriageway with a link, and a checkpoint drawn as an area: one crossing.
    mw = named("motorway", "М-51", surface="asphalt", oneway="yes", lanes="2")
    east = _road_uv(rng, 6000.0, 6000.0, u0=15.0, step=500.0)
    east = [(15.0, d) for _, d in east]
    west = [(-15.0, d) for _, d in east][::-1]
    i_a = _index_of_offset(east, 500.0)
    i_b = _index_of_offset(east, -500.0)
    link = [(15.0, 500.0), (45.0, 420.0), (55.0, 250.0), (55.0, 0.0), (55.0, -250.0)]
    link += [(45.0, -420.0), (15.0, -500.0)]
    area = [(-80.0, -700.0), (100.0, -700.0), (100.0, -1000.0), (-80.0, -1000.0), (-80.0, -700.0)]
    feats.append(
        _Feature(
            "dual_carriageway",
            "road",
            [
                _Way(east, dict(mw), crosses_at=[15.0]),
                _Way(west, dict(mw), crosses_at=[-15.0]),
                _Way(
                    link,
                    {"highway": "motorway_link", "surface": "asphalt", "oneway": "yes"},
                    crosses_at=[55.0],
                    joins={0: (0, i_a), len(link) - 1: (0, i_b)},
                ),
                _Way(
                    area,
                    {"barrier": "border_control", "name": "МАПП Магистраль", "area": "yes"},
                    role="area",
                ),
            ],
            crossings=[0.0],
        )
    )
    # Zig-zag road: three crossings 1.5 km apart.
    zz = [(-2500.0, 900.0), (-1500.0, 600.0), (-700.0, 300.0), (0.0, 0.0), (750.0, -300.0)]
    zz += [(1500.0, 0.0), (2250.0, 300.0), (3000.0, 0.0), (3750.0, -300.0), (4500.0, -600.0)]
    zz += [(5500.0, -900.0)]
    feats.append(
        _Feature(
            "zigzag",
            "road",
            [_Way(zz, named("unclassified", surface="dirt"), crosses_at=[0.0, 1500.0, 3000.0])],
            crossings=[0.0, 1500.0, 3000.0],
            span=(-6000.0, 9000.0),
        )
    )
    # Surface differs: paved primary turns into a track 300 m past the border.
    main = _road_uv(rng, 6000.0, 6000.0)
    cut = _index_of_offset(main, -300.0)
    feats.append(
        _Feature(
            "paved_to_track",
            "road",
            [
                _Way(main[: cut + 1], named("primary", "А-5", surface="asphalt"), crosses_at=[0.0]),
                _Way(
                    main[cut:],
                    {"highway": "track", "tracktype": "grade4"},
                    role="side",
                    joins={0: (0, cut)},
                ),
            ],
            crossings=[0.0],
        )
    )
    main = _road_uv(rng, 6000.0, 6000.0)
    cut = _index_of_offset(main, -1000.0)
    feats.append(
        _Feature(
            "gravel_to_asphalt",
            "road",
            [
                _Way(main[: cut + 1], named("secondary", surface="gravel"), crosses_at=[0.0]),
                _Way(
                    main[cut:],
                    named("secondary", surface="asphalt"),
                    role="side",
                    joins={0: (0, cut)},
                ),
            ],
            crossings=[0.0],
        )
    )
    # Rail crossings.
    base = {"railway": "rail", "gauge": "1520"}
    rw = _Way(
        _road_uv(rng, 8000.0, 8000.0, step=800.0),
        {
            **base,
            "usage": "main",
            "electrified": "contact_line",
            "voltage": "25000",
            "name": "Южная магистраль",
            "ref": "ЮМ",
        },
        crosses_at=[0.0],
    )
    rw.node_tags = {_index_of_offset(rw.uv, 0.0): {"railway": "border", "name": "Граница"}}
    feats.append(_Feature("rail_main", "rail", [rw], crossings=[0.0]))
    feats.append(
        _Feature(
            "rail_branch",
            "rail",
            [
                _Way(
                    _road_uv(rng, 6000.0, 6000.0, step=800.0),
                    {**base, "usage": "branch", "electrified": "no", "name": "Ветка"},
                    crosses_at=[0.0],
                )
            ],
            crossings=[0.0],
        )
    )
    feats.append(
        _Feature(
            "rail_industrial",
            "rail",
            [
                _Way(
                    _road_uv(rng, 3000.0, 3000.0, step=600.0),
                    {**base, "usage": "industrial", "electrified": "no", "ref": "П-3"},
                    crosses_at=[0.0],
                )
            ],
            crossings=[0.0],
        )
    )
    # Not crossings.
    feats.append(
        _Feature(
            "rail_abandoned",
            "rail",
            [
                _Way(
                    _road_uv(rng, 5000.0, 5000.0, step=700.0),
                    {"railway": "abandoned", "name": "Старая ветка"},
                    role="dead",
                )
            ],
            crossings=[],
            reason="abandoned",
        )
    )
    feats.append(
        _Feature(
            "rail_construction",
            "rail",
            [
                _Way(
                    _road_uv(rng, 5000.0, 5000.0, step=700.0),
                    {"railway": "construction", "construction": "rail", "gauge": "1520"},
                    role="dead",
                )
            ],
            crossings=[],
            reason="construction",
        )
    )
    vee = [(-1600.0, 2500.0), (-800.0, 1200.0), (-300.0, 400.0), (0.0, 0.0), (300.0, 400.0)]
    vee += [(800.0, 1200.0), (1600.0, 2500.0)]
    feats.append(
        _Feature(
            "touch_vertex",
            "road",
            [_Way(vee, {"highway": "track", "surface": "ground"}, role="touch")],
            crossings=[],
            reason="touches",
        )
    )
    along = [(-1800.0, 1500.0), (-1000.0, 600.0), (-500.0, 0.0), ("border", 0.0), (500.0, 0.0)]
    along += [(1000.0, 600.0), (1800.0, 1500.0)]
    feats.append(
        _Feature(
            "touch_along",
            "road",
            [_Way(along, {"highway": "service", "service": "driveway"}, role="touch")],
            crossings=[],
            reason="touches",
        )
    )
    # A road on a bridged gap of the outlines (placed only when there is a gap).
    feats.append(
        _Feature("in_gap", "road", [road(named("tertiary", surface="asphalt"))], crossings=[0.0])
    )
    return feats


def _index_of_offset(uv: Sequence[tuple[float, float]], d: float) -> int:
    return int(np.argmin([abs(p[1] - d) for p in uv]))


def _extra_roads(rng: np.random.Generator, n: int) -> list[_Feature]:
    """Ordinary crossings, for long borders: random class, surface tags and checkpoint."""
    classes = ["primary", "secondary", "tertiary", "unclassified", "track", "trunk"]
    surfaces = [None, "asphalt", "paved", "concrete", "gravel", "ground", "dirt", "unpaved"]
    out = []
    for k in range(n):
        hw = classes[int(rng.integers(0, len(classes)))]
        tags = {"highway": hw}
        sf = surfaces[int(rng.integers(0, len(surfaces)))]
        if sf:
            tags["surface"] = sf
        elif hw == "track":
            tags["tracktype"] = f"grade{int(rng.integers(1, 6))}"
        way = _Way(_road_uv(rng, 5000.0, 5000.0), tags, crosses_at=[0.0])
        if hw != "track" and rng.random() < 0.3:
            way.node_tags = {
                _index_of_offset(way.uv, 600.0): {
                    "barrier": "border_control",
                    "name": f"Пост {k + 1}",
                }
            }
        out.append(_Feature(f"extra_road_{k + 1}", "road", [way], crossings=[0.0]))
    return out


def _layout(
    feat: _Feature, frame: _Frame, countries: Mapping[str, shapely.Geometry]
) -> list[np.ndarray] | None:
    """Lon/lat of each way of ``feat`` at ``frame``, or None if the border spoils the design."""
    border = frame.border
    coords = []
    for w in feat.ways:
        pts = []
        for u, d in w.uv:
            if u == "border":  # the border's own vertices between the neighbours
                continue
            pts.append((u, d))
        xy = frame.xy(pts)
        if any(u == "border" for u, _ in w.uv):
            k = next(i for i, (u, _) in enumerate(w.uv) if u == "border")
            u0, u1 = w.uv[k - 1][0], w.uv[k + 1][0]
            inner = border.coords[
                (border.chain > frame.s0 + u0 + 1.0) & (border.chain < frame.s0 + u1 - 1.0)
            ]
            xy = np.concatenate([xy[:k], inner, xy[k:]])
        coords.append(xy)
    # joins: the shared node takes the position of the node it joins
    for w, xy in zip(feat.ways, coords, strict=True):
        for pos, (k, kpos) in w.joins.items():
            xy[pos] = coords[k][kpos]
    if not _valid(feat, frame, coords, countries):
        return None
    return coords


def _valid(
    feat: _Feature,
    frame: _Frame,
    coords: list[np.ndarray],
    countries: Mapping[str, shapely.Geometry],
) -> bool:
    """Whether the ways laid out at ``frame`` meet the border exactly as designed."""
    allxy = np.concatenate(coords)
    x0, y0 = allxy.min(axis=0) - 0.5
    x1, y1 = allxy.max(axis=0) + 0.5
    piece = frame.project(shapely.clip_by_rect(frame.border.line, x0, y0, x1, y1))
    for w, xy in zip(feat.ways, coords, strict=True):
        geom = frame.project(shapely.LineString(xy))
        if w.role != "area" and not geom.is_simple:
            return False
        side = _off_border_points(w, xy)
        for (px, py), d in side:
            other = countries["b"] if d > 0 else countries["a"]
            if shapely.contains_xy(other, px, py):
                return False
        if side:
            pts = np.array([p for p, _ in side])
            proj = shapely.points(frame.fwd(pts))
            if shapely.distance(proj, piece).min() < 20.0:
                return False
        inter = shapely.get_parts(shapely.intersection(geom, piece))
        if w.role in ("cross", "dead"):
            at = w.crosses_at or _dead_crossings(w)
            expect = shapely.points(frame.fwd(frame.xy([(u, 0.0) for u in at])))
            if len(inter) != len(expect) or not all(shapely.get_type_id(inter) == 0):
                return False
            if shapely.distance(expect, shapely.multipoints(inter)).max() > 0.5:
                return False
        elif w.role == "touch":
            on = np.array([p for p, q in zip(xy, _uv_per_vertex(w, xy), strict=True) if q == 0])
            designed = frame.project(
                shapely.LineString(on) if len(on) > 1 else shapely.Point(on[0])
            )
            if not shapely.buffer(designed, 1.0).contains(shapely.intersection(geom, piece)):
                return False
        elif shapely.distance(geom, piece) < 50.0:
            return False
    return True


def _uv_per_vertex(w: _Way, xy: np.ndarray) -> list[float]:
    """Designed offset of every vertex of ``xy`` (0 for the border's own vertices)."""
    out: list[float] = []
    for u, d in w.uv:
        if u == "border":
            out += [0.0] * (len(xy) - (len(w.uv) - 1))
        else:
            out.append(d)
    return out


def _dead_crossings(w: _Way) -> list[float]:
    return [u for u, d in w.uv if d == 0 and u != "border"]


def _off_border_points(w: _Way, xy: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """(lon/lat, designed offset) of the vertices that are not on the border."""
    return [(p, d) for p, d in zip(xy, _uv_per_vertex(w, xy), strict=True) if d != 0]


# --------------------------------------------------------------------------------------
# Placing the features and writing their ways
# --------------------------------------------------------------------------------------


def _place_features(
    rng: np.random.Generator,
    border: _Border,
    countries: Mapping[str, shapely.Geometry],
    osm: _Osm,
) -> tuple[list[dict], list[dict]]:
    """Place every feature, add its ways to ``osm`` and return truth and non-truth rows."""
    feats = _features(rng)
    n_extra = max(0, int(border.length // 60_000) - len(feats))
    feats += _extra_roads(rng, n_extra)
    taken: list[float] = []
    lo, hi = 20_000.0, border.length - 20_000.0
    crossings: list[dict] = []
    non_crossings: list[dict] = []
    slots = np.arange(lo, hi, 1000.0)
    ideal = np.linspace(lo, hi, len(feats) + 1)
    for idx, feat in enumerate(feats):
        snap_within = 150.0  # put the crossing on a border vertex where one is close
        if feat.name == "in_gap":
            if not border.gaps:
                continue
            g0, g1 = border.gaps[0]
            candidates = [g0 + f * (g1 - g0) for f in (0.5, 0.4, 0.6, 0.3, 0.7)]
            snap_within = 0.2 * (g1 - g0)
        else:
            target = ideal[idx] if feat.name != "transit_rail" else lo + 10_000.0
            candidates = list(slots[np.argsort(np.abs(slots - target), kind="stable")])
        placed = False
        for s0 in candidates[:400]:
            s0 = border.snap(s0, snap_within)
            if feat.name == "in_gap" and not border.in_gap(s0):
                continue
            pts = [s0 + c for c in feat.crossings] or [s0]
            span = [s0 + feat.span[0], s0 + feat.span[1]]
            if span[0] < 5000.0 or span[1] > border.length - 5000.0:
                continue
            if any(abs(p - t) < FEATURE_SPACING_M for p in pts for t in taken):
                continue
            if feat.name != "in_gap" and any(
                a - FEATURE_SPACING_M <= p <= b + FEATURE_SPACING_M
                for p in pts
                for a, b in border.gaps
            ):
                continue
            frame = _Frame(border, s0)
            coords = _layout(feat, frame, countries)
            if coords is None:
                continue
            taken.extend(pts)
            _emit(feat, frame, coords, osm, crossings, non_crossings)
            placed = True
            break
        if not placed:
            log.warning("feature %s could not be placed on this border", feat.name)
    return crossings, non_crossings


def _emit(
    feat: _Feature,
    frame: _Frame,
    coords: list[np.ndarray],
    osm: _Osm,
    crossings: list[dict],
    non_crossings: list[dict],
) -> None:
    border = frame.border
    way_ids: list[int] = []
    node_ids: list[list[int]] = []
    for w, xy in zip(feat.ways, coords, strict=True):
        refs = {pos: node_ids[k][kpos] for pos, (k, kpos) in w.joins.items()}
        if w.role == "area":
            wid, ids = osm.line(xy[:-1], w.tags, refs=refs)
            osm.ways[-1][1].append(ids[0])
        else:
            wid, ids = osm.line(xy, w.tags, node_tags=w.node_tags, refs=refs)
        way_ids.append(wid)
        node_ids.append(ids)
    if feat.reason:
        for w, wid, xy in zip(feat.ways, way_ids, coords, strict=True):
            non_crossings.append(
                {
                    "feature": feat.name,
                    "kind": feat.kind,
                    "reason": feat.reason,
                    "osm_id": wid,
                    "tag": w.tags.get("highway") or w.tags.get("railway"),
                    "geometry": shapely.LineString(xy),
                }
            )
        return
    # checkpoints of the feature with their positions (nodes, and areas by centroid)
    checkpoints: list[tuple[np.ndarray, dict[str, str]]] = []
    for w, xy in zip(feat.ways, coords, strict=True):
        for pos, tags in w.node_tags.items():
            if tags.get("barrier") == "border_control" or tags.get("railway") == "border":
                checkpoints.append((xy[pos], tags))
        if w.role == "area":
            checkpoints.append((np.asarray(shapely.Polygon(xy).centroid.coords[0]), w.tags))
    # the road: every way and, per side, its (class, surface class) near each crossing
    for u in feat.crossings:
        s = frame.s0 + u
        point = frame.border.point(s)
        near = [
            (w, wid)
            for w, wid in zip(feat.ways, way_ids, strict=True)
            if w.role == "cross" and any(abs(c - u) <= MERGE_WITHIN_M for c in w.crosses_at)
        ]
        osm_ids = ",".join(str(i) for i in sorted(wid for _, wid in near))
        cps = [
            tags
            for xy, tags in checkpoints
            if GEOD.inv(point[0], point[1], xy[0], xy[1])[2] <= CHECKPOINT_RADIUS_M
        ]
        official = bool(cps)
        local_only = official and all(
            t.get("border_control") == "small_border_traffic" for t in cps
        )
        row: dict = {
            "feature": feat.name,
            "kind": feat.kind,
            "border_km": s / 1000,
            "osm_ids": osm_ids,
            "official": official,
            "local_only": local_only,
            "transit": feat.transit,
            "in_gap": border.in_gap(s),
        }
        if feat.kind == "road":
            top = min(near, key=lambda p: (road_rank(pd.Series([p[0].tags["highway"]]))[0], p[1]))[
                0
            ]
            sc, src = _surface(top.tags)
            row.update(
                highway=top.tags["highway"],
                ref=top.tags.get("ref"),
                surface_class=sc,
                surface_source=src,
            )
            if official:
                row["category"] = "local checkpoint" if local_only else "international checkpoint"
            elif top.tags["highway"] == "track":
                row["category"] = "track"
            else:
                row["category"] = "road without checkpoint"
            row["surface_differs"] = _surface_differs(feat, u)
        else:
            top = near[0][0]
            row.update(
                highway=None,
                ref=top.tags.get("ref"),
                surface_class=None,
                surface_source=None,
                surface_differs=False,
            )
            row["category"] = "rail checkpoint" if official else "rail without checkpoint"
        row["geometry"] = shapely.Point(point)
        crossings.append(row)


def _surface_differs(feat: _Feature, u: float) -> bool:
    """Compare (class, surface class) of the road's ways on each side within 5 km, by design."""
    sides: dict[int, set[tuple[str, str]]] = {1: set(), -1: set()}
    for w in feat.ways:
        if "highway" not in w.tags:
            continue
        key = (w.tags["highway"], _surface(w.tags)[0])
        for uu, d in w.uv:
            if uu == "border" or d == 0 or abs(d) > SURFACE_WINDOW_M or abs(uu - u) > 6000:
                continue
            sides[1 if d > 0 else -1].add(key)
    return sides[1] != sides[-1]


# --------------------------------------------------------------------------------------
# Countries, boundaries, places
# --------------------------------------------------------------------------------------


def _procedural_countries(rng: np.random.Generator, pair: tuple[str, str]) -> gpd.GeoDataFrame:
    """Two countries sharing a wiggly border from 58° to 65° E near 50° N, with a sliver gap."""
    lon = np.arange(58.0, 65.0 + 1e-9, 0.004)
    lat = np.full_like(lon, 50.0)
    for amp, wave in ((0.12, 3.1), (0.05, 1.1), (0.02, 0.37), (0.006, 0.09)):
        lat += amp * np.sin(2 * np.pi * lon / wave + rng.uniform(0, 2 * np.pi))
    depth = NEAR_KM / 111.0
    north, south = lat.max() + depth, lat.min() - depth
    # a sliver where the first country's outline bulges away: a gap of the shared boundary
    g0 = 58.0 + 0.55 * 7.0 + rng.uniform(-0.3, 0.3)
    t = np.clip((lon - g0) / 0.06, 0.0, 1.0)
    bump = 0.009 * np.sin(np.pi * t) ** 2
    ring_a = np.concatenate(
        [np.column_stack([lon, lat + bump]), [[65.0, north], [58.0, north]], [[lon[0], lat[0]]]]
    )
    coast = np.column_stack([np.full(40, 58.0), np.linspace(south, lat[0], 40)])
    ring_b = np.concatenate(
        [np.column_stack([lon, lat]), [[65.0, south]], [[58.0, south]], coast[1:]]
    )
    poly_a = shapely.Polygon(ring_a)
    poly_b = shapely.Polygon(ring_b)
    return gpd.GeoDataFrame(
        {"iso3": list(pair), "name": [_country_name(c) for c in pair]},
        geometry=[shapely.make_valid(poly_a), shapely.make_valid(poly_b)],
        crs=WGS84,
    )


def _country_name(iso3: str) -> str:
    return _NAMES.get(iso3, f"{iso3.title()}land")


def _rings(geom: shapely.Geometry) -> list[tuple[np.ndarray, str]]:
    out = []
    for poly in shapely.get_parts(geom):
        if shapely.get_type_id(poly) != 3:
            continue
        out.append((shapely.get_coordinates(poly.exterior), "outer"))
        out += [(shapely.get_coordinates(r), "inner") for r in poly.interiors]
    return out


def _boundary_relation(
    osm: _Osm,
    geom: shapely.Geometry,
    tags: dict[str, str],
    *,
    max_nodes: int = 500,
    maritime: shapely.Geometry | None = None,
) -> int:
    """Add a boundary relation of the rings of ``geom``, split into ways; nodes shared by place."""
    members: list[tuple[str, int, str]] = []
    for ring, role in _rings(geom):
        ids = [osm.shared_node(x, y) for x, y in ring]
        ids[-1] = ids[0]
        keep = np.concatenate([[True], np.diff(ids) != 0])  # no zero-length edges
        ring, ids = ring[keep], [i for i, k in zip(ids, keep, strict=True) if k]
        if len(ids) < 4:
            continue
        sea = (
            np.zeros(len(ring), dtype=bool)
            if maritime is None
            else shapely.contains_xy(maritime, ring[:, 0], ring[:, 1])
        )
        # split every max_nodes nodes and at both ends of each maritime run
        cuts = {0, len(ids) - 1} | set(range(0, len(ids), max_nodes))
        change = np.flatnonzero(sea[1:] != sea[:-1]) + 1
        cuts |= {int(i) if sea[i] else int(i) - 1 for i in change}
        bounds = sorted(cuts)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            wtags = {"boundary": "administrative", "admin_level": tags["admin_level"]}
            if sea[a : b + 1].all():
                wtags["maritime"] = "yes"
            members.append(("w", osm.way(ids[a : b + 1], wtags), role))
    return osm.relation(members, tags)


def _admin(
    osm: _Osm,
    countries: gpd.GeoDataFrame,
    rng: np.random.Generator,
    maritime: shapely.Geometry | None,
) -> None:
    for row in countries.itertuples():
        iso3, geom = row.iso3, row.geometry
        tags = {
            "type": "boundary",
            "boundary": "administrative",
            "admin_level": "2",
            "name": row.name,
            "name:en": row.name,
            "name:ru": _NAMES_RU.get(iso3, row.name),
            "name:kk": _NAMES_KK.get(iso3, row.name),
            "ISO3166-1": _ALPHA2.get(iso3, iso3[:2]),
            "ISO3166-1:alpha2": _ALPHA2.get(iso3, iso3[:2]),
            "ISO3166-1:alpha3": iso3,
        }
        _boundary_relation(osm, geom, tags, maritime=maritime)
        x0, _, x1, _ = geom.bounds
        n_reg = 3 if row.Index == 0 else 2
        edges = np.linspace(x0 - 1e-6, x1 + 1e-6, n_reg + 1)
        names = _names(rng, n_reg * 3, suffixes=(" область",) if row.Index == 0 else (" облысы",))
        for r in range(n_reg):
            region = shapely.intersection(geom, shapely.box(edges[r], -90, edges[r + 1], 90))
            if region.is_empty:
                continue
            _boundary_relation(
                osm,
                region,
                {
                    "type": "boundary",
                    "boundary": "administrative",
                    "admin_level": "4",
                    "name": names[r],
                    "ISO3166-2": f"{tags['ISO3166-1']}-R{r + 1}",
                },
            )
            n_dist = 2 + (r % 2)
            sub = np.linspace(edges[r], edges[r + 1], n_dist + 1)
            for k in range(n_dist):
                dist = shapely.intersection(region, shapely.box(sub[k], -90, sub[k + 1], 90))
                if dist.is_empty:
                    continue
                dname = f"{names[n_reg + r * 2 + (k % 2)].split()[0]} район {k + 1}"
                _boundary_relation(
                    osm,
                    dist,
                    {
                        "type": "boundary",
                        "boundary": "administrative",
                        "admin_level": "6",
                        "name": dname,
                    },
                )


def _generate_places(
    rng: np.random.Generator, countries: gpd.GeoDataFrame, border: _Border, n: int
) -> pd.DataFrame:
    """Places inside the two countries within ~150 km of the border, on both sides."""
    near = shapely.buffer(border.line, NEAR_KM / 111.0)
    rows = []
    for k, row in enumerate(countries.itertuples()):
        area = shapely.intersection(row.geometry, near)
        shapely.prepare(area)
        x0, y0, x1, y1 = area.bounds
        pts = np.empty((0, 2))
        while len(pts) < n // 2:
            cand = np.column_stack([rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)])
            pts = np.concatenate([pts, cand[shapely.contains_xy(area, cand[:, 0], cand[:, 1])]])
        pts = pts[: n // 2]
        pop = np.exp(rng.normal(6.3, 1.4, len(pts))).round()
        pop[0], pop[1] = 180_000, 25_000
        names = _names(rng, len(pts), suffixes=_SUFFIX_A if k == 0 else _SUFFIX_B)
        rows.append(
            pd.DataFrame(
                {
                    "name": names,
                    "lon": pts[:, 0],
                    "lat": pts[:, 1],
                    "population": pop.astype(int),
                    "iso3": row.iso3,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _place_tags(places: pd.DataFrame, *, second: str) -> tuple[list[dict[str, str]], list[str]]:
    """OSM tags of each place; a few population values are left unparseable on purpose."""
    tags, pop_tags = [], []
    small = set(places.index[(places.population > 150) & (places.population < 3000)][:3])
    for i, r in places.iterrows():
        pop = int(r.population)
        kind = (
            "city"
            if pop >= 100_000
            else "town"
            if pop >= 10_000
            else "village"
            if pop >= 200
            else "hamlet"
        )
        ptag = f"ок. {round(pop, -2)}" if i in small else str(pop)
        t = {"place": kind, "name": str(r["name"]), "population": ptag}
        t["name:kk" if r.iso3 == second else "name:ru"] = str(r["name"])
        tags.append(t)
        pop_tags.append(ptag)
    return tags, pop_tags


# --------------------------------------------------------------------------------------
# The bulk: ordinary ways, vectorised, written through OPL buffers
# --------------------------------------------------------------------------------------

_LUT = (
    np.array([list(f"{i:04d}".encode()) for i in range(10000)], dtype=np.uint8)
    .view(np.uint32)
    .ravel()
)


def _digits12(v: np.ndarray) -> np.ndarray:
    """Twelve ASCII digits (zero padded) of non-negative integers, shape (n, 12), uint8."""
    hi, rest = np.divmod(np.asarray(v, dtype=np.int64), 100_000_000)
    mid, lo = np.divmod(rest, 10_000)
    out = np.empty((len(hi), 3), dtype=np.uint32)
    out[:, 0], out[:, 1], out[:, 2] = _LUT[hi], _LUT[mid], _LUT[lo]
    return out.view(np.uint8).reshape(len(hi), 12)


def _opl_nodes(ids: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> bytes:
    """OPL lines ``n<id> x<lon> y<lat>`` in fixed width (libosmium reads leading zeros)."""
    out = np.empty((len(ids), 42), dtype=np.uint8)
    out[:, 0] = ord("n")
    out[:, 1:13] = _digits12(ids)
    out[:, 13], out[:, 14] = ord(" "), ord("x")
    out[:, 27], out[:, 28] = ord(" "), ord("y")
    out[:, 41] = ord("\n")
    for col, v in ((15, lon), (29, lat)):
        fixed = np.rint(v * 1e7).astype(np.int64)
        out[:, col] = np.where(fixed < 0, ord("-"), ord("0"))
        d = _digits12(np.abs(fixed))
        out[:, col + 1 : col + 4] = d[:, 2:5]
        out[:, col + 4] = ord(".")
        out[:, col + 5 : col + 12] = d[:, 5:]
    return out.tobytes()


def _opl_escape(s: str) -> str:
    return "".join(
        ch
        if (ord(ch) > 127 or ch.isalnum() or ch in "-_.:;/()'!?+*#<>[]{}~|^$&")
        else f"%{ord(ch):x}%"
        for ch in s
    )


def _opl_tags(tags: Mapping[str, str]) -> str:
    return ",".join(f"{_opl_escape(k)}={_opl_escape(v)}" for k, v in tags.items())


def _bulk_tag_table(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """OPL tag strings of ordinary ways and their probabilities."""
    classes = {
        "residential": 24,
        "service": 16,
        "track": 18,
        "unclassified": 9,
        "tertiary": 6,
        "secondary": 4,
        "primary": 2.5,
        "trunk": 1.0,
        "motorway": 0.4,
        "motorway_link": 0.2,
        "trunk_link": 0.3,
        "primary_link": 0.4,
        "secondary_link": 0.4,
        "tertiary_link": 0.3,
    }
    surfaces = [
        "asphalt",
        "paved",
        "concrete",
        "gravel",
        "ground",
        "dirt",
        "unpaved",
        "compacted",
        "sand",
        "paving_stones",
    ]
    names = _names(rng, 40, suffixes=("ская улица", "ский тракт", "ская дорога"))
    table: list[str] = []
    weight: list[float] = []
    for hw, w in classes.items():
        for variant in range(6):
            tags = {"highway": hw}
            if variant in (0, 1):
                tags["surface"] = surfaces[int(rng.integers(0, len(surfaces)))]
            elif variant == 2:
                if hw == "track":
                    tags["tracktype"] = f"grade{int(rng.integers(1, 6))}"
                else:
                    tags["smoothness"] = ["good", "intermediate", "bad"][int(rng.integers(0, 3))]
            if variant in (1, 3) and hw not in ("track", "service"):
                n = names[int(rng.integers(0, len(names)))]
                tags.update({"name": n, "name:ru": n})
                if hw in ("motorway", "trunk", "primary", "secondary"):
                    tags["ref"] = f"Р-{int(rng.integers(1, 400))}"
            if variant == 4 and hw.endswith("_link") or hw == "motorway":
                tags["oneway"] = "yes"
            table.append(_opl_tags(tags))
            weight.append(w / 6)
    for tags, w in (
        ({"waterway": "stream"}, 8.0),
        ({"waterway": "river", "name": "Урал"}, 0.5),
        ({"power": "line", "voltage": "110000"}, 3.0),
        ({"railway": "rail", "usage": "branch", "gauge": "1520", "electrified": "no"}, 0.6),
        ({"railway": "abandoned"}, 0.2),
        ({"natural": "tree_row"}, 2.0),
    ):
        table.append(_opl_tags(tags))
        weight.append(w)
    p = np.asarray(weight)
    return table, p / p.sum()


def _group_cumsum(v: np.ndarray, first: np.ndarray, way: np.ndarray) -> np.ndarray:
    c = np.cumsum(v)
    return c - (c[first] - v[first])[way]


def _walks(
    rng: np.random.Generator, lon0: np.ndarray, lat0: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random-walk polylines from each start: vertex lon, lat, way index, first index."""
    m = len(counts)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    way = np.repeat(np.arange(m), counts)
    heading = rng.uniform(0, 2 * np.pi, m)[way] + _group_cumsum(
        rng.normal(0, 0.12, len(way)), first, way
    )
    step = rng.uniform(120.0, 300.0, len(way))
    step[first] = 0.0
    dx = _group_cumsum(step * np.cos(heading), first, way)
    dy = _group_cumsum(step * np.sin(heading), first, way)
    lat = lat0[way] + dy / 110_574.0
    lon = lon0[way] + dx / (111_320.0 * np.cos(np.radians(lat0[way])))
    return lon, lat, way, first


@dataclass
class _BulkWays:
    """Ways written as OPL: own nodes ``start``..``start+count-1``, after ``first_ref``."""

    start: list[np.ndarray] = field(default_factory=list)
    count: list[np.ndarray] = field(default_factory=list)
    first_ref: list[np.ndarray] = field(default_factory=list)
    tag: list[np.ndarray] = field(default_factory=list)

    def __len__(self) -> int:
        return int(sum(len(c) for c in self.count))


def _bulk(
    rng: np.random.Generator,
    writer: osmium.SimpleWriter,
    *,
    n_ways: int,
    mode: str,
    next_id: int,
    starts: np.ndarray,
    border_tree: shapely.STRtree | None,
    clearance_deg: float,
    tag_p: np.ndarray,
    cover: bool = False,
    chunk_nodes: int = 1_500_000,
) -> tuple[_BulkWays, int]:
    """Write the nodes of ``n_ways`` ordinary ways; return the ways and the next node id."""
    ways = _BulkWays()
    done = idle = covered = 0
    mean = NEAR_MEAN_NODES if mode == "near" else FAR_MEAN_NODES
    while done < n_ways:
        m = min(max(chunk_nodes // mean, 100), int((n_ways - done) * 1.25) + 8)
        n_trunk = max(1, int(m * 0.6))
        n_branch = m - n_trunk
        counts_t = 2 + rng.poisson(mean - 2, n_trunk)
        pick = rng.integers(0, len(starts), n_trunk)
        jitter = rng.normal(0, 0.05 if mode == "near" else 0.5, (n_trunk, 2))
        s = starts[pick] + jitter
        lon_t, lat_t, way_t, first_t = _walks(rng, s[:, 0], s[:, 1], counts_t)
        # branches start at a vertex of a trunk of this chunk
        parent = rng.integers(0, n_trunk, n_branch)
        pv = first_t[parent] + (rng.random(n_branch) * counts_t[parent]).astype(np.int64)
        counts_b = 2 + rng.poisson(mean / 2, n_branch)
        lon_b, lat_b, way_b, first_b = _walks(rng, lon_t[pv], lat_t[pv], counts_b)
        ok_t = np.ones(n_trunk, dtype=bool)
        ok_b = np.ones(n_branch, dtype=bool)
        if border_tree is not None:
            lines_t = shapely.linestrings(lon_t, lat_t, indices=way_t)
            hit, _ = border_tree.query(lines_t, predicate="dwithin", distance=clearance_deg)
            ok_t[hit] = False
            lines_b = shapely.linestrings(lon_b, lat_b, indices=way_b)
            hit, _ = border_tree.query(lines_b, predicate="dwithin", distance=clearance_deg)
            ok_b[hit] = False
            ok_b &= ok_t[parent]
        # keep no more than needed, trunks first, with their branches
        need = n_ways - done
        keep_t = np.flatnonzero(ok_t)
        keep_b = np.flatnonzero(ok_b)
        n_t = min(len(keep_t), max(need - len(keep_b), (need * 3 + 4) // 5))
        keep_t = keep_t[:n_t]
        alive = np.zeros(n_trunk, dtype=bool)
        alive[keep_t] = True
        keep_b = keep_b[alive[parent[keep_b]]][: max(need - n_t, 0)]
        # node ids: trunk vertices, then branch vertices but their first
        alive_b = np.zeros(n_branch, dtype=bool)
        alive_b[keep_b] = True
        vt = alive[way_t]
        vert_id = np.full(len(way_t), -1, dtype=np.int64)
        vert_id[vt] = next_id + np.arange(int(vt.sum()))
        next_id += int(vt.sum())
        ct = counts_t[keep_t]
        id_t = vert_id[first_t[keep_t]]
        vb = alive_b[way_b] & (np.arange(len(way_b)) != first_b[way_b])
        cb = counts_b[keep_b] - 1
        id_b = next_id + np.cumsum(cb) - cb
        ids_all = np.concatenate([vert_id[vt], next_id + np.arange(int(vb.sum()))])
        next_id += int(vb.sum())
        lon_all = np.concatenate([lon_t[vt], lon_b[vb]])
        lat_all = np.concatenate([lat_t[vt], lat_b[vb]])
        if len(ids_all):
            osmium.apply(osmium.io.FileBuffer(_opl_nodes(ids_all, lon_all, lat_all), "opl"), writer)
        k = len(keep_t) + len(keep_b)
        ways.start.append(np.concatenate([id_t, id_b]).astype(np.int64))
        ways.count.append(np.concatenate([ct, cb]).astype(np.int64))
        ways.first_ref.append(np.concatenate([np.full(len(keep_t), -1), vert_id[pv[keep_b]]]))
        tag = rng.choice(len(tag_p), size=k, p=tag_p)
        if cover and covered < len(tag_p):  # every kind of way at least once
            n_cover = min(k, len(tag_p) - covered)
            tag[:n_cover] = np.arange(covered, covered + n_cover)
            covered += n_cover
        ways.tag.append(tag)
        done += k
        idle = idle + 1 if k == 0 else 0
        if idle > 20:
            raise InputDataError("no room for ordinary ways away from the border")
    return ways, next_id


def _write_bulk_ways(
    writer: osmium.SimpleWriter, ways: _BulkWays, table: list[str], next_way: int
) -> int:
    heads = [f" T{t} N".encode() for t in table]
    for start, count, first, tag in zip(
        ways.start, ways.count, ways.first_ref, ways.tag, strict=True
    ):
        if not len(start):
            continue
        has_first = first >= 0
        total = count + has_first
        n = int(total.sum())
        off = np.concatenate([[0], np.cumsum(total)[:-1]])
        way = np.repeat(np.arange(len(start)), total)
        pos = np.arange(n) - off[way]
        refs = start[way] + pos - has_first[way]
        firsts = off[has_first]
        refs[firsts] = first[has_first]
        r = np.empty((n, 14), dtype=np.uint8)
        r[:, 0] = ord("n")
        r[:, 1:13] = _digits12(refs)
        r[:, 13] = ord(",")
        buf = r.tobytes()
        parts: list[bytes] = []
        ends = (off + total) * 14 - 1
        offs = off * 14
        for i in range(len(start)):
            parts.append(b"w%d" % (next_way + i))
            parts.append(heads[tag[i]])
            parts.append(buf[offs[i] : ends[i]])
            parts.append(b"\n")
        next_way += len(start)
        osmium.apply(osmium.io.FileBuffer(b"".join(parts), "opl"), writer)
    return next_way


# --------------------------------------------------------------------------------------
# Population raster
# --------------------------------------------------------------------------------------


def _population(
    path: Path,
    countries: gpd.GeoDataFrame,
    border: _Border,
    places: pd.DataFrame,
) -> float:
    """Write the population raster; return its total (people)."""
    import rasterio
    from rasterio.features import rasterize
    from rasterio.transform import Affine

    crs = fitted_crs(border.line.bounds, kind="equal_area")
    to = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    bx = np.column_stack(to.transform(*border.coords.T))
    margin = 200_000.0
    x0 = math.floor((bx[:, 0].min() - margin) / PIXEL_M) * PIXEL_M
    y1 = math.ceil((bx[:, 1].max() + margin) / PIXEL_M) * PIXEL_M
    x1 = math.ceil((bx[:, 0].max() + margin) / PIXEL_M) * PIXEL_M
    y0 = math.floor((bx[:, 1].min() - margin) / PIXEL_M) * PIXEL_M
    width, height = int((x1 - x0) / PIXEL_M), int((y1 - y0) / PIXEL_M)
    transform = Affine(PIXEL_M, 0.0, x0, 0.0, -PIXEL_M, y1)
    shapes = countries.to_crs(crs).geometry
    mask = rasterize(
        ((g, 1) for g in shapes), out_shape=(height, width), transform=transform, dtype="uint8"
    ).astype(bool)
    grid = np.zeros((height, width), dtype=np.float64)
    px, py = to.transform(places.lon.to_numpy(), places.lat.to_numpy())
    col = ((np.asarray(px) - x0) / PIXEL_M).astype(int)
    row = ((y1 - np.asarray(py)) / PIXEL_M).astype(int)
    for c, r, pop in zip(col, row, places.population.to_numpy(dtype=float), strict=True):
        sigma = 1.0 + 1.5 * max(math.log10(max(pop, 10.0)) - 2.0, 0.0)  # pixels
        rad = int(math.ceil(3 * sigma))
        r0, r1 = max(r - rad, 0), min(r + rad + 1, height)
        c0, c1 = max(c - rad, 0), min(c + rad + 1, width)
        if r0 >= r1 or c0 >= c1:
            continue
        yy, xx = np.mgrid[r0:r1, c0:c1]
        k = np.exp(-((yy - r) ** 2 + (xx - c) ** 2) / (2 * sigma**2)) * mask[r0:r1, c0:c1]
        if k.sum() == 0:
            continue
        grid[r0:r1, c0:c1] += pop * k / k.sum()
    grid += RURAL_DENSITY * (PIXEL_M / 1000) ** 2 * mask
    data = grid.astype(np.float32)
    total = float(data.sum(dtype=np.float64))
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="float32",
        crs=crs.to_wkt(),
        transform=transform,
        nodata=-1.0,
        compress="deflate",
        tiled=True,
    ) as dst:
        dst.write(data, 1)
        dst.update_tags(TOTAL_POPULATION=f"{total:.3f}", UNITS="people per pixel")
    return total


# --------------------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------------------


def generate_world(
    out_dir: Path,
    *,
    countries: gpd.GeoDataFrame | None = None,
    pair: tuple[str, str] = ("XAA", "XBB"),
    places: pd.DataFrame | None = None,
    n_ways: int = 300,
    seed: int = 0,
    far_fraction: float = 0.0,
) -> World:
    """Write a synthetic world: OSM extract, countries, population raster and truth.

    Parameters
    ----------
    out_dir
        Directory for ``world.osm.pbf``, ``countries.gpkg``, ``population.tif`` and
        ``truth.gpkg``; created if missing.
    countries
        Two outlines (columns ``iso3``, ``geometry``, optionally ``name``; EPSG:4326) such as
        ``data/rus_kaz_outlines.gpkg``. None draws two countries sharing a wiggly border of
        ~500 km near 50° N, 58–65° E, each reaching ~150 km from it, with one stretch where
        the outlines part so that the border has a bridged gap.
    pair
        ISO3 codes of the two countries; the first is side A.
    places
        Towns (columns ``name``, ``lon``, ``lat``, ``population``, ``iso3``) to use as place
        nodes; None generates some on both sides.
    n_ways
        About how many ways the extract holds (a few hundred for tests, a million for
        benchmarks). Ordinary ways average 40 nodes near the border and 320 far from it.
    seed
        Seed of every random choice: the same arguments give the same bytes.
    far_fraction
        Share of the ordinary ways laid out more than 300 km north of the border.

    Returns
    -------
    World
        Paths of the four files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not 0.0 <= far_fraction <= 1.0:
        raise ValueError(f"far_fraction must lie in [0, 1], got {far_fraction}")
    rng = np.random.default_rng(seed)
    pair = (str(pair[0]), str(pair[1]))
    procedural = countries is None
    if countries is None:
        countries = _procedural_countries(rng, pair)
    else:
        missing = {"iso3", "geometry"} - set(countries.columns)
        if missing:
            raise InputDataError(f"countries lack columns {sorted(missing)}")
        if countries.crs is None:
            raise InputDataError("countries have no CRS")
        countries = countries.to_crs(WGS84)
        countries = countries[countries.iso3.isin(pair)].set_index("iso3").loc[list(pair)]
        countries = countries.reset_index()
        if "name" not in countries:
            countries["name"] = [_country_name(c) for c in pair]
        countries = countries[["iso3", "name", "geometry"]]
    border_gdf, gaps = trace_border(countries[["iso3", "geometry"]], pair=pair)
    geoms = {"a": countries.geometry.iloc[0], "b": countries.geometry.iloc[1]}
    for g in geoms.values():
        shapely.prepare(g)
    border = _Border(border_gdf.geometry.iloc[0], geoms["a"], gaps)
    log.info("border %.1f km, %d gaps", border.length / 1000, len(border.gaps))

    osm = _Osm()
    maritime = None
    if procedural:  # the west edge of the second country is a coast
        x0 = countries.geometry.iloc[1].bounds[0]
        maritime = shapely.box(x0 - 0.01, -90, x0 + 0.001, border.coords[0, 1] - 0.05)
    _admin(osm, countries, rng, maritime)
    n_boundary_ways = len(osm.ways)
    crossings, non_crossings = _place_features(rng, border, geoms, osm)

    # places and the roads between them
    if places is None:
        n_places = int(np.clip(n_ways // 12, 24, 3000))
        places = _generate_places(rng, countries, border, n_places)
    else:
        need = {"name", "lon", "lat", "population", "iso3"} - set(places.columns)
        if need:
            raise InputDataError(f"places lack columns {sorted(need)}")
        places = places.reset_index(drop=True)
    ptags, pop_tags = _place_tags(places, second=pair[1])
    place_ids = [osm.node(r.lon, r.lat, t) for r, t in zip(places.itertuples(), ptags, strict=True)]
    del place_ids
    clearance_deg = BORDER_CLEARANCE_M / (
        111_320.0 * math.cos(math.radians(min(abs(border.coords[:, 1]).max(), 80.0)))
    )
    # the border in pieces of 50 edges for a spatial index
    k = np.arange(len(border.coords))
    idx = np.concatenate([k, k[50::50]])
    grp = np.concatenate([k // 50, k[50::50] // 50 - 1])
    order = np.lexsort((idx, grp))
    pieces = shapely.linestrings(border.coords[idx[order]], indices=grp[order])
    tree = shapely.STRtree(pieces)
    n_links = _place_links(rng, osm, places, tree, clearance_deg)
    log.info("%d roads between places", n_links)

    table, tag_p = _bulk_tag_table(rng)
    # n_ways counts the ways of roads, rails and the like; boundaries come on top
    n_bulk = max(n_ways - (len(osm.ways) - n_boundary_ways), len(table))
    n_far = int(round(n_bulk * far_fraction))
    n_near = n_bulk - n_far

    pbf = out_dir / "world.osm.pbf"
    if pbf.exists():
        pbf.unlink()
    writer = osmium.SimpleWriter(str(pbf))
    try:
        for nid, lon, lat, tags in osm.nodes:
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat), tags=tags))
        next_node = len(osm.nodes) + 1
        near_starts = np.column_stack([places.lon.to_numpy(), places.lat.to_numpy()])
        near, next_node = _bulk(
            rng,
            writer,
            n_ways=n_near,
            mode="near",
            next_id=next_node,
            starts=near_starts,
            border_tree=tree,
            clearance_deg=clearance_deg,
            tag_p=tag_p,
            cover=True,
        )
        bx0, _, bx1, by1 = border.line.bounds
        far_starts = np.column_stack(
            [
                rng.uniform(bx0, bx1, 4096),
                rng.uniform(by1 + FAR_GAP_DEG, by1 + FAR_GAP_DEG + 6, 4096),
            ]
        )
        far, next_node = _bulk(
            rng,
            writer,
            n_ways=n_far,
            mode="far",
            next_id=next_node,
            starts=far_starts,
            border_tree=None,
            clearance_deg=0.0,
            tag_p=tag_p,
            cover=n_near == 0,
        )
        for wid, refs, tags in osm.ways:
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))
        next_way = _write_bulk_ways(writer, near, table, len(osm.ways) + 1)
        next_way = _write_bulk_ways(writer, far, table, next_way)
        for rid, members, tags in osm.relations:
            writer.add_relation(osmium.osm.mutable.Relation(id=rid, members=members, tags=tags))
    finally:
        writer.close()
    log.info("wrote %s: %d nodes, %d ways", pbf, next_node - 1, next_way - 1)

    population = out_dir / "population.tif"
    total = _population(population, countries, border, places)

    places_out = gpd.GeoDataFrame(
        {
            "name": places["name"].astype(str),
            "iso3": places.iso3.astype(str),
            "population": places.population.astype("int64"),
            "population_tag": pop_tags,
        },
        geometry=shapely.points(places.lon.to_numpy(), places.lat.to_numpy()),
        crs=WGS84,
    )
    cross_cols = [
        "feature",
        "kind",
        "highway",
        "ref",
        "surface_class",
        "surface_source",
        "official",
        "local_only",
        "category",
        "transit",
        "in_gap",
        "osm_ids",
        "surface_differs",
        "border_km",
        "geometry",
    ]
    table_x = pd.DataFrame(crossings)[cross_cols].sort_values("border_km", ignore_index=True)
    truth_x = gpd.GeoDataFrame(table_x, geometry="geometry", crs=WGS84)
    truth_n = gpd.GeoDataFrame(pd.DataFrame(non_crossings), geometry="geometry", crs=WGS84)
    meta = {
        "seed": str(seed),
        "n_ways": str(n_ways),
        "far_fraction": str(far_fraction),
        "pair": "-".join(pair),
        "total_population": f"{total:.3f}",
        "generator": "borderzone.synth.world",
    }
    countries_path = out_dir / "countries.gpkg"
    truth_path = out_dir / "truth.gpkg"
    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GDAL_DATE})
    try:
        write_layers(countries_path, {"countries": gpd.GeoDataFrame(countries, crs=WGS84)})
        write_layers(
            truth_path,
            {"crossings": truth_x, "non_crossings": truth_n, "places": places_out},
            metadata=meta,
        )
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})
    log.info("%d crossings, %d non-crossings in the truth", len(truth_x), len(truth_n))
    return World(pbf=pbf, countries=countries_path, truth=truth_path, population=population)


def _place_links(
    rng: np.random.Generator,
    osm: _Osm,
    places: pd.DataFrame,
    tree: shapely.STRtree,
    clearance_deg: float,
) -> int:
    """Roads from each place to its nearest neighbours of the same country, off the border."""
    xy = places[["lon", "lat"]].to_numpy()
    iso = places.iso3.to_numpy()
    pop = places.population.to_numpy()
    done: set[tuple[int, int]] = set()
    n = 0
    for i in range(len(places)):
        same = np.flatnonzero((iso == iso[i]) & (np.arange(len(places)) != i))
        if not len(same):
            continue
        d = np.hypot(*(xy[same] - xy[i]).T)
        for j in same[np.argsort(d, kind="stable")[:2]]:
            key = (min(i, j), max(i, j))
            if key in done:
                continue
            done.add(key)
            a, b = xy[i], xy[j]
            steps = max(int(np.hypot(*(b - a)) / 0.003), 2)
            t = np.linspace(0, 1, steps + 1)[:, None]
            normal = np.array([-(b - a)[1], (b - a)[0]])
            wiggle = 0.04 * np.sin(np.pi * t * rng.integers(1, 4)) * rng.uniform(-1, 1)
            line = a + t * (b - a) + wiggle * normal
            line[0] += [0.0005, 0.0003]
            line[-1] += [0.0005, 0.0003]
            geom = shapely.LineString(line)
            if len(tree.query(geom, predicate="dwithin", distance=clearance_deg)):
                continue
            big = max(pop[i], pop[j])
            hw = (
                "trunk"
                if big >= 100_000
                else "primary"
                if big >= 20_000
                else "secondary"
                if big >= 5000
                else "tertiary"
                if big >= 1000
                else "unclassified"
            )
            tags = {"highway": hw, "name": f"{places.name[i]} — {places.name[j]}"}
            if hw in ("trunk", "primary"):
                tags["surface"] = "asphalt"
            osm.line(line, tags)
            n += 1
    return n
