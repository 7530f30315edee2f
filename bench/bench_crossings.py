"""Benchmark detect_crossings on many random roads along the real RUS–KAZ border.

Roads are random walks (2 to 20 vertices, ~150 m steps) starting anywhere within 50 km of
the border from ``data/rus_kaz_outlines.gpkg``; about 1 % of them cross it. Rail is 1 % of
the number of roads, checkpoints 300 points on the border. Prints the wall time of
``detect_crossings`` per size (after one warm-up run on the smallest), to show a cost linear
in the number of ways.

    python bench/bench_crossings.py [--sizes 100000 300000 1000000] [--seed 0]
"""

import argparse
import resource
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from borderzone.border.line import build_border
from borderzone.crossings.detect import detect_crossings
from borderzone.io import read_countries

DATA = Path(__file__).resolve().parents[1] / "data" / "rus_kaz_outlines.gpkg"
PAIR = ["RUS", "KAZ"]


def random_lines(border: shapely.LineString, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random walks starting within 50 km of the border (lon/lat)."""
    coords = shapely.get_coordinates(border)
    k = rng.integers(0, len(coords) - 1, n)
    start = coords[k] + rng.uniform(-1, 1, (n, 1)) * np.array([0.0, 0.45])
    start[:, 0] += rng.uniform(-0.3, 0.3, n)
    n_v = rng.integers(2, 21, n)
    total = int(n_v.sum())
    owner = np.repeat(np.arange(n), n_v)
    first = np.cumsum(n_v) - n_v
    steps = rng.normal(0.0, 0.0015, (total, 2))
    steps[first] = 0.0
    walk = np.cumsum(steps, axis=0)
    walk -= np.repeat(walk[first], n_v, axis=0)  # each walk starts at its own start
    xy = start[owner] + walk
    return shapely.linestrings(xy, indices=owner)


def layers_for(border: shapely.LineString, n: int, seed: int) -> dict[str, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    classes = np.array(["primary", "secondary", "tertiary", "unclassified", "track", "service"])
    roads = gpd.GeoDataFrame(
        {
            "osm_id": np.arange(1, n + 1),
            "highway": classes[rng.integers(0, len(classes), n)],
            "surface": None,
            "ref": None,
            "name": None,
        },
        geometry=random_lines(border, n, rng),
        crs="EPSG:4326",
    )
    m = max(n // 100, 1)
    rail = gpd.GeoDataFrame(
        {"osm_id": np.arange(1, m + 1), "railway": "rail", "ref": None, "name": None},
        geometry=random_lines(border, m, rng),
        crs="EPSG:4326",
    )
    pts = shapely.line_interpolate_point(border, rng.uniform(0, 1, 300), normalized=True)
    checkpoints = gpd.GeoDataFrame(
        {"osm_id": np.arange(300), "barrier": "border_control", "name": "cp"},
        geometry=pts,
        crs="EPSG:4326",
    )
    return {"roads": roads, "rail": rail, "checkpoints": checkpoints}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    countries = read_countries(DATA, iso3=PAIR)
    spine = build_border(countries, pair=PAIR, snap_m=500, max_gap_km=10, segment_km=25)
    line = spine["border"].geometry.iloc[0]

    def run(layers: dict[str, gpd.GeoDataFrame]) -> tuple[float, gpd.GeoDataFrame]:
        t = time.perf_counter()
        out = detect_crossings(
            spine["border"],
            spine["segments"],
            spine["border_gaps"],
            countries,
            layers["roads"],
            layers["rail"],
            layers["checkpoints"],
            pair=PAIR,
        )
        return time.perf_counter() - t, out

    run(layers_for(line, min(args.sizes), args.seed + 1))  # warm-up
    print("| roads | vertices | crossings | detect_crossings s | µs per way |")
    print("|---|---|---|---|---|")
    for n in args.sizes:
        layers = layers_for(line, n, args.seed)
        n_vertices = int(shapely.get_num_coordinates(layers["roads"].geometry.values).sum())
        wall, out = run(layers)
        print(
            f"| {n:,} | {n_vertices:,} | {len(out):,} | {wall:.2f} | "
            f"{wall / (n + len(layers['rail'])) * 1e6:.1f} |",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
