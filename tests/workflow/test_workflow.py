"""Run the Snakemake workflow end to end on small configs in a temporary directory."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import yaml
from canonical import tree_digests
from outlines import write_outlines
from workflow_helpers import REPO, run, snakemake

pytestmark = pytest.mark.workflow


def small_config(outlines: Path, **overrides) -> dict:
    config = {
        "pair": ["XAA", "XBB"],
        "buffers_km": [5, 20],
        "segment_km": 40,
        "official_length_km": 900,
        "countries": {
            "source": "file",
            "file": str(outlines),
            "layer": "countries",
            "iso3_column": "iso3",
        },
        "border": {"snap_m": 500, "max_gap_km": 10},
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="module")
def outlines(tmp_path_factory):
    return write_outlines(tmp_path_factory.mktemp("data") / "outlines.gpkg", notch_km=4)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, outlines):
    workdir = tmp_path_factory.mktemp("run")
    proc = run(workdir, small_config(outlines))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return workdir


def test_outputs_open_with_their_layers_and_crs(finished_run):
    border = finished_run / "results/XAA-XBB/border.gpkg"
    layers = {name for name, _ in pyogrio.list_layers(border)}
    assert layers == {"border", "border_gaps", "segments"}
    for width in ("5", "20"):
        zones = finished_run / f"results/XAA-XBB/{width}km/zones.gpkg"
        assert {name for name, _ in pyogrio.list_layers(zones)} == {"buffer", "cells"}
        info = pyogrio.read_info(zones, layer="cells")
        assert info["crs"] == "EPSG:4326"
        assert {"seg_id", "side", "area_km2"} <= set(info["fields"])
    meta = pyogrio.read_info(border, layer="border")["dataset_metadata"]
    assert meta["borderzone_version"] and len(meta["config_sha256"]) == 64
    assert (finished_run / "results/XAA-XBB/logs/build_border.log").read_text().count("gap") >= 1


def test_seg_ids_same_across_widths_and_runs(finished_run, tmp_path, outlines):
    segs = pyogrio.read_dataframe(finished_run / "results/XAA-XBB/border.gpkg", layer="segments")
    for width in ("5", "20"):
        cells = pyogrio.read_dataframe(
            finished_run / f"results/XAA-XBB/{width}km/zones.gpkg", layer="cells"
        )
        assert set(cells["seg_id"]) == set(segs["seg_id"])
    again = run(tmp_path, small_config(outlines, buffers_km=[20]))
    assert again.returncode == 0, again.stderr[-3000:]
    segs2 = pyogrio.read_dataframe(tmp_path / "results/XAA-XBB/border.gpkg", layer="segments")
    assert segs2["seg_id"].tolist() == segs["seg_id"].tolist()
    assert np.allclose(segs2["to_km"], segs["to_km"])
    assert segs2.geometry.geom_equals_exact(segs.geometry, tolerance=1e-12).all()


def test_other_widths_from_the_command_line(finished_run):
    proc = snakemake(finished_run, "--config", "buffers_km=[7.5,20]", cores=1)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (finished_run / "results/XAA-XBB/7.5km/zones.gpkg").exists()


def planned_outputs(workdir: Path, widths: str) -> set[str]:
    """Outputs that a run with other buffer widths would write (Snakemake's summary plan)."""
    proc = snakemake(workdir, "--summary", "--config", f"buffers_km={widths}", cores=1)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [line.split("\t") for line in proc.stdout.splitlines()[1:] if "\t" in line]
    return {row[0] for row in rows if row[-1] == "update pending"}


def test_chunks_of_the_border_give_the_layers_of_one_job(finished_run, tmp_path, outlines):
    """The cells measured in three chunks with a short halo: every layer is the same."""
    chunked = tmp_path / "chunked"
    shutil.copytree(finished_run, chunked)
    proc = run(chunked, small_config(outlines, chunks={"count": 3, "halo_km": 0.5}))
    assert proc.returncode == 0, proc.stderr[-3000:]
    logs = "".join(
        (chunked / f"results/XAA-XBB/logs/measure_cells_20km_{c}.log").read_text() for c in range(3)
    )
    assert "looked up within 1 km" in logs  # some cells' nearest nodes lie beyond the halo
    one, three = (tree_digests(d / "results/XAA-XBB") for d in (finished_run, chunked))
    assert len(one) >= 40 and "20km/metrics.gpkg:segment_metrics" in one
    assert one == three


@pytest.mark.parametrize(
    ("widths", "new"),
    [
        ("[5,20,10]", "results/XAA-XBB/10km/"),
        ("[20]", None),
        ("[5,20,12.5]", "results/XAA-XBB/12.5km/"),
    ],
)
def test_a_width_change_plans_only_that_width(finished_run, widths, new):
    pair_level = {"results/XAA-XBB/report.html", "results/XAA-XBB/webmap.html"}
    planned = planned_outputs(finished_run, widths)
    assert planned, "the dry run planned no job"
    other = {p for p in planned if p not in pair_level and not (new and p.startswith(new))}
    assert not other, f"a change of widths to {widths} would also rebuild {sorted(other)}"
    if new:
        assert f"{new}metrics.gpkg" in planned and f"{new}borderzone.gpkg" in planned
    # the web map shows every width; the report reads the widest, 20 km in each case
    assert "results/XAA-XBB/webmap.html" in planned
    assert "results/XAA-XBB/report.html" not in planned


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"pair": ["XAA", "XCC"]}, "pair: XAA and XCC share no border"),
        ({"pair": ["XAA", "ABC"]}, "pair: 'ABC' is not an ISO 3166-1 alpha-3 country code"),
        ({"pair": ["XAA", "FRA"]}, "has no outline for FRA"),
        ({"buffers_km": [0]}, "buffers_km[0]: 0 is less than or equal to the minimum of 0"),
        ({"buffers_km": [-5, 10]}, "buffers_km[0]: -5 is less than or equal to the minimum of 0"),
        ({"buffers_km": ["wide"]}, "buffers_km[0]: 'wide' is not of type 'number'"),
        (
            {"buffers_km": [5, 80]},
            "buffers_km: 80 km is wider than the OSM corridor (osm.corridor_km: 60 km)",
        ),
        ({"buffer_km": [5]}, "('buffer_km' was unexpected)"),
        ({"countries": {"file": "missing.gpkg"}}, "countries file missing.gpkg does not exist"),
        ({"countries": {"source": "osm"}}, "it needs osm.source pbf or geofabrik"),
        ({"osm": {"source": "pbf"}}, "osm.files: osm.source 'pbf' needs at least one"),
        ({"osm": {"source": "pbf", "files": ["no.pbf"]}}, "osm.files: no.pbf does not exist"),
        ({"osm": {"source": "ftp"}}, "osm.source: 'ftp' is not one of"),
    ],
)
def test_bad_configuration_stops_with_one_line(tmp_path, outlines, override, message):
    config = small_config(outlines)
    if "countries" in override:
        config["countries"] = {**config["countries"], **override.pop("countries")}
    config.update(override)
    proc = run(tmp_path, config)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("borderzone: bad configuration:")]
    assert len(errors) == 1 and message in errors[0], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "results").exists()


def test_dry_run_and_lint_leave_the_outlines_unread(tmp_path):
    # a file no reader opens: the check that reads it waits until jobs are about to run
    garbage = tmp_path / "garbage.gpkg"
    garbage.write_bytes(b"not a GeoPackage\n")
    config = small_config(garbage)
    for extra in ("--dry-run", "--lint"):
        proc = run(tmp_path, config, extra)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "bad configuration" not in proc.stderr
    proc = run(tmp_path, config)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("borderzone: bad configuration:")]
    assert len(errors) == 1, proc.stderr[-2000:]
    assert f"countries.file: countries file {garbage} cannot be read" in errors[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "results").exists()


def test_failed_rule_leaves_no_partial_output(tmp_path, outlines):
    # no stretch of the border is 100,000 km long: build_border fails after reading its input
    border = {"snap_m": 500, "max_gap_km": 10, "min_part_km": 100000}
    proc = run(tmp_path, small_config(outlines, border=border))
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if line.startswith("borderzone: pair")]
    assert len(errors) == 1 and "border.min_part_km=100000" in errors[0], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert not list((tmp_path / "results").rglob("*.gpkg"))


def test_crossings_lie_on_the_border_and_match_the_synthetic_truth(finished_run):
    import geopandas as gpd
    import pyproj
    import shapely

    from borderzone.crs import local_aeqd

    run_dir = finished_run / "results/XAA-XBB"
    line = gpd.read_file(run_dir / "border.gpkg", layer="border").geometry.iloc[0]
    crossings = gpd.read_file(run_dir / "crossings.gpkg", layer="crossings")
    truth = gpd.read_file(run_dir / "synthetic/truth.gpkg", layer="crossings")
    assert len(crossings) == len(truth) > 10
    assert crossings["crossing_id"].is_unique
    segs = gpd.read_file(run_dir / "border.gpkg", layer="segments")
    assert set(crossings["seg_id"]) <= set(segs["seg_id"])
    for p in crossings.geometry:
        fwd = pyproj.Transformer.from_crs(4326, local_aeqd(p.x, p.y), always_xy=True)
        local = shapely.transform(
            shapely.clip_by_rect(line, p.x - 0.1, p.y - 0.1, p.x + 0.1, p.y + 0.1),
            fwd.transform,
            interleaved=False,
        )
        assert local.distance(shapely.Point(0, 0)) < 1.0
    summary = pd.read_csv(run_dir / "crossings_summary.csv")
    roads = summary.query("group == 'kind' and item == 'road'")["value"].iloc[0]
    assert roads == (truth["kind"] == "road").sum()


def test_layers_and_deliverables_of_the_run(finished_run):
    import sqlite3

    import rasterio

    run_dir = finished_run / "results/XAA-XBB"
    for width in ("5", "20"):
        cells = pyogrio.read_dataframe(run_dir / f"{width}km/zones.gpkg", layer="cells")
        metrics = pyogrio.read_dataframe(
            run_dir / f"{width}km/metrics.gpkg", layer="segment_metrics"
        )
        assert len(metrics) == len(cells)
        assert {"population", "pop_density_km2", "isolation_index", "cluster_label"} <= set(
            metrics.columns
        )
        assert metrics["population"].sum() > 0
        with sqlite3.connect(run_dir / f"{width}km/borderzone.gpkg") as db:
            styled = {row[0] for row in db.execute("SELECT f_table_name FROM layer_styles")}
        assert {"crossings", "cells", "segments", "roads"} <= styled
        assert (run_dir / f"{width}km/borderzone.qgz").stat().st_size > 1000
    for name in ("distance_to_road", "travel_time_to_crossing", "population_density"):
        with rasterio.open(run_dir / f"rasters/{name}.tif") as ds:
            assert ds.crs is not None and ds.nodata is not None
            assert ds.overviews(1)  # COG layout: overviews inside
        assert (run_dir / f"rasters/{name}.qml").exists()
    report = (run_dir / "report.html").read_text()
    assert "SYNTHETIC" in report.upper()
    assert 'src="http' not in report and 'src="http' not in (run_dir / "webmap.html").read_text()


def test_default_rus_kaz_run_end_to_end(tmp_path):
    """The README's first command: the default config on the embedded data, all outputs."""
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["countries"]["file"] = str(REPO / config["countries"]["file"])
    config["admin"]["file"] = str(REPO / config["admin"]["file"])
    proc = run(tmp_path, config)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "SYNTHETIC" in proc.stderr  # the run says plainly that its roads are synthetic
    run_dir = tmp_path / "results/RUS-KAZ"
    border = pyogrio.read_dataframe(run_dir / "border.gpkg", layer="border")
    assert abs(border["length_km"].iloc[0] / 7644 - 1) < 0.02
    report = (run_dir / "report.html").read_text()
    assert "Length of the land border" in report and "7,644" in report
    for width in ("10", "25", "50"):
        assert (run_dir / f"{width}km/borderzone.qgz").exists()
    # the regions along the border, from Natural Earth: 12 Russian, 7 Kazakh (pre-2022)
    regions = pd.read_csv(run_dir / "50km/regions.csv")
    assert regions["side"].value_counts().to_dict() == {"RUS": 12, "KAZ": 7}
    truth = pyogrio.read_dataframe(run_dir / "synthetic/truth.gpkg", layer="crossings")
    found = pyogrio.read_dataframe(run_dir / "crossings.gpkg", layer="crossings")
    assert len(found) == len(truth)
