"""Downloads that survive interruptions: resumable, verified, renamed into place, recorded.

:func:`download_file` streams a URL into a ``.part`` file beside its destination, resumes
an interrupted transfer with an HTTP ``Range`` request, checks an expected MD5 when one is
given, and only then renames the file into place and writes a provenance record beside it
(``<name>.json``: URL, MD5 or SHA-256, size, time of download, ``Last-Modified``).
:func:`fetch_url` downloads a file once (a file in place is kept); :func:`fetch_text` reads a
small text such as a published checksum, with the same retries. Server errors (429, 5xx)
and broken connections are retried with a doubling pause; other HTTP errors fail at once.

The names of Geofabrik extracts (:func:`geofabrik_path`, :func:`geofabrik_file_stem`) are
here because the configuration names its files with them; the Geofabrik download itself is
:func:`borderzone.osm.geofabrik.retrieve_geofabrik`.
"""

import datetime as dt
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from borderzone.errors import DownloadError

log = logging.getLogger(__name__)

GEOFABRIK_URL = "https://download.geofabrik.de"

GEOFABRIK_REGIONS: dict[str, str] = {
    "russia": "russia",
    "kazakhstan": "asia/kazakhstan",
    "mongolia": "asia/mongolia",
    "china": "asia/china",
    "ukraine": "europe/ukraine",
    "belarus": "europe/belarus",
    "georgia": "europe/georgia",
    "azerbaijan": "asia/azerbaijan",
    "kyrgyzstan": "asia/kyrgyzstan",
    "uzbekistan": "asia/uzbekistan",
    "turkmenistan": "asia/turkmenistan",
}
"""Bare country names to their Geofabrik path (Russia has its own top-level directory)."""

GEOFABRIK_SUFFIX = "-latest.osm.pbf"
"""What follows a Geofabrik path in the URL and the local file name of its extract."""

USER_AGENT = "borderzone/0.1 (data download)"
CHUNK_BYTES = 1 << 16
"""Bytes read and written at a time; an interrupted transfer loses at most this much."""
_PATH = re.compile(r"^[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*$")
_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class _RetryableError(Exception):
    """An attempt failed in a way worth retrying (server error, broken connection)."""


def geofabrik_path(region: str) -> str:
    """Geofabrik path of ``region``: a known bare name or a path such as ``asia/kazakhstan``.

    Parameters
    ----------
    region
        ``"russia"``, ``"kazakhstan"``, ``"asia/kazakhstan"``,
        ``"asia/kazakhstan-latest.osm.pbf"`` ...

    Returns
    -------
    str
        The path without suffix, e.g. ``"asia/kazakhstan"``.

    """
    path = region.strip().strip("/").lower().removesuffix(GEOFABRIK_SUFFIX)
    path = GEOFABRIK_REGIONS.get(path, path)
    if not _PATH.match(path):
        raise DownloadError(
            f"Geofabrik region {region!r} is neither a known name "
            f"({', '.join(sorted(GEOFABRIK_REGIONS))}) nor a path like 'asia/kazakhstan'"
        )
    return path


def geofabrik_file_stem(region: str) -> str:
    """Stem of the local file of ``region``: ``asia/kazakhstan`` -> ``kazakhstan``."""
    return geofabrik_path(region).rsplit("/", 1)[-1]


def geofabrik_files(regions: Iterable[str]) -> dict[str, str]:
    """Stem of each extract's local file -> its Geofabrik path, each extract once.

    Extracts are stored by stem (``data/osm/<stem>-latest.osm.pbf``), so that several pairs
    reading one extract share one download.

    Raises
    ------
    DownloadError
        When two paths would share a local file (``europe/georgia`` and
        ``north-america/us/georgia``).
    """
    files: dict[str, str] = {}
    for region in regions:
        path = geofabrik_path(region)
        stem = geofabrik_file_stem(path)
        if files.setdefault(stem, path) != path:
            raise DownloadError(
                f"Geofabrik regions {files[stem]} and {path} would share the file "
                f"data/osm/{stem}{GEOFABRIK_SUFFIX}; run them in two working directories"
            )
    return files


def fetch_url(
    url: str,
    *,
    dest: Path,
    progress: bool = True,
    timeout_s: float = 60,
    retries: int = 3,
    backoff_s: float = 2.0,
) -> Path:
    """Download ``url`` to ``dest`` once: resumed after an interruption, renamed when whole.

    For files without a published checksum (WorldPop rasters): the transfer is complete
    when the server's announced length is reached; a SHA-256 is recorded in a provenance
    JSON beside the file. A file already at ``dest`` is not downloaded again.

    Parameters
    ----------
    url, dest, progress, timeout_s, retries, backoff_s
        As for :func:`download_file`.

    Raises
    ------
    DownloadError
        On an HTTP error or a transfer that keeps failing.

    """
    dest = Path(dest)
    if dest.is_file():
        log.info("%s is in place: not downloading", dest)
        return dest
    return download_file(
        url, dest=dest, progress=progress, timeout_s=timeout_s, retries=retries, backoff_s=backoff_s
    )


def download_file(
    url: str,
    *,
    dest: Path,
    md5: str | None = None,
    progress: bool = True,
    timeout_s: float = 60,
    retries: int = 3,
    backoff_s: float = 2.0,
) -> Path:
    """Download ``url`` to ``dest``: resumed, verified, renamed when whole, recorded.

    The transfer goes to ``<dest>.part`` (a part left by an earlier attempt is resumed);
    once whole, and its MD5 equal to ``md5`` when given, it is renamed to ``dest`` and the
    record ``<dest>.json`` is written (with ``md5``, or else the file's SHA-256).

    Parameters
    ----------
    url
        What to download.
    dest
        Where the file goes; its folder is created.
    md5
        Expected MD5 (lower-case hex) of the whole file, or None to record a SHA-256.
    progress
        Show a progress bar (tqdm when installed, else a log line per tenth).
    timeout_s
        Connect and read timeout of each request, in seconds.
    retries
        Attempts after the first one, for server errors (429, 5xx) and broken connections;
        an attempt that received data resets the count. Other HTTP errors fail at once.
    backoff_s
        Wait before the first retry; it doubles with each further retry.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    DownloadError
        On an HTTP error, a transfer that keeps failing, or an MD5 that does not match (the
        download is deleted then); nothing is left in place under the final name.

    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(f"{dest.name}.part")
    with _session() as session:
        headers = _download(
            session,
            url,
            part,
            timeout_s=timeout_s,
            retries=retries,
            backoff_s=backoff_s,
            progress=progress,
        )
    algorithm = "sha256" if md5 is None else "md5"
    digest = file_digest(part, algorithm)
    if md5 is not None and digest != md5:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"{url}: MD5 of the download {digest} differs from the published {md5}; "
            "the file was deleted"
        )
    size = part.stat().st_size
    os.replace(part, dest)
    provenance = {
        "url": url,
        algorithm: digest,
        "size": size,
        "downloaded": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "last_modified": headers.get("Last-Modified"),
    }
    write_atomic(dest.with_name(f"{dest.name}.json"), json.dumps(provenance, indent=2) + "\n")
    log.info(
        "downloaded %s (%.1f MB, %s %s) to %s", url, size / 1e6, algorithm.upper(), digest, dest
    )
    return dest


def fetch_text(url: str, *, timeout_s: float = 60, retries: int = 3, backoff_s: float = 2.0) -> str:
    """Read a small text (a published checksum), retrying as :func:`download_file` does.

    Raises
    ------
    DownloadError
        On an HTTP error, or when the server keeps failing.

    """
    with _session() as session:
        return _with_retries(
            lambda: _get_text(session, url, timeout_s=timeout_s),
            url=url,
            retries=retries,
            backoff_s=backoff_s,
        )


def file_digest(path: Path, algorithm: str = "md5") -> str:
    """Hex digest of a file, read in blocks (``md5`` as Geofabrik publishes, ``sha256``)."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as f:
        while block := f.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` under a temporary name beside ``path``, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def one_line(value: object, limit: int = 300) -> str:
    """``value`` as text on one line (runs of blanks made one space), cut to ``limit``."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def _download(
    session: requests.Session,
    url: str,
    part: Path,
    *,
    timeout_s: float,
    retries: int,
    backoff_s: float,
    progress: bool,
) -> dict[str, str]:
    """Stream ``url`` into ``part``, resuming with Range; return the last response headers."""
    validator: str | None = None  # ETag or Last-Modified of the first reply, for If-Range
    failures = 0
    best = part.stat().st_size if part.exists() else 0  # progress = the .part grew beyond this
    while True:
        have = part.stat().st_size if part.exists() else 0
        headers = {}
        if have:
            headers["Range"] = f"bytes={have}-"
            if validator:
                headers["If-Range"] = validator
        try:
            response = session.get(url, headers=headers, stream=True, timeout=timeout_s)
        except requests.RequestException as exc:
            error: Exception = exc
        else:
            with response:
                validator = validator or response.headers.get("ETag") or None
                validator = validator or response.headers.get("Last-Modified")
                if response.status_code == 416 and have:
                    total = response.headers.get("Content-Range", "").rpartition("/")[2]
                    if total.isdigit() and int(total) == have:
                        log.info("%s: %s already holds all %d bytes", url, part.name, have)
                        return dict(response.headers)
                    log.warning("%s: server refused to resume at byte %d: restarting", url, have)
                    part.unlink()
                    continue
                if response.status_code in _RETRY_STATUS:
                    error = _RetryableError(f"HTTP {response.status_code}")
                elif response.status_code not in (200, 206):
                    raise DownloadError(
                        f"{url}: HTTP {response.status_code} {response.reason}".rstrip()
                    )
                else:
                    try:
                        _write_body(response, part, have=have, url=url, progress=progress)
                        return dict(response.headers)
                    except (requests.RequestException, _RetryableError) as exc:
                        error = exc
        size = part.stat().st_size if part.exists() else 0
        failures = 0 if size > best else failures + 1
        best = max(best, size)
        if failures > retries:
            raise DownloadError(
                f"{url}: failed after {retries + 1} attempts, last: {one_line(error)}"
            )
        wait = backoff_s * 2 ** max(failures - 1, 0)
        log.warning("%s: %s; retrying in %.1f s", url, one_line(error), wait)
        time.sleep(wait)


def _write_body(
    response: requests.Response,
    part: Path,
    *,
    have: int,
    url: str,
    progress: bool,
) -> None:
    """Append (206) or write (200) the body to ``part``."""
    if response.status_code == 206:
        start = _range_start(response.headers.get("Content-Range", ""))
        if start != have:
            part.unlink(missing_ok=True)
            raise _RetryableError(f"server resumed at byte {start}, not {have}: restarting")
        mode, total_have = "ab", have
        log.info("%s: resuming at byte %d", url, have)
    else:
        if have:
            log.info("%s: server ignored the Range request: restarting", url)
        mode, total_have = "wb", 0
    length = response.headers.get("Content-Length")
    total = total_have + int(length) if length and length.isdigit() else None
    written = 0
    with part.open(mode) as out, _progress_bar(url, total, total_have, enabled=progress) as tick:
        for chunk in response.iter_content(CHUNK_BYTES):
            out.write(chunk)
            written += len(chunk)
            tick(len(chunk))
    if total is not None and total_have + written != total:
        raise _RetryableError(f"transfer ended after {total_have + written} of {total} bytes")


def _range_start(content_range: str) -> int | None:
    match = re.match(r"bytes (\d+)-\d+/(?:\d+|\*)", content_range)
    return int(match.group(1)) if match else None


@contextmanager
def _progress_bar(url: str, total: int | None, initial: int, *, enabled: bool) -> Iterator[Any]:
    """Yield a function advancing a progress display by n bytes."""
    if not enabled:
        yield lambda n: None
        return
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    if tqdm is not None:
        bar = tqdm(
            total=total,
            initial=initial,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=url.rsplit("/", 1)[-1],
        )
        with bar:
            yield bar.update
        return
    state = {"done": initial, "next": 0.1}

    def tick(n: int) -> None:
        state["done"] += n
        if total and state["done"] / total >= state["next"]:
            log.info("%s: %.0f %% of %.1f MB", url, 100 * state["done"] / total, total / 1e6)
            while state["next"] <= state["done"] / total:
                state["next"] += 0.1

    yield tick


def _get_text(session: requests.Session, url: str, *, timeout_s: float) -> str:
    try:
        response = session.get(url, timeout=timeout_s)
    except requests.RequestException as exc:
        raise _RetryableError(str(exc)) from exc
    if response.status_code in _RETRY_STATUS:
        raise _RetryableError(f"HTTP {response.status_code}")
    if not response.ok:
        raise DownloadError(f"{url}: HTTP {response.status_code} {response.reason}".rstrip())
    return response.text


def _with_retries(call: Callable[[], str], *, url: str, retries: int, backoff_s: float) -> str:
    for attempt in range(retries + 1):
        try:
            return call()
        except _RetryableError as exc:
            if attempt == retries:
                raise DownloadError(
                    f"{url}: failed after {retries + 1} attempts, last: {one_line(exc)}"
                ) from exc
            wait = backoff_s * 2**attempt
            log.warning("%s: %s; retrying in %.1f s", url, one_line(exc), wait)
            time.sleep(wait)
    raise AssertionError("unreachable")
