"""Tests of borderzone.crossings.summary: the counts, and the published figures of the pair."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from crossings_helpers import PAIR, crossing_line, find, rail_frame, roads_frame

from borderzone.crossings.summary import HEADLINES, summarise_crossings
from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.published import PUBLISHED_RUS_KAZ


def _admin():
    return gpd.GeoDataFrame(
        {"admin_level": [4, 4, 4], "name": ["S1", "S2", "N"]},
        geometry=[
            shapely.box(59, 47, 63.5, 50.5),
            shapely.box(63.5, 47, 71, 50.5),
            shapely.box(59, 49.7, 71, 53),
        ],
        crs=WGS84,
    )


def test_summary_rows():
    roads = roads_frame(
        [
            (1, crossing_line(61.0), {"highway": "trunk", "surface": "asphalt"}),
            (2, crossing_line(62.0), {"highway": "motorway_link"}),
            (3, crossing_line(63.0), {"highway": "track", "surface": "dirt"}),
            (4, crossing_line(64.0), {"highway": "unclassified", "surface": "gravel"}),
        ]
    )
    rail = rail_frame(
        [
            (5, crossing_line(65.0), {"railway": "rail", "ref": "L1"}),
            (6, crossing_line(66.0), {"railway": "rail", "ref": "L1"}),
            (7, crossing_line(67.0), {"railway": "rail", "name": "Branch"}),
        ]
    )
    admin = _admin()
    out = find(roads, rail, admin=admin)
    s = summarise_crossings(out, pair=PAIR, roads=roads, by_region=True)
    border = s[s.scope == "border"].set_index(["group", "item"])
    assert border.loc[("headline", "road crossings"), "value"] == 4
    assert border.loc[("headline", "rail lines"), "value"] == 2
    assert border.loc[("headline", "trunk highways"), "value"] == 2
    assert border.loc[("headline", "dirt roads"), "value"] == 2
    assert s.published.isna().all()  # nothing is published for XAA-XBB
    rus_kaz = summarise_crossings(out, pair=("RUS", "KAZ"), roads=roads, by_region=True)
    rk = rus_kaz[rus_kaz.scope == "border"].set_index(["group", "item"])
    assert rk.loc[("headline", "rail lines"), "published"] == 16
    assert rus_kaz[rus_kaz.scope == "S1 | N"].published.isna().all()
    assert border.loc[("headline", "road crossings"), "key"] == "roads"
    assert border.loc[("kind", "rail"), "value"] == 3
    assert border.loc[("highway", "trunk"), "value"] == 1
    assert border.loc[("category", "track"), "value"] == 1
    assert border.loc[("road_km", "all"), "value"] == pytest.approx(4 * 11.12, rel=0.01)
    assert set(s.scope) == {"border", "S1 | N", "S2 | N"}
    s1 = s[s.scope == "S1 | N"].set_index(["group", "item"])
    assert s1.loc[("headline", "road crossings"), "value"] == 3
    assert s1.published.isna().all()
    with pytest.raises(InputDataError):
        summarise_crossings(find(roads), pair=PAIR, by_region=True)


@pytest.mark.parametrize("pair", [("RUS", "KAZ"), ("KAZ", "RUS")])
def test_published_figures_appear_for_rus_kaz(pair):
    roads = roads_frame([(1, crossing_line(61.0), {"highway": "trunk"})])
    rail = rail_frame([(5, crossing_line(65.0), {"railway": "rail", "ref": "L1"})])
    out = find(roads, rail, admin=_admin())
    s = summarise_crossings(out, pair=pair, roads=roads, by_region=True)
    border = s[s.scope == "border"].set_index(["group", "item"])
    assert border.loc[("headline", "rail lines"), "published"] == 16
    published = {f.key: f.value for f in PUBLISHED_RUS_KAZ}
    for item, key in HEADLINES.items():
        assert border.loc[("headline", item), "published"] == published[key]
    elsewhere = ~((s.scope == "border") & (s.group == "headline"))
    assert s.loc[elsewhere, "published"].isna().all()


def test_published_column_is_empty_for_another_pair():
    roads = roads_frame([(1, crossing_line(61.0), {"highway": "trunk"})])
    out = find(roads)
    s = summarise_crossings(out, pair=PAIR, roads=roads)
    assert s["published"].dtype == np.float64 and s["published"].isna().all()
    assert s.loc[s.group == "headline", "key"].tolist() == list(HEADLINES.values())
    assert summarise_crossings(out, pair=("RUS", "KAZ"))["published"].notna().sum() == 4


def test_pair_must_be_two_codes():
    out = find(roads_frame([(1, crossing_line(61.0), {"highway": "trunk"})]))
    for bad in ("RUS-KAZ", ("RUS",)):
        with pytest.raises(InputDataError, match="pair must be two ISO3 codes"):
            summarise_crossings(out, pair=bad)


def test_published_figures_cite_the_article_and_its_line():
    roads = roads_frame([(1, crossing_line(61.0), {"highway": "trunk"})])
    out = find(roads, rail_frame([]))
    s = summarise_crossings(out, pair=("RUS", "KAZ"))
    cited = s.loc[s["published"].notna()].set_index("item")["source"]
    assert cited["rail lines"].startswith('article "Interaction of border territories')
    assert cited["rail lines"].endswith("line 246")  # "16 железнодо-" stands on line 246
    assert cited["dirt roads"].endswith("lines 248–249")
    assert (s.loc[s["published"].isna(), "source"] == "").all()
    other = summarise_crossings(out, pair=PAIR)
    assert (other["source"] == "").all()
    assert not other.astype(str).apply(lambda col: col.str.contains("Interaction")).any().any()
