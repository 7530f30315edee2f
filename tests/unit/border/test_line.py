import geopandas as gpd
import numpy as np
import pytest
import shapely

from borderzone.border.line import BETWEEN_OUTSIDE, border_parts, trace_border, trace_parts
from borderzone.errors import InputDataError, NoSharedBorderError
from borderzone.geodesy import GEOD, geodesic_length_km
from borderzone.io import read_countries
from tests.outlines import EAST, WEST, border_coords, write_outlines
from tests.parts_outlines import (
    ISLAND_EAST,
    NS_NORTH,
    NS_SOUTH,
    SEA_KM,
    WEDGE_EAST,
    WEDGE_WEST,
    island_coords,
    mainland_stretches,
    north_south_coords,
    wedge,
    write_north_south_outlines,
    write_parts_outlines,
)


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


def test_gap_longer_than_max_gap_starts_a_new_part(tmp_path):
    path = write_outlines(tmp_path / "c.gpkg", notch_km=30)
    countries = read_countries(path, iso3=["XAA", "XBB"])
    traced = trace_parts(countries, pair=["XAA", "XBB"], snap_m=500, max_gap_km=10)
    border, breaks = traced.border, traced.breaks
    assert border["part_id"].tolist() == [1, 2] and len(traced.gaps) == 0
    west, east = border.geometry.values
    assert west.coords[0][0] == pytest.approx(WEST, abs=0.01)
    assert west.coords[-1][0] < 64.0 < east.coords[0][0]  # nothing bridges the notch
    assert east.coords[-1][0] == pytest.approx(EAST, abs=0.01)
    assert len(breaks) == 1 and 27 < breaks["distance_km"].iloc[0] < 33
    assert breaks["at_km"].iloc[0] == pytest.approx(border["to_km"].iloc[0], abs=1e-9)


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


# --------------------------------------------------------------------------------------
# a border in several parts (tests/parts_outlines.py), and one that runs north-south


@pytest.fixture(scope="module")
def parts_countries(tmp_path_factory):
    path = write_parts_outlines(tmp_path_factory.mktemp("parts") / "c.gpkg")
    return read_countries(path, iso3=["XAA", "XBB"])


@pytest.fixture(scope="module")
def parts_traced(parts_countries):
    return trace_parts(parts_countries, pair=["XAA", "XBB"], snap_m=500, max_gap_km=10)


def test_border_split_by_a_third_country_and_the_sea_is_three_parts(parts_traced):
    border = parts_traced.border
    truths = [island_coords(), *mainland_stretches()]  # west to east
    assert border["part_id"].tolist() == [1, 2, 3]
    assert len(parts_traced.gaps) == 0  # nothing bridged across the wedge or the sea
    for line, truth in zip(border.geometry.values, truths, strict=True):
        truth = shapely.LineString(truth)
        assert line.geom_type == "LineString" and line.is_simple
        # every vertex on the true stretch, none in the wedge or over the sea
        pts = shapely.points(shapely.get_coordinates(line))
        assert shapely.distance(pts, truth).max() < 1e-6
        # runs west to east, from near the stretch's western end to near its eastern end
        assert line.coords[0][0] < line.coords[-1][0]
        assert line.coords[0][0] == pytest.approx(truth.coords[0][0], abs=0.02)
        assert line.coords[-1][0] == pytest.approx(truth.coords[-1][0], abs=0.02)
    inside_wedge = shapely.intersection(shapely.MultiLineString(list(border.geometry)), wedge())
    assert inside_wedge.length < 1e-4
    lengths = border["length_km"].to_numpy()
    truth_km = [geodesic_length_km(shapely.LineString(t)) for t in truths]
    assert lengths == pytest.approx(truth_km, abs=2.0)  # the ends trimmed by < 1 km each
    assert lengths == pytest.approx(geodesic_length_km(border.geometry.values), rel=1e-9)
    # chainage runs over the parts in order and counts only border
    assert border["from_km"].tolist() == pytest.approx([0, lengths[0], lengths[:2].sum()])
    assert border["to_km"].to_numpy() == pytest.approx(np.cumsum(lengths))


def test_breaks_between_parts_are_listed_not_bridged(parts_traced):
    border, breaks = parts_traced.border, parts_traced.breaks
    assert breaks["from_part"].tolist() == [1, 2] and breaks["to_part"].tolist() == [2, 3]
    assert breaks["at_km"].to_numpy() == pytest.approx(border["to_km"].to_numpy()[:2])
    assert (breaks["between"] == BETWEEN_OUTSIDE).all()
    # the sea west of the mainland, and the wedge's width along the border
    wedge_km = GEOD.inv(WEDGE_WEST, f_at(WEDGE_WEST), WEDGE_EAST, f_at(WEDGE_EAST))[2] / 1000
    assert breaks["distance_km"].to_numpy() == pytest.approx([SEA_KM, wedge_km], abs=2.5)
    ends = shapely.get_coordinates(breaks.geometry.values)
    assert ends[0][0] == pytest.approx(ISLAND_EAST, abs=0.02)
    assert ends[1][0] == pytest.approx(WEST, abs=0.02)


def test_reverse_flips_the_start_and_the_order_of_parts(parts_countries, parts_traced):
    rev = trace_parts(parts_countries, pair=["XAA", "XBB"], reverse=True).border
    fwd = parts_traced.border
    assert rev["length_km"].to_numpy() == pytest.approx(fwd["length_km"].to_numpy()[::-1])
    first = rev.geometry.iloc[0]
    assert first.coords[0][0] == pytest.approx(EAST, abs=0.02)  # the eastern end
    for a, b in zip(rev.geometry.values, fwd.geometry.values[::-1], strict=True):
        assert np.allclose(shapely.get_coordinates(a), shapely.get_coordinates(b)[::-1])


def test_parts_shorter_than_min_part_km_are_dropped(parts_countries, parts_traced):
    island_km = parts_traced.border["length_km"].iloc[0]
    traced = trace_parts(parts_countries, pair=["XAA", "XBB"], min_part_km=island_km + 1)
    assert traced.border["part_id"].tolist() == [1, 2]
    assert traced.border.geometry.iloc[0].coords[0][0] == pytest.approx(WEST, abs=0.02)
    assert len(traced.breaks) == 1
    with pytest.raises(NoSharedBorderError, match="min_part_km=1000"):
        trace_parts(parts_countries, pair=["XAA", "XBB"], min_part_km=1000)


def test_north_south_border_starts_at_its_northern_end(tmp_path):
    path = write_north_south_outlines(tmp_path / "ns.gpkg")
    countries = read_countries(path, iso3=["XAA", "XBB"])
    border, _ = trace_border(countries, pair=["XAA", "XBB"])
    line = border.geometry.iloc[0]
    assert border["part_id"].tolist() == [1]
    assert line.coords[0][1] == pytest.approx(NS_NORTH, abs=0.02)
    assert line.coords[-1][1] == pytest.approx(NS_SOUTH, abs=0.02)
    truth = shapely.LineString(north_south_coords())
    assert border["length_km"].iloc[0] == pytest.approx(geodesic_length_km(truth), abs=2.0)
    rev, _ = trace_border(countries, pair=["XAA", "XBB"], reverse=True)
    assert rev.geometry.iloc[0].coords[0][1] == pytest.approx(NS_SOUTH, abs=0.02)


def test_span_is_measured_in_km_not_degrees(tmp_path):
    """At 70 °N a border spanning 8° of longitude and 3° of latitude spans ~305 km east-west
    and ~334 km north-south: north-south by km, east-west by degrees."""
    lon = np.linspace(20.0, 28.0, 801)
    lat = 68.5 + 3.0 * (lon - 20.0) / 8.0 + 0.02 * np.sin(lon * 5)
    line = np.column_stack([lon, lat])
    a = shapely.Polygon(np.concatenate([line, [[28.0, 66.0], [20.0, 66.0]]]))
    b = shapely.Polygon(np.concatenate([line, [[28.0, 73.0], [20.0, 73.0]]]))
    countries = gpd.GeoDataFrame({"iso3": ["XAA", "XBB"]}, geometry=[a, b], crs="EPSG:4326")
    border, _ = trace_border(countries, pair=["XAA", "XBB"])
    start = border.geometry.iloc[0].coords[0]
    assert start == pytest.approx((28.0, 71.5), abs=0.02)  # the northern end, not the western


def test_border_parts_takes_layers_and_geometries(parts_traced):
    border = parts_traced.border
    shuffled = border.iloc[[2, 0, 1]]
    parts = border_parts(shuffled)
    assert all(p.equals(q) for p, q in zip(parts, border.geometry, strict=True))
    multi = shapely.MultiLineString(list(border.geometry))
    assert len(border_parts(multi)) == 3
    with pytest.raises(InputDataError, match="not one LineString"):
        border_parts(shapely.Point(0, 0))


def f_at(lon):
    return float(border_coords()[np.isclose(border_coords()[:, 0], lon)][0, 1])


def test_break_across_one_country_is_named_after_it():
    """Between 63 and 64.5 °E XAA bulges north over the border's line, and a lake parts it
    from XBB: the straight line between the two parts' ends runs inside XAA."""
    south = shapely.union(shapely.box(58, 47, 70, 50), shapely.box(63.1, 49, 64.4, 50.5))
    north = shapely.difference(shapely.box(58, 50, 70, 53), shapely.box(63, 49, 64.5, 50.6))
    south, north = (shapely.segmentize(g, 0.005) for g in (south, north))
    countries = gpd.GeoDataFrame({"iso3": ["XAA", "XBB"]}, geometry=[south, north], crs="EPSG:4326")
    traced = trace_parts(countries, pair=["XAA", "XBB"])
    assert traced.border["part_id"].tolist() == [1, 2]
    assert traced.breaks["between"].tolist() == ["XAA"]
