import sqlite3
import time
import zipfile

import pyogrio
import pytest
from deliverables_world import make_world, world_run_record

from borderzone.deliver.deliverables import RASTER_TITLES, write_deliverables
from borderzone.deliver.geopackage import read_layer_styles
from borderzone.deliver.qgis_project import read_project_xml
from borderzone.qml import raster_pseudocolor_qml


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    d = tmp_path_factory.mktemp("run")
    w = make_world(d)
    w["raster"].with_suffix(".qml").write_text(raster_pseudocolor_qml(vmin=0, vmax=40))
    gpkg, project = d / "50km" / "borderzone.gpkg", d / "50km" / "borderzone.qgz"
    write_deliverables(
        gpkg,
        project,
        border_layers={
            "border": w["border"],
            "segments": w["segments"],
            "border_gaps": w["border"].iloc[:0],
        },
        zones={"buffer": w["buffer"], "cells": w["cells"]},
        network=w["network"],
        crossings=w["crossings"],
        metrics=w["metrics"],
        rasters={"population_density": w["raster"]},
        metadata={"config_keys": "pair,osm"},
        run_record=world_run_record(w),
    )
    return gpkg, project


def test_geopackage_has_the_layers_their_styles_and_the_run_record(written):
    gpkg, _ = written
    names = [n for n, _ in pyogrio.list_layers(gpkg)]
    assert names[-1] == "layer_styles" and "border_gaps" not in names  # no gaps, no layer
    assert {"border", "segments", "cells", "crossings", "segment_metrics"} <= set(names)
    styles = read_layer_styles(gpkg)
    assert set(styles.loc[styles["useAsDefault"] == 1, "f_table_name"]) == set(names[:-1])
    meta = pyogrio.read_info(gpkg, layer="border")["dataset_metadata"]
    assert meta["config_keys"] == "pair,osm"  # the outputs' metadata
    assert meta["config_sha256"] == "c0ffee" and meta["synthetic"] == "true"  # the run record


def test_project_holds_the_layers_and_the_titled_raster(written):
    gpkg, project = written
    root = read_project_xml(project)
    names = [m.find("layername").text for m in root.iter("maplayer")]
    assert RASTER_TITLES["population_density"] in names and "crossings" in names
    assert root.find("title").text == "borderzone RUS-KAZ"


def deliver(w, folder, *, run_record):
    gpkg, project = folder / "borderzone.gpkg", folder / "borderzone.qgz"
    write_deliverables(
        gpkg,
        project,
        border_layers={
            "border": w["border"],
            "segments": w["segments"],
            "border_gaps": w["border"].iloc[:0],
        },
        zones={"buffer": w["buffer"], "cells": w["cells"]},
        network=w["network"],
        crossings=w["crossings"],
        metrics=w["metrics"],
        rasters={"population_density": w["raster"]},
        metadata={"config_keys": "pair,osm"},
        run_record=run_record,
    )
    return gpkg, project


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("world")
    w = make_world(d)
    w["raster"].with_suffix(".qml").write_text(raster_pseudocolor_qml(vmin=0, vmax=40))
    return w


def test_two_writes_are_byte_identical_and_dated_by_the_osm_timestamp(world, tmp_path):
    record = {**world_run_record(world), "osm_timestamp": "2025-01-02T03:04:05Z"}
    record.update(created="2025-01-02T03:04:05+00:00", date_source="OSM replication timestamp")
    first = deliver(world, tmp_path / "50km", run_record=record)
    before = [p.read_bytes() for p in first]
    time.sleep(1.1)  # a date from the clock would differ
    again = deliver(world, tmp_path / "50km", run_record=record)
    assert [p.read_bytes() for p in again] == before
    with sqlite3.connect(first[0]) as con:
        assert {r[0] for r in con.execute("SELECT last_change FROM gpkg_contents")} == {
            "2025-01-02T03:04:05.000Z"
        }
        assert {r[0] for r in con.execute("SELECT update_time FROM layer_styles")} == {
            "2025-01-02T03:04:05.000Z"
        }
    root = read_project_xml(first[1])
    assert root.get("saveDateTime") == "2025-01-02T03:04:05+00:00"
    with zipfile.ZipFile(first[1]) as zf:
        # zip times count in steps of 2 seconds
        assert [i.date_time for i in zf.infolist()] == [(2025, 1, 2, 3, 4, 4)]


def test_a_rerun_removes_what_a_killed_write_left_and_completes(world, tmp_path):
    folder = tmp_path / "50km"
    folder.mkdir()
    # what kill -9 during write_deliverables leaves: a partial GeoPackage with its journal,
    # a partial project, and (earlier versions) the temporaries named by tempfile
    partial = b"SQLite format 3\0" + bytes(3_000_000)
    left = {
        ".borderzone.gpkg.tmp-0123abcd.gpkg": partial,
        ".borderzone.gpkg.tmp-0123abcd.gpkg-journal": bytes(4096),
        ".borderzone.qgz.tmp-4567cdef.qgz": b"PK\3\4",
        ".borderzone.k3j2h1g0.gpkg": partial,
        ".borderzone.qgz.tmp": b"PK\3\4",
    }
    for name, data in left.items():
        (folder / name).write_bytes(data)
    gpkg, project = deliver(world, folder, run_record=world_run_record(world))
    assert sorted(p.name for p in folder.iterdir()) == ["borderzone.gpkg", "borderzone.qgz"]
    names = [n for n, _ in pyogrio.list_layers(gpkg)]
    assert names[-1] == "layer_styles" and "crossings" in names
    assert len(pyogrio.read_dataframe(gpkg, layer="crossings")) == len(world["crossings"])
    assert "crossings" in [
        m.find("layername").text for m in read_project_xml(project).iter("maplayer")
    ]
