import sqlite3

import geopandas as gpd
import pyogrio
import pytest
from deliverables_world import make_world, world_layers
from deliverables_world import parse_qml as parse

from borderzone.deliver.geopackage import (
    LAYER_STYLES_COLUMNS,
    read_layer_styles,
    write_styled_geopackage,
)
from borderzone.deliver.styles import alternative_styles, default_styles
from borderzone.errors import InputDataError


@pytest.fixture(scope="module")
def layers(tmp_path_factory):
    return world_layers(make_world(tmp_path_factory.mktemp("world")))


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
    assert pyogrio.read_info(path, layer="crossings")["dataset_metadata"]["config_sha256"] == "abc"
    crossings = pyogrio.read_dataframe(path, layer="crossings")
    assert crossings["osm_ids"].iloc[0] == "1001;2001"


def test_geopackage_version_and_layer_order(layers, tmp_path):
    path = tmp_path / "styled.gpkg"
    write_styled_geopackage(layers, path, styles=default_styles(layers))
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone() == (10200,)  # GeoPackage 1.2
    assert [name for name, _ in pyogrio.list_layers(path)] == [*layers, "layer_styles"]


def test_a_layer_without_crs_is_an_input_error_and_leaves_nothing(layers, tmp_path):
    roads = layers["roads"]
    no_crs = gpd.GeoDataFrame(roads.drop(columns="geometry"), geometry=list(roads.geometry))
    bad = {**layers, "roads": no_crs}
    path = tmp_path / "out" / "styled.gpkg"
    with pytest.raises(InputDataError, match="layer roads for .* has no CRS"):
        write_styled_geopackage(bad, path, styles=default_styles(layers))
    assert list(path.parent.iterdir()) == []


def test_refuses_a_layer_named_layer_styles_and_styles_of_absent_layers(layers, tmp_path):
    with pytest.raises(InputDataError, match="layer_styles"):
        write_styled_geopackage({"layer_styles": layers["border"]}, tmp_path / "a.gpkg", styles={})
    with pytest.raises(InputDataError, match="not in the layers"):
        write_styled_geopackage(
            {"border": layers["border"]}, tmp_path / "b.gpkg", styles={"roads": "<qgis/>"}
        )
