import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from borderzone.border.line import build_border
from borderzone.border.zones import build_zones
from borderzone.crs import WGS84
from borderzone.geodesy import GEOD
from borderzone.metrics.chunks import chunk_of, measure_cells
from borderzone.metrics.inputs import halo_box
from borderzone.metrics.node_times import build_node_times, by_side
from borderzone.metrics.segment import finish_metrics, segment_metrics
from borderzone.metrics.travel import DEFAULT_SPEEDS_KMH, RoadNodes
from borderzone.osm.clip import clip_network

KW = {
    "speeds_kmh": DEFAULT_SPEEDS_KMH,
    "access_kmh": 20.0,
    "road_buffer_km": 5.0,
    "town_min_population": 5_000,
    "rural_below": 10_000,
    "rail_exclude": (),
}


@pytest.mark.parametrize("km", [5.0, 120.0, 900.0])
def test_the_halo_box_holds_every_point_within_its_distance(km):
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(40, 90, 30), rng.uniform(40, 56, 30)
    geoms = shapely.points(lon, lat)
    x0, y0, x1, y1 = halo_box(geoms, km)
    az = np.tile(np.arange(0, 360, 5.0), len(lon))
    far_lon, far_lat, _ = GEOD.fwd(
        np.repeat(lon, 72), np.repeat(lat, 72), az, np.full(len(az), km * 1000)
    )
    assert (far_lon >= x0).all() and (far_lon <= x1).all()
    assert (far_lat >= y0).all() and (far_lat <= y1).all()


@pytest.mark.parametrize("lat", [0.0, 25.0, 50.0, 80.0])
def test_the_halo_box_of_one_point_holds_its_circle(lat):
    """Each edge of a single point's box: where a degree of longitude is longest (equator)."""
    x0, y0, x1, y1 = halo_box(shapely.points([[30.0, lat]]), 5.0)
    az = np.arange(0, 360, 1.0)
    far_lon, far_lat, _ = GEOD.fwd(np.full(360, 30.0), np.full(360, lat), az, np.full(360, 5e3))
    assert (far_lon >= x0).all() and (far_lon <= x1).all()
    assert (far_lat >= y0).all() and (far_lat <= y1).all()


@pytest.fixture(scope="module")
def measured():
    """A 715 km border along 50°N (AAA south, BBB north) with one road crossing, at its east end.

    A primary road runs along AAA's side of the border, 11 km from it, and turns north to
    the crossing at 69.9°E: from the western cells the way to the crossing is 700 km of
    road. On BBB's side a road runs from 63.5°E to the crossing. Villages lie along the
    road; a town of 60,000 at its eastern end.
    """
    countries = gpd.GeoDataFrame(
        {"iso3": ["AAA", "BBB"]},
        geometry=[shapely.box(60, 45, 70, 50), shapely.box(60, 50, 70, 55)],
        crs=WGS84,
    )
    layers = build_border(countries, pair=["AAA", "BBB"], segment_km=50)
    zones = build_zones(
        layers["border"].geometry.iloc[0],
        layers["segments"],
        countries,
        pair=["AAA", "BBB"],
        width_km=25,
    )
    crossings = gpd.GeoDataFrame(
        {"kind": ["road"], "km": [0.0]}, geometry=[shapely.Point(69.9, 50.0)], crs=WGS84
    )
    # the road as ways of 0.2° (~14 km) joined end to end, as OSM draws it
    x = np.r_[np.arange(60.05, 69.9, 0.2), 69.9]
    ways = [shapely.LineString([(a, 49.9), (b, 49.9)]) for a, b in zip(x[:-1], x[1:], strict=True)]
    ways.append(shapely.LineString([(69.9, 49.9), (69.9, 50.1)]))
    # on BBB's side a road from 63.5°E to the crossing: the western cells' nearest nodes
    # lie over 150 km away, beyond the first chunk and a small halo
    x = np.r_[np.arange(63.5, 69.9, 0.2), 69.9]
    ways += [shapely.LineString([(a, 50.1), (b, 50.1)]) for a, b in zip(x[:-1], x[1:], strict=True)]
    roads = gpd.GeoDataFrame(
        {"highway": "primary", "osm_id": range(len(ways))}, geometry=ways, crs=WGS84
    )
    lon = np.arange(60.2, 69.9, 0.4)
    places = gpd.GeoDataFrame(
        {"population": np.r_[np.full(len(lon), 800.0), 60_000.0]},
        geometry=shapely.points(np.r_[lon, 69.9], np.full(len(lon) + 1, 49.9)),
        crs=WGS84,
    )
    corridor = {"roads": roads, "places": places}
    net = clip_network(
        {**corridor, "rail": roads.iloc[:0], "checkpoints": places.iloc[:0]}, zones["buffer"]
    )
    table = build_node_times(
        countries=countries,
        crossings=crossings,
        speeds_kmh=KW["speeds_kmh"],
        access_kmh=KW["access_kmh"],
        town_min_population=KW["town_min_population"],
        **corridor,
    )
    return countries, layers, zones, crossings, corridor, net, table


def _nodes(table: pd.DataFrame, target: str) -> tuple[RoadNodes, np.ndarray]:
    lonlat = table[["lon", "lat"]].to_numpy(float)
    nodes = RoadNodes(lonlat=lonlat, side=table["side"].astype(str).to_numpy())
    return nodes, table[f"{target}_min"].to_numpy(float)


def test_chunks_give_the_layer_of_the_whole_border(measured, caplog):
    countries, layers, zones, crossings, corridor, net, table = measured
    cells, segments = zones["cells"], layers["segments"]
    whole = segment_metrics(
        cells,
        segments,
        crossings,
        roads=net["roads"],
        rail=net["rail"],
        places=net["places"],
        towns=by_side(corridor["places"], countries),
        town_times=_nodes(table, "town"),
        crossing_times=_nodes(table, "crossing"),
        **KW,
    )

    def read_network(box):
        return {name: net[name].cx[box[0] : box[2], box[1] : box[3]] for name in net}

    def read(box):
        x0, y0, x1, y1 = box
        inside = table[table["lon"].between(x0, x1) & table["lat"].between(y0, y1)]
        nodes, _ = _nodes(inside, "town")
        return nodes, {target: _nodes(inside, target)[1] for target in ("crossing", "town")}

    bounds = (table.lon.min(), table.lat.min(), table.lon.max(), table.lat.max())

    chunks = 4
    assert sorted(set(chunk_of(cells, segments, chunks=chunks))) == [0, 1, 2, 3]
    with caplog.at_level(logging.INFO, logger="borderzone.metrics.chunks"):
        parts = [
            measure_cells(
                cells=cells,
                segments=segments,
                crossings=crossings,
                read_network=read_network,
                node_times=(read, bounds),
                places=corridor["places"],
                countries=countries,
                population=None,
                chunk=chunk,
                chunks=chunks,
                halo_km=2.0,  # BBB's western cells need it doubled six times
                **KW,
            )
            for chunk in range(chunks)
        ]
    assert "looked up within 128 km" in caplog.text
    assert sum(len(p) for p in parts) == len(cells)
    together = pd.concat(parts).sort_index()
    assert (together.index == cells.index).all()
    chunked = finish_metrics(gpd.GeoDataFrame(together, geometry="geometry", crs=WGS84))
    assert list(chunked.columns) == list(whole.columns)
    pd.testing.assert_frame_equal(
        pd.DataFrame(chunked.drop(columns="geometry")),
        pd.DataFrame(whole.drop(columns="geometry")),
        check_exact=True,
    )
    # the western cells of AAA drive 700 km to the crossing: over 8 hours at 80 km/h
    west = whole[(whole["side"] == "AAA") & (whole["to_km"] < 100)]
    assert (west["time_to_crossing_min"] > 480).all()
    # BBB's western cells reach their road at 63.5°E and drive: quicker than the straight
    # line to the crossing at access_kmh (over 600 km at 20 km/h)
    west = whole[(whole["side"] == "BBB") & (whole["to_km"] < 100)]
    assert (west["time_to_crossing_min"] < 600 / 20 * 60 * 0.6).all()
