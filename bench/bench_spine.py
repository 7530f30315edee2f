"""Benchmark the spine on the whole RUS–KAZ border: border + segments, then buffers and
cells for three widths. Prints wall time per step and the peak RSS of the process.

    python bench/bench_spine.py [--widths 10 25 50]
"""

import argparse
import resource
import time
from pathlib import Path

from borderzone.border.line import build_border
from borderzone.border.zones import build_zones
from borderzone.io import read_countries

DATA = Path(__file__).resolve().parents[1] / "data" / "rus_kaz_outlines.gpkg"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--widths", type=float, nargs="+", default=[10, 25, 50])
    args = parser.parse_args()
    t0 = time.perf_counter()
    countries = read_countries(DATA, iso3=["RUS", "KAZ"])
    layers = build_border(countries, pair=["RUS", "KAZ"], snap_m=500, max_gap_km=10, segment_km=25)
    t1 = time.perf_counter()
    print(f"read + border + segments: {t1 - t0:.2f} s ({len(layers['segments'])} segments)")
    line = layers["border"].geometry.iloc[0]
    for width in args.widths:
        t = time.perf_counter()
        zones = build_zones(
            line, layers["segments"], countries, pair=["RUS", "KAZ"], width_km=width
        )
        wall = time.perf_counter() - t
        print(f"{width:g} km buffer + cells: {wall:.2f} s ({len(zones['cells'])} cells)")
    total = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {total:.2f} s, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
