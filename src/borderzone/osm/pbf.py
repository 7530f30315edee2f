"""Stream the layers of a border corridor out of OpenStreetMap ``.osm.pbf`` files.

A national extract (Russia: ~3.5 GB, ~500 M nodes) is far larger than the corridor along
one border, which holds a few per cent of it. Nothing here builds geometries for the
whole file or loads its nodes into Python objects. Two engines give the same layers:

``"osmium-tool"`` (chosen by ``engine="auto"`` when the ``osmium`` binary is on ``PATH``)
    1. ``osmium extract -s smart -S types=boundary -p corridor.geojson``: the C++ tool keeps
       the ways with a node in the corridor (whole ways), their nodes, and complete
       administrative boundary relations touching it; it streams the file in a few passes
       with ~130 MB of memory.
    2. ``osmium tags-filter`` keeps only the tags wanted (roads, rail, checkpoints, places,
       administrative relations) and what they reference.
    3. Several inputs are merged with ``osmium merge`` (which drops objects present in both).
    4. pyosmium reads the small result (a few MB) with node locations in memory.

``"pyosmium"`` (the fallback, without the binary)
    pyosmium reads each input once with node locations kept in a C++ index
    (``flex_mem``), C++ tag filters in front of Python, so only candidate objects reach
    Python. It needs no external program but holds a location for every node of the file:
    fine for regional extracts, several GB for a national one (``location_storage`` takes
    a disk-backed index such as ``"sparse_file_array,/tmp/nodes.idx"`` instead).

Both engines then do the same: each candidate way becomes a WKB linestring (built in C++
by pyosmium), and the corridor test and all geometries are vectorised with shapely 2 over
the coordinate arrays. Multipolygons of relations are assembled by libosmium.

A way is kept when any of its nodes lies in the corridor; the whole way is kept (clipping
happens later). Objects found in several inputs are kept once (by type and id).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from borderzone.crs import WGS84, fitted_crs
from borderzone.errors import BorderzoneError, OsmDataError
from borderzone.osm.schema import (
    CHECKPOINT_MATCH,
    CHECKPOINT_TAGS,
    PLACE_CLASSES,
    PLACE_TAGS,
    RAIL_CLASSES,
    RAIL_EXCLUDE,
    RAIL_TAGS,
    ROAD_CLASSES,
    ROAD_TAGS,
    is_checkpoint,
    parse_population,
)

log = logging.getLogger(__name__)

Engine = Literal["auto", "osmium-tool", "pyosmium"]

PATH_CLASSES: tuple[str, ...] = ("path", "footway", "cycleway", "bridleway", "steps")
"""Values of ``highway`` added to the roads when ``include_paths`` is set."""

ADMIN_TAGS: tuple[str, ...] = ("name", "name:en", "ISO3166-1:alpha3", "ISO3166-2")
"""Tags kept as columns of the ``admin`` layer, after ``osm_id`` and ``admin_level``."""

LAYERS: dict[str, tuple[tuple[str, ...], str]] = {
    "roads": (("osm_id", *ROAD_TAGS), "LineString"),
    "rail": (("osm_id", *RAIL_TAGS), "LineString"),
    "checkpoints": (("osm_id", "osm_type", *CHECKPOINT_TAGS), "Point"),
    "places": (("osm_id", *PLACE_TAGS), "Point"),
    "admin": (("osm_id", "admin_level", *ADMIN_TAGS), "MultiPolygon"),
}
"""Attribute columns and geometry type of each layer returned by :func:`extract_corridor`."""

_NODE_KEYS = ("place", *CHECKPOINT_MATCH)
_WAY_KEYS = ("highway", "railway", *CHECKPOINT_MATCH, "maritime")


@dataclass
class _Spec:
    """What one scan keeps."""

    road_classes: frozenset[str] = frozenset(ROAD_CLASSES)
    rail_exclude: tuple[str, ...] = RAIL_EXCLUDE
    admin_levels: frozenset[int] = frozenset((2, 4, 6))
    admin_iso3: frozenset[str] | None = None  # only these countries (outlines)
    want_lines: bool = True  # roads, rail, checkpoints, places


@dataclass
class _Found:
    """Candidates collected by a scan, before the corridor test."""

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
    maritime_wkb: list[str] = field(default_factory=list)
    missing: int = 0


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
    """Read the roads, rail, checkpoints, places and admin areas of a corridor.

    Parameters
    ----------
    pbf_paths
        One or more ``.osm.pbf`` files (e.g. the Russian and the Kazakh extracts, which
        overlap at the border); objects present in several are kept once.
    corridor
        (Multi)Polygon in EPSG:4326: the widest buffer plus a margin. A way is kept whole
        when any of its nodes lies in it; admin areas are kept when they intersect it.
    include_paths
        Also keep ``highway`` in :data:`PATH_CLASSES`.
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
        Layers ``roads``, ``rail`` (LineString), ``checkpoints``, ``places`` (Point) and
        ``admin`` (MultiPolygon), all in EPSG:4326, with the columns of :data:`LAYERS`
        (then ``geometry``); empty layers keep their columns.

    Raises
    ------
    OsmDataError
        When an input is missing or not a readable PBF file.

    Examples
    --------
    >>> layers = extract_corridor([Path("russia.osm.pbf"), Path("kazakhstan.osm.pbf")],
    ...                           corridor=buffer)  # doctest: +SKIP
    >>> layers["roads"].highway.value_counts()  # doctest: +SKIP

    """
    corridor = _check_corridor(corridor)
    paths = _check_paths(pbf_paths)
    classes = set(ROAD_CLASSES) | (set(PATH_CLASSES) if include_paths else set())
    spec = _Spec(
        road_classes=frozenset(classes),
        rail_exclude=tuple(rail_exclude),
        admin_levels=frozenset(int(x) for x in admin_levels),
    )
    found = _run(paths, spec, engine=engine, corridor=corridor, storage=location_storage)
    layers = _build_layers(found, corridor)
    log.info(
        "corridor layers from %s: %s",
        ", ".join(p.name for p in paths),
        ", ".join(f"{k} {len(v)}" for k, v in layers.items()),
    )
    return layers


def build_countries_from_osm(
    pbf_paths: Sequence[Path],
    *,
    iso3: Sequence[str],
    maritime_clearance_m: float = 1000.0,
    engine: Engine = "auto",
    location_storage: str = "flex_mem",
) -> gpd.GeoDataFrame:
    """Build the land outlines of countries from their admin_level=2 relations.

    OSM country relations include the territorial sea: their ways at sea are tagged
    ``maritime=yes``. The polygons are assembled from all member ways (so the rings
    close) and then a band of ``maritime_clearance_m`` on each side of every maritime
    way, flat-ended, is cut out of them. Two neighbours that share a maritime boundary
    (Russia and Kazakhstan in the Caspian Sea) then lie ``2 * maritime_clearance_m``
    apart there, so :func:`borderzone.border.line.trace_border`, which matches outlines
    within ``snap_m``, finds only their land border; the land boundary itself is left
    untouched (flat ends stop the cut where the maritime way meets the land border).

    Parameters
    ----------
    pbf_paths
        ``.osm.pbf`` files holding the two countries' relations (one planet-level file,
        or one extract per country).
    iso3
        ISO 3166-1 alpha-3 codes, matched against the ``ISO3166-1:alpha3`` tag.
    maritime_clearance_m
        Half-width in metres of the band cut out along maritime boundary ways; must be
        more than half the ``snap_m`` of the border builder.
    engine, location_storage
        As for :func:`extract_corridor`.

    Returns
    -------
    geopandas.GeoDataFrame
        One MultiPolygon row per code in the order of ``iso3``, columns ``iso3`` and
        ``geometry``, EPSG:4326.

    Raises
    ------
    OsmDataError
        When a file is unreadable or a country has no complete relation in the files.

    """
    paths = _check_paths(pbf_paths)
    spec = _Spec(admin_levels=frozenset({2}), admin_iso3=frozenset(iso3), want_lines=False)
    found = _run(paths, spec, engine=engine, corridor=None, storage=location_storage)
    admin = _admin_layer(found, corridor=None)
    admin = admin[admin["ISO3166-1:alpha3"].isin(list(iso3))]
    missing = [c for c in iso3 if c not in set(admin["ISO3166-1:alpha3"])]
    if missing:
        raise OsmDataError(
            f"{', '.join(str(p) for p in paths)}: no complete admin_level=2 relation with "
            f"ISO3166-1:alpha3={'/'.join(missing)}"
        )
    geoms = admin.dissolve(by="ISO3166-1:alpha3").geometry
    maritime = shapely.from_wkb(np.array(found.maritime_wkb, dtype=object))
    rows = []
    for code in iso3:
        geom = geoms[code]
        cut = _maritime_band(geom, maritime, maritime_clearance_m)
        if cut is not None:
            geom = shapely.make_valid(shapely.difference(geom, cut))
            geom = shapely.multipolygons(
                shapely.get_parts(geom)[shapely.get_type_id(shapely.get_parts(geom)) == 3]
            )
        rows.append((code, geom))
    log.info(
        "outlines of %s from %s (%d maritime ways cut out)",
        ", ".join(iso3),
        ", ".join(p.name for p in paths),
        len(maritime),
    )
    return gpd.GeoDataFrame(rows, columns=["iso3", "geometry"], geometry="geometry", crs=WGS84)


# --------------------------------------------------------------------------------------
# inputs


def _check_paths(pbf_paths: Sequence[Path]) -> list[Path]:
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


def _osmium_binary(engine: Engine) -> str | None:
    if engine not in ("auto", "osmium-tool", "pyosmium"):
        raise BorderzoneError(f"engine {engine!r} is not one of auto, osmium-tool, pyosmium")
    if engine == "pyosmium":
        return None
    binary = shutil.which("osmium")
    if binary is None and engine == "osmium-tool":
        raise BorderzoneError("engine 'osmium-tool' asked for, but no osmium binary on PATH")
    return binary


def _unreadable(path: Path, exc: BaseException | str) -> OsmDataError:
    text = str(exc).strip().splitlines()
    reason = text[-1] if text else type(exc).__name__
    return OsmDataError(f"OSM file {path} is not a readable .osm.pbf: {reason}")


# --------------------------------------------------------------------------------------
# engines


def _run(
    paths: list[Path],
    spec: _Spec,
    *,
    engine: Engine,
    corridor: shapely.Geometry | None,
    storage: str,
) -> _Found:
    binary = _osmium_binary(engine)
    found = _Found()
    if binary is None:
        log.info("reading %d file(s) with pyosmium (engine 'pyosmium')", len(paths))
        for path in paths:
            _scan(path, spec, found, storage=storage)
        return found
    log.info("reading %d file(s) with osmium-tool %s then pyosmium", len(paths), binary)
    with tempfile.TemporaryDirectory(prefix="borderzone-osm-") as tmp:
        small = _prefilter(binary, paths, spec, corridor=corridor, tmp=Path(tmp))
        _scan(small, spec, found, storage="flex_mem", origin=paths)
    return found


def _osmium(binary: str, args: list[str], *, path: Path) -> None:
    cmd = [binary, *args]
    log.debug("running %s", " ".join(cmd))
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise _unreadable(path, res.stderr or f"osmium exited with {res.returncode}")


def _tag_expressions(spec: _Spec) -> list[str]:
    levels = ",".join(str(x) for x in sorted(spec.admin_levels))
    if not spec.want_lines:
        return [f"r/admin_level={levels}", "w/maritime"]
    return [
        "w/highway=" + ",".join(sorted(spec.road_classes)),
        "w/railway=" + ",".join(RAIL_CLASSES),
        *(f"nw/{k}={v}" if v is not None else f"nw/{k}" for k, v in CHECKPOINT_MATCH.items()),
        "n/place=" + ",".join(PLACE_CLASSES),
        f"r/admin_level={levels}",
    ]


def _prefilter(
    binary: str,
    paths: list[Path],
    spec: _Spec,
    *,
    corridor: shapely.Geometry | None,
    tmp: Path,
) -> Path:
    """Cut each input to the corridor and the tags wanted with osmium-tool; merge them."""
    poly = tmp / "corridor.geojson"
    if corridor is not None:
        poly.write_text(
            '{"type": "Feature", "properties": {}, "geometry": '
            + shapely.to_geojson(corridor)
            + "}"
        )
    outs = []
    for i, path in enumerate(paths):
        src = path
        if corridor is not None:
            src = tmp / f"{i}-extract.osm.pbf"
            _osmium(
                binary,
                ["extract", "--no-progress", "-O", "-s", "smart", "-S", "types=boundary"]
                + ["-p", str(poly), "-o", str(src), str(path)],
                path=path,
            )
        out = tmp / f"{i}-filtered.osm.pbf"
        _osmium(
            binary,
            ["tags-filter", "--no-progress", "-O", str(src), *_tag_expressions(spec)]
            + ["-o", str(out)],
            path=path,
        )
        outs.append(out)
        log.info(
            "osmium-tool cut %s (%.1f MB) to %.1f MB",
            path.name,
            path.stat().st_size / 1e6,
            out.stat().st_size / 1e6,
        )
    if len(outs) == 1:
        return outs[0]
    merged = tmp / "merged.osm.pbf"
    _osmium(
        binary,
        ["merge", "--no-progress", "-O", *map(str, outs), "-o", str(merged)],
        path=paths[0],
    )
    return merged


def _scan(
    path: Path,
    spec: _Spec,
    found: _Found,
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
    area_tags = TagFilter(("boundary", "administrative"))
    area_tags.enable_for(osmium.osm.AREA)
    relations = TagFilter(("boundary", "administrative"))
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
    want = spec.want_lines
    try:
        for obj in processor:
            tags = obj.tags
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
                if not (is_road or is_rail or is_cp):
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
        raise _unreadable(origin[0] if origin and len(origin) == 1 else path, exc) from exc
    if found.missing:
        log.info(
            "%s: %d objects have nodes missing from the file (partial geometry)",
            path,
            found.missing,
        )


def _partial_line(way) -> str | None:
    """Hex WKB of the part of a way whose nodes are in the file, or None (< 2 points)."""
    xy = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    xy = [p for i, p in enumerate(xy) if i == 0 or p != xy[i - 1]]
    if len(xy) < 2:
        return None
    return shapely.to_wkb(shapely.LineString(xy), hex=True)


# --------------------------------------------------------------------------------------
# layers


def _empty(name: str) -> gpd.GeoDataFrame:
    columns, _ = LAYERS[name]
    df = pd.DataFrame({c: pd.Series(dtype=_dtype(name, c)) for c in columns})
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def _dtype(name: str, column: str) -> str:
    if column in ("osm_id", "admin_level"):
        return "int64"
    if column == "population":
        return "float64"
    return "object"


def _frame(name: str, rows: list[tuple], geoms: np.ndarray) -> gpd.GeoDataFrame:
    if not rows:
        return _empty(name)
    columns, _ = LAYERS[name]
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


def _build_layers(found: _Found, corridor: shapely.Geometry) -> dict[str, gpd.GeoDataFrame]:
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, rows, wkb in (
        ("roads", found.roads, found.road_wkb),
        ("rail", found.rail, found.rail_wkb),
    ):
        lines, keep = _lines_in(wkb, corridor)
        layers[name] = _frame(name, [r for r, k in zip(rows, keep, strict=True) if k], lines[keep])
    # checkpoints: nodes, then ways as a representative point
    lines, keep = _lines_in(found.cp_wkb, corridor)
    way_points = shapely.point_on_surface(_as_areas(lines[keep]))
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
    layers["admin"] = _admin_layer(found, corridor=corridor)
    return layers


def _as_areas(lines: np.ndarray) -> np.ndarray:
    """Turn closed rings into polygons (for a point inside them); leave other lines."""
    out = lines.copy()
    if len(lines) == 0:
        return out
    closed = shapely.is_closed(lines) & (shapely.get_num_coordinates(lines) >= 4)
    coords, index = shapely.get_coordinates(lines[closed], return_index=True)
    out[closed] = shapely.polygons(shapely.linearrings(coords, indices=index))
    return out


def _admin_layer(found: _Found, *, corridor: shapely.Geometry | None) -> gpd.GeoDataFrame:
    if not found.admin:
        return _empty("admin")
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


def _maritime_band(
    outline: shapely.Geometry, maritime: np.ndarray, clearance_m: float
) -> shapely.Geometry | None:
    """Flat-ended band of ``clearance_m`` either side of the maritime ways near ``outline``."""
    if len(maritime) == 0 or clearance_m <= 0:
        return None
    near = maritime[shapely.intersects(shapely.buffer(outline, 0.1), maritime)]
    if len(near) == 0:
        return None
    x0, y0, x1, y1 = shapely.total_bounds(near)
    crs = fitted_crs(
        (max(x0 - 0.1, -180), max(y0 - 0.1, -90), min(x1 + 0.1, 180), min(y1 + 0.1, 90)),
        kind="conformal",
    )
    fwd = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    back = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    projected = shapely.transform(near, lambda xy: np.c_[fwd.transform(xy[:, 0], xy[:, 1])])
    band = shapely.union_all(shapely.buffer(projected, clearance_m, cap_style="flat"))
    return shapely.transform(band, lambda xy: np.c_[back.transform(xy[:, 0], xy[:, 1])])


def collect_overpass(parts: Sequence[dict[str, gpd.GeoDataFrame]]) -> dict[str, gpd.GeoDataFrame]:
    """Merge corridor layers read in chunks, keeping one row per OSM object.

    Chunks overlap, so an object may come several times: the row with the most vertices
    is kept (a way cut at a chunk's edge by the source has fewer).
    """
    out = {}
    for name in LAYERS:
        frames = [p[name] for p in parts if name in p and len(p[name])]
        if not frames:
            out[name] = _empty(name)
            continue
        data = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
        keys = ["osm_type", "osm_id"] if "osm_type" in data.columns else ["osm_id"]
        data["_n"] = shapely.get_num_coordinates(data.geometry.values)
        data = data.sort_values([*keys, "_n"], ascending=[True] * len(keys) + [False])
        out[name] = data.drop_duplicates(keys).drop(columns="_n").reset_index(drop=True)
    return out
