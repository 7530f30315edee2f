"""The article's tables in a run: built for the report, citing no issue, and for another
pair no Russia–Kazakhstan figure anywhere among the outputs.

Two runs: the small XAA-XBB world of tests/outlines.py (another pair) and the default
Russia–Kazakhstan run on the embedded data (the one whose outputs carry the article).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import yaml
from outlines import write_outlines

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
ARTICLE_TABLES = ("regions", "transit", "checkpoints", "population", "generalisation")
# an issue of this project named as a source, in any output
ISSUE = re.compile(r"borderzone issue|\bissue \d+", re.I)
# what only a Russia–Kazakhstan figure or its sources print
RUS_KAZ = re.compile(
    r"(?<![\d.])7,?644(?![\d.])|Interaction of border|Взаимодействие|alta\.ru|seanews"
    r"|Wikipedia|Kazakhstan|Казахстан"
)
DATA_URI = re.compile(r"data:[a-z/+]+;base64,[A-Za-z0-9+/=]+")

pytestmark = pytest.mark.workflow


def run(workdir: Path, config: dict) -> subprocess.CompletedProcess:
    cfg = workdir / "test-config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    return subprocess.run(
        [*SNAKEMAKE, "--directory", str(workdir), "--configfile", str(cfg), "--cores", "2"],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )


def texts(run_dir: Path):
    """Every text output of a run (report, web map, CSVs) with its path."""
    for path in sorted(run_dir.rglob("*")):
        if path.suffix in (".html", ".csv") and "logs" not in path.parts:
            yield path, DATA_URI.sub("", path.read_text("utf-8"))


@pytest.fixture(scope="module")
def other_pair(tmp_path_factory):
    outlines = write_outlines(tmp_path_factory.mktemp("data") / "outlines.gpkg", notch_km=4)
    workdir = tmp_path_factory.mktemp("run")
    config = {
        "pair": ["XAA", "XBB"],
        "buffers_km": [5, 20],
        "segment_km": 40,
        "official_length_km": 900,
        "countries": {"source": "file", "file": str(outlines), "layer": "countries",
                      "iso3_column": "iso3"},
        "border": {"snap_m": 500, "max_gap_km": 10},
    }  # fmt: skip
    proc = run(workdir, config)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return workdir / "results/XAA-XBB"


def test_another_pair_lists_no_rus_kaz_figure(other_pair):
    for stem in ARTICLE_TABLES:
        assert (other_pair / f"article/{stem}.csv").exists(), stem
    found = [(p.name, m.group()) for p, t in texts(other_pair) for m in RUS_KAZ.finditer(t)]
    assert not found, found
    summary = pd.read_csv(other_pair / "crossings_summary.csv")
    assert summary["published"].isna().all() and summary["source"].isna().all()


def test_border_km_per_region_sum_to_the_border(other_pair):
    border = pyogrio.read_dataframe(other_pair / "border.gpkg", layer="border")
    regions = pd.read_csv(other_pair / "article/regions.csv")
    gen = pd.read_csv(other_pair / "article/generalisation.csv")
    assert gen["length_km"].iloc[0] == pytest.approx(border["length_km"].sum(), rel=1e-6)
    if regions["border_km"].notna().any():
        per_side = regions[regions["scope"] == "region"].groupby("side")["border_km"].sum()
        assert per_side.to_numpy() == pytest.approx(border["length_km"].sum(), rel=1e-6)


def test_default_run_cites_the_article_and_no_issue(tmp_path):
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["countries"]["file"] = str(REPO / config["countries"]["file"])
    config["admin"]["file"] = str(REPO / config["admin"]["file"])
    proc = run(tmp_path, config)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_dir = tmp_path / "results/RUS-KAZ"
    cited = [p for p, t in texts(run_dir) if ISSUE.search(t)]
    assert not cited, cited
    report = (run_dir / "report.html").read_text("utf-8")
    assert "Interaction of border territories of the subjects of the Russian Federation" in report
    for stem in ARTICLE_TABLES:
        assert f'id="article-{stem}"' in report, stem
    summary = pd.read_csv(run_dir / "crossings_summary.csv")
    assert summary.loc[summary["item"] == "rail lines", "source"].iloc[0].endswith("line 246")
    regions = pd.read_csv(run_dir / "article/regions.csv")
    border = pyogrio.read_dataframe(run_dir / "border.gpkg", layer="border")
    per_side = regions[regions["scope"] == "region"].groupby("side")["border_km"].sum()
    assert per_side.to_numpy() == pytest.approx(border["length_km"].sum(), rel=1e-6)
    assert (regions.loc[regions["scope"] == "region", "border_km"] % 25 != 0).any()
