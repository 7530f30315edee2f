"""Tests of borderzone.synth.features: the catalogue table, its literal surfaces, the designs."""

import numpy as np
import pytest
import shapely

from borderzone.io import read_countries
from borderzone.osm.schema import surface_class
from borderzone.synth.features import (
    CATALOGUE,
    EXTRA_CLASSES,
    EXTRA_SURFACES,
    TRACK_GRADES,
    Join,
    Part,
    design_features,
    extra_road,
    extra_road_tags,
    road_uv,
)


def _rule(tags):
    return surface_class(
        tags.get("highway"), tags.get("surface"), tags.get("tracktype"), tags.get("smoothness")
    )


@pytest.mark.parametrize("row", CATALOGUE, ids=[r.name for r in CATALOGUE])
def test_catalogue_surfaces_follow_the_published_rule(row):
    """Each road's literal (class, source) is what osm.schema.surface_class gives its tags."""
    for way in row.ways:
        if "highway" in way.tags:
            assert way.surface is not None, row.name
            assert _rule(way.tags) == way.surface, row.name
        else:
            assert way.surface is None, row.name


def test_extra_road_surfaces_follow_the_published_rule():
    combos = 0
    for highway, untagged in EXTRA_CLASSES:
        for surface, _ in EXTRA_SURFACES:
            grades = TRACK_GRADES if surface is None and highway == "track" else [None]
            for grade in grades:
                tags, expected = extra_road_tags(highway, surface, grade)
                assert _rule(tags) == expected, tags
                combos += 1
        if untagged is not None:
            assert extra_road_tags(highway, None, None)[1] == untagged
    assert combos == len(EXTRA_CLASSES) * len(EXTRA_SURFACES) + len(TRACK_GRADES) - 1


def test_catalogue_rows_are_features_in_order():
    feats = design_features(np.random.default_rng(0), border_length=500_000.0)
    assert [f.name for f in feats] == [r.name for r in CATALOGUE]
    long = design_features(np.random.default_rng(0), border_length=7_700_000.0)
    assert len(long) == 7_700_000 // 60_000
    assert [f.name for f in long[len(CATALOGUE) :]][:2] == ["extra_road_1", "extra_road_2"]
    for f in long:
        for w in f.ways:
            assert ("highway" in w.tags) == (w.surface is not None)
    by_name = {f.name: f for f in feats}
    dual = by_name["dual_carriageway"]
    east, west, link, area = dual.ways
    assert east.tags == west.tags and east.tags is not west.tags
    assert east.tags["name"].endswith(" — граница") and east.tags["name:kk"].endswith(" — шекара")
    assert list(east.tags)[:5] == ["highway", "name", "name:ru", "name:kk", "ref"]
    assert {u for u, _ in east.uv} == {15.0} and {u for u, _ in west.uv} == {-15.0}
    assert [d for _, d in west.uv] == [d for _, d in east.uv][::-1]
    assert link.uv[0] == east.uv[link.joins[0][1]] == (15.0, 500.0)
    assert link.joins == {0: (0, link.joins[0][1]), 6: (0, link.joins[6][1])}
    assert area.role == "area" and area.surface is None and area.crosses_at == []
    gravel = by_name["gravel_to_asphalt"]
    assert gravel.ways[0].tags["name"] != gravel.ways[1].tags["name"]
    assert gravel.ways[0].uv[-1] == gravel.ways[1].uv[0]
    transit = by_name["transit_rail"]
    assert transit.ways[0].node_tags == {4: {"railway": "border"}}
    assert transit.ways[1].joins == {0: (0, 7)}
    assert transit.ways[2].joins == {0: (1, len(transit.ways[1].uv) - 1)}
    assert by_name["rail_abandoned"].ways[0].crosses_at == []


def test_parts_and_joins():
    drawn = [(0.0, 900.0), (1.0, 300.0), (2.0, 0.0), (3.0, -300.0), (4.0, -900.0)]
    assert Part().of(drawn) == drawn
    assert Part(upto=-300.0).of(drawn) == drawn[:4]
    assert Part(start=-300.0).of(drawn) == drawn[3:]
    assert Part(along=7.0, reverse=True).of(drawn) == [(7.0, d) for _, d in drawn][::-1]
    assert Join(-1, 0).offset is None


def test_road_uv_crosses_once_at_u0():
    uv = road_uv(np.random.default_rng(0), 2000.0, 1000.0, u0=15.0, step=500.0)
    d = [p[1] for p in uv]
    assert d.count(0.0) == 1 and uv[d.index(0.0)] == (15.0, 0.0)
    assert d[0] == 2000.0 and d[-1] == -1000.0 and d == sorted(d, reverse=True)


def test_extra_road_checkpoint_only_off_tracks():
    rng = np.random.default_rng(4)
    roads = [extra_road(rng, k) for k in range(60)]
    with_cp = [f for f in roads if f.ways[0].node_tags]
    assert with_cp and all(f.ways[0].tags["highway"] != "track" for f in with_cp)
    assert with_cp[0].ways[0].node_tags.popitem()[1]["barrier"] == "border_control"


def test_checkpoints(extract):
    nodes = [t for t, _ in extract.nodes.values()]
    controls = [t for t in nodes if t.get("barrier") == "border_control"]
    assert len(controls) >= 3
    assert any(t.get("border_control") == "small_border_traffic" for t in controls)
    assert any(t.get("railway") == "border" for t in nodes)
    areas = [t for t, c, r in extract.ways.values() if t.get("barrier") == "border_control"]
    assert len(areas) == 1


def test_transit_line_runs_long_in_the_other_country(truth, extract, world):
    countries = read_countries(world.countries, iso3=("XAA", "XBB"))
    ids = sorted({int(i) for i in truth[truth.transit].osm_ids})
    rail = [w for w in extract.ways.values() if w[0].get("name") == "Транзитная магистраль"]
    line = shapely.line_merge(shapely.MultiLineString([shapely.LineString(c) for _, c, _ in rail]))
    inside = line.intersection(countries.geometry.iloc[1])
    assert inside.length * 70 > 100  # degrees to km, roughly: more than 100 km in B
    assert len(ids) == 2
