"""Running this repository's Snakemake workflow on a test config in a temporary directory."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
# the config file that ``run`` writes into its working directory
CONFIG_NAME = "test-config.yaml"


def snakemake(workdir: Path, *extra: str, cores: int = 2) -> subprocess.CompletedProcess:
    """Run the workflow in ``workdir`` on its ``test-config.yaml``, as written by ``run``.

    Parameters
    ----------
    workdir
        Working directory of the run; holds the config file and receives the results.
    *extra
        Further Snakemake arguments (targets, ``--config ...``, ``--summary``).
    cores
        Value of ``--cores``.

    Returns
    -------
    subprocess.CompletedProcess
        The finished Snakemake process, with its stdout and stderr as text.
    """
    return subprocess.run(
        [*SNAKEMAKE, "--directory", str(workdir), "--configfile", str(workdir / CONFIG_NAME)]
        + ["--cores", str(cores), *extra],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )


def run(workdir: Path, config: dict, *extra: str, cores: int = 2) -> subprocess.CompletedProcess:
    """Write ``config`` to ``workdir/test-config.yaml`` and run the workflow on it there.

    Parameters
    ----------
    workdir
        Working directory of the run.
    config
        The run's configuration, written as YAML.
    *extra, cores
        As for `snakemake`.

    Returns
    -------
    subprocess.CompletedProcess
        The finished Snakemake process, with its stdout and stderr as text.
    """
    (workdir / CONFIG_NAME).write_text(yaml.safe_dump(config))
    return snakemake(workdir, *extra, cores=cores)
