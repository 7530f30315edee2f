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
