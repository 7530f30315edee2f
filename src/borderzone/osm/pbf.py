"""Stream the layers of a border corridor out of OpenStreetMap ``.osm.pbf`` files.

A national extract (Russia: ~3.5 GB, ~500 M nodes) is far larger than the corridor along
one border, which holds a few per cent of it. Nothing here builds geometries for the
whole file or loads its nodes into Python objects. Two engines give the same layers:

``"osmium-tool"`` (chosen by ``engine="auto"`` when the ``osmium`` binary is on ``PATH``)
    :func:`borderzone.osm.prefilter.prefilter` cuts each input to the corridor and the tags
    wanted (roads, rail, checkpoints, places, waterways, administrative relations) and
    merges them;
    pyosmium then reads the small result (184 MB of the 3 GB bench world) with node
    locations in memory. The workflow runs the two halves as two rules:
    :func:`cut_corridor` writes the cut to a file, which ``extract_corridor(cut=...)``
    reads.

``"pyosmium"`` (the fallback, without the binary)
    pyosmium reads each input once with node locations kept in a C++ index
    (``flex_mem``), C++ tag filters in front of Python, so only candidate objects reach
    Python. It needs no external program but holds a location for every node of the file:
    fine for regional extracts, several GB for a national one (``location_storage`` takes
    a disk-backed index such as ``"sparse_file_array,/tmp/nodes.idx"`` instead).

Both engines then read with the same scan (:func:`read_candidates`, the reader itself in
:mod:`borderzone.osm.scan`): each candidate way becomes a WKB linestring (built in C++ by
pyosmium), and the corridor test and all geometries are vectorised with shapely 2 over the
coordinate arrays. Multipolygons of relations are assembled by libosmium, for admin areas
and for river areas (closed ways too). ``threads`` sizes the thread pools of osmium-tool and
pyosmium, which decode the files.

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
import shutil
import tempfile
from collections.abc import Sequence
from itertools import compress
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crs import WGS84
from borderzone.errors import BorderzoneError, OsmDataError
from borderzone.io import replacing
from borderzone.osm.prefilter import (
    Engine,
    nothing_in_corridor,
    osmium_binary,
    prefilter,
)
from borderzone.osm.scan import Candidates, ScanSpec, scan_pbf
from borderzone.osm.schema import (
    CHECKPOINT_MATCH,
    LAYER_COLUMNS,
    PATH_CLASSES,
    PLACE_CLASSES,
    RAIL_CLASSES,
    RAIL_EXCLUDE,
    ROAD_CLASSES,
    WATER_AREA_MATCH,
    WATERWAY_CLASSES,
    empty_layer,
    parse_population,
    representative_points,
)

log = logging.getLogger(__name__)

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
    threads: int | None = None,
    cut: Path | None = None,
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
    threads
        Threads that decode the files, in osmium-tool and pyosmium (their thread pools);
        None leaves their default (the number of cores minus two, at least one).
    cut
        The files already cut by :func:`cut_corridor` with the same corridor and options:
        read with pyosmium instead of cutting them again (``engine`` unused).

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
    spec = _scan_spec(include_paths, rail_exclude, admin_levels)
    if cut is not None:
        log.info("reading %s, the osmium-tool cut of %d file(s), with pyosmium", cut, len(paths))
        found = Candidates()
        scan_pbf(Path(cut), spec, found, storage="flex_mem", origin=paths, threads=threads)
    else:
        found = read_candidates(
            paths, spec, engine=engine, corridor=corridor, storage=location_storage, threads=threads
        )
    layers = _build_layers(found, corridor)
    log.info(
        "corridor layers from %s: %s",
        ", ".join(p.name for p in paths),
        ", ".join(f"{k} {len(v)}" for k, v in layers.items()),
    )
    if not any(len(layers[name]) for name in ("roads", "rail", "places")):
        raise nothing_in_corridor(paths, corridor)
    return layers


def cut_corridor(
    pbf_paths: Sequence[Path],
    out: Path,
    *,
    corridor: shapely.Geometry,
    include_paths: bool = False,
    rail_exclude: Sequence[str] = RAIL_EXCLUDE,
    admin_levels: Sequence[int] = (2, 4, 6),
    threads: int | None = None,
) -> None:
    """Cut the files to the corridor and the tags of its layers with osmium-tool, into ``out``.

    The osmium-tool half of :func:`extract_corridor`, as a file of its own (an uncompressed
    PBF, written whole or not at all): rule ``cut_corridor`` runs it on both cores, then
    rule ``extract_corridor`` reads the file (``cut``) with pyosmium on one core while the
    other runs jobs that need no OSM layer (the zones, the sources' checksums).
    The parameters are those of :func:`extract_corridor`.

    Raises
    ------
    BorderzoneError
        When no ``osmium`` binary is on ``PATH``.
    OsmDataError
        When an input is missing or not a readable PBF file.
    """
    corridor = _check_corridor(corridor)
    paths = check_pbf_paths(pbf_paths)
    spec = _scan_spec(include_paths, rail_exclude, admin_levels)
    binary = osmium_binary("osmium-tool")
    with replacing(out) as written:
        _cut(binary, paths, spec, corridor=corridor, out=written, threads=threads)


def _cut(
    binary: str,
    paths: list[Path],
    spec: ScanSpec,
    *,
    corridor: shapely.Geometry | None,
    out: Path,
    threads: int | None,
) -> None:
    """Write osmium-tool's cut of ``paths`` to the corridor and ``spec``'s tags to ``out``."""
    with tempfile.TemporaryDirectory(prefix="borderzone-osm-") as tmp:
        small = prefilter(
            binary,
            paths,
            tag_filters=_tag_expressions(spec),
            corridor=corridor,
            tmp=Path(tmp),
            threads=threads,
        )
        shutil.move(small, out)  # a copy when the temporary folder is on another disk


def _scan_spec(
    include_paths: bool, rail_exclude: Sequence[str], admin_levels: Sequence[int]
) -> ScanSpec:
    classes = set(ROAD_CLASSES) | (set(PATH_CLASSES) if include_paths else set())
    return ScanSpec(
        road_classes=frozenset(classes),
        rail_exclude=tuple(rail_exclude),
        admin_levels=frozenset(int(x) for x in admin_levels),
    )


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
    threads: int | None = None,
) -> Candidates:
    """Scan the files with ``engine`` and collect what ``spec`` asks for.

    ``corridor`` (EPSG:4326) lets osmium-tool cut the files first; None reads them whole.
    The corridor test itself is left to the caller. ``threads`` sizes the thread pools of
    osmium-tool and pyosmium (None: their default).
    """
    binary = osmium_binary(engine)
    found = Candidates()
    if binary is None:
        log.info("reading %d file(s) with pyosmium (engine 'pyosmium')", len(paths))
        for path in paths:
            scan_pbf(path, spec, found, storage=storage, threads=threads)
        return found
    log.info("reading %d file(s) with osmium-tool %s then pyosmium", len(paths), binary)
    with tempfile.TemporaryDirectory(prefix="borderzone-osm-") as tmp:
        small = Path(tmp) / "cut.osm.pbf"
        _cut(binary, paths, spec, corridor=corridor, out=small, threads=threads)
        scan_pbf(small, spec, found, storage="flex_mem", origin=paths, threads=threads)
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


def _lines_in(wkb: list[bytes], corridor: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Lines from WKB, and which have a vertex in the corridor (vectorised).

    The first vertex of every line is tested, then all the vertices of the lines whose
    first one is outside: most lines of a cut lie inside, so few vertices are tested.
    """
    lines = shapely.from_wkb(np.array(wkb, dtype=object))
    if len(lines) == 0:
        return lines, np.zeros(0, dtype=bool)
    keep = shapely.get_num_coordinates(lines) > 0
    keep[keep] = _contains(corridor, shapely.get_coordinates(shapely.get_point(lines[keep], 0)))
    rest = np.flatnonzero(~keep)
    coords, index = shapely.get_coordinates(lines[rest], return_index=True)
    keep[rest[np.unique(index[_contains(corridor, coords)])]] = True
    return lines, keep


def _contains(corridor: shapely.Geometry, xy: np.ndarray) -> np.ndarray:
    """Which points (an (n, 2) array) lie in the corridor; its box is tested first."""
    x0, y0, x1, y1 = corridor.bounds
    inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    inside[inside] = shapely.contains_xy(corridor, xy[inside, 0], xy[inside, 1])
    return inside


def _build_layers(found: Candidates, corridor: shapely.Geometry) -> dict[str, gpd.GeoDataFrame]:
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, rows, wkb in (
        ("roads", found.roads, found.road_wkb),
        ("rail", found.rail, found.rail_wkb),
    ):
        lines, keep = _lines_in(wkb, corridor)
        layers[name] = _frame(name, list(compress(rows, keep)), lines[keep])
    # checkpoints: nodes, then ways as a representative point
    lines, keep = _lines_in(found.cp_wkb, corridor)
    way_points = representative_points(lines[keep])
    xy = np.array(found.cp_xy, dtype=float).reshape(-1, 2)
    node_in = shapely.contains_xy(corridor, xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, bool)
    rows = list(compress(found.cp_nodes, node_in))
    rows += list(compress(found.cp_rows, keep))
    points = np.concatenate([shapely.points(xy[node_in]), way_points])
    layers["checkpoints"] = _frame("checkpoints", rows, points)
    xy = np.array(found.place_xy, dtype=float).reshape(-1, 2)
    inside = shapely.contains_xy(corridor, xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, bool)
    places = _frame(
        "places",
        list(compress(found.places, inside)),
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
    rows = list(compress(found.water_lines, keep))
    areas = shapely.from_wkb(np.array(found.water_area_wkb, dtype=object))
    inside = shapely.intersects(corridor, areas) if len(areas) else np.zeros(0, bool)
    rows += list(compress(found.water_areas, inside))
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
    rows = list(compress(found.admin, keep))
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
