import pytest
from deliverables_world import make_world, world_layers
from deliverables_world import parse_qml as parse

from borderzone.crossings import CATEGORIES
from borderzone.deliver.styles import (
    CATEGORY_COLORS,
    ROAD_LINES,
    alternative_styles,
    crossing_rules,
    crossings_by_category_qml,
    crossings_qml,
    default_styles,
    roads_qml,
)
from borderzone.osm.schema import ROAD_CLASSES, ROAD_ORDER
from borderzone.qml import matching_rules


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return make_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def layers(world):
    return world_layers(world)


def test_every_layer_gets_a_valid_style(layers):
    styles = default_styles(layers)
    assert set(styles) == set(layers)
    expected = {
        "crossings": "RuleRenderer",
        "roads": "categorizedSymbol",
        "buffer": "categorizedSymbol",
        "cells": "graduatedSymbol",
        "segments": "graduatedSymbol",
        "segment_metrics": "graduatedSymbol",
        "places": "graduatedSymbol",
        "rail": "RuleRenderer",
        "border": "singleSymbol",
        "checkpoints": "singleSymbol",
    }
    for name, qml in styles.items():
        root = parse(qml)
        renderer = root.find("renderer-v2")
        assert renderer.get("type") == expected[name], name
        n_symbols = len(renderer.find("symbols"))
        assert n_symbols >= 1
        if renderer.get("type") == "graduatedSymbol":
            ranges = renderer.find("ranges")
            assert len(ranges) == n_symbols
            lows = [float(r.get("lower")) for r in ranges]
            assert lows == sorted(lows)
    assert parse(styles["cells"]).find("renderer-v2").get("attr") == "isolation_index"
    assert parse(styles["places"]).find("renderer-v2").get("attr") == 'coalesce("population", 0)'
    assert parse(styles["crossings"]).get("labelsEnabled") == "1"
    label = parse(styles["crossings"]).find("labeling/settings/text-style")
    assert label.get("fieldName") == '"crossing_id"'


def test_metric_classes_cover_the_data(layers):
    qml = parse(default_styles(layers)["cells"])
    ranges = qml.find("renderer-v2/ranges")
    lo, hi = float(ranges[0].get("lower")), float(ranges[-1].get("upper"))
    iso = layers["cells"]["isolation_index"]
    assert lo < iso.min() and hi >= iso.max()
    dens = parse(alternative_styles(layers)["cells"]["population density"])
    assert dens.find("renderer-v2").get("attr") == "pop_density_km2"


def test_crossing_rules_give_every_crossing_one_distinct_symbol(world):
    rules = crossing_rules()
    for row in world["crossings"].to_dict("records"):
        found = matching_rules(rules, row)
        assert len(found) == 1 and found[0].conditions is not None, row
    symbols = [r.symbol for r in rules]
    assert len(set(symbols)) == len(symbols)
    root = parse(crossings_qml())
    filters = [r.get("filter") for r in root.iter("rule")]
    assert filters[-1] == "ELSE"
    assert '"kind" = \'road\' AND "official" AND NOT "local_only"' in filters[0]


def test_category_style_lists_every_category():
    root = parse(crossings_by_category_qml())
    values = [c.get("value") for c in root.iter("category")]
    assert values == list(CATEGORIES)
    syms = root.find("renderer-v2/symbols")
    assert len(syms) == len(values)
    for s in syms:
        assert s.get("type") == "marker"
        assert s.find("layer").get("class") == "SimpleMarker"
        props = {o.get("name"): o.get("value") for o in s.find("layer/Option")}
        assert {"name", "color", "size"} <= set(props)


def test_roads_style_keeps_unknown_classes(world):
    root = parse(roads_qml(world["network"]["roads"]["highway"]))
    values = {c.get("value") for c in root.iter("category")}
    assert {"trunk", "primary", "track", "living_street", "trunk_link"} <= values


def test_category_style_uses_the_category_palette():
    root = parse(crossings_by_category_qml())
    for symbol, (category, color) in zip(
        root.find("renderer-v2/symbols"), CATEGORY_COLORS.items(), strict=True
    ):
        props = {o.get("name"): o.get("value") for o in symbol.find("layer/Option")}
        rgb = ",".join(str(int(color[i : i + 2], 16)) for i in (1, 3, 5)) + ",255"
        assert rgb in (props["color"], props["outline_color"]), category
    assert list(CATEGORY_COLORS) == list(CATEGORIES)
    assert len(set(CATEGORY_COLORS.values())) == len(CATEGORY_COLORS)


def test_roads_style_has_every_road_class_of_the_schema():
    root = parse(roads_qml())
    values = [c.get("value") for c in root.iter("category")]
    assert sorted(values) == sorted(ROAD_CLASSES)
    assert [v for v in values if not v.endswith("_link")] == list(ROAD_ORDER) == list(ROAD_LINES)
