import geopandas as gpd
import numpy as np
import pytest
import shapely

from borderzone.crs import WGS84
from borderzone.osm.clip import TILE_DEG, _settled, clip_lines, clip_network


def test_clip_lines_keeps_inside_cuts_edge_drops_outside():
    zone = shapely.box(0, 0, 1, 1)
    lines = gpd.GeoDataFrame(
        {"osm_id": [1, 2, 3, 4]},
        geometry=[
            shapely.LineString([(0.2, 0.2), (0.8, 0.8)]),  # inside
            shapely.LineString([(0.5, 0.5), (1.5, 0.5)]),  # crosses the edge once
            shapely.LineString([(2, 2), (3, 3)]),  # outside
            shapely.LineString([(-0.5, 0.2), (0.5, 0.2), (0.5, 1.5), (0.7, 1.5), (0.7, 0.5)]),
        ],
        crs="EPSG:4326",
    )
    out = clip_lines(lines, zone)
    assert sorted(out["osm_id"]) == [1, 2, 4, 4]  # the fourth leaves and re-enters
    assert out.geometry.within(zone.buffer(1e-9)).all()
    assert out.loc[out.osm_id == 1].geometry.iloc[0].equals(lines.geometry.iloc[0])
    assert shapely.length(out.loc[out.osm_id == 2].geometry.values)[0] == pytest.approx(0.5)


@pytest.mark.parametrize("keep", [[0, 1, 3], [1], [0, 1, 2, 3]], ids=["some", "one", "all"])
def test_clip_lines_leaves_the_lines_it_is_given_as_they_were(keep):
    """The caller's frame keeps its geometries whole, whichever of them the zone cuts."""
    zone = shapely.box(0, 0, 1, 1)
    lines = gpd.GeoDataFrame(
        {"osm_id": [1, 2, 3, 4]},
        geometry=[
            shapely.LineString([(0.5, 0.5), (1.5, 0.5)]),
            shapely.LineString([(-0.5, 0.2), (0.5, 0.2), (0.5, 1.5), (0.7, 1.5), (0.7, 0.5)]),
            shapely.LineString([(0.2, 0.2), (0.8, 0.8)]),
            shapely.LineString([(0.5, -1), (0.5, 2)]),
        ],
        crs="EPSG:4326",
    ).iloc[keep]
    before = lines.geometry.values.copy()
    clip_lines(lines, zone)
    assert all(shapely.equals_identical(lines.geometry.values, before))


def test_clip_network_splits_by_side():
    buffer = gpd.GeoDataFrame(
        {"side": ["XAA", "XBB"], "width_km": [5.0, 5.0]},
        geometry=[shapely.box(0, -1, 1, 0), shapely.box(0, 0, 1, 1)],
        crs="EPSG:4326",
    )
    road = shapely.LineString([(0.5, -0.5), (0.5, 0.5)])
    layers = {
        "roads": gpd.GeoDataFrame({"osm_id": [7]}, geometry=[road], crs="EPSG:4326"),
        "rail": gpd.GeoDataFrame({"osm_id": []}, geometry=[], crs="EPSG:4326"),
        "checkpoints": gpd.GeoDataFrame(
            {"osm_id": [1, 2]},
            geometry=[shapely.Point(0.5, 0.1), shapely.Point(5, 5)],
            crs="EPSG:4326",
        ),
        "places": gpd.GeoDataFrame({"osm_id": []}, geometry=[], crs="EPSG:4326"),
    }
    out = clip_network(layers, buffer)
    assert sorted(out["roads"]["side"]) == ["XAA", "XBB"]
    assert shapely.length(out["roads"].geometry.values).sum() == pytest.approx(1.0)
    assert list(out["checkpoints"]["osm_id"]) == [1]
    assert list(out["checkpoints"]["side"]) == ["XBB"]
    assert len(out["rail"]) == 0


@pytest.mark.parametrize("step", [0.5, 0.05])
def test_lines_cut_by_a_detailed_polygon_are_its_overlay_with_them(step):
    rng = np.random.default_rng(5)
    # a ring of 4,000 vertices with a ragged edge, and 400 random lines (running east, so
    # none crosses itself) across it: long ones, across several tiles of the grid that
    # clip_lines cuts the ring by, or short ones, most within one tile
    angle = np.linspace(0, 2 * np.pi, 4000, endpoint=False)
    radius = 5 + 0.3 * np.sin(angle * 97) + rng.uniform(-0.05, 0.05, len(angle))
    zone = shapely.Polygon(np.c_[60 + radius * np.cos(angle), 50 + radius * np.sin(angle) / 2])
    starts = rng.uniform([54, 46], [66, 54], (400, 2))
    lines = [
        shapely.LineString(
            np.cumsum(
                np.r_[[s], np.c_[rng.uniform(step / 10, step, 12), rng.normal(0, 0.6 * step, 12)]],
                axis=0,
            )
        )
        for s in starts
    ]
    roads = gpd.GeoDataFrame({"osm_id": range(400)}, geometry=lines, crs=WGS84)
    box = shapely.bounds(np.array(lines, dtype=object))
    in_one_tile = (np.floor(box[:, :2] / TILE_DEG) == np.floor(box[:, 2:] / TILE_DEG)).all(1)
    assert in_one_tile.sum() > 200 if step < 0.1 else in_one_tile.sum() < 50
    got = clip_lines(roads, zone)
    overlay = shapely.intersection(np.array(lines, dtype=object), zone)
    want = gpd.GeoDataFrame({"osm_id": range(400)}, geometry=overlay, crs=WGS84).explode(
        index_parts=False
    )
    want = want[(want.geom_type == "LineString") & ~want.is_empty].reset_index(drop=True)
    assert 100 < len(got) == len(want)
    assert (got["osm_id"].to_numpy() == want["osm_id"].to_numpy()).all()
    # the same pieces, cut at the same points up to rounding
    assert shapely.hausdorff_distance(got.geometry.values, want.geometry.values).max() < 1e-9
    mid = shapely.line_interpolate_point(got.geometry.values, 0.5, normalized=True)
    assert shapely.covers(zone.buffer(1e-9), mid).all()


def test_what_the_boundary_settles_agrees_with_the_predicates():
    """Short lines all over a ragged polygon with a hole; lines touching it, along an edge."""
    rng = np.random.default_rng(8)
    angle = np.linspace(0, 2 * np.pi, 3000, endpoint=False)
    radius = 5 + 0.3 * np.sin(angle * 61) + rng.uniform(-0.05, 0.05, len(angle))
    shell = np.c_[60 + radius * np.cos(angle), 50 + radius * np.sin(angle)]
    zone = shapely.Polygon(shell, [[(59, 49), (61, 49), (61, 51), (59, 51)]])
    starts = rng.uniform([54, 44], [66, 56], (20_000, 2))
    steps = rng.normal(0, 0.05, (20_000, 3, 2))
    geoms = list(shapely.linestrings(np.concatenate([starts[:, None], starts[:, None] + steps], 1)))
    geoms += [
        shapely.LineString([shell[10], shell[10] + 0.01]),  # from a vertex of the boundary
        shapely.LineString([(59, 49.5), (59, 50.5)]),  # along the hole's edge
        shapely.LineString([(60.5, 50.5), (60.9, 50.9)]),  # in the hole
        shapely.MultiLineString([[(60, 53), (60.1, 53)], [(66, 56), (66.1, 56)]]),
        shapely.LineString(),
        None,
    ]
    geoms = np.array(geoms, dtype=object)
    shapely.prepare(zone)
    inside, outside = _settled(zone, geoms)
    assert inside.sum() > 5_000 and outside.sum() > 5_000  # most are settled
    assert not (inside & outside).any()
    assert shapely.contains(zone, geoms[inside]).all()
    assert not shapely.intersects(zone, geoms[outside]).any()
    assert not inside[-6] and not inside[-5] and not outside[-5] and outside[-4]
