"""Km of border that follow a river, on a synthetic world whose rivers are laid by design."""

import geopandas as gpd
import numpy as np
import pytest
from synth_helpers import read_back

from borderzone.metrics.rivers import compute_river_km, river_stretches
from borderzone.synth.world import generate_world

PAIR = ("RUS", "KAZ")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = generate_world(tmp_path_factory.mktemp("rivers"), pair=PAIR, n_ways=200, seed=1)
    return world, read_back(world, PAIR), gpd.read_file(world.truth, layer="rivers")


def test_followed_km_is_the_designed_stretches(world):
    _, data, truth = world
    samples = river_stretches(data["border"], data["waterways"], tolerance_m=300.0)
    on = samples[samples["stretch"] >= 0]
    follows = truth[truth["follow_km"] > 0].sort_values("from_km")
    assert on["stretch"].nunique() == len(follows) == 2
    for (_, row), (_, stretch) in zip(follows.iterrows(), on.groupby("stretch"), strict=True):
        # each end reaches sqrt(tol² - offset²) < tol past the designed stretch
        assert stretch["km"].min() == pytest.approx(row["from_km"], abs=0.3)
        assert stretch["km"].max() == pytest.approx(row["to_km"], abs=0.3)
        assert set(stretch["river"]) == {row["name"]}
    assert on["length_m"].sum() / 1000 == pytest.approx(follows["follow_km"].sum(), abs=1.2)


def test_without_areas_the_wide_river_is_lost(world):
    _, data, truth = world
    water = data["waterways"]
    lines = water[water.geom_type == "LineString"]
    samples = river_stretches(data["border"], lines, tolerance_m=300.0)
    names = set(samples.loc[samples["stretch"] >= 0, "river"])
    assert names == {truth.loc[truth["kind"] == "follows", "name"].item()}


def test_traps_count_only_with_a_tolerance_too_wide(world):
    _, data, truth = world
    parallel = truth.loc[truth["kind"] == "parallel", "name"].item()
    crossing = truth.loc[truth["kind"] == "crossing", "name"].item()
    canal = truth.loc[truth["kind"] == "canal", "name"].item()
    for tolerance, present in ((300.0, set()), (1300.0, {parallel, crossing})):
        samples = river_stretches(data["border"], data["waterways"], tolerance_m=tolerance)
        names = set(samples.loc[samples["stretch"] >= 0, "river"].dropna())
        assert {parallel, crossing} & names == present
        assert canal not in names


def test_table_per_region_pair_and_total_with_the_article(world):
    _, data, truth = world
    admin = data["admin"]
    table = compute_river_km(
        border=data["border"], waterways=data["waterways"], admin=admin,
        countries=data["countries"], pair=PAIR,
    )  # fmt: skip
    total = table.iloc[-1]
    assert total["region_a"] == "total"
    assert total["river_km"] == pytest.approx(truth["follow_km"].sum(), abs=1.2)
    assert table.iloc[:-1]["river_km"].sum() == pytest.approx(total["river_km"])
    assert total["published_km"] == 150
    assert "lines 240–241" in total["published_source"]
    assert np.isnan(table.iloc[0]["published_km"])


def test_other_pairs_get_no_published_figure(world):
    _, data, _ = world
    countries = data["countries"].assign(iso3=["XAA", "XBB"])
    table = compute_river_km(
        border=data["border"], waterways=data["waterways"], admin=data["admin"],
        countries=countries, pair=("XAA", "XBB"),
    )  # fmt: skip
    assert table["published_km"].isna().all()
    assert (table["published_source"].fillna("") == "").all()
