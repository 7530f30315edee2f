import sqlite3
import xml.etree.ElementTree as ET

import pytest
from deliverables_world import make_world

from borderzone.deliver.qgis_project import (
    GROUPS,
    LAYER_STYLES_COLUMNS,
    deliverable_layers,
    project_layers,
    read_layer_styles,
    read_project_xml,
    write_qgis_project,
    write_styled_geopackage,
)
from borderzone.deliver.styles import (
    CROSSING_CATEGORIES,
    alternative_styles,
    crossing_rules,
    crossings_by_category_qml,
    default_styles,
    roads_qml,
)
from borderzone.qml import matching_rules, raster_pseudocolor_qml


def parse(qml: str) -> ET.Element:
    assert qml.startswith("<!DOCTYPE qgis")
    return ET.fromstring(qml.split("\n", 1)[1])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return make_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def layers(world):
    return deliverable_layers(
        border=world["border"],
        segments=world["segments"],
        buffer=world["buffer"],
        cells=world["cells"],
        network=world["network"],
        crossings=world["crossings"],
        metrics=world["metrics"],
    )


def test_every_layer_gets_a_valid_style(layers):
    styles = default_styles(layers)
    assert set(styles) == set(layers)
    expected = {
        "crossings": "RuleRenderer",
        "roads": "categorizedSymbol",
        "buffer": "categorizedSymbol",
        "cells": "graduatedSymbol",
        "segments": "graduatedSymbol",
        "segment_metrics": "graduatedSymbol",
        "places": "graduatedSymbol",
        "rail": "RuleRenderer",
        "border": "singleSymbol",
        "checkpoints": "singleSymbol",
    }
    for name, qml in styles.items():
        root = parse(qml)
        renderer = root.find("renderer-v2")
        assert renderer.get("type") == expected[name], name
        n_symbols = len(renderer.find("symbols"))
        assert n_symbols >= 1
        if renderer.get("type") == "graduatedSymbol":
            ranges = renderer.find("ranges")
            assert len(ranges) == n_symbols
            lows = [float(r.get("lower")) for r in ranges]
            assert lows == sorted(lows)
    assert parse(styles["cells"]).find("renderer-v2").get("attr") == "isolation_index"
    assert parse(styles["places"]).find("renderer-v2").get("attr") == 'coalesce("population", 0)'
    assert parse(styles["crossings"]).get("labelsEnabled") == "1"
    label = parse(styles["crossings"]).find("labeling/settings/text-style")
    assert label.get("fieldName") == '"crossing_id"'


def test_metric_classes_cover_the_data(layers):
    qml = parse(default_styles(layers)["cells"])
    ranges = qml.find("renderer-v2/ranges")
    lo, hi = float(ranges[0].get("lower")), float(ranges[-1].get("upper"))
    iso = layers["cells"]["isolation_index"]
    assert lo < iso.min() and hi >= iso.max()
    dens = parse(alternative_styles(layers)["cells"]["population density"])
    assert dens.find("renderer-v2").get("attr") == "pop_density_km2"


def test_crossing_rules_give_every_crossing_one_distinct_symbol(world):
    rules = crossing_rules()
    for row in world["crossings"].to_dict("records"):
        found = matching_rules(rules, row)
        assert len(found) == 1 and found[0].conditions is not None, row
    symbols = [r.symbol for r in rules]
    assert len(set(symbols)) == len(symbols)
    styles = __import__("borderzone.deliver.styles", fromlist=["crossings_qml"])
    root = parse(styles.crossings_qml())
    filters = [r.get("filter") for r in root.iter("rule")]
    assert filters[-1] == "ELSE"
    assert '"kind" = \'road\' AND "official" AND NOT "local_only"' in filters[0]


def test_category_style_lists_every_category():
    root = parse(crossings_by_category_qml())
    values = [c.get("value") for c in root.iter("category")]
    assert values == list(CROSSING_CATEGORIES)
    syms = root.find("renderer-v2/symbols")
    assert len(syms) == len(values)
    for s in syms:
        assert s.get("type") == "marker"
        assert s.find("layer").get("class") == "SimpleMarker"
        props = {o.get("name"): o.get("value") for o in s.find("layer/Option")}
        assert {"name", "color", "size"} <= set(props)


def test_roads_style_keeps_unknown_classes(world):
    root = parse(roads_qml(world["network"]["roads"]["highway"]))
    values = {c.get("value") for c in root.iter("category")}
    assert {"trunk", "primary", "track", "living_street", "trunk_link"} <= values


def test_raster_style():
    root = parse(raster_pseudocolor_qml(vmin=0, vmax=120))
    rr = root.find("pipe/rasterrenderer")
    assert rr.get("type") == "singlebandpseudocolor"
    items = rr.findall("rastershader/colorrampshader/item")
    assert float(items[0].get("value")) == 0 and float(items[-1].get("value")) == 120


def test_layer_styles_table(layers, tmp_path):
    path = tmp_path / "styled.gpkg"
    styles = default_styles(layers)
    write_styled_geopackage(
        layers,
        path,
        styles=styles,
        alternatives=alternative_styles(layers),
        metadata={"config_sha256": "abc"},
    )
    with sqlite3.connect(path) as con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
        kind = con.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name='layer_styles'"
        ).fetchone()
        geom_cols = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
    assert cols == ["id", *LAYER_STYLES_COLUMNS]
    assert kind == ("attributes",)
    t = read_layer_styles(path)
    defaults = t[t["useAsDefault"] == 1]
    assert sorted(defaults["f_table_name"]) == sorted(layers)
    assert (t["f_table_catalog"] == "").all() and (t["f_table_schema"] == "").all()
    for row in t.itertuples():
        assert row.f_geometry_column == geom_cols[row.f_table_name]
        parse(row.styleQML)
    assert defaults.set_index("f_table_name").loc["crossings", "styleQML"] == styles["crossings"]
    assert len(t) > len(defaults)  # the alternatives
    import pyogrio

    assert pyogrio.read_info(path, layer="crossings")["dataset_metadata"]["config_sha256"] == "abc"
    crossings = pyogrio.read_dataframe(path, layer="crossings")
    assert crossings["osm_ids"].iloc[0] == "1001;2001"


def test_project_xml_has_relative_paths_groups_and_extent(layers, world, tmp_path):
    gpkg = tmp_path / "50km" / "borderzone.gpkg"
    styles = default_styles(layers)
    write_styled_geopackage(layers, gpkg, styles=styles)
    qml = raster_pseudocolor_qml(vmin=0, vmax=40)
    pl = project_layers(gpkg, layers, styles, rasters={"density": (world["raster"], qml)})
    used = write_qgis_project(
        tmp_path / "50km" / "borderzone.qgz", layers=pl, extent=world["extent"], backend="xml"
    )
    assert used == "xml"
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
    from borderzone.deliver.qgis_project import ProjectLayer
    from borderzone.errors import InputDataError

    with pytest.raises(InputDataError, match="does not exist"):
        write_qgis_project(
            tmp_path / "p.qgz",
            layers=[ProjectLayer("x", tmp_path / "none.gpkg", "Border", layer="x")],
            extent=(0, 0, 1, 1),
        )
