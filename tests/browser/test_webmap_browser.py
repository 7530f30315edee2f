"""The web map in headless Chromium, opened from file:// with the network unused.

Chromium is driven through the DevTools protocol (a websocket, websocket-client). The
page must load without console errors or failed requests, draw one marker per crossing,
and open a crossing's popup, showing its crossing_id, when the marker is clicked. Skipped
when chromium is missing, except under CI=true, where that is a failure.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from deliverables_world import make_world

from borderzone.deliver.webmap import render_webmap

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


def _page(port: int) -> DevTools:
    from urllib.request import urlopen

    with urlopen(f"http://127.0.0.1:{port}/json/list") as r:
        targets = json.load(r)
    page = next(t for t in targets if t["type"] == "page")
    return DevTools(page["webSocketDebuggerUrl"])


@pytest.fixture(scope="module")
def loaded(chromium, tmp_path_factory):
    w = make_world()
    html = tmp_path_factory.mktemp("web") / "webmap.html"
    render_webmap(
        html,
        border=w["border"],
        segments=w["segments"],
        crossings=w["crossings"],
        buffers={50: w["buffer"]},
        metrics=w["metrics"],
        synthetic=True,
    )
    dt = _page(chromium)
    for domain in ("Runtime", "Log", "Page", "Network"):
        dt.call(f"{domain}.enable")
    dt.call("Page.navigate", url=html.as_uri())
    dt.wait_for("Page.loadEventFired")
    time.sleep(0.5)
    yield dt, w
    dt.ws.close()


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
