"""Tests of borderzone.crossings.detect: hand-built fixtures with known answers, properties over an
analytic border, and the truth of synthetic OSM worlds."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from outlines import write_outlines

from borderzone.border.line import trace_border
from borderzone.border.segments import cut_segments
from borderzone.crossings.detect import detect_crossings, summarise_crossings
from borderzone.crs import WGS84, fitted_crs, local_aeqd
from borderzone.errors import BorderzoneError, InputDataError
from borderzone.geodesy import GEOD
from borderzone.io import read_countries
from borderzone.osm.schema import surface_class
from borderzone.synth import world as synth

# --------------------------------------------------------------------------------------
# an analytic border: XAA south and XBB north of lat = 50 + 0.1 sin(lon), 60-70 °E

WEST, EAST = 60.0, 70.0
PAIR = ("XAA", "XBB")


def f(lon):
    return 50.0 + 0.1 * np.sin(lon)


def _world():
    lon = np.arange(WEST, EAST + 1e-9, 0.005)
    line = np.column_stack([lon, f(lon)])
    south = shapely.Polygon(np.concatenate([line, [[EAST, 47.0], [WEST, 47.0]]]))
    north = shapely.Polygon(np.concatenate([line, [[EAST, 53.0], [WEST, 53.0]]]))
    countries = gpd.GeoDataFrame({"iso3": list(PAIR)}, geometry=[south, north], crs=WGS84)
    border_line = shapely.LineString(line)
    border = gpd.GeoDataFrame({"pair": ["XAA-XBB"]}, geometry=[border_line], crs=WGS84)
    segments = cut_segments(border_line, segment_km=25)
    gaps = gpd.GeoDataFrame({"gap_id": [], "from_km": [], "to_km": []}, geometry=[], crs=WGS84)
    return border, segments, gaps, countries


BORDER, SEGMENTS, GAPS, COUNTRIES = _world()
KM_PER_DEG_LAT = 111.2


def crossing_line(lon, *, dy=0.05, n=6, dx=0.0):
    """A road from XAA (south) to XBB (north) through the border at ``lon``."""
    t = np.linspace(-1, 1, n)
    return shapely.LineString(np.column_stack([lon + dx * t, f(lon) + dy * t]))


def roads_frame(rows):
    """Roads from (osm_id, geometry, tags) rows, with the layer's tag columns."""
    cols = ["highway", "surface", "tracktype", "smoothness", "ref", "name"]
    data = {"osm_id": [r[0] for r in rows]}
    for c in cols:
        data[c] = [r[2].get(c) for r in rows]
    return gpd.GeoDataFrame(data, geometry=[r[1] for r in rows], crs=WGS84)


def rail_frame(rows):
    cols = ["railway", "gauge", "usage", "electrified", "ref", "name"]
    data = {"osm_id": [r[0] for r in rows]}
    for c in cols:
        data[c] = [r[2].get(c) for r in rows]
    return gpd.GeoDataFrame(data, geometry=[r[1] for r in rows], crs=WGS84)


def checkpoints_frame(rows):
    cols = ["barrier", "government", "railway", "border_control", "name"]
    data = {"osm_id": list(range(1, len(rows) + 1)), "osm_type": ["node"] * len(rows)}
    for c in cols:
        data[c] = [r[1].get(c) for r in rows]
    return gpd.GeoDataFrame(data, geometry=[shapely.Point(r[0]) for r in rows], crs=WGS84)


NO_ROADS = roads_frame([])
NO_RAIL = rail_frame([])
NO_CPS = checkpoints_frame([])


def find(roads=NO_ROADS, rail=NO_RAIL, checkpoints=NO_CPS, admin=None, world=None, **kw):
    border, segments, gaps, countries = world or (BORDER, SEGMENTS, GAPS, COUNTRIES)
    return detect_crossings(
        border, segments, gaps, countries, roads, rail, checkpoints, admin, pair=PAIR, **kw
    )


def metres_to_border(lon, lat):
    """Distance in metres from a point to the analytic border, in a local projection."""
    crs = local_aeqd(lon, lat)
    fwd = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    blon = np.linspace(lon - 0.05, lon + 0.05, 20001)
    x, y = fwd.transform(blon, f(blon))
    return shapely.distance(shapely.Point(0, 0), shapely.LineString(np.column_stack([x, y])))


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


def test_checkpoints_official_local_and_categories():
    def north(lon, metres):
        return (lon, float(f(lon)) + metres / 1000 / KM_PER_DEG_LAT)

    roads = roads_frame(
        [
            (1, crossing_line(61.0), {"highway": "primary"}),  # checkpoint 1.5 km
            (2, crossing_line(61.5), {"highway": "secondary"}),  # checkpoint 2.5 km
            (3, crossing_line(62.0), {"highway": "tertiary"}),  # local checkpoint
            (4, crossing_line(62.5), {"highway": "track"}),  # no checkpoint
            (5, crossing_line(63.0), {"highway": "track"}),  # only a railway=border node
        ]
    )
    rail = rail_frame(
        [
            (9, crossing_line(63.5), {"railway": "rail"}),
            (8, crossing_line(64.5), {"railway": "rail"}),
        ]
    )
    cps = checkpoints_frame(
        [
            (north(61.0, 1500), {"barrier": "border_control", "name": "MAPP"}),
            (north(61.5, 2500), {"barrier": "border_control", "name": "far"}),
            (
                north(62.0, 300),
                {
                    "barrier": "border_control",
                    "border_control": "small_border_traffic",
                    "name": "local",
                },
            ),
            (north(63.0, 10), {"railway": "border"}),
            (north(63.5, 10), {"railway": "border", "name": "rail border"}),
        ]
    )
    out = find(roads, rail, cps).set_index("osm_ids")
    assert out.official.to_dict() == {
        "1": True,
        "2": False,
        "3": True,
        "4": False,
        "5": False,
        "9": True,
        "8": False,
    }
    assert out.local_only.to_dict() == {
        "1": False,
        "2": False,
        "3": True,
        "4": False,
        "5": False,
        "9": False,
        "8": False,
    }
    assert out.loc["1", "checkpoint_name"] == "MAPP" and out.loc["2", "checkpoint_name"] is None
    assert out.category.to_dict() == {
        "1": "international checkpoint",
        "2": "road without checkpoint",
        "3": "local checkpoint",
        "4": "track",
        "5": "track",
        "9": "rail checkpoint",
        "8": "rail without checkpoint",
    }
    # a wider radius takes in the far checkpoint
    assert (
        find(roads, rail, cps, checkpoint_within_m=3000).set_index("osm_ids").loc["2", "official"]
    )


def _excursion(lon0, lon1, depth_deg):
    """Rail from XAA into XBB at lon0, along XBB ``depth_deg`` north, back into XAA at lon1."""
    lon = np.arange(lon0 + 0.05, lon1 - 0.05 + 1e-9, 0.02)
    start = [(lon0 - 0.1, f(lon0) - 0.1), (lon0, f(lon0) + 0.0001)]
    middle = np.column_stack([lon, f(lon) + depth_deg])
    end = [(lon1, f(lon1) + 0.0001), (lon1 + 0.1, f(lon1) - 0.1)]
    return start, middle, end


def test_transit_rail_line():
    start, middle, end = _excursion(62.0, 63.0, 0.1)  # ~70 km in XBB
    a = shapely.LineString([*start, tuple(middle[0])])
    b = shapely.LineString(middle)
    c = shapely.LineString([tuple(middle[-1]), *end])
    tags = {"railway": "rail", "ref": "TS", "usage": "main"}
    other = crossing_line(65.0)  # an ordinary line of the same ref elsewhere
    rail = rail_frame([(1, a, tags), (2, b, tags), (3, c, tags), (4, other, tags)])
    out = find(rail=rail).set_index("osm_ids")
    assert out.transit.to_dict() == {"1": True, "3": True, "4": False}
    assert out.loc["1", "direction"] == "XAA->XBB" and out.loc["3", "direction"] == "XBB->XAA"
    assert not find(rail=rail, transit_min_km=100).transit.any()
    # without the middle way the two crossings are not joined
    assert not find(rail=rail[rail.osm_id != 2]).transit.any()


def test_transit_needs_one_route():
    start, middle, end = _excursion(62.0, 63.0, 0.1)
    rail = rail_frame(
        [
            (1, shapely.LineString([*start, tuple(middle[0])]), {"railway": "rail", "ref": "A"}),
            (2, shapely.LineString(middle), {"railway": "rail", "ref": "B"}),
            (3, shapely.LineString([tuple(middle[-1]), *end]), {"railway": "rail", "ref": "A"}),
        ]
    )
    assert not find(rail=rail).transit.any()


def test_continuity_and_surface_differs():
    lon = 66.0
    y0 = float(f(lon))
    south = shapely.LineString([(lon, y0 - 0.05), (lon, y0 + 0.003)])  # paved, 300 m into XBB
    north = shapely.LineString([(lon, y0 + 0.003), (lon, y0 + 0.06)])  # then a track
    same = crossing_line(67.0)
    roads = roads_frame(
        [
            (1, south, {"highway": "primary", "surface": "asphalt"}),
            (2, north, {"highway": "track", "tracktype": "grade4"}),
            (3, same, {"highway": "secondary"}),
        ]
    )
    out = find(roads).set_index("osm_ids")
    assert out.loc["1", ["highway_XAA", "surface_XAA", "highway_XBB", "surface_XBB"]].tolist() == [
        "primary",
        "paved",
        "track",
        "unpaved",
    ]
    assert out.loc["1", "surface_differs"] and not out.loc["3", "surface_differs"]
    # within 200 m the primary is the longest way on both sides
    near = find(roads, continuity_km=0.2).set_index("osm_ids")
    assert near.loc["1", "highway_XBB"] == "primary" and not near.loc["1", "surface_differs"]


def test_admin_names_on_each_side():
    admin = gpd.GeoDataFrame(
        {
            "osm_id": [1, 2, 3, 4, 5],
            "admin_level": [4, 4, 6, 6, 4],
            "name": ["South West", "North", "South district", "North district", "South East"],
        },
        geometry=[
            shapely.box(59, 47, 65, 49.5),  # leaves a strip next to the border
            shapely.box(59, 50.2, 71, 53),
            shapely.box(59, 47, 71, 49.8),
            shapely.box(59, 50.2, 71, 53),
            shapely.box(65, 47, 71, 49.5),
        ],
        crs=WGS84,
    )
    roads = roads_frame(
        [
            (1, crossing_line(62.0, dy=0.8), {"highway": "primary"}),
            (2, crossing_line(68.0, dy=0.05), {"highway": "primary"}),
        ]
    )
    out = find(roads, admin=admin).set_index("osm_ids")
    assert out.loc["1", ["region_XAA", "region_XBB"]].tolist() == ["South West", "North"]
    assert out.loc["1", ["district_XAA", "district_XBB"]].tolist() == [
        "South district",
        "North district",
    ]
    # road 2 ends inside the strip: the nearest area on each side
    assert out.loc["2", ["region_XAA", "region_XBB"]].tolist() == ["South East", "North"]


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
# surface rule


@pytest.mark.parametrize(
    ("highway", "surface", "tracktype", "smoothness", "expected"),
    [
        ("track", "asphalt", None, None, ("paved", "tag")),
        ("motorway", "gravel", None, None, ("unpaved", "tag")),
        ("residential", "concrete:plates", None, None, ("paved", "tag")),
        ("residential", "paving_stones", None, None, ("paved", "tag")),
        ("service", "sett", None, None, ("paved", "tag")),
        ("primary", "dirt", None, None, ("unpaved", "tag")),
        ("tertiary", "compacted", None, None, ("unpaved", "tag")),
        ("unclassified", "ground", "grade1", None, ("unpaved", "tag")),
        ("track", None, "grade1", None, ("paved", "tag")),
        ("primary", None, "grade3", None, ("unpaved", "tag")),
        ("track", "weird", "grade5", None, ("unpaved", "tag")),
        ("residential", None, None, "good", ("paved", "tag")),
        ("track", None, None, "excellent", ("paved", "tag")),
        ("primary", None, None, "very_bad", ("unpaved", "tag")),
        ("primary", None, None, "intermediate", ("paved", "inferred")),
        ("tertiary", None, None, "intermediate", ("unknown", "none")),
        ("motorway", None, None, None, ("paved", "inferred")),
        ("trunk_link", None, None, None, ("paved", "inferred")),
        ("secondary", None, None, None, ("paved", "inferred")),
        ("tertiary", None, None, None, ("unknown", "none")),
        ("track", None, None, None, ("unpaved", "inferred")),
        ("residential", "asphalt;gravel", None, None, ("unknown", "none")),
        (None, None, None, None, ("unknown", "none")),
    ],
)
def test_surface_rule(highway, surface, tracktype, smoothness, expected):
    assert surface_class(highway, surface, tracktype, smoothness) == expected


def test_surface_rule_vectorised_matches_scalars():
    rows = [
        ("track", "asphalt", None, None),
        ("primary", None, "grade3", None),
        ("tertiary", None, None, "intermediate"),
        ("service", None, None, None),
        ("secondary_link", np.nan, None, None),
    ]
    df = pd.DataFrame(rows, columns=["h", "s", "t", "m"], index=[10, 11, 12, 13, 14])
    cls, src = surface_class(df.h, df.s, df.t, df.m)
    assert list(cls.index) == [10, 11, 12, 13, 14]
    assert list(zip(cls, src, strict=True)) == [surface_class(*r) for r in rows]
    lists = surface_class(["track", "primary"], [None, "dirt"], [None, None], [None, None])
    assert [x.tolist() for x in lists] == [["unpaved", "unpaved"], ["inferred", "tag"]]


# --------------------------------------------------------------------------------------
# properties over the analytic border


def side_points(coords):
    return shapely.get_coordinates(shapely.segmentize(shapely.LineString(coords), 1e-4))


def side_changes(coords):
    """Changes of side of a lon/lat polyline against lat = f(lon), by dense sampling."""
    pts = side_points(coords)
    g = pts[:, 1] - f(pts[:, 0])
    return g, np.flatnonzero(np.sign(g[1:]) != np.sign(g[:-1]))


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
# summaries


def test_summary_rows():
    roads = roads_frame(
        [
            (1, crossing_line(61.0), {"highway": "trunk", "surface": "asphalt"}),
            (2, crossing_line(62.0), {"highway": "motorway_link"}),
            (3, crossing_line(63.0), {"highway": "track", "surface": "dirt"}),
            (4, crossing_line(64.0), {"highway": "unclassified", "surface": "gravel"}),
        ]
    )
    rail = rail_frame(
        [
            (5, crossing_line(65.0), {"railway": "rail", "ref": "L1"}),
            (6, crossing_line(66.0), {"railway": "rail", "ref": "L1"}),
            (7, crossing_line(67.0), {"railway": "rail", "name": "Branch"}),
        ]
    )
    admin = gpd.GeoDataFrame(
        {"admin_level": [4, 4, 4], "name": ["S1", "S2", "N"]},
        geometry=[
            shapely.box(59, 47, 63.5, 50.5),
            shapely.box(63.5, 47, 71, 50.5),
            shapely.box(59, 49.7, 71, 53),
        ],
        crs=WGS84,
    )
    out = find(roads, rail, admin=admin)
    s = summarise_crossings(out, roads=roads, by_region=True)
    border = s[s.scope == "border"].set_index(["group", "item"])
    assert border.loc[("headline", "road crossings"), "value"] == 4
    assert border.loc[("headline", "rail lines"), "value"] == 2
    assert border.loc[("headline", "trunk highways"), "value"] == 2
    assert border.loc[("headline", "dirt roads"), "value"] == 2
    assert border.loc[("headline", "rail lines"), "published"] == 16
    assert border.loc[("headline", "road crossings"), "key"] == "roads"
    assert border.loc[("kind", "rail"), "value"] == 3
    assert border.loc[("highway", "trunk"), "value"] == 1
    assert border.loc[("category", "track"), "value"] == 1
    assert border.loc[("road_km", "all"), "value"] == pytest.approx(4 * 11.12, rel=0.01)
    assert set(s.scope) == {"border", "S1 | N", "S2 | N"}
    s1 = s[s.scope == "S1 | N"].set_index(["group", "item"])
    assert s1.loc[("headline", "road crossings"), "value"] == 3
    assert s1.published.isna().all()
    with pytest.raises(InputDataError):
        summarise_crossings(find(roads), by_region=True)


# --------------------------------------------------------------------------------------
# the truth of synthetic worlds

OUTLINES = Path(__file__).resolve().parents[2] / "data" / "rus_kaz_outlines.gpkg"


def _run_world(out_dir: Path, seed: int, countries=None, pair=PAIR):
    from borderzone.osm.pbf import extract_corridor

    world = synth.generate_world(out_dir, countries=countries, pair=pair, n_ways=300, seed=seed)
    countries = gpd.read_file(world.countries, layer="countries")[["iso3", "geometry"]]
    border, gaps = trace_border(countries, pair=pair)
    segments = cut_segments(border.geometry.iloc[0], segment_km=25)
    corridor = shapely.buffer(border.geometry.iloc[0], 0.3)
    layers = extract_corridor([world.pbf], corridor=corridor, engine="pyosmium")
    found = detect_crossings(
        border,
        segments,
        gaps,
        countries,
        layers["roads"],
        layers["rail"],
        layers["checkpoints"],
        layers["admin"],
        pair=pair,
    )
    truth = gpd.read_file(world.truth, layer="crossings")
    non = gpd.read_file(world.truth, layer="non_crossings")
    return found, truth, non, layers["roads"]


@pytest.fixture(scope="module", params=["seed0", "seed1", "rus_kaz"])
def synth_run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"world_{request.param}")
    if request.param == "rus_kaz":  # the real outlines: 7,700 km, ~100 extra crossings
        countries = read_countries(OUTLINES, iso3=["RUS", "KAZ"])
        return _run_world(out, 0, countries, ("RUS", "KAZ"))
    return _run_world(out, int(request.param[-1]))


def _matched(found, truth):
    """Index of the found crossing of each truth crossing (same kind, nearest, ≤ 50 m)."""
    out = []
    for row in truth.itertuples():
        same = found[found.kind == row.kind]
        d = GEOD.inv(
            np.full(len(same), row.geometry.x),
            np.full(len(same), row.geometry.y),
            same.lon.to_numpy(),
            same.lat.to_numpy(),
        )[2]
        k = int(np.argmin(d))
        assert d[k] <= 50.0, f"{row.feature} at km {row.border_km:.3f}: nearest found {d[k]:.0f} m"
        out.append(same.index[k])
    return out


def test_synth_every_truth_crossing_found_once(synth_run):
    found, truth, non, _ = synth_run
    idx = _matched(found, truth)
    assert len(set(idx)) == len(truth) == len(found)
    got = found.loc[idx].reset_index(drop=True)
    assert got.osm_ids.tolist() == truth.osm_ids.tolist()
    assert got.km.to_numpy() == pytest.approx(truth.border_km.to_numpy(), abs=0.05)
    found_ids = {i for ids in found.osm_ids for i in ids.split(",")}
    assert not found_ids & {str(i) for i in non.osm_id}


@pytest.mark.parametrize(
    "column",
    [
        "highway",
        "ref",
        "official",
        "local_only",
        "category",
        "transit",
        "in_gap",
        "surface_differs",
    ],
)
def test_synth_classes_equal_truth(synth_run, column):
    found, truth, _, _ = synth_run
    got = found.loc[_matched(found, truth)].reset_index(drop=True)
    a = [None if pd.isna(v) else v for v in got[column]]
    b = [None if pd.isna(v) else v for v in truth[column]]
    assert a == b, list(zip(truth.feature, a, b, strict=True))


def test_synth_features_present(synth_run):
    _, truth, _, _ = synth_run
    need = {"dual_carriageway", "zigzag", "transit_rail", "in_gap", "paved_to_track"}
    assert need <= set(truth.feature)


def test_synth_surface_all_features(synth_run):
    found, truth, _, _ = synth_run
    got = found.loc[_matched(found, truth)].reset_index(drop=True)
    road = truth.kind == "road"
    assert got.surface_class[road].tolist() == truth.surface_class[road].tolist()
    assert got.surface_source[road].tolist() == truth.surface_source[road].tolist()
