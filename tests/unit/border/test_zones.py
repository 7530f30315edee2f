import geopandas as gpd
import numpy as np
import pytest
import shapely

from borderzone.border.line import build_border
from borderzone.border.segments import cut_segments
from borderzone.border.zones import build_buffer, build_cells, corridor_zone
from borderzone.crs import WGS84, densify_lonlat, fitted_crs
from borderzone.geodesy import GEOD, geodesic_length_km
from borderzone.io import read_countries
from tests.parts_outlines import write_north_south_outlines, write_parts_outlines


def geodesic_distance_m(
    points: np.ndarray, line: shapely.LineString, reach_km: float
) -> np.ndarray:
    """Geodesic distance from each lon/lat point to the line: the nearest of the line's
    vertices after densifying it to ~50 m (which overstates the distance by < 0.1 m)."""
    verts = shapely.get_coordinates(shapely.segmentize(line, 0.0005))
    tree = shapely.STRtree(shapely.points(verts))
    dlat = reach_km / 100
    dlon = dlat / np.cos(np.radians(points[:, 1]))
    boxes = shapely.box(
        points[:, 0] - dlon, points[:, 1] - dlat, points[:, 0] + dlon, points[:, 1] + dlat
    )
    pi, vi = tree.query(boxes)
    _, _, d = GEOD.inv(points[pi, 0], points[pi, 1], verts[vi, 0], verts[vi, 1])
    out = np.full(len(points), np.inf)
    np.minimum.at(out, pi, d)
    return out


@pytest.mark.parametrize("width_km", [10, 50])
def test_outer_edge_is_width_from_border(
    rus_kaz_border, rus_kaz_zones, rus_kaz_countries, width_km
):
    line = rus_kaz_border["border"].geometry.iloc[0]
    buffer = rus_kaz_zones[width_km]["buffer"]
    zone = shapely.union_all(buffer.geometry.values)
    rings = shapely.get_parts(shapely.boundary(zone))
    # 4000 points spread evenly (by degrees of arc) over the whole boundary
    ring_len = shapely.length(rings)
    counts = np.maximum((4000 * ring_len / ring_len.sum()).astype(int), 0)
    fracs = [np.arange(n) / n for n in counts]
    pts = shapely.line_interpolate_point(
        np.repeat(rings, counts), np.concatenate(fracs), normalized=True
    )
    # leave out points where a country outline (border, coast, clip edge) cuts the buffer
    outlines = shapely.boundary(shapely.union_all(rus_kaz_countries.geometry.values))
    shapely.prepare(outlines)
    shapely.prepare(line)
    on_outline = shapely.dwithin(pts, outlines, 0.002)
    pts = pts[~on_outline & ~shapely.dwithin(pts, line, 0.002)]
    assert len(pts) >= 1000
    dist = geodesic_distance_m(shapely.get_coordinates(pts), line, reach_km=width_km * 1.2)
    # the points sample the whole border, from the Caspian to the Altai
    assert np.ptp(shapely.get_coordinates(pts)[:, 0]) > 38
    err = dist / (width_km * 1000) - 1
    assert np.abs(err).max() < 0.001, f"worst relative error {np.abs(err).max():.5f}"


@pytest.mark.parametrize("width_km", [10, 50])
def test_cells_tile_the_buffer(rus_kaz_zones, rus_kaz_border, width_km):
    buffer = rus_kaz_zones[width_km]["buffer"]
    cells = rus_kaz_zones[width_km]["cells"]
    ea = fitted_crs(tuple(buffer.total_bounds), kind="equal_area")
    for side in ("RUS", "KAZ"):
        side_cells = cells[cells["side"] == side].to_crs(ea)
        side_buffer = buffer[buffer["side"] == side].to_crs(ea)
        total = side_cells.area.sum()
        assert total == pytest.approx(side_buffer.area.iloc[0], rel=1e-4)
        assert side_cells["area_km2"].sum() == pytest.approx(total / 1e6, rel=1e-6)
        union = shapely.union_all(side_cells.geometry.values)
        assert union.area == pytest.approx(total, rel=1e-6)  # no overlaps
        assert side_cells["seg_id"].is_unique
    assert set(cells["seg_id"]) <= set(rus_kaz_border["segments"]["seg_id"])


def test_cell_holds_points_nearest_its_segment(rus_kaz_zones, rus_kaz_border):
    cells = rus_kaz_zones[50]["cells"]
    segments = rus_kaz_border["segments"]
    work = fitted_crs(tuple(cells.total_bounds), kind="conformal")
    sample = cells.sample(40, random_state=1)
    pts = sample.geometry.representative_point().to_crs(work)
    segs = segments.to_crs(work)
    for seg_id, pt in zip(sample["seg_id"], pts, strict=True):
        d = segs.distance(pt)
        nearest = segs.loc[d.idxmin(), "seg_id"]
        own = d[segs["seg_id"] == seg_id].iloc[0]
        # the cell's own segment is the nearest, or as near within the sampling step
        assert nearest == seg_id or own - d.min() < 300


def test_narrower_buffers_lie_inside_wider(rus_kaz_zones):
    narrow, wide = rus_kaz_zones[10]["buffer"], rus_kaz_zones[50]["buffer"]
    ea = fitted_crs(tuple(wide.total_bounds), kind="equal_area")
    for side in ("RUS", "KAZ"):
        a = narrow[narrow["side"] == side].to_crs(ea).geometry.iloc[0]
        b = wide[wide["side"] == side].to_crs(ea).geometry.iloc[0]
        assert shapely.difference(a, b).area < 1e-6 * a.area


def test_buffer_rejects_non_positive_width(rus_kaz_border, rus_kaz_countries):
    line = rus_kaz_border["border"].geometry.iloc[0]
    with pytest.raises(ValueError, match="positive"):
        build_buffer(line, rus_kaz_countries, pair=["RUS", "KAZ"], width_km=0)


def test_small_world_buffer_area_matches_width(tmp_path):
    """A straight east-west border: each side's buffer is a band of width W (plus the
    rounded ends, clipped by the coast in the west)."""
    line = shapely.LineString([(60, 50), (62, 50)])
    south = shapely.box(59, 48, 63, 50)
    north = shapely.box(59, 50, 63, 52)
    countries = gpd.GeoDataFrame({"iso3": ["XAA", "XBB"]}, geometry=[south, north], crs=WGS84)
    buffer = build_buffer(line, countries, pair=["XAA", "XBB"], width_km=20)
    cells = build_cells(buffer, cut_segments(line, segment_km=25))
    length_km = geodesic_length_km(densify_lonlat(line))  # along the parallel
    expected = length_km * 20 + np.pi * 20**2 / 2  # band + two quarter discs
    for area in buffer["area_km2"]:
        assert area == pytest.approx(expected, rel=0.003)
    assert cells.groupby("side")["area_km2"].sum().to_numpy() == pytest.approx(
        buffer["area_km2"].to_numpy(), rel=1e-6
    )


def outer_edge_error(buffer, countries, border_lines, width_km, n=4000):
    """Relative error of the distance to the border at ~``n`` points of the outer edge,
    and those points (points where an outline cuts the buffer are left out)."""
    zone = shapely.union_all(buffer.geometry.values)
    rings = shapely.get_parts(shapely.boundary(zone))
    ring_len = shapely.length(rings)
    counts = np.maximum((n * ring_len / ring_len.sum()).astype(int), 0)
    fracs = [np.arange(k) / k for k in counts]
    pts = shapely.line_interpolate_point(
        np.repeat(rings, counts), np.concatenate(fracs), normalized=True
    )
    outlines = shapely.boundary(shapely.union_all(countries.geometry.values))
    lines = shapely.MultiLineString(border_lines)
    pts = pts[~shapely.dwithin(pts, outlines, 0.002) & ~shapely.dwithin(pts, lines, 0.002)]
    xy = shapely.get_coordinates(pts)
    dist = np.min(
        [geodesic_distance_m(xy, line, reach_km=width_km * 1.2) for line in border_lines], axis=0
    )
    return dist / (width_km * 1000) - 1, xy


@pytest.fixture(scope="module")
def north_south(tmp_path_factory):
    path = write_north_south_outlines(tmp_path_factory.mktemp("ns") / "c.gpkg")
    countries = read_countries(path, iso3=["XAA", "XBB"])
    layers = build_border(countries, pair=["XAA", "XBB"], snap_m=500, max_gap_km=10, segment_km=25)
    return countries, layers


@pytest.mark.parametrize("width_km", [10, 50])
def test_north_south_buffer_is_true_to_its_width(north_south, width_km):
    countries, layers = north_south
    buffer = build_buffer(layers["border"], countries, pair=["XAA", "XBB"], width_km=width_km)
    err, xy = outer_edge_error(buffer, countries, list(layers["border"].geometry), width_km)
    assert len(xy) >= 1000
    assert np.ptp(xy[:, 1]) > 10  # the points sample the border from 40 to 52 °N
    assert np.abs(err).max() < 0.001, f"worst relative error {np.abs(err).max():.5f}"


@pytest.fixture(scope="module")
def in_parts(tmp_path_factory):
    path = write_parts_outlines(tmp_path_factory.mktemp("parts") / "c.gpkg")
    countries = read_countries(path, iso3=["XAA", "XBB"])
    layers = build_border(countries, pair=["XAA", "XBB"], snap_m=500, max_gap_km=10, segment_km=25)
    return countries, layers


def test_buffer_of_a_border_in_parts_covers_every_part_and_no_break(in_parts):
    countries, layers = in_parts
    border = layers["border"]
    buffer = build_buffer(border, countries, pair=["XAA", "XBB"], width_km=20)
    err, xy = outer_edge_error(buffer, countries, list(border.geometry), 20)
    assert np.abs(err).max() < 0.001, f"worst relative error {np.abs(err).max():.5f}"
    zone = shapely.union_all(buffer.geometry.values)
    for part in border.geometry:  # every part lies in the zone (the island too)
        assert shapely.difference(part, shapely.buffer(zone, 1e-7)).length < 1e-9
    # the unclipped corridor does not reach across the sea or the wedge (53 km to a part)
    corridor = corridor_zone(border, width_km=20).geometry.iloc[0]
    sea, middle_of_wedge = shapely.Point(57.25, 50.0), shapely.Point(63.75, 50.05)
    assert not corridor.intersects(sea) and not corridor.intersects(middle_of_wedge)
    assert corridor.contains(shapely.Point(55.25, 50.05))  # 11 km from the island's border


def test_cells_of_a_border_in_parts_tile_its_buffer(in_parts):
    countries, layers = in_parts
    buffer = build_buffer(layers["border"], countries, pair=["XAA", "XBB"], width_km=20)
    cells = build_cells(buffer, layers["segments"])
    assert cells.groupby("side")["area_km2"].sum().to_numpy() == pytest.approx(
        buffer["area_km2"].to_numpy(), rel=1e-6
    )
    assert set(cells["seg_id"]) == set(layers["segments"]["seg_id"])
