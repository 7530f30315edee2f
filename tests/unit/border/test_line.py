import numpy as np
import pytest
import shapely

from borderzone.border.line import trace_border
from borderzone.errors import BorderzoneError, NoSharedBorderError
from borderzone.geodesy import geodesic_length_km
from borderzone.io import read_countries
from tests.outlines import EAST, WEST, border_coords, write_outlines


def test_shipped_border_is_within_2_percent_of_official(rus_kaz_border):
    border = rus_kaz_border["border"]
    line = border.geometry.iloc[0]
    measured = geodesic_length_km(line)
    assert measured == pytest.approx(border["length_km"].iloc[0], rel=1e-9)
    assert abs(measured / 7644 - 1) < 0.02
    assert border["official_length_km"].iloc[0] == 7644


def test_shipped_border_runs_west_to_east_from_caspian_to_altai(rus_kaz_border):
    line = rus_kaz_border["border"].geometry.iloc[0]
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    assert line.geom_type == "LineString" and line.is_simple
    assert 46 < x0 < 50 and 45 < y0 < 48  # near the Volga delta / Caspian coast
    assert 86 < x1 < 88 and 48 < y1 < 50  # the Altai tripoint


def test_shipped_border_bridges_the_gap_near_63_4_e(rus_kaz_border):
    gaps = rus_kaz_border["border_gaps"]
    assert len(gaps) >= 1
    near = gaps[gaps.geometry.intersects(shapely.box(63.0, 53.9, 63.8, 54.5))]
    assert len(near) == 1
    assert 1 < near["length_km"].iloc[0] < 5
    assert rus_kaz_border["border"]["n_gaps"].iloc[0] == len(gaps)


def test_border_follows_shared_edge_and_drops_coasts(tmp_path):
    path = write_outlines(tmp_path / "c.gpkg")
    countries = read_countries(path, iso3=["XAA", "XBB"])
    border, gaps = trace_border(countries, pair=["XAA", "XBB"], snap_m=500, max_gap_km=10)
    line = border.geometry.iloc[0]
    truth = shapely.LineString(border_coords())
    assert len(gaps) == 0
    assert line.coords[0][0] == pytest.approx(WEST, abs=0.01)
    assert line.coords[-1][0] == pytest.approx(EAST, abs=0.01)
    assert border["length_km"].iloc[0] == pytest.approx(geodesic_length_km(truth), rel=1e-3)
    # every vertex on the true border (degrees, as a test tolerance: 1e-6 deg < 0.1 m)
    pts = shapely.points(shapely.get_coordinates(line))
    assert shapely.distance(pts, truth).max() < 1e-6


def test_gap_is_bridged_and_listed(tmp_path):
    path = write_outlines(tmp_path / "c.gpkg", notch_km=4)
    countries = read_countries(path, iso3=["XAA", "XBB"])
    border, gaps = trace_border(countries, pair=["XAA", "XBB"], snap_m=500, max_gap_km=10)
    assert len(gaps) == 1
    gap = gaps.iloc[0]
    assert 3.5 < gap["length_km"] < 5.5
    mid = gaps.geometry.iloc[0].interpolate(0.5, normalized=True)
    assert mid.x == pytest.approx(64.0, abs=0.05)
    assert gap["from_km"] < gap["to_km"] <= border["length_km"].iloc[0]


def test_gap_longer_than_allowed_is_an_error(tmp_path):
    path = write_outlines(tmp_path / "c.gpkg", notch_km=30)
    countries = read_countries(path, iso3=["XAA", "XBB"])
    with pytest.raises(BorderzoneError, match="max_gap_km"):
        trace_border(countries, pair=["XAA", "XBB"], snap_m=500, max_gap_km=10)


def test_pair_without_shared_border(tmp_path):
    path = write_outlines(tmp_path / "c.gpkg")
    countries = read_countries(path, iso3=["XAA", "XCC"])
    with pytest.raises(NoSharedBorderError, match="XAA-XCC"):
        trace_border(countries, pair=["XAA", "XCC"])


def test_pair_order_changes_direction_not_length(tmp_path):
    path = write_outlines(tmp_path / "c.gpkg")
    ab, _ = trace_border(read_countries(path, iso3=["XAA", "XBB"]), pair=["XAA", "XBB"])
    ba, _ = trace_border(read_countries(path, iso3=["XBB", "XAA"]), pair=["XBB", "XAA"])
    assert ab["length_km"].iloc[0] == pytest.approx(ba["length_km"].iloc[0], rel=1e-6)
    assert np.allclose(ab.geometry.iloc[0].coords[0], ba.geometry.iloc[0].coords[0], atol=1e-6)
