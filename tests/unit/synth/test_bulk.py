"""Tests of borderzone.synth.bulk: the ordinary ways and the variety of tags they carry."""

import numpy as np
import pytest

from borderzone.synth.bulk import BULK_CLASSES, BULK_OTHER, bulk_tag_table, far_starts, walks

ROAD_CLASSES = {
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
    "service", "track", "motorway_link", "trunk_link", "primary_link", "secondary_link",
    "tertiary_link",
}  # fmt: skip


def test_pbf_holds_roads_rails_and_places(extract):
    tags = [t for t, _, _ in extract.ways.values()]
    highways = {t["highway"] for t in tags if "highway" in t}
    assert ROAD_CLASSES <= highways
    assert len(extract.ways) >= 300
    surfaced = [t for t in tags if "surface" in t]
    only_grade = [t for t in tags if "tracktype" in t and "surface" not in t]
    only_smooth = [t for t in tags if "smoothness" in t and "surface" not in t]
    bare = [
        t for t in tags if "highway" in t and not {"surface", "tracktype", "smoothness"} & set(t)
    ]
    assert surfaced and only_grade and only_smooth and bare
    assert any("name:ru" in t for t in tags) and any("name:kk" in t for t in tags)
    assert any("ref" in t and "highway" in t for t in tags)
    rails = [t for t in tags if t.get("railway") == "rail"]
    assert {t.get("usage") for t in rails} >= {"main", "branch", "industrial"}
    assert {t.get("electrified") for t in rails} >= {"contact_line", "no"}
    assert all(t["gauge"] == "1520" for t in rails)
    assert any(t.get("railway") == "abandoned" for t in tags)
    assert any(t.get("railway") == "construction" for t in tags)
    places = [t for t, _ in extract.nodes.values() if "place" in t]
    assert {t["place"] for t in places} >= {"city", "town", "village"}
    pops = [t["population"] for t in places]
    assert any(not p.isdigit() for p in pops) and sum(p.isdigit() for p in pops) > len(pops) / 2


def test_tag_table_covers_every_class_in_six_variants():
    table, p = bulk_tag_table(np.random.default_rng(0))
    assert len(table) == len(p) == 6 * len(BULK_CLASSES) + len(BULK_OTHER)
    assert p.sum() == pytest.approx(1.0) and (p > 0).all()
    assert {t.split(",")[0] for t in table[: 6 * len(BULK_CLASSES)]} == {
        f"highway={c}" for c, _ in BULK_CLASSES
    }
    assert table == bulk_tag_table(np.random.default_rng(0))[0]


def test_walks_start_where_asked_and_step_120_to_300_m():
    rng = np.random.default_rng(1)
    counts = np.array([2, 5, 3])
    lon, lat, way, first = walks(rng, np.array([60.0, 61.0, 62.0]), np.full(3, 50.0), counts)
    assert way.tolist() == [0, 0, 1, 1, 1, 1, 1, 2, 2, 2]
    assert first.tolist() == [0, 2, 7]
    assert lon[first].tolist() == [60.0, 61.0, 62.0] and (lat[first] == 50.0).all()
    dx = np.diff(lon)[way[1:] == way[:-1]] * 111_320 * np.cos(np.radians(50))
    dy = np.diff(lat)[way[1:] == way[:-1]] * 110_574
    step = np.hypot(dx, dy)
    assert (step > 119).all() and (step < 301).all()


def test_far_starts_lie_north_of_the_border():
    xy = far_starts(np.random.default_rng(2), (58.0, 49.0, 65.0, 51.0), n=500)
    assert xy.shape == (500, 2)
    assert (xy[:, 0] >= 58.0).all() and (xy[:, 0] <= 65.0).all()
    assert (xy[:, 1] >= 54.5).all() and (xy[:, 1] <= 60.5).all()
