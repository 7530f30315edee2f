"""A real, tiny file system that fills up, for tests of what a full disk does."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def on_full_disk(tmp_path: Path, code: str, *, size: str) -> tuple[str, str, list[str]]:
    """Run ``code`` (``DISK`` is its folder) on a real, tiny file system that fills up.

    A tmpfs of ``size`` mounted in a user namespace (no root needed, gone on exit); return
    the stderr, the exit status line and what is left on the file system.
    """
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-Urm", "true"], capture_output=True).returncode
    ):
        pytest.skip("no user namespaces here: a small full file system cannot be mounted")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        f'mount -t tmpfs -o size={size} tmpfs "$1" && "$2" -c "$3" "$1"; echo "rc=$?"; ls -A "$1"'
    )
    proc = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", script, "sh", str(disk), sys.executable, code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=300,
    )
    out = proc.stdout.splitlines()
    rc = next(line for line in out if line.startswith("rc="))
    return proc.stderr, rc, out[out.index(rc) + 1 :]
