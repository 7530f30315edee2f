"""Tests of borderzone.crossings.frame: sides of points and the chainage on the border."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from crossings_helpers import BORDER, COUNTRIES, PAIR, f

from borderzone.border.line import trace_border
from borderzone.crossings.frame import ON_BORDER_M, border_frame
from borderzone.crs import WGS84, densify_lonlat
from borderzone.errors import InputDataError
from borderzone.geodesy import GEOD
from borderzone.io import read_countries
from tests.parts_outlines import write_parts_outlines

FRAME = border_frame(BORDER, COUNTRIES, PAIR)


def projected(lonlat):
    lonlat = np.asarray(lonlat, dtype=float)
    x, y = FRAME.fwd.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


def test_side_of_points():
    points = [
        (62.0, f(62.0) - 0.01),  # XAA, south
        (62.0, f(62.0) + 0.01),  # XBB, north
        (65.0, 51.5),  # XBB
        (75.0, 50.0),  # east of both outlines
        (62.0, 46.0),  # south of XAA's outline
    ]
    assert FRAME.side(projected(points)).tolist() == [1, 2, 2, 0, 0]
    assert FRAME.side(np.zeros((0, 2))).tolist() == []


def test_points_on_the_border_have_no_side():
    xy = projected([(lon, f(lon)) for lon in (61.0, 63.005, 68.5)])
    assert (FRAME.side(xy) == 0).all()
    assert ON_BORDER_M == 0.5


def test_locate_gives_the_geodesic_chainage():
    lon = np.array([60.0, 62.0, 66.3])
    xy = projected(np.column_stack([lon, f(lon)]))
    km, lon_out, lat_out = FRAME.locate(xy[:, 0], xy[:, 1])
    assert lon_out == pytest.approx(lon, abs=1e-9) and lat_out == pytest.approx(f(lon), abs=1e-9)
    line = shapely.get_coordinates(BORDER.geometry.iloc[0])
    for k, x in zip(km, lon, strict=True):
        piece = line[line[:, 0] < x]
        expected = GEOD.line_length(*np.vstack([piece, [[x, f(x)]]]).T) / 1000 if len(piece) else 0
        assert k == pytest.approx(expected, abs=1e-3)
    assert [len(a) for a in FRAME.locate(np.zeros(0), np.zeros(0))] == [0, 0, 0]


def test_areas_are_clipped_to_the_window():
    far = shapely.box(100, 10, 101, 11)
    near = shapely.box(61, 49, 62, 51)
    out = FRAME.project_areas(np.array([far, near], dtype=object))
    assert out[0].is_empty and not out[1].is_empty
    x0, y0, x1, y1 = BORDER.geometry.iloc[0].bounds
    assert FRAME.window == pytest.approx((x0 - 2, y0 - 2, x1 + 2, y1 + 2))


def test_border_must_be_one_line():
    points = gpd.GeoDataFrame(geometry=[shapely.Point(61, 50)], crs=WGS84)
    with pytest.raises(InputDataError, match="not one LineString"):
        border_frame(points, COUNTRIES, PAIR)


# --------------------------------------------------------------------------------------
# a border in three parts (tests/parts_outlines.py): island, west of a wedge, east of it


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    path = write_parts_outlines(tmp_path_factory.mktemp("parts") / "c.gpkg")
    countries = read_countries(path, iso3=list(PAIR))
    border, _ = trace_border(countries, pair=PAIR)
    return border, border_frame(border, countries, PAIR)


def test_chainage_on_a_border_in_parts_runs_along_each_part(parts):
    border, frame = parts
    assert border["part_id"].tolist() == [1, 2, 3]
    for row in border.itertuples():
        coords = shapely.get_coordinates(row.geometry)
        k = len(coords) // 3  # a vertex a third of the way along the part
        x, y = frame.fwd.transform(coords[[k], 0], coords[[k], 1])
        km, _, _ = frame.locate(np.asarray(x), np.asarray(y))
        along = GEOD.line_length(*coords[: k + 1].T) / 1000
        assert km[0] == pytest.approx(row.from_km + along, abs=1e-3)
        assert frame.part(np.asarray(x), np.asarray(y)).tolist() == [row.part_id]


def test_no_edge_joins_two_parts(parts):
    border, frame = parts
    ends = [
        (row.geometry.coords[-1], nxt.coords[0])
        for row, nxt in zip(border.itertuples(), border.geometry.iloc[1:], strict=False)
    ]
    for (x0, y0), (x1, y1) in ends:  # the middle of each break is ~50 km from the border
        x, y = frame.fwd.transform((x0 + x1) / 2, (y0 + y1) / 2)
        near = frame.tree.query(shapely.Point(x, y), predicate="dwithin", distance=40_000)
        assert len(near) == 0
    assert len(frame.edges) == sum(
        len(shapely.get_coordinates(densify_lonlat(g))) - 1 for g in border.geometry
    )
