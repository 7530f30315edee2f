"""Tests of borderzone.crossings.detect: hand-built fixtures with known answers, properties over an
analytic border, and the truth of synthetic OSM worlds."""

from itertools import pairwise

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from crossings_helpers import (
    BORDER,
    COUNTRIES,
    GAPS,
    NO_CPS,
    NO_RAIL,
    PAIR,
    SEGMENTS,
    crossing_line,
    f,
    find,
    matched,
    metres_to_border,
    roads_frame,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from outlines import write_outlines

from borderzone.border.line import trace_border
from borderzone.border.segments import cut_segments
from borderzone.crossings.detect import detect_crossings
from borderzone.crossings.frame import ON_BORDER_M
from borderzone.crs import WGS84, fitted_crs
from borderzone.errors import BorderzoneError, InputDataError
from borderzone.geodesy import GEOD
from borderzone.io import read_countries

# --------------------------------------------------------------------------------------
# detection on hand-built fixtures


def test_single_crossing():
    roads = roads_frame([(7, crossing_line(62.0), {"highway": "primary", "ref": "A-1"})])
    out = find(roads)
    assert len(out) == 1
    row = out.iloc[0]
    assert (row.kind, row.osm_ids, row.n_ways, row.highway, row.ref) == (
        "road",
        "7",
        1,
        "primary",
        "A-1",
    )
    assert row.direction == "XAA->XBB"
    assert row.lon == pytest.approx(62.0, abs=1e-9)
    assert metres_to_border(row.lon, row.lat) < 0.1  # the border's chords sag 3 cm
    # chainage: geodesic length of the border from its west end to the point
    piece = shapely.get_coordinates(BORDER.geometry.iloc[0])
    piece = piece[piece[:, 0] < 62.0]
    km = GEOD.line_length(*np.vstack([piece, [[row.lon, row.lat]]]).T) / 1000
    assert row.km == pytest.approx(km, abs=1e-3)
    seg = SEGMENTS[(SEGMENTS.from_km <= km) & (SEGMENTS.to_km > km)].seg_id.iloc[0]
    assert row.seg_id == seg
    assert row.crossing_id == f"R{round(km * 1000)}"
    assert not row.in_gap and not row.official and not row.transit
    assert out.crs == WGS84 and out.geometry.iloc[0].equals(shapely.Point(row.lon, row.lat))


def test_direction_follows_the_way():
    line = crossing_line(63.0)
    roads = roads_frame([(1, line.reverse(), {"highway": "track"})])
    assert find(roads).direction.tolist() == ["XBB->XAA"]


def test_dual_carriageway_and_link_are_one_crossing():
    lon = 64.0
    dlon = 20 / (111_320 * np.cos(np.radians(50)))  # 20 m
    east = crossing_line(lon + dlon)
    west = crossing_line(lon - dlon).reverse()
    link = shapely.LineString(
        [
            (lon + dlon, f(lon) - 0.005),
            (lon + 4 * dlon, f(lon) - 0.002),
            (lon + 4 * dlon, f(lon) + 0.002),
            (lon + dlon, f(lon) + 0.005),
        ]
    )
    roads = roads_frame(
        [
            (30, link, {"highway": "motorway_link"}),
            (12, west, {"highway": "motorway", "ref": "M-51", "surface": "asphalt"}),
            (11, east, {"highway": "motorway", "ref": "M-51", "surface": "asphalt"}),
        ]
    )
    out = find(roads)
    assert len(out) == 1
    row = out.iloc[0]
    assert row.osm_ids == "11,12,30" and row.n_ways == 3
    assert row.highway == "motorway" and row.direction == "both"
    # the point is that of the highest-class way with the lowest id: way 11
    assert row.lon == pytest.approx(lon + dlon, abs=1e-9)
    # merge_within_m=0 keeps the three apart
    assert len(find(roads, merge_within_m=0)) == 3


def test_zigzag_road_gives_one_crossing_per_change_of_side():
    lon = np.linspace(65.0, 65.2, 9)
    lat = f(lon) + np.where(np.arange(9) % 2 == 0, -0.01, 0.01)  # 8 changes of side
    roads = roads_frame(
        [(5, shapely.LineString(np.column_stack([lon, lat])), {"highway": "unclassified"})]
    )
    out = find(roads)
    assert len(out) == 8
    assert out.direction.tolist() == ["XAA->XBB", "XBB->XAA"] * 4
    assert (out.osm_ids == "5").all() and out.crossing_id.is_unique
    assert not out.transit.any()  # excursions of 2.8 km are no transit
    for row in out.itertuples():
        assert metres_to_border(row.lon, row.lat) < 0.1  # the border's chords sag 3 cm


def test_road_touching_the_border_is_no_crossing():
    apex = (66.0, float(f(66.0)))
    vee = shapely.LineString([(65.98, f(66.0) - 0.02), apex, (66.02, f(66.0) - 0.02)])
    # tangent from the north: touches an edge of the border inside it
    lon = np.linspace(66.5, 66.6, 11)
    cap = shapely.LineString(np.column_stack([lon, np.maximum(f(lon), f(66.55)) + 0.0]))
    roads = roads_frame([(1, vee, {"highway": "track"}), (2, cap, {"highway": "track"})])
    assert len(find(roads)) == 0


def test_road_along_the_border_is_no_crossing():
    lon = np.arange(67.0, 67.3 + 1e-9, 0.005)  # on the border's own vertices
    along = np.column_stack([lon, f(lon)])
    ramp = np.array([[66.99, f(66.99) - 0.01], *along, [67.31, f(67.31) - 0.01]])
    inside = np.column_stack([lon, f(lon) + 0.001])  # 110 m north, all in XBB
    roads = roads_frame(
        [
            (1, shapely.LineString(ramp), {"highway": "service"}),
            (2, shapely.LineString(inside), {"highway": "service"}),
        ]
    )
    assert len(find(roads)) == 0


def test_road_running_along_the_border_then_crossing_counts_once():
    lon = np.arange(67.5, 67.8 + 1e-9, 0.005)
    line = np.array(
        [[67.49, f(67.49) - 0.01], *np.column_stack([lon, f(lon)]), [67.81, f(67.81) + 0.01]]
    )
    out = find(roads_frame([(1, shapely.LineString(line), {"highway": "service"})]))
    assert len(out) == 1 and out.direction.iloc[0] == "XAA->XBB"


def test_line_round_the_end_of_the_border_is_no_crossing():
    # from XAA west of the border's end through a third country (lon < 60) into XBB
    line = shapely.LineString([(60.05, f(60.05) - 0.05), (59.9, f(60.0)), (60.05, f(60.05) + 0.05)])
    assert len(find(roads_frame([(1, line, {"highway": "track"})]))) == 0


def test_multilinestring_ways_are_read_part_by_part():
    geom = shapely.MultiLineString([crossing_line(62.5), crossing_line(62.7)])
    out = find(roads_frame([(3, geom, {"highway": "tertiary"})]))
    assert len(out) == 2 and (out.osm_ids == "3").all()


@pytest.fixture(scope="module")
def notched_world(tmp_path_factory):
    """tests/outlines.py with a 6 km gap near 64 °E, through trace_border."""
    path = write_outlines(tmp_path_factory.mktemp("notch") / "outlines.gpkg", notch_km=6.0)
    countries = read_countries(path, iso3=list(PAIR))
    border, gaps = trace_border(countries, pair=PAIR, snap_m=500, max_gap_km=10)
    segments = cut_segments(border.geometry.iloc[0], segment_km=25)
    assert len(gaps) == 1
    return border, segments, gaps, countries


def test_crossing_in_a_bridged_gap(notched_world):
    border, _, gaps, _ = notched_world
    line = border.geometry.iloc[0]
    lat64 = float(shapely.intersection(line, shapely.LineString([(64.0, 40), (64.0, 60)])).y)
    lat62 = float(shapely.intersection(line, shapely.LineString([(62.0, 40), (62.0, 60)])).y)
    roads = roads_frame(
        [
            (
                1,
                shapely.LineString([(64.0, lat64 - 0.1), (64.0, lat64 + 0.1)]),
                {"highway": "tertiary"},
            ),
            (
                2,
                shapely.LineString([(62.0, lat62 - 0.1), (62.0, lat62 + 0.1)]),
                {"highway": "tertiary"},
            ),
        ]
    )
    out = find(roads, world=notched_world).set_index("osm_ids")
    assert out.loc["1", "in_gap"] and not out.loc["2", "in_gap"]
    gap = gaps.iloc[0]
    assert gap.from_km <= out.loc["1", "km"] <= gap.to_km


def test_no_crossings_gives_an_empty_layer_with_columns():
    out = find(roads_frame([(1, shapely.LineString([(61, 49), (62, 49)]), {"highway": "track"})]))
    assert len(out) == 0 and "crossing_id" in out and "surface_differs" in out and out.crs == WGS84


def test_bad_input_raises_one_line_errors():
    roads = roads_frame([(1, crossing_line(62.0), {"highway": "primary"})])
    with pytest.raises(InputDataError, match="roads lacks column.*highway"):
        find(roads.drop(columns="highway"))
    with pytest.raises(InputDataError, match="roads has no CRS"):
        find(roads.set_crs(None, allow_override=True))
    with pytest.raises(InputDataError, match="no outline for XCC"):
        detect_crossings(
            BORDER, SEGMENTS, GAPS, COUNTRIES, roads, NO_RAIL, NO_CPS, pair=("XAA", "XCC")
        )
    with pytest.raises(BorderzoneError, match="merge_within_m"):
        find(roads, merge_within_m=-1)
    assert issubclass(InputDataError, ValueError)


def test_other_input_crs_is_accepted():
    roads = roads_frame([(1, crossing_line(62.0), {"highway": "primary"})])
    crs = fitted_crs((60, 49, 70, 51), kind="conformal")
    a, b = find(roads), find(roads.to_crs(crs))
    assert a.crossing_id.tolist() == b.crossing_id.tolist()


# --------------------------------------------------------------------------------------
# properties over the analytic border


def side_points(coords):
    return shapely.get_coordinates(shapely.segmentize(shapely.LineString(coords), 1e-4))


def side_changes(coords):
    """Changes of side of a lon/lat polyline against lat = f(lon), by dense sampling."""
    pts = side_points(coords)
    g = pts[:, 1] - f(pts[:, 0])
    return g, np.flatnonzero(np.sign(g[1:]) != np.sign(g[:-1]))


CLEAR_DEG = 4 * ON_BORDER_M / 111_200
"""Latitude offset (degrees) well beyond ON_BORDER_M: an excursion past the border is clear-cut."""

# vertices off the border (at least ~100 m), on either side
offset = st.tuples(st.floats(0.001, 0.3), st.sampled_from([-1.0, 1.0])).map(lambda t: t[0] * t[1])
vertex = st.tuples(st.floats(60.3, 69.7), offset)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.lists(vertex, min_size=2, max_size=8, unique_by=lambda v: round(v[0], 3)))
def test_property_crossings_lie_on_the_border_and_match_side_changes(points):
    coords = np.array([(lon, f(lon) + d) for lon, d in points])
    assume(np.hypot(*np.diff(coords, axis=0).T).min() > 1e-3)
    g, change = side_changes(coords)
    # no grazing contacts and no two crossings within a few metres: the count is clear-cut
    assume(np.abs(g[[0, -1]]).min() > 1e-4)
    sign = np.sign(g)
    dips = (
        (np.abs(g[1:-1]) < 2e-4)
        & (np.abs(g[1:-1]) <= np.abs(g[:-2]))
        & (np.abs(g[1:-1]) <= np.abs(g[2:]))
    )
    at_change = np.isin(np.arange(1, len(g) - 1), np.concatenate([change, change + 1]))
    assume(not (dips & ~at_change & (sign[1:-1] == sign[:-2]) & (sign[1:-1] == sign[2:])).any())
    assume(len(change) < 2 or np.diff(change).min() > 5)
    # nor a way that crosses and comes back within a few metres of the border: it only
    # touches it (rules 2 and 3: vertices within ON_BORDER_M of the border have no side)
    assume(all(np.abs(g[a + 1 : b + 1]).max() > CLEAR_DEG for a, b in pairwise(change)))
    at = shapely.points(side_points(coords)[change])
    assume(
        len(change) < 2
        or shapely.distance(at[:, None], at[None, :])[np.triu_indices(len(at), 1)].min() > 1e-3
    )
    roads = roads_frame([(1, shapely.LineString(coords), {"highway": "track"})])
    out = find(roads, merge_within_m=0)
    assert len(out) == len(change)
    for row in out.itertuples():
        assert metres_to_border(row.lon, row.lat) <= 1.0
    # directions alternate along the way
    if len(out) > 1:
        order = out.assign(
            pos=shapely.line_locate_point(shapely.LineString(coords), out.geometry.values)
        ).sort_values("pos")
        dirs = order.direction.tolist()
        assert all(a != b for a, b in zip(dirs[:-1], dirs[1:], strict=True))


def _assert_matches_side_changes(coords):
    _, change = side_changes(coords)
    out = find(
        roads_frame([(1, shapely.LineString(coords), {"highway": "track"})]), merge_within_m=0
    )
    assert len(out) == len(change)
    at = side_points(coords)[change]
    order = out.assign(
        pos=shapely.line_locate_point(shapely.LineString(coords), out.geometry.values)
    ).sort_values("pos")
    # where the way meets the border at a grazing angle, a 3 cm sag moves it metres along
    assert order.lon.to_numpy() == pytest.approx(at[:, 0], abs=1e-3)
    for row in out.itertuples():
        assert metres_to_border(row.lon, row.lat) <= 1.0
    dirs = order.direction.tolist()
    assert all(a != b for a, b in zip(dirs[:-1], dirs[1:], strict=True))
    return change


def test_long_way_passing_close_to_the_border_crosses_where_it_changes_side():
    # 6.6° long; crosses once near 63.24 °E and passes 44 m south of the border near 67.2 °E
    coords = np.array([(61.694, f(61.694) + 0.182), (68.311, f(68.311) - 0.060)])
    assert len(_assert_matches_side_changes(coords)) == 1


APEX = 20.5 * np.pi  # 64.40 °E: the border's northernmost point, lat 50.1


@pytest.mark.parametrize("depth_m", [2.0, 5.0, 50.0])
def test_shallow_excursion_across_the_border_is_two_crossings(depth_m):
    # a parallel just south of the apex: XBB, a few metres into XAA round the apex, XBB again
    lat = 50.1 - depth_m / 111_200
    coords = np.array([(APEX - 0.5, lat), (APEX + 0.5, lat)])
    change = _assert_matches_side_changes(coords)
    assert len(change) == 2
    half = np.arccos(1 - depth_m / 111_200 / 0.1)  # where 50 + 0.1 sin(lon) = lat
    assert side_points(coords)[change, 0] == pytest.approx([APEX - half, APEX + half], abs=1e-3)


def test_excursion_within_on_border_m_is_a_touch():
    # 30 cm into XAA round the apex: rules 2 and 3, the vertices there are within ON_BORDER_M
    # of the border and have no side, so the way touches the border and stays in XBB
    lat = 50.1 - 0.6 * ON_BORDER_M / 111_200  # the border's chords sag 3 cm at most
    coords = np.array([(APEX - 0.5, lat), (APEX + 0.5, lat)])
    assert len(side_changes(coords)[1]) == 2
    out = find(
        roads_frame([(1, shapely.LineString(coords), {"highway": "track"})]), merge_within_m=0
    )
    assert len(out) == 0


def _random_roads(rng, n):
    rows = []
    for k in range(n):
        lon0 = rng.uniform(60.5, 69.5)
        d0 = rng.uniform(-0.4, 0.4)
        steps = rng.normal(0, 0.01, (rng.integers(2, 12), 2)).cumsum(axis=0)
        coords = np.column_stack([lon0 + steps[:, 0], f(lon0) + d0 + steps[:, 1]])
        hw = ["primary", "track", "tertiary", "service"][k % 4]
        rows.append((k + 1, shapely.LineString(coords), {"highway": hw, "ref": None}))
    return roads_frame(rows)


def test_counts_do_not_depend_on_the_clipping_buffer():
    rng = np.random.default_rng(3)
    roads = _random_roads(rng, 1500)
    for lon in np.arange(61.0, 69.0, 0.5):  # crossings whose ways reach 5 km each side
        roads.loc[len(roads)] = [
            10_000 + int(lon * 10),
            "secondary",
            None,
            None,
            None,
            None,
            None,
            crossing_line(lon, dy=0.045, n=20),
        ]
    crs = fitted_crs((60, 48, 70, 52), kind="conformal")
    line = BORDER.to_crs(crs).geometry.iloc[0]
    clipped = {}
    for km in (10, 50):
        zone = gpd.GeoDataFrame(geometry=[line.buffer(km * 1000)], crs=crs).to_crs(WGS84)
        clipped[km] = find(gpd.clip(roads, zone).reset_index(drop=True))
    assert len(clipped[10]) >= 16
    a = clipped[10].drop(columns="geometry")
    b = clipped[50].drop(columns="geometry")
    pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------------------
# the truth of synthetic worlds (synth_run: conftest.py)


def test_synth_every_truth_crossing_found_once(synth_run):
    found, truth, non, _ = synth_run
    idx = matched(found, truth)
    assert len(set(idx)) == len(truth) == len(found)
    got = found.loc[idx].reset_index(drop=True)
    assert got.osm_ids.tolist() == truth.osm_ids.tolist()
    assert got.km.to_numpy() == pytest.approx(truth.border_km.to_numpy(), abs=0.05)
    found_ids = {i for ids in found.osm_ids for i in ids.split(",")}
    assert not found_ids & {str(i) for i in non.osm_id}


def test_synth_features_present(synth_run):
    _, truth, _, _ = synth_run
    need = {"dual_carriageway", "zigzag", "transit_rail", "in_gap", "paved_to_track"}
    assert need <= set(truth.feature)
