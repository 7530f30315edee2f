import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from metrics_helpers import GRID_CRS as CRS
from metrics_helpers import centre, constant_rasters, grid, lines

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.metrics.grid import equal_area_grid
from borderzone.metrics.rasters import (
    PARTIAL_DIR,
    RASTERS,
    build_rasters,
    distance_to_road_km,
    population_density_raster,
    road_speed_pixels,
    travel_time_raster_min,
)


def test_distance_is_zero_on_roads_and_the_pixel_distance_elsewhere():
    g = grid(40)
    roads = lines(g, [[(20, 0), (20, 39)]], highway=["track"])
    d = distance_to_road_km(roads, g)
    rows = np.arange(40)[:, None]
    assert np.array_equal(d, np.broadcast_to(np.abs(rows - 20).astype("float32"), (40, 40)))
    mask = np.zeros((40, 40), dtype=bool)
    mask[10:30] = True
    dm = distance_to_road_km(roads, g, mask=mask)
    assert np.isnan(dm[:10]).all() and (dm[mask] == d[mask]).all()
    # a single road pixel: Euclidean distances
    dot = lines(g, [[(5, 5), (5, 5.1)]], highway=["track"])
    d = distance_to_road_km(dot, g)
    assert d[8, 9] == pytest.approx(5.0) and d[5, 5] == 0


def test_travel_time_blocked_by_the_border_except_at_crossings():
    g = grid(60)
    border = lines(g, [[(-1, 30), (61, 30)]])  # vertical line through column 30
    cross_xy = centre(g, 5, 30)
    crossings = gpd.GeoDataFrame(
        {"kind": ["road", "rail"]},
        geometry=[shapely.Point(cross_xy), shapely.Point(centre(g, 50, 30))],
        crs=CRS,
    )
    roads = lines(g, [[(40, 0), (40, 29)]], highway=["primary"], surface=["asphalt"])
    mask = np.ones(g.shape, dtype=bool)
    t = travel_time_raster_min(roads, crossings, border, g, mask=mask, access_kmh=20.0)
    assert t[5, 30] == 0
    # border pixels away from the crossing are impassable (nodata), even at the rail crossing
    assert np.isnan(t[20:, 30]).all()
    # off road, 3 min per km: straight along the row from the crossing
    assert t[5, 33] == pytest.approx(9.0)
    # beside the border 45 rows down: the way round through the crossing (44 straight
    # moves and one diagonal), not the 2 km across
    expected = (44 + np.sqrt(2)) * 3
    assert t[50, 31] == pytest.approx(expected, rel=1e-5)
    # the left side has a road to help on row 40: no slower
    assert t[50, 29] <= expected
    # along row 40 the primary road: 80 km/h = 0.75 min/km
    assert t[40, 0] == pytest.approx(t[40, 29] + 29 * 0.75, rel=1e-5)
    # the rail crossing opens nothing
    t_rail_only = travel_time_raster_min(
        roads, crossings[crossings.kind == "rail"], border, g, mask=mask
    )
    assert np.isnan(t_rail_only).all()


def test_population_density_from_a_lonlat_raster(tmp_path):
    ea, ll = constant_rasters(tmp_path, 10.0)
    area = gpd.GeoDataFrame(geometry=[shapely.box(59.5, 49.5, 60.5, 50.5)], crs=WGS84)
    g = equal_area_grid(area, resolution_m=5000)
    for raster in (ea, ll):
        dens = population_density_raster(g, raster=raster)
        assert np.nanmean(dens[2:-2, 2:-2]) == pytest.approx(10.0, rel=0.01)
    places = gpd.GeoDataFrame(
        {"population": [5000.0]}, geometry=[shapely.Point(60.0, 50.0)], crs=WGS84
    )
    dens = population_density_raster(g, places=places)
    assert dens.sum() * 25 == pytest.approx(5000.0)


def corridor_inputs() -> dict:
    """A small corridor, its border, a road crossing it and a place: build_rasters' inputs."""
    return {
        "buffer": gpd.GeoDataFrame(geometry=[shapely.box(59.8, 49.8, 60.2, 50.2)], crs=WGS84),
        "border": gpd.GeoDataFrame(
            geometry=[shapely.LineString([(60.0, 49.7), (60.0, 50.3)])], crs=WGS84
        ),
        "roads": gpd.GeoDataFrame(
            {"highway": ["primary"]},
            geometry=[shapely.LineString([(59.8, 50.0), (60.2, 50.0)])],
            crs=WGS84,
        ),
        "crossings": gpd.GeoDataFrame(
            {"kind": ["road"]}, geometry=[shapely.Point(60.0, 50.0)], crs=WGS84
        ),
        "places": gpd.GeoDataFrame(
            {"population": [5000.0]}, geometry=[shapely.Point(59.9, 50.1)], crs=WGS84
        ),
    }


def outputs() -> list[str]:
    """The six files build_rasters writes."""
    return [f"{name}{suffix}" for name in RASTERS for suffix in (".tif", ".qml")]


def test_build_rasters_writes_each_raster_with_its_style(tmp_path):
    paths = build_rasters(
        tmp_path / "rasters", **corridor_inputs(), resolution_m=2000, tags={"SOURCE": "test"}
    )
    assert list(paths) == list(RASTERS)
    for name, (units, _) in RASTERS.items():
        with rasterio.open(paths[name]) as src:
            assert src.tags()["UNITS"] == units and src.tags()["SOURCE"] == "test"
        qml = paths[name].with_suffix(".qml").read_text(encoding="utf-8")
        assert "rasterrenderer" in qml
    with rasterio.open(paths["travel_time_to_crossing"]) as src:
        assert float(src.read(1, masked=True).min()) == 0.0
    assert sorted(p.name for p in (tmp_path / "rasters").iterdir()) == sorted(outputs())


def test_a_failure_in_the_third_raster_leaves_none_of_the_six(tmp_path):
    inputs = corridor_inputs()
    inputs["places"] = inputs["places"].rename(columns={"population": "pop"})
    out = tmp_path / "rasters"
    with pytest.raises(InputDataError, match=r"^places lacks column\(s\) population \("):
        build_rasters(out, **inputs, resolution_m=2000)
    assert list(RASTERS)[2] == "population_density"  # the step that failed is the third
    assert sorted(p.name for p in out.iterdir()) == []  # no output, no temporary


def test_a_rerun_removes_what_a_killed_run_left(tmp_path):
    out = tmp_path / "rasters"
    stale = out / PARTIAL_DIR
    stale.mkdir(parents=True)
    (stale / "distance_to_road.tif").write_bytes(b"half a raster")
    (stale / ".distance_to_road.x1y2.tif").write_bytes(b"half of write_cog's own file")
    build_rasters(out, **corridor_inputs(), resolution_m=2000)
    assert sorted(p.name for p in out.iterdir()) == sorted(outputs())
    with rasterio.open(out / "distance_to_road.tif") as src:
        assert src.read(1, masked=True).min() == 0.0


def test_a_bad_population_raster_stops_before_any_raster(tmp_path):
    bad = tmp_path / "population.tif"
    bad.write_bytes(b"II*\x00 not really a GeoTIFF")
    out = tmp_path / "rasters"
    with pytest.raises(InputDataError) as info:
        build_rasters(out, **corridor_inputs(), population=bad, resolution_m=2000)
    assert str(info.value).startswith(f"population raster {bad} is not a readable raster: ")
    assert not out.exists()


def test_roads_burnt_in_batches_give_the_raster_of_all_at_once():
    g = grid(50)
    rng = np.random.default_rng(3)
    ends = rng.uniform(0, 49, (40, 2, 2))
    kinds = rng.choice(["primary", "track", "residential", "motorway"], 40)
    roads = lines(g, [list(map(tuple, e)) for e in ends], highway=list(kinds))
    whole = road_speed_pixels([roads], g)
    batches = road_speed_pixels([roads.iloc[i : i + 7] for i in range(0, 40, 7)], g)
    assert np.array_equal(whole, batches)
    # a pixel on a motorway and a track has the motorway's speed
    assert whole.max() == 100.0 and set(np.unique(whole)) <= {0.0, 100.0, 80.0, 30.0, 20.0}
