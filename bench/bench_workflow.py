"""Benchmark the whole workflow on a synthetic world, beside osmium-tool on the same file.

    python bench/bench_workflow.py OUT --n-ways 1000000 --far-fraction 0.6 --seed 1

writes a corridor-scale world along the real RUS–KAZ border (``bench/make_world.py
--rus-kaz``) into ``OUT/world`` unless it is there, and a run folder ``OUT/run`` with
``osm.source: pbf`` and the world's population raster (a run folder left by an earlier
run is removed first: its outputs would make the cold run a no-op). Then, one job after
another:

1. the corridor alone (``build_corridor``, untimed: the reference needs its polygon);
2. the reference: ``osmium extract -s complete_ways -p corridor`` then ``osmium tags-filter
   w/highway w/railway n/place n/barrier=border_control`` on the same file and corridor;
3. the cold run of the workflow for ``--widths`` (every deliverable);
4. a new width (``--new-width``) on the cached data.

Every step runs under ``/usr/bin/time -v`` (wall time, peak RSS of the process tree) and
each rule's time and memory come from Snakemake's ``benchmark:`` files. Prints a Markdown
report (the ratios are measured side by side in this one run) and writes it to
``OUT/report.md``. Keep OUT outside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
TIME = "/usr/bin/time"


def timed(args: list[str], *, cwd: Path, log: Path) -> tuple[float, float]:
    """Run a command under ``/usr/bin/time -v``; wall seconds and peak RSS in MB."""
    with log.open("w") as out:
        proc = subprocess.run([TIME, "-v", *args], cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    text = log.read_text(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(args)}; see {log}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = sum(float(x) * 60**i for i, x in enumerate(reversed(wall.split(":"))))
    rss_kb = float(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return seconds, rss_kb / 1024


def snakemake(run: Path, *extra: str) -> list[str]:
    """The Snakemake command line for the run folder."""
    return [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")] + [
        "--directory",
        str(run),
        "--configfile",
        str(run / "config.yaml"),
        "--cores",
        "2",
        *extra,
    ]


EXTRACTION = ("cut_corridor", "extract_corridor")
"""The jobs that read the PBF files into the corridor's layers (osmium-tool's cut, then
pyosmium's read of it)."""


def rule_benchmarks(run: Path, pair: str) -> pd.DataFrame:
    """Wall seconds and peak RSS of every job.

    Wall seconds and the sampled ``max_rss`` from Snakemake's benchmark files; the peak
    that the operating system counted, from the last line of the job's log
    (``borderzone.logs.PEAK_RSS``: the job's process, or its largest child if larger).
    """
    rows = []
    results = run / "results" / pair
    for tsv in sorted((results / "benchmarks").glob("*.tsv")):
        b = pd.read_csv(tsv, sep="\t")
        log = results / "logs" / f"{tsv.stem}.log"
        found = re.findall(r"peak RSS (\d+) MB, largest child (\d+) MB", log.read_text())
        rows.append(
            {
                "job": tsv.stem,
                "wall s": b["s"].iloc[0],
                "max RSS MB": b["max_rss"].iloc[0],
                "peak MB": max(map(int, found[-1])) if found else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def job_table(jobs: pd.DataFrame) -> list[str]:
    """Markdown rows of :func:`rule_benchmarks`, the slowest first."""
    return [
        "| job | wall s | max RSS MB (sampled) | peak RSS MB (its log) |",
        "|---|---|---|---|",
        *(
            f"| {r.job} | {r._2:.1f} | {r._3:.0f} | {r._4:.0f} |"
            for r in jobs.sort_values("wall s", ascending=False).itertuples()
        ),
    ]


def make_world(world: Path, options: list[str], *, log: Path) -> None:
    """Write a world along the real RUS–KAZ border into ``world`` unless it is there.

    ``options`` are flags of ``bench/make_world.py`` besides ``--rus-kaz``; the run is timed
    into ``log``.
    """
    if (world / "world.osm.pbf").exists():
        return
    make = [sys.executable, str(REPO / "bench" / "make_world.py"), str(world), "--rus-kaz"]
    timed([*make, *options], cwd=REPO, log=log)


def write_config(
    run: Path,
    world: Path,
    *,
    widths: list[float],
    countries: Path | None = None,
    admin: Path | None = None,
    **keys: object,
) -> dict:
    """Write ``run/config.yaml``: the default run on the world's PBF and population raster.

    ``countries`` and ``admin`` are the outlines and admin areas files (the shipped ones
    when None); ``keys`` replace top-level keys of the default configuration. Returns the
    configuration.
    """
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config.update(buffers_km=widths, **keys)
    config["osm"] = {"source": "pbf", "files": [str(world / "world.osm.pbf")], "corridor_km": 60}
    config["population"] = {"source": "file", "file": str(world / "population.tif")}
    config["countries"]["file"] = str(countries or REPO / config["countries"]["file"])
    config["admin"]["file"] = str(admin or REPO / config["admin"]["file"])
    (run / "config.yaml").write_text(yaml.safe_dump(config))
    return config


def main() -> int:
    """Make the world if needed, run the steps, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n-ways", type=int, default=1_000_000)
    parser.add_argument("--far-fraction", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--widths", type=float, nargs="+", default=[50.0])
    parser.add_argument("--new-width", type=float, default=20.0)
    parser.add_argument("--chunks", type=int, default=1, help="chunks.count of the run")
    args = parser.parse_args()
    out = args.out.resolve()
    world, run = out / "world", out / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    world_options = ["--n-ways", str(args.n_ways), "--far-fraction", str(args.far_fraction)]
    make_world(world, [*world_options, "--seed", str(args.seed)], log=out / "make_world.log")
    pbf = world / "world.osm.pbf"
    config = write_config(run, world, widths=args.widths, chunks={"count": args.chunks})
    pair = "-".join(config["pair"])

    corridor_gpkg = run / "results" / pair / "osm" / "corridor.gpkg"
    subprocess.run([*snakemake(run, str(corridor_gpkg.relative_to(run)))], check=True)
    corridor = gpd.read_file(corridor_gpkg, layer="corridor")
    geojson = out / "corridor.geojson"
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": corridor.geometry.iloc[0].__geo_interface__,
    }
    geojson.write_text(json.dumps(feature))
    tmp = out / "reference"
    tmp.mkdir(exist_ok=True)
    cut, filtered = tmp / "cut.osm.pbf", tmp / "filtered.osm.pbf"
    reference = (
        f"osmium extract -s complete_ways -p {geojson} {pbf} -O -o {cut} && "
        f"osmium tags-filter {cut} w/highway w/railway n/place n/barrier=border_control "
        f"-O -o {filtered}"
    )
    ref_s, ref_mb = timed(["bash", "-c", reference], cwd=out, log=out / "reference.log")
    cold_s, cold_mb = timed(snakemake(run), cwd=run, log=out / "cold.log")
    cold_rules = rule_benchmarks(run, pair)
    cold_jobs = set(cold_rules["job"])
    extract_s = cold_rules.loc[cold_rules["job"].isin(EXTRACTION), "wall s"].sum()
    widths = [*args.widths, args.new_width]
    new_s, new_mb = timed(
        snakemake(run, "--config", f"buffers_km=[{','.join(f'{w:g}' for w in widths)}]"),
        cwd=run,
        log=out / "new_width.log",
    )
    new_rules = rule_benchmarks(run, pair)
    new_rules = new_rules[~new_rules["job"].isin(cold_jobs)]
    roads = len(
        pd.read_parquet(run / "results" / pair / "osm" / "roads.parquet", columns=["osm_id"])
    )
    lines = [
        f"World: {pbf.stat().st_size / 1e6:,.0f} MB PBF, {roads:,} roads in the "
        f"{config['osm']['corridor_km']} km corridor; widths {args.widths}, then "
        f"{args.new_width:g} added; cells measured in {args.chunks} chunk(s).",
        "",
        "| step | wall s | peak RSS MB | ratio to the reference |",
        "|---|---|---|---|",
        f"| osmium-tool reference (extract + tags-filter) | {ref_s:.1f} | {ref_mb:.0f} | 1.00 |",
        f"| cold run, PBF to every deliverable | {cold_s:.1f} | {cold_mb:.0f} | "
        f"{cold_s / ref_s:.2f} |",
        f"| a new width on the cached data | {new_s:.1f} | {new_mb:.0f} | "
        f"{new_s / ref_s:.2f} ({100 * new_s / cold_s:.0f} % of the cold run) |",
        "",
        f"The extraction (rules {' + '.join(EXTRACTION)}, one after the other): "
        f"{extract_s:.1f} s, {extract_s / ref_s:.2f} × the reference.",
        "",
        "Jobs of the cold run (Snakemake `benchmark:` files; the peak from each job's log):",
        "",
        *job_table(cold_rules),
        "",
        "Jobs of the new width's own rules:",
        "",
        *job_table(new_rules),
    ]
    report = "\n".join(lines) + "\n"
    (out / "report.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(REPO / "src"))
    sys.exit(main())
