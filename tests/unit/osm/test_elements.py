"""Tests of borderzone.osm.elements: Overpass JSON elements to layers, as the PBF reader does."""

import numpy as np
import pandas as pd
import pytest
import shapely
from osm_helpers import node, overpass_world, way, write_pbf

from borderzone.osm.elements import layers_from_elements
from borderzone.osm.pbf import extract_corridor
from borderzone.osm.schema import LAYER_COLUMNS

CHUNK = shapely.box(61.0, 51.0, 61.2, 51.1)


def as_pbf(elements: list[dict], path) -> object:
    """The same elements written as a .osm.pbf file."""
    nodes = {
        e["id"]: (e["lon"], e["lat"], e.get("tags", {})) for e in elements if e["type"] == "node"
    }
    ways = {e["id"]: (e["nodes"], e.get("tags", {})) for e in elements if e["type"] == "way"}
    return write_pbf(path, nodes, ways)


def records(gdf) -> list[dict]:
    """Rows without geometry, missing values as None whatever the column dtype."""
    frame = pd.DataFrame(gdf.drop(columns="geometry")).astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def test_same_layers_as_the_pbf_reader(tmp_path) -> None:
    elements = overpass_world()
    ours = layers_from_elements(elements, polygon=CHUNK)
    pbf = extract_corridor(
        [as_pbf(elements, tmp_path / "w.osm.pbf")], corridor=CHUNK, engine="pyosmium"
    )
    for name in ("roads", "rail", "checkpoints", "places"):
        assert list(ours[name].columns) == list(pbf[name].columns), name
        assert records(ours[name]) == records(pbf[name]), name
        assert ours[name].geometry.geom_equals_exact(pbf[name].geometry, 0).all(), name
        assert ours[name]["osm_id"].dtype == np.int64


def test_elements_given_twice_keep_their_tags() -> None:
    # out body; >; out skel qt: a tagged node and way come again, without tags
    elements = overpass_world()
    skel = [{k: v for k, v in e.items() if k != "tags"} for e in elements]
    layers = layers_from_elements(elements + skel, polygon=CHUNK)
    assert sorted(layers["roads"].osm_id) == [100, 101, 102, 103]
    assert sorted(layers["places"].osm_id) == [40, 41, 42]


def test_way_lines_drop_repeats_and_missing_nodes() -> None:
    elements = [
        node(1, 61.01, 51.01),
        node(2, 61.01, 51.01),  # same location as node 1
        node(3, 61.02, 51.01),
        way(10, [1, 2, 3, 99], highway="primary"),  # node 99 absent from the reply
        way(11, [1, 2, 98], highway="primary"),  # one location left: no line
    ]
    roads = layers_from_elements(elements, polygon=CHUNK)["roads"]
    assert roads.osm_id.tolist() == [10]
    assert roads.geometry.iloc[0].equals(shapely.LineString([(61.01, 51.01), (61.02, 51.01)]))


def test_relation_checkpoint_is_a_point_inside_its_area() -> None:
    ring = [
        node(i, x, y)
        for i, (x, y) in enumerate(
            [(61.1, 51.05), (61.12, 51.05), (61.12, 51.07), (61.1, 51.07)], 1
        )
    ]
    hole = [
        node(i, x, y)
        for i, (x, y) in enumerate(
            [(61.105, 51.055), (61.115, 51.055), (61.115, 51.065), (61.105, 51.065)], 11
        )
    ]
    elements = [
        *ring,
        *hole,
        way(20, [1, 2, 3]),
        way(21, [3, 4, 1]),
        way(22, [11, 12, 13, 14, 11]),
        {
            "type": "relation",
            "id": 7,
            "members": [
                {"type": "way", "ref": 20, "role": "outer"},
                {"type": "way", "ref": 21, "role": "outer"},
                {"type": "way", "ref": 22, "role": "inner"},
            ],
            "tags": {"type": "multipolygon", "government": "border_control", "name": "Post"},
        },
        {
            "type": "relation",
            "id": 8,
            "members": [{"type": "way", "ref": 20, "role": "outer"}],
            "tags": {"type": "site", "barrier": "border_control"},  # not an area relation
        },
        {
            "type": "relation",
            "id": 9,
            "members": [{"type": "way", "ref": 404, "role": "outer"}],  # member missing
            "tags": {"type": "multipolygon", "barrier": "border_control"},
        },
        node(30, 61.15, 51.05, barrier="border_control"),
    ]
    cp = layers_from_elements(elements, polygon=CHUNK)["checkpoints"]
    assert list(zip(cp.osm_type, cp.osm_id, strict=True)) == [("node", 30), ("relation", 7)]
    point = cp.geometry.iloc[1]
    area = shapely.box(61.1, 51.05, 61.12, 51.07).difference(
        shapely.box(61.105, 51.055, 61.115, 51.065)
    )
    assert area.contains(point)
    assert cp.name.iloc[1] == "Post"


def test_features_outside_the_chunk_are_dropped() -> None:
    elements = [
        node(1, 62.0, 52.0),
        node(2, 62.1, 52.0),
        node(3, 60.9, 51.05),
        node(4, 61.1, 51.05),
        way(10, [1, 2], highway="primary"),  # outside
        way(11, [3, 4], highway="primary"),  # crosses the edge, a node outside
        node(5, 62.0, 52.0, place="town"),
    ]
    layers = layers_from_elements(elements, polygon=CHUNK)
    assert layers["roads"].osm_id.tolist() == [11]
    assert layers["places"].empty


@pytest.mark.parametrize("elements", [[], [node(1, 61.1, 51.05)]])
def test_nothing_tagged_gives_empty_layers(elements) -> None:
    layers = layers_from_elements(elements, polygon=CHUNK)
    assert set(layers) == {"roads", "rail", "checkpoints", "places", "waterways"}
    for name, gdf in layers.items():
        assert gdf.empty and list(gdf.columns) == [*LAYER_COLUMNS[name], "geometry"]
        assert gdf.crs.to_epsg() == 4326
