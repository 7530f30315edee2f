"""Roads, rail, checkpoints and places of one corridor chunk from the Overpass API.

The query goes through :func:`osmnx.features_from_polygon`, which brings osmnx's handling of
the public servers: it asks ``{url}/status`` how long to wait for a free slot before each
query, sleeps 55 s then asks again after a 429 or 504 reply, splits polygons larger than
``osmnx.settings.max_query_area_size`` into several queries, and caches each good reply as
JSON in the cache folder (keyed by the SHA-1 of the query URL), so a repeated call makes no
request. Replies that cannot be trusted (truncated, not JSON, no ``elements``, or carrying
an Overpass ``remark`` such as a timeout, which would mean a partial answer) raise
:class:`OverpassError` before osmnx caches them.

The layers returned have the columns of :mod:`borderzone.osm.schema`, like those of the PBF
reader.
"""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmnx as ox
import pandas as pd
import pyproj
import requests
import shapely
from osmnx import _http
from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

from borderzone.border.segments import cut_segments
from borderzone.crs import WGS84, densify_lonlat, local_aeqd
from borderzone.errors import InputDataError, OverpassError
from borderzone.osm.schema import (
    CHECKPOINT_MATCH,
    LAYER_COLUMNS,
    PLACE_CLASSES,
    RAIL_CLASSES,
    ROAD_CLASSES,
    build_layer,
)

log = logging.getLogger(__name__)

OVERPASS_URL = "https://overpass-api.de/api"

QUERY_TAGS: dict[str, bool | str | list[str]] = {
    "highway": list(ROAD_CLASSES),
    "railway": [*RAIL_CLASSES, "border"],
    "barrier": "border_control",
    "government": "border_control",
    "border_control": True,
    "place": list(PLACE_CLASSES),
}
"""One Overpass query per chunk fetches every layer: the union of these tag filters."""

_NO_FEATURES = "No matching features"  # start of osmnx's message for an empty result


def retrieve_overpass_chunk(
    polygon: shapely.Polygon | shapely.MultiPolygon,
    *,
    url: str = OVERPASS_URL,
    cache_dir: Path,
    timeout_s: int = 180,
) -> dict[str, gpd.GeoDataFrame]:
    """Fetch the OSM roads, rail, checkpoints and places inside one chunk of the corridor.

    Parameters
    ----------
    polygon
        The chunk, in lon/lat degrees (EPSG:4326). Keep its vertex count modest: osmnx
        repeats the polygon in the query once per tag value.
    url
        Overpass API base URL, without ``/interpreter``.
    cache_dir
        osmnx's response cache; a second call with the same polygon, URL and timeout is
        answered from it without any request.
    timeout_s
        Server-side query timeout (``[timeout:...]``) and HTTP timeout, in seconds.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``roads``, ``rail``, ``checkpoints`` and ``places`` with the columns of
        :data:`borderzone.osm.schema.LAYER_COLUMNS` then ``geometry``, in EPSG:4326. Missing
        tags are None; ``osm_id`` is int64 and ``population`` float64. Empty layers keep
        their columns.

    Raises
    ------
    OverpassError
        When the server's reply is truncated, invalid or partial, or an HTTP error persists;
        nothing is cached then.

    Notes
    -----
    osmnx keeps its settings in module globals: this function sets them for the call and
    restores them after, so calls must not run concurrently in threads of one process
    (Snakemake jobs are separate processes). osmnx retries 429 and 504 replies without
    limit, 55 s apart.

    """
    _check_polygon(polygon)
    endpoint = f"{url.rstrip('/')}/interpreter"
    log.info("querying %s for the chunk with bounds %s", endpoint, _bounds(polygon))
    with _osmnx_settings(url=url, cache_dir=Path(cache_dir), timeout_s=timeout_s):
        with _checked_replies(endpoint):
            try:
                features = ox.features_from_polygon(polygon, tags=QUERY_TAGS)
            except InsufficientResponseError as exc:
                if not str(exc).startswith(_NO_FEATURES):
                    raise OverpassError(f"{endpoint}: {_one_line(exc)}") from exc
                features = None
            except ResponseStatusCodeError as exc:
                raise OverpassError(f"{endpoint}: {_one_line(exc)}") from exc
            except requests.RequestException as exc:
                raise OverpassError(f"{endpoint}: {type(exc).__name__}: {_one_line(exc)}") from exc
    layers = split_features(features)
    log.info(
        "chunk %s: %s", _bounds(polygon), ", ".join(f"{k} {len(v)}" for k, v in layers.items())
    )
    return layers


def split_features(features: gpd.GeoDataFrame | None) -> dict[str, gpd.GeoDataFrame]:
    """Split osmnx features (indexed by element type and id) into the four layers.

    Parameters
    ----------
    features
        What :func:`osmnx.features_from_polygon` returns, or None for no features.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        As :func:`retrieve_overpass_chunk`.

    """
    if features is None or features.empty:
        empty = pd.DataFrame({"osm_id": pd.Series([], dtype="int64")})
        return {name: build_layer(name, empty, []) for name in LAYER_COLUMNS}
    df = pd.DataFrame(features.reset_index()).rename(columns={"id": "osm_id"})
    df["osm_type"] = df["element"]
    df["geometry"] = features.geometry.to_numpy()
    element = df["element"]

    def tag(key: str) -> pd.Series:
        return df[key] if key in df else pd.Series(None, index=df.index, dtype=object)

    is_way = element.eq("way").to_numpy()
    roads = is_way & tag("highway").isin(ROAD_CLASSES).to_numpy()
    rail = is_way & tag("railway").isin(RAIL_CLASSES).to_numpy()
    checkpoints = np.zeros(len(df), dtype=bool)
    for key, value in CHECKPOINT_MATCH.items():
        column = tag(key)
        checkpoints |= (column.notna() if value is None else column.eq(value)).to_numpy()
    places = element.eq("node").to_numpy() & tag("place").isin(PLACE_CLASSES).to_numpy()

    geometry = df["geometry"].to_numpy()
    lines = _as_lines(geometry)
    not_lines = (roads | rail) & (shapely.get_type_id(lines) != 1)
    if not_lines.any():
        log.warning(
            "dropping %d ways whose geometry is not a line after osmnx's repair: way ids %s",
            not_lines.sum(),
            ", ".join(map(str, df["osm_id"][not_lines].head(10))),
        )
        roads &= ~not_lines
        rail &= ~not_lines
    points = np.where(
        shapely.get_type_id(geometry) == 0, geometry, shapely.point_on_surface(geometry)
    )
    return {
        "roads": build_layer("roads", df[roads], lines[roads]),
        "rail": build_layer("rail", df[rail], lines[rail]),
        "checkpoints": build_layer("checkpoints", df[checkpoints], points[checkpoints]),
        "places": build_layer("places", df[places], geometry[places]),
    }


def _as_lines(geometry: np.ndarray) -> np.ndarray:
    """Turn the closed ways that osmnx made Polygons back into LineStrings (their ring)."""
    out = geometry.copy()
    polygons = np.flatnonzero(shapely.get_type_id(geometry) == 3)
    if len(polygons):
        rings = shapely.get_exterior_ring(geometry[polygons])
        coords, which = shapely.get_coordinates(rings, return_index=True)
        out[polygons] = shapely.linestrings(coords, indices=which)
    return out


@contextmanager
def _osmnx_settings(*, url: str, cache_dir: Path, timeout_s: int) -> Iterator[None]:
    """Set osmnx's global settings for one query and put the previous ones back after."""
    wanted = {
        "overpass_url": url.rstrip("/"),
        "cache_folder": cache_dir,
        "use_cache": True,
        "cache_only_mode": False,
        "requests_timeout": int(timeout_s),
    }
    previous = {key: getattr(ox.settings, key) for key in wanted}
    for key, value in wanted.items():
        setattr(ox.settings, key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            setattr(ox.settings, key, value)


@contextmanager
def _checked_replies(endpoint: str) -> Iterator[None]:
    """Reject a reply without ``elements`` or with a ``remark`` before osmnx caches it.

    osmnx parses every reply through ``osmnx._http._parse_response`` before it saves it to
    its cache; checking there keeps partial answers (a ``remark`` reports a timeout or out
    of memory on the server) and malformed ones out of the cache.
    """
    parse = _http._parse_response

    def checked(response: requests.Response) -> Any:
        reply = parse(response)
        if isinstance(reply, dict) and "remark" in reply:
            raise OverpassError(
                f"{endpoint}: partial answer, the server remarked: {_one_line(reply['remark'])}"
            )
        if response.ok and not (
            isinstance(reply, dict) and isinstance(reply.get("elements"), list)
        ):
            raise OverpassError(f"{endpoint}: reply holds no 'elements' list: {_one_line(reply)}")
        return reply

    _http._parse_response = checked
    try:
        yield
    finally:
        _http._parse_response = parse


def _check_polygon(polygon: Any) -> None:
    if not isinstance(polygon, shapely.Polygon | shapely.MultiPolygon):
        raise InputDataError(f"an Overpass chunk must be a (Multi)Polygon, not {type(polygon)}")
    if polygon.is_empty or not polygon.is_valid:
        raise InputDataError(f"the Overpass chunk {_bounds(polygon)} is empty or invalid")
    minx, miny, maxx, maxy = polygon.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputDataError(f"the Overpass chunk {_bounds(polygon)} is not in lon/lat degrees")


def _bounds(polygon: shapely.Geometry) -> str:
    if polygon.is_empty:
        return "(empty)"
    return "(" + ", ".join(f"{v:.3f}" for v in polygon.bounds) + ")"


def _one_line(value: object, limit: int = 200) -> str:
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def build_overpass_chunks(
    border: shapely.LineString, *, width_km: float, chunk_km: float, simplify_m: float = 1000.0
) -> gpd.GeoDataFrame:
    """Cut the corridor into polygons of few vertices, one per Overpass job.

    Each chunk covers ``chunk_km`` of border and everything within ``width_km`` of it,
    buffered in an azimuthal equidistant projection centred on the chunk. The polygon is
    grown by ``simplify_m`` and then simplified by as much, so that it still covers the
    whole zone while keeping the Overpass query short.

    Returns
    -------
    geopandas.GeoDataFrame
        ``chunk`` (0, 1, ...), ``from_km``, ``to_km``, in EPSG:4326.
    """
    pieces = cut_segments(densify_lonlat(border), segment_km=chunk_km)
    polygons = []
    for geom in pieces.geometry:
        x0, y0, x1, y1 = geom.bounds
        aeqd = local_aeqd((x0 + x1) / 2, (y0 + y1) / 2)
        fwd = pyproj.Transformer.from_crs(WGS84, aeqd, always_xy=True).transform
        inv = pyproj.Transformer.from_crs(aeqd, WGS84, always_xy=True).transform
        local = shapely.transform(geom, fwd, interleaved=False)
        zone = shapely.buffer(local, width_km * 1000 + simplify_m, quad_segs=8)
        zone = shapely.segmentize(shapely.simplify(zone, simplify_m), 5000)
        polygons.append(shapely.transform(zone, inv, interleaved=False))
    return gpd.GeoDataFrame(
        {
            "chunk": np.arange(len(pieces)),
            "from_km": pieces["from_km"].to_numpy(),
            "to_km": pieces["to_km"].to_numpy(),
        },
        geometry=polygons,
        crs=WGS84,
    )
