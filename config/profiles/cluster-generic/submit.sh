#!/usr/bin/env bash
# Submit a Snakemake job script as its own detached process on this machine and print its id
# (the process id), as a batch system's submit command prints a job id.
set -euo pipefail
jobscript="$1"
logdir=".snakemake/cluster-generic-logs"
mkdir -p "$logdir"
setsid nohup bash "$jobscript" >"$logdir/$(basename "$jobscript").log" 2>&1 </dev/null &
echo "$!"
