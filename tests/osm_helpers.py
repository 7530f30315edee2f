"""OSM test data written in real formats: PBF files (pyosmium) and Overpass elements.

Shared by the tests of borderzone.osm and of the downloads; test modules import from here,
never from each other.
"""

import random
from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Relation, Way


def write_pbf(path: Path, nodes=(), ways=(), relations=()) -> Path:
    """Write nodes {id: (lon, lat, tags)}, ways {id: (refs, tags)}, relations {id: (...)}.

    Ids are written sorted, as PBF readers expect.
    """
    if path.exists():
        path.unlink()
    with osmium.SimpleWriter(str(path)) as w:
        for nid, (lon, lat, tags) in sorted(dict(nodes).items()):
            w.add_node(Node(id=nid, location=(lon, lat), tags=tags))
        for wid, (refs, tags) in sorted(dict(ways).items()):
            w.add_way(Way(id=wid, nodes=refs, tags=tags))
        for rid, (members, tags) in sorted(dict(relations).items()):
            w.add_relation(Relation(id=rid, members=members, tags=tags))
    return path


def scattered_pbf(path: Path) -> bytes:
    """A real PBF of a few hundred kB: scattered nodes, a road and a checkpoint near 61°E 51°N."""
    rng = random.Random(1)
    with osmium.SimpleWriter(str(path)) as writer:
        for i in range(1, 60_001):
            tags = {"barrier": "border_control"} if i == 100 else {}
            location = osmium.osm.Location(rng.uniform(60, 62), rng.uniform(50, 52))
            writer.add_node(Node(id=i, location=location, tags=tags))
        writer.add_way(
            Way(id=1, nodes=list(range(1, 201)), tags={"highway": "primary", "ref": "A-1"})
        )
    return path.read_bytes()


# ---------------------------------------------------------------------------- Overpass


def node(i: int, lon: float, lat: float, **tags: str) -> dict:
    """An Overpass JSON node element."""
    element = {"type": "node", "id": i, "lat": lat, "lon": lon}
    return element | ({"tags": tags} if tags else {})


def way(i: int, nodes: list[int], **tags: str) -> dict:
    """An Overpass JSON way element (``out body``: node ids, no geometry)."""
    return {"type": "way", "id": i, "nodes": nodes, "tags": tags}


def overpass_world() -> list[dict]:
    """A small hand-made world inside box(61.0, 51.0, 61.2, 51.1), with a few things the
    query must leave out."""
    nodes = [node(i, 61.0 + i * 0.001, 51.05) for i in range(1, 10)]
    nodes += [node(11, 61.02, 51.02), node(12, 61.03, 51.02), node(13, 61.03, 51.03)]
    nodes += [node(14, 61.1, 51.06), node(15, 61.11, 51.06), node(16, 61.11, 51.07)]
    ways = [
        way(
            100,
            [1, 2, 3],
            highway="primary",
            ref="A-21",
            name="Трасса",
            **{"name:ru": "Трасса", "name:kk": "Жол", "name:en": "Road"},
            surface="asphalt",
            lanes="2",
            oneway="no",
        ),
        way(101, [3, 4], highway="track", tracktype="grade3", smoothness="bad", bridge="yes"),
        way(102, [4, 5], highway="motorway_link"),
        way(103, [11, 12, 13, 11], highway="service", area="yes"),  # a closed way, an area
        way(104, [5, 6], highway="footway"),  # not a road class
        way(200, [6, 7, 8], railway="rail", gauge="1520", usage="main", electrified="no"),
        way(201, [8, 9], railway="narrow_gauge", name="УЖД"),
        way(202, [1, 9], railway="abandoned"),  # not a rail class
        way(300, [14, 15, 16, 14], government="border_control", building="yes", name="Пост"),
    ]
    points = [
        node(30, 61.15, 51.05, barrier="border_control", name="Караозек"),
        node(31, 61.16, 51.05, railway="border"),
        node(32, 61.17, 51.05, border_control="customs"),
        node(40, 61.05, 51.08, place="town", name="Town", population="12 345"),
        node(41, 61.06, 51.08, place="village", name="Village", population="~500"),
        node(42, 61.07, 51.08, place="hamlet", name="Hamlet"),
        node(43, 61.08, 51.08, place="suburb", name="Suburb"),  # not a place class
        node(44, 62.50, 51.08, place="city", name="Far"),  # outside the chunk
        node(45, 61.09, 51.02, highway="traffic_signals"),  # a node, not a road
    ]
    return nodes + ways + points


def overpass_waterways() -> list[dict]:
    """Waterways inside box(61.0, 51.0, 61.2, 51.1): a river, a canal, a stream (left out),
    a closed riverbank way, a lake (left out) and a river multipolygon relation."""
    xy = {
        201: (61.01, 51.01), 202: (61.05, 51.02), 203: (61.09, 51.03),  # river
        211: (61.10, 51.05), 212: (61.12, 51.05),  # canal, stream
        221: (61.02, 51.06), 222: (61.04, 51.06), 223: (61.04, 51.08), 224: (61.02, 51.08),
        231: (61.06, 51.06), 232: (61.08, 51.06), 233: (61.08, 51.08), 234: (61.06, 51.08),
        241: (61.12, 51.06), 242: (61.16, 51.06), 243: (61.16, 51.09), 244: (61.12, 51.09),
    }  # fmt: skip
    elements = [node(i, lon, lat) for i, (lon, lat) in xy.items()]
    elements += [
        way(300, [201, 202, 203], waterway="river", name="Илек", **{"name:en": "Ilek"}),
        way(301, [211, 212], waterway="canal"),
        way(302, [211, 212], waterway="stream"),
        way(303, [221, 222, 223, 224, 221], waterway="riverbank"),
        way(304, [231, 232, 233, 234, 231], natural="water", water="lake"),
        {"type": "way", "id": 305, "nodes": [241, 242, 243, 244, 241]},
        {
            "type": "relation",
            "id": 400,
            "members": [{"type": "way", "ref": 305, "role": "outer"}],
            "tags": {"type": "multipolygon", "natural": "water", "water": "river", "name": "Урал"},
        },
    ]
    return elements
