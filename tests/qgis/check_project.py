"""Open a borderzone QGIS project in real QGIS (PyQGIS) and report on it as JSON.

Run with the system Python that has PyQGIS, headless:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/check_project.py \
        PROJECT.qgz GEOPACKAGE.gpkg OUT.png

Prints one JSON object: for every project layer its validity, feature count, renderer
type, and for vector layers how many features no symbol of the renderer matches; for every
layer of the GeoPackage added on its own, the renderer its default style (from
``layer_styles``) gives it; the project's groups, extent and path setting; and the share
of non-background pixels and the number of colours of the rendered PNG.
"""

import json
import sqlite3
import sys

from qgis.core import (
    QgsApplication,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapLayerType,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRenderContext,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def main(project_path: str, gpkg: str, png: str) -> dict:
    project = QgsProject.instance()
    if not project.read(project_path):
        return {"read": False, "error": project.error()}
    out: dict = {"read": True, "layers": {}, "gpkg_defaults": {}}
    root = project.layerTreeRoot()
    out["groups"] = {g.name(): [lyr.name() for lyr in g.findLayers()] for g in root.findGroups()}
    out["absolute_paths"] = project.readBoolEntry("Paths", "/Absolute", True)[0]
    for layer in project.mapLayers().values():
        info: dict = {"valid": layer.isValid(), "source": layer.source()}
        if layer.type() == QgsMapLayerType.VectorLayer:
            renderer = layer.renderer().clone()
            info["features"] = layer.featureCount()
            info["renderer"] = renderer.type() if renderer else None
            info["labels"] = layer.labelsEnabled()
            ctx = QgsRenderContext()
            ctx.setExpressionContext(
                QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
            )
            renderer.startRender(ctx, layer.fields())
            unmatched = 0
            for feat in layer.getFeatures():
                ctx.expressionContext().setFeature(feat)
                if not renderer.symbolsForFeature(feat, ctx):
                    unmatched += 1
            renderer.stopRender(ctx)
            info["unmatched"] = unmatched
            if renderer.type() in ("categorizedSymbol", "graduatedSymbol", "RuleRenderer"):
                info["classes"] = len(renderer.legendSymbolItems())
        else:
            info["renderer"] = layer.renderer().type() if layer.renderer() else None
            info["features"] = layer.width() * layer.height()
        out["layers"][layer.name()] = info
    with sqlite3.connect(gpkg) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
    for name in names:
        if name == "layer_styles":
            continue
        lyr = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        styles = lyr.listStylesInDatabase()
        out["gpkg_defaults"][name] = {
            "valid": lyr.isValid(),
            "renderer": lyr.renderer().type() if lyr.renderer() else None,
            "n_styles": styles[0] if styles else 0,
        }
    view = project.viewSettings().defaultViewExtent()
    out["extent"] = [view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum()]

    settings = QgsMapSettings()
    settings.setLayers(root.checkedLayers())
    settings.setDestinationCrs(project.crs())
    settings.setExtent(view)
    settings.setOutputSize(QSize(1000, 500))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(png, "PNG")
    white = QColor(255, 255, 255).rgb()
    n = 0
    colours = set()
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            px = image.pixel(x, y)
            colours.add(px)
            n += px != white
    out["png"] = {
        "path": png,
        "nonwhite_share": n / ((image.height() // 4) * (image.width() // 4)),
        "colours": len(colours),
    }
    return out


if __name__ == "__main__":
    app = QgsApplication([], False)
    app.initQgis()
    try:
        result = main(*sys.argv[1:4])
    finally:
        QgsProject.instance().clear()
    print(json.dumps(result))
    app.exitQgis()
