"""Districts on the line, on a synthetic world whose districts are strips between meridians."""

import geopandas as gpd
import pytest
from synth_helpers import read_back

from borderzone import article_districts as article
from borderzone.metrics.districts import compute_border_districts, match_names
from borderzone.synth.world import generate_world

PAIR = ("RUS", "KAZ")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = generate_world(tmp_path_factory.mktemp("districts"), pair=PAIR, n_ways=200, seed=2)
    data = read_back(world, PAIR)
    table = compute_border_districts(
        border=data["border"], admin=data["admin"], countries=data["countries"], pair=PAIR
    )
    return table, gpd.read_file(world.truth, layer="districts"), data["gaps"]


def test_every_district_of_the_first_country_with_its_km(world):
    table, truth, gaps = world
    # where the line bridges a gap the outlines part by more than touch_m: no district
    # touches the line there, though the meridians hold it
    bridged = float(gaps["length_km"].sum())
    ours = table[table["district"].notna()].set_index("district")
    first = truth[truth["iso3"] == "RUS"].set_index("name")
    assert set(ours.index) == set(first.index)
    for name, row in first.iterrows():
        assert ours.loc[name, "touches_border"] == row["touches_border"], name
        assert row["border_km"] - bridged - 0.3 <= ours.loc[name, "border_km"], name
        assert ours.loc[name, "border_km"] <= row["border_km"] + 0.3, name


def test_names_matched_as_built(world):
    table, truth, _ = world
    ours = table[table["district"].notna()].set_index("district")
    for _, row in truth[truth["iso3"] == "RUS"].iterrows():
        assert ours.loc[row["name"], "matched_by"] == row["matched_by"], row["name"]
        expected = row["article"] if isinstance(row["article"], str) else None
        got = ours.loc[row["name"], "district_article"]
        assert (got if isinstance(got, str) else None) == expected


def test_article_districts_not_found_are_rows(world):
    table, truth, _ = world
    found = set(truth["article"].dropna())
    missing = table[table["district"].isna() & table["district_article"].notna()]
    assert set(missing["district_article"]) == {d.district for d in article.DISTRICTS} - found
    assert (missing["matched_by"] == "none").all()


def test_regions_west_to_east_and_oblasts(world):
    table, truth, _ = world
    rus = table[(table["side"] == "RUS") & table["district"].notna() & table["touches_border"]]
    assert rus["from_km"].is_monotonic_increasing
    kaz = table[table["side"] == "KAZ"]
    regions = set(truth.loc[truth["iso3"] == "KAZ", "region"])
    assert set(kaz.loc[kaz["touches_border"].eq(True), "region"]) == regions
    centres = kaz.loc[kaz["matched_by"] == "none", "centre_article"].dropna()
    assert set(centres) == {"Уральск", "Петропавловск", "Усть-Каменогорск"}


def test_no_candidates_no_match():
    import pandas as pd

    names = pd.Series(["Соль-Илецкий городской округ"])
    assert match_names(names, pd.Series([None]), []) == [(None, "none")]
