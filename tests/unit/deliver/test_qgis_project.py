import pytest
from deliverables_world import make_world, world_layers

from borderzone.deliver.geopackage import write_styled_geopackage
from borderzone.deliver.qgis_project import (
    GROUPS,
    ProjectLayer,
    project_layers,
    read_project_xml,
    write_qgis_project,
)
from borderzone.deliver.styles import default_styles
from borderzone.errors import InputDataError
from borderzone.qml import raster_pseudocolor_qml


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return make_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def layers(world):
    return world_layers(world)


def test_project_xml_has_relative_paths_groups_and_extent(layers, world, tmp_path):
    gpkg = tmp_path / "50km" / "borderzone.gpkg"
    styles = default_styles(layers)
    write_styled_geopackage(layers, gpkg, styles=styles)
    qml = raster_pseudocolor_qml(vmin=0, vmax=40)
    pl = project_layers(gpkg, layers, styles, rasters={"density": (world["raster"], qml)})
    write_qgis_project(tmp_path / "50km" / "borderzone.qgz", layers=pl, extent=world["extent"])
    root = read_project_xml(tmp_path / "50km" / "borderzone.qgz")
    assert root.tag == "qgis"
    assert root.find("properties/Paths/Absolute").text == "false"
    groups = [g.get("name") for g in root.find("layer-tree-group").findall("layer-tree-group")]
    assert groups == [g for g in GROUPS if g != "Metrics" or "segment_metrics" in layers]
    sources = [m.find("datasource").text for m in root.iter("maplayer")]
    assert all(not s.startswith("/") for s in sources)
    assert "./borderzone.gpkg|layername=crossings" in sources
    assert any(s.endswith("population_density.tif") and s.startswith("../") for s in sources)
    ids = {m.find("id").text for m in root.iter("maplayer")}
    tree_ids = {t.get("id") for t in root.iter("layer-tree-layer")}
    assert ids == tree_ids == {e.get("id") for e in root.find("layerorder")}
    crossings = next(m for m in root.iter("maplayer") if m.find("layername").text == "crossings")
    assert crossings.find("renderer-v2").get("type") == "RuleRenderer"
    assert crossings.get("labelsEnabled") == "1"
    ext = root.find("mapcanvas/extent")
    assert float(ext.find("xmin").text) == pytest.approx(world["extent"][0])
    assert root.find("projectCrs/spatialrefsys/authid").text == "EPSG:4326"


def test_project_refuses_missing_files(tmp_path):
    with pytest.raises(InputDataError, match="does not exist"):
        write_qgis_project(
            tmp_path / "p.qgz",
            layers=[ProjectLayer("x", tmp_path / "none.gpkg", "Border", layer="x")],
            extent=(0, 0, 1, 1),
        )
