"""The web map in headless Chromium, opened from file://, never reaching the internet.

Chromium is driven through the DevTools protocol (a websocket, websocket-client); its host
resolver resolves no name, so that only 127.0.0.1 can be reached. Offline (the browser's
network emulated offline, the default OpenStreetMap tile URL in the page) the page must load
without console errors or any request, list every layer in the layers control, add and
remove each layer's features when it is switched, show each layer's legend while it is on,
draw the towns and name the regions, draw one marker per crossing, and open a crossing's
popup, showing its crossing_id, when the marker is clicked. Online, with the tile URL
pointing at a local tile server serving a real PNG, the base map's tiles load; with the
tile server down, the page adds no base map and throws nothing. Skipped when chromium is
missing, except under CI=true, where that is a failure.
"""

import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import numpy as np
import pytest
from deliverables_world import make_world
from servers import LocalServer, Reply
from shapely import Polygon, box

from borderzone.deliver.webmap import TOWN_LABEL_MIN_POPULATION, render_webmap

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


class DevTools:
    """A minimal DevTools protocol client of one page."""

    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str, timeout: float = 30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(e.get("method") == method for e in self.events):
                return
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(method)

    def evaluate(self, expression: str):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"])
        return r["result"].get("value")


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    try:
        import websocket  # noqa: F401  (websocket-client)
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("websocket-client is not installed")
        pytest.skip("websocket-client is not installed")
    profile = tempfile.mkdtemp(prefix="bz-chromium-")
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port_file = Path(profile) / "DevToolsActivePort"
    try:
        end = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > end or proc.poll() is not None:
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def _open(port: int, html: Path, *, offline: bool) -> DevTools:
    """Open ``html`` in a new tab of 1280 × 800 px, its network emulated offline or not."""
    from urllib.request import Request, urlopen

    with urlopen(Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")) as r:
        target = json.load(r)
    dt = DevTools(target["webSocketDebuggerUrl"])
    dt.target_id = target["id"]
    for domain in ("Runtime", "Log", "Page", "Network"):
        dt.call(f"{domain}.enable")
    dt.call(
        "Emulation.setDeviceMetricsOverride",
        width=1280,
        height=800,
        deviceScaleFactor=1,
        mobile=False,
    )
    if offline:
        # requests fail; navigator.onLine is false, as in a browser that is offline
        # (Chromium 150 no longer sets it from the emulated conditions)
        conditions = dict(offline=True, latency=0, downloadThroughput=-1, uploadThroughput=-1)
        dt.call("Network.emulateNetworkConditions", **conditions)
        dt.call(
            "Page.addScriptToEvaluateOnNewDocument",
            source="Object.defineProperty(Navigator.prototype, 'onLine', {get: () => false});",
        )
    dt.call("Page.navigate", url=html.as_uri())
    dt.wait_for("Page.loadEventFired")
    time.sleep(0.5)
    return dt


def _close(port: int, dt: DevTools) -> None:
    from urllib.request import urlopen

    dt.ws.close()
    with urlopen(f"http://127.0.0.1:{port}/json/close/{dt.target_id}"):
        pass


def context_world() -> dict:
    """The deliverables world with what the web map sets around it, known by construction.

    The two countries are the bands 2° north (RUS) and south (KAZ) of the border line; each
    is cut at 55°E into two regions (admin_level 4); a district (admin_level 6) and a
    country row (admin_level 2) are added that must not be drawn as regions. The cells
    carry the segment metrics.
    """
    w = make_world()
    c = np.asarray(w["border"].geometry.iloc[0].coords)
    north = Polygon(np.vstack([c, [[60, 53], [50, 53]]]))
    south = Polygon(np.vstack([c, [[60, 49], [50, 49]]]))
    w["countries"] = gpd.GeoDataFrame(
        {"iso3": ["RUS", "KAZ"]}, geometry=[north, south], crs="EPSG:4326"
    )
    west, east = box(49, 48, 55, 54), box(55, 48, 61, 54)
    rows = [
        ("Westland", 4, north.intersection(west)),
        ("Eastland", 4, north.intersection(east)),
        ("Southwest Oblast", 4, south.intersection(west)),
        ("Southeast Oblast", 4, south.intersection(east)),
        ("Some District", 6, north.intersection(box(52, 51, 53, 53))),
        ("Russia", 2, north),
    ]
    w["admin"] = gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "admin_level": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs="EPSG:4326",
    )
    w["regions"] = {r[0] for r in rows if r[1] == 4}
    w["places"] = w["network"]["places"]
    w["cell_metrics"] = w["cells"].merge(
        w["metrics"].drop(columns=["area_km2"]), on=["seg_id", "side"]
    )
    return w


def _render(w: dict, path: Path, **kw) -> Path:
    render_webmap(
        path,
        border=w["border"],
        segments=w["segments"],
        crossings=w["crossings"],
        buffers={50: w["buffer"]},
        metrics=w["cell_metrics"],
        countries=w["countries"],
        admin=w["admin"],
        places=w["places"],
        synthetic=True,
        **kw,
    )
    return path


@pytest.fixture(scope="module")
def loaded(chromium, tmp_path_factory):
    w = context_world()
    html = _render(w, tmp_path_factory.mktemp("web") / "webmap.html")  # the OSM tile URL
    dt = _open(chromium, html, offline=True)
    yield dt, w
    _close(chromium, dt)


def _errors(dt: DevTools) -> list:
    bad = []
    for e in dt.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.exceptionThrown":
            bad.append(p["exceptionDetails"])
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            bad.append(p)
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            bad.append(p["entry"])
        elif m == "Network.loadingFailed":
            bad.append(p)
        elif m == "Network.requestWillBeSent" and not p["request"]["url"].startswith(
            ("file:", "data:")
        ):
            bad.append({"network request": p["request"]["url"]})
    return bad


def test_loads_without_errors_or_network(loaded):
    dt, _ = loaded
    assert dt.evaluate("typeof L") == "object"
    assert _errors(dt) == []


def test_one_marker_per_crossing(loaded):
    dt, w = loaded
    n = dt.evaluate("document.querySelectorAll('path.bz-crossing').length")
    assert n == len(w["crossings"]) == dt.evaluate("window.bz.nCrossings")


def test_click_opens_popup_with_crossing_id(loaded):
    dt, w = loaded
    row = w["crossings"].iloc[7]
    cid = int(row["crossing_id"])
    box = dt.evaluate(
        f"(() => {{const r = document.querySelector('path.bz-crossing-{cid}')"
        ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];})()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        dt.call(
            "Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1
        )
    time.sleep(0.3)
    text = dt.evaluate(
        "(() => {const p = document.querySelector('.leaflet-popup-content');"
        " return p ? p.textContent : null;})()"
    )
    assert text is not None, "no popup opened"
    assert f"crossing_id{cid}" in text
    assert row["category"] in text and str(row["osm_ids"][0]) in text
    assert _errors(dt) == []


DRAWN = (
    "document.querySelectorAll('#map .leaflet-pane path, #map .leaflet-marker-icon, "
    "#map .leaflet-tooltip').length"
)


def _control_labels(dt: DevTools) -> list[str]:
    return dt.evaluate(
        "[...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
        ".map(l => l.textContent.trim())"
    )


def _switch(dt: DevTools, name: str) -> None:
    """Click the layer's checkbox in the layers control."""
    found = dt.evaluate(
        "(() => { for (const l of document.querySelectorAll("
        "'.leaflet-control-layers-overlays label')) if (l.textContent.trim() === "
        f"{json.dumps(name)}) {{ l.querySelector('input').click(); return true; }}"
        " return false; })()"
    )
    assert found, name
    time.sleep(0.3)  # a tooltip fades out for 200 ms before it is removed


def _expected_features(w: dict) -> dict[str, int]:
    """What each layer draws (paths, label icons, permanent labels), from the world."""
    n_cells = len(w["cell_metrics"])
    big_towns = int((w["places"]["population"] >= TOWN_LABEL_MIN_POPULATION).sum())
    return {
        "countries": len(w["countries"]),
        "regions": 2 * len(w["regions"]),  # boundary + name of each
        "buffer 50 km": len(w["buffer"]),
        "isolation index, 50 km cells": n_cells,
        "population density (people/km²), 50 km cells": n_cells,
        "travel time to a road crossing (min), 50 km cells": n_cells,
        "segments": len(w["segments"]),
        "border": len(w["border"]),
        "towns": len(w["places"]) + big_towns,
        "crossings": len(w["crossings"]),
    }


def test_every_layer_listed_and_switching_it_adds_and_removes_its_features(loaded):
    dt, w = loaded
    expected = _expected_features(w)
    assert _control_labels(dt) == list(expected)
    for name, n in expected.items():
        on = dt.evaluate(f"bz.map.hasLayer(bz.overlays[{json.dumps(name)}])")
        before = dt.evaluate(DRAWN)
        _switch(dt, name)
        after = dt.evaluate(DRAWN)
        assert after - before == (-n if on else n), name
        _switch(dt, name)
        assert dt.evaluate(DRAWN) == before, name
    assert _errors(dt) == []


def test_each_layer_has_a_legend_shown_while_it_is_on(loaded):
    dt, w = loaded
    shown = (
        "(() => Object.fromEntries([...document.querySelectorAll('.bz-legend-section')]"
        ".map(s => [s.dataset.layer, getComputedStyle(s).display !== 'none']))) ()"
    )
    on = dt.evaluate(
        "Object.fromEntries(Object.entries(bz.overlays).map(([k, l]) => [k, bz.map.hasLayer(l)]))"
    )
    assert dt.evaluate(shown) == on and set(on) == set(_expected_features(w))
    assert not on["population density (people/km²), 50 km cells"]  # one measure at a time
    _switch(dt, "isolation index, 50 km cells")
    assert dt.evaluate(shown)["isolation index, 50 km cells"] is False
    _switch(dt, "isolation index, 50 km cells")
    legend = dt.evaluate(
        "document.querySelector('.bz-legend-section[data-layer=\"isolation index, 50 km "
        "cells\"]').textContent"
    )
    assert "quantile classes" in legend
    # 20 distinct values in quantile classes of a fifth each
    assert legend.count("(4 cells)") == 5
    crossings = dt.evaluate(
        "document.querySelector('.bz-legend-section[data-layer=\"crossings\"]').textContent"
    )
    assert all(cat in crossings for cat in w["crossings"]["category"]) and "SYNTHETIC" in crossings


def test_towns_and_regions_drawn_and_named(loaded):
    dt, w = loaded
    assert dt.evaluate("document.querySelectorAll('path.bz-town').length") == len(w["places"])
    labels = dt.evaluate("[...document.querySelectorAll('.bz-town-label')].map(e => e.textContent)")
    big = w["places"][w["places"]["population"] >= TOWN_LABEL_MIN_POPULATION]
    assert sorted(labels) == sorted(big["name"]) == ["Orsk"]
    # circle areas grow with population: Orsk (230,000) is drawn larger than Aul (80)
    widths = dt.evaluate(
        "[...document.querySelectorAll('path.bz-town')].map(p => p.getBBox().width)"
    )
    assert max(widths) > 2 * min(widths)
    names = dt.evaluate(
        "[...document.querySelectorAll('.bz-region-label')].map(e => e.textContent)"
    )
    assert set(names) == w["regions"] and len(names) == len(w["regions"])
    assert dt.evaluate("bz.basemap()") is None  # offline: no base map, no request
    assert dt.evaluate("document.querySelectorAll('img.leaflet-tile').length") == 0


def _png_tile() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (170, 211, 223)).save(buf, format="PNG")
    return buf.getvalue()


def test_basemap_tiles_load_from_a_tile_server_when_online(chromium, tmp_path):
    w = context_world()
    png = _png_tile()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with LocalServer() as server:
        server.route(
            "GET", "/tile.png", default=Reply(body=png, headers={"Content-Type": "image/png"})
        )
        html = _render(
            w, tmp_path / "webmap.html", tiles=server.url + "/tile.png?z={z}&x={x}&y={y}"
        )
        dt = _open(chromium, html, offline=False)
        try:
            end = time.monotonic() + 20
            loaded_tiles = 0
            while time.monotonic() < end and loaded_tiles == 0:
                time.sleep(0.2)
                loaded_tiles = dt.evaluate(
                    "document.querySelectorAll('img.leaflet-tile-loaded').length"
                )
            assert loaded_tiles > 0
            assert dt.evaluate("bz.basemap() !== null")
            assert "base map" in _control_labels(dt)
            assert "OpenStreetMap" in dt.evaluate(
                "document.querySelector('.leaflet-control-attribution').textContent"
            )
            zooms = {
                int(parse_qs(urlsplit(r.path).query)["z"][0])
                for r in server.requests_to("/tile.png")
            }
            assert 0 in zooms and dt.evaluate("bz.map.getZoom()") in zooms  # probe, then tiles
            others = [
                e
                for e in _errors(dt)
                if not str(e.get("network request", "")).startswith(server.url)
            ]
            assert others == []
        finally:
            _close(chromium, dt)


def test_no_basemap_and_nothing_thrown_when_the_tile_server_is_down(chromium, tmp_path):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = f"http://127.0.0.1:{port}"
    html = _render(context_world(), tmp_path / "webmap.html", tiles=dead + "/{z}/{x}/{y}.png")
    dt = _open(chromium, html, offline=False)
    try:
        time.sleep(1.0)
        assert dt.evaluate("bz.basemap()") is None
        assert dt.evaluate("document.querySelectorAll('img.leaflet-tile').length") == 0
        thrown = [
            e
            for e in dt.events
            if e.get("method") == "Runtime.exceptionThrown"
            or (
                e.get("method") == "Runtime.consoleAPICalled"
                and e["params"].get("type") in ("error", "assert")
            )
        ]
        assert thrown == []
        requests = [
            e["params"]["request"]["url"]
            for e in dt.events
            if e.get("method") == "Network.requestWillBeSent"
            and not e["params"]["request"]["url"].startswith(("file:", "data:"))
        ]
        assert requests == [dead + "/0/0/0.png"]  # the one probe, no tiles
    finally:
        _close(chromium, dt)
