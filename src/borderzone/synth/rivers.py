"""Rivers of a synthetic world, laid along and across the border with known truth.

Each river of :data:`RIVERS` is laid out in border coordinates (chainage along the first
part of the line, signed offset: positive on the first country's side) by
:class:`borderzone.synth.layout.Frame`, so how far it lies from the line is known by
construction:

- ``follows``: a river 150 m from the line for 12 km, coming from and going back 12 km
  into the first country at a steep angle, with a riverbank (``waterway=riverbank``, a
  closed way) from 60 to 240 m;
- ``follows_area``: a wide river on the second country's side whose centre line lies
  700 m from the line for 8 km (beyond the tolerance) but whose area (``natural=water``
  + ``water=river``, a multipolygon relation) reaches to 100 m of it: it follows the line
  by its area only;
- ``crossing``: a river that crosses the line square, 15 km each way;
- ``parallel``: a river 1.2 km from the line for 15 km, a trap for a tolerance too wide;
- ``canal``: a ``waterway=canal`` 100 m from the line for 5 km, which is no river bed.

The truth (:func:`river_truth`) gives, per river, the chainage of the stretch it follows
(``from_km``, ``to_km``) and ``follow_km``: 12, 8 and 0 for the others (20 km in all).
Each river is checked where it is laid (its distance to the line along the stretch, one
crossing for the crossing river) and moved along the line when the border bends too much.
"""

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crs import WGS84
from borderzone.synth.osm_writer import Osm


@dataclass(frozen=True)
class River:
    """One river of the design (distances in metres)."""

    kind: str
    name: str
    waterway: str
    fraction: float  # where along the line it is first tried
    length_m: float  # the stretch along the line (0 for the crossing)
    offset_m: float  # of the centre line along the stretch (+: first country)
    follow_km: float  # what the truth says it follows
    bank_m: tuple[float, float] | None = None  # offsets of its area's two edges
    bank_tags: tuple[tuple[str, str], ...] = ()


RIVERS: tuple[River, ...] = (
    River("follows", "Уй", "river", 0.16, 12_000.0, 150.0, 12.0, (60.0, 240.0),
          (("waterway", "riverbank"),)),
    River("follows_area", "Илек", "river", 0.30, 8_000.0, -700.0, 8.0, (-100.0, -1300.0),
          (("type", "multipolygon"), ("natural", "water"), ("water", "river"))),
    River("crossing", "Тобол", "river", 0.44, 0.0, 0.0, 0.0),
    River("parallel", "Ишим", "river", 0.58, 15_000.0, 1200.0, 0.0),
    River("canal", "Канал имени Ленина", "canal", 0.72, 5_000.0, 100.0, 0.0),
)  # fmt: skip
"""The rivers of every world, west to east."""

LEG_M = 12_000.0
"""How far the rivers that follow the line come from and go back to (offset and along)."""

STEP_M = 200.0
"""Vertex spacing of the rivers along the line."""


def _uv(river: River) -> np.ndarray:
    """(along, offset) vertices of a river's centre line."""
    if river.kind == "crossing":
        d = np.arange(-15_000.0, 15_000.0 + 1, 500.0)
        return np.column_stack([np.zeros_like(d), d])
    sign = 1.0 if river.offset_m > 0 else -1.0
    far = sign * LEG_M
    t = np.linspace(0.0, 1.0, 13)
    come = np.column_stack([-LEG_M * (1 - t[:-1]), far + (river.offset_m - far) * t[:-1]])
    u = np.arange(0.0, river.length_m + 1, STEP_M)
    along = np.column_stack([u, np.full_like(u, river.offset_m)])
    go = np.column_stack(
        [river.length_m + LEG_M * t[1:], river.offset_m + (far - river.offset_m) * t[1:]]
    )
    return np.concatenate([come, along, go])


def _bank(river: River) -> np.ndarray:
    """(along, offset) ring of a river's area along its stretch."""
    a, b = river.bank_m
    u = np.arange(0.0, river.length_m + 1, STEP_M)
    ring = np.concatenate(
        [np.column_stack([u, np.full_like(u, a)]), np.column_stack([u[::-1], np.full_like(u, b)])]
    )
    return np.concatenate([ring, ring[:1]])


def _fits(river: River, frame, coords: np.ndarray) -> bool:
    """Whether the river lies where its design says, measured in the frame's plane."""
    line = frame.project(frame.border.lines)
    xy = frame.fwd(coords)
    if river.kind == "crossing":
        crossing = shapely.intersection(shapely.LineString(xy), line)
        return shapely.get_num_geometries(crossing) == 1 and crossing.geom_type == "Point"
    uv = _uv(river)
    on = (uv[:, 0] >= 0) & (uv[:, 0] <= river.length_m)
    d = shapely.distance(shapely.points(xy[on]), line)
    ok = np.all(np.abs(d - abs(river.offset_m)) <= 20.0 + 0.05 * abs(river.offset_m))
    # away from the stretch the river keeps clear of the line (it only comes and goes)
    off = shapely.distance(shapely.points(xy[~on]), line)
    return bool(ok and np.all(off >= min(abs(river.offset_m), 300.0) - 20.0))


def add_rivers(
    osm: Osm, frame_at: Callable, *, length_m: float, near_gap: Callable[[float], bool]
) -> list[dict]:
    """Lay the rivers of :data:`RIVERS` along the line and add them to ``osm``.

    Parameters
    ----------
    osm
        Receives the rivers (a world's objects written after all others).
    frame_at
        Chainage (m) to a :class:`borderzone.synth.layout.Frame` there.
    length_m
        Length of the line the frames are laid along.
    near_gap
        Whether a chainage lies on or near a bridged gap (no river is laid there).

    Returns
    -------
    list of dict
        One per river laid: its design, the chainage it starts at and its line.
    """
    out = []
    for river in RIVERS:
        span = river.length_m + 2 * LEG_M
        for step in range(40):
            s0 = (river.fraction + 0.005 * step) * length_m
            if s0 - LEG_M < 0 or s0 + span > length_m:
                continue
            if any(near_gap(s) for s in np.linspace(s0 - LEG_M, s0 + river.length_m + LEG_M, 50)):
                continue
            frame = frame_at(s0)
            coords = frame.xy(_uv(river))
            if not _fits(river, frame, coords):
                continue
            tags = {"waterway": river.waterway, "name": river.name}
            osm.line(coords, tags)
            if river.bank_m is not None:
                ring = frame.xy(_bank(river))
                nodes = [osm.node(x, y) for x, y in ring[:-1]]
                bank_tags = dict(river.bank_tags)
                if bank_tags.get("type") == "multipolygon":
                    way = osm.way([*nodes, nodes[0]], {})
                    osm.relation([("w", way, "outer")], {**bank_tags, "name": river.name})
                else:
                    osm.way([*nodes, nodes[0]], {**bank_tags, "name": river.name})
            out.append({"river": river, "s0": s0, "geometry": shapely.LineString(coords)})
            break
    return out


def river_truth(laid: list[dict]) -> gpd.GeoDataFrame:
    """Build the ``rivers`` layer of the truth: what each river follows of the line.

    Columns ``name``, ``kind``, ``waterway``, ``offset_m``, ``from_km``/``to_km`` (chainage
    of the stretch it follows along the first part; NaN for none), ``follow_km``.
    """
    rows = []
    for item in laid:
        r = item["river"]
        follows = r.follow_km > 0
        rows.append(
            {
                "name": r.name,
                "kind": r.kind,
                "waterway": r.waterway,
                "offset_m": r.offset_m,
                "from_km": item["s0"] / 1000 if follows else np.nan,
                "to_km": (item["s0"] + r.length_m) / 1000 if follows else np.nan,
                "follow_km": r.follow_km,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["name", "kind", "waterway", "offset_m", "from_km", "to_km", "follow_km"],
    )
    return gpd.GeoDataFrame(frame, geometry=[i["geometry"] for i in laid], crs=WGS84)
