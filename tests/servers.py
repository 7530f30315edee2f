"""A small scripted HTTP server on 127.0.0.1 for testing download code offline.

Usage::

    with LocalServer() as server:
        server.route("GET", "/file.bin", Reply(status=500), default=Reply(body=data))
        requests.get(server.url + "/file.bin")   # 500, then 200 for every later request
        assert len(server.requests) == 1

Replies queued for a route are served once each, in order; then the route's ``default``
(a :class:`Reply`, or a callable taking the :class:`Request` and returning one) answers.
Unknown paths answer 404. Every request is recorded with its headers and body.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What the server sends back.

    ``cut_after``: send the headers announcing the whole body, then only this many bytes of
    it, then close the connection (an interrupted transfer). ``ranges``: honour a
    ``Range: bytes=N-`` request header with a 206 partial reply.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None
    ranges: bool = False


@dataclass
class Request:
    """A request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Responder = Reply | Callable[[Request], Reply]


class LocalServer:
    """Threaded HTTP server on an ephemeral port of 127.0.0.1, scripted per route."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._queues: dict[tuple[str, str], deque[Responder]] = {}
        self._defaults: dict[tuple[str, str], Responder] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(
        self, method: str, path: str, *replies: Responder, default: Responder | None = None
    ) -> None:
        """Queue ``replies`` for ``method path``, then answer with ``default`` (404 if None)."""
        key = (method.upper(), path)
        with self._lock:
            self._queues.setdefault(key, deque()).extend(replies)
            if default is not None:
                self._defaults[key] = default

    def requests_to(self, path: str) -> list[Request]:
        """The requests received for ``path`` (query string ignored)."""
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def _respond(self, request: Request) -> Reply:
        key = (request.method, request.path.split("?")[0])
        with self._lock:
            self.requests.append(request)
            queue = self._queues.get(key)
            responder = queue.popleft() if queue else self._defaults.get(key)
        if responder is None:
            return Reply(status=404, body=b"not found\n")
        return responder(request) if callable(responder) else responder

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, dict(self.headers.items()), body)
                reply = server._respond(request)
                status, data = reply.status, reply.body
                headers = dict(reply.headers)
                wanted = self.headers.get("Range", "")
                if reply.ranges and reply.status == 200 and wanted.startswith("bytes="):
                    start = int(wanted.removeprefix("bytes=").split("-")[0])
                    if start >= len(data):
                        status, headers["Content-Range"] = 416, f"bytes */{len(data)}"
                        data = b""
                    else:
                        status = 206
                        headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                        data = data[start:]
                if reply.ranges:
                    headers.setdefault("Accept-Ranges", "bytes")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    sent = data if reply.cut_after is None else data[: reply.cut_after]
                    self.wfile.write(sent)
                    self.wfile.flush()
                self.close_connection = True

            do_GET = do_POST = do_HEAD = _handle  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler

    def start(self) -> LocalServer:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---------------------------------------------------------------------------- Overpass replies


def overpass_json(elements: list[dict]) -> bytes:
    """An Overpass API JSON reply holding ``elements``, as the server writes it."""
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
