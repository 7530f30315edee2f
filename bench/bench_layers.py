"""Benchmark all per-segment layers and rasters for one buffer width on the whole RUS–KAZ border.

Roads are random walks (2 to 20 vertices, ~150 m steps, random classes and surfaces)
starting within 50 km of the border from ``data/rus_kaz_outlines.gpkg``; rail is 1 % of
them; 300 road and 30 rail crossings sit on border vertices; 3,000 random places. The
population raster is the default run's ``results/RUS-KAZ/synthetic/population.tif`` when it
exists (else the places). Prints the wall time of each step and the peak RSS.

    python bench/bench_layers.py [--n-roads 200000] [--width-km 25] [--seed 0]
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.border.line import build_border
from borderzone.border.zones import build_zones
from borderzone.crs import WGS84
from borderzone.geodesy import edge_lengths_m
from borderzone.io import read_countries
from borderzone.metrics.rasters import build_rasters
from borderzone.metrics.segment import segment_metrics
from borderzone.osm.clip import clip_network

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data" / "rus_kaz_outlines.gpkg"
POPULATION = REPO / "results" / "RUS-KAZ" / "synthetic" / "population.tif"
PAIR = ["RUS", "KAZ"]
HIGHWAYS = ["primary", "secondary", "tertiary", "unclassified", "residential", "track"]
SURFACES = [None, "asphalt", "gravel", "dirt", "sand"]


def random_lines(border: shapely.LineString, n: int, rng: np.random.Generator) -> np.ndarray:
    coords = shapely.get_coordinates(border)
    k = rng.integers(0, len(coords) - 1, n)
    start = coords[k] + rng.uniform(-1, 1, (n, 1)) * np.array([0.0, 0.45])
    start[:, 0] += rng.uniform(-0.3, 0.3, n)
    n_v = rng.integers(2, 21, n)
    owner = np.repeat(np.arange(n), n_v)
    first = np.cumsum(n_v) - n_v
    steps = rng.normal(0.0, 0.0015, (int(n_v.sum()), 2))
    steps[first] = 0.0
    xy = (
        start[owner]
        + np.cumsum(steps, axis=0)
        - np.repeat(np.cumsum(steps, axis=0)[first], n_v, axis=0)
    )
    return shapely.linestrings(xy, indices=owner)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-roads", type=int, default=200_000)
    ap.add_argument("--width-km", type=float, default=25.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        print(f"{name:<34} {now - since:7.2f} s")
        return now

    countries = read_countries(DATA, iso3=PAIR)
    layers = build_border(countries, pair=PAIR, snap_m=500, max_gap_km=10, segment_km=25)
    line = layers["border"].geometry.iloc[0]
    zones = build_zones(line, layers["segments"], countries, pair=PAIR, width_km=args.width_km)
    t = step("border, segments, zones (setup)", t0)

    n = args.n_roads
    roads = gpd.GeoDataFrame(
        {
            "osm_id": np.arange(n),
            "highway": rng.choice(HIGHWAYS, n),
            "surface": rng.choice(np.array(SURFACES, dtype=object), n),
        },
        geometry=random_lines(line, n, rng),
        crs=WGS84,
    )
    rail = gpd.GeoDataFrame(
        {"osm_id": np.arange(n // 100), "railway": "rail"},
        geometry=random_lines(line, n // 100, rng),
        crs=WGS84,
    )
    coords = shapely.get_coordinates(line)
    chain = np.concatenate([[0.0], np.cumsum(edge_lengths_m(coords))]) / 1000
    v = rng.choice(len(coords), 330, replace=False)
    crossings = gpd.GeoDataFrame(
        {
            "crossing_id": np.arange(330),
            "kind": ["road"] * 300 + ["rail"] * 30,
            "km": chain[v],
            "surface_class": rng.choice(["paved", "unpaved", "unknown"], 330),
            "official": rng.random(330) < 0.3,
        },
        geometry=shapely.points(coords[v]),
        crs=WGS84,
    )
    pts = random_lines(line, 3000, rng)
    places = gpd.GeoDataFrame(
        {"osm_id": np.arange(3000), "population": np.round(10 ** rng.uniform(2, 5.5, 3000))},
        geometry=shapely.get_point(pts, 0),
        crs=WGS84,
    )
    net = clip_network(
        {"roads": roads, "rail": rail, "checkpoints": places.iloc[:0], "places": places},
        zones["buffer"],
    )
    t = step(f"random data + clip ({len(net['roads']):,} roads)", t)

    population = POPULATION if POPULATION.exists() else None
    metrics = segment_metrics(
        zones["cells"],
        layers["segments"],
        crossings,
        roads=net["roads"],
        rail=net["rail"],
        places=net["places"],
        population=population,
    )
    t = step(f"segment_metrics ({len(metrics)} cells)", t)
    with tempfile.TemporaryDirectory() as out:
        build_rasters(
            out,
            buffer=zones["buffer"],
            border=layers["border"],
            roads=net["roads"],
            crossings=crossings,
            population=population,
            places=None if population else net["places"],
        )
        t = step("rasters (3 COGs and styles, 1 km)", t)
    pd.set_option("display.width", 200)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"{'total':<34} {t - t0:7.2f} s, peak RSS {rss:.2f} GiB")


if __name__ == "__main__":
    main()
