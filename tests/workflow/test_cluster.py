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
