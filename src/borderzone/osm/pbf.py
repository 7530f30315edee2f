"""Stream the layers of a border corridor out of OpenStreetMap ``.osm.pbf`` files.

A national extract (Russia: ~3.5 GB, ~500 M nodes) is far larger than the corridor along
one border, which holds a few per cent of it. Nothing here builds geometries for the
whole file or loads its nodes into Python objects. Two engines give the same layers:

``"osmium-tool"`` (chosen by ``engine="auto"`` when the ``osmium`` binary is on ``PATH``)
    :func:`borderzone.osm.prefilter.prefilter` cuts each input to the corridor and the tags
    wanted (roads, rail, checkpoints, places, waterways, administrative relations) and
    merges them;
    pyosmium then reads the small result (a few MB) with node locations in memory.

``"pyosmium"`` (the fallback, without the binary)
    pyosmium reads each input once with node locations kept in a C++ index
    (``flex_mem``), C++ tag filters in front of Python, so only candidate objects reach
    Python. It needs no external program but holds a location for every node of the file:
    fine for regional extracts, several GB for a national one (``location_storage`` takes
    a disk-backed index such as ``"sparse_file_array,/tmp/nodes.idx"`` instead).

Both engines then do the same (:func:`read_candidates`): each candidate way becomes a WKB
linestring (built in C++ by pyosmium), and the corridor test and all geometries are
vectorised with shapely 2 over the coordinate arrays. Multipolygons of relations are
assembled by libosmium, for admin areas and for river areas (closed ways too).

A way is kept when any of its nodes lies in the corridor; the whole way is kept (clipping
happens later). Files that hold no road, railway or place in the corridor (an extract of
another area) are an error naming them and the corridor. Tag values that are not valid
UTF-8 are decoded with U+FFFD in place of the bad bytes; the log counts the objects
affected and names the first few. Objects found in several inputs are kept once (by type
and id). The tag rules and columns are those of :mod:`borderzone.osm.schema`; the country
outlines built from the same scan are in :mod:`borderzone.osm.countries`.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crs import WGS84
from borderzone.errors import BorderzoneError, OsmDataError
from borderzone.osm.prefilter import (
    Engine,
    nothing_in_corridor,
    osmium_binary,
    prefilter,
    unreadable,
)
from borderzone.osm.schema import (
    ADMIN_TAGS,
    CHECKPOINT_MATCH,
    CHECKPOINT_TAGS,
    LAYER_COLUMNS,
    PATH_CLASSES,
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
    empty_layer,
    is_checkpoint,
    is_water_area,
    parse_population,
    representative_points,
)
from borderzone.osm.tags import SafeTags

log = logging.getLogger(__name__)

_NODE_KEYS = ("place", *CHECKPOINT_MATCH)
_WAY_KEYS = ("highway", "railway", *CHECKPOINT_MATCH, "maritime", "waterway")
_AREA_TAGS = (("boundary", "administrative"), *(kv for m in WATER_AREA_MATCH for kv in m.items()))
"""Tags of the areas libosmium assembles: admin areas, and candidates of river areas."""


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
    """Objects collected by a scan, before the corridor test."""

    roads: list[tuple] = field(default_factory=list)
    road_wkb: list[str] = field(default_factory=list)
    rail: list[tuple] = field(default_factory=list)
    rail_wkb: list[str] = field(default_factory=list)
    cp_rows: list[tuple] = field(default_factory=list)
    cp_wkb: list[str] = field(default_factory=list)
    cp_nodes: list[tuple] = field(default_factory=list)
    cp_xy: list[tuple[float, float]] = field(default_factory=list)
    places: list[tuple] = field(default_factory=list)
    place_xy: list[tuple[float, float]] = field(default_factory=list)
    admin: list[tuple] = field(default_factory=list)
    admin_wkb: list[str] = field(default_factory=list)
    water_lines: list[tuple] = field(default_factory=list)
    water_line_wkb: list[str] = field(default_factory=list)
    water_areas: list[tuple] = field(default_factory=list)
    water_area_wkb: list[str] = field(default_factory=list)
    maritime_wkb: list[str] = field(default_factory=list)
    missing: int = 0
    undecodable: list[str] = field(default_factory=list)  # "way 12": a tag not UTF-8


_SHOW_IDS = 5
"""How many objects with undecodable tags the log names."""


# --------------------------------------------------------------------------------------
# public API


def extract_corridor(
    pbf_paths: Sequence[Path],
    *,
    corridor: shapely.Geometry,
    include_paths: bool = False,
    rail_exclude: Sequence[str] = RAIL_EXCLUDE,
    admin_levels: Sequence[int] = (2, 4, 6),
    engine: Engine = "auto",
    location_storage: str = "flex_mem",
) -> dict[str, gpd.GeoDataFrame]:
    """Read the roads, rail, checkpoints, places, waterways and admin areas of a corridor.

    Parameters
    ----------
    pbf_paths
        One or more ``.osm.pbf`` files (e.g. the Russian and the Kazakh extracts, which
        overlap at the border); objects present in several are kept once.
    corridor
        (Multi)Polygon in EPSG:4326: the widest buffer plus a margin. A way is kept whole
        when any of its nodes lies in it; admin areas are kept when they intersect it.
    include_paths
        Also keep ``highway`` in :data:`borderzone.osm.schema.PATH_CLASSES`.
    rail_exclude
        Life-cycle states dropped from the rail: a way is dropped when its ``railway``
        value is one of them, when it has a tag ``<state>=*`` (other than ``no``), or a
        ``<state>:railway`` key.
    admin_levels
        ``admin_level`` values of the ``boundary=administrative`` relations kept.
    engine
        ``"osmium-tool"``, ``"pyosmium"`` or ``"auto"`` (osmium-tool when the ``osmium``
        binary is found); see the module documentation.
    location_storage
        pyosmium node location index for the ``"pyosmium"`` engine.

    Returns
    -------
    dict of geopandas.GeoDataFrame
        Layers ``roads``, ``rail`` (LineString), ``checkpoints``, ``places`` (Point),
        ``admin`` (MultiPolygon) and ``waterways`` (river and canal LineStrings, river
        area MultiPolygons kept when they intersect the corridor), all in EPSG:4326, with
        the columns of
        :data:`borderzone.osm.schema.LAYER_COLUMNS`
        (then ``geometry``); empty layers keep their columns.

    Raises
    ------
    OsmDataError
        When an input is missing or not a readable PBF file, or when the inputs hold no
        road, railway or place inside the corridor.

    Examples
    --------
    >>> layers = extract_corridor([Path("russia.osm.pbf"), Path("kazakhstan.osm.pbf")],
    ...                           corridor=buffer)  # doctest: +SKIP
    >>> layers["roads"].highway.value_counts()  # doctest: +SKIP

    """
    corridor = _check_corridor(corridor)
    paths = check_pbf_paths(pbf_paths)
    classes = set(ROAD_CLASSES) | (set(PATH_CLASSES) if include_paths else set())
    spec = ScanSpec(
        road_classes=frozenset(classes),
        rail_exclude=tuple(rail_exclude),
        admin_levels=frozenset(int(x) for x in admin_levels),
    )
    found = read_candidates(paths, spec, engine=engine, corridor=corridor, storage=location_storage)
    layers = _build_layers(found, corridor)
    log.info(
        "corridor layers from %s: %s",
        ", ".join(p.name for p in paths),
        ", ".join(f"{k} {len(v)}" for k, v in layers.items()),
    )
    if not any(len(layers[name]) for name in ("roads", "rail", "places")):
        raise nothing_in_corridor(paths, corridor)
    return layers


# --------------------------------------------------------------------------------------
# inputs


def check_pbf_paths(pbf_paths: Sequence[Path]) -> list[Path]:
    """Return the input files as a list of paths, each checked to exist."""
    if isinstance(pbf_paths, str | Path):
        pbf_paths = [pbf_paths]
    paths = [Path(p) for p in pbf_paths]
    if not paths:
        raise OsmDataError("no OSM file given")
    for path in paths:
        if not path.is_file():
            raise OsmDataError(f"OSM file {path} does not exist")
    return paths


def _check_corridor(corridor: shapely.Geometry) -> shapely.Geometry:
    if not isinstance(corridor, shapely.Geometry) or corridor.geom_type not in (
        "Polygon",
        "MultiPolygon",
    ):
        raise BorderzoneError(
            f"corridor must be a shapely (Multi)Polygon, not {type(corridor).__name__}"
        )
    if corridor.is_empty:
        raise BorderzoneError("corridor is empty")
    x0, y0, x1, y1 = corridor.bounds
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise BorderzoneError(f"corridor bounds {corridor.bounds} are not lon/lat (EPSG:4326)")
    if not corridor.is_valid:
        corridor = shapely.make_valid(corridor)
    shapely.prepare(corridor)
    return corridor


# --------------------------------------------------------------------------------------
# engines


def read_candidates(
    paths: list[Path],
    spec: ScanSpec,
    *,
    engine: Engine,
    corridor: shapely.Geometry | None,
    storage: str,
) -> Candidates:
    """Scan the files with ``engine`` and collect what ``spec`` asks for.

    ``corridor`` (EPSG:4326) lets osmium-tool cut the files first; None reads them whole.
    The corridor test itself is left to the caller.
    """
    binary = osmium_binary(engine)
    found = Candidates()
    if binary is None:
        log.info("reading %d file(s) with pyosmium (engine 'pyosmium')", len(paths))
        for path in paths:
            _scan(path, spec, found, storage=storage)
        return found
    log.info("reading %d file(s) with osmium-tool %s then pyosmium", len(paths), binary)
    with tempfile.TemporaryDirectory(prefix="borderzone-osm-") as tmp:
        small = prefilter(
            binary,
            paths,
            tag_filters=_tag_expressions(spec),
            corridor=corridor,
            tmp=Path(tmp),
        )
        _scan(small, spec, found, storage="flex_mem", origin=paths)
    return found


def _tag_expressions(spec: ScanSpec) -> list[str]:
    levels = ",".join(str(x) for x in sorted(spec.admin_levels))
    if not spec.want_lines:
        return [f"r/admin_level={levels}", "w/maritime"]
    return [
        "w/highway=" + ",".join(sorted(spec.road_classes)),
        "w/railway=" + ",".join(RAIL_CLASSES),
        *(f"nw/{k}={v}" if v is not None else f"nw/{k}" for k, v in CHECKPOINT_MATCH.items()),
        "n/place=" + ",".join(PLACE_CLASSES),
        "w/waterway=" + ",".join(WATERWAY_CLASSES),
        # river areas: closed ways and multipolygons (is_water_area checks the whole match)
        *sorted({f"wr/{k}={v}" for m in WATER_AREA_MATCH for k, v in m.items() if k != "natural"}),
        f"r/admin_level={levels}",
    ]


def _scan(
    path: Path,
    spec: ScanSpec,
    found: Candidates,
    *,
    storage: str,
    origin: Sequence[Path] | None = None,
) -> None:
    """Read one PBF: C++ filters in front, candidate objects into ``found``."""
    import osmium
    from osmium.filter import KeyFilter, TagFilter

    node_keys = KeyFilter(*_NODE_KEYS)
    node_keys.enable_for(osmium.osm.NODE)
    way_keys = KeyFilter(*_WAY_KEYS)
    way_keys.enable_for(osmium.osm.WAY)
    area_tags = TagFilter(*_AREA_TAGS)
    area_tags.enable_for(osmium.osm.AREA)
    relations = TagFilter(*_AREA_TAGS)
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations(storage)
        .with_areas(relations)
        .with_filter(node_keys)
        .with_filter(way_keys)
        .with_filter(area_tags)
    )
    wkb = osmium.geom.WKBFactory()
    levels = {str(x) for x in spec.admin_levels}
    rail_classes = set(RAIL_CLASSES)
    excluded = set(spec.rail_exclude)
    excluded_keys = [f"{s}:railway" for s in spec.rail_exclude]
    places = set(PLACE_CLASSES)
    waterways = set(WATERWAY_CLASSES)
    want = spec.want_lines
    bad_before = len(found.undecodable)
    try:
        for obj in processor:
            tags = SafeTags(obj, found.undecodable)
            if obj.is_way():
                if "maritime" in tags and tags["maritime"] == "yes" and not want:
                    try:
                        found.maritime_wkb.append(wkb.create_linestring(obj))
                    except Exception:  # noqa: BLE001 - missing nodes
                        found.missing += 1
                if not want:
                    continue
                highway = tags.get("highway")
                railway = tags.get("railway")
                is_road = highway in spec.road_classes
                is_rail = railway in rail_classes and not (
                    railway in excluded
                    or any(tags.get(s, "no") != "no" for s in excluded)
                    or any(k in tags for k in excluded_keys)
                )
                is_cp = is_checkpoint(tags)
                is_water = tags.get("waterway") in waterways
                if not (is_road or is_rail or is_cp or is_water):
                    continue
                try:
                    line = wkb.create_linestring(obj)
                except Exception:  # noqa: BLE001 - nodes missing (cut at the file's edge)
                    line = _partial_line(obj)
                    found.missing += 1
                    if line is None:
                        continue
                if is_road:
                    found.roads.append((obj.id, *(tags.get(k) for k in ROAD_TAGS)))
                    found.road_wkb.append(line)
                if is_rail:
                    found.rail.append((obj.id, *(tags.get(k) for k in RAIL_TAGS)))
                    found.rail_wkb.append(line)
                if is_cp:
                    found.cp_rows.append((obj.id, "way", *(tags.get(k) for k in CHECKPOINT_TAGS)))
                    found.cp_wkb.append(line)
                if is_water:
                    found.water_lines.append((obj.id, "way", *(tags.get(k) for k in WATERWAY_TAGS)))
                    found.water_line_wkb.append(line)
            elif obj.is_node():
                if not want:
                    continue
                loc = obj.location
                if not loc.valid():
                    continue
                if tags.get("place") in places:
                    found.places.append((obj.id, *(tags.get(k) for k in PLACE_TAGS)))
                    found.place_xy.append((loc.lon, loc.lat))
                if is_checkpoint(tags):
                    found.cp_nodes.append((obj.id, "node", *(tags.get(k) for k in CHECKPOINT_TAGS)))
                    found.cp_xy.append((loc.lon, loc.lat))
            elif obj.is_area():
                if want and is_water_area(tags):
                    _add_water_area(obj, tags, found, wkb)
                if obj.from_way() or tags.get("admin_level") not in levels:
                    continue
                if spec.admin_iso3 is not None and (
                    tags.get("ISO3166-1:alpha3") not in spec.admin_iso3
                ):
                    continue
                try:
                    poly = wkb.create_multipolygon(obj)
                except Exception:  # noqa: BLE001 - incomplete relation
                    found.missing += 1
                    continue
                found.admin.append(
                    (obj.orig_id(), int(tags["admin_level"]), *(tags.get(k) for k in ADMIN_TAGS))
                )
                found.admin_wkb.append(poly)
    except RuntimeError as exc:
        raise unreadable(origin[0] if origin and len(origin) == 1 else path, exc) from exc
    if found.missing:
        log.info(
            "%s: %d objects have nodes missing from the file (partial geometry)",
            path,
            found.missing,
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


def _add_water_area(area, tags: SafeTags, found: Candidates, wkb) -> None:
    """Collect a river area (a closed way or a multipolygon relation)."""
    try:
        poly = wkb.create_multipolygon(area)
    except Exception:  # noqa: BLE001 - incomplete ring
        found.missing += 1
        return
    kind = "way" if area.from_way() else "relation"
    found.water_areas.append((area.orig_id(), kind, *(tags.get(k) for k in WATERWAY_TAGS)))
    found.water_area_wkb.append(poly)


def _partial_line(way) -> str | None:
    """Hex WKB of the part of a way whose nodes are in the file, or None (< 2 points)."""
    xy = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    xy = [p for i, p in enumerate(xy) if i == 0 or p != xy[i - 1]]
    if len(xy) < 2:
        return None
    return shapely.to_wkb(shapely.LineString(xy), hex=True)


# --------------------------------------------------------------------------------------
# layers


def _frame(name: str, rows: list[tuple], geoms: np.ndarray) -> gpd.GeoDataFrame:
    if not rows:
        return empty_layer(name)
    columns = LAYER_COLUMNS[name]
    df = pd.DataFrame.from_records(rows, columns=list(columns))
    df["osm_id"] = df["osm_id"].astype("int64")
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)
    key = ["osm_type", "osm_id"] if "osm_type" in columns else ["osm_id"]
    if gdf.duplicated(subset=key).any():
        # a way cut at the edge of one input is whole in another: keep the longest version
        order = np.argsort(-shapely.get_num_coordinates(gdf.geometry.values), kind="stable")
        gdf = gdf.iloc[order].drop_duplicates(subset=key).sort_index()
    return gdf.reset_index(drop=True)


def _lines_in(wkb: list[str], corridor: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Lines from (hex) WKB, and which have a vertex in the corridor (vectorised)."""
    lines = shapely.from_wkb(np.array(wkb, dtype=object))
    if len(lines) == 0:
        return lines, np.zeros(0, dtype=bool)
    coords, index = shapely.get_coordinates(lines, return_index=True)
    x0, y0, x1, y1 = corridor.bounds
    in_box = (coords[:, 0] >= x0) & (coords[:, 0] <= x1) & (coords[:, 1] >= y0)
    in_box &= coords[:, 1] <= y1
    inside = np.zeros(len(coords), dtype=bool)
    inside[in_box] = shapely.contains_xy(corridor, coords[in_box, 0], coords[in_box, 1])
    keep = np.bincount(index[inside], minlength=len(lines)) > 0
    return lines, keep


def _build_layers(found: Candidates, corridor: shapely.Geometry) -> dict[str, gpd.GeoDataFrame]:
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, rows, wkb in (
        ("roads", found.roads, found.road_wkb),
        ("rail", found.rail, found.rail_wkb),
    ):
        lines, keep = _lines_in(wkb, corridor)
        layers[name] = _frame(name, [r for r, k in zip(rows, keep, strict=True) if k], lines[keep])
    # checkpoints: nodes, then ways as a representative point
    lines, keep = _lines_in(found.cp_wkb, corridor)
    way_points = representative_points(lines[keep])
    xy = np.array(found.cp_xy, dtype=float).reshape(-1, 2)
    node_in = shapely.contains_xy(corridor, xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, bool)
    rows = [r for r, k in zip(found.cp_nodes, node_in, strict=True) if k]
    rows += [r for r, k in zip(found.cp_rows, keep, strict=True) if k]
    points = np.concatenate([shapely.points(xy[node_in]), way_points])
    layers["checkpoints"] = _frame("checkpoints", rows, points)
    xy = np.array(found.place_xy, dtype=float).reshape(-1, 2)
    inside = shapely.contains_xy(corridor, xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, bool)
    places = _frame(
        "places",
        [r for r, k in zip(found.places, inside, strict=True) if k],
        shapely.points(xy[inside]),
    )
    places["population"] = parse_population(places["population"])
    layers["places"] = places
    layers["admin"] = admin_layer(found, corridor=corridor)
    layers["waterways"] = _waterways(found, corridor)
    return layers


def _waterways(found: Candidates, corridor: shapely.Geometry) -> gpd.GeoDataFrame:
    """Waterway lines with a vertex in the corridor, then river areas intersecting it."""
    lines, keep = _lines_in(found.water_line_wkb, corridor)
    rows = [r for r, k in zip(found.water_lines, keep, strict=True) if k]
    areas = shapely.from_wkb(np.array(found.water_area_wkb, dtype=object))
    inside = shapely.intersects(corridor, areas) if len(areas) else np.zeros(0, bool)
    rows += [r for r, k in zip(found.water_areas, inside, strict=True) if k]
    return _frame("waterways", rows, np.concatenate([lines[keep], areas[inside]]))


def admin_layer(found: Candidates, *, corridor: shapely.Geometry | None) -> gpd.GeoDataFrame:
    """Build the ``admin`` layer of the scanned relations intersecting ``corridor`` (None: all).

    Invalid multipolygons are repaired (their polygon parts kept); a relation found in
    several inputs is kept once, in its largest version.
    """
    if not found.admin:
        return empty_layer("admin")
    polys = shapely.from_wkb(np.array(found.admin_wkb, dtype=object))
    bad = ~shapely.is_valid(polys)
    if bad.any():
        fixed = shapely.make_valid(polys[bad])
        polys[bad] = [
            shapely.multipolygons(
                shapely.get_parts(g)[shapely.get_type_id(shapely.get_parts(g)) == 3]
            )
            for g in fixed
        ]
    keep = ~shapely.is_empty(polys)
    if corridor is not None:
        keep &= shapely.intersects(corridor, polys)
    rows = [r for r, k in zip(found.admin, keep, strict=True) if k]
    gdf = _frame("admin", rows, polys[keep])
    if len(gdf):
        # an admin relation cut by the edge of one input is complete in another: keep the
        # largest version of each
        gdf = (
            gdf.assign(_area=shapely.area(gdf.geometry.values))
            .sort_values("_area", ascending=False, kind="stable")
            .drop_duplicates("osm_id")
            .drop(columns="_area")
            .sort_index()
            .reset_index(drop=True)
        )
    gdf["admin_level"] = gdf["admin_level"].astype("int64")
    return gdf
