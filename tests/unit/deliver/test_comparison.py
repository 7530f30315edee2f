import pandas as pd
import pytest
from deliverables_world import make_world, world_run_record

from borderzone.deliver.comparison import compare_published, matched_regions, region_pairs
from borderzone.published import PUBLISHED_RUS_KAZ, match_region


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return make_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def record(world):
    return world_run_record(world)


REGIONS = pd.DataFrame(
    {
        "side": ["RUS", "RUS", "RUS", "KAZ", "KAZ", "KAZ"],
        "region": [
            "Курганская область",
            "Tyumen Oblast",
            "Altai Krai",
            "Kostanay Region",
            "Северо-Казахстанская область",
            "East Kazakhstan Region",
        ],
        "population": [0.8e6, 1.6e6, 2.1e6, 0.83e6, 0.53e6, 1.36e6],
        "area_km2": [71_500, 160_100, 168_000, 196_000, 98_000, 283_000],
        "rural_share": [0.4, 0.3, 0.45, 0.5, 0.55, 0.35],
    }
)


def test_regions_computed_when_given(world, record):
    rows = {
        r.label: r
        for r in compare_published(
            PUBLISHED_RUS_KAZ,
            border=world["border"],
            crossings=world["crossings"],
            region_table=REGIONS,
            metrics=world["metrics"],
            run_record=record,
        )
    }
    pair = rows["Population of Kurgan + Tyumen"]
    assert pair.computed == "2.40 M" and pair.differs is False
    assert rows["Population of Kostanay + North Kazakhstan"].computed == "1.36 M"
    assert rows["Population of Kostanay + North Kazakhstan"].differs is True
    assert rows["Russian regions on the border"].computed == "3"
    assert "Astrakhan" in rows["Russian regions on the border"].note
    assert rows["Population of the Russian districts on the line"].computed.startswith(
        "not computed"
    )
    assert rows["Population density of the Altai Republic (border districts)"].computed.startswith(
        "not computed"
    )
    assert rows["Railway lines crossing the border"].computed == "2"
    assert "synthetic" in rows["Railway lines crossing the border"].note


def test_region_names_match():
    assert match_region("Алтайский край") == "Altai Krai"
    assert match_region("Республика Алтай") == "Altai Republic"
    assert match_region("North Kazakhstan Region") == "North Kazakhstan Region"
    assert match_region("Тауанор область") is None


def test_region_pairs_beside_the_published_groups():
    rt = matched_regions(REGIONS)
    assert rt.loc[rt["region"] == "Курганская область", "published_name"].item() == (
        "Kurgan Oblast"
    )
    pairs = region_pairs(rt, PUBLISHED_RUS_KAZ).set_index("regions")
    assert pairs.loc["Kurgan Oblast + Tyumen Oblast", "computed"] == "2.40 M"
    assert matched_regions(None) is None and region_pairs(None, PUBLISHED_RUS_KAZ) is None


@pytest.mark.parametrize("synthetic_population", [True, False])
def test_population_note_follows_the_population_source(world, record, synthetic_population):
    rows = {
        r.label: r
        for r in compare_published(
            PUBLISHED_RUS_KAZ,
            border=world["border"],
            crossings=world["crossings"],
            region_table=REGIONS,
            metrics=world["metrics"],
            run_record={**record, "synthetic_population": synthetic_population},
        )
    }
    note = rows["Population of Kostanay + North Kazakhstan"].note
    assert ("synthetic world's" in note) is synthetic_population, note
    assert "synthetic" in rows["Railway lines crossing the border"].note


def test_checkpoints_and_citations(world, record):
    rows = {
        r.label: r
        for r in compare_published(
            PUBLISHED_RUS_KAZ, border=world["border"], crossings=world["crossings"],
            run_record=record,
        )
    }  # fmt: skip
    cats = world["crossings"]["category"].value_counts()
    road = cats.get("international checkpoint", 0) + cats.get("local checkpoint", 0)
    assert rows["Road checkpoints on the border"].computed == f"{road:,.0f}"
    assert rows["Multilateral road checkpoints"].computed == (
        f"{cats.get('international checkpoint', 0):,.0f}"
    )
    assert rows["Checkpoints of all kinds (road, rail)"].computed == (
        f"{road + cats.get('rail checkpoint', 0):,.0f}"
    )
    assert rows["Road checkpoints on the border"].source.startswith(
        "published: decree of the Government of Kazakhstan"
    )
    assert "seanews.ru, 2024-07-04" in rows["Checkpoints of all kinds (road, rail)"].source
    length = rows["Length of the land border"].source
    assert length.startswith('published: article "Interaction of border territories')
    assert ", line 150; computed:" in length
    assert rows["Population of the Russian districts on the line"].source.endswith("line 339")
    assert all("issue" not in r.source.lower() for r in rows.values())
