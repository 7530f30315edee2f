import hashlib
import json

import pytest
from deliverables_world import make_world, world_run_record

from borderzone import __version__
from borderzone.deliver.run_record import collect_run_record, file_record, metadata_strings


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
    assert record["osm_timestamp"] == "2025-01-01T00:00:00Z" and record["synthetic"] is False
    assert record["borderzone_version"] == __version__ and record["run_time_s"] is None
