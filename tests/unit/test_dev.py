"""dev.py: its Snakemake command, and recovery from the lock an interrupted run leaves."""

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import dev

REPO = Path(__file__).resolve().parents[2]

# Stands in for Snakemake: records its arguments, and removes the locks on --unlock.
FAKE_SNAKEMAKE = textwrap.dedent(
    """
    import json, os, shutil, sys
    with open(os.environ["CALLS"], "a") as f:
        f.write(json.dumps(sys.argv[1:]) + "\\n")
    if "--unlock" in sys.argv:
        if os.environ.get("UNLOCK_FAILS"):
            print("cannot unlock", file=sys.stderr)
            sys.exit(3)
        shutil.rmtree(".snakemake/locks")
    """
)


@pytest.fixture
def workdir(tmp_path):
    work = tmp_path / "work"
    (work / ".snakemake" / "locks").mkdir(parents=True)
    return work


@pytest.fixture
def fake(tmp_path, monkeypatch):
    script = tmp_path / "fake_snakemake.py"
    script.write_text(FAKE_SNAKEMAKE)
    calls = tmp_path / "calls.jsonl"
    monkeypatch.setenv("CALLS", str(calls))

    def read_calls():
        return (
            [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []
        )

    return [sys.executable, str(script)], read_calls


@pytest.fixture
def spawn():
    """Start sleeping processes with a given command line and folder; stop them after."""
    started = []

    def start(args, cwd, *, argv=None):
        argv = argv or [sys.executable, "-c", "import time; time.sleep(120)", *args]
        proc = subprocess.Popen(argv, cwd=cwd)
        started.append(proc)
        cmdline = Path(f"/proc/{proc.pid}/cmdline")
        deadline = time.monotonic() + 10
        while cmdline.read_bytes().split(b"\0")[:-1] != [a.encode() for a in argv]:
            assert time.monotonic() < deadline  # until it runs argv, not a fork of us
            time.sleep(0.01)
        return proc

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def lock(workdir: Path) -> None:
    (workdir / ".snakemake" / "locks").mkdir(parents=True, exist_ok=True)
    (workdir / ".snakemake" / "locks" / "0.output.lock").write_text("results/x.gpkg\n")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["snakemake", "--cores", "1"], "start"),
        (["snakemake", "--directory", "/abs/dir"], "/abs/dir"),
        (["snakemake", "-d", "sub"], "start/sub"),
        (["snakemake", "--directory=sub/../other"], "start/other"),
    ],
)
def test_the_working_directory_of_a_command_line(tmp_path, argv, expected):
    start = tmp_path / "start"
    want = Path(expected) if expected.startswith("/") else tmp_path / expected
    assert dev.snakemake_workdir(argv, start) == want


def test_live_snakemake_processes_are_found_by_their_folder(tmp_path, workdir, spawn):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (workdir / ".snakemake" / "scripts").mkdir()
    job = workdir / ".snakemake" / "scripts" / "tmpabc.build_rasters.py"
    job.write_text("import time; time.sleep(120)\n")
    runs_here = spawn(["-m", "snakemake", "--cores", "2"], workdir)
    points_here = spawn(["-m", "snakemake", "--directory", str(workdir)], elsewhere)
    spawn(["-m", "snakemake", "--cores", "2"], elsewhere)  # another folder's run
    spawn(["not-snakemake"], workdir)  # not a Snakemake process
    script = spawn([], workdir, argv=[sys.executable, str(job)])
    found = dev.snakemake_processes(workdir.resolve())
    assert [pid for pid, _ in found] == sorted([runs_here.pid, points_here.pid, script.pid])
    assert dict(found)[script.pid] == f"{sys.executable} {job}"


def test_no_proc_means_it_cannot_be_told(tmp_path):
    assert dev.snakemake_processes(tmp_path, proc=tmp_path / "no-proc") is None


def test_without_a_lock_the_command_runs_with_rerun_incomplete(tmp_path, fake):
    command, calls = fake
    work = tmp_path / "fresh"
    work.mkdir()
    assert dev.run_snakemake([*command, "--cores", "2"], cwd=work) == 0
    assert calls() == [["--cores", "2", "--rerun-incomplete"]]
    assert dev.run_snakemake([*command, "--ri"], cwd=work) == 0
    assert calls()[-1] == ["--ri"]  # not given twice


def test_a_stale_lock_is_unlocked_then_the_run_goes_on(workdir, fake, capfd):
    command, calls = fake
    lock(workdir)
    assert dev.run_snakemake([*command, "--cores", "2"], cwd=workdir) == 0
    assert calls() == [["--cores", "2", "--unlock"], ["--cores", "2", "--rerun-incomplete"]]
    lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert lines == [
        f"borderzone: unlocking {workdir.resolve()} (its lock was left by an interrupted run,"
        " no Snakemake is running there) and rerunning its incomplete jobs"
    ]
    assert not dev.held_locks(workdir)


def test_a_lock_held_by_a_live_run_stops_with_one_line(workdir, fake, spawn, capfd):
    command, calls = fake
    lock(workdir)
    holder = spawn(["-m", "snakemake", "--cores", "1"], workdir)
    assert dev.run_snakemake([*command, "--cores", "2"], cwd=workdir) == 1
    lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert lines == [
        f"borderzone: {workdir.resolve()} is locked by a running Snakemake, process"
        f" {holder.pid} ({sys.executable} -c 'import time; time.sleep(120)' -m snakemake"
        f" --cores 1); wait for it to finish or stop it with `kill {holder.pid}`, then run"
        " `python3 dev.py run` again"
    ]
    assert calls() == []  # neither unlocked nor run
    assert dev.held_locks(workdir)


def test_a_lock_where_processes_cannot_be_listed_is_left_alone(workdir, tmp_path, fake, capfd):
    command, calls = fake
    lock(workdir)
    assert dev.run_snakemake(command, cwd=workdir, proc=tmp_path / "no-proc") == 1
    lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot be checked here (no /proc)" in lines[0]
    assert lines[0].endswith(f"run `{command[0]} {command[1]} --unlock`, then run again")
    assert calls() == [] and dev.held_locks(workdir)


def test_a_failed_unlock_stops_the_run(workdir, fake, monkeypatch, capfd):
    command, calls = fake
    lock(workdir)
    monkeypatch.setenv("UNLOCK_FAILS", "1")
    assert dev.run_snakemake(command, cwd=workdir) == 3
    assert calls() == [["--unlock"]]
    assert capfd.readouterr().err.splitlines()[-1] == "cannot unlock"


def test_main_runs_snakemake_on_all_cores_with_rerun_incomplete(monkeypatch):
    seen = {}
    monkeypatch.setattr(dev, "ensure_env", lambda extras: seen.setdefault("extras", extras))
    monkeypatch.setattr(
        dev, "run_snakemake", lambda command, **kw: seen.update(command=command, **kw) or 0
    )
    monkeypatch.setattr(sys, "argv", ["dev.py", "run", "--config", "buffers_km=[5]"])
    assert dev.main() == 0
    assert seen["extras"] == "" and seen["cwd"] == dev.ROOT
    assert seen["command"] == [
        str(dev.PY),
        "-m",
        "snakemake",
        "--cores",
        "all",
        "--config",
        "buffers_km=[5]",
    ]


def test_dev_py_needs_only_the_standard_library():
    # -S: no site-packages, -I: no PYTHONPATH or user site; dev.py must still import and run
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(REPO / "dev.py")], capture_output=True, text=True
    )
    assert proc.returncode == 2 and "python3 dev.py run" in proc.stdout, proc.stderr
