#!/usr/bin/env python3
"""Set up and run borderzone with nothing but Python >= 3.11 and pip.

    python3 dev.py run    # create .venv, install, run the workflow on the embedded data
    python3 dev.py test   # create .venv, install with test tools, run the whole test suite

Extra arguments go to Snakemake (run) or pytest (test), e.g.
``python3 dev.py run --config buffers_km=[5,20]``.

``run`` always passes ``--rerun-incomplete``, and recovers from an interrupted run (e.g.
``kill -9``): when the working directory holds Snakemake's lock and no Snakemake process is
alive there (Linux: looked up in ``/proc``), it unlocks (``snakemake --unlock``) and reruns
the jobs the run was killed in; when one is alive, it stops with one line naming that
process. See ``run_snakemake``.
"""

import hashlib
import os
import shlex
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
PROC = Path("/proc")


def ensure_env(extras: str) -> None:
    """Create .venv and install the package when pyproject.toml changed since last time."""
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs under any python3)
        sys.exit(f"borderzone needs Python >= 3.11, this is {sys.version.split()[0]}")
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    spec = f"{ROOT}[{extras}]" if extras else str(ROOT)
    subprocess.run([PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([PY, "-m", "pip", "install", "--quiet", "-e", spec], check=True)
    stamp.write_text(digest)


def snakemake_workdir(argv: list[str], cwd: Path) -> Path:
    """Find the working directory of a Snakemake command line.

    Parameters
    ----------
    argv
        The command line (``--directory``/``-d`` is looked for anywhere in it).
    cwd
        The directory it starts in; relative paths are taken from there.

    Returns
    -------
    Path
        ``--directory`` (or ``-d``) resolved against ``cwd``, else ``cwd``.
    """
    found = None
    for i, arg in enumerate(argv):
        if arg in {"--directory", "-d"} and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--directory="):
            found = arg.split("=", 1)[1]
    return (cwd / found).resolve() if found else cwd.resolve()


def _is_snakemake(argv: list[str]) -> bool:
    """Whether a command line runs Snakemake or one of its job scripts."""
    for i, arg in enumerate(argv):
        if Path(arg).name in {"snakemake", "snakemake.exe"} or "/.snakemake/scripts/" in arg:
            return True
        if arg == "-m" and i + 1 < len(argv) and argv[i + 1] == "snakemake":
            return True
    return False


def snakemake_processes(workdir: Path, *, proc: Path = PROC) -> list[tuple[int, str]] | None:
    """Find the Snakemake processes (and their job scripts) alive in ``workdir``.

    Linux only: reads ``/proc/<pid>/cmdline`` and ``/proc/<pid>/cwd`` of every process. A
    process counts when its command line runs Snakemake (``snakemake``, ``python -m
    snakemake``) or a job script of Snakemake (``.snakemake/scripts/``), and its
    ``--directory``, or else its current directory, is ``workdir``. Processes whose current
    directory cannot be read (other users') count only through ``--directory``; this
    process never counts.

    Parameters
    ----------
    workdir
        The working directory, resolved.
    proc
        The proc file system.

    Returns
    -------
    list of (int, str) or None
        Process id and command line of each, by process id; None where there is no
        ``/proc`` (not Linux): whether a run is alive cannot be told.
    """
    if not (proc / "self" / "cmdline").exists():
        return None
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:  # gone, or not ours to read
            continue
        argv = [arg for arg in argv if arg]
        if not argv or not _is_snakemake(argv):
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:  # not ours: only an absolute --directory places it
            cwd = None
        if snakemake_workdir(argv, cwd or Path("/nonexistent")) == workdir:
            found.append((int(entry.name), shlex.join(argv)))
    return sorted(found)


def held_locks(workdir: Path) -> list[Path]:
    """List the lock files Snakemake left in ``workdir/.snakemake/locks``."""
    locks = workdir / ".snakemake" / "locks"
    return sorted(p for p in locks.iterdir() if p.is_file()) if locks.is_dir() else []


def _stop(message: str) -> int:
    print(f"borderzone: {message}", file=sys.stderr)
    return 1


def run_snakemake(
    command: list[str], *, cwd: Path, env: dict[str, str] | None = None, proc: Path = PROC
) -> int:
    """Run a Snakemake command with ``--rerun-incomplete``, recovering an interrupted run.

    When ``.snakemake/locks/`` of its working directory holds locks and no Snakemake
    process is alive there (:func:`snakemake_processes`), the locks were left by an
    interrupted run: the same command is run with ``--unlock``, one line says so, and the
    run goes on with ``--rerun-incomplete`` (the jobs it was killed in run again; those
    whose outputs it had already removed run too: every output of the workflow is a
    target of its rule ``all`` or an input of a job that makes one). When a Snakemake
    process is alive there, or it cannot be told (no ``/proc``), one line names it and
    says what to run, and nothing is run.

    Parameters
    ----------
    command
        The Snakemake command line: the program (``[python, "-m", "snakemake"]`` or
        ``["snakemake"]``) and its arguments.
    cwd
        The directory to run it in.
    env
        Its environment (this process's when None).
    proc
        The proc file system the live processes are looked up in.

    Returns
    -------
    int
        Snakemake's exit status, or 1 when a live run holds the lock or unlocking failed.
    """
    command = [str(arg) for arg in command]
    if "--unlock" in command:
        return subprocess.run(command, cwd=cwd, env=env).returncode
    workdir = snakemake_workdir(command, Path(cwd))
    locks = held_locks(workdir)
    alive = snakemake_processes(workdir, proc=proc) if locks else []
    if alive is None:
        unlock = shlex.join([*command, "--unlock"])
        return _stop(
            f"{workdir} is locked by a Snakemake run and whether it is still running"
            f" cannot be checked here (no /proc); if none is, run `{unlock}`, then run again"
        )
    if alive:
        pid, line = alive[0]
        return _stop(
            f"{workdir} is locked by a running Snakemake, process {pid} ({line}); wait"
            f" for it to finish or stop it with `kill {pid}`, then run `python3 dev.py"
            " run` again"
        )
    if locks:
        print(
            f"borderzone: unlocking {workdir} (its lock was left by an interrupted run, no"
            " Snakemake is running there) and rerunning its incomplete jobs",
            file=sys.stderr,
            flush=True,
        )
        unlock = subprocess.run(
            [*command, "--unlock"], cwd=cwd, env=env, capture_output=True, text=True
        )
        if unlock.returncode != 0:
            sys.stderr.write(unlock.stderr)
            return unlock.returncode
    if not {"--rerun-incomplete", "--ri"} & set(command):
        command = [*command, "--rerun-incomplete"]
    return subprocess.run(command, cwd=cwd, env=env).returncode


def main() -> int:
    """Dispatch ``run`` or ``test``."""
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    if command == "run":
        ensure_env("")
        return run_snakemake(
            [str(PY), "-m", "snakemake", "--cores", "all", *rest], cwd=ROOT, env=env
        )
    ensure_env("test")
    return subprocess.run([PY, "-m", "pytest", *rest], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
