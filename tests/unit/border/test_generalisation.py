"""Tests of borderzone.border.generalisation on a hand-made sawtooth of known length."""

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from borderzone.border.generalisation import (
    GENERALISATION_COLUMNS,
    length_by_tolerance,
    tolerance_at_length,
)
from borderzone.crs import WGS84, local_aeqd


def sawtooth(*, teeth=100, step_m=500.0, height_m=200.0, lat=50.0):
    """A line of ``teeth`` edges, zig-zagging ``height_m`` off a straight base, in lon/lat."""
    x = np.arange(teeth + 1) * step_m
    y = np.where(np.arange(teeth + 1) % 2 == 1, height_m, 0.0)
    tr = pyproj.Transformer.from_crs(local_aeqd(60.0, lat), WGS84, always_xy=True)
    lon, lat = tr.transform(x - x.mean(), y)
    return shapely.LineString(np.column_stack([lon, lat]))


def test_length_falls_from_the_sawtooth_to_its_base():
    line = sawtooth()
    table = length_by_tolerance(line, tolerances_m=[500, 0, 10], official_km=50.0)
    assert list(table.columns) == GENERALISATION_COLUMNS
    assert table["tolerance_m"].tolist() == [0, 10, 500]
    teeth_km = 100 * np.hypot(500.0, 200.0) / 1000  # 53.85 km
    assert table["length_km"].tolist() == pytest.approx([teeth_km, teeth_km, 50.0], rel=1e-4)
    assert table["n_vertices"].tolist() == [101, 101, 2]
    assert table["difference_pct"].iloc[-1] == pytest.approx(0.0, abs=0.01)
    assert table["difference_km"].iloc[0] == pytest.approx(teeth_km - 50.0, rel=1e-3)


def test_chunks_keep_their_ends():
    # 20 km chunks: each simplifies to a chord between two points of the sawtooth
    table = length_by_tolerance(sawtooth(), tolerances_m=[0, 1000], chunk_km=20.0)
    assert table["length_km"].iloc[0] == pytest.approx(53.85, rel=1e-3)
    assert 50.0 - 1e-3 <= table["length_km"].iloc[1] <= 50.0 + 3 * 0.2
    assert table["n_vertices"].iloc[1] == 4  # 3 chunks: 2 ends and 2 inner cut points


def test_multi_part_border_sums_its_parts():
    parts = shapely.MultiLineString([sawtooth(), sawtooth(lat=51.0)])  # two parts
    table = length_by_tolerance(parts, tolerances_m=[500])
    assert table["length_km"].iloc[0] == pytest.approx(100.0, rel=1e-3)


def test_no_difference_without_an_official_length():
    table = length_by_tolerance(sawtooth(), tolerances_m=[0])
    assert np.isnan(table["difference_km"]).all()


def test_negative_tolerance_refused():
    with pytest.raises(ValueError, match="non-negative"):
        length_by_tolerance(sawtooth(), tolerances_m=[-1, 10])


def test_tolerance_at_length_interpolates_on_log_tolerance():
    table = pd.DataFrame({"tolerance_m": [10, 100, 1000], "length_km": [120.0, 110.0, 100.0]})
    assert tolerance_at_length(table, 110.0) == pytest.approx(100.0)
    assert tolerance_at_length(table, 105.0) == pytest.approx(np.sqrt(100 * 1000))
    assert tolerance_at_length(table, 130.0) is None and tolerance_at_length(table, 90.0) is None
