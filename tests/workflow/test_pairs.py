"""Many pairs in one run: pairs gives each pair the outputs of its own run, neighbours_of
finds the borders of a country, and bad entries stop with one line.

The world is the small one of tests/world_outlines.py: a centre country XBB with exactly
three land neighbours (XAA south, XCC east, XDD north), borders of about 450 km.
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from canonical import tree_digests
from workflow_helpers import run
from world_outlines import write_world_outlines

pytestmark = pytest.mark.workflow
LAYERS_WITH_METADATA = [
    ("border.gpkg", "border"),
    ("crossings.gpkg", "crossings"),
    ("10km/metrics.gpkg", "segment_metrics"),
    ("10km/borderzone.gpkg", "border"),
]


def world_config(world: Path, **overrides) -> dict:
    config = {
        "buffers_km": [10],
        "segment_km": 100,
        "countries": {"source": "file", "file": str(world), "layer": "countries"},
        "border": {"snap_m": 500, "max_gap_km": 10},
        "osm": {"synthetic": {"seed": 1, "n_ways": 1000}},
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return write_world_outlines(tmp_path_factory.mktemp("data") / "world.gpkg")


@pytest.fixture(scope="module")
def runs(tmp_path_factory, world):
    """One run of two pairs, and a run of each pair alone."""
    both, ab, bc = (tmp_path_factory.mktemp(name) for name in ("both", "ab", "bc"))
    configs = {
        both: world_config(
            world,
            pairs=[
                {"pair": ["XAA", "XBB"], "official_length_km": 450},
                {"pair": ["XBB", "XCC"], "official_length_km": 445},
            ],
        ),
        ab: world_config(world, pair=["XAA", "XBB"], official_length_km=450),
        bc: world_config(world, pair=["XBB", "XCC"], official_length_km=445),
    }
    for workdir, config in configs.items():
        proc = run(workdir, config)
        assert proc.returncode == 0, proc.stderr[-3000:]
    return both, ab, bc


def test_two_pairs_give_the_outputs_of_two_runs(runs):
    both, ab, bc = runs
    assert sorted(p.name for p in (both / "results").iterdir()) == ["XAA-XBB", "XBB-XCC"]
    for alone, pair in ((ab, "XAA-XBB"), (bc, "XBB-XCC")):
        together = tree_digests(both / "results" / pair)
        assert len(together) >= 20
        assert together == tree_digests(alone / "results" / pair)
        for name, layer in LAYERS_WITH_METADATA:
            meta = [
                pyogrio.read_info(d / "results" / pair / name, layer=layer)["dataset_metadata"]
                for d in (both, alone)
            ]
            assert meta[0]["config_sha256"] == meta[1]["config_sha256"], name


def planned_outputs(workdir: Path, config: dict) -> set[str]:
    """Outputs that a run of ``config`` in ``workdir`` would write (Snakemake's summary)."""
    proc = run(workdir, config, "--summary")
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [line.split("\t") for line in proc.stdout.splitlines()[1:] if "\t" in line]
    return {row[0] for row in rows if row[-1] == "update pending"}


def test_adding_a_pair_leaves_the_others_up_to_date(runs, world):
    _, ab, _ = runs
    config = world_config(
        world, pairs=[{"pair": ["XAA", "XBB"], "official_length_km": 450}, ["XBB", "XDD"]]
    )
    planned = planned_outputs(ab, config)
    assert "results/XBB-XDD/border.gpkg" in planned
    assert "results/XBB-XDD/10km/metrics.gpkg" in planned
    assert {p for p in planned if not p.startswith("results/XBB-XDD/")} == set()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"pairs": [["XAA", "XBB"], {"pair": ["XBB", "XCC"], "km": 1}]}, "pairs[1]: Additional"),
        ({"pairs": [["XAA", "XBB"], ["XBB", "XAA"]]}, "pairs[1]: XBB-XAA is listed twice"),
        ({"pairs": [["XBB", "XBB"]]}, "pairs[0]: the two countries are the same (XBB)"),
        ({"pairs": [["XAA", "XBB"], ["XBB", "FRA"]]}, "pairs[1]: countries file"),
        ({"neighbours_of": "XGG"}, "neighbours_of: XGG has no land neighbour in"),
    ],
)
def test_a_bad_pair_stops_with_one_line(tmp_path, world, override, message):
    proc = run(tmp_path, world_config(world, **override))
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("borderzone: bad configuration:")]
    assert len(errors) == 1 and message in errors[0], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "results").exists()


def test_a_pair_s_own_border_settings_build_its_border(tmp_path, world):
    """XBB-XCC (north-south) sets border.reverse; XAA-XBB (east-west) keeps the run's."""
    config = world_config(
        world, pairs=[["XAA", "XBB"], {"pair": ["XBB", "XCC"], "border": {"reverse": True}}]
    )
    config["border"]["reverse"] = False
    targets = ["results/XAA-XBB/border.gpkg", "results/XBB-XCC/border.gpkg"]
    proc = run(tmp_path, config, *targets)
    assert proc.returncode == 0, proc.stderr[-3000:]

    def start_and_extent(pair: str) -> tuple[tuple[float, float], np.ndarray]:
        border = gpd.read_file(tmp_path / "results" / pair / "border.gpkg", layer="border")
        first = border.sort_values("from_km").geometry.iloc[0]
        xy = shapely.get_coordinates(border.geometry.values)
        return shapely.get_point(first, 0).coords[0], np.r_[xy.min(axis=0), xy.max(axis=0)]

    (lon, lat), (x0, y0, x1, y1) = start_and_extent("XBB-XCC")
    assert y1 - y0 > x1 - x0  # a north-south border ...
    assert lat == pytest.approx(y0, abs=1e-6)  # ... reversed: chainage from its southern end
    (lon, lat), (x0, y0, x1, y1) = start_and_extent("XAA-XBB")
    assert x1 - x0 > y1 - y0  # an east-west border, not reversed: from its western end
    assert lon == pytest.approx(x0, abs=1e-6)
