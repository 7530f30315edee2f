"""retrieve_geofabrik against a local server serving a real .osm.pbf and its .md5."""

import hashlib
import json
import sys
from pathlib import Path

import osmium
import pytest
from osm_helpers import scattered_pbf
from servers import LocalServer, Reply

from borderzone.download import CHUNK_BYTES
from borderzone.errors import DownloadError
from borderzone.osm.geofabrik import parse_md5, retrieve_geofabrik

PBF_PATH = "/asia/kazakhstan-latest.osm.pbf"
LAST_MODIFIED = "Tue, 01 Jul 2025 20:21:22 GMT"


@pytest.fixture(scope="module")
def pbf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real PBF of a few hundred kB: scattered nodes, a road and a checkpoint near 61°E 51°N."""
    data = scattered_pbf(tmp_path_factory.mktemp("pbf") / "world.osm.pbf")
    assert len(data) > 4 * CHUNK_BYTES
    return data


def md5_line(data: bytes, name: str = "kazakhstan-latest.osm.pbf") -> bytes:
    return f"{hashlib.md5(data).hexdigest()}  {name}\n".encode()


def serve(server: LocalServer, data: bytes, *first: Reply, md5: bytes | None = None) -> None:
    server.route("GET", PBF_PATH + ".md5", default=Reply(body=md5 or md5_line(data)))
    full = Reply(body=data, ranges=True, headers={"Last-Modified": LAST_MODIFIED})
    server.route("GET", PBF_PATH, *first, default=full)


def fetch(server: LocalServer, dest: Path, region: str = "kazakhstan") -> Path:
    return retrieve_geofabrik(
        region, base_url=server.url, dest_dir=dest, progress=False, timeout_s=5, backoff_s=0.01
    )


def test_download_verifies_and_records_provenance(pbf: bytes, tmp_path: Path) -> None:
    with LocalServer() as server:
        serve(server, pbf)
        path = fetch(server, tmp_path)
    assert path == tmp_path / "kazakhstan-latest.osm.pbf"
    assert path.read_bytes() == pbf
    assert (tmp_path / "kazakhstan-latest.osm.pbf.md5").read_bytes() == md5_line(pbf)
    assert not list(tmp_path.glob("*.part"))
    record = json.loads((tmp_path / "kazakhstan-latest.osm.pbf.json").read_text())
    assert record["url"] == server.url + PBF_PATH
    assert record["md5"] == hashlib.md5(pbf).hexdigest()
    assert record["size"] == len(pbf)
    assert record["last_modified"] == LAST_MODIFIED
    assert record["downloaded"].endswith("+00:00")
    # the file is a readable PBF with the way written
    highways = [w.tags["highway"] for w in osmium.FileProcessor(str(path), osmium.osm.WAY)]
    assert highways == ["primary"]


def test_full_path_and_top_level_region(pbf: bytes, tmp_path: Path) -> None:
    with LocalServer() as server:
        server.route("GET", "/russia-latest.osm.pbf.md5", default=Reply(body=md5_line(pbf)))
        server.route("GET", "/russia-latest.osm.pbf", default=Reply(body=pbf))
        serve(server, pbf)
        assert fetch(server, tmp_path, "russia").name == "russia-latest.osm.pbf"
        assert fetch(server, tmp_path, "asia/kazakhstan").read_bytes() == pbf


def test_interrupted_transfer_resumes_with_range(pbf: bytes, tmp_path: Path) -> None:
    cut = 2 * CHUNK_BYTES + 1000  # the partial third chunk is lost, the first two are kept
    with LocalServer() as server:
        serve(server, pbf, Reply(body=pbf, ranges=True, cut_after=cut))
        path = fetch(server, tmp_path)
        gets = server.requests_to(PBF_PATH)
    assert path.read_bytes() == pbf
    assert len(gets) == 2
    assert "Range" not in gets[0].headers
    assert gets[1].headers["Range"] == f"bytes={2 * CHUNK_BYTES}-"


def test_server_ignoring_range_restarts_from_zero(pbf: bytes, tmp_path: Path) -> None:
    cut = 2 * CHUNK_BYTES
    with LocalServer() as server:
        server.route("GET", PBF_PATH + ".md5", default=Reply(body=md5_line(pbf)))
        server.route("GET", PBF_PATH, Reply(body=pbf, cut_after=cut), default=Reply(body=pbf))
        path = fetch(server, tmp_path)
        gets = server.requests_to(PBF_PATH)
    assert path.read_bytes() == pbf
    assert gets[1].headers["Range"] == f"bytes={cut}-"  # asked, got 200, restarted


def test_part_left_by_an_earlier_run_is_resumed(pbf: bytes, tmp_path: Path) -> None:
    (tmp_path / "kazakhstan-latest.osm.pbf.part").write_bytes(pbf[:100])
    with LocalServer() as server:
        serve(server, pbf)
        path = fetch(server, tmp_path)
        gets = server.requests_to(PBF_PATH)
    assert path.read_bytes() == pbf
    assert [g.headers.get("Range") for g in gets] == ["bytes=100-"]


def test_wrong_checksum_is_rejected_and_nothing_kept(pbf: bytes, tmp_path: Path) -> None:
    wrong = "0" * 32
    with LocalServer() as server:
        serve(server, pbf, md5=f"{wrong}  kazakhstan-latest.osm.pbf\n".encode())
        with pytest.raises(DownloadError) as info:
            fetch(server, tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert server.url + PBF_PATH in message
    assert wrong in message and hashlib.md5(pbf).hexdigest() in message
    assert list(tmp_path.iterdir()) == []


def test_second_run_makes_no_request(pbf: bytes, tmp_path: Path) -> None:
    with LocalServer() as server:
        serve(server, pbf)
        first = fetch(server, tmp_path)
        count = len(server.requests)
        second = fetch(server, tmp_path)
        assert len(server.requests) == count == 2
    assert first == second


def test_changed_file_in_place_is_downloaded_again(pbf: bytes, tmp_path: Path) -> None:
    with LocalServer() as server:
        serve(server, pbf)
        path = fetch(server, tmp_path)
        path.write_bytes(b"damaged")
        fetch(server, tmp_path)
        assert len(server.requests_to(PBF_PATH)) == 2
    assert path.read_bytes() == pbf


def test_server_error_is_retried(pbf: bytes, tmp_path: Path) -> None:
    with LocalServer() as server:
        serve(server, pbf, Reply(status=500, body=b"oops"))
        server.route("GET", PBF_PATH + ".md5", Reply(status=503))
        path = fetch(server, tmp_path)
        assert [len(server.requests_to(p)) for p in (PBF_PATH + ".md5", PBF_PATH)] == [2, 2]
    assert path.read_bytes() == pbf


def test_persistent_server_error_gives_up(pbf: bytes, tmp_path: Path) -> None:
    with LocalServer() as server:
        serve(server, pbf)
        server.route("GET", PBF_PATH, *[Reply(status=502)] * 10)
        with pytest.raises(DownloadError, match="HTTP 502") as info:
            fetch(server, tmp_path)
        assert len(server.requests_to(PBF_PATH)) == 4  # first attempt and 3 retries
    assert server.url + PBF_PATH in str(info.value)
    assert not (tmp_path / "kazakhstan-latest.osm.pbf").exists()


def test_not_found_is_a_clear_error_without_retries(tmp_path: Path) -> None:
    with LocalServer() as server:
        with pytest.raises(DownloadError, match="HTTP 404") as info:
            fetch(server, tmp_path, "asia/atlantis")
        assert len(server.requests) == 1
    message = str(info.value)
    assert "\n" not in message
    assert f"{server.url}/asia/atlantis-latest.osm.pbf.md5" in message


def test_unreachable_server(tmp_path: Path) -> None:
    with LocalServer() as server:
        url = server.url
    with pytest.raises(DownloadError, match="failed after 2 attempts"):
        retrieve_geofabrik(
            "russia", base_url=url, dest_dir=tmp_path, timeout_s=2, retries=1, backoff_s=0.01
        )


def test_transfer_cut_every_time_without_range_support_gives_up(pbf: bytes, tmp_path: Path) -> None:
    with LocalServer() as server:
        serve(server, pbf)
        server.route("GET", PBF_PATH, default=Reply(body=pbf, cut_after=2 * CHUNK_BYTES + 10))
        with pytest.raises(DownloadError, match="failed after 4 attempts"):
            fetch(server, tmp_path)
        assert len(server.requests_to(PBF_PATH)) == 5  # 1 with progress, then 4 without
    assert not (tmp_path / "kazakhstan-latest.osm.pbf").exists()


def test_progress_is_logged_without_tqdm(
    pbf: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm fails even if installed
    caplog.set_level("INFO", logger="borderzone.download")
    with LocalServer() as server:
        serve(server, pbf)
        retrieve_geofabrik("kazakhstan", base_url=server.url, dest_dir=tmp_path, progress=True)
    assert any("100 % of" in r.getMessage() for r in caplog.records)


def test_md5_file_format() -> None:
    digest = hashlib.md5(b"x").hexdigest()
    assert parse_md5(f"{digest.upper()}  x.osm.pbf\n", source="x.md5") == digest
    assert parse_md5(digest, source="x.md5") == digest
    for text in ("", "not a checksum  x.osm.pbf", "<html>404</html>"):
        with pytest.raises(DownloadError, match="x.md5 holds no MD5"):
            parse_md5(text, source="x.md5")
