"""The download functions against a local server: resume, verify, record (WorldPop-like files)."""

import hashlib
import json
from pathlib import Path

import pytest
from osm_helpers import scattered_pbf
from servers import LocalServer, Reply

from borderzone.download import (
    CHUNK_BYTES,
    DownloadError,
    download_file,
    fetch_text,
    fetch_url,
    geofabrik_file_stem,
    geofabrik_path,
    one_line,
)


@pytest.fixture(scope="module")
def pbf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real file of a few hundred kB (a PBF; any bytes would do)."""
    data = scattered_pbf(tmp_path_factory.mktemp("pbf") / "world.osm.pbf")
    assert len(data) > 4 * CHUNK_BYTES
    return data


def test_region_names_map_to_geofabrik_paths() -> None:
    assert geofabrik_path("russia") == "russia"
    assert geofabrik_path("kazakhstan") == "asia/kazakhstan"
    assert geofabrik_path("asia/kazakhstan") == "asia/kazakhstan"
    assert geofabrik_path("/asia/kazakhstan-latest.osm.pbf") == "asia/kazakhstan"
    with pytest.raises(DownloadError, match="known name"):
        geofabrik_path("../etc/passwd")
    assert geofabrik_file_stem("asia/kazakhstan") == "kazakhstan"
    assert geofabrik_file_stem("russia") == "russia"


# ---------------------------------------------------------------------------- fetch_url
# (WorldPop rasters: no published checksum)

TIF_PATH = "/GIS/Population/XAA/xaa_ppp_2020_1km.tif"


def test_fetch_url_resumes_and_records_sha256(pbf: bytes, tmp_path: Path) -> None:
    cut = CHUNK_BYTES + 10
    with LocalServer() as server:
        server.route(
            "GET",
            TIF_PATH,
            Reply(body=pbf, ranges=True, cut_after=cut),
            default=Reply(body=pbf, ranges=True),
        )
        dest = tmp_path / "xaa.tif"
        got = fetch_url(server.url + TIF_PATH, dest=dest, progress=False, backoff_s=0.01)
        assert got.read_bytes() == pbf
        assert server.requests_to(TIF_PATH)[1].headers["Range"] == f"bytes={CHUNK_BYTES}-"
        record = json.loads((tmp_path / "xaa.tif.json").read_text())
        assert record["sha256"] == hashlib.sha256(pbf).hexdigest()
        assert not (tmp_path / "xaa.tif.part").exists()
        fetch_url(server.url + TIF_PATH, dest=dest, progress=False)  # in place: no request
        assert len(server.requests_to(TIF_PATH)) == 2


def test_fetch_url_error_leaves_nothing_in_place(tmp_path: Path) -> None:
    with LocalServer() as server:
        server.route("GET", TIF_PATH, default=Reply(status=404, body=b"not found"))
        with pytest.raises(DownloadError, match="404"):
            fetch_url(server.url + TIF_PATH, dest=tmp_path / "x.tif", progress=False)
    assert not (tmp_path / "x.tif").exists()


# ---------------------------------------------------------------------------- download_file


def test_download_file_checks_the_md5(pbf: bytes, tmp_path: Path) -> None:
    with LocalServer() as server:
        server.route("GET", TIF_PATH, default=Reply(body=pbf))
        dest = tmp_path / "x.tif"
        with pytest.raises(DownloadError, match="differs from the published 0{32}") as info:
            download_file(server.url + TIF_PATH, dest=dest, md5="0" * 32, progress=False)
        assert hashlib.md5(pbf).hexdigest() in str(info.value)
        assert list(tmp_path.iterdir()) == []
        good = hashlib.md5(pbf).hexdigest()
        assert download_file(server.url + TIF_PATH, dest=dest, md5=good, progress=False) == dest
    record = json.loads((tmp_path / "x.tif.json").read_text())
    assert list(record) == ["url", "md5", "size", "downloaded", "last_modified"]
    assert record["md5"] == good and record["size"] == len(pbf)
    assert dest.read_bytes() == pbf


def test_fetch_text_retries_server_errors(tmp_path: Path) -> None:
    with LocalServer() as server:
        server.route("GET", "/x.md5", Reply(status=503), default=Reply(body=b"abc  x\n"))
        assert fetch_text(server.url + "/x.md5", backoff_s=0.01) == "abc  x\n"
        assert len(server.requests) == 2
        with pytest.raises(DownloadError, match="HTTP 404"):
            fetch_text(server.url + "/missing", backoff_s=0.01)


def test_one_line() -> None:
    assert one_line("a\n  b\tc ") == "a b c"
    assert one_line("x" * 500, limit=10) == "xxxxxxx..."
