"""retrieve_overpass_chunk against a local server speaking the Overpass API (JSON and /status)."""

import json
import math
import re
import time
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest
import shapely
from osm_helpers import overpass_world as world
from servers import LocalServer, Reply, Request, overpass_json, status_text

from borderzone.errors import DownloadError, InputDataError, OverpassError
from borderzone.osm import overpass
from borderzone.osm.overpass import overpass_query, retrieve_overpass_chunk, slot_wait_s
from borderzone.osm.schema import LAYER_COLUMNS, ROAD_CLASSES

CHUNK = shapely.box(61.0, 51.0, 61.2, 51.1)
LAYERS = [name for name in LAYER_COLUMNS if name != "admin"]  # Overpass gives no admin areas
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def server() -> LocalServer:
    with LocalServer() as server:
        server.route("GET", "/api/status", default=lambda r: Reply(body=status_text()))
        yield server


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the client's pauses (its own and urllib3's retries) instead of waiting them out."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


def fetch(server: LocalServer, cache: Path, **options) -> dict:
    return retrieve_overpass_chunk(
        CHUNK, url=server.url + "/api", cache_dir=cache, timeout_s=10, **options
    )


def posts(server: LocalServer) -> list[Request]:
    return [r for r in server.requests if r.method == "POST"]


def test_layers_and_columns(server: LocalServer, tmp_path: Path, sleeps: list) -> None:
    server.route(
        "POST", "/api/interpreter", default=Reply(body=overpass_json(world()), headers=JSON)
    )
    module_state = dict(vars(overpass))
    layers = fetch(server, tmp_path)

    assert set(layers) == set(LAYERS)
    for name, gdf in layers.items():
        assert list(gdf.columns) == [*LAYER_COLUMNS[name], "geometry"]
        assert gdf.crs.to_epsg() == 4326
        assert gdf["osm_id"].dtype == "int64"

    roads = layers["roads"].set_index("osm_id")
    assert sorted(roads.index) == [100, 101, 102, 103]
    assert set(roads.geom_type) == {"LineString"}  # the closed area=yes way is a ring
    assert roads.geometry[103].is_ring
    assert roads.loc[100, "name:kk"] == "Жол" and roads.loc[100, "lanes"] == "2"
    assert roads.loc[101, "tracktype"] == "grade3" and roads.loc[101, "bridge"] == "yes"
    assert roads.loc[102, "surface"] is None

    rail = layers["rail"].set_index("osm_id")
    assert sorted(rail.index) == [200, 201]
    assert rail.loc[200, "gauge"] == "1520" and rail.loc[201, "name"] == "УЖД"
    assert set(rail.geom_type) == {"LineString"}

    checkpoints = layers["checkpoints"].set_index("osm_id")
    assert sorted(checkpoints.index) == [30, 31, 32, 300]
    assert set(checkpoints.geom_type) == {"Point"}
    assert checkpoints.loc[300, "osm_type"] == "way" and checkpoints.loc[30, "osm_type"] == "node"
    assert checkpoints.loc[300, "government"] == "border_control"
    assert shapely.box(61.1, 51.06, 61.11, 51.07).contains(checkpoints.geometry[300])
    assert checkpoints.loc[32, "border_control"] == "customs"

    places = layers["places"].set_index("osm_id")
    assert sorted(places.index) == [40, 41, 42]
    assert places["population"].dtype == "float64"
    assert places.loc[40, "population"] == 12345
    assert math.isnan(places.loc[41, "population"]) and math.isnan(places.loc[42, "population"])

    # what the client asked: one status check, one POST of an Overpass QL query in JSON
    assert [r.path for r in server.requests] == ["/api/status", "/api/interpreter"]
    query = parse_qs(posts(server)[0].body.decode())["data"][0]
    assert query.startswith("[out:json][timeout:10]")
    highway = re.search(r'way\["highway"~"\^\(([^)]*)\)\$"\]', query)
    assert highway is not None and highway.group(1).split("|") == list(ROAD_CLASSES)
    assert "motorway_link" in highway.group(1).split("|")
    assert "poly:" in query
    assert query.endswith("out body;\n>;\nout skel qt;")
    assert sleeps == [0]
    assert len(list(tmp_path.glob("*.json"))) == 1
    assert dict(vars(overpass)) == module_state  # no settings changed in the module


def test_second_call_is_served_from_cache(server: LocalServer, tmp_path: Path, sleeps) -> None:
    server.route(
        "POST", "/api/interpreter", default=Reply(body=overpass_json(world()), headers=JSON)
    )
    first = fetch(server, tmp_path)
    count = len(server.requests)
    second = fetch(server, tmp_path)
    assert len(server.requests) == count
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_unreadable_cache_file_is_replaced(server: LocalServer, tmp_path: Path, sleeps) -> None:
    server.route(
        "POST", "/api/interpreter", default=Reply(body=overpass_json(world()), headers=JSON)
    )
    fetch(server, tmp_path)
    (cached,) = tmp_path.glob("*.json")
    cached.write_text('{"elements": [')
    layers = fetch(server, tmp_path)
    assert len(posts(server)) == 2
    assert len(layers["roads"]) == 4
    assert json.loads(cached.read_text())["elements"]


@pytest.mark.parametrize("status", [429, 504])
def test_busy_server_is_waited_for(server: LocalServer, tmp_path: Path, sleeps, status) -> None:
    busy = Reply(status=status, body=b"<html>Too busy</html>", headers={"Retry-After": "2"})
    server.route("POST", "/api/interpreter", busy, default=Reply(body=overpass_json(world())))
    layers = fetch(server, tmp_path)
    assert len(layers["roads"]) == 4
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", "/api/status"),
        ("POST", "/api/interpreter"),
        ("POST", "/api/interpreter"),
    ]
    # the pause from /status (0), then the one Retry-After asks for
    assert sleeps == [0, 2]
    assert len(list(tmp_path.glob("*.json"))) == 1


def test_busy_server_backs_off_then_gives_up(server: LocalServer, tmp_path: Path, sleeps) -> None:
    server.route("POST", "/api/interpreter", default=Reply(status=504, body=b"Gateway Timeout"))
    with pytest.raises(OverpassError, match="HTTP 504") as info:
        fetch(server, tmp_path, retries=3, backoff_s=0.5)
    assert f"{server.url}/api/interpreter" in str(info.value)
    assert len(posts(server)) == 4  # the first attempt and 3 retries
    assert sleeps == [0, 0.5, 1.0, 2.0]
    assert list(tmp_path.glob("*")) == []


def test_status_says_when_a_slot_is_free(server: LocalServer, tmp_path: Path, sleeps) -> None:
    server.route("GET", "/api/status", Reply(body=status_text(3)))
    server.route("POST", "/api/interpreter", default=Reply(body=overpass_json(world())))
    fetch(server, tmp_path)
    assert sleeps == [3]


def test_server_without_status_page_is_not_waited_for(tmp_path: Path, sleeps) -> None:
    with LocalServer() as server:  # /api/status answers 404
        server.route("POST", "/api/interpreter", default=Reply(body=overpass_json(world())))
        layers = fetch(server, tmp_path)
    assert sleeps == [0]
    assert len(layers["places"]) == 3


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=overpass_json(world()), cut_after=300),  # connection lost mid-body
        Reply(body=overpass_json(world())[:300]),  # complete HTTP reply, truncated JSON
        Reply(body=b'{"version": 0.6, "generator": "x"}'),  # JSON without elements
        Reply(body=b"<html><body>Error: runtime error</body></html>"),
        Reply(status=400, body=b"<html>Error: line 1: parse error</html>"),
        Reply(status=500, body=b"<html>Internal Server Error</html>"),
        Reply(body=b'{"elements": [{"type": "node", "id": 1}]}'),  # node without location
    ],
    ids=["cut", "truncated-json", "no-elements", "html", "http-400", "http-500", "no-location"],
)
def test_bad_reply_is_an_error_and_not_cached(
    server: LocalServer, tmp_path: Path, sleeps, reply: Reply
) -> None:
    server.route("POST", "/api/interpreter", default=reply)
    with pytest.raises(OverpassError) as info:
        fetch(server, tmp_path)
    assert isinstance(info.value, DownloadError)
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
    assert f"{server.url}/api/interpreter" in message
    assert list(tmp_path.glob("*")) == []
    assert len(posts(server)) == 1  # not retried


def test_partial_answer_with_remark_is_an_error(server: LocalServer, tmp_path: Path, sleeps):
    remark = 'runtime error: Query timed out in "query" at line 1 after 11 seconds.'
    body = json.loads(overpass_json(world()[:5])) | {"remark": remark}
    server.route("POST", "/api/interpreter", default=Reply(body=json.dumps(body).encode()))
    with pytest.raises(OverpassError, match="timed out"):
        fetch(server, tmp_path)
    assert list(tmp_path.glob("*")) == []


def test_empty_chunk_gives_empty_layers(server: LocalServer, tmp_path: Path, sleeps) -> None:
    server.route("POST", "/api/interpreter", default=Reply(body=overpass_json([])))
    layers = fetch(server, tmp_path)
    for name, gdf in layers.items():
        assert gdf.empty
        assert list(gdf.columns) == [*LAYER_COLUMNS[name], "geometry"]
        assert gdf.crs.to_epsg() == 4326
    assert len(list(tmp_path.glob("*.json"))) == 1  # an empty answer is a good answer


def test_chunk_must_be_a_lonlat_polygon(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="Polygon"):
        retrieve_overpass_chunk(shapely.Point(61, 51), cache_dir=tmp_path)
    with pytest.raises(InputDataError, match="lon/lat"):
        retrieve_overpass_chunk(shapely.box(500_000, 5e6, 600_000, 5.1e6), cache_dir=tmp_path)


def test_query_has_one_filter_per_rule_and_part() -> None:
    two = shapely.MultiPolygon([shapely.box(61, 51, 61.1, 51.1), shapely.box(62, 51, 62.1, 51.1)])
    query = overpass_query(two, timeout_s=60)
    statements = [line for line in query.splitlines() if "(poly:" in line]
    assert len(statements) == 2 * 10  # roads, rail, 4 checkpoint rules, places, 3 water; per part
    assert 'nwr["border_control"](poly:' in query
    assert 'nwr["barrier"="border_control"](poly:' in query
    assert 'node["place"~"^(city|town|village|hamlet)$"]' in query
    assert 'way["waterway"~"^(river|canal)$"](poly:' in query
    assert '"51.000000 61.000000 ' in query or " 51.000000 61.000000" in query  # lat lon


@pytest.mark.parametrize(
    ("status", "wait"),
    [
        (status_text(), 0.0),
        (status_text(7), 7.0),
        (status_text(-3), 1.0),
        (b"not found\n", 0.0),
    ],
)
def test_slot_wait_from_status(status: bytes, wait: float) -> None:
    assert slot_wait_s(status.decode()) == wait
