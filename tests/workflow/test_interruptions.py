"""kill -9 in the middle of a heavy rule, then the rerun of `dev.py run`: the same outputs.

One uninterrupted run of a small synthetic world is the reference. Each case starts a run
(a first run from nothing, or a copy of the reference forcing one rule and what depends
on it to run again), kills the whole Snakemake process group with SIGKILL once that rule's
job has started writing its outputs, and recovers the way ``python3 dev.py run`` does
(``dev.run_snakemake``: unlock, since no run is alive, and rerun the killed job). The
outputs then match the reference layer by layer (``tests/canonical.py``) and no hidden
temporary file is left under ``results/``.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from canonical import tree_digests
from outlines import write_outlines

import dev

REPO = Path(__file__).resolve().parents[2]
PAIR = "results/XAA-XBB"

pytestmark = pytest.mark.workflow


def snakemake(workdir: Path) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")] + [
        "--directory", str(workdir), "--configfile", str(workdir / "test-config.yaml"),
        "--cores", "2",
    ]  # fmt: skip


ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


def hidden_files(workdir: Path) -> list[str]:
    """Paths under results/ with a part starting with '.' (temporary files and folders)."""
    results = workdir / "results"
    return sorted(
        str(p.relative_to(workdir))
        for p in results.rglob("*")
        if any(part.startswith(".") for part in p.relative_to(results).parts)
    )


def entries(folder: Path) -> set[Path]:
    """Every file and folder under ``folder`` (none when it does not exist)."""
    return set(folder.rglob("*"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    outlines = write_outlines(data / "outlines.gpkg", notch_km=4)
    workdir = tmp_path_factory.mktemp("reference")
    config = {
        "pair": ["XAA", "XBB"],
        "buffers_km": [5],
        "segment_km": 40,
        "official_length_km": 900,
        "countries": {"source": "file", "file": str(outlines), "layer": "countries"}
        | {"iso3_column": "iso3"},
        "border": {"snap_m": 500, "max_gap_km": 10},
        "osm": {"synthetic": {"n_ways": 200}},
    }
    (workdir / "test-config.yaml").write_text(yaml.safe_dump(config))
    proc = subprocess.run(snakemake(workdir), capture_output=True, text=True, env=ENV)
    assert proc.returncode == 0, proc.stderr[-3000:]
    digests = tree_digests(workdir / "results")
    assert len(digests) > 20 and hidden_files(workdir) == []
    return workdir, digests


@pytest.mark.parametrize(
    ("rule", "log", "out_dir", "fresh"),
    [
        ("extract_corridor", "extract_corridor.log", "osm", True),
        ("compute_segment_metrics", "compute_segment_metrics_5km.log", "5km", False),
        ("build_rasters", "build_rasters.log", "rasters", False),
        ("write_deliverables", "write_deliverables_5km.log", "5km", False),
    ],
)
def test_kill_9_in_a_rule_then_dev_py_run_gives_the_same_outputs(
    reference, tmp_path, capfd, rule, log, out_dir, fresh
):
    ref_dir, ref_digests = reference
    workdir = tmp_path / "run"
    log_file = workdir / PAIR / "logs" / log
    benchmark = workdir / PAIR / "benchmarks" / log.replace(".log", ".tsv")
    if fresh:  # the first run: what it has not reached yet is missing too
        workdir.mkdir()
        shutil.copy(ref_dir / "test-config.yaml", workdir)
        extra = []
    else:  # a later run of one rule: what depends on it is there, up to date
        shutil.copytree(ref_dir, workdir, symlinks=True, ignore=shutil.ignore_patterns("log"))
        log_file.unlink()
        benchmark.unlink()
        extra = ["--forcerun", rule]

    output = tmp_path / "killed-run.txt"
    with output.open("w") as out:  # the child keeps its own copy
        run = subprocess.Popen(
            [*snakemake(workdir), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=ENV,
            start_new_session=True,  # its own process group, jobs included
        )
    deadline = time.monotonic() + 600
    try:
        before = None  # what the rule's output folder holds once its script has started
        while before is None or entries(workdir / PAIR / out_dir) <= before:
            assert run.poll() is None, (
                f"the run ended before {rule} wrote anything: {output.read_text()[-3000:]}"
            )
            assert time.monotonic() < deadline, f"{rule} did not start writing"
            if before is None and log_file.exists():
                before = entries(workdir / PAIR / out_dir)
            time.sleep(0.02)
    finally:  # the whole group, the rule's job included
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    assert not benchmark.exists(), f"{rule} had finished before the kill"
    assert dev.held_locks(workdir), "the killed run left no lock"

    capfd.readouterr()
    assert dev.run_snakemake(snakemake(workdir), cwd=workdir, env=ENV) == 0
    err = capfd.readouterr().err
    unlocked = [line for line in err.splitlines() if line.startswith("borderzone: unlocking")]
    assert unlocked == [
        f"borderzone: unlocking {workdir} (its lock was left by an interrupted run, no"
        " Snakemake is running there) and rerunning its incomplete jobs"
    ], err[-3000:]
    assert benchmark.exists(), f"{rule} was not rerun"
    assert not dev.held_locks(workdir)
    assert hidden_files(workdir) == []
    digests = tree_digests(workdir / "results")
    changed = sorted(
        k for k in ref_digests.keys() | digests.keys() if ref_digests.get(k) != digests.get(k)
    )
    assert not changed, f"after the kill in {rule} and the rerun these differ: {changed}"
