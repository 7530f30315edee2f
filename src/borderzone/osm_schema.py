"""What borderzone takes from OpenStreetMap: tag filters and the columns of each layer.

Both OSM readers (Overpass through osmnx, and the PBF reader) import these lists, so the
layers they produce have the same columns in the same order, whichever source was used:

- ``roads``: ways with ``highway`` in :data:`ROAD_CLASSES`, LineStrings;
- ``rail``: ways with ``railway`` in :data:`RAIL_CLASSES`, LineStrings;
- ``checkpoints``: nodes, ways or relations matching :data:`CHECKPOINT_MATCH`, Points
  (areas reduced to a representative point), with ``osm_type`` since ids of nodes and ways
  may coincide;
- ``places``: nodes with ``place`` in :data:`PLACE_CLASSES`, Points.

Every layer starts with ``osm_id`` (int64) and ends with ``geometry``, in EPSG:4326. Tag
values stay strings as in OSM (object columns holding str or None, the same under pandas 2
and 3), except ``population`` (float64, see :func:`parse_population`). Readers build their
layers with :func:`build_layer` so that these types hold whatever the source.
"""

import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

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

RAIL_CLASSES: tuple[str, ...] = ("rail", "narrow_gauge", "light_rail")
"""Values of ``railway`` kept as rail lines."""

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

LAYER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "roads": ("osm_id", *ROAD_TAGS),
    "rail": ("osm_id", *RAIL_TAGS),
    "checkpoints": ("osm_id", "osm_type", *CHECKPOINT_TAGS),
    "places": ("osm_id", *PLACE_TAGS),
}
"""Attribute columns of each layer in order; ``geometry`` follows them."""

LAYER_GEOMETRY: Mapping[str, str] = {
    "roads": "LineString",
    "rail": "LineString",
    "checkpoints": "Point",
    "places": "Point",
}
"""Geometry type of each layer."""


def is_checkpoint(tags: Mapping[str, str]) -> bool:
    """Whether an element with these tags is a border checkpoint (see :data:`CHECKPOINT_MATCH`)."""
    for key, value in CHECKPOINT_MATCH.items():
        if key in tags and (value is None or tags[key] == value):
            return True
    return False


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
        if column == "osm_id":
            values = values.astype("int64")
        elif column == "population":
            values = parse_population(values)
        else:
            values = values.where(values.notna(), None)
        columns[column] = values
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(list(geometry), crs="EPSG:4326"))
