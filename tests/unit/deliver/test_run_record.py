import datetime as dt
import hashlib
import json
import os

import pytest
from deliverables_world import make_world, world_run_record

from borderzone import __version__
from borderzone.deliver.run_record import (
    file_record,
    metadata_strings,
    read_source_records,
    record_date,
    record_sources,
    run_record,
    source_records,
)


def collect_run_record(sources, **kwargs):
    """The record of a run as the workflow builds it: the sources read once, then recorded."""
    return run_record(**source_records(sources), **kwargs)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return make_world(tmp_path_factory.mktemp("world"))


def test_metadata_strings(world):
    record = world_run_record(world)
    assert metadata_strings(record)["synthetic"] == "true"
    assert metadata_strings(record)["config_sha256"] == "c0ffee"
    assert json.loads(metadata_strings(record)["sources"]) == record["sources"]


def test_file_record_has_size_and_checksum(world):
    rec = file_record(world["raster"], role="population", note="synthetic")
    data = world["raster"].read_bytes()
    assert rec["sha256"] == hashlib.sha256(data).hexdigest() and rec["bytes"] == len(data)
    assert (rec["role"], rec["name"], rec["note"]) == (
        "population",
        "population_density.tif",
        "synthetic",
    )


def test_collect_run_record_reads_the_osm_timestamp_and_skips_missing_files(world, tmp_path):
    import osmium

    pbf = tmp_path / "world.osm.pbf"
    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", "2025-01-01T00:00:00Z")
    writer = osmium.SimpleWriter(str(pbf), 0, header)
    writer.add_node(osmium.osm.mutable.Node(id=1, location=(50, 51)))
    writer.close()
    record = collect_run_record(
        [("population", world["raster"]), ("osm", pbf), ("admin", tmp_path / "absent.gpkg")],
        config_sha256="abc",
        synthetic=False,
    )
    assert [s["role"] for s in record["sources"]] == ["population", "osm"]
    assert [s["sha256"] for s in record["sources"]] == [
        hashlib.sha256(open(p, "rb").read()).hexdigest() for p in (world["raster"], pbf)
    ]
    assert record["osm_timestamp"] == "2025-01-01T00:00:00Z" and record["synthetic"] is False
    assert record["borderzone_version"] == __version__ and record["run_time_s"] is None


def pbf_with_timestamp(path, stamp):
    import osmium

    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", stamp)
    writer = osmium.SimpleWriter(str(path), 0, header)
    writer.add_node(osmium.osm.mutable.Node(id=1, location=(50, 51)))
    writer.close()
    return path


def test_the_record_is_dated_by_the_newest_osm_timestamp_never_the_clock(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    old = pbf_with_timestamp(tmp_path / "a.osm.pbf", "2024-03-01T20:21:22Z")
    new = pbf_with_timestamp(tmp_path / "b.osm.pbf", "2025-01-02T03:04:05Z")
    record = collect_run_record([("osm", old), ("osm", new)], config_sha256="a", synthetic=False)
    assert record["created"] == "2025-01-02T03:04:05+00:00"
    assert record["date_source"] == "OSM replication timestamp"
    assert record_date(record) == dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert [s["date"] for s in record["sources"]] == ["2024-03-01", "2025-01-02"]


def test_source_date_epoch_dates_the_record(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pbf = pbf_with_timestamp(tmp_path / "a.osm.pbf", "2024-03-01T20:21:22Z")
    record = collect_run_record([("osm", pbf)], config_sha256="a", synthetic=False)
    assert (record["created"], record["date_source"]) == (
        "2023-11-14T22:13:20+00:00",
        "SOURCE_DATE_EPOCH",
    )


def test_without_either_the_record_is_undated(world, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    record = collect_run_record(
        [("population", world["raster"])], config_sha256="a", synthetic=True
    )
    assert (record["created"], record["date_source"]) == ("", "")
    assert record_date(record) is None


def test_a_source_date_is_its_contents_not_its_modification_time(tmp_path):
    plain = tmp_path / "outlines.gpkg"
    plain.write_bytes(b"x")
    os.utime(plain, (978307200, 978307200))  # 2001-01-01: must not show
    assert file_record(plain)["date"] == ""
    download = tmp_path / "kazakhstan.tif"
    download.write_bytes(b"x")
    record = {"url": "u", "downloaded": "2025-02-03T04:05:06+00:00"}
    (tmp_path / "kazakhstan.tif.json").write_text(json.dumps(record))
    assert file_record(download)["date"] == "2025-02-03"
    record["last_modified"] = "Wed, 21 Oct 2015 07:28:00 GMT"
    (tmp_path / "kazakhstan.tif.json").write_text(json.dumps(record))
    assert file_record(download)["date"] == "2015-10-21"


def test_source_records_written_once_read_back_the_same_and_all_or_nothing(world, tmp_path):
    out = tmp_path / "out"
    path = out / "sources.json"
    sources = [("population", world["raster"]), ("admin", tmp_path / "absent.gpkg")]
    record_sources(sources, path)
    assert read_source_records(path) == source_records(sources)
    assert [s["role"] for s in read_source_records(path)["sources"]] == ["population"]
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a PBF")
    with pytest.raises(RuntimeError):
        record_sources([("osm", bad)], path)
    assert read_source_records(path) == source_records(sources)  # the first one kept
    assert [p.name for p in out.iterdir()] == ["sources.json"]  # no temporary left
