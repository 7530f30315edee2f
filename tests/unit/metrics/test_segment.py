import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from metrics_helpers import box_cells

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.metrics.cells import rail_density
from borderzone.metrics.chunks import measure_cells
from borderzone.metrics.segment import isolation_index, segment_metrics


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


def test_segment_metrics_passes_the_configured_rail_exclude():
    cells = box_cells([(59.9, 49.95, 60.1, 50.05)])
    segments = pd.DataFrame({"seg_id": [1], "from_km": [0.0], "to_km": [25.0]})
    crossings = gpd.GeoDataFrame(
        {"kind": ["road"], "km": [10.0]}, geometry=[shapely.Point(60.1, 50.0)], crs=WGS84
    )
    roads = gpd.GeoDataFrame(
        {"highway": ["primary"], "side": ["AAA"]},
        geometry=[shapely.LineString([(59.95, 50.0), (60.1, 50.0)])],
        crs=WGS84,
    )
    rail = gpd.GeoDataFrame(
        {"railway": ["disused"]},
        geometry=[shapely.LineString([(59.95, 50.02), (60.05, 50.02)])],
        crs=WGS84,
    )
    places = gpd.GeoDataFrame(
        {"population": [1000.0], "side": ["AAA"]}, geometry=[shapely.Point(60.0, 50.0)], crs=WGS84
    )
    kw = {"roads": roads, "rail": rail, "places": places}
    default = segment_metrics(cells, segments, crossings, **kw)
    assert default["rail_km_per_km2"].iloc[0] == 0.0
    counted = segment_metrics(cells, segments, crossings, rail_exclude=["abandoned"], **kw)
    assert counted["rail_km_per_km2"].iloc[0] == pytest.approx(
        rail_density(cells, rail, rail_exclude=[]).iloc[0]
    )
    assert counted["rail_km_per_km2"].iloc[0] > 0


def test_measure_cells_checks_the_raster_before_any_measure(world, tmp_path):
    w, countries, layers, zones = world
    negative = tmp_path / "negative.tif"
    with rasterio.open(w.population) as src:
        profile, values = src.profile, src.read(1)
    values[values > 0] *= -1  # every person negative: a sign flipped by a bad conversion
    with rasterio.open(negative, "w", **profile) as dst:
        dst.write(values, 1)

    def never(box):
        raise AssertionError("read before the raster was checked")

    with pytest.raises(InputDataError) as info:
        measure_cells(
            cells=zones["cells"],
            segments=layers["segments"],
            crossings=gpd.GeoDataFrame({"kind": [], "km": []}, geometry=[], crs=WGS84),
            read_network=never,
            node_times={kind: (never, (0.0, 0.0, 0.0, 0.0)) for kind in ("crossing", "town")},
            places=gpd.GeoDataFrame({"population": []}, geometry=[], crs=WGS84),
            countries=countries,
            population=negative,
            chunk=0,
            chunks=1,
            halo_km=300.0,
            speeds_kmh={"default": 30.0},
            access_kmh=20.0,
            road_buffer_km=5.0,
            town_min_population=50_000,
            rural_below=10_000,
            rail_exclude=(),
        )
    assert str(info.value).startswith(
        f"population raster {negative} holds negative values over the 25 km cells (down to -"
    )
