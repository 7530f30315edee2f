"""Roads, rail, checkpoints, places and waterways of one corridor chunk from the Overpass API.

A small client of its own, on ``requests``: one Overpass QL query per chunk, posted to
``{url}/interpreter``, asks for the elements of every layer in the chunk polygon with
``out body; >; out skel qt;`` (the matches with their tags, then the nodes and ways they
reference); :func:`borderzone.osm.elements.layers_from_elements` builds the layers from the
reply with the rules of the PBF reader. The client is ours rather than a general OSM
library's because what the workflow needs of one is small and must be exact:

- the raw reply is checked before anything is kept: a reply that is truncated, not JSON,
  has no ``elements`` list, or carries an Overpass ``remark`` (a timeout or out of memory
  on the server, which means a partial answer) raises :class:`OverpassError`;
- no settings live in module globals, so calls share no state;
- waits and retries are bounded.

Politeness to the public servers: before the query the client asks ``{url}/status`` when
a slot is free and waits for it (``Slot available after: ..., in N seconds.``; no wait
when a slot is free now, or when the server has no such page). A 429 or 504 reply is
retried up to ``retries`` times (urllib3 ``Retry``): after the time its ``Retry-After``
header asks for, else after ``backoff_s``, doubling with each further retry (at most
120 s). Other HTTP errors, broken connections and timeouts fail at once.

Cache: every good reply is kept as JSON (the reply as the server sent it) in
``cache_dir/<sha1>.json``, the SHA-1 of the endpoint and the query text, written under a
temporary name and renamed, so a repeated call with the same polygon, URL and timeout makes
no request. A cache file that does not parse is ignored (and replaced by the next good
reply). Delete the folder (``data/overpass-cache`` in the workflow) to fetch afresh.
"""

import hashlib
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import requests
import shapely
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from borderzone.download import USER_AGENT, one_line
from borderzone.errors import InputDataError, OverpassError
from borderzone.osm.elements import layers_from_elements
from borderzone.osm.schema import (
    CHECKPOINT_MATCH,
    PLACE_CLASSES,
    RAIL_CLASSES,
    ROAD_CLASSES,
    WATER_AREA_MATCH,
    WATERWAY_CLASSES,
)

log = logging.getLogger(__name__)

OVERPASS_URL = "https://overpass-api.de/api"

RETRY_STATUS = frozenset({429, 504})
"""Replies of a busy server, retried after a pause."""

_SLOT_FREE = re.compile(r"^\d+ slots? available now", re.MULTILINE)
_SLOT_AFTER = re.compile(r"^Slot available after: \S+ in (-?\d+) seconds?\.", re.MULTILINE)


class _Backoff(Retry):
    """urllib3 ``Retry`` whose first retry waits too (urllib3 retries at once)."""

    def get_backoff_time(self) -> float:
        """Wait ``backoff_factor`` before the first retry, doubling after each one."""
        done = len(self.history)
        if done == 0:
            return 0.0
        return min(self.backoff_max, self.backoff_factor * 2 ** (done - 1))


def retrieve_overpass_chunk(
    polygon: shapely.Polygon | shapely.MultiPolygon,
    *,
    url: str = OVERPASS_URL,
    cache_dir: Path,
    timeout_s: int = 180,
    retries: int = 5,
    backoff_s: float = 15.0,
) -> dict[str, gpd.GeoDataFrame]:
    """Fetch the OSM roads, rail, checkpoints, places and waterways inside one corridor chunk.

    Parameters
    ----------
    polygon
        The chunk, in lon/lat degrees (EPSG:4326). The query holds its outline (holes
        ignored) once per tag filter: keep its vertex count modest.
    url
        Overpass API base URL, without ``/interpreter``.
    cache_dir
        Folder of the reply cache (see the module documentation); a second call with the
        same polygon, URL and timeout is answered from it without any request.
    timeout_s
        Server-side query timeout (``[timeout:...]``) and HTTP timeout, in seconds.
    retries
        Retries of a 429 or 504 reply.
    backoff_s
        Wait before the first retry of a reply without ``Retry-After``, in seconds.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``roads``, ``rail``, ``checkpoints``, ``places`` and ``waterways`` with the columns
        of :data:`borderzone.osm.schema.LAYER_COLUMNS` then ``geometry``, in EPSG:4326. Missing
        tags are None; ``osm_id`` is int64 and ``population`` float64. Empty layers keep
        their columns.

    Raises
    ------
    OverpassError
        When the server's reply is truncated, invalid or partial, or an HTTP error persists;
        nothing is cached then.

    """
    _check_polygon(polygon)
    endpoint = f"{url.rstrip('/')}/interpreter"
    query = overpass_query(polygon, timeout_s=timeout_s)
    key = hashlib.sha1(f"{endpoint}\n{query}".encode()).hexdigest()
    cache = Path(cache_dir) / f"{key}.json"
    reply = _read_cache(cache)
    cached = reply is not None
    if cached:
        log.info("chunk %s answered from the cache %s", _bounds(polygon), cache)
    else:
        log.info("querying %s for the chunk with bounds %s", endpoint, _bounds(polygon))
        reply = _post(endpoint, query, timeout_s=timeout_s, retries=retries, backoff_s=backoff_s)
    try:
        layers = layers_from_elements(reply["elements"], polygon=polygon)
    except (KeyError, TypeError, ValueError) as exc:
        raise OverpassError(
            f"{endpoint}: malformed element in the reply: {type(exc).__name__}: {one_line(exc)}"
        ) from exc
    if not cached:
        _write_cache(cache, reply)
    log.info(
        "chunk %s: %s", _bounds(polygon), ", ".join(f"{k} {len(v)}" for k, v in layers.items())
    )
    return layers


def overpass_query(polygon: shapely.Polygon | shapely.MultiPolygon, *, timeout_s: int) -> str:
    """Write the Overpass QL query for every layer's elements inside ``polygon``.

    Roads, rail and waterway lines are ways, places nodes, checkpoints any element, river
    areas ways and relations; one filter per tag rule of :mod:`borderzone.osm.schema` and
    per part of ``polygon`` (its outline, with coordinates rounded to 6 decimals).

    Examples
    --------
    >>> lines = overpass_query(shapely.box(61, 51, 61.1, 51.1), timeout_s=60).splitlines()
    >>> lines[0], lines[-3:]
    ('[out:json][timeout:60];', ['out body;', '>;', 'out skel qt;'])
    >>> lines[3][:60]
    'way["railway"~"^(rail|narrow_gauge|light_rail)$"](poly:"51.0'

    """
    filters = [
        f'way["highway"~"^({"|".join(ROAD_CLASSES)})$"]',
        f'way["railway"~"^({"|".join(RAIL_CLASSES)})$"]',
        *(
            f'nwr["{key}"]' if value is None else f'nwr["{key}"="{value}"]'
            for key, value in CHECKPOINT_MATCH.items()
        ),
        f'node["place"~"^({"|".join(PLACE_CLASSES)})$"]',
        f'way["waterway"~"^({"|".join(WATERWAY_CLASSES)})$"]',
        *(
            "wr" + "".join(f'["{key}"="{value}"]' for key, value in match.items())
            for match in WATER_AREA_MATCH
        ),
    ]
    statements = []
    for part in shapely.get_parts(polygon):
        x, y = part.exterior.xy
        poly = " ".join(f"{lat:.6f} {lon:.6f}" for lon, lat in zip(x, y, strict=True))
        statements += [f'{f}(poly:"{poly}");' for f in filters]
    body = "\n".join(statements)
    return f"[out:json][timeout:{int(timeout_s)}];\n(\n{body}\n);\nout body;\n>;\nout skel qt;"


def slot_wait_s(status: str) -> float:
    r"""Read the seconds to wait for a free query slot from the text of ``{url}/status``.

    Zero when a slot is free now or the text says nothing of slots; else the nearest
    ``Slot available after: ..., in N seconds.`` (at least 1 s).

    Examples
    --------
    >>> slot_wait_s("Rate limit: 2\n2 slots available now.\n")
    0.0
    >>> slot_wait_s("Slot available after: 2025-07-01T12:00:09Z, in 9 seconds.\n")
    9.0

    """
    if _SLOT_FREE.search(status):
        return 0.0
    waits = [int(s) for s in _SLOT_AFTER.findall(status)]
    return float(max(min(waits), 1)) if waits else 0.0


def _post(
    endpoint: str, query: str, *, timeout_s: int, retries: int, backoff_s: float
) -> dict[str, Any]:
    """Wait for a slot, post the query (retrying busy replies) and check the reply."""
    retry = _Backoff(
        total=retries,
        connect=0,
        read=0,
        other=0,
        status=retries,
        status_forcelist=RETRY_STATUS,
        allowed_methods=frozenset({"POST"}),
        backoff_factor=backoff_s,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    with requests.Session() as session:
        session.headers["User-Agent"] = USER_AGENT
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        wait = _slot_wait(session, endpoint.removesuffix("/interpreter"), timeout_s=timeout_s)
        log.info("pausing %.0f s before querying %s", wait, endpoint)
        time.sleep(wait)
        try:
            response = session.post(endpoint, data={"data": query}, timeout=timeout_s)
            text = response.text
        except requests.RequestException as exc:
            raise OverpassError(f"{endpoint}: {type(exc).__name__}: {one_line(exc, 200)}") from exc
    if not response.ok:
        raise OverpassError(
            f"{endpoint}: HTTP {response.status_code} {response.reason}: {one_line(text, 200)}"
        )
    try:
        reply = json.loads(text)
    except ValueError as exc:
        raise OverpassError(f"{endpoint}: reply is not JSON: {one_line(text, 200)}") from exc
    if isinstance(reply, dict) and "remark" in reply:
        raise OverpassError(
            f"{endpoint}: partial answer, the server remarked: {one_line(reply['remark'], 200)}"
        )
    if not (isinstance(reply, dict) and isinstance(reply.get("elements"), list)):
        raise OverpassError(f"{endpoint}: reply holds no 'elements' list: {one_line(text, 200)}")
    return reply


def _slot_wait(session: requests.Session, base: str, *, timeout_s: float) -> float:
    """Seconds until a query slot is free at ``{base}/status`` (0 if it cannot be told)."""
    try:
        response = session.get(f"{base}/status", timeout=timeout_s)
    except requests.RequestException as exc:
        log.warning("%s/status: %s; not waiting for a slot", base, one_line(exc, 200))
        return 0.0
    return slot_wait_s(response.text) if response.ok else 0.0


def _read_cache(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        reply = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring the unreadable cache file %s: %s", path, one_line(exc, 200))
        return None
    if not (isinstance(reply, dict) and isinstance(reply.get("elements"), list)):
        log.warning("ignoring the cache file %s: no 'elements' list", path)
        return None
    return reply


def _write_cache(path: Path, reply: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(reply, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


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
