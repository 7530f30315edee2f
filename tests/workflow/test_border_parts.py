"""The default workflow for a pair whose border is in three parts, with border.reverse.

The border of tests/parts_outlines.py is an island, a stretch west of a third country and
one east of it. With ``border.reverse: true`` its chainage starts in the east, so the
synthetic world's truth (laid along the longest part, the eastern one) has the chainage of
the crossings found only when the world is laid along the configured border: every rule
that needs the border takes it from ``border.gpkg``. The report has a row per part and
one per break, and the web map draws each part and each break.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import yaml
from parts_outlines import write_parts_outlines

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def parts_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("parts_run")
    outlines = write_parts_outlines(workdir / "outlines.gpkg")
    config = {
        "pair": ["XAA", "XBB"],
        "buffers_km": [20],
        "segment_km": 40,
        "countries": {"source": "file", "file": str(outlines), "layer": "countries"},
        "border": {"snap_m": 500, "max_gap_km": 10, "reverse": True},
        "osm": {"corridor_km": 25, "synthetic": {"n_ways": 300}},
    }
    cfg = workdir / "config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
        + ["--directory", str(workdir), "--configfile", str(cfg), "--cores", "2"],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return workdir / "results/XAA-XBB"


def test_border_in_parts_from_the_east(parts_run):
    border = gpd.read_file(parts_run / "border.gpkg", layer="border")
    breaks = gpd.read_file(parts_run / "border.gpkg", layer="border_breaks")
    segments = gpd.read_file(parts_run / "border.gpkg", layer="segments")
    assert border["part_id"].tolist() == [1, 2, 3]
    assert len(breaks) == 2
    assert border.geometry.iloc[0].coords[0][0] == pytest.approx(70.0, abs=0.02)  # reverse
    for part in border.itertuples():
        own = segments[segments["part_id"] == part.part_id]
        assert own["length_km"].sum() == pytest.approx(part.length_km, rel=1e-9)


def test_zones_cover_every_part(parts_run):
    border = gpd.read_file(parts_run / "border.gpkg", layer="border")
    buffer = gpd.read_file(parts_run / "20km/zones.gpkg", layer="buffer")
    zone = shapely.buffer(shapely.union_all(buffer.geometry.values), 0.01)
    for part in border.geometry:
        assert shapely.difference(part, zone).length < 1e-9
    corridor = gpd.read_file(parts_run / "osm/corridor.gpkg", layer="corridor")
    sea, wedge = shapely.Point(57.25, 50.0), shapely.Point(63.75, 50.05)  # 53 km from parts
    assert not corridor.geometry.iloc[0].intersects(shapely.MultiPoint([sea, wedge]))


def test_crossings_match_the_truth_along_the_configured_border(parts_run):
    border = gpd.read_file(parts_run / "border.gpkg", layer="border")
    segments = gpd.read_file(parts_run / "border.gpkg", layer="segments")
    found = gpd.read_file(parts_run / "crossings.gpkg", layer="crossings").sort_values("km")
    truth = gpd.read_file(parts_run / "synthetic/truth.gpkg", layer="crossings")
    truth = truth.sort_values("border_km")
    assert len(found) == len(truth) > 10
    assert found["km"].to_numpy() == pytest.approx(truth["border_km"].to_numpy(), abs=0.05)
    lines = shapely.MultiLineString(list(border.geometry))
    assert shapely.distance(found.geometry.values, lines).max() < 1e-5
    part_of = segments.set_index("seg_id")["part_id"]
    longest = int(border.loc[border["length_km"].idxmax(), "part_id"])
    assert set(part_of.loc[found["seg_id"]]) == {longest}
    metrics = gpd.read_file(parts_run / "20km/metrics.gpkg", layer="segment_metrics")
    no_crossing = ~metrics["seg_id"].map(part_of).eq(longest)
    assert np.isnan(metrics.loc[no_crossing, "dist_road_crossing_km"]).all()
    assert metrics.loc[~no_crossing, "dist_road_crossing_km"].notna().all()


def _table_rows(html: str, table_id: str) -> list[list[str]]:
    table = html[html.index(f'id="{table_id}"') :].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<.*?>", "", c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]
        for row in re.findall(r"<tr.*?</tr>", body, re.S)
    ]


def test_report_has_a_row_per_part_and_the_breaks(parts_run):
    border = gpd.read_file(parts_run / "border.gpkg", layer="border")
    breaks = gpd.read_file(parts_run / "border.gpkg", layer="border_breaks")
    html = (parts_run / "report.html").read_text("utf-8")
    rows = _table_rows(html, "parts-table")
    assert [r[0] for r in rows] == [*map(str, border["part_id"]), "whole border"]
    for row, part in zip(rows[:-1], border.itertuples(), strict=True):
        assert float(row[1].replace(",", "")) == pytest.approx(part.from_km, abs=0.05)
        assert float(row[2].replace(",", "")) == pytest.approx(part.to_km, abs=0.05)
    pairs = zip(breaks["from_part"], breaks["to_part"], strict=True)
    assert [r[0] for r in _table_rows(html, "breaks-table")] == [f"{i} and {j}" for i, j in pairs]
    assert f"The border is in {len(border)} parts" in html


def test_webmap_draws_the_parts_and_the_breaks(parts_run):
    border = gpd.read_file(parts_run / "border.gpkg", layer="border")
    breaks = gpd.read_file(parts_run / "border.gpkg", layer="border_breaks")
    html = (parts_run / "webmap.html").read_text("utf-8")
    data = json.loads(
        re.search(r"const BZ = (\{.*?\});\n", html, re.S).group(1).replace("<\\/", "</")
    )
    parts = [f["properties"] for f in data["border"]["features"]]
    assert [p["part_id"] for p in parts] == border["part_id"].tolist()
    assert [p["from_km"] for p in parts] == pytest.approx(border["from_km"].tolist())
    assert len({p["color"] for p in parts}) == len(border)
    drawn = [f["properties"] for f in data["breaks"]["features"]]
    assert [(b["from_part"], b["to_part"], b["between"]) for b in drawn] == list(
        zip(breaks["from_part"], breaks["to_part"], breaks["between"], strict=True)
    )
