"""Tests of the writers of borderzone.io: the same bytes from the same data, a full disk said
in one line naming the file, and nothing left behind by a failed or killed write."""

import datetime as dt
import errno
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from full_disk import on_full_disk

from borderzone.errors import ConfigError, InputDataError
from borderzone.io import (
    clear_interrupted_writes,
    iter_parquet,
    read_arrow_layer,
    read_parquet,
    replacing,
    temporaries,
    write_date,
    write_layers,
    write_parquet,
)
from borderzone.logs import rule_log

SRC = Path(__file__).resolve().parents[2] / "src"


def points(n: int = 50) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(0)
    return gpd.GeoDataFrame(
        {"v": np.arange(n), "name": [f"place {i}" for i in range(n)]},
        geometry=shapely.points(rng.uniform(58, 70, n), rng.uniform(49, 51, n)),
        crs="EPSG:4326",
    )


def last_changes(path: Path) -> set[str]:
    with sqlite3.connect(path) as con:
        return {r[0] for r in con.execute("SELECT last_change FROM gpkg_contents")}


@pytest.fixture(autouse=True)
def no_dates_from_the_environment(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("OGR_CURRENT_DATE", raising=False)


# --------------------------------------------------------------------------------------
# the same bytes from the same data
# --------------------------------------------------------------------------------------


def test_two_writes_of_the_same_layers_are_byte_identical_and_undated(tmp_path):
    a, b = tmp_path / "a" / "zones.gpkg", tmp_path / "b" / "zones.gpkg"
    write_layers(a, {"cells": points(), "table": points().drop(columns="geometry")})
    time.sleep(1.1)  # a date from the clock would differ
    write_layers(b, {"cells": points(), "table": points().drop(columns="geometry")})
    assert a.read_bytes() == b.read_bytes()
    assert last_changes(a) == {"1970-01-01T00:00:00.000Z"}


def lines(n: int = 40) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(1)
    starts = np.c_[rng.uniform(58, 70, n), rng.uniform(49, 51, n)]
    return gpd.GeoDataFrame(
        {"osm_id": np.arange(n), "highway": rng.choice(["primary", "track", None], n)},
        geometry=shapely.linestrings(np.stack([starts, starts + 0.01, starts + [0.02, 0]], 1)),
        crs="EPSG:4326",
    )


def test_a_layer_read_as_arrow_is_written_as_the_frame_would_be(tmp_path):
    source = tmp_path / "network.gpkg"
    write_layers(source, {"roads": lines(), "places": points(), "none": points().iloc[:0]})
    arrow = {name: read_arrow_layer(source, name) for name in ("roads", "places", "none")}
    assert len(arrow["roads"]) == 40 and arrow["roads"].columns == ["osm_id", "highway"]
    assert arrow["roads"]["highway"].isna().sum() == (lines()["highway"].isna()).sum()
    # each layer after one of its own, as the deliverables put them
    first = {"cells": points(7)}
    a, b = tmp_path / "a" / "out.gpkg", tmp_path / "b" / "out.gpkg"
    write_layers(a, {**first, "roads": lines(), "places": points(), "none": points().iloc[:0]})
    write_layers(b, {**first, **arrow})
    assert a.read_bytes() == b.read_bytes()


def test_reading_a_missing_file_as_arrow_names_it(tmp_path):
    with pytest.raises(InputDataError, match="missing.gpkg does not exist"):
        read_arrow_layer(tmp_path / "missing.gpkg", "roads")


def test_the_date_written_is_the_one_given_else_source_date_epoch(tmp_path, monkeypatch):
    given = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    write_layers(tmp_path / "given.gpkg", {"p": points()}, date=given)
    assert last_changes(tmp_path / "given.gpkg") == {"2024-05-06T07:08:09.000Z"}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write_layers(tmp_path / "epoch.gpkg", {"p": points()}, metadata={"k": "v"})
    assert last_changes(tmp_path / "epoch.gpkg") == {"2023-11-14T22:13:20.000Z"}
    with sqlite3.connect(tmp_path / "epoch.gpkg") as con:
        stamps = {r[0] for r in con.execute("SELECT timestamp FROM gpkg_metadata_reference")}
    assert stamps == {"2023-11-14T22:13:20.000Z"}
    # GDAL's option is put back as it was
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None


def test_a_date_set_by_the_caller_for_gdal_is_kept(tmp_path):
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2020-01-01T00:00:00.000Z"})
    try:
        write_layers(tmp_path / "w.gpkg", {"p": points()})
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    assert last_changes(tmp_path / "w.gpkg") == {"2020-01-01T00:00:00.000Z"}


@pytest.mark.parametrize("value", ["abc", "1.5e9", "2024-01-01"])
def test_a_source_date_epoch_that_is_not_seconds_is_one_line(value, monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(ConfigError) as err:
        write_layers(tmp_path / "w.gpkg", {"p": points()})
    assert str(err.value) == (
        f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970; "
        "set it to e.g. $(git log -1 --format=%ct) or unset it"
    )
    assert list(tmp_path.iterdir()) == []


def test_write_date_never_reads_the_clock(monkeypatch):
    assert write_date() == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert write_date(dt.datetime(2024, 1, 2, 3, 4, 5, 678)) == dt.datetime(
        2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert write_date() == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def test_a_parquet_file_read_in_batches_is_the_file(tmp_path):
    rng = np.random.default_rng(0)
    lines = gpd.GeoDataFrame(
        {
            "highway": rng.choice(["primary", "track", None], 1234),
            "name": "x",
            "n": np.arange(1234),
        },
        geometry=[
            shapely.LineString(rng.uniform(0, 10, (int(rng.integers(2, 9)), 2)))
            for _ in range(1234)
        ],
        crs="EPSG:4326",
    )
    write_parquet(lines, tmp_path / "roads.parquet")
    batches = list(
        iter_parquet(tmp_path / "roads.parquet", columns=["highway", "n"], batch_rows=100)
    )
    assert [len(b) for b in batches] == [100] * 12 + [34]
    together = gpd.GeoDataFrame(pd.concat(batches, ignore_index=True), crs=batches[0].crs)
    whole = read_parquet(tmp_path / "roads.parquet")
    assert list(together.columns) == ["highway", "n", "geometry"] and together.crs == whole.crs
    assert together.drop(columns="geometry").equals(whole[["highway", "n"]])
    assert shapely.equals_exact(together.geometry.values, whole.geometry.values, 0).all()
    with pytest.raises(InputDataError, match="missing.parquet does not exist"):
        next(iter_parquet(tmp_path / "missing.parquet"))
    # some columns at once: those asked for that the file has, and the geometry
    some = read_parquet(tmp_path / "roads.parquet", columns=("n", "ref", "highway"))
    assert list(some.columns) == ["highway", "n", "geometry"] and some.crs == whole.crs
    assert some.equals(whole[["highway", "n", "geometry"]])


def test_a_parquet_file_read_by_values_keeps_the_rows_that_hold_one(tmp_path):
    rng = np.random.default_rng(1)
    ids = rng.permutation(500) + 10
    lines = gpd.GeoDataFrame(
        {"osm_id": ids, "ref": rng.choice(["A1", "B2", "", None], 500), "name": "x"},
        geometry=[shapely.LineString([(i, 0), (i, 1)]) for i in range(500)],
        crs="EPSG:4326",
    )
    write_parquet(lines, tmp_path / "roads.parquet")
    values = ["B2", str(ids[7]), str(ids[300]), "nothing"]
    got = read_parquet(
        tmp_path / "roads.parquet",
        columns=["osm_id", "ref"],
        any_in={"osm_id": values, "ref": values, "absent": values},
    )
    keep = lines["ref"].isin(values) | lines["osm_id"].astype(str).isin(values)
    assert keep.sum() > 2 and not keep.all()
    want = lines.loc[keep, ["osm_id", "ref", "geometry"]].reset_index(drop=True)
    assert got.drop(columns="geometry").equals(want.drop(columns="geometry"))
    assert shapely.equals_exact(got.geometry.values, want.geometry.values, 0).all()
    assert read_parquet(tmp_path / "roads.parquet", any_in={"ref": []}).empty


def test_two_parquet_writes_are_byte_identical(tmp_path):
    write_parquet(points(), tmp_path / "a.parquet")
    write_parquet(points(), tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


# --------------------------------------------------------------------------------------
# nothing left behind
# --------------------------------------------------------------------------------------

KILLED_WRITER = """
import sys
import geopandas as gpd, numpy as np, shapely
from borderzone.io import write_layers
n = 400_000
xy = shapely.points(np.random.rand(n), np.random.rand(n))
g = gpd.GeoDataFrame({"v": np.arange(n)}, geometry=xy, crs=4326)
print("ready", flush=True)
write_layers(sys.argv[1], {f"layer{i}": g for i in range(20)})
"""


def test_a_killed_write_leaves_a_temporary_file_that_the_next_write_removes(tmp_path):
    dest = tmp_path / "results" / "zones.gpkg"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(dest)],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 60
        while not temporaries(dest) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # some layers in it
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    left = temporaries(dest)
    assert left and not dest.exists(), "the kill came too late to test anything"
    write_layers(dest, {"cells": points()})
    assert temporaries(dest) == []
    assert sorted(p.name for p in dest.parent.iterdir()) == ["zones.gpkg"]
    assert len(pyogrio.read_dataframe(dest, layer="cells")) == 50


def test_stale_temporaries_of_this_and_earlier_versions_are_removed(tmp_path):
    dest = tmp_path / "borderzone.gpkg"
    stale = [
        ".borderzone.gpkg.tmp-0123abcd.gpkg",  # this version, with SQLite's journal
        ".borderzone.gpkg.tmp-0123abcd.gpkg-journal",
        ".borderzone.k3j2h1g0.gpkg",  # tempfile.mkstemp, as written before
    ]
    for name in stale:
        (tmp_path / name).write_bytes(b"SQLite format 3\0" + b"\0" * 3_000_000)
    (tmp_path / ".borderzone.gpkg.tmp-folder").mkdir()
    (tmp_path / ".borderzone.gpkg.tmp-folder" / "part.gpkg").write_bytes(b"x")
    keep = [".borderzone.qgz.tmp-0123abcd.qgz", "other.gpkg"]  # another output's
    for name in keep:
        (tmp_path / name).write_bytes(b"x")
    write_layers(dest, {"cells": points()})
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*keep, "borderzone.gpkg"])
    assert len(pyogrio.read_dataframe(dest, layer="cells")) == 50


def test_a_failure_inside_the_block_removes_the_temporary_file_and_passes(tmp_path):
    dest = tmp_path / "out.txt"
    with pytest.raises(KeyError):
        with replacing(dest) as tmp:
            tmp.write_text("half")
            raise KeyError("not a full disk")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------
# a full disk
# --------------------------------------------------------------------------------------


def test_enospc_from_a_write_names_the_destination_in_one_line(tmp_path, capsys):
    """At the boundary: a write that fails with ENOSPC (``/dev/full``) and names no file."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    dest = tmp_path / "report.html"
    with pytest.raises(SystemExit) as stop:
        with rule_log(tmp_path / "rule.log"), replacing(dest) as tmp:
            tmp.write_text("half a report")
            with open("/dev/full", "w") as full:
                full.write("the rest")
    assert stop.value.code == 1
    assert capsys.readouterr().err == f"borderzone: {dest}: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rule.log"]


def test_enospc_is_an_oserror_naming_the_destination(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    dest = tmp_path / "w.qgz"
    with pytest.raises(OSError) as err:
        with replacing(dest) as tmp, open("/dev/full", "wb") as full:
            tmp.write_bytes(b"x")
            full.write(b"x")
    assert (err.value.errno, err.value.filename) == (errno.ENOSPC, str(dest))
    assert list(tmp_path.iterdir()) == []


FULL_DISK_WRITER = """
import sys
from pathlib import Path
import geopandas as gpd, numpy as np, shapely
from borderzone.io import write_layers, write_parquet
from borderzone.logs import rule_log
DISK = Path(sys.argv[1])
n = 40_000
g = gpd.GeoDataFrame({"v": np.arange(n), "s": ["x" * 40] * n},
                     geometry=shapely.points(np.random.rand(n), np.random.rand(n)), crs=4326)
with rule_log(DISK.parent / "rule.log"):
    WRITE
"""


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("zones.gpkg", 'write_layers(DISK / "zones.gpkg", {"a": g, "b": g})'),
        ("roads.parquet", 'write_parquet(g, DISK / "roads.parquet")'),
    ],
)
def test_a_full_disk_is_one_line_naming_the_file_and_leaves_nothing(tmp_path, name, write):
    stderr, rc, left = on_full_disk(tmp_path, FULL_DISK_WRITER.replace("WRITE", write), size="256k")
    assert stderr == f"borderzone: {tmp_path / 'disk' / name}: No space left on device\n"
    assert rc == "rc=1"
    assert left == []


def test_clear_interrupted_writes_removes_only_what_killed_writes_left(tmp_path):
    keep = [tmp_path / "a/border.gpkg", tmp_path / "a/.snakemake_timestamp", tmp_path / "b.tif"]
    stale = [
        tmp_path / "a/.border.gpkg.tmp-1a2b.gpkg",
        tmp_path / "a/.border.gpkg.tmp-1a2b.gpkg-journal",
    ]
    for path in keep + stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    staging = tmp_path / "rasters/.build_rasters.partial"
    staging.mkdir(parents=True)
    (staging / ".distance_to_road.tif").write_bytes(b"x")
    removed = clear_interrupted_writes(tmp_path)
    assert set(removed) == {*stale, staging}
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)
    assert not staging.exists()
    assert clear_interrupted_writes(tmp_path / "missing") == []
