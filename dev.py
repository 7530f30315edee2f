#!/usr/bin/env python3
"""Set up and run borderzone with nothing but Python >= 3.11 and pip.

    python3 dev.py run    # create .venv, install, run the workflow on the embedded data
    python3 dev.py test   # create .venv, install with test tools, run the whole test suite

Extra arguments go to Snakemake (run) or pytest (test), e.g.
``python3 dev.py run --config buffers_km=[5,20]``.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


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


def main() -> int:
    """Dispatch ``run`` or ``test``."""
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    if command == "run":
        ensure_env("")
        args = [PY, "-m", "snakemake", "--cores", "all", *rest]
    else:
        ensure_env("test")
        args = [PY, "-m", "pytest", *rest]
    return subprocess.run(args, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
