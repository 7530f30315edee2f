"""The OSM side of a world: objects held in memory, OPL text, the PBF file (pyosmium).

Boundaries, features, places and the roads between places are few and are held as
:class:`Osm` objects until the file is written. The ordinary ways are many: their nodes and
ways are written as fixed-width OPL text built with numpy (:func:`opl_nodes`,
:func:`write_bulk_ways`) and read by libosmium in buffers.
"""

import contextlib
import ctypes
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium

from borderzone.io import replacing

# --------------------------------------------------------------------------------------
# OSM objects held in memory before writing
# --------------------------------------------------------------------------------------


@dataclass
class Osm:
    """Tagged nodes, ways and relations with ids handed out in order."""

    nodes: list[tuple[int, float, float, dict[str, str]]] = field(default_factory=list)
    ways: list[tuple[int, list[int], dict[str, str]]] = field(default_factory=list)
    relations: list[tuple[int, list[tuple[str, int, str]], dict[str, str]]] = field(
        default_factory=list
    )
    shared: dict[tuple[int, int], int] = field(default_factory=dict)

    def node(self, lon: float, lat: float, tags: dict[str, str] | None = None) -> int:
        """Add a node; return its id."""
        nid = len(self.nodes) + 1
        self.nodes.append((nid, float(lon), float(lat), tags or {}))
        return nid

    def shared_node(self, lon: float, lat: float) -> int:
        """Node at a location, reused when one was made there before (for boundaries)."""
        key = (round(lon * 1e7), round(lat * 1e7))
        nid = self.shared.get(key)
        if nid is None:
            nid = self.shared[key] = self.node(lon, lat)
        return nid

    def way(self, refs: Sequence[int], tags: dict[str, str]) -> int:
        """Add a way through existing nodes; return its id."""
        wid = len(self.ways) + 1
        self.ways.append((wid, list(refs), tags))
        return wid

    def line(
        self,
        coords: np.ndarray,
        tags: dict[str, str],
        node_tags: Mapping[int, dict[str, str]] | None = None,
        refs: Mapping[int, int] | None = None,
    ) -> tuple[int, list[int]]:
        """Add a way through new nodes at ``coords``; ``refs`` reuses given nodes by position."""
        node_tags = node_tags or {}
        refs = refs or {}
        ids = [
            refs[i] if i in refs else self.node(x, y, node_tags.get(i))
            for i, (x, y) in enumerate(coords)
        ]
        return self.way(ids, tags), ids

    def relation(self, members: list[tuple[str, int, str]], tags: dict[str, str]) -> int:
        """Add a relation of (type, id, role) members; return its id."""
        rid = len(self.relations) + 1
        self.relations.append((rid, members, tags))
        return rid


# --------------------------------------------------------------------------------------
# OPL text
# --------------------------------------------------------------------------------------

_LUT = (
    np.array([list(f"{i:04d}".encode()) for i in range(10000)], dtype=np.uint8)
    .view(np.uint32)
    .ravel()
)
_LUT.setflags(write=False)


def digits12(v: np.ndarray) -> np.ndarray:
    """Twelve ASCII digits (zero padded) of non-negative integers, shape (n, 12), uint8."""
    hi, rest = np.divmod(np.asarray(v, dtype=np.int64), 100_000_000)
    mid, lo = np.divmod(rest, 10_000)
    out = np.empty((len(hi), 3), dtype=np.uint32)
    out[:, 0], out[:, 1], out[:, 2] = _LUT[hi], _LUT[mid], _LUT[lo]
    return out.view(np.uint8).reshape(len(hi), 12)


def opl_nodes(ids: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> bytes:
    """OPL lines ``n<id> x<lon> y<lat>`` in fixed width (libosmium reads leading zeros)."""
    out = np.empty((len(ids), 42), dtype=np.uint8)
    out[:, 0] = ord("n")
    out[:, 1:13] = digits12(ids)
    out[:, 13], out[:, 14] = ord(" "), ord("x")
    out[:, 27], out[:, 28] = ord(" "), ord("y")
    out[:, 41] = ord("\n")
    for col, v in ((15, lon), (29, lat)):
        fixed = np.rint(v * 1e7).astype(np.int64)
        out[:, col] = np.where(fixed < 0, ord("-"), ord("0"))
        d = digits12(np.abs(fixed))
        out[:, col + 1 : col + 4] = d[:, 2:5]
        out[:, col + 4] = ord(".")
        out[:, col + 5 : col + 12] = d[:, 5:]
    return out.tobytes()


def opl_escape(s: str) -> str:
    """``s`` with the characters OPL reserves written as ``%<hex>%``."""
    return "".join(
        ch
        if (ord(ch) > 127 or ch.isalnum() or ch in "-_.:;/()'!?+*#<>[]{}~|^$&")
        else f"%{ord(ch):x}%"
        for ch in s
    )


def opl_tags(tags: Mapping[str, str]) -> str:
    """Write ``tags`` as an OPL tag list ``k=v,k=v``."""
    return ",".join(f"{opl_escape(k)}={opl_escape(v)}" for k, v in tags.items())


def write_opl(writer: osmium.SimpleWriter, text: bytes) -> None:
    """Write OSM objects given as OPL text."""
    osmium.apply(osmium.io.FileBuffer(text, "opl"), writer)


# --------------------------------------------------------------------------------------
# The PBF file
# --------------------------------------------------------------------------------------


@dataclass
class BulkWays:
    """Ways written as OPL: own nodes ``start``..``start+count-1``, after ``first_ref``."""

    start: list[np.ndarray] = field(default_factory=list)
    count: list[np.ndarray] = field(default_factory=list)
    first_ref: list[np.ndarray] = field(default_factory=list)
    tag: list[np.ndarray] = field(default_factory=list)

    def __len__(self) -> int:
        return int(sum(len(c) for c in self.count))


@contextlib.contextmanager
def pbf_writer(path: Path) -> Iterator[osmium.SimpleWriter]:
    """Open a new PBF file for ``path`` (replacing an existing one); closed on exit.

    The file is written beside ``path`` under a temporary name and renamed into place
    once closed (:func:`borderzone.io.replacing`): a failure leaves no partial file, and
    a full disk is an ``OSError`` ``ENOSPC`` naming ``path`` rather than libosmium's
    ``Write failed``. The bytes depend on the objects only (no header timestamp).
    """
    with replacing(path) as tmp:
        writer = osmium.SimpleWriter(str(tmp))
        try:
            yield writer
            writer.close()
        except BaseException:
            try:
                writer.close()
            except RuntimeError:
                _keep_alive(writer)
            raise


def _keep_alive(writer: osmium.SimpleWriter) -> None:
    """Never destroy a writer that failed: its destructor would close it again and abort.

    libosmium refuses every write after a failed one, and the writer's C++ destructor
    flushes its buffer once more, throwing out of a destructor (``std::terminate``, a core
    dump after the one-line message). The writer and its buffer are left to the end of
    the process instead.
    """
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(writer))


def write_nodes(writer: osmium.SimpleWriter, osm: Osm) -> None:
    """Write the nodes of ``osm``."""
    for nid, lon, lat, tags in osm.nodes:
        writer.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat), tags=tags))


def write_ways(writer: osmium.SimpleWriter, osm: Osm) -> None:
    """Write the ways of ``osm``."""
    for wid, refs, tags in osm.ways:
        writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))


def write_relations(writer: osmium.SimpleWriter, osm: Osm) -> None:
    """Write the relations of ``osm``."""
    for rid, members, tags in osm.relations:
        writer.add_relation(osmium.osm.mutable.Relation(id=rid, members=members, tags=tags))


def write_after(
    writer: osmium.SimpleWriter,
    osm: Osm,
    *,
    node0: int,
    way0: int,
    relation0: int,
    what: str,
) -> None:
    """Write the ``what`` (``"nodes"``, ``"ways"``, ``"relations"``) of ``osm``, ids shifted.

    For objects added after a world's others (its rivers): node ``i`` of ``osm`` becomes
    ``node0 + i - 1``, way ``i`` ``way0 + i - 1``, relation ``i`` ``relation0 + i - 1``, so
    that every id of the others stays what it was.
    """
    if what == "nodes":
        for nid, lon, lat, tags in osm.nodes:
            node = osmium.osm.mutable.Node(id=nid + node0 - 1, location=(lon, lat), tags=tags)
            writer.add_node(node)
    elif what == "ways":
        for wid, refs, tags in osm.ways:
            way = osmium.osm.mutable.Way(
                id=wid + way0 - 1, nodes=[r + node0 - 1 for r in refs], tags=tags
            )
            writer.add_way(way)
    else:
        shift = {"w": way0 - 1, "n": node0 - 1, "r": relation0 - 1}
        for rid, members, tags in osm.relations:
            moved = [(t, ref + shift[t], role) for t, ref, role in members]
            writer.add_relation(
                osmium.osm.mutable.Relation(id=rid + relation0 - 1, members=moved, tags=tags)
            )


def write_bulk_ways(
    writer: osmium.SimpleWriter, ways: BulkWays, table: Sequence[str], next_way: int
) -> int:
    """Write ``ways`` with ids from ``next_way``, tags from ``table``; return the next id."""
    heads = [f" T{t} N".encode() for t in table]
    for start, count, first, tag in zip(
        ways.start, ways.count, ways.first_ref, ways.tag, strict=True
    ):
        if not len(start):
            continue
        has_first = first >= 0
        total = count + has_first
        n = int(total.sum())
        off = np.concatenate([[0], np.cumsum(total)[:-1]])
        way = np.repeat(np.arange(len(start)), total)
        pos = np.arange(n) - off[way]
        refs = start[way] + pos - has_first[way]
        firsts = off[has_first]
        refs[firsts] = first[has_first]
        r = np.empty((n, 14), dtype=np.uint8)
        r[:, 0] = ord("n")
        r[:, 1:13] = digits12(refs)
        r[:, 13] = ord(",")
        buf = r.tobytes()
        parts: list[bytes] = []
        ends = (off + total) * 14 - 1
        offs = off * 14
        for i in range(len(start)):
            parts.append(b"w%d" % (next_way + i))
            parts.append(heads[tag[i]])
            parts.append(buf[offs[i] : ends[i]])
            parts.append(b"\n")
        next_way += len(start)
        write_opl(writer, b"".join(parts))
    return next_way
