"""The crossing features of a world, designed in border coordinates, and their catalogue.

A feature is one or more ways laid out in border coordinates around a site on the border:
``u`` metres along the border from the site and ``d`` metres off it, positive on side A.
A vertex at offset 0 lies exactly on the border; ``("border", 0.0)`` stands for the
border's own vertices between its two neighbours (a way that runs along the border).

:data:`CATALOGUE` is the table of the features every world holds, in placement order: one
:class:`FeatureRow` per feature, one :class:`WayRow` per way, with the expected surface
class and source of every road written out. The truth takes them from the table, never from
:func:`borderzone.osm.schema.surface_class`, so that a wrong rule there fails the tests that
compare the crossing finder with the truth. :func:`design_features` turns the rows into
:class:`Feature` objects, drawing the random parts in table order, and adds
:func:`extra_road` crossings for long borders.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from borderzone.synth.names import SUFFIX_A, made_up_names

Surface = tuple[str, str]
"""Expected ``(surface_class, surface_source)`` of a road."""

UV = tuple[float | str, float]
"""A vertex in border coordinates: (along m, offset m), or ``("border", 0.0)``."""


# --------------------------------------------------------------------------------------
# Features as laid out
# --------------------------------------------------------------------------------------


@dataclass
class Way:
    """A way of a feature, laid out in border coordinates."""

    uv: list[UV]
    tags: dict[str, str]
    node_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    crosses_at: list[float] = field(default_factory=list)  # along-offsets of its crossings
    role: str = "cross"  # cross | side | touch | area | dead (abandoned rail)
    joins: dict[int, tuple[int, int]] = field(default_factory=dict)  # pos -> (way k, pos)
    surface: Surface | None = None  # expected surface of a road, from the table


@dataclass
class Feature:
    """One designed crossing (or non-crossing) of one or more ways."""

    name: str
    kind: str  # road | rail
    ways: list[Way]
    crossings: list[float]  # along-offsets of its truth crossings (m), each merged group
    transit: bool = False
    reason: str = ""  # for non-crossing features: touches | abandoned | construction
    span: tuple[float, float] = (-6000.0, 6000.0)


def road_uv(
    rng: np.random.Generator, length_a: float, length_b: float, *, u0: float = 0.0, step=350.0
) -> list[tuple[float, float]]:
    """Lay out a road from side A (offset > 0) to side B through the border point at ``u0``."""
    da = np.concatenate([[60.0], np.arange(step, length_a, step), [length_a]])
    db = np.concatenate([[60.0], np.arange(step, length_b, step), [length_b]])
    wa = u0 + np.cumsum(rng.normal(0, 25, len(da))) * (da > 100)
    wb = u0 + np.cumsum(rng.normal(0, 25, len(db))) * (db > 100)
    pts = [(float(u), float(d)) for u, d in zip(wa[::-1], da[::-1], strict=True)]
    pts.append((u0, 0.0))
    pts += [(float(u), -float(d)) for u, d in zip(wb, db, strict=True)]
    return pts


def index_of_offset(uv: Sequence[UV], d: float) -> int:
    """Index of the first vertex of ``uv`` whose offset is nearest ``d``."""
    return int(np.argmin([abs(p[1] - d) for p in uv]))


# --------------------------------------------------------------------------------------
# The catalogue as a table
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawn:
    """The one random line a feature draws (:func:`road_uv`)."""

    length_a: float = 6000.0
    length_b: float = 6000.0
    step: float = 350.0
    u0: float = 0.0


@dataclass(frozen=True)
class Part:
    """A way made of the feature's drawn line.

    Attributes
    ----------
    upto, start
        Keep the vertices up to (or from) the one nearest this offset, inclusive.
    along
        Put every vertex at this along-position (a straight carriageway).
    reverse
        Reverse the vertices (the other carriageway).
    """

    upto: float | None = None
    start: float | None = None
    along: float | None = None
    reverse: bool = False

    def of(self, drawn: list[tuple[float, float]]) -> list[UV]:
        """Return the vertices of this part of ``drawn``."""
        uv: list[UV] = list(drawn)
        if self.upto is not None:
            uv = uv[: index_of_offset(drawn, self.upto) + 1]
        if self.start is not None:
            uv = uv[index_of_offset(drawn, self.start) :]
        if self.along is not None:
            uv = [(self.along, d) for _, d in uv]
        return uv[::-1] if self.reverse else uv


DRAWN = Part()
"""The whole drawn line."""


@dataclass(frozen=True)
class Join:
    """A vertex shared with an earlier way of the feature.

    Vertex ``pos`` of the way (negative: from the end) is the vertex of the feature's way
    ``way`` first nearest offset ``offset``, or its last one when ``offset`` is None.
    """

    pos: int
    way: int
    offset: float | None = None


@dataclass(frozen=True)
class WayRow:
    """One way of a catalogue feature.

    Attributes
    ----------
    uv
        Vertices (u, d) written out, or a :class:`Part` of the feature's drawn line.
    tags
        Tags of the way; with ``name`` set, the made-up name tags follow ``highway``.
    surface
        Expected (surface_class, surface_source) of a road, None for other ways.
    name
        Which of the feature's made-up names the way carries (0, 1, ...), or None.
    role
        ``cross``, ``side``, ``touch``, ``area`` or ``dead``.
    crosses_at
        Along-offsets where the way crosses; None: ``(0.0,)`` for ``cross`` ways, else none.
    checkpoints
        (offset, node tags) of tagged nodes, put on the vertex nearest each offset.
    joins
        Vertices shared with earlier ways of the feature.
    """

    uv: Part | tuple[UV, ...]
    tags: Mapping[str, str]
    surface: Surface | None = None
    name: int | None = None
    role: str = "cross"
    crosses_at: tuple[float, ...] | None = None
    checkpoints: tuple[tuple[float, Mapping[str, str]], ...] = ()
    joins: tuple[Join, ...] = ()


@dataclass(frozen=True)
class FeatureRow:
    """One feature of the catalogue; ``draw`` None when all its vertices are written out."""

    name: str
    kind: str
    ways: tuple[WayRow, ...]
    draw: Drawn | None = Drawn()
    crossings: tuple[float, ...] = (0.0,)
    transit: bool = False
    reason: str = ""
    span: tuple[float, float] = (-6000.0, 6000.0)


PAVED_TAG: Surface = ("paved", "tag")
UNPAVED_TAG: Surface = ("unpaved", "tag")
PAVED_INFERRED: Surface = ("paved", "inferred")
UNKNOWN: Surface = ("unknown", "none")

_TRANSIT_U = 110_000.0  # the transit railway re-enters side A this far along
_TRANSIT_IN: tuple[UV, ...] = (
    (-12000.0, 20000.0), (-6000.0, 9000.0), (-2000.0, 2500.0), (-500.0, 400.0), (0.0, 0.0),
    (500.0, -400.0), (2500.0, -3000.0), (7000.0, -12000.0),
)  # fmt: skip
_TRANSIT_MID: tuple[UV, ...] = tuple(
    (float(u), -25000.0) for u in np.arange(15000.0, _TRANSIT_U - 14000.0, 2000.0)
)
_TRANSIT_OUT: tuple[UV, ...] = tuple(
    (_TRANSIT_U + u, d)
    for u, d in (
        (-7000.0, -12000.0), (-2500.0, -3000.0), (-500.0, -400.0), (0.0, 0.0), (500.0, 400.0),
        (2000.0, 2500.0), (6000.0, 9000.0), (12000.0, 20000.0),
    )
)  # fmt: skip
_TRANSIT_TAGS = {
    "railway": "rail", "usage": "main", "gauge": "1520", "electrified": "contact_line",
    "voltage": "25000", "name": "Транзитная магистраль", "ref": "ТМ-1",
}  # fmt: skip
_MOTORWAY = {"highway": "motorway", "ref": "М-51", "surface": "asphalt", "oneway": "yes",
             "lanes": "2"}  # fmt: skip
_CHECKPOINT = {"barrier": "border_control"}

CATALOGUE: tuple[FeatureRow, ...] = (
    # Transit railway: leaves A, runs > 100 km in B, re-enters A.
    FeatureRow("transit_rail", "rail", (
        WayRow(_TRANSIT_IN, _TRANSIT_TAGS, checkpoints=((0.0, {"railway": "border"}),)),
        WayRow((_TRANSIT_IN[-1], *_TRANSIT_MID, _TRANSIT_OUT[0]), _TRANSIT_TAGS, role="side",
               joins=(Join(0, 0),)),
        WayRow(_TRANSIT_OUT, _TRANSIT_TAGS, crosses_at=(_TRANSIT_U,), joins=(Join(0, 1),)),
    ), draw=None, crossings=(0.0, _TRANSIT_U), transit=True,
        span=(-13000.0, _TRANSIT_U + 13000.0)),
    # Ordinary roads of several classes.
    FeatureRow("international_checkpoint", "road", (
        WayRow(DRAWN, {"highway": "primary", "ref": "А-21", "surface": "asphalt", "lanes": "2",
                       "maxspeed": "90"}, PAVED_TAG, name=0, checkpoints=(
            (700.0, {**_CHECKPOINT, "name": "МАПП Тест", "operator": "Пограничная служба"}),
            (-900.0, {**_CHECKPOINT, "name": "Тест (шекара бекеті)"}),
        )),
    )),
    FeatureRow("local_checkpoint", "road", (
        WayRow(DRAWN, {"highway": "secondary", "ref": "Р-7"}, PAVED_INFERRED, name=0,
               checkpoints=((400.0, {**_CHECKPOINT, "border_control": "small_border_traffic",
                                     "name": "Пункт упрощённого пропуска"}),)),
    )),
    FeatureRow("tertiary_smoothness", "road", (
        WayRow(DRAWN, {"highway": "tertiary", "smoothness": "intermediate"}, UNKNOWN, name=0),
    )),
    FeatureRow("track_tracktype", "road", (
        WayRow(DRAWN, {"highway": "track", "tracktype": "grade4"}, UNPAVED_TAG),
    ), draw=Drawn(3000.0, 3000.0)),
    FeatureRow("unclassified_gravel", "road", (
        WayRow(DRAWN, {"highway": "unclassified", "surface": "gravel"}, UNPAVED_TAG, name=0),
    )),
    FeatureRow("residential_plain", "road", (
        WayRow(DRAWN, {"highway": "residential", "name": "Пограничная улица"}, UNKNOWN),
    ), draw=Drawn(1500.0, 1500.0)),
    FeatureRow("service_concrete", "road", (
        WayRow(DRAWN, {"highway": "service", "surface": "concrete"}, PAVED_TAG),
    ), draw=Drawn(800.0, 800.0)),
    FeatureRow("trunk_link", "road", (
        WayRow(DRAWN, {"highway": "trunk_link", "surface": "asphalt", "oneway": "yes"},
               PAVED_TAG, name=0),
    ), draw=Drawn(1500.0, 1500.0)),
    # Dual carriageway with a link, and a checkpoint drawn as an area: one crossing.
    FeatureRow("dual_carriageway", "road", (
        WayRow(Part(along=15.0), _MOTORWAY, PAVED_TAG, name=0, crosses_at=(15.0,)),
        WayRow(Part(along=-15.0, reverse=True), _MOTORWAY, PAVED_TAG, name=0,
               crosses_at=(-15.0,)),
        WayRow(((15.0, 500.0), (45.0, 420.0), (55.0, 250.0), (55.0, 0.0), (55.0, -250.0),
                (45.0, -420.0), (15.0, -500.0)),
               {"highway": "motorway_link", "surface": "asphalt", "oneway": "yes"}, PAVED_TAG,
               crosses_at=(55.0,), joins=(Join(0, 0, 500.0), Join(-1, 0, -500.0))),
        WayRow(((-80.0, -700.0), (100.0, -700.0), (100.0, -1000.0), (-80.0, -1000.0),
                (-80.0, -700.0)),
               {**_CHECKPOINT, "name": "МАПП Магистраль", "area": "yes"}, role="area"),
    ), draw=Drawn(6000.0, 6000.0, step=500.0, u0=15.0)),
    # Zig-zag road: three crossings 1.5 km apart.
    FeatureRow("zigzag", "road", (
        WayRow(((-2500.0, 900.0), (-1500.0, 600.0), (-700.0, 300.0), (0.0, 0.0),
                (750.0, -300.0), (1500.0, 0.0), (2250.0, 300.0), (3000.0, 0.0),
                (3750.0, -300.0), (4500.0, -600.0), (5500.0, -900.0)),
               {"highway": "unclassified", "surface": "dirt"}, UNPAVED_TAG, name=0,
               crosses_at=(0.0, 1500.0, 3000.0)),
    ), draw=None, crossings=(0.0, 1500.0, 3000.0), span=(-6000.0, 9000.0)),
    # Surface differs: paved primary turns into a track 300 m past the border.
    FeatureRow("paved_to_track", "road", (
        WayRow(Part(upto=-300.0), {"highway": "primary", "ref": "А-5", "surface": "asphalt"},
               PAVED_TAG, name=0),
        WayRow(Part(start=-300.0), {"highway": "track", "tracktype": "grade4"}, UNPAVED_TAG,
               role="side", joins=(Join(0, 0, -300.0),)),
    )),
    FeatureRow("gravel_to_asphalt", "road", (
        WayRow(Part(upto=-1000.0), {"highway": "secondary", "surface": "gravel"}, UNPAVED_TAG,
               name=0),
        WayRow(Part(start=-1000.0), {"highway": "secondary", "surface": "asphalt"}, PAVED_TAG,
               name=1, role="side", joins=(Join(0, 0, -1000.0),)),
    )),
    # Rail crossings.
    FeatureRow("rail_main", "rail", (
        WayRow(DRAWN, {"railway": "rail", "gauge": "1520", "usage": "main",
                       "electrified": "contact_line", "voltage": "25000",
                       "name": "Южная магистраль", "ref": "ЮМ"},
               checkpoints=((0.0, {"railway": "border", "name": "Граница"}),)),
    ), draw=Drawn(8000.0, 8000.0, step=800.0)),
    FeatureRow("rail_branch", "rail", (
        WayRow(DRAWN, {"railway": "rail", "gauge": "1520", "usage": "branch",
                       "electrified": "no", "name": "Ветка"}),
    ), draw=Drawn(6000.0, 6000.0, step=800.0)),
    FeatureRow("rail_industrial", "rail", (
        WayRow(DRAWN, {"railway": "rail", "gauge": "1520", "usage": "industrial",
                       "electrified": "no", "ref": "П-3"}),
    ), draw=Drawn(3000.0, 3000.0, step=600.0)),
    # Not crossings.
    FeatureRow("rail_abandoned", "rail", (
        WayRow(DRAWN, {"railway": "abandoned", "name": "Старая ветка"}, role="dead"),
    ), draw=Drawn(5000.0, 5000.0, step=700.0), crossings=(), reason="abandoned"),
    FeatureRow("rail_construction", "rail", (
        WayRow(DRAWN, {"railway": "construction", "construction": "rail", "gauge": "1520"},
               role="dead"),
    ), draw=Drawn(5000.0, 5000.0, step=700.0), crossings=(), reason="construction"),
    FeatureRow("touch_vertex", "road", (
        WayRow(((-1600.0, 2500.0), (-800.0, 1200.0), (-300.0, 400.0), (0.0, 0.0),
                (300.0, 400.0), (800.0, 1200.0), (1600.0, 2500.0)),
               {"highway": "track", "surface": "ground"}, UNPAVED_TAG, role="touch"),
    ), draw=None, crossings=(), reason="touches"),
    FeatureRow("touch_along", "road", (
        WayRow(((-1800.0, 1500.0), (-1000.0, 600.0), (-500.0, 0.0), ("border", 0.0),
                (500.0, 0.0), (1000.0, 600.0), (1800.0, 1500.0)),
               {"highway": "service", "service": "driveway"}, UNKNOWN, role="touch"),
    ), draw=None, crossings=(), reason="touches"),
    # A road on a bridged gap of the outlines (placed only when there is a gap).
    FeatureRow("in_gap", "road", (
        WayRow(DRAWN, {"highway": "tertiary", "surface": "asphalt"}, PAVED_TAG, name=0),
    )),
)  # fmt: skip
"""The features of every world, in placement order."""

EXTRA_CLASSES: tuple[tuple[str, Surface | None], ...] = (
    ("primary", PAVED_INFERRED),
    ("secondary", PAVED_INFERRED),
    ("tertiary", UNKNOWN),
    ("unclassified", UNKNOWN),
    ("track", None),  # a track without surface always has a tracktype
    ("trunk", PAVED_INFERRED),
)
"""Classes of the extra roads and the expected surface when they have no surface tag."""

EXTRA_SURFACES: tuple[tuple[str | None, str | None], ...] = (
    (None, None),
    ("asphalt", "paved"),
    ("paved", "paved"),
    ("concrete", "paved"),
    ("gravel", "unpaved"),
    ("ground", "unpaved"),
    ("dirt", "unpaved"),
    ("unpaved", "unpaved"),
)
"""``surface`` values of the extra roads (None: untagged) and the expected class."""

TRACK_GRADES: Mapping[int, str] = {1: "paved", 2: "unpaved", 3: "unpaved", 4: "unpaved",
                                   5: "unpaved"}  # fmt: skip
"""``tracktype=grade<n>`` of untagged extra tracks and the expected class."""


# --------------------------------------------------------------------------------------
# Rows to features
# --------------------------------------------------------------------------------------


def design_features(rng: np.random.Generator, *, border_length: float) -> list[Feature]:
    """Design the features of :data:`CATALOGUE`, then one extra road per 60 km past the 21st.

    Parameters
    ----------
    rng
        The world's random generator: names, drawn lines and extra roads in table order.
    border_length
        Length of the border (m).
    """
    names = iter(made_up_names(rng, 40, suffixes=SUFFIX_A))
    feats = [_feature(row, rng, names) for row in CATALOGUE]
    n_extra = max(0, int(border_length // 60_000) - len(feats))
    return feats + [extra_road(rng, k) for k in range(n_extra)]


def _feature(row: FeatureRow, rng: np.random.Generator, names: Iterator[str]) -> Feature:
    d = row.draw
    drawn = road_uv(rng, d.length_a, d.length_b, u0=d.u0, step=d.step) if d else []
    n_names = 1 + max((w.name for w in row.ways if w.name is not None), default=-1)
    own = [next(names) for _ in range(n_names)]
    ways: list[Way] = []
    for w in row.ways:
        uv = w.uv.of(drawn) if isinstance(w.uv, Part) else list(w.uv)
        joins = {}
        for j in w.joins:
            other = ways[j.way].uv
            at = len(other) - 1 if j.offset is None else index_of_offset(other, j.offset)
            joins[j.pos % len(uv)] = (j.way, at)
        crosses_at = w.crosses_at
        if crosses_at is None:
            crosses_at = (0.0,) if w.role == "cross" else ()
        ways.append(
            Way(
                uv,
                _named(w.tags, own[w.name]) if w.name is not None else dict(w.tags),
                node_tags={index_of_offset(uv, off): dict(t) for off, t in w.checkpoints},
                crosses_at=list(crosses_at),
                role=w.role,
                joins=joins,
                surface=w.surface,
            )
        )
    return Feature(
        row.name,
        row.kind,
        ways,
        list(row.crossings),
        transit=row.transit,
        reason=row.reason,
        span=row.span,
    )


def _named(tags: Mapping[str, str], name: str) -> dict[str, str]:
    """``tags`` with the made-up name of a border road (ru and kk) right after ``highway``."""
    out = {"highway": tags["highway"], "name": f"{name} — граница"}
    out["name:ru"] = f"{name} — граница"
    out["name:kk"] = f"{name} — шекара"
    out.update((k, v) for k, v in tags.items() if k != "highway")
    return out


def extra_road_tags(
    highway: str, surface: str | None, grade: int | None
) -> tuple[dict[str, str], Surface]:
    """Tags of an extra road and its expected surface, from the tables above.

    Parameters
    ----------
    highway
        A class of :data:`EXTRA_CLASSES`.
    surface
        A value of :data:`EXTRA_SURFACES`, or None.
    grade
        Track grade (:data:`TRACK_GRADES`) of a track without ``surface``, else None.
    """
    tags = {"highway": highway}
    if surface:
        tags["surface"] = surface
        return tags, (dict(EXTRA_SURFACES)[surface], "tag")
    if grade is not None:
        tags["tracktype"] = f"grade{grade}"
        return tags, (TRACK_GRADES[grade], "tag")
    return tags, dict(EXTRA_CLASSES)[highway]


def extra_road(rng: np.random.Generator, k: int) -> Feature:
    """Extra crossing ``k``: random class, surface tags and (30 %) checkpoint."""
    highway = EXTRA_CLASSES[int(rng.integers(0, len(EXTRA_CLASSES)))][0]
    surface = EXTRA_SURFACES[int(rng.integers(0, len(EXTRA_SURFACES)))][0]
    grade = None
    if not surface and highway == "track":
        grade = int(rng.integers(min(TRACK_GRADES), max(TRACK_GRADES) + 1))
    tags, expected = extra_road_tags(highway, surface, grade)
    way = Way(road_uv(rng, 5000.0, 5000.0), tags, crosses_at=[0.0], surface=expected)
    if highway != "track" and rng.random() < 0.3:
        way.node_tags = {index_of_offset(way.uv, 600.0): {**_CHECKPOINT, "name": f"Пост {k + 1}"}}
    return Feature(f"extra_road_{k + 1}", "road", [way], crossings=[0.0])
