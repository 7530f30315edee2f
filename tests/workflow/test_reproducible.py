"""Two clean runs of the same inputs give byte-identical files under ``results/``.

Logs and benchmarks hold times and are skipped; every other file (GeoPackages, GeoParquet,
COGs and their styles, the QGIS project, the report, the web map, the synthetic world)
must repeat byte for byte. ``SOURCE_DATE_EPOCH`` is unset, so the undated path is tested:
the runs are seconds apart and any date read from the clock would differ.
"""

import sqlite3

import pytest
from outlines import write_outlines
from test_workflow import run, small_config

pytestmark = pytest.mark.workflow

SKIPPED = {"logs", "benchmarks"}


@pytest.fixture
def outlines(tmp_path):
    return write_outlines(tmp_path / "outlines.gpkg", notch_km=4)


def result_files(workdir):
    root = workdir / "results"
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not SKIPPED & set(p.relative_to(root).parts)
    )


def test_two_clean_runs_give_byte_identical_results(tmp_path, outlines, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("OGR_CURRENT_DATE", raising=False)
    config = small_config(outlines, buffers_km=[10])
    runs = [tmp_path / "first", tmp_path / "second"]
    for workdir in runs:
        workdir.mkdir()
        proc = run(workdir, config)
        assert proc.returncode == 0, proc.stderr[-3000:]
    first, second = (result_files(w) for w in runs)
    assert first == second
    assert {"XAA-XBB/10km/borderzone.gpkg", "XAA-XBB/10km/borderzone.qgz"} <= set(first)
    assert {"XAA-XBB/report.html", "XAA-XBB/rasters/population_density.tif"} <= set(first)
    differing = [
        f
        for f in first
        if (runs[0] / "results" / f).read_bytes() != (runs[1] / "results" / f).read_bytes()
    ]
    assert not differing, f"files differing between two clean runs: {differing}"
    # no hidden temporary file is left beside any output
    hidden = [f for f in first if any(part.startswith(".") for part in f.split("/"))]
    assert not hidden, hidden
    # the dates stored are not the clock's: undated (no OSM timestamp, no SOURCE_DATE_EPOCH)
    gpkg = runs[0] / "results/XAA-XBB/10km/borderzone.gpkg"
    with sqlite3.connect(gpkg) as con:
        changes = {r[0] for r in con.execute("SELECT last_change FROM gpkg_contents")}
        styles = {r[0] for r in con.execute("SELECT update_time FROM layer_styles")}
    assert changes == {"1970-01-01T00:00:00.000Z"}
    assert {s[:10] for s in styles} == {"1970-01-01"}
    report = (runs[0] / "results/XAA-XBB/report.html").read_text("utf-8")
    assert "dated unknown (no OSM\nreplication timestamp, SOURCE_DATE_EPOCH not set)" in report
