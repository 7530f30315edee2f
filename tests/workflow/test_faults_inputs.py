"""Bad outlines, widths and paths: Snakemake stops with one exact line and writes nothing.

Each row of ``CASES`` is one bad input on the small synthetic world of ``test_workflow``:
the configuration (or the outlines file) it makes, and the line expected on stderr. The
widths and paths are caught at every parse, the outlines once jobs are about to run (the
``onstart`` check); either way before any job, so ``results/`` is never created.
"""

from pathlib import Path

import pytest
from outlines import write_outlines
from test_workflow import run, small_config

from borderzone.synth.demo import SYNTHETIC_NOTICE
from tests.unit.test_read_countries import (
    duplicate_far_row,
    empty_outline,
    line_outline,
    null_outline,
    touching_at_a_point,
    twisted_outline,
)

pytestmark = pytest.mark.workflow

BAD = "borderzone: bad configuration: "
NOT_METRES = "km is not a whole number of metres; give each width in km with at most 3 decimals"


def widths(*values):
    return lambda tmp, outlines: small_config(outlines, buffers_km=list(values))


def folder_as(key):
    """A configuration that gives the directory ``<tmp>/folder`` for ``key``."""

    def make(tmp, outlines):
        folder = tmp / "folder"
        folder.mkdir()
        config = small_config(outlines)
        if key == "countries.file":
            config["countries"]["file"] = str(folder)
        elif key == "population.file":
            config["population"] = {"source": "file", "file": str(folder)}
        elif key == "osm.files":
            config["osm"] = {"source": "pbf", "files": [str(folder)]}
        else:
            config["admin"] = {"source": "file", "file": str(folder)}
        return config

    return make


def outlines_from(build, **countries):
    """A configuration that reads the outlines ``build`` writes to ``<tmp>/bad.gpkg``."""

    def make(tmp, outlines):
        config = small_config(build(tmp / "bad.gpkg"))
        config["countries"].update(countries)
        return config

    return make


def good_outlines(path: Path) -> Path:
    """The outlines of ``test_workflow``: a border with one gap of 4 km."""
    return write_outlines(path, notch_km=4)


OUTLINE = BAD + "countries.file: countries file {tmp}/bad.gpkg"
CASES = {
    "width 1e-9": (widths(1e-9), BAD + f"buffers_km: 1e-09 {NOT_METRES} (at least 0.001)"),
    "width 12.3456": (
        widths(5, 12.3456),
        BAD + f"buffers_km: 12.3456 {NOT_METRES} (at least 0.001)",
    ),
    "width nan": (
        widths(float("nan")),
        BAD + "buffers_km: nan is not a width in km; give a number",
    ),
    "countries.file a directory": (
        folder_as("countries.file"),
        BAD + "countries.file: countries file {tmp}/folder is a directory, not a vector file; "
        "give the file itself",
    ),
    "population.file a directory": (
        folder_as("population.file"),
        BAD + "population.file: {tmp}/folder is a directory, not a GeoTIFF; give the file itself",
    ),
    "osm.files a directory": (
        folder_as("osm.files"),
        BAD + "osm.files: {tmp}/folder is a directory, not an .osm.pbf file; give the file itself",
    ),
    "admin.file a directory": (
        folder_as("admin.file"),
        BAD + "admin.file: {tmp}/folder is a directory, not a vector file; give the file itself",
    ),
    "NULL outline": (
        outlines_from(null_outline),
        OUTLINE + ": the outline of XBB (feature 2) is NULL; give it a polygon or remove the row",
    ),
    "empty outline": (
        outlines_from(empty_outline),
        OUTLINE + ": the outline of XBB (feature 2) is empty; give it a polygon or remove the row",
    ),
    "line as outline": (
        outlines_from(line_outline),
        OUTLINE + ": the outline of XBB (feature 2) is a LineString, not a Polygon or MultiPolygon",
    ),
    "outline twisted beyond repair": (
        outlines_from(twisted_outline),
        OUTLINE + ": the outline of XBB is invalid (Self-intersection[65.5 53.25]) and repairing "
        "it would change its area by +1,835.84 km² (+0.66 %), more than 10 km² or 1 %; fix the "
        "outline in the file",
    ),
    "second far-away row of one country": (
        outlines_from(duplicate_far_row),
        OUTLINE + " has 2 differing rows for XBB (features 2, 3); keep one outline per country "
        "(dissolve the rows first if they are parts of one country)",
    ),
    "countries touching at a point": (
        outlines_from(touching_at_a_point),
        BAD + "pair: XAA and XBB touch only at a point in {tmp}/bad.gpkg (near 64.000, 50.000): "
        "their outlines run within border.snap_m=500 m of each other along 1.0 km at most, less "
        "than the 1 km (2 x border.snap_m) a border needs; check the pair and the outlines",
    ),
    "missing layer": (
        outlines_from(good_outlines, layer="borders"),
        OUTLINE + " has no layer 'borders' (layers: countries)",
    ),
    "missing iso3 column": (
        outlines_from(good_outlines, iso3_column="ISO_A3"),
        OUTLINE + " has no column 'ISO_A3' (columns: iso3, name)",
    ),
}


@pytest.mark.parametrize(("make", "expected"), CASES.values(), ids=CASES.keys())
def test_bad_input_stops_with_one_line_and_no_output(tmp_path, make, expected):
    proc = run(tmp_path, make(tmp_path, good_outlines(tmp_path / "outlines.gpkg")))
    assert proc.returncode == 1, proc.stderr[-2000:]
    notice = f"borderzone: {SYNTHETIC_NOTICE}"  # the synthetic world's warning at each parse
    lines = [x for x in proc.stderr.splitlines() if x.startswith("borderzone:") and x != notice]
    assert lines == [expected.format(tmp=tmp_path)], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "results").exists()


def test_widths_to_the_metre_get_folders_that_round_trip(tmp_path):
    """0.001, 7.5, 12.25 and 100 km each plan their own folder (a dry run: no job runs)."""
    config = small_config(good_outlines(tmp_path / "o.gpkg"), buffers_km=[0.001, 7.5, 12.25, 100])
    config["osm"] = {"corridor_km": 100}
    proc = run(tmp_path, config, "--dry-run")
    assert proc.returncode == 0, proc.stderr[-2000:]
    for label in ("0.001", "7.5", "12.25", "100"):
        assert f"results/XAA-XBB/{label}km/borderzone.qgz" in proc.stdout + proc.stderr
    assert not (tmp_path / "results").exists()
