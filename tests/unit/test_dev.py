"""dev.py: its Snakemake command, and recovery from the lock an interrupted run leaves."""

import base64
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
    if "--dry-run" in sys.argv and os.environ.get("DRY_RUN_FAILS"):
        sys.exit(1)
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


def mark_incomplete(workdir: Path, name: str, *, piece: int = 0) -> None:
    """Mark an output incomplete as Snakemake does (pieces of ``piece`` characters)."""
    b64 = base64.urlsafe_b64encode(name.encode()).decode()
    parts = [b64[i : i + piece] for i in range(0, len(b64), piece)] if piece else [b64]
    mark = workdir.joinpath(".snakemake", "incomplete", *[f"@{p}" for p in parts[:-1]], parts[-1])
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.write_text('{"external_jobid": null}')


def test_unfinished_outputs_are_the_missing_marked_ones(workdir):
    (workdir / "results").mkdir()
    (workdir / "results" / "there.tif").write_text("partial")
    mark_incomplete(workdir, "results/there.tif")  # --rerun-incomplete sees this one
    mark_incomplete(workdir, "results/gone.tif")
    mark_incomplete(workdir, "results/a/long/path/of/a/gone/raster.tif", piece=8)
    (workdir / ".snakemake" / "incomplete" / "migration_underway").write_text("")
    assert dev.unfinished_outputs(workdir) == [
        "results/a/long/path/of/a/gone/raster.tif",
        "results/gone.tif",
    ]
    assert dev.unfinished_outputs(workdir / "nowhere") == []


def test_a_killed_job_whose_outputs_are_gone_is_forced_to_run(workdir, fake):
    command, calls = fake
    lock(workdir)
    mark_incomplete(workdir, "results/gone.tif")
    assert dev.run_snakemake(command, cwd=workdir) == 0
    forced = ["--rerun-incomplete", "--forcerun", "results/gone.tif"]
    assert calls() == [["--unlock"], [*forced, "--dry-run", "--quiet"], forced]


def test_unfinished_outputs_without_a_lock_say_so_in_one_line(workdir, fake, capfd):
    command, calls = fake
    mark_incomplete(workdir, "results/gone.tif")
    assert dev.run_snakemake(command, cwd=workdir) == 0
    assert calls()[-1] == ["--rerun-incomplete", "--forcerun", "results/gone.tif"]
    lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert lines == [
        f"borderzone: rerunning the jobs an interrupted run left unfinished in"
        f" {workdir.resolve()} (1 of their outputs are missing)"
    ]


def test_outputs_the_workflow_no_longer_makes_are_not_forced(workdir, fake, monkeypatch, capfd):
    command, calls = fake
    mark_incomplete(workdir, "results/99km/gone.gpkg")
    monkeypatch.setenv("DRY_RUN_FAILS", "1")
    assert dev.run_snakemake(command, cwd=workdir) == 0
    assert calls()[-1] == ["--rerun-incomplete"]
    assert capfd.readouterr().err == ""


def test_marks_of_a_live_run_are_left_to_it(workdir, fake, spawn):
    command, calls = fake
    mark_incomplete(workdir, "results/gone.tif")
    spawn(["-m", "snakemake"], workdir)
    assert dev.run_snakemake(command, cwd=workdir) == 0
    assert calls() == [["--rerun-incomplete"]]


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
