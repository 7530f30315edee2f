"""retrieve_overpass_chunk against a local server speaking the Overpass API (JSON and /status)."""

import datetime as dt
import json
import math
import sys
import types
from pathlib import Path
from urllib.parse import parse_qs

import osmnx as ox
import pandas as pd
import pytest
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from servers import LocalServer, Reply, Request  # noqa: E402

from borderzone.errors import (  # noqa: E402
    DownloadError,
    InputDataError,  # noqa: E402
    OverpassError,
)
from borderzone.osm.overpass import retrieve_overpass_chunk  # noqa: E402
from borderzone.osm.schema import LAYER_COLUMNS  # noqa: E402

CHUNK = shapely.box(61.0, 51.0, 61.2, 51.1)


def node(i: int, lon: float, lat: float, **tags: str) -> dict:
    element = {"type": "node", "id": i, "lat": lat, "lon": lon}
    return element | ({"tags": tags} if tags else {})


def way(i: int, nodes: list[int], **tags: str) -> dict:
    return {"type": "way", "id": i, "nodes": nodes, "tags": tags}


def world() -> list[dict]:
    """A small hand-made world inside CHUNK, with a few things the query must leave out."""
    nodes = [node(i, 61.0 + i * 0.001, 51.05) for i in range(1, 10)]
    nodes += [node(11, 61.02, 51.02), node(12, 61.03, 51.02), node(13, 61.03, 51.03)]
    nodes += [node(14, 61.1, 51.06), node(15, 61.11, 51.06), node(16, 61.11, 51.07)]
    ways = [
        way(
            100,
            [1, 2, 3],
            highway="primary",
            ref="A-21",
            name="Трасса",
            **{"name:ru": "Трасса", "name:kk": "Жол", "name:en": "Road"},
            surface="asphalt",
            lanes="2",
            oneway="no",
        ),
        way(101, [3, 4], highway="track", tracktype="grade3", smoothness="bad", bridge="yes"),
        way(102, [4, 5], highway="motorway_link"),
        way(103, [11, 12, 13, 11], highway="service", area="yes"),  # osmnx: Polygon
        way(104, [5, 6], highway="footway"),  # not a road class
        way(200, [6, 7, 8], railway="rail", gauge="1520", usage="main", electrified="no"),
        way(201, [8, 9], railway="narrow_gauge", name="УЖД"),
        way(202, [1, 9], railway="abandoned"),  # not a rail class
        way(300, [14, 15, 16, 14], government="border_control", building="yes", name="Пост"),
    ]
    points = [
        node(30, 61.15, 51.05, barrier="border_control", name="Караозек"),
        node(31, 61.16, 51.05, railway="border"),
        node(32, 61.17, 51.05, border_control="customs"),
        node(40, 61.05, 51.08, place="town", name="Town", population="12 345"),
        node(41, 61.06, 51.08, place="village", name="Village", population="~500"),
        node(42, 61.07, 51.08, place="hamlet", name="Hamlet"),
        node(43, 61.08, 51.08, place="suburb", name="Suburb"),  # not a place class
        node(44, 62.50, 51.08, place="city", name="Far"),  # outside the chunk
        node(45, 61.09, 51.02, highway="traffic_signals"),  # a node, not a road
    ]
    return nodes + ways + points


def overpass_json(elements: list[dict]) -> bytes:
    reply = {
        "version": 0.6,
        "generator": "Overpass API 0.7.62 (test)",
        "osm3s": {"timestamp_osm_base": "2025-07-01T12:00:00Z", "copyright": "ODbL"},
        "elements": elements,
    }
    return json.dumps(reply, ensure_ascii=False).encode()


def status_text(slot_in_s: int | None = None) -> bytes:
    """The plain-text reply of /api/status, free slots now or one free in slot_in_s."""
    now = dt.datetime.now(dt.UTC)
    line = "2 slots available now."
    if slot_in_s is not None:
        at = (now + dt.timedelta(seconds=slot_in_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"Slot available after: {at}, in {slot_in_s} seconds."
    return (
        "Connected as: 2130706433\n"
        f"Current time: {now:%Y-%m-%dT%H:%M:%SZ}\n"
        "Announced endpoint: none\n"
        "Rate limit: 2\n"
        f"{line}\n"
        "Currently running queries (pid, space limit, time limit, start time):\n"
    ).encode()


JSON = {"Content-Type": "application/json"}


@pytest.fixture
def server() -> LocalServer:
    with LocalServer() as server:
        server.route("GET", "/api/status", default=lambda r: Reply(body=status_text()))
        yield server


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record osmnx's pauses instead of waiting them out."""
    recorded: list[float] = []
    monkeypatch.setattr(ox._overpass, "time", types.SimpleNamespace(sleep=recorded.append))
    return recorded


def fetch(server: LocalServer, cache: Path) -> dict:
    return retrieve_overpass_chunk(CHUNK, url=server.url + "/api", cache_dir=cache, timeout_s=10)


def posts(server: LocalServer) -> list[Request]:
    return [r for r in server.requests if r.method == "POST"]


def test_layers_and_columns(server: LocalServer, tmp_path: Path, sleeps: list) -> None:
    server.route(
        "POST", "/api/interpreter", default=Reply(body=overpass_json(world()), headers=JSON)
    )
    layers = fetch(server, tmp_path)

    assert set(layers) == set(LAYER_COLUMNS)
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

    # what osmnx asked: one status check, one POST of an Overpass QL query in JSON
    assert [r.path for r in server.requests] == ["/api/status", "/api/interpreter"]
    query = parse_qs(posts(server)[0].body.decode())["data"][0]
    assert query.startswith("[out:json][timeout:10]")
    assert '["highway"="motorway_link"]' in query.replace("'", '"')
    assert "poly:" in query
    assert sleeps == [0]
    assert len(list(tmp_path.glob("*.json"))) == 1
    assert ox.settings.overpass_url == "https://overpass-api.de/api"  # settings restored


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


@pytest.mark.parametrize("status", [429, 504])
def test_busy_server_is_waited_for(server: LocalServer, tmp_path: Path, sleeps, status) -> None:
    busy = Reply(status=status, body=b"<html>Too busy</html>")
    server.route("POST", "/api/interpreter", busy, default=Reply(body=overpass_json(world())))
    # before the first query the slots are free; after the error one frees in 2 s
    server.route("GET", "/api/status", Reply(body=status_text()), Reply(body=status_text(2)))
    layers = fetch(server, tmp_path)
    assert len(layers["roads"]) == 4
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", "/api/status"),
        ("POST", "/api/interpreter"),
        ("GET", "/api/status"),
        ("POST", "/api/interpreter"),
    ]
    # osmnx: pause from /status (0), fixed 55 s after the error, then the pause /status gives
    assert sleeps[:2] == [0, 55]
    assert 1 <= sleeps[2] <= 3
    assert len(list(tmp_path.glob("*.json"))) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=overpass_json(world()), cut_after=300),  # connection lost mid-body
        Reply(body=overpass_json(world())[:300]),  # complete HTTP reply, truncated JSON
        Reply(body=b'{"version": 0.6, "generator": "x"}'),  # JSON without elements
        Reply(body=b"<html><body>Error: runtime error</body></html>"),
        Reply(status=400, body=b"<html>Error: line 1: parse error</html>"),
    ],
    ids=["cut", "truncated-json", "no-elements", "html", "http-400"],
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
