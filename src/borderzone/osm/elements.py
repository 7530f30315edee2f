"""The layers of one Overpass reply: roads, rail, checkpoints, places and waterways.

OSM elements as JSON become the layers.

The reply is that of ``out body; >; out skel qt;``: the elements that matched, with their
tags, then (without tags) the nodes and ways they reference; an element may come twice.
The layers follow the rules of the PBF reader (:mod:`borderzone.osm.pbf`) and the columns
of :mod:`borderzone.osm.schema`, so that both sources give the same layers for the same
data:

- a way's line joins the locations of its nodes, consecutive repeated locations dropped
  (as libosmium does); nodes absent from the reply are left out, and a way left with
  fewer than two locations has no line and is dropped;
- roads and rail are ways, places are nodes; checkpoints are nodes, ways and
  ``type=multipolygon``/``boundary`` relations, whose area is assembled from their member
  ways (``outer`` rings less the ``inner`` ones they contain); every checkpoint is reduced
  to a point by :func:`borderzone.osm.schema.representative_points`;
- waterways are the river and canal ways as lines, then the river areas
  (:func:`borderzone.osm.schema.water_area_mask`) of closed ways and multipolygon
  relations as MultiPolygons, as libosmium assembles them for the PBF reader;
- a feature is kept when its geometry (for checkpoints, the area of a closed way or of a
  relation) intersects the chunk polygon: the server selects elements in the polygon, a
  reply may hold more.

Rows are ordered by element type (node, relation, way), then by id.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.osm.schema import (
    CHECKPOINT_TAGS,
    LAYER_COLUMNS,
    PLACE_CLASSES,
    PLACE_TAGS,
    RAIL_CLASSES,
    RAIL_TAGS,
    ROAD_CLASSES,
    ROAD_TAGS,
    WATERWAY_CLASSES,
    WATERWAY_TAGS,
    build_layer,
    checkpoint_mask,
    closed_lines_as_areas,
    empty_layer,
    representative_points,
    water_area_mask,
)

AREA_RELATIONS = frozenset({"multipolygon", "boundary"})
"""``type`` values of the relations whose area is assembled from their member ways."""

_TAG_COLUMNS = tuple(
    dict.fromkeys((*ROAD_TAGS, *RAIL_TAGS, *CHECKPOINT_TAGS, *PLACE_TAGS, *WATERWAY_TAGS, "type"))
)
_ORDER = {"node": 0, "relation": 1, "way": 2}


def layers_from_elements(
    elements: Sequence[Mapping[str, Any]], *, polygon: shapely.Geometry
) -> dict[str, gpd.GeoDataFrame]:
    """Build the roads, rail, checkpoints, places and waterways of a chunk from its elements.

    Parameters
    ----------
    elements
        The ``elements`` list of an Overpass JSON reply: dicts with ``type``, ``id`` and
        ``tags``, nodes with ``lat``/``lon``, ways with ``nodes`` (ids), relations with
        ``members`` (``type``, ``ref``, ``role``).
    polygon
        The chunk, in EPSG:4326.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``roads``, ``rail``, ``checkpoints``, ``places`` and ``waterways`` with the columns
        of :data:`borderzone.osm.schema.LAYER_COLUMNS` then ``geometry``, in EPSG:4326.

    Raises
    ------
    KeyError, TypeError, ValueError
        When an element lacks its ``type``, ``id`` or coordinates.

    """
    locations: dict[int, tuple[float, float]] = {}
    way_nodes: dict[int, list[int]] = {}
    tagged: dict[tuple[str, int], Mapping[str, Any]] = {}
    for element in elements:
        kind, osm_id = element["type"], int(element["id"])
        if kind == "node":
            locations[osm_id] = (float(element["lon"]), float(element["lat"]))
        elif kind == "way":
            way_nodes[osm_id] = [int(n) for n in element.get("nodes", ())]
        if element.get("tags") and kind in _ORDER:
            tagged[(kind, osm_id)] = element
    if not tagged:
        return {name: empty_layer(name) for name in LAYER_COLUMNS if name != "admin"}
    lines = _way_lines(way_nodes, locations)

    keys = sorted(tagged, key=lambda k: (_ORDER[k[0]], k[1]))
    kind = np.array([k[0] for k in keys], dtype=object)
    tags = [tagged[k]["tags"] for k in keys]
    df = pd.DataFrame(
        {
            "osm_id": np.array([k[1] for k in keys], dtype="int64"),
            "osm_type": pd.Series(kind, dtype=object),
            **{t: pd.Series([d.get(t) for d in tags], dtype=object) for t in _TAG_COLUMNS},
        }
    )
    geometry = np.empty(len(keys), dtype=object)
    for i, (k, element) in enumerate(zip(keys, (tagged[k] for k in keys), strict=True)):
        if k[0] == "node":
            geometry[i] = shapely.Point(locations[k[1]])
        elif k[0] == "way":
            geometry[i] = lines.get(k[1])
        elif element["tags"].get("type") in AREA_RELATIONS:
            geometry[i] = _relation_area(element.get("members", ()), lines)
    has_geometry = ~shapely.is_missing(geometry)
    areas = geometry.copy()
    areas[has_geometry] = closed_lines_as_areas(geometry[has_geometry])
    shapely.prepare(polygon)
    inside = has_geometry.copy()
    inside[has_geometry] = shapely.intersects(polygon, areas[has_geometry])

    is_way = inside & (kind == "way")
    roads = is_way & df["highway"].isin(ROAD_CLASSES).to_numpy()
    rail = is_way & df["railway"].isin(RAIL_CLASSES).to_numpy()
    checkpoints = inside & checkpoint_mask(df)
    places = inside & (kind == "node") & df["place"].isin(PLACE_CLASSES).to_numpy()
    water_lines = is_way & df["waterway"].isin(WATERWAY_CLASSES).to_numpy()
    polygonal = np.isin(shapely.get_type_id(areas), [3, 6])
    water_areas = inside & (kind != "node") & polygonal & water_area_mask(df)
    water_areas &= (kind == "way") | df["type"].eq("multipolygon").to_numpy(bool)
    water_areas &= ~water_lines
    water = water_lines | water_areas
    water_geometry = np.where(water_areas, areas, geometry)[water]
    water_geometry = np.array(
        [shapely.multipolygons([g]) if g.geom_type == "Polygon" else g for g in water_geometry],
        dtype=object,
    )
    # lines first, then areas, each by element type and id (the PBF reader's order)
    order = np.argsort(water_areas[water], kind="stable")
    return {
        "roads": build_layer("roads", df[roads], geometry[roads]),
        "rail": build_layer("rail", df[rail], geometry[rail]),
        "checkpoints": build_layer(
            "checkpoints", df[checkpoints], representative_points(geometry[checkpoints])
        ),
        "places": build_layer("places", df[places], geometry[places]),
        "waterways": build_layer("waterways", df[water].iloc[order], water_geometry[order]),
    }


def _way_lines(
    way_nodes: Mapping[int, list[int]], locations: Mapping[int, tuple[float, float]]
) -> dict[int, shapely.LineString]:
    """Lines of the ways through their nodes' locations, repeats dropped; < 2 points: none."""
    ids, coords, index = [], [], []
    for way_id, refs in way_nodes.items():
        xy = [locations[n] for n in refs if n in locations]
        xy = [p for i, p in enumerate(xy) if i == 0 or p != xy[i - 1]]
        if len(xy) >= 2:
            index += [len(ids)] * len(xy)
            ids.append(way_id)
            coords += xy
    if not ids:
        return {}
    built = shapely.linestrings(np.array(coords, dtype=float), indices=np.array(index))
    return dict(zip(ids, built, strict=True))


def _relation_area(
    members: Iterable[Mapping[str, Any]], lines: Mapping[int, shapely.LineString]
) -> shapely.Geometry | None:
    """Area of a multipolygon relation from its member ways; None when a way is missing."""
    rings: dict[str, list[shapely.LineString]] = {"outer": [], "inner": []}
    for member in members:
        if member.get("type") != "way":
            continue
        line = lines.get(int(member["ref"]))
        if line is None:
            return None
        if member.get("role") in rings:
            rings[member["role"]].append(line)
    outer, inner = (_polygons(rings[role]) for role in ("outer", "inner"))
    if inner:
        area = shapely.union_all(
            [
                shapely.difference(o, shapely.union_all([i for i in inner if o.contains(i)]))
                for o in outer
            ]
        )
    else:
        area = shapely.union_all(outer)
    if area.is_empty or shapely.get_type_id(area) not in (3, 6):
        return None
    return area


def _polygons(lines: list[shapely.LineString]) -> list[shapely.Polygon]:
    """Polygons of each ring that the lines form once merged end to end."""
    if not lines:
        return []
    merged = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines)))
    return [p for ring in merged for p in shapely.get_parts(shapely.polygonize([ring]))]
