"""The workflow through a cluster executor: every job its own process, outputs as a local run.

The cluster-generic profile's submit script starts each job script as a detached process,
as a batch system would, and Snakemake follows the jobs by their marker files.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from canonical import tree_digests
from outlines import write_outlines
from world_outlines import NEIGHBOURS, NOT_NEIGHBOURS, write_world_outlines

REPO = Path(__file__).resolve().parents[2]
PROFILES = REPO / "config" / "profiles"

pytestmark = pytest.mark.workflow


def snakemake(workdir: Path, config: dict, *extra: str) -> subprocess.CompletedProcess:
    cfg = workdir / "test-config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    args = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    args += ["--directory", str(workdir), "--configfile", str(cfg), *extra]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(args, capture_output=True, text=True, cwd=workdir, env=env)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    outlines = write_outlines(tmp_path_factory.mktemp("data") / "outlines.gpkg", notch_km=4)
    return {
        "pair": ["XAA", "XBB"],
        "buffers_km": [5, 20],
        "segment_km": 40,
        "countries": {"source": "file", "file": str(outlines), "layer": "countries"},
        "border": {"snap_m": 500, "max_gap_km": 10},
        "osm": {"synthetic": {"seed": 3, "n_ways": 2000}},
    }


def test_cluster_generic_run_gives_the_local_outputs(tmp_path, config):
    local, cluster = tmp_path / "local", tmp_path / "cluster"
    local.mkdir(), cluster.mkdir()
    proc = snakemake(local, config, "--cores", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    submit = PROFILES / "cluster-generic" / "submit.sh"
    proc = snakemake(
        cluster,
        config,
        "--profile",
        str(PROFILES / "cluster-generic"),
        "--cluster-generic-submit-cmd",
        str(submit),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert out.count("with external jobid") >= 10, out[-3000:]
    a = tree_digests(local / "results/XAA-XBB")
    b = tree_digests(cluster / "results/XAA-XBB")
    assert len(a) >= 20
    assert a == b


def test_slurm_profile_plans_the_whole_run(tmp_path, config):
    proc = snakemake(tmp_path, config, "--profile", str(PROFILES / "slurm"), "-n")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    for rule in ("build_border", "find_crossings", "compute_segment_metrics", "write_report"):
        assert rule in out, out[-3000:]


def test_slurm_profile_plans_every_border_of_neighbours_of(tmp_path):
    # a world where "RUS" has exactly three land neighbours (tests/world_outlines.py)
    world = write_world_outlines(tmp_path / "world.gpkg", centre="RUS")
    config = {
        "neighbours_of": "RUS",
        "buffers_km": [10],
        "segment_km": 100,
        "countries": {"source": "file", "file": str(world), "layer": "countries"},
        "osm": {"synthetic": {"seed": 3, "n_ways": 1000}},
    }
    proc = snakemake(tmp_path, config, "--profile", str(PROFILES / "slurm"), "-n")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    for code in NEIGHBOURS:
        for target in ("border.gpkg", "crossings.gpkg", "10km/metrics.gpkg", "report.html"):
            assert f"results/RUS-{code}/{target}" in out, out[-3000:]
    for code in NOT_NEIGHBOURS:
        assert f"RUS-{code}" not in out
    assert _job_count(out, "build_border") == len(NEIGHBOURS)
    assert _job_count(out, "write_report") == len(NEIGHBOURS)


def _job_count(out: str, rule: str) -> int:
    """How many jobs of ``rule`` a dry run's job stats plan."""
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == rule and parts[1].isdigit():
            return int(parts[1])
    return 0


def test_kubernetes_profile_plans_the_default_workflow(tmp_path):
    pytest.importorskip("snakemake_executor_plugin_kubernetes")
    pytest.importorskip("snakemake_storage_plugin_fs")
    default = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    # the volume every pod mounts: here a folder holding the default run's data/
    store = tmp_path / "store"
    store.mkdir()
    subprocess.run(["cp", "-r", str(REPO / "data"), str(store)], check=True)
    for folder in ("config", "data"):  # the configuration checks its files at parse time
        subprocess.run(["cp", "-r", str(REPO / folder), str(tmp_path)], check=True)
    args = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    args += ["--directory", str(tmp_path), "--profile", str(PROFILES / "kubernetes"), "-n"]
    args += ["--default-storage-prefix", str(store)]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    widths = len(default["buffers_km"])
    for rule, count in (
        ("build_border", 1),
        ("extract_corridor", 1),
        ("find_crossings", 1),
        ("build_rasters", 1),
        ("clip_network", widths),
        ("compute_segment_metrics", widths),
        ("write_deliverables", widths),
        ("write_report", 1),
    ):
        assert _job_count(out, rule) == count, (rule, out[-3000:])
