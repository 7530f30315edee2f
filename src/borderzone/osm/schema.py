"""What borderzone takes from OpenStreetMap: tag filters and the columns of each layer.

Both OSM readers (the Overpass client and the PBF reader) import these lists and rules, so
the layers they produce have the same rows, columns and column order, whichever source was
used:

- ``roads``: ways with ``highway`` in :data:`ROAD_CLASSES` (and :data:`PATH_CLASSES` when
  asked), LineStrings;
- ``rail``: ways with ``railway`` in :data:`RAIL_CLASSES`, LineStrings;
- ``checkpoints``: elements matching :data:`CHECKPOINT_MATCH` (:func:`is_checkpoint` for one
  element, :func:`checkpoint_mask` for a frame), Points (areas reduced to a point inside
  them by :func:`representative_points`), with ``osm_type`` since ids of nodes and ways
  may coincide;
- ``places``: nodes with ``place`` in :data:`PLACE_CLASSES`, Points;
- ``admin``: ``boundary=administrative`` relations (PBF only), MultiPolygons;
- ``waterways``: river and canal lines (ways with ``waterway`` in :data:`WATERWAY_CLASSES`,
  LineStrings) and river areas (:data:`WATER_AREA_MATCH`: ``waterway=riverbank``, or
  ``natural=water`` with ``water=river``; closed ways and multipolygon relations,
  MultiPolygons), with ``osm_type``; :func:`is_water_area` tells an area's tags.

Every layer starts with ``osm_id`` (int64) and ends with ``geometry``, in EPSG:4326 (see
:data:`LAYER_COLUMNS` and :data:`LAYER_GEOMETRY`). Tag values stay strings as in OSM
(object columns holding str or None, the same under pandas 2 and 3), except
``population`` (float64, see :func:`parse_population`) and ``admin_level`` (int64).
:func:`build_layer` gives a reader's rows these columns and types.
"""

import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROAD_ORDER: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "track",
)
"""Road classes from highest to lowest; a ``_link`` ranks just below its class."""

ROAD_CLASSES: tuple[str, ...] = (*ROAD_ORDER, *(f"{c}_link" for c in ROAD_ORDER[:5]))
"""Values of ``highway`` kept as roads."""

PATH_CLASSES: tuple[str, ...] = ("path", "footway", "cycleway", "bridleway", "steps")
"""Values of ``highway`` added to the roads when paths are asked for (``osm.include_paths``)."""

ROAD_TAGS: tuple[str, ...] = (
    "highway",
    "surface",
    "tracktype",
    "smoothness",
    "ref",
    "name",
    "name:ru",
    "name:kk",
    "name:en",
    "lanes",
    "oneway",
    "bridge",
)
"""Tags kept as columns of the ``roads`` layer, in order, after ``osm_id``."""

PAVED_SURFACES = frozenset(
    "paved asphalt chipseal concrete paving_stones paving_stones:lanes sett "
    "unhewn_cobblestone cobblestone bricks brick metal metal_grid wood".split()
)
"""``surface`` values that make a way paved (any value starting with ``concrete`` too)."""

UNPAVED_SURFACES = frozenset(
    "unpaved gravel fine_gravel compacted dirt earth ground grass sand mud pebblestone rock "
    "salt shells woodchips snow ice".split()
)
"""``surface`` values that make a way unpaved."""

PAVED_SMOOTHNESS = frozenset({"excellent", "good"})
UNPAVED_SMOOTHNESS = frozenset({"bad", "very_bad", "horrible", "very_horrible", "impassable"})

PAVED_CLASSES = frozenset(
    ["motorway", "trunk", "primary", "secondary"]
    + [f"{c}_link" for c in ("motorway", "trunk", "primary", "secondary")]
)
"""Classes taken as paved when no tag says otherwise."""

RAIL_CLASSES: tuple[str, ...] = ("rail", "narrow_gauge", "light_rail")
"""Values of ``railway`` kept as rail lines."""

RAIL_EXCLUDE: tuple[str, ...] = ("construction", "abandoned", "disused", "proposed", "razed")
"""Life-cycle states of railways that are not lines in service (``osm.rail_exclude``)."""

RAIL_TAGS: tuple[str, ...] = (
    "railway",
    "gauge",
    "usage",
    "service",
    "electrified",
    "ref",
    "name",
)
"""Tags kept as columns of the ``rail`` layer, in order, after ``osm_id``."""

CHECKPOINT_MATCH: Mapping[str, str | None] = {
    "barrier": "border_control",
    "government": "border_control",
    "railway": "border",
    "border_control": None,
}
"""An element is a checkpoint when any of these tags has the value given (None: any value)."""

CHECKPOINT_TAGS: tuple[str, ...] = (
    "barrier",
    "government",
    "railway",
    "border_control",
    "name",
)
"""Tags kept as columns of the ``checkpoints`` layer, after ``osm_id`` and ``osm_type``."""

PLACE_CLASSES: tuple[str, ...] = ("city", "town", "village", "hamlet")
"""Values of ``place`` kept as places."""

PLACE_TAGS: tuple[str, ...] = ("place", "name", "population")
"""Tags kept as columns of the ``places`` layer, in order, after ``osm_id``."""

ADMIN_TAGS: tuple[str, ...] = ("name", "name:en", "ISO3166-1:alpha3", "ISO3166-2")
"""Tags kept as columns of the ``admin`` layer, after ``osm_id`` and ``admin_level``."""

WATERWAY_CLASSES: tuple[str, ...] = ("river", "canal")
"""Values of ``waterway`` kept as waterway lines.

Rivers are what a border follows (river beds); canals are kept as the other waterway of
transport and irrigation, and told apart by the ``waterway`` column. Streams and ditches
are left out: they are many, small, and no border of a country pair runs along one for
long.
"""

WATER_AREA_MATCH: tuple[Mapping[str, str], ...] = (
    {"waterway": "riverbank"},
    {"natural": "water", "water": "river"},
)
"""An area is a river area when its tags hold every pair of one of these mappings."""

WATERWAY_TAGS: tuple[str, ...] = (
    "waterway",
    "natural",
    "water",
    "name",
    "name:ru",
    "name:kk",
    "name:en",
)
"""Tags kept as columns of the ``waterways`` layer, after ``osm_id`` and ``osm_type``."""

LAYER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "roads": ("osm_id", *ROAD_TAGS),
    "rail": ("osm_id", *RAIL_TAGS),
    "checkpoints": ("osm_id", "osm_type", *CHECKPOINT_TAGS),
    "places": ("osm_id", *PLACE_TAGS),
    "admin": ("osm_id", "admin_level", *ADMIN_TAGS),
    "waterways": ("osm_id", "osm_type", *WATERWAY_TAGS),
}
"""Attribute columns of each layer in order; ``geometry`` follows them."""

LAYER_GEOMETRY: Mapping[str, str] = {
    "roads": "LineString",
    "rail": "LineString",
    "checkpoints": "Point",
    "places": "Point",
    "admin": "MultiPolygon",
    "waterways": "LineString|MultiPolygon",
}
"""Geometry type of each layer (``waterways``: lines and areas, told by :func:`is_water_area`)."""

_INT64_COLUMNS = frozenset({"osm_id", "admin_level"})


def is_checkpoint(tags: Mapping[str, str]) -> bool:
    """Whether an element with these tags is a border checkpoint (see :data:`CHECKPOINT_MATCH`)."""
    for key, value in CHECKPOINT_MATCH.items():
        if key in tags and (value is None or tags[key] == value):
            return True
    return False


def is_water_area(tags: Mapping[str, str]) -> bool:
    """Whether an area with these tags is a river area (see :data:`WATER_AREA_MATCH`).

    Examples
    --------
    >>> is_water_area({"natural": "water", "water": "river"})
    True
    >>> is_water_area({"natural": "water", "water": "lake"})
    False

    """
    return any(all(tags.get(k) == v for k, v in match.items()) for match in WATER_AREA_MATCH)


def water_area_mask(tags: pd.DataFrame) -> np.ndarray:
    """Which rows of a frame of tags are river areas: the vectorised :func:`is_water_area`."""
    mask = np.zeros(len(tags), dtype=bool)
    for match in WATER_AREA_MATCH:
        hit = np.ones(len(tags), dtype=bool)
        for key, value in match.items():
            hit &= tags[key].eq(value).to_numpy(bool) if key in tags else False
        mask |= hit
    return mask


def checkpoint_mask(tags: pd.DataFrame) -> np.ndarray:
    """Which rows of a frame of tags are border checkpoints (see :data:`CHECKPOINT_MATCH`).

    The vectorised form of :func:`is_checkpoint`.

    Parameters
    ----------
    tags
        One row per element, one column per tag key; a missing value (None or NaN) or a
        missing column means the element lacks that tag.

    Returns
    -------
    numpy.ndarray
        Booleans, one per row.

    Examples
    --------
    >>> frame = pd.DataFrame({"barrier": ["border_control", "gate", None]})
    >>> checkpoint_mask(frame).tolist()
    [True, False, False]

    """
    mask = np.zeros(len(tags), dtype=bool)
    for key, value in CHECKPOINT_MATCH.items():
        if key in tags:
            column = tags[key]
            mask |= (column.notna() if value is None else column.eq(value)).to_numpy(bool)
    return mask


def closed_lines_as_areas(geometry: np.ndarray) -> np.ndarray:
    """Take closed ways as the areas they ring: the rule for checkpoints drawn as ways.

    A closed LineString of four or more vertices becomes the Polygon it rings; every other
    geometry is returned as it is.

    Parameters
    ----------
    geometry
        Shapely geometries (array-like).

    Returns
    -------
    numpy.ndarray
        One shapely geometry per input.

    """
    out = np.array(geometry, dtype=object).copy()
    if len(out) == 0:
        return out
    closed = (shapely.get_type_id(out) == 1) & shapely.is_closed(out)
    closed &= shapely.get_num_coordinates(out) >= 4
    coords, index = shapely.get_coordinates(out[closed], return_index=True)
    out[closed] = shapely.polygons(shapely.linearrings(coords, indices=index))
    return out


def representative_points(geometry: np.ndarray) -> np.ndarray:
    """Reduce checkpoints to points: nodes stay, areas and closed ways give a point inside.

    Closed ways count as areas (:func:`closed_lines_as_areas`); areas give a point inside
    them and other lines their vertex closest to the centroid
    (:func:`shapely.point_on_surface`).

    Parameters
    ----------
    geometry
        Shapely geometries (array-like).

    Returns
    -------
    numpy.ndarray
        One shapely Point per geometry.

    """
    areas = closed_lines_as_areas(geometry)
    return shapely.point_on_surface(areas) if len(areas) else areas


def surface_class(highway: Any, surface: Any, tracktype: Any, smoothness: Any) -> tuple[Any, Any]:
    """Surface class of roads and where it comes from; the published rule.

    Tag values are compared after stripping surrounding blanks, case-sensitively; a missing
    tag (None or NaN) says nothing. The first rule that applies gives the class:

    1. ``surface`` in :data:`PAVED_SURFACES`, or any value starting with ``concrete``
       (``concrete:plates``, ``concrete:lanes``...), gives ``paved``; ``surface`` in
       :data:`UNPAVED_SURFACES` gives ``unpaved``; other values say nothing;
    2. ``tracktype``: ``grade1`` gives ``paved``, ``grade2`` to ``grade5`` give ``unpaved``;
    3. ``smoothness`` in :data:`PAVED_SMOOTHNESS` (``excellent``, ``good``) gives ``paved``,
       in :data:`UNPAVED_SMOOTHNESS` (``bad`` to ``impassable``) gives ``unpaved``;
       ``intermediate`` and other values say nothing;

       these three have source ``tag``;
    4. the class default, source ``inferred``: ``highway`` in :data:`PAVED_CLASSES`
       (motorway to secondary and their links) is ``paved``, ``track`` is ``unpaved``;
    5. anything else is ``unknown`` with source ``none``.

    Every argument is a tag value (str or None) or a sequence of them; sequences are
    aligned to the first ``pandas.Series`` among the arguments (or by position).

    Returns
    -------
    (surface_class, surface_source)
        ``paved``/``unpaved``/``unknown`` and ``tag``/``inferred``/``none``: two strings
        for scalar input, else two ``pandas.Series``.

    Examples
    --------
    >>> surface_class("track", "asphalt", None, None)
    ('paved', 'tag')
    >>> surface_class("primary", None, "grade3", None)
    ('unpaved', 'tag')
    >>> surface_class("tertiary", None, None, "intermediate")
    ('unknown', 'none')
    """
    args = (highway, surface, tracktype, smoothness)
    scalar = all(v is None or isinstance(v, str | float) for v in args)
    index = next((v.index for v in args if isinstance(v, pd.Series)), None)
    n = 1 if scalar else next(len(v) for v in args if not (v is None or isinstance(v, str)))
    if index is None:
        index = pd.RangeIndex(n)

    def col(v: Any) -> pd.Series:
        if v is None or isinstance(v, str | float):
            return pd.Series([v] * n, index=index, dtype=object)
        s = pd.Series(v.to_numpy() if isinstance(v, pd.Series) else list(v), index=index)
        return s.astype(object)

    hw, sf, tt, sm = (col(v).where(lambda s: s.notna(), "").astype(str).str.strip() for v in args)
    conditions = [
        sf.isin(PAVED_SURFACES) | sf.str.startswith("concrete"),
        sf.isin(UNPAVED_SURFACES),
        tt == "grade1",
        tt.isin(["grade2", "grade3", "grade4", "grade5"]),
        sm.isin(PAVED_SMOOTHNESS),
        sm.isin(UNPAVED_SMOOTHNESS),
        hw.isin(PAVED_CLASSES),
        hw == "track",
    ]
    classes = ["paved", "unpaved"] * 4
    sources = ["tag"] * 6 + ["inferred"] * 2
    cls = np.select(conditions, classes, "unknown")
    src = np.select(conditions, sources, "none")
    if scalar:
        return str(cls[0]), str(src[0])
    return pd.Series(cls, index=index, dtype=object), pd.Series(src, index=index, dtype=object)


def road_rank(highway: pd.Series) -> np.ndarray:
    """Rank of highway classes: 0 for motorway, larger is lower; a ``_link`` adds 1.

    Classes outside :data:`ROAD_ORDER` rank below all of them.
    """
    s = highway.astype(object).where(highway.notna(), "").astype(str)
    base = s.str.removesuffix("_link")
    order = {c: i for i, c in enumerate(ROAD_ORDER)}
    idx = base.map(order).fillna(len(ROAD_ORDER)).to_numpy(float)
    return idx * 2 + s.str.endswith("_link").to_numpy()


_GROUPED = re.compile(r"^\d{1,3}(?:[ ,'\u00a0\u202f\u2009]\d{3})+$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")


def parse_population(values: pd.Series) -> pd.Series:
    """Read OSM ``population`` tag values as numbers.

    Plain numbers (``"12345"``, ``"1234.0"``) and numbers grouped by thousands with a space,
    a non-breaking or thin space, a comma or an apostrophe (``"12 345"``, ``"12,345"``) are
    read; anything else (``"~5000"``, ``"12345 (2010)"``, ``"1,5"``, empty) becomes NaN.

    Parameters
    ----------
    values
        Tag values: strings, numbers or missing.

    Returns
    -------
    pandas.Series
        float64, aligned to ``values``.

    Examples
    --------
    >>> parse_population(pd.Series(["12 345", "12,345", "abc", None])).tolist()
    [12345.0, 12345.0, nan, nan]

    """
    text = values.astype("string").str.strip()
    grouped = text.str.match(_GROUPED.pattern, na=False)
    text = text.where(~grouped, text.str.replace(r"[ ,'\u00a0\u202f\u2009]", "", regex=True))
    plain = text.str.match(_PLAIN.pattern, na=False)
    numbers = pd.to_numeric(text.where(plain), errors="coerce")
    return pd.Series(numbers, index=values.index, dtype="float64", name=values.name)


def build_layer(name: str, data: pd.DataFrame, geometry: Any) -> gpd.GeoDataFrame:
    """Give a reader's rows the columns, order and types of layer ``name``.

    Parameters
    ----------
    name
        A key of :data:`LAYER_COLUMNS`.
    data
        One row per feature, with ``osm_id`` and any of the layer's tag columns (missing
        ones are added empty; others are dropped); ``osm_type`` for checkpoints.
    geometry
        One shapely geometry per row of ``data`` (array-like), in EPSG:4326.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`LAYER_COLUMNS` ``[name]`` then ``geometry``, on a fresh RangeIndex.

    """
    if name not in LAYER_COLUMNS:
        raise KeyError(f"unknown OSM layer {name!r} (layers: {', '.join(LAYER_COLUMNS)})")
    n = len(data)
    columns: dict[str, pd.Series] = {}
    for column in LAYER_COLUMNS[name]:
        if column not in data:
            if column == "osm_id":
                raise KeyError(f"rows for OSM layer {name!r} have no 'osm_id' column")
            values = pd.Series([None] * n, dtype=object)
        else:
            values = pd.Series(data[column].to_numpy(), dtype=object)
        if column in _INT64_COLUMNS:
            values = values.astype("int64")
        elif column == "population":
            values = parse_population(values)
        else:
            values = values.where(values.notna(), None)
        columns[column] = values
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(list(geometry), crs="EPSG:4326"))


def empty_layer(name: str) -> gpd.GeoDataFrame:
    """Layer ``name`` without rows: its columns and types, in EPSG:4326."""
    return build_layer(name, pd.DataFrame({"osm_id": pd.Series([], dtype="int64")}), [])
