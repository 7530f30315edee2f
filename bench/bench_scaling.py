"""Benchmark how the workflow's cost grows with the length of the border.

    python bench/bench_scaling.py OUT --lengths 1000 2000 4000 whole --n-ways-per-km 129

For each length, a world along the first that many km of the real RUS–KAZ border from its
western end (``bench/make_world.py --rus-kaz --border-km``; ``whole`` is the whole border)
with the same number of ways per km of border, written into ``OUT/world_<length>`` unless it
is there. Then, one after another, the cold run of the workflow on each world (as in
``bench_workflow.py``: ``osm.source: pbf``, ``population.source: file``, ``buffers_km:
[50]``, 2 cores), in a fresh ``OUT/run_<length>`` reading its countries and admin areas from
the world's ``countries.gpkg`` and ``admin.gpkg``, under ``/usr/bin/time -v``. Prints a
Markdown table (border length as the run traced it, ways in the world, PBF size, corridor
roads, wall time, seconds per 100 km of border and their ratio to the first length's, the
highest peak RSS of any job from Snakemake's ``benchmark:`` files) and writes it to
``OUT/report.md``. Keep OUT outside the repository.

``--km-per-chunk K`` measures the cells of each world in ``ceil(length / K)`` chunks
(``chunks.count``; the whole border counts as its official length), as a user keeps one
chunk per so many km of border; without it every world runs in one chunk, the default.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import yaml
from bench_workflow import REPO, make_world, rule_benchmarks, snakemake, timed, write_config

CONFIG = REPO / "config" / "config.yaml"
WHOLE = "whole"
PAIR = "RUS-KAZ"


def length_label(length: str) -> str:
    """``"1000"`` -> ``"1000km"``; ``"whole"`` stays."""
    if length == WHOLE:
        return WHOLE
    try:
        km = float(length)
    except ValueError:
        sys.exit(f"--lengths: {length!r} is neither a number of km nor {WHOLE!r}")
    if not km > 0:
        sys.exit(f"--lengths: {length!r} km must be positive")
    return f"{km:g}km"


def run_length(out: Path, length: str, args: argparse.Namespace) -> dict:
    """Make the world of one border length if missing, run the cold workflow, measure it."""
    label = length_label(length)
    world, run = out / f"world_{label}", out / f"run_{label}"
    options = ["--n-ways-per-km", f"{args.n_ways_per_km:g}", "--seed", str(args.seed)]
    options += ["--far-fraction", str(args.far_fraction)]
    if length != WHOLE:
        options += ["--border-km", length]
    make_world(world, options, log=out / f"make_world_{label}.log")
    outlines, admin = world / "countries.gpkg", world / "admin.gpkg"
    meta = pyogrio.read_info(world / "truth.gpkg", layer="crossings")["dataset_metadata"]
    made = {"seed": int(meta["seed"]), "far_fraction": float(meta["far_fraction"])}
    if made != {"seed": args.seed, "far_fraction": args.far_fraction} or not admin.exists():
        sys.exit(f"{world} was made with other options ({made}): remove it to remake it")
    if run.exists():
        shutil.rmtree(run)  # a cold run: nothing cached
    run.mkdir(parents=True)
    keys = {} if length == WHOLE else {"official_length_km": None}
    chunks = 1
    if args.km_per_chunk:
        official_km = yaml.safe_load(CONFIG.read_text())["official_length_km"]
        km = float(official_km if length == WHOLE else length)
        chunks = math.ceil(km / args.km_per_chunk)
        keys["chunks"] = {"count": chunks}
    write_config(run, world, widths=args.widths, countries=outlines, admin=admin, **keys)
    wall_s, _ = timed(snakemake(run), cwd=run, log=out / f"cold_{label}.log")
    border = gpd.read_file(run / "results" / PAIR / "border.gpkg", layer="border")
    roads = pd.read_parquet(run / "results" / PAIR / "osm" / "roads.parquet", columns=["osm_id"])
    n_ways, border_km = int(meta["n_ways"]), float(border["length_km"].sum())
    if abs(n_ways / border_km / args.n_ways_per_km - 1) > 0.01:
        sys.exit(f"{world} holds {n_ways / border_km:.1f} ways per km: remove it to remake it")
    jobs = rule_benchmarks(run, PAIR)
    rss = pd.to_numeric(jobs["max RSS MB"], errors="coerce")
    top = jobs.loc[rss.idxmax()]
    return {
        "asked": "whole border" if length == WHOLE else f"{float(length):,g} km",
        "border_km": border_km,
        "pbf_mb": (world / "world.osm.pbf").stat().st_size / 1e6,
        "ways": n_ways,
        "chunks": chunks,
        "roads": len(roads),
        "wall_s": wall_s,
        "rss_mb": float(rss.max()),
        "job": top["job"],
    }


def report(rows: list[dict], args: argparse.Namespace) -> str:
    """The Markdown report of the runs, ratios to the first row."""
    first = rows[0]["wall_s"] / rows[0]["border_km"]
    ratios = [r["wall_s"] / r["border_km"] / first for r in rows]
    lines = [
        f"Worlds of {args.n_ways_per_km:g} ways per km of border (far fraction "
        f"{args.far_fraction:g}, seed {args.seed}); cold runs, widths {args.widths}.",
        "",
        f"| border km | ways | PBF MB | corridor roads | chunks | cold wall s | s per 100 km | "
        f"ratio to the first row ({rows[0]['asked']}) | highest job peak RSS MB | job |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {r['border_km']:,.0f} | {r['ways']:,} | {r['pbf_mb']:,.1f} | {r['roads']:,} "
            f"| {r['chunks']} "
            f"| {r['wall_s']:.1f} | {100 * r['wall_s'] / r['border_km']:.2f} | {ratio:.2f} "
            f"| {r['rss_mb']:.0f} | {r['job']} |"
            for r, ratio in zip(rows, ratios, strict=True)
        ),
        "",
        f"Time per km of border within {100 * (min(ratios) - 1):+.0f} % / "
        f"{100 * (max(ratios) - 1):+.0f} % of the first row's (target: within ±20 %).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Make the worlds if needed, run them one after another, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lengths", nargs="+", default=["1000", "2000", "4000", WHOLE])
    # 129 ways per km: about the 1,000,000 ways of bench_workflow.py's world on the whole border
    parser.add_argument("--n-ways-per-km", type=float, default=129.0)
    parser.add_argument("--far-fraction", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--widths", type=float, nargs="+", default=[50.0])
    parser.add_argument("--km-per-chunk", type=float, default=None)
    args = parser.parse_args()
    if args.km_per_chunk is not None and not args.km_per_chunk > 0:
        sys.exit(f"--km-per-chunk: {args.km_per_chunk:g} must be positive")
    for length in args.lengths:
        length_label(length)  # every length is checked before the first run
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rows = [run_length(out, length, args) for length in args.lengths]
    text = report(rows, args)
    (out / "report.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(REPO / "src"))
    sys.exit(main())
