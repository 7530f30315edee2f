"""Laying features along the border: border coordinates, checks, placement.

:class:`Border` measures the border by geodesic chainage; :class:`Frame` turns border
coordinates around a site (along m, offset m) into lon/lat. :func:`place_features` puts
each feature on a stretch of border where its ways meet the border exactly as designed
(checked once, by :func:`layout`), spaced apart, and adds its ways to the OSM objects.
"""

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from borderzone.border.line import border_parts, trace_border
from borderzone.geodesy import edge_lengths_m
from borderzone.synth.features import Feature, Way
from borderzone.synth.osm_writer import Osm

log = logging.getLogger(__name__)

FEATURE_SPACING_M = 15000.0
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_AT_EQUATOR = 111_320.0


# --------------------------------------------------------------------------------------
# The border in chainage and offset
# --------------------------------------------------------------------------------------


class Border:
    """The border line with geodesic chainage; points at a chainage lie exactly on it.

    ``line`` is the part the features are laid along (the longest part of the border);
    its chainage here starts at 0, and ``start_km`` is where it starts in the chainage of
    the whole border. ``others`` are the other parts, which ordinary ways keep clear of too
    (:meth:`tree`); ``lines`` is every part. ``sides`` maps ``"a"`` and ``"b"`` to the
    (prepared) outlines of the two countries.
    """

    def __init__(
        self,
        line: shapely.LineString,
        sides: Mapping[str, shapely.Geometry],
        gaps: gpd.GeoDataFrame,
        others: Sequence[shapely.LineString] = (),
        start_km: float = 0.0,
    ):
        self.line = line
        self.start_km = float(start_km)
        self.others = list(others)
        self.lines = shapely.MultiLineString([line, *self.others]) if self.others else line
        self.coords = shapely.get_coordinates(line)
        self.chain = np.concatenate([[0.0], np.cumsum(edge_lengths_m(self.coords))])
        self.length = float(self.chain[-1])
        self.gaps = [(r.from_km * 1000, r.to_km * 1000) for r in gaps.itertuples()]
        self.sides = sides
        self.sign = 1
        self.sign = self._side_sign()

    def points(self, s: np.ndarray) -> np.ndarray:
        """Lon/lat at chainages ``s`` (m), linear inside each edge so they lie on the line."""
        s = np.clip(np.asarray(s, dtype=float), 0.0, self.length)
        i = np.clip(np.searchsorted(self.chain, s, side="right") - 1, 0, len(self.coords) - 2)
        span = self.chain[i + 1] - self.chain[i]
        t = np.divide(s - self.chain[i], span, out=np.zeros_like(s), where=span > 0)
        out = self.coords[i] + t[:, None] * (self.coords[i + 1] - self.coords[i])
        out[t <= 0.0] = self.coords[i[t <= 0.0]]
        out[t >= 1.0] = self.coords[i[t >= 1.0] + 1]
        return out

    def point(self, s: float) -> np.ndarray:
        """Lon/lat at chainage ``s`` (m)."""
        return self.points(np.array([s]))[0]

    def snap(self, s: float, within_m: float = 150.0) -> float:
        """Chainage of the border vertex nearest ``s`` if one lies within ``within_m``."""
        i = int(np.argmin(np.abs(self.chain - s)))
        return float(self.chain[i]) if abs(self.chain[i] - s) <= within_m else s

    def in_gap(self, s: float) -> bool:
        """Whether chainage ``s`` lies on a bridged gap."""
        return any(a <= s <= b for a, b in self.gaps)

    def near_a_gap(self, s: float, within_m: float) -> bool:
        """Whether chainage ``s`` lies on a bridged gap or within ``within_m`` of one."""
        return any(a - within_m <= s <= b + within_m for a, b in self.gaps)

    def tree(self, edges: int = 50) -> shapely.STRtree:
        """Spatial index of every part of the border in pieces of ``edges`` edges."""
        pieces = []
        for coords in [self.coords, *(shapely.get_coordinates(p) for p in self.others)]:
            k = np.arange(len(coords))
            idx = np.concatenate([k, k[edges::edges]])
            grp = np.concatenate([k // edges, k[edges::edges] // edges - 1])
            keep = np.bincount(grp)[grp] > 1  # a last group of one vertex ends the one before
            idx, grp = idx[keep], grp[keep]
            order = np.lexsort((idx, grp))
            pieces.append(shapely.linestrings(coords[idx[order]], indices=grp[order]))
        return shapely.STRtree(np.concatenate(pieces))

    def degrees(self, metres: float) -> float:
        """``metres`` in degrees of longitude where they are fewest: at the highest latitude."""
        lat = min(abs(self.coords[:, 1]).max(), 80.0)
        return metres / (M_PER_DEG_LON_AT_EQUATOR * math.cos(math.radians(lat)))

    def _side_sign(self) -> int:
        """+1 when the first country lies left of the west-to-east line, else -1."""
        votes = 0
        for s in np.linspace(0.1, 0.9, 9) * self.length:
            q = Frame(self, s).xy([(0.0, 2000.0)])[0]
            votes += 1 if shapely.contains_xy(self.sides["a"], *q) else -1
        return 1 if votes >= 0 else -1


def trace(
    countries: gpd.GeoDataFrame,
    *,
    pair: tuple[str, str],
    border: Mapping[str, gpd.GeoDataFrame] | None = None,
    settings: Mapping[str, float | bool] | None = None,
) -> Border:
    """Take the border between the two countries (rows in ``pair`` order) for layout.

    Features are laid along the longest part (the first of equal ones); its gaps are
    given in its own chainage.

    Parameters
    ----------
    countries, pair
        The two outlines, in ``pair`` order.
    border
        The ``border`` and ``border_gaps`` layers of ``border.gpkg``, as the workflow built
        them; None traces the border with :func:`borderzone.border.line.trace_border`.
    settings
        Keyword options of :func:`~borderzone.border.line.trace_border` (``snap_m``,
        ``max_gap_km``, ``min_part_km``, ``reverse``) when tracing; its defaults otherwise.
    """
    if border is None:
        line, gaps = trace_border(countries[["iso3", "geometry"]], pair=pair, **(settings or {}))
    else:
        line, gaps = border["border"], border["border_gaps"]
    parts = border_parts(line)
    k = int(np.argmax([edge_lengths_m(shapely.get_coordinates(p)).sum() for p in parts]))
    start_km = 0.0
    if {"part_id", "from_km"} <= set(line.columns) and len(line) == len(parts):
        row = line.sort_values("part_id", kind="stable").iloc[k]
        start_km = float(row["from_km"])
        if "part_id" in gaps.columns:
            gaps = gaps[gaps["part_id"] == row["part_id"]]
    gaps = gaps.assign(from_km=gaps["from_km"] - start_km, to_km=gaps["to_km"] - start_km)
    sides = {"a": countries.geometry.iloc[0], "b": countries.geometry.iloc[1]}
    for g in sides.values():
        shapely.prepare(g)
    others = parts[:k] + parts[k + 1 :]
    return Border(parts[k], sides, gaps, others=others, start_km=start_km)


class Frame:
    """Border coordinates around chainage ``s0``: (along m, offset m, positive = side A).

    Metric work happens in an equirectangular plane centred on the site: an affine map of
    lon/lat, so straight edges stay straight and intersections are those of the lon/lat
    lines; lengths are true to a fraction of a percent within 100 km.
    """

    def __init__(self, border: Border, s0: float):
        self.border = border
        self.s0 = s0
        self.sign = border.sign
        self.lon0, self.lat0 = border.point(s0)
        self.kx = M_PER_DEG_LON_AT_EQUATOR * math.cos(math.radians(self.lat0))
        self.ky = M_PER_DEG_LAT

    def fwd(self, lonlat: np.ndarray) -> np.ndarray:
        """Plane metres (east, north of the site) of lon/lat points."""
        lonlat = np.asarray(lonlat, dtype=float)
        return np.column_stack(
            [(lonlat[..., 0] - self.lon0) * self.kx, (lonlat[..., 1] - self.lat0) * self.ky]
        )

    def inv(self, xy: np.ndarray) -> np.ndarray:
        """Lon/lat of plane points (the inverse of :meth:`fwd`)."""
        return np.column_stack([xy[:, 0] / self.kx + self.lon0, xy[:, 1] / self.ky + self.lat0])

    def xy(self, pts: Sequence[tuple[float, float]]) -> np.ndarray:
        """Lon/lat of (along, offset) pairs; offset 0 gives the exact border point."""
        uv = np.asarray(pts, dtype=float).reshape(-1, 2)
        s, d = self.s0 + uv[:, 0], uv[:, 1]
        on = self.border.points(s)
        h = np.maximum(100.0, 0.5 * np.abs(d))  # a longer chord smooths the normal far out
        a = self.fwd(self.border.points(s - h))
        b = self.fwd(self.border.points(s + h))
        t = (b - a) / np.hypot(*(b - a).T)[:, None]
        n = np.column_stack([-t[:, 1], t[:, 0]]) * self.sign
        out = self.inv(self.fwd(on) + d[:, None] * n)
        out[d == 0] = on[d == 0]
        return out

    def project(self, geom: shapely.Geometry) -> shapely.Geometry:
        """Transform a lon/lat geometry into the plane."""
        return shapely.transform(geom, self.fwd)


# --------------------------------------------------------------------------------------
# One feature at one site
# --------------------------------------------------------------------------------------


def layout(feat: Feature, frame: Frame) -> list[np.ndarray] | None:
    """Lon/lat of each way of ``feat`` at ``frame``, or None if the border spoils the design."""
    border = frame.border
    coords = []
    for w in feat.ways:
        xy = frame.xy([(u, d) for u, d in w.uv if u != "border"])
        k = _border_run(w)
        if k is not None:  # the border's own vertices between the neighbours
            u0, u1 = w.uv[k - 1][0], w.uv[k + 1][0]
            inner = border.coords[
                (border.chain > frame.s0 + u0 + 1.0) & (border.chain < frame.s0 + u1 - 1.0)
            ]
            xy = np.concatenate([xy[:k], inner, xy[k:]])
        coords.append(xy)
    # joins: the shared node takes the position of the node it joins
    for w, xy in zip(feat.ways, coords, strict=True):
        for pos, (k, kpos) in w.joins.items():
            xy[pos] = coords[k][kpos]
    if not _valid(feat, frame, coords):
        return None
    return coords


def _border_run(w: Way) -> int | None:
    """Position of the ``("border", 0.0)`` vertex of ``w``, if it has one."""
    return next((i for i, (u, _) in enumerate(w.uv) if u == "border"), None)


def _valid(feat: Feature, frame: Frame, coords: list[np.ndarray]) -> bool:
    """Whether the ways laid out at ``frame`` meet the border exactly as designed."""
    sides = frame.border.sides
    allxy = np.concatenate(coords)
    x0, y0 = allxy.min(axis=0) - 0.5
    x1, y1 = allxy.max(axis=0) + 0.5
    piece = frame.project(shapely.clip_by_rect(frame.border.line, x0, y0, x1, y1))
    for w, xy in zip(feat.ways, coords, strict=True):
        geom = frame.project(shapely.LineString(xy))
        if w.role != "area" and not geom.is_simple:
            return False
        offsets = offsets_per_vertex(w, xy)
        side = [(p, d) for p, d in zip(xy, offsets, strict=True) if d != 0]
        for (px, py), d in side:
            other = sides["b"] if d > 0 else sides["a"]
            if shapely.contains_xy(other, px, py):
                return False
        if side:
            pts = np.array([p for p, _ in side])
            proj = shapely.points(frame.fwd(pts))
            if shapely.distance(proj, piece).min() < 20.0:
                return False
        inter = shapely.get_parts(shapely.intersection(geom, piece))
        if w.role in ("cross", "dead"):
            at = w.crosses_at or [u for u, d in w.uv if d == 0 and u != "border"]
            expect = shapely.points(frame.fwd(frame.xy([(u, 0.0) for u in at])))
            if len(inter) != len(expect) or not all(shapely.get_type_id(inter) == 0):
                return False
            if shapely.distance(expect, shapely.multipoints(inter)).max() > 0.5:
                return False
        elif w.role == "touch":
            on = np.array([p for p, q in zip(xy, offsets, strict=True) if q == 0])
            designed = frame.project(
                shapely.LineString(on) if len(on) > 1 else shapely.Point(on[0])
            )
            if not shapely.buffer(designed, 1.0).contains(shapely.intersection(geom, piece)):
                return False
        elif shapely.distance(geom, piece) < 50.0:
            return False
    return True


def offsets_per_vertex(w: Way, xy: np.ndarray) -> list[float]:
    """Designed offset of every vertex of ``xy`` (0 for the border's own vertices)."""
    out: list[float] = []
    for u, d in w.uv:
        if u == "border":
            out += [0.0] * (len(xy) - (len(w.uv) - 1))
        else:
            out.append(d)
    return out


# --------------------------------------------------------------------------------------
# Placing the features and adding their ways
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A feature laid out at a site: lon/lat and OSM id of each of its ways."""

    feature: Feature
    frame: Frame
    coords: list[np.ndarray]
    way_ids: list[int]


def place_features(feats: Sequence[Feature], border: Border, osm: Osm) -> list[Placed]:
    """Place every feature, in order, add its ways to ``osm`` and return where it went.

    A feature goes to the first site, nearest its share of the border, where it lies 5 km
    inside the ends, 15 km from the crossings placed before and from the gaps (but for
    ``in_gap``, which goes into the first gap and is skipped when there is none), and where
    :func:`layout` accepts it. A feature that fits nowhere is logged and left out.
    """
    taken: list[float] = []
    lo, hi = 20_000.0, border.length - 20_000.0
    slots = np.arange(lo, hi, 1000.0)
    ideal = np.linspace(lo, hi, len(feats) + 1)
    placed: list[Placed] = []
    for idx, feat in enumerate(feats):
        snap_within = 150.0  # put the crossing on a border vertex where one is close
        if feat.name == "in_gap":
            if not border.gaps:
                continue
            g0, g1 = border.gaps[0]
            candidates = [g0 + f * (g1 - g0) for f in (0.5, 0.4, 0.6, 0.3, 0.7)]
            snap_within = 0.2 * (g1 - g0)
        else:
            target = ideal[idx] if feat.name != "transit_rail" else lo + 10_000.0
            candidates = list(slots[np.argsort(np.abs(slots - target), kind="stable")])
        for s0 in candidates[:400]:
            s0 = border.snap(s0, snap_within)
            if feat.name == "in_gap" and not border.in_gap(s0):
                continue
            pts = [s0 + c for c in feat.crossings] or [s0]
            if s0 + feat.span[0] < 5000.0 or s0 + feat.span[1] > border.length - 5000.0:
                continue
            if any(abs(p - t) < FEATURE_SPACING_M for p in pts for t in taken):
                continue
            if feat.name != "in_gap" and any(border.near_a_gap(p, FEATURE_SPACING_M) for p in pts):
                continue
            frame = Frame(border, s0)
            coords = layout(feat, frame)
            if coords is None:
                continue
            taken.extend(pts)
            placed.append(Placed(feat, frame, coords, _add_ways(feat, coords, osm)))
            break
        else:
            log.warning("feature %s could not be placed on this border", feat.name)
    return placed


def _add_ways(feat: Feature, coords: list[np.ndarray], osm: Osm) -> list[int]:
    """Add the ways of a laid-out feature to ``osm`` (joined ways share nodes); their ids."""
    way_ids: list[int] = []
    node_ids: list[list[int]] = []
    for w, xy in zip(feat.ways, coords, strict=True):
        refs = {pos: node_ids[k][kpos] for pos, (k, kpos) in w.joins.items()}
        if w.role == "area":
            wid, ids = osm.line(xy[:-1], w.tags, refs=refs)
            osm.ways[-1][1].append(ids[0])
        else:
            wid, ids = osm.line(xy, w.tags, node_tags=w.node_tags, refs=refs)
        way_ids.append(wid)
        node_ids.append(ids)
    return way_ids
