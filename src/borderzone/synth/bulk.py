"""The ordinary ways of a world: random walks away from the border, vectorised.

They give the extract its size (a few hundred ways for tests, a million for benchmarks):
trunks start near the places (``near``) or far north of the border (``far``), branches
start on a trunk vertex, and ways that come within the clearance of the border are dropped.
Their nodes are written chunk by chunk as they are made; the ways are returned as
:class:`~borderzone.synth.osm_writer.BulkWays` and written after the other ways.
"""

import numpy as np
import osmium
import shapely

from borderzone.errors import InputDataError
from borderzone.synth.layout import M_PER_DEG_LAT, M_PER_DEG_LON_AT_EQUATOR
from borderzone.synth.names import made_up_names
from borderzone.synth.osm_writer import BulkWays, opl_nodes, opl_tags, write_opl

NEAR_MEAN_NODES = 40
FAR_MEAN_NODES = 320
FAR_GAP_DEG = 3.5  # far ways start this many degrees of latitude north of the border

BULK_CLASSES: tuple[tuple[str, float], ...] = (
    ("residential", 24), ("service", 16), ("track", 18), ("unclassified", 9), ("tertiary", 6),
    ("secondary", 4), ("primary", 2.5), ("trunk", 1.0), ("motorway", 0.4),
    ("motorway_link", 0.2), ("trunk_link", 0.3), ("primary_link", 0.4),
    ("secondary_link", 0.4), ("tertiary_link", 0.3),
)  # fmt: skip
"""Road classes of the ordinary ways and their weights (each in six tag variants)."""

BULK_SURFACES = ("asphalt", "paved", "concrete", "gravel", "ground", "dirt", "unpaved",
                 "compacted", "sand", "paving_stones")  # fmt: skip
"""``surface`` values of the ordinary roads."""

BULK_OTHER = (
    ({"waterway": "stream"}, 8.0),
    ({"waterway": "river", "name": "Урал"}, 0.5),
    ({"power": "line", "voltage": "110000"}, 3.0),
    ({"railway": "rail", "usage": "branch", "gauge": "1520", "electrified": "no"}, 0.6),
    ({"railway": "abandoned"}, 0.2),
    ({"natural": "tree_row"}, 2.0),
)
"""Other ordinary ways and their weights."""


def bulk_tag_table(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """OPL tag strings of ordinary ways and their probabilities."""
    names = made_up_names(rng, 40, suffixes=("ская улица", "ский тракт", "ская дорога"))
    table: list[str] = []
    weight: list[float] = []
    for hw, w in BULK_CLASSES:
        for variant in range(6):
            tags = {"highway": hw}
            if variant in (0, 1):
                tags["surface"] = BULK_SURFACES[int(rng.integers(0, len(BULK_SURFACES)))]
            elif variant == 2:
                if hw == "track":
                    tags["tracktype"] = f"grade{int(rng.integers(1, 6))}"
                else:
                    tags["smoothness"] = ["good", "intermediate", "bad"][int(rng.integers(0, 3))]
            if variant in (1, 3) and hw not in ("track", "service"):
                n = names[int(rng.integers(0, len(names)))]
                tags.update({"name": n, "name:ru": n})
                if hw in ("motorway", "trunk", "primary", "secondary"):
                    tags["ref"] = f"Р-{int(rng.integers(1, 400))}"
            if variant == 4 and hw.endswith("_link") or hw == "motorway":
                tags["oneway"] = "yes"
            table.append(opl_tags(tags))
            weight.append(w / 6)
    for tags, w in BULK_OTHER:
        table.append(opl_tags(tags))
        weight.append(w)
    p = np.asarray(weight)
    return table, p / p.sum()


def _group_cumsum(v: np.ndarray, first: np.ndarray, way: np.ndarray) -> np.ndarray:
    c = np.cumsum(v)
    return c - (c[first] - v[first])[way]


def walks(
    rng: np.random.Generator, lon0: np.ndarray, lat0: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random-walk polylines from each start: vertex lon, lat, way index, first index."""
    m = len(counts)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    way = np.repeat(np.arange(m), counts)
    heading = rng.uniform(0, 2 * np.pi, m)[way] + _group_cumsum(
        rng.normal(0, 0.12, len(way)), first, way
    )
    step = rng.uniform(120.0, 300.0, len(way))
    step[first] = 0.0
    dx = _group_cumsum(step * np.cos(heading), first, way)
    dy = _group_cumsum(step * np.sin(heading), first, way)
    lat = lat0[way] + dy / M_PER_DEG_LAT
    lon = lon0[way] + dx / (M_PER_DEG_LON_AT_EQUATOR * np.cos(np.radians(lat0[way])))
    return lon, lat, way, first


def bulk_ways(
    rng: np.random.Generator,
    writer: osmium.SimpleWriter,
    *,
    n_ways: int,
    mode: str,
    next_id: int,
    starts: np.ndarray,
    border_tree: shapely.STRtree | None,
    clearance_deg: float,
    tag_p: np.ndarray,
    cover: bool = False,
    chunk_nodes: int = 1_500_000,
) -> tuple[BulkWays, int]:
    """Write the nodes of ``n_ways`` ordinary ways; return the ways and the next node id.

    Parameters
    ----------
    rng
        The world's random generator.
    writer
        Receives the nodes, chunk by chunk.
    n_ways
        How many ways.
    mode
        ``near`` (40 nodes a way on average, starts jittered by 0.05°) or ``far`` (320
        nodes, 0.5°).
    next_id
        First node id.
    starts
        Lon/lat where trunks may start.
    border_tree, clearance_deg
        Ways within ``clearance_deg`` of the border (or of a trunk dropped so) are dropped;
        no check when ``border_tree`` is None.
    tag_p
        Probabilities of the rows of :func:`bulk_tag_table`.
    cover
        Give the first ways every row of the table once.
    chunk_nodes
        About how many nodes are made at a time.
    """
    ways = BulkWays()
    done = idle = covered = 0
    mean = NEAR_MEAN_NODES if mode == "near" else FAR_MEAN_NODES
    while done < n_ways:
        m = min(max(chunk_nodes // mean, 100), int((n_ways - done) * 1.25) + 8)
        n_trunk = max(1, int(m * 0.6))
        n_branch = m - n_trunk
        counts_t = 2 + rng.poisson(mean - 2, n_trunk)
        pick = rng.integers(0, len(starts), n_trunk)
        jitter = rng.normal(0, 0.05 if mode == "near" else 0.5, (n_trunk, 2))
        s = starts[pick] + jitter
        lon_t, lat_t, way_t, first_t = walks(rng, s[:, 0], s[:, 1], counts_t)
        # branches start at a vertex of a trunk of this chunk
        parent = rng.integers(0, n_trunk, n_branch)
        pv = first_t[parent] + (rng.random(n_branch) * counts_t[parent]).astype(np.int64)
        counts_b = 2 + rng.poisson(mean / 2, n_branch)
        lon_b, lat_b, way_b, first_b = walks(rng, lon_t[pv], lat_t[pv], counts_b)
        ok_t = np.ones(n_trunk, dtype=bool)
        ok_b = np.ones(n_branch, dtype=bool)
        if border_tree is not None:
            lines_t = shapely.linestrings(lon_t, lat_t, indices=way_t)
            hit, _ = border_tree.query(lines_t, predicate="dwithin", distance=clearance_deg)
            ok_t[hit] = False
            lines_b = shapely.linestrings(lon_b, lat_b, indices=way_b)
            hit, _ = border_tree.query(lines_b, predicate="dwithin", distance=clearance_deg)
            ok_b[hit] = False
            ok_b &= ok_t[parent]
        # keep no more than needed, trunks first, with their branches
        need = n_ways - done
        keep_t = np.flatnonzero(ok_t)
        keep_b = np.flatnonzero(ok_b)
        n_t = min(len(keep_t), max(need - len(keep_b), (need * 3 + 4) // 5))
        keep_t = keep_t[:n_t]
        alive = np.zeros(n_trunk, dtype=bool)
        alive[keep_t] = True
        keep_b = keep_b[alive[parent[keep_b]]][: max(need - n_t, 0)]
        # node ids: trunk vertices, then branch vertices but their first
        alive_b = np.zeros(n_branch, dtype=bool)
        alive_b[keep_b] = True
        vt = alive[way_t]
        vert_id = np.full(len(way_t), -1, dtype=np.int64)
        vert_id[vt] = next_id + np.arange(int(vt.sum()))
        next_id += int(vt.sum())
        ct = counts_t[keep_t]
        id_t = vert_id[first_t[keep_t]]
        vb = alive_b[way_b] & (np.arange(len(way_b)) != first_b[way_b])
        cb = counts_b[keep_b] - 1
        id_b = next_id + np.cumsum(cb) - cb
        ids_all = np.concatenate([vert_id[vt], next_id + np.arange(int(vb.sum()))])
        next_id += int(vb.sum())
        lon_all = np.concatenate([lon_t[vt], lon_b[vb]])
        lat_all = np.concatenate([lat_t[vt], lat_b[vb]])
        if len(ids_all):
            write_opl(writer, opl_nodes(ids_all, lon_all, lat_all))
        k = len(keep_t) + len(keep_b)
        ways.start.append(np.concatenate([id_t, id_b]).astype(np.int64))
        ways.count.append(np.concatenate([ct, cb]).astype(np.int64))
        ways.first_ref.append(np.concatenate([np.full(len(keep_t), -1), vert_id[pv[keep_b]]]))
        tag = rng.choice(len(tag_p), size=k, p=tag_p)
        if cover and covered < len(tag_p):  # every kind of way at least once
            n_cover = min(k, len(tag_p) - covered)
            tag[:n_cover] = np.arange(covered, covered + n_cover)
            covered += n_cover
        ways.tag.append(tag)
        done += k
        idle = idle + 1 if k == 0 else 0
        if idle > 20:
            raise InputDataError("no room for ordinary ways away from the border")
    return ways, next_id


def far_starts(rng: np.random.Generator, bounds: tuple[float, ...], n: int = 4096) -> np.ndarray:
    """Lon/lat of ``n`` starts of far ways: over the border's longitudes, 3.5–9.5° north."""
    x0, _, x1, y1 = bounds
    return np.column_stack(
        [rng.uniform(x0, x1, n), rng.uniform(y1 + FAR_GAP_DEG, y1 + FAR_GAP_DEG + 6, n)]
    )
