"""Rerun the benchmarks of bench/ and write their results into bench/README.md.

    python bench/run_all.py OUT [--n-ways 1000000 --far-fraction 0.6 --seed 1]
        [--n-ways-per-km X] [--quick]

Runs, one after another on this machine: ``bench_workflow.py`` (the osmium-tool reference,
the cold run, a new width, every rule's time and max RSS from Snakemake's ``benchmark:``
files) on the world in ``OUT/world`` (made by ``make_world.py`` when missing), then, unless
``--quick``, ``bench_scaling.py`` (cold runs on the first 1,000, 2,000, 4,000 km and the
whole of the border, ``--n-ways-per-km`` ways per km of border, its worlds and runs in
``OUT/scaling``), ``bench_spine.py``, ``bench_crossings.py`` and ``bench_layers.py``. Their
reports, with the machine (cores, RAM, CPU model), the date, the commit and the commands,
replace the part of ``bench/README.md`` between the ``run_all`` markers. The ratios are the
ones measured side by side in this run. Keep OUT outside the repository.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "bench" / "README.md"
BEGIN = "<!-- run_all: begin -->"
END = "<!-- run_all: end -->"


def machine() -> str:
    """One line: cores, RAM, CPU model, Python."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {ram:.1f} GiB RAM, {model}; Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )


def run(args: list[str]) -> str:
    """Run one benchmark script and return its standard output (its report)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{proc.stderr[-2000:]}")
    return proc.stdout.strip()


def main() -> int:
    """Run the benchmarks and rewrite the marked part of bench/README.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n-ways", type=int, default=1_000_000)
    parser.add_argument("--n-ways-per-km", type=float, help="of bench_scaling.py (its default)")
    parser.add_argument("--far-fraction", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="the workflow benchmark only")
    args = parser.parse_args()
    py = sys.executable
    world = [f"--n-ways={args.n_ways}", f"--far-fraction={args.far_fraction}"]
    world.append(f"--seed={args.seed}")
    steps = [
        (
            "The whole workflow beside osmium-tool",
            [py, "bench/bench_workflow.py", str(args.out.resolve()), *world],
        )
    ]
    if not args.quick:
        scaling = [py, "bench/bench_scaling.py", str(args.out.resolve() / "scaling")]
        scaling += world[1:]
        if args.n_ways_per_km is not None:
            scaling.append(f"--n-ways-per-km={args.n_ways_per_km:g}")
        steps += [
            ("How cost grows with the border's length", scaling),
            ("Spine", [py, "bench/bench_spine.py"]),
            ("Crossings", [py, "bench/bench_crossings.py"]),
            ("Per-segment layers and rasters", [py, "bench/bench_layers.py"]),
        ]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    changes = " (with the working tree's changes)" if dirty else ""
    parts = [
        BEGIN,
        "## Latest run: `python bench/run_all.py`",
        "",
        f"Machine: {machine()}. Run on {datetime.date.today().isoformat()} at commit "
        f"{commit or 'unknown'}{changes}, one step after another.",
        "",
    ]
    for title, cmd in steps:
        shown = " ".join(["python", *cmd[1:]])
        parts += [f"### {title}: `{shown}`", "", run(cmd), ""]
    parts.append(END)
    text = README.read_text()
    block = "\n".join(parts)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        head, sep, tail = text.partition("\n## ")
        text = head.rstrip() + "\n\n" + block + "\n" + (sep + tail if sep else "")
    README.write_text(text)
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
