import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.transform import Affine

from borderzone.border.line import build_border
from borderzone.border.zones import build_zones
from borderzone.crs import WGS84, fitted_crs, local_aeqd
from borderzone.errors import InputDataError
from borderzone.geodesy import GEOD
from borderzone.metrics.segment import (
    _zonal_sum,
    cell_area_km2,
    distance_to_crossing_km,
    isolation_index,
    population_stats,
    rail_density,
    road_density,
    segment_metrics,
    share_within_km_of_road,
    travel_time_to_crossing_min,
)
from borderzone.synth.world import generate_world


def box_cells(boxes, sides=None):
    sides = sides or ["AAA"] * len(boxes)
    return gpd.GeoDataFrame(
        {"seg_id": np.arange(1, len(boxes) + 1), "side": sides},
        geometry=[shapely.box(*b) for b in boxes],
        crs=WGS84,
    )


def geodesic_km(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000


def test_cell_area_matches_ellipsoid():
    cells = box_cells([(60.0, 50.0, 60.5, 50.5)])
    lons = np.linspace(60.0, 60.5, 200)
    lats = np.linspace(50.0, 50.5, 200)
    ring_lon = np.concatenate([lons, np.full(200, 60.5), lons[::-1], np.full(200, 60.0)])
    ring_lat = np.concatenate([np.full(200, 50.0), lats, np.full(200, 50.5), lats[::-1]])
    area, _ = GEOD.polygon_area_perimeter(ring_lon, ring_lat)
    assert cell_area_km2(cells).iloc[0] == pytest.approx(abs(area) / 1e6, rel=1e-4)


def test_road_density_of_known_roads():
    cells = box_cells([(59.9, 49.95, 60.1, 50.05), (60.1, 49.95, 60.3, 50.05)])
    roads = gpd.GeoDataFrame(
        {"highway": ["primary", "track", "residential"]},
        geometry=[
            shapely.LineString([(59.95, 50.0), (60.05, 50.0)]),  # inside cell 1
            shapely.LineString([(60.15, 50.01), (60.25, 50.01)]),  # inside cell 2
            shapely.LineString([(60.0, 49.97), (60.2, 49.97)]),  # half in each
        ],
        crs=WGS84,
    )
    area = cell_area_km2(cells).to_numpy()
    l1 = geodesic_km(59.95, 50.0, 60.05, 50.0)
    l2 = geodesic_km(60.15, 50.01, 60.25, 50.01)
    # the straight lon/lat line between (60.0, 49.97) and (60.2, 49.97) is cut at 60.1
    l3a, l3b = geodesic_km(60.0, 49.97, 60.1, 49.97), geodesic_km(60.1, 49.97, 60.2, 49.97)
    dens = road_density(cells, roads)
    assert dens.to_numpy() == pytest.approx([(l1 + l3a) / area[0], (l2 + l3b) / area[1]], rel=1e-9)
    main = road_density(cells, roads, classes="main")
    assert main.to_numpy() == pytest.approx([l1 / area[0], 0.0])
    track = road_density(cells, roads, classes=["track"])
    assert track.to_numpy() == pytest.approx([0.0, l2 / area[1]])
    # a projected input gives the same
    assert road_density(cells.to_crs(3857), roads.to_crs(3857)).to_numpy() == pytest.approx(
        dens.to_numpy(), rel=1e-6
    )
    rail = roads.assign(railway=["rail", "abandoned", "rail"])
    assert rail_density(cells, rail).iloc[1] == pytest.approx(l3b / area[1], rel=1e-9)


def test_share_within_km_of_road():
    aeqd = local_aeqd(60.0, 50.0)
    square = gpd.GeoSeries([shapely.box(-10_000, -10_000, 10_000, 10_000)], crs=aeqd)
    square = gpd.GeoSeries(shapely.segmentize(square.values, 200), crs=aeqd).to_crs(WGS84)
    cells = gpd.GeoDataFrame({"side": ["AAA"]}, geometry=square.values, crs=WGS84)
    road = gpd.GeoSeries([shapely.LineString([(0, -30_000), (0, 30_000)])], crs=aeqd)
    roads = gpd.GeoDataFrame({"highway": ["track"]}, geometry=road.values, crs=aeqd)
    # a band 10 km wide across a 20 km square
    assert share_within_km_of_road(cells, roads, km=5).iloc[0] == pytest.approx(0.5, abs=0.002)
    assert share_within_km_of_road(cells, roads, km=15).iloc[0] == pytest.approx(1.0)
    far = roads.set_geometry(road.translate(50_000).to_crs(WGS84).values).set_crs(WGS84)
    assert share_within_km_of_road(cells, far, km=5).iloc[0] == 0.0


def test_distance_to_crossing_along_the_border():
    segments = pd.DataFrame(
        {"seg_id": [1, 2, 3, 4], "from_km": [0.0, 25, 50, 75], "to_km": [25.0, 50, 75, 100]}
    )
    cells = pd.DataFrame({"seg_id": [1, 2, 3, 4, 2], "side": ["A"] * 4 + ["B"]})
    crossings = pd.DataFrame(
        {
            "kind": ["road", "road", "rail"],
            "km": [10.0, 90.0, 60.0],
            "official": [False, True, True],
            "surface_class": ["unpaved", "paved", None],
        }
    )
    d = distance_to_crossing_km(cells, crossings, segments=segments, kind="road")
    assert d.tolist() == [0.0, 15.0, 15.0, 0.0, 15.0]
    rail = distance_to_crossing_km(cells, crossings, segments=segments, kind="rail")
    assert rail.tolist() == [35.0, 10.0, 0.0, 15.0, 10.0]
    paved = distance_to_crossing_km(
        cells, crossings, segments=segments, kind="road", where="surface_class == 'paved'"
    )
    assert paved.tolist() == [65.0, 40.0, 15.0, 0.0, 40.0]
    official = distance_to_crossing_km(
        cells, crossings, segments=segments, where=crossings["official"]
    )
    assert official.tolist() == [35.0, 10.0, 0.0, 0.0, 10.0]
    none = distance_to_crossing_km(cells, crossings[:0], segments=segments)
    assert none.isna().all()
    with pytest.raises(InputDataError, match="seg_id"):
        distance_to_crossing_km(cells.assign(seg_id=9), crossings, segments=segments)


def test_travel_time_along_a_straight_road():
    cells = box_cells([(59.9, 49.9, 60.1, 50.1)])
    roads = gpd.GeoDataFrame(
        {"highway": ["primary"], "surface": ["asphalt"], "side": ["AAA"]},
        geometry=[shapely.LineString([(60.0, 50.0), (60.5, 50.0)])],
        crs=WGS84,
    )
    crossings = gpd.GeoDataFrame(
        {"kind": ["road", "rail"]}, geometry=shapely.points([(60.5, 50.0), (60.0, 50.2)]), crs=WGS84
    )
    places = gpd.GeoDataFrame(
        {"population": [1000.0]}, geometry=shapely.points([(60.0, 50.0)]), crs=WGS84
    )
    length = geodesic_km(60.0, 50.0, 60.5, 50.0)
    t = travel_time_to_crossing_min(
        cells, roads, crossings, places, speeds_kmh={"primary": 80.0, "default": 30.0}
    )
    assert t.iloc[0] == pytest.approx(length / 80 * 60, rel=1e-6)
    # unpaved primary goes slower
    slow = travel_time_to_crossing_min(
        cells,
        roads.assign(surface="dirt"),
        crossings,
        places,
        speeds_kmh={"primary": 80.0, "primary:unpaved": 40.0, "default": 30.0},
    )
    assert slow.iloc[0] == pytest.approx(length / 40 * 60, rel=1e-6)
    # two settlements weighted by population; the second is 0.05° north of the road end
    more = pd.concat(
        [
            places,
            gpd.GeoDataFrame(
                {"population": [3000.0]}, geometry=shapely.points([(60.0, 50.05)]), crs=WGS84
            ),
        ],
        ignore_index=True,
    )
    t2 = travel_time_to_crossing_min(
        cells, roads, crossings, more, speeds_kmh={"primary": 80.0, "default": 30.0}
    )
    access = geodesic_km(60.0, 50.05, 60.0, 50.0) / 20 * 60
    assert t2.iloc[0] == pytest.approx((t.iloc[0] * 1000 + (t.iloc[0] + access) * 3000) / 4000)


def test_isolation_index_by_hand():
    m = pd.DataFrame(
        {
            "time_to_town_min": [np.expm1(0), np.expm1(2), np.expm1(4)],
            "time_to_crossing_min": [np.expm1(1), np.expm1(1), np.nan],
            "pop_density_km2": [np.expm1(4), np.expm1(2), np.expm1(0)],
        }
    )
    idx = isolation_index(m)
    # town 0, .5, 1; crossing 0 (constant), 0, 1 (missing); density 0, .5, 1
    assert idx.to_numpy() == pytest.approx([0.0, 1 / 3, 1.0])
    assert idx.between(0, 1).all()


def _constant_rasters(tmp_path, density):
    """The same density as an equal-area raster (2 km) and a lon/lat raster (0.01°)."""
    bounds = (59.0, 49.0, 61.0, 51.0)
    aea = fitted_crs(bounds, kind="equal_area")
    x0, y0, x1, y1 = gpd.GeoSeries([shapely.box(*bounds)], crs=WGS84).to_crs(aea).total_bounds
    r = 2000.0
    w, h = int((x1 - x0) // r) + 2, int((y1 - y0) // r) + 2
    ea = tmp_path / "ea.tif"
    with rasterio.open(
        ea,
        "w",
        driver="GTiff",
        width=w,
        height=h,
        count=1,
        dtype="float32",
        crs=aea.to_wkt(),
        transform=Affine(r, 0, x0 - r, 0, -r, y1 + r),
        nodata=-1,
    ) as dst:
        dst.write(np.full((h, w), density * (r / 1000) ** 2, dtype="float32"), 1)
    step = 0.01
    lat_top = bounds[3] - np.arange(200) * step
    row_area = (
        np.array(
            [
                abs(
                    GEOD.polygon_area_perimeter(
                        [60, 60 + step, 60 + step, 60], [lt, lt, lt - step, lt - step]
                    )[0]
                )
                for lt in lat_top
            ]
        )
        / 1e6
    )
    ll = tmp_path / "ll.tif"
    with rasterio.open(
        ll,
        "w",
        driver="GTiff",
        width=200,
        height=200,
        count=1,
        dtype="float64",
        crs="EPSG:4326",
        transform=Affine(step, 0, bounds[0], 0, -step, bounds[3]),
        nodata=-1,
    ) as dst:
        dst.write(np.repeat((density * row_area)[:, None], 200, axis=1), 1)
    return ea, ll


def test_constant_density_raster_in_any_crs(tmp_path):
    ea, ll = _constant_rasters(tmp_path, 10.0)
    cells = box_cells(
        [(59.5, 49.5, 60.0, 50.0), (60.0, 49.5, 60.5, 50.2), (59.3, 50.2, 60.77, 50.61)]
    )
    # an odd-shaped one too
    tri = gpd.GeoDataFrame(
        {"seg_id": [4], "side": ["AAA"]},
        geometry=[shapely.Polygon([(59.4, 49.3), (60.6, 49.35), (60.1, 50.9)])],
        crs=WGS84,
    )
    cells = pd.concat([cells, tri], ignore_index=True)
    for raster in (ea, ll):
        stats = population_stats(cells, raster=raster)
        assert stats["pop_density_km2"].to_numpy() == pytest.approx(10.0, rel=0.005)
    # cells in a projected CRS give the same
    stats = population_stats(cells.to_crs(3857), raster=ll)
    assert stats["pop_density_km2"].to_numpy() == pytest.approx(10.0, rel=0.005)


def test_population_from_places():
    cells = box_cells([(59.0, 49.0, 60.0, 50.0), (60.0, 49.0, 61.0, 50.0)])
    places = gpd.GeoDataFrame(
        {"population": [20_000, 5000, np.nan, 3000]},
        geometry=shapely.points([(59.5, 49.5), (59.2, 49.2), (59.7, 49.1), (60.5, 49.5)]),
        crs=WGS84,
    )
    stats = population_stats(cells, places=places, rural_below=10_000)
    assert stats["population"].tolist() == [25_000, 3000]
    assert stats["n_settlements"].tolist() == [3, 1]
    assert stats["rural_share"].tolist() == pytest.approx([0.2, 1.0])
    area = cell_area_km2(cells).to_numpy()
    assert stats["pop_density_km2"].to_numpy() == pytest.approx([25_000 / area[0], 3000 / area[1]])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    w = generate_world(out, n_ways=300)
    countries = gpd.read_file(w.countries)
    pair = list(countries["iso3"])
    layers = build_border(countries, pair=pair, snap_m=500, max_gap_km=10, segment_km=25)
    zones = build_zones(
        layers["border"].geometry.iloc[0], layers["segments"], countries, pair=pair, width_km=25
    )
    return w, countries, layers, zones


def test_population_totals_over_cells_match_the_raster(world):
    w, countries, _, zones = world
    cells, buffer = zones["cells"], zones["buffer"]
    stats = population_stats(cells, raster=w.population)
    inside = _zonal_sum(np.asarray(buffer.geometry.values), w.population).sum()
    assert stats["population"].sum() == pytest.approx(inside, rel=0.005)
    # the countries hold every person of the raster (its total is in its tags)
    with rasterio.open(w.population) as src:
        total = float(src.tags()["TOTAL_POPULATION"])
    assert _zonal_sum(np.asarray(countries.geometry.values), w.population).sum() == pytest.approx(
        total, rel=0.005
    )


def test_segment_metrics_on_the_synthetic_world(world):
    w, countries, layers, zones = world
    from borderzone.osm.clip import clip_network

    truth = gpd.read_file(w.truth, layer="crossings").rename(columns={"border_km": "km"})
    cells, buffer = zones["cells"], zones["buffer"]
    pts = gpd.read_file(w.truth, layer="places")
    # roads: a line from each place to the nearest crossing, per side, clipped to the buffer
    rows = []
    for p in pts.itertuples():
        c = int(np.argmin(shapely.distance(truth.geometry.values, p.geometry)))
        rows.append(shapely.LineString([p.geometry, truth.geometry[c]]))
    lines = gpd.GeoDataFrame(
        {"highway": "primary", "osm_id": range(len(rows))}, geometry=rows, crs=WGS84
    )
    net = clip_network(
        {
            "roads": lines,
            "rail": lines.iloc[:0],
            "checkpoints": pts.iloc[:0],
            "places": pts[["population", "geometry"]],
        },
        buffer,
    )
    m = segment_metrics(
        cells,
        layers["segments"],
        truth,
        roads=net["roads"],
        rail=net["rail"],
        places=net["places"],
        population=w.population,
    )
    assert len(m) == len(cells) and m.crs == WGS84
    assert (m[["seg_id", "side"]].to_numpy() == cells[["seg_id", "side"]].to_numpy()).all()
    assert m["isolation_index"].between(0, 1).all()
    assert m["time_to_crossing_min"].notna().all()
    assert (m["dist_road_crossing_km"] >= 0).all()
    assert m["n_crossings"].sum() == 2 * len(truth)  # both sides of each segment


def test_bad_input_names_the_column():
    cells = box_cells([(59.0, 49.0, 60.0, 50.0)])
    with pytest.raises(InputDataError, match="highway"):
        road_density(cells, gpd.GeoDataFrame(geometry=[], crs=WGS84))
    with pytest.raises(InputDataError, match="no CRS"):
        road_density(cells.set_crs(None, allow_override=True), cells.assign(highway="x"))
