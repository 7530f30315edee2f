"""The deliverable GeoPackage and QGIS project, opened and rendered in real QGIS.

PyQGIS lives in the system Python (Debian ``python3-qgis``), not in the project's
environment: the files are written here, then ``check_project.py`` opens them under
``/usr/bin/python3`` with ``QT_QPA_PLATFORM=offscreen`` and reports as JSON. Skipped when
that Python cannot import qgis, except under CI=true, where that is a failure.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from deliverables_world import make_world

from borderzone.deliver.geopackage import deliverable_layers, write_styled_geopackage
from borderzone.deliver.qgis_project import project_layers, write_qgis_project
from borderzone.deliver.styles import alternative_styles, default_styles
from borderzone.qml import raster_pseudocolor_qml

QGIS_PYTHON = os.environ.get("BORDERZONE_QGIS_PYTHON", "/usr/bin/python3")
CHECK = Path(__file__).with_name("check_project.py")
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"}
ENV.pop("PYTHONPATH", None)


def _has_qgis() -> bool:
    if not Path(QGIS_PYTHON).exists():
        return False
    r = subprocess.run(
        [QGIS_PYTHON, "-c", "import qgis.core"], env=ENV, capture_output=True, cwd="/"
    )
    return r.returncode == 0


@pytest.fixture(scope="module")
def qgis_python():
    if not _has_qgis():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{QGIS_PYTHON} cannot import qgis (apt-get install python3-qgis)")
        pytest.skip(f"{QGIS_PYTHON} cannot import qgis")
    return QGIS_PYTHON


@pytest.fixture(scope="module")
def checked(qgis_python, tmp_path_factory):
    d = tmp_path_factory.mktemp("qgis")
    data = d / "data"
    data.mkdir()
    w = make_world(data)
    layers = deliverable_layers(
        border=w["border"],
        segments=w["segments"],
        buffer=w["buffer"],
        cells=w["cells"],
        network=w["network"],
        crossings=w["crossings"],
        metrics=w["metrics"],
    )
    styles = default_styles(layers)
    gpkg = d / "50km" / "borderzone.gpkg"
    write_styled_geopackage(layers, gpkg, styles=styles, alternatives=alternative_styles(layers))
    qml = raster_pseudocolor_qml(vmin=0, vmax=40)
    w["raster"].with_suffix(".qml").write_text(qml)
    project = d / "50km" / "borderzone.qgz"
    pl = project_layers(gpkg, layers, styles, rasters={"population density": (w["raster"], qml)})
    write_qgis_project(project, layers=pl, extent=w["extent"])
    # the project must work from anywhere: move the whole tree before opening it
    moved = tmp_path_factory.mktemp("moved") / "tree"
    d.rename(moved)
    png = moved / "map.png"
    r = subprocess.run(
        [
            qgis_python,
            str(CHECK),
            str(moved / "50km" / "borderzone.qgz"),
            str(moved / "50km" / "borderzone.gpkg"),
            str(png),
        ],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        cwd="/",
    )
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["read"], out
    return out, layers, styles, moved


def test_every_layer_valid_nonempty_and_styled(checked):
    out, layers, styles, moved = checked
    expected = {
        "border",
        "segments",
        "buffer",
        "cells",
        "roads",
        "rail",
        "checkpoints",
        "places",
        "crossings",
        "segment_metrics",
        "population density",
    }
    assert set(out["layers"]) == expected
    for name, info in out["layers"].items():
        assert info["valid"], name
        assert info["features"] > 0, name
        assert str(moved) in info["source"], (name, info["source"])  # relative paths resolved
    kinds = {n: i["renderer"] for n, i in out["layers"].items()}
    assert kinds["crossings"] == "RuleRenderer"
    assert kinds["roads"] == "categorizedSymbol"
    assert kinds["buffer"] == "categorizedSymbol"
    for name in ("cells", "segments", "segment_metrics", "places"):
        assert kinds[name] == "graduatedSymbol", name
    assert kinds["population density"] == "singlebandpseudocolor"
    assert out["layers"]["crossings"]["labels"] and out["layers"]["places"]["labels"]
    for name, info in out["layers"].items():
        assert info.get("unmatched", 0) == 0, f"{name}: features without a symbol"


def test_geopackage_styles_apply_on_load(checked):
    out, layers, styles, _ = checked
    assert set(out["gpkg_defaults"]) == set(layers)
    for name, info in out["gpkg_defaults"].items():
        assert info["valid"], name
        assert info["renderer"] == out["layers"][name]["renderer"], name
        assert info["n_styles"] >= 1
    # the alternative style (crossings by category) is stored too
    assert out["gpkg_defaults"]["crossings"]["n_styles"] == 2


def test_groups_paths_extent_and_rendering(checked):
    out, *_ = checked
    assert list(out["groups"]) == ["Crossings", "Border", "Network", "Metrics", "Zones", "Rasters"]
    assert out["groups"]["Network"] == ["checkpoints", "places", "rail", "roads"]
    assert out["absolute_paths"] is False
    xmin, ymin, xmax, ymax = out["extent"]
    assert xmin < 50 and xmax > 60 and ymin < 50.7 and ymax > 51.3
    png = out["png"]
    assert Path(png["path"]).stat().st_size > 10_000
    assert png["nonwhite_share"] > 0.1 and png["colours"] > 20, png


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
