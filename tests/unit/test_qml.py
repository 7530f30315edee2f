import xml.etree.ElementTree as ET

from deliverables_world import parse_qml as parse

from borderzone.qml import (
    DOCTYPE,
    Symbol,
    parse_qgis_document,
    qgis_document,
    raster_pseudocolor_qml,
    single_symbol_qml,
)


def test_raster_style():
    root = parse(raster_pseudocolor_qml(vmin=0, vmax=120))
    rr = root.find("pipe/rasterrenderer")
    assert rr.get("type") == "singlebandpseudocolor"
    items = rr.findall("rastershader/colorrampshader/item")
    assert float(items[0].get("value")) == 0 and float(items[-1].get("value")) == 120


def test_documents_round_trip_with_or_without_doctype():
    text = single_symbol_qml(geometry="line", symbol=Symbol("#1a1a1a", size=1.0))
    assert text.startswith(DOCTYPE + "\n")
    root = parse_qgis_document(text)
    assert root.tag == "qgis" and root.find("renderer-v2").get("type") == "singleSymbol"
    assert qgis_document(root) == DOCTYPE + "\n" + ET.tostring(root, encoding="unicode")
    assert parse_qgis_document(ET.tostring(root, encoding="unicode")).tag == "qgis"
