"""Reading country outlines: each bad outline stops with one line naming the file and code.

The builders here write outlines files that are bad in one way each; the workflow tests of
``tests/workflow/test_faults_inputs.py`` use them too.
"""

import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from borderzone.errors import InputDataError
from borderzone.io import MAX_REPAIR_KM2, read_countries
from tests.outlines import EAST, LAT, WEST, border_coords, write_outlines

PAIR = ["XAA", "XBB"]


def south() -> shapely.Polygon:
    """XAA of tests/outlines.py: south of the shared border."""
    return shapely.Polygon(np.concatenate([border_coords(), [[EAST, LAT - 3], [WEST, LAT - 3]]]))


def north(*, loop_deg: float = 0.0) -> shapely.Polygon:
    """XBB of tests/outlines.py, north of the border; with ``loop_deg``, its far (north)
    edge crosses itself near 65°E, leaving a lobe of about ``loop_deg`` by half of it."""
    top = [[EAST, LAT + 3]]
    if loop_deg:
        x, y, d = 65.0, LAT + 3, loop_deg
        top += [[x + d, y], [x, y + d / 2], [x + d, y + d / 2], [x, y]]
    return shapely.Polygon(np.concatenate([border_coords(), top, [[WEST, LAT + 3]]]))


def write_rows(path: Path, rows: list[tuple[str, shapely.Geometry | None]]) -> Path:
    """Write ``(iso3, geometry)`` rows as layer ``countries`` of a GeoPackage."""
    gdf = gpd.GeoDataFrame(
        {"iso3": [code for code, _ in rows]},
        geometry=gpd.GeoSeries([geom for _, geom in rows], crs="EPSG:4326"),
    )
    pyogrio.write_dataframe(gdf, path, layer="countries", driver="GPKG", promote_to_multi=False)
    return path


def null_outline(path: Path) -> Path:
    return write_rows(path, [("XAA", south()), ("XBB", None)])


def empty_outline(path: Path) -> Path:
    return write_rows(path, [("XAA", south()), ("XBB", shapely.Polygon())])


def line_outline(path: Path) -> Path:
    return write_rows(path, [("XAA", south()), ("XBB", shapely.LineString(border_coords()))])


def twisted_outline(path: Path) -> Path:
    """XBB's far edge crosses itself with a lobe of some 900 km²: beyond repair."""
    return write_rows(path, [("XAA", south()), ("XBB", north(loop_deg=1.0))])


def slightly_twisted_outline(path: Path) -> Path:
    """XBB's far edge crosses itself with a lobe of about 0.4 km²: repaired."""
    return write_rows(path, [("XAA", south()), ("XBB", north(loop_deg=0.02))])


def duplicate_far_row(path: Path) -> Path:
    """A second XBB row far away (an island, or another country's shape under XBB)."""
    return write_rows(
        path, [("XAA", south()), ("XBB", north()), ("XBB", shapely.box(100, 10, 101, 11))]
    )


def duplicate_same_row(path: Path) -> Path:
    return write_rows(path, [("XAA", south()), ("XBB", north()), ("XBB", north())])


def touching_at_a_point(path: Path) -> Path:
    """XAA and XBB are boxes that touch at one corner, 64°E 50°N."""
    return write_rows(
        path, [("XAA", shapely.box(60, 47, 64, LAT)), ("XBB", shapely.box(64, LAT, 68, 53))]
    )


# builder, the message's tail after "countries file <path>"
BAD_OUTLINES = [
    (null_outline, ": the outline of XBB (feature 2) is NULL; give it a polygon or remove the row"),
    (
        empty_outline,
        ": the outline of XBB (feature 2) is empty; give it a polygon or remove the row",
    ),
    (
        line_outline,
        ": the outline of XBB (feature 2) is a LineString, not a Polygon or MultiPolygon",
    ),
    (
        duplicate_far_row,
        " has 2 differing rows for XBB (features 2, 3); keep one outline per country (dissolve "
        "the rows first if they are parts of one country)",
    ),
]


@pytest.mark.parametrize(("build", "tail"), BAD_OUTLINES, ids=lambda v: getattr(v, "__name__", ""))
def test_bad_outline_is_one_line_naming_file_code_and_feature(tmp_path, build, tail):
    path = build(tmp_path / "outlines.gpkg")
    with pytest.raises(InputDataError) as info:
        read_countries(path, iso3=PAIR, layer="countries")
    assert str(info.value) == f"countries file {path}{tail}"


def test_an_outline_twisted_beyond_repair_is_refused(tmp_path):
    path = twisted_outline(tmp_path / "outlines.gpkg")
    with pytest.raises(InputDataError) as info:
        read_countries(path, iso3=PAIR)
    message = str(info.value)
    pattern = (
        rf"countries file {re.escape(str(path))}: the outline of XBB is invalid "
        r"\(Self-intersection\[65\.\d+ 53\.\d+\]\) and repairing it would change its area by "
        r"\+([\d,.]+) km² \(\+[\d.]+ %\), more than 10 km² or 1 %; fix the outline in the file"
    )
    match = re.fullmatch(pattern, message)
    assert match, message
    assert 1000 < float(match.group(1).replace(",", "")) < 3000  # twice the ~900 km² lobe


def test_a_slightly_twisted_outline_is_repaired_with_a_log_line(tmp_path, caplog):
    path = slightly_twisted_outline(tmp_path / "outlines.gpkg")
    with caplog.at_level(logging.WARNING, logger="borderzone.io"):
        countries = read_countries(path, iso3=PAIR)
    assert countries.geometry.is_valid.all()
    assert countries.geometry.geom_type.tolist() == ["Polygon", "MultiPolygon"]
    [record] = [r for r in caplog.records if "invalid" in r.getMessage()]
    assert record.levelno == logging.WARNING
    match = re.fullmatch(
        rf"countries file {re.escape(str(path))}: the outline of XBB is invalid "
        r"\(Self-intersection\[65\.\d+ 53\.\d+\]\); repaired: its area changes by "
        r"\+(\d\.\d\d) km² \(\+[\d.e-]+ %\) in an equal-area CRS, 1 -> 2 polygons",
        record.getMessage(),
    )
    assert match, record.getMessage()
    assert 0.5 < float(match.group(1)) < MAX_REPAIR_KM2
    # the lobe, counted negative in the ring's area before, is land now (twice its area)
    assert countries.geometry.iloc[1].covers(shapely.Point(65.01, LAT + 3.008))


def test_identical_rows_are_one_outline(tmp_path, caplog):
    path = duplicate_same_row(tmp_path / "outlines.gpkg")
    with caplog.at_level(logging.WARNING, logger="borderzone.io"):
        countries = read_countries(path, iso3=PAIR)
    assert countries.iso3.tolist() == PAIR
    assert countries.geometry.iloc[1].equals(north())
    assert f"countries file {path}: 2 identical rows for XBB; the first one is used" in (
        caplog.text
    )


def test_valid_outlines_are_read_unchanged(tmp_path):
    path = write_outlines(tmp_path / "outlines.gpkg")
    countries = read_countries(path, iso3=["XBB", "XAA"])
    raw = pyogrio.read_dataframe(path).set_index("iso3").geometry
    assert countries.iso3.tolist() == ["XBB", "XAA"]
    for code, geom in zip(countries.iso3, countries.geometry, strict=True):
        assert shapely.equals_exact(geom, raw[code], tolerance=0)


@pytest.mark.parametrize(
    ("kwargs", "tail"),
    [
        ({"layer": "borders"}, " has no layer 'borders' (layers: countries)"),
        ({"iso3_column": "code"}, " has no column 'code' (columns: iso3, name)"),
        ({"iso3": ["XAA", "FRA"]}, " has no outline for FRA in column 'iso3'"),
    ],
)
def test_file_without_what_is_asked_for(tmp_path, kwargs, tail):
    path = write_outlines(tmp_path / "outlines.gpkg")
    with pytest.raises(InputDataError) as info:
        read_countries(path, **{"iso3": PAIR, **kwargs})
    assert str(info.value) == f"countries file {path}{tail}"


def test_a_directory_is_named_as_one(tmp_path):
    with pytest.raises(InputDataError) as info:
        read_countries(tmp_path, iso3=PAIR)
    assert str(info.value) == (
        f"countries file {tmp_path} is a directory, not a vector file; give the file itself"
    )


def test_a_file_geodatabase_directory_is_read(tmp_path):
    gdb = tmp_path / "outlines.gdb"
    gdf = gpd.read_file(write_outlines(tmp_path / "outlines.gpkg"))
    pyogrio.write_dataframe(gdf, gdb, layer="countries", driver="OpenFileGDB")
    assert gdb.is_dir()
    assert read_countries(gdb, iso3=PAIR).iso3.tolist() == PAIR


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(InputDataError, match=r"^countries file \S+missing.gpkg does not exist$"):
        read_countries(tmp_path / "missing.gpkg", iso3=PAIR)
    garbage = tmp_path / "garbage.gpkg"
    garbage.write_bytes(b"not a GeoPackage\n")
    with pytest.raises(InputDataError) as info:
        read_countries(garbage, iso3=PAIR)
    assert str(info.value).startswith(f"countries file {garbage} cannot be read: ")
    assert "\n" not in str(info.value)
