"""A rule's log file, and bad input (or a full disk) reported as one line without a traceback."""

import errno
import logging
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from borderzone.errors import InputDataError
from borderzone.logs import rule_log

SRC = Path(__file__).resolve().parents[2] / "src"
log = logging.getLogger("borderzone.test")


def run_script(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` as a rule script is run: its own Python process."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )


def test_records_go_to_the_log_file_and_the_logger_is_restored(tmp_path):
    logger = logging.getLogger("borderzone")
    handlers, level = logger.handlers[:], logger.level
    showwarning = warnings.showwarning
    path = tmp_path / "logs" / "rule.log"
    with rule_log(path):
        log.info("kept")
        log.debug("too low")
    text = path.read_text()
    assert "INFO borderzone.test: kept" in text and "too low" not in text
    assert logger.handlers == handlers and logger.level == level
    assert warnings.showwarning is showwarning


def test_no_excepthook_change(tmp_path):
    hook = sys.excepthook
    with rule_log(tmp_path / "rule.log"):
        assert sys.excepthook is hook
    assert sys.excepthook is hook
    with pytest.raises(SystemExit), rule_log(tmp_path / "rule.log"):
        raise InputDataError("bad")
    assert sys.excepthook is hook


def test_bad_input_ends_with_one_line_and_status_1(tmp_path, capsys):
    path = tmp_path / "rule.log"
    with pytest.raises(SystemExit) as info, rule_log(path):
        log.info("started")
        raise InputDataError("countries file x.gpkg has no CRS")
    assert info.value.code == 1
    assert capsys.readouterr().err == "borderzone: countries file x.gpkg has no CRS\n"
    lines = path.read_text().splitlines()
    assert "started" in lines[0]
    assert lines[1].endswith("ERROR borderzone: countries file x.gpkg has no CRS")


def test_os_error_names_the_file(tmp_path, capsys):
    path = tmp_path / "rule.log"
    with pytest.raises(SystemExit) as info, rule_log(path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "results/XAA-XBB/border.gpkg")
    assert info.value.code == 1
    line = f"borderzone: results/XAA-XBB/border.gpkg: {os.strerror(errno.ENOSPC)}\n"
    assert capsys.readouterr().err == line
    assert line.strip().removeprefix("borderzone: ") in path.read_text()


def test_other_errors_keep_their_traceback(tmp_path, capsys):
    logger = logging.getLogger("borderzone")
    handlers = logger.handlers[:]
    with pytest.raises(KeyError, match="a bug"), rule_log(tmp_path / "rule.log"):
        raise KeyError("a bug")
    assert capsys.readouterr().err == ""
    assert logger.handlers == handlers


def test_log_file_that_cannot_be_opened(tmp_path, capsys):
    folder = tmp_path / "rule.log"
    folder.mkdir()  # a folder where the log file should be
    with pytest.raises(SystemExit) as info, rule_log(folder):
        raise AssertionError("the block must not run")
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"borderzone: {folder}: ") and err.count("\n") == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_under_the_log_still_gives_one_line(capsys):
    # every write to /dev/full fails with ENOSPC, as on a full disk
    with pytest.raises(SystemExit) as info, rule_log("/dev/full"):
        log.info("lost")
        raise InputDataError("bad input")
    assert info.value.code == 1
    assert capsys.readouterr().err == "borderzone: bad input\n"


def test_rule_script_prints_one_line_and_no_traceback(tmp_path):
    proc = run_script(
        "from borderzone.errors import NoSharedBorderError\n"
        "from borderzone.logs import rule_log\n"
        f"with rule_log({str(tmp_path / 'rule.log')!r}):\n"
        "    raise NoSharedBorderError('pair XAA-XCC: the two outlines are far apart')\n"
    )
    assert proc.returncode == 1
    assert proc.stderr == "borderzone: pair XAA-XCC: the two outlines are far apart\n"
    assert "far apart" in (tmp_path / "rule.log").read_text()


def test_a_rule_s_log_ends_with_the_peak_memory_the_system_counted(tmp_path):
    path = tmp_path / "rule.log"
    block = (
        "import numpy as np, subprocess, sys\n"
        "from borderzone.logs import rule_log\n"
        f"with rule_log({str(path)!r}):\n"
        "    subprocess.run([sys.executable, '-c', 'b = bytearray(300 * 2**20)'], check=True)\n"
        "    a = np.ones(400 * 2**20 // 8)  # 400 MB, touched\n"
    )
    subprocess.run([sys.executable, "-c", block], check=True)
    last = path.read_text().splitlines()[-1]
    found = re.search(r"peak RSS (\d+) MB, largest child (\d+) MB$", last)
    assert found, last
    self_mb, child_mb = map(int, found.groups())
    assert 400 <= self_mb < 400 + 400  # the array and the interpreter with numpy
    assert 300 <= child_mb < 300 + 150  # and what it shared with this process at its fork
