import geopandas as gpd
import pytest
import shapely

from borderzone.osm.clip import clip_lines, clip_network


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
