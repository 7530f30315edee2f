"""Tests of borderzone.deliver.article and article_transit on hand-made crossings and lines."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from borderzone.crs import WGS84
from borderzone.deliver.article import (
    REGION_TABLE_COLUMNS,
    checkpoint_table,
    population_table,
    region_table,
)
from borderzone.deliver.article_transit import (
    TRANSIT_COLUMNS,
    TRANSIT_LINE_COLUMNS,
    transit_line_rows,
    transit_table,
)
from borderzone.geodesy import GEOD
from borderzone.io import read_parquet, write_parquet
from borderzone.published import ARTICLE

RK = ("RUS", "KAZ")


def crossings(rows):
    """Crossings from (kind, highway, surface, category, ref, region RUS, region KAZ) rows."""
    df = pd.DataFrame(
        rows,
        columns=["kind", "highway", "surface_class", "category", "ref", "region_RUS", "region_KAZ"],
    )
    df["crossing_id"] = [f"X{i}" for i in range(len(df))]
    df["name"] = None
    df["official"] = df["category"].isin(
        ["international checkpoint", "local checkpoint", "rail checkpoint"]
    )
    df["transit"] = False
    return df


ROAD, RAIL, INTL = "road without checkpoint", "rail without checkpoint", "international checkpoint"
ROWS = [
    ("road", "track", "unpaved", "track", None, "Республика Алтай", "East Kazakhstan"),
    *[("road", "secondary", "paved", ROAD, None, "Волгоградская область", "West Kazakhstan")] * 4,
    ("road", "secondary_link", "paved", INTL, None, "Volgograd", "West Kazakhstan"),
    ("rail", None, None, "rail checkpoint", "L1", "Tyumen Oblast", "North Kazakhstan"),
    ("rail", None, None, RAIL, "L1", "Tyumen Oblast", "North Kazakhstan"),
    ("rail", None, None, RAIL, "L2", "Tyumen Oblast", "North Kazakhstan"),
    *[("rail", None, None, RAIL, "L3", "Omsk Oblast", "North Kazakhstan")] * 2,
    *[("rail", None, None, RAIL, "L4", "Chelyabinsk Oblast", "Kostanay")] * 2,
    ("rail", None, None, RAIL, "L5", "Altai Krai", "East Kazakhstan"),
    ("road", "primary", "paved", "local checkpoint", None, "Kurgan Oblast", "North Kazakhstan"),
]  # fmt: skip


def test_region_table_counts_and_statements_by_construction():
    t = region_table(crossings(ROWS), pair=RK)
    assert list(t.columns) == REGION_TABLE_COLUMNS
    r = t[(t["scope"] == "region") & (t["region"] != "—")].set_index("article_name")
    # "Volgograd" and "Волгоградская область" name one published region but two admin names
    assert r.loc["Altai Republic", ["road_crossings", "track", "dirt_roads"]].tolist() == [1, 1, 1]
    assert r.loc["Altai Republic", "note"].startswith("agrees: 1 road crossing(s), classes: track")
    tyumen = r.loc["Tyumen Oblast"]
    assert tyumen[["rail_crossings", "rail_lines", "checkpoints_rail"]].tolist() == [3, 2, 1]
    assert tyumen["note"].startswith("agrees: 3 rail crossing(s), rank 1 of")
    assert r.loc["Altai Krai", "note"].startswith("agrees: 1 rail crossing(s), rank 4 of")
    assert "lines 284–286" in r.loc["Omsk Oblast", "article_source"]
    assert r.loc["Kurgan Oblast", "checkpoints_road"] == 1
    assert r.loc["Kurgan Oblast", "article"] == "on the border"
    assert r.loc["Kurgan Oblast", "article_order"] == 7  # seventh west to east
    assert r.loc["North Kazakhstan Region", "centre"] == "Petropavl"
    assert r.loc["North Kazakhstan Region", "rail_crossings"] == 5
    # the article's regions that no admin name matches are listed as not found
    missing = t[t["region"] == "—"]
    assert set(missing["article_name"]) == {
        "Astrakhan Oblast", "Saratov Oblast", "Samara Oblast", "Orenburg Oblast",
        "Novosibirsk Oblast", "Atyrau Region", "Aktobe Region", "Pavlodar Region",
    }  # fmt: skip
    assert missing["note"].str.startswith("not found").all()
    pairs = t[t["scope"] == "pair"].set_index(["region", "region_b"])
    assert pairs.loc[("Tyumen Oblast", "North Kazakhstan"), "rail_crossings"] == 3
    assert t["note"].str.contains("border km not computed").any()  # no line given


def test_volgograd_statement_counts_one_admin_region():
    rows = [r for r in ROWS if r[5] != "Volgograd"]  # 4 secondary roads, the article has 5
    t = region_table(crossings(rows), pair=RK, synthetic=True)
    v = t[t["article_name"] == "Volgograd Oblast"].iloc[0]
    assert v["road_crossings"] == 4 and v["article"] == "5 secondary roads"
    assert v["note"] == (
        "differs: 4 road crossing(s), 4 of them secondary or lower "
        "(the run's roads and railways are synthetic)"
    )


def test_region_table_border_km_from_the_line():
    line = shapely.LineString([(60.0, 50.0), (61.0, 50.0)])
    total = GEOD.inv(60.0, 50.0, 61.0, 50.0)[2] / 1000
    border = gpd.GeoDataFrame({"seg_id": [1]}, geometry=[line], crs=WGS84)
    regions = gpd.GeoDataFrame(
        {"side": ["RUS", "KAZ", "KAZ"], "name": ["Kurgan Oblast", "Kostanay", "North Kazakhstan"]},
        geometry=[
            shapely.box(59.9, 50, 61.1, 51),
            shapely.box(59.9, 49, 60.5, 50),
            shapely.box(60.5, 49, 61.1, 50),
        ],
        crs=WGS84,
    )
    c = crossings([("road", "primary", "paved", ROAD, None, "Kurgan Oblast", "Kostanay")])
    t = region_table(c, pair=RK, border=border, regions=regions)
    km = t[t["scope"] == "region"].set_index("region")["border_km"]
    assert km["Kurgan Oblast"] == pytest.approx(total, rel=1e-9)
    assert km["Kostanay"] == pytest.approx(total / 2, abs=0.3)
    assert km["Kostanay"] + km["North Kazakhstan"] == pytest.approx(total, rel=1e-9)
    pairs = t[t["scope"] == "pair"].set_index(["region", "region_b"])
    assert pairs["border_km"].sum() == pytest.approx(total, rel=1e-9)
    assert pairs.loc[("Kurgan Oblast", "North Kazakhstan"), "road_crossings"] == 0  # no crossing


def test_another_pair_gets_no_article_row():
    c = crossings(ROWS).rename(columns={"region_RUS": "region_XAA", "region_KAZ": "region_XBB"})
    t = region_table(c, pair=("XAA", "XBB"))
    assert (t["region"] != "—").all()
    assert t["article_name"].isna().all() and (t["article"] == "").all()
    assert not t.astype(str).apply(lambda col: col.str.contains("Interaction")).any().any()


def test_checkpoints_beside_the_published_counts():
    t = checkpoint_table(crossings(ROWS), pair=RK).set_index("checkpoints")
    assert t["computed"].tolist() == [2, 1, 1, 1, 3]  # road, international, local, rail, all
    assert t["published"].tolist() == ["30", "17", "—", "—", "~50"]
    assert t.iloc[0]["note"] == "differs by -28"
    assert "alta.ru" in t.iloc[0]["source"] and t.iloc[4]["source"] == "seanews.ru, 2024-07-04"
    other = checkpoint_table(crossings(ROWS), pair=("XAA", "XBB"))
    assert (other["published"] == "—").all() and (other["source"] == "").all()


def test_population_of_the_facing_groups():
    regions = pd.DataFrame(
        {
            "side": ["RUS", "RUS", "KAZ", "KAZ"],
            "name": ["Kurgan", "Tyumen'", "Qostanay", "North Kazakhstan"],
            "population": [1.0e6, 1.4e6, 0.9e6, 0.3e6],
            "population_in_buffer": [0.5e6, 0.1e6, 0.2e6, 0.1e6],
        }
    )
    t = population_table(regions, pair=RK)
    first = t.iloc[0]
    assert first["russian_side"] == "Kurgan Oblast + Tyumen Oblast"
    assert first[["computed_rus", "computed_kaz"]].tolist() == [2.4e6, 1.2e6]
    assert first["buffer_rus"] == pytest.approx(0.6e6)
    assert first["computed_ratio"] == pytest.approx(2.0)
    assert first["published_ratio"] == pytest.approx(2.4 / 1.7)
    assert first["source"] == f"{ARTICLE}, line 354; lines 355–356"
    assert t.iloc[1]["note"].startswith("not computed: not found in the admin areas: Altai Krai")
    assert len(t) == 4 and population_table(regions, pair=("XAA", "XBB")).empty


# --- lines through the other country

COUNTRIES = gpd.GeoDataFrame(
    {"iso3": ["RUS", "KAZ"]},
    geometry=[shapely.box(60, 54.5, 70, 58), shapely.box(60, 50, 70, 54.5)],
    crs=WGS84,
)
KAZ_REGIONS = gpd.GeoDataFrame(
    {"side": ["KAZ", "KAZ"], "name": ["North Kazakhstan", "Pavlodar"]},
    geometry=[shapely.box(60, 50, 69, 54.5), shapely.box(69, 50, 70, 54.5)],
    crs=WGS84,
)


def transit_world():
    # L1 leaves Russia at 66°E, runs 0.2° south, 2° east and back north into Russia at 68°E
    route = shapely.LineString([(66, 54.8), (66, 54.3), (68, 54.3), (68, 54.8)])
    # L9: two stubs only; the rest of it is outside the corridor
    stubs = [
        shapely.LineString([(62, 54.8), (62, 54.2)]),
        shapely.LineString([(64, 54.2), (64, 54.8)]),
    ]
    rail = gpd.GeoDataFrame(
        {"osm_id": [1, 2, 3], "ref": ["L1", "L9", "L9"], "name": ["Main", "Stub", "Stub"]},
        geometry=[route, *stubs],
        crs=WGS84,
    )
    c = pd.DataFrame(
        {
            "crossing_id": ["T1", "T2", "T3", "T4"],
            "kind": "rail",
            "ref": ["L1", "L1", "L9", "L9"],
            "name": ["Main", "Main", "Stub", "Stub"],
            "transit": True,
            "km": [100.0, 230.0, 10.0, 140.0],
            "lon": [66.0, 68.0, 62.0, 64.0],
            "lat": 54.5,
            "region_RUS": "Omsk Oblast",
            "region_KAZ": "North Kazakhstan",
        }
    )
    expected_km = (
        GEOD.inv(66, 54.5, 66, 54.3)[2] + GEOD.inv(66, 54.3, 68, 54.3)[2]
        + GEOD.inv(68, 54.3, 68, 54.5)[2]
    ) / 1000  # fmt: skip
    return c, rail, expected_km


def test_transit_km_and_regions_by_construction():
    c, rail, expected_km = transit_world()
    t = transit_table(
        c,
        lines={"rail": rail},
        countries=COUNTRIES,
        regions=KAZ_REGIONS,
        pair=RK,
        corridor_km=60,
    )
    assert list(t.columns) == TRANSIT_COLUMNS
    main = t[t["route"] == "L1"].iloc[0]
    assert main["through"] == "KAZ" and main["crossings"] == 2
    assert main["km_through"] == pytest.approx(expected_km, rel=1e-3)  # ~174 km
    assert main["regions_entered"] == "North Kazakhstan"  # not Pavlodar (east of 69°E)
    assert main["article"].startswith("Trans-Siberian Railway, Kurgan–Omsk")
    assert main["note"] == f"agrees: {expected_km:.0f} km through KAZ"
    assert "lines 255–257" in main["article_source"]
    stub = t[t["route"] == "L9"].iloc[0]
    assert np.isnan(stub["km_through"]) and stub["note"].startswith("not computed: the stretch")
    unmatched = t[t["route"] == "—"].set_index("article_value")["note"]
    assert "beyond the OSM corridor (60 km on each side)" in unmatched["700–1,200 km"]
    assert unmatched["crosses the border twice"].startswith("not found: no transit railway")


def test_transit_from_the_ways_of_its_routes_alone_is_transit_from_every_way(tmp_path):
    c, rail, _ = transit_world()
    others = gpd.GeoDataFrame(  # ways of no transit route, one through KAZ
        {"osm_id": [7, 8], "ref": ["X5", None], "name": [None, "Other"]},
        geometry=[
            shapely.LineString([(65, 54.8), (65, 54.3), (67, 54.8)]),
            shapely.LineString([(61, 54.6), (61, 54.4)]),
        ],
        crs=WGS84,
    )
    every = gpd.GeoDataFrame(pd.concat([rail, others], ignore_index=True), crs=WGS84)
    write_parquet(every, tmp_path / "rail.parquet")
    rows = transit_line_rows(c)
    read = read_parquet(tmp_path / "rail.parquet", columns=TRANSIT_LINE_COLUMNS, any_in=rows)
    assert sorted(read["osm_id"]) == [1, 2, 3]
    kw = {"countries": COUNTRIES, "regions": KAZ_REGIONS, "pair": RK, "corridor_km": 60}
    pd.testing.assert_frame_equal(
        transit_table(c, lines={"rail": read}, **kw), transit_table(c, lines={"rail": every}, **kw)
    )


def test_transit_for_another_pair_has_no_article_row():
    c, rail, _ = transit_world()
    c = c.rename(columns={"region_RUS": "region_XAA", "region_KAZ": "region_XBB"})
    countries = COUNTRIES.assign(iso3=["XAA", "XBB"])
    t = transit_table(
        c, lines={"rail": rail}, countries=countries, regions=None, pair=("XAA", "XBB"),
        corridor_km=60,
    )  # fmt: skip
    assert set(t["route"]) == {"L1", "L9"} and (t["article"] == "").all()
    assert t.loc[t["route"] == "L1", "through"].item() == "XBB"
