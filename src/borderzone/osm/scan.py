"""Read one ``.osm.pbf`` file with pyosmium into the candidate objects of a corridor.

The common reader of both engines of :mod:`borderzone.osm.pbf`: C++ filters of pyosmium
(:class:`osmium.filter.KeyFilter`, :class:`osmium.filter.TagFilter`) stand in front of
Python, so only objects with a wanted key reach it; node locations are kept in a C++ index
and each candidate way becomes a WKB linestring built in C++. Multipolygons (admin areas,
river areas) are assembled by libosmium. The tag rules are those of
:mod:`borderzone.osm.schema`; what is kept of each object is a row of its tag values and
its geometry as WKB, for the vectorised corridor test and frames of :mod:`borderzone.osm.pbf`.

Tags are read straight from pyosmium; an object with a value that is not valid UTF-8 is
read again through :class:`borderzone.osm.tags.SafeTags` (U+FFFD in place of the bad
bytes, the object counted), so the common case pays nothing for the rare one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shapely

from borderzone.osm.prefilter import unreadable
from borderzone.osm.schema import (
    ADMIN_TAGS,
    CHECKPOINT_MATCH,
    CHECKPOINT_TAGS,
    PLACE_CLASSES,
    PLACE_TAGS,
    RAIL_CLASSES,
    RAIL_EXCLUDE,
    RAIL_TAGS,
    ROAD_CLASSES,
    ROAD_TAGS,
    WATER_AREA_MATCH,
    WATERWAY_CLASSES,
    WATERWAY_TAGS,
    is_checkpoint,
    is_water_area,
)
from borderzone.osm.tags import SafeTags

log = logging.getLogger(__name__)

_NODE_KEYS = ("place", *CHECKPOINT_MATCH)
_WAY_KEYS = ("highway", "railway", *CHECKPOINT_MATCH, "maritime", "waterway")
_AREA_TAGS = (("boundary", "administrative"), *(kv for m in WATER_AREA_MATCH for kv in m.items()))
"""Tags of the areas libosmium assembles: admin areas, and candidates of river areas."""

_SHOW_IDS = 5
"""How many objects with undecodable tags the log names."""


@dataclass
class ScanSpec:
    """What one scan keeps."""

    road_classes: frozenset[str] = frozenset(ROAD_CLASSES)
    rail_exclude: tuple[str, ...] = RAIL_EXCLUDE
    admin_levels: frozenset[int] = frozenset((2, 4, 6))
    admin_iso3: frozenset[str] | None = None  # only these countries (outlines)
    want_lines: bool = True  # roads, rail, checkpoints, places


@dataclass
class Candidates:
    """Objects collected by a scan, before the corridor test; geometries as WKB bytes."""

    roads: list[tuple] = field(default_factory=list)
    road_wkb: list[bytes] = field(default_factory=list)
    rail: list[tuple] = field(default_factory=list)
    rail_wkb: list[bytes] = field(default_factory=list)
    cp_rows: list[tuple] = field(default_factory=list)
    cp_wkb: list[bytes] = field(default_factory=list)
    cp_nodes: list[tuple] = field(default_factory=list)
    cp_xy: list[tuple[float, float]] = field(default_factory=list)
    places: list[tuple] = field(default_factory=list)
    place_xy: list[tuple[float, float]] = field(default_factory=list)
    admin: list[tuple] = field(default_factory=list)
    admin_wkb: list[bytes] = field(default_factory=list)
    water_lines: list[tuple] = field(default_factory=list)
    water_line_wkb: list[bytes] = field(default_factory=list)
    water_areas: list[tuple] = field(default_factory=list)
    water_area_wkb: list[bytes] = field(default_factory=list)
    maritime_wkb: list[bytes] = field(default_factory=list)
    missing: int = 0
    undecodable: list[str] = field(default_factory=list)  # "way 12": a tag not UTF-8


class _Rules:
    """The sets a scan tests tags against, built once per scan from its spec."""

    def __init__(self, spec: ScanSpec) -> None:
        self.want = spec.want_lines
        self.road_classes = spec.road_classes
        self.rail_classes = frozenset(RAIL_CLASSES)
        self.excluded = tuple(spec.rail_exclude)
        self.excluded_keys = tuple(f"{s}:railway" for s in spec.rail_exclude)
        self.places = frozenset(PLACE_CLASSES)
        self.waterways = frozenset(WATERWAY_CLASSES)
        self.levels = frozenset(str(x) for x in spec.admin_levels)
        self.iso3 = spec.admin_iso3


def scan_pbf(
    path: Path,
    spec: ScanSpec,
    found: Candidates,
    *,
    storage: str,
    origin: Sequence[Path] | None = None,
    threads: int | None = None,
) -> None:
    """Read one PBF into ``found``: C++ filters in front, candidate objects to Python.

    Parameters
    ----------
    path
        The ``.osm.pbf`` file read.
    spec
        What to keep.
    found
        Where the candidates are added.
    storage
        pyosmium node location index (``"flex_mem"``, ``"sparse_file_array,PATH"``...).
    origin
        The files ``path`` was cut from (osmium-tool engine), named in errors and logs.
    threads
        Threads of pyosmium's pool, which decodes the blocks of the file; None leaves the
        default (the number of cores minus two, at least one).

    Raises
    ------
    OsmDataError
        When the file is not a readable PBF.

    """
    import osmium
    from osmium.filter import KeyFilter, TagFilter

    node_keys = KeyFilter(*_NODE_KEYS)
    node_keys.enable_for(osmium.osm.NODE)
    way_keys = KeyFilter(*_WAY_KEYS)
    way_keys.enable_for(osmium.osm.WAY)
    area_tags = TagFilter(*_AREA_TAGS)
    area_tags.enable_for(osmium.osm.AREA)
    pool = osmium.io.ThreadPool(threads) if threads is not None else None
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY, thread_pool=pool)
        .with_locations(storage)
        .with_areas(TagFilter(*_AREA_TAGS))
        .with_filter(node_keys)
        .with_filter(way_keys)
        .with_filter(area_tags)
    )
    wkb = osmium.geom.WKBFactory()
    rules = _Rules(spec)
    missing_before, bad_before = found.missing, len(found.undecodable)
    try:
        for obj in processor:
            take = _way if obj.is_way() else _node if obj.is_node() else _area
            try:
                take(obj, obj.tags, rules, found, wkb)
            except UnicodeDecodeError:
                take(obj, SafeTags(obj, found.undecodable), rules, found, wkb)
    except RuntimeError as exc:
        raise unreadable(origin[0] if origin and len(origin) == 1 else path, exc) from exc
    if found.missing > missing_before:
        log.info(
            "%s: %d objects have nodes missing from the file (partial geometry)",
            path,
            found.missing - missing_before,
        )
    bad = found.undecodable[bad_before:]
    if bad:
        log.warning(
            "%s: %d object(s) have tag values that are not valid UTF-8, read with U+FFFD "
            "in place of the bad bytes: %s%s",
            ", ".join(map(str, origin)) if origin else path,
            len(bad),
            ", ".join(bad[:_SHOW_IDS]),
            ", ..." if len(bad) > _SHOW_IDS else "",
        )


# Each ``_way``/``_node``/``_area`` reads every tag it needs before it adds anything to
# ``found``, so that an object whose tags fail to decode can be taken again, whole, with
# SafeTags.


def _way(way, tags, rules: _Rules, found: Candidates, wkb) -> None:
    if not rules.want:
        if tags.get("maritime") == "yes":
            try:
                found.maritime_wkb.append(bytes.fromhex(wkb.create_linestring(way)))
            except Exception:  # noqa: BLE001 - nodes missing
                found.missing += 1
        return
    get = tags.get
    railway = get("railway")
    road = (way.id, *map(get, ROAD_TAGS)) if get("highway") in rules.road_classes else None
    rail = None
    if railway in rules.rail_classes and not (
        railway in rules.excluded
        or any(get(s, "no") != "no" for s in rules.excluded)
        or any(k in tags for k in rules.excluded_keys)
    ):
        rail = (way.id, *map(get, RAIL_TAGS))
    cp = (way.id, "way", *map(get, CHECKPOINT_TAGS)) if is_checkpoint(tags) else None
    water = None
    if get("waterway") in rules.waterways:
        water = (way.id, "way", *map(get, WATERWAY_TAGS))
    if road is None and rail is None and cp is None and water is None:
        return
    try:
        line = bytes.fromhex(wkb.create_linestring(way))
    except Exception:  # noqa: BLE001 - nodes missing (cut at the file's edge)
        line = _partial_line(way)
        found.missing += 1
        if line is None:
            return
    if road is not None:
        found.roads.append(road)
        found.road_wkb.append(line)
    if rail is not None:
        found.rail.append(rail)
        found.rail_wkb.append(line)
    if cp is not None:
        found.cp_rows.append(cp)
        found.cp_wkb.append(line)
    if water is not None:
        found.water_lines.append(water)
        found.water_line_wkb.append(line)


def _node(node, tags, rules: _Rules, found: Candidates, wkb) -> None:
    if not rules.want:
        return
    loc = node.location
    if not loc.valid():
        return
    place = (node.id, *map(tags.get, PLACE_TAGS)) if tags.get("place") in rules.places else None
    cp = (node.id, "node", *map(tags.get, CHECKPOINT_TAGS)) if is_checkpoint(tags) else None
    if place is not None:
        found.places.append(place)
        found.place_xy.append((loc.lon, loc.lat))
    if cp is not None:
        found.cp_nodes.append(cp)
        found.cp_xy.append((loc.lon, loc.lat))


def _area(area, tags, rules: _Rules, found: Candidates, wkb) -> None:
    water = None
    if rules.want and is_water_area(tags):
        kind = "way" if area.from_way() else "relation"
        water = (area.orig_id(), kind, *map(tags.get, WATERWAY_TAGS))
    admin = None
    level = None if area.from_way() else tags.get("admin_level")
    if level in rules.levels and (rules.iso3 is None or tags.get("ISO3166-1:alpha3") in rules.iso3):
        admin = (area.orig_id(), int(level), *map(tags.get, ADMIN_TAGS))
    if water is None and admin is None:
        return
    try:
        poly = bytes.fromhex(wkb.create_multipolygon(area))
    except Exception:  # noqa: BLE001 - incomplete ring or relation
        found.missing += 1 + (water is not None and admin is not None)
        return
    if water is not None:
        found.water_areas.append(water)
        found.water_area_wkb.append(poly)
    if admin is not None:
        found.admin.append(admin)
        found.admin_wkb.append(poly)


def _partial_line(way) -> bytes | None:
    """WKB of the part of a way whose nodes are in the file, or None (< 2 points)."""
    xy = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    xy = [p for i, p in enumerate(xy) if i == 0 or p != xy[i - 1]]
    if len(xy) < 2:
        return None
    return shapely.to_wkb(shapely.LineString(xy))
