"""Bad data files given to the workflow: each stops its rule with one line, leaving nothing.

One small run (synthetic world, one width) is built once; each case copies it, swaps one
input for a bad one (a population raster or an OSM extract) and runs the one rule that
reads it, on one core, so that the first failure ends the run. The case asserts the exact
``borderzone: ...`` line and that the rule left none of its outputs.
"""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pytest
import rasterio
import yaml
from osmium.osm.mutable import Node, Way
from outlines import border_coords, write_outlines
from rasterio.transform import Affine

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
PAIR = "results/XAA-XBB"
OSM_LAYERS = ("roads", "rail", "checkpoints", "places", "admin")
RULE_OUTPUTS = {
    "build_rasters": [
        f"{PAIR}/rasters/{name}{suffix}"
        for name in ("distance_to_road", "travel_time_to_crossing", "population_density")
        for suffix in (".tif", ".qml")
    ],
    "compute_segment_metrics": [
        f"{PAIR}/5km/{name}"
        for name in ("metrics.gpkg", "clusters.csv", "regions.csv", "region_pairs.csv")
    ],
    "measure_cells": [f"{PAIR}/5km/chunks/measures_0.parquet"],
    "extract_corridor": [f"{PAIR}/osm/{name}.parquet" for name in OSM_LAYERS],
}
# the default run's notice that its roads are synthetic (not an error)
NOTICE = "borderzone: SYNTHETIC roads and railways"

pytestmark = pytest.mark.workflow


def run(workdir: Path, config: dict, *targets: str, cores: int = 1) -> subprocess.CompletedProcess:
    cfg = workdir / "test-config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    return subprocess.run(
        [*SNAKEMAKE, "--directory", str(workdir), "--configfile", str(cfg)]
        + ["--cores", str(cores), *targets],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [
        line
        for line in proc.stderr.splitlines()
        if line.startswith("borderzone:") and not line.startswith(NOTICE)
    ]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, dict]:
    """A finished small run: border, one 5 km width, corridor, crossings, metrics, rasters."""
    data = tmp_path_factory.mktemp("data")
    outlines = write_outlines(data / "outlines.gpkg", notch_km=4)
    config = {
        "pair": ["XAA", "XBB"],
        "buffers_km": [5],
        "segment_km": 40,
        "official_length_km": 900,
        "countries": {"source": "file", "file": str(outlines), "layer": "countries"},
        "border": {"snap_m": 500, "max_gap_km": 10},
        "osm": {"corridor_km": 10, "synthetic": {"n_ways": 2000}},
    }
    workdir = tmp_path_factory.mktemp("prepared")
    targets = [RULE_OUTPUTS["build_rasters"][0], RULE_OUTPUTS["compute_segment_metrics"][0]]
    proc = run(workdir, config, *targets, cores=2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return workdir, config


# ------------------------------------------------------------------ bad inputs


def corridor_bounds(workdir: Path, layer: str) -> str:
    x0, y0, x1, y1 = gpd.read_file(workdir / f"{PAIR}/osm/corridor.gpkg", layer=layer).total_bounds
    return f"lon {x0:.2f} to {x1:.2f}, lat {y0:.2f} to {y1:.2f}"


def lonlat_raster(path: Path, *, west=57.5, east=70.5, crs="EPSG:4326", edit=None) -> Path:
    """One person per 0.01° pixel over 49.5-50.5°N, ``edit(values, lons)`` applied."""
    lons = west + 0.005 + 0.01 * np.arange(round((east - west) / 0.01))
    values = np.ones((100, len(lons)), dtype="float32")
    if edit is not None:
        edit(values, lons)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=values.shape[1],
        height=100,
        count=1,
        dtype="float32",
        crs=crs,
        transform=Affine(0.01, 0, west, 0, -0.01, 50.5),
        nodata=-1.0,
    ) as dst:
        dst.write(values, 1)
    return path


def not_a_raster(workdir: Path) -> tuple[dict, str]:
    path = workdir / "population.tif"
    path.write_text("<html><body>404 Not Found</body></html>\n")
    return {"population": path}, (
        f"population raster {path} is not a readable raster: not recognized as being in a "
        "supported file format"
    )


def truncated(workdir: Path) -> tuple[dict, str]:
    def edit(values, _):
        values += np.arange(values.size, dtype="float32").reshape(values.shape)

    whole = lonlat_raster(workdir / "whole.tif", edit=edit)  # 520 kB, its header first
    path = workdir / "population.tif"
    path.write_bytes(whole.read_bytes()[:200_000])  # a download cut short
    return {
        "population": path
    }, f"population raster {path} cannot be read (truncated or damaged?): "


def no_crs(workdir: Path) -> tuple[dict, str]:
    path = lonlat_raster(workdir / "population.tif", crs=None)
    return {"population": path}, f"population raster {path} has no CRS"


def elsewhere(workdir: Path) -> tuple[dict, str]:
    path = lonlat_raster(workdir / "population.tif", west=100.0, east=101.0)
    return {"population": path}, (
        f"population raster {path} does not overlap the corridor's land: the raster covers "
        f"lon 100.00 to 101.00, lat 49.50 to 50.50; the corridor's land "
        f"{corridor_bounds(workdir, 'buffer')}"
    )


def all_nodata(workdir: Path) -> tuple[dict, str]:
    path = lonlat_raster(workdir / "population.tif", edit=lambda v, _: v.fill(-1.0))
    return {"population": path}, f"population raster {path} holds only nodata over the 5 km cells"


def west_third(workdir: Path) -> tuple[dict, str]:
    def edit(values, lons):
        values[:, lons > 61.6] = -1.0  # nodata east of 61.6°E: data over 3.6° of 12°

    path = lonlat_raster(workdir / "population.tif", edit=edit)
    # 30 % of the cells' land, give or take the notch and the sine's small change of scale
    return {"population": path}, re.compile(
        rf"population raster {re.escape(str(path))} holds data over only (29\.[5-9]|30\.[0-4]) "
        r"% of the 5 km cells \(0\.0 % outside its extent, (69\.[6-9]|70\.[0-5]) % nodata\); "
        r"at least 50 % is needed"
    )


def negative(workdir: Path) -> tuple[dict, str]:
    lon, lat = border_coords()[600]  # 61°E, on the border; 3 pixels south: XAA's land

    def edit(values, lons):
        values[int((50.5 - lat) / 0.01) + 3, int(np.argmin(np.abs(lons - lon)))] = -453.0

    path = lonlat_raster(workdir / "population.tif", edit=edit)
    return {"population": path}, (
        f"population raster {path} holds negative values over the corridor's land (down to "
        "-453); people per pixel cannot be negative: if -453 marks missing data, set it as "
        "the file's nodata value"
    )


def osm_elsewhere(workdir: Path) -> tuple[dict, str]:
    header = osmium.io.Header()
    header.add_box(osmium.osm.Box(osmium.osm.Location(30, 40), osmium.osm.Location(31, 41)))
    path = workdir / "city.osm.pbf"
    with osmium.SimpleWriter(str(path), header=header) as writer:
        for i in range(1, 4):
            writer.add_node(Node(id=i, location=(30 + i / 10, 40.5), tags={"place": "town"}))
        writer.add_way(Way(id=1, nodes=[1, 2, 3], tags={"highway": "primary"}))
    return {"osm": path}, (
        f"OSM file {path} holds no road, railway or place inside the corridor "
        f"({corridor_bounds(workdir, 'corridor')}): city.osm.pbf covers lon 30.00 to 31.00, "
        "lat 40.00 to 41.00; give an extract that covers the border"
    )


CASES: list[tuple[str, Callable[[Path], tuple[dict, str | re.Pattern]], str]] = [
    ("population not a raster", not_a_raster, "build_rasters"),
    ("population truncated", truncated, "build_rasters"),
    ("population without CRS", no_crs, "measure_cells"),
    ("population elsewhere", elsewhere, "build_rasters"),
    ("population all nodata", all_nodata, "measure_cells"),
    ("population over 30 %", west_third, "measure_cells"),
    ("population negative", negative, "build_rasters"),
    ("OSM extract elsewhere", osm_elsewhere, "extract_corridor"),
]


@pytest.mark.parametrize(("make", "rule"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_data_file_stops_its_rule_with_one_line(prepared, tmp_path, make, rule):
    source, config = prepared
    workdir = tmp_path / "run"
    shutil.copytree(source, workdir, symlinks=True)
    given, message = make(workdir)
    config = {**config}
    if "population" in given:
        config["population"] = {"source": "file", "file": str(given["population"])}
    if "osm" in given:  # the synthetic world's raster comes only with its own OSM data
        config["osm"] = {**config["osm"], "source": "pbf", "files": [str(given["osm"])]}
        config["population"] = {"source": "places"}
    outputs = RULE_OUTPUTS[rule]
    proc = run(workdir, config, outputs[0])
    assert proc.returncode != 0
    errors = error_lines(proc)
    assert len(errors) == 1, proc.stderr[-3000:]
    if isinstance(message, re.Pattern):
        assert re.fullmatch(f"borderzone: {message.pattern}", errors[0]), errors[0]
    elif message.endswith(": "):  # the rest is GDAL's reason
        assert errors[0].startswith(f"borderzone: {message}") and len(errors[0]) > len(message)
    else:
        assert errors[0] == f"borderzone: {message}"
    assert f"Error in rule {rule}:" in proc.stderr
    assert "Traceback" not in proc.stderr
    left = [name for name in outputs if (workdir / name).exists()]
    assert not left, left
    if rule == "build_rasters":  # not even a temporary
        rasters = workdir / f"{PAIR}/rasters"
        assert not rasters.exists() or list(rasters.iterdir()) == []


def test_tags_that_are_not_utf8_are_replaced_and_counted(prepared, tmp_path):
    source, config = prepared
    workdir = tmp_path / "run"
    shutil.copytree(source, workdir, symlinks=True)
    places = pd.read_parquet(workdir / f"{PAIR}/osm/places.parquet")
    roads = pd.read_parquet(workdir / f"{PAIR}/osm/roads.parquet")
    bad_nodes = set(places["osm_id"].sort_values().iloc[:3])
    bad_ways = set(roads["osm_id"].sort_values().iloc[:2])
    world = workdir / f"{PAIR}/synthetic/world.osm.pbf"
    path = workdir / "bad-utf8.osm.pbf"
    # pyosmium writes bytes tag values as they are: the file holds the bytes unchanged
    with osmium.SimpleWriter(str(path)) as writer:
        for obj in osmium.FileProcessor(str(world)):
            kind = "node" if obj.is_node() else "way" if obj.is_way() else "relation"
            if obj.id in {"node": bad_nodes, "way": bad_ways}.get(kind, ()):
                tags = {t.k: t.v for t in obj.tags}
                tags["name"] = tags.get("name", "x").encode() + b"\xff\xfe"
                obj = obj.replace(tags=tags)
            getattr(writer, f"add_{kind}")(obj)
    config = {
        **config,
        "osm": {**config["osm"], "source": "pbf", "files": [str(path)]},
        "population": {"source": "places"},
    }
    proc = run(workdir, config, f"{PAIR}/osm/places.parquet")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert error_lines(proc) == [] and "Traceback" not in proc.stderr
    log = (workdir / f"{PAIR}/logs/extract_corridor.log").read_text()
    assert (
        f"WARNING borderzone.osm.scan: {path}: 5 object(s) have tag values that are not valid "
        "UTF-8, read with U+FFFD in place of the bad bytes: "
    ) in log
    names = pd.read_parquet(workdir / f"{PAIR}/osm/places.parquet").set_index("osm_id")["name"]
    assert all(names[i].endswith("\ufffd\ufffd") for i in bad_nodes)
    assert names.str.contains("\ufffd").sum() == 3
