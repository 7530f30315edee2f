"""Tests of borderzone.synth.osm_writer: OPL text and the PBF file, read back by pyosmium."""

import numpy as np
import osmium
import pytest
from full_disk import on_full_disk

from borderzone.synth.osm_writer import (
    BulkWays,
    Osm,
    digits12,
    opl_escape,
    opl_nodes,
    opl_tags,
    pbf_writer,
    write_bulk_ways,
    write_nodes,
    write_opl,
    write_relations,
    write_ways,
)


def test_digits12():
    out = digits12(np.array([0, 7, 123456789012]))
    assert [bytes(r).decode() for r in out] == ["000000000000", "000000000007", "123456789012"]


def test_opl_text():
    assert opl_nodes(np.array([3]), np.array([-58.5]), np.array([50.25])) == (
        b"n000000000003 x-058.5000000 y0050.2500000\n"
    )
    assert opl_escape("a b,c=d") == "a%20%b%2c%c%3d%d"
    assert opl_escape("Урал — река") == "Урал%20%—%20%река"
    assert opl_tags({"highway": "track", "name": "x y"}) == "highway=track,name=x%20%y"


def test_objects_and_bulk_ways_round_trip(tmp_path):
    osm = Osm()
    a, b = osm.shared_node(60.0, 50.0), osm.shared_node(60.0, 50.0)
    assert a == b == 1
    wid, ids = osm.line(np.array([[60.1, 50.1], [60.2, 50.2]]), {"highway": "track"}, refs={0: a})
    assert ids[0] == a and wid == 1
    osm.relation([("w", wid, "outer")], {"type": "boundary", "name": "R"})
    path = tmp_path / "x.osm.pbf"
    with pbf_writer(path) as writer:
        write_nodes(writer, osm)
        write_opl(writer, opl_nodes(np.array([10, 11, 12]), np.full(3, 61.0), np.arange(3.0)))
        write_ways(writer, osm)
        bulk = BulkWays(
            start=[np.array([10, 12])],
            count=[np.array([2, 1])],
            first_ref=[np.array([-1, 11])],
            tag=[np.array([0, 1])],
        )
        assert len(bulk) == 2
        table = [opl_tags({"waterway": "stream"}), opl_tags({"highway": "service"})]
        assert write_bulk_ways(writer, bulk, table, 5) == 7
        write_relations(writer, osm)
    ways, rels, nodes = {}, {}, {}
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            nodes[obj.id] = (obj.location.lon, obj.location.lat)
        elif obj.is_way():
            ways[obj.id] = ([n.ref for n in obj.nodes], dict(obj.tags))
        else:
            rels[obj.id] = dict(obj.tags)
    assert nodes[12] == (61.0, 2.0)
    assert ways == {
        1: ([1, 2], {"highway": "track"}),
        5: ([10, 11], {"waterway": "stream"}),
        6: ([11, 12], {"highway": "service"}),
    }
    assert rels == {1: {"type": "boundary", "name": "R"}}


def test_a_pbf_replaces_the_old_one_and_a_killed_writes_temporary_file(tmp_path):
    path = tmp_path / "world.osm.pbf"
    path.write_bytes(b"an older world")
    stale = tmp_path / ".world.osm.pbf.tmp-0123abcd.osm.pbf"  # as a kill -9 leaves it
    stale.write_bytes(b"\0" * 100_000)
    for target in (path, tmp_path / "again.osm.pbf"):
        with pbf_writer(target) as writer:
            write_opl(writer, opl_nodes(np.arange(1, 4), np.full(3, 61.0), np.arange(3.0)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.osm.pbf", "world.osm.pbf"]
    assert path.read_bytes() == (tmp_path / "again.osm.pbf").read_bytes()  # no date inside
    assert [o.id for o in osmium.FileProcessor(str(path))] == [1, 2, 3]


def test_a_failure_while_writing_leaves_no_file(tmp_path):
    path = tmp_path / "world.osm.pbf"
    with pytest.raises(KeyError):
        with pbf_writer(path) as writer:
            write_opl(writer, opl_nodes(np.arange(1, 4), np.full(3, 61.0), np.arange(3.0)))
            raise KeyError("a bug in the caller")
    assert list(tmp_path.iterdir()) == []


FULL_DISK_PBF = """
import sys
from pathlib import Path
import numpy as np
from borderzone.logs import rule_log
from borderzone.synth.osm_writer import opl_nodes, pbf_writer, write_opl
DISK = Path(sys.argv[1])
rng = np.random.default_rng(0)
n = 200_000
with rule_log(DISK.parent / "rule.log"), pbf_writer(DISK / "world.osm.pbf") as writer:
    for k in range(10):
        ids = np.arange(k * n + 1, (k + 1) * n + 1)
        write_opl(writer, opl_nodes(ids, rng.uniform(-180, 180, n), rng.uniform(-90, 90, n)))
"""


def test_a_full_disk_is_one_line_naming_the_pbf_and_no_abort(tmp_path):
    """libosmium's ``Write failed`` and the abort of its destructor become one line."""
    stderr, rc, left = on_full_disk(tmp_path, FULL_DISK_PBF, size="1m")
    assert stderr == f"borderzone: {tmp_path / 'disk' / 'world.osm.pbf'}: No space left on device\n"
    assert rc == "rc=1"  # not 134 (abort)
    assert left == []
