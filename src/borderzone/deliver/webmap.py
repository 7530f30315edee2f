"""A web map of the border zone: one HTML file that works offline from disk.

:func:`write_webmap` (the rule's function) and :func:`render_webmap` write it. Its layers,
each switchable in a layers control and each with its part of the legend (shown while
the layer is on): the two countries' outlines, their regions (admin_level 4, named), the
towns (circles of area proportional to population, the larger ones named), every buffer
width, the cells of one width by isolation index, population density and travel time to a
road crossing (in the classes of the report's maps,
:func:`borderzone.deliver.report_maps.metric_classes`), the segments, the border (each
part in its colour of :data:`PART_COLORS` when it is in several, with its part id and km
range on hover), the breaks between parts (dashed, their popup saying what lies between)
and the crossings by category (:data:`borderzone.deliver.styles.CATEGORY_COLORS`, the palette of
the QGIS style and the report too).

The page holds its data (GeoJSON, simplified and rounded to 4 decimals of a degree, about
10 m) and Leaflet itself inline: Leaflet's JavaScript and CSS are read from an installed
copy (the ``django-leaflet`` wheel on PyPI ships Leaflet 1.9 as static files; Debian's
``libjs-leaflet`` and an npm ``node_modules/leaflet`` are used when present) and the CSS
images are inlined as data URIs. folium's pages are not used because they load Leaflet,
jQuery and Bootstrap from CDNs. The one thing loaded from the network is the base map
(OpenStreetMap's tiles by default): only when the browser says it is online
(``navigator.onLine``) and a first tile has loaded is the tile layer added; offline, the
page makes no request at all and shows the layers on a plain background.
"""

from __future__ import annotations

import base64
import html
import importlib.util
import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.deliver.report_maps import (
    class_index,
    class_labels,
    class_scheme,
    metric_classes,
    ramp_colors,
    region_areas,
    scheme_title,
)
from borderzone.deliver.styles import (
    CATEGORY_COLORS,
    DENSITY_FIELDS,
    ISOLATION_FIELDS,
    isolation_field,
)
from borderzone.deliver.webmap_page import BLANK_TILE, PAGE
from borderzone.errors import InputDataError
from borderzone.io import replacing
from borderzone.qml import DENSITY_RAMP, ISOLATION_RAMP, VIRIDIS

log = logging.getLogger(__name__)

#: The base map: OpenStreetMap's standard tiles and the attribution their licence asks for.
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
#: Colour of each side of the pair (first, second): country outlines and buffers.
SIDE_COLORS = ("#1f78b4", "#33a02c")
#: Colour of each part of the border (by ``part_id``, cycling): dark, apart from the
#: isolation ramp of the segments beneath and from the sides' colours. A border in one
#: part is drawn in the first.
PART_COLORS = ("#1a1a1a", "#7b3294", "#01665e", "#c51b7d", "#2d004b")
#: Colour of the dashed straight lines of the breaks between parts.
BREAK_COLOR = "#555555"
SEGMENT_PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
#: The cell layers: key, columns tried (the first one found is drawn), title, colour stops.
METRIC_LAYERS = (
    ("isolation", ISOLATION_FIELDS, "isolation index", ISOLATION_RAMP),
    ("density", DENSITY_FIELDS, "population density (people/km²)", DENSITY_RAMP),
    (
        "time",
        ("time_to_crossing_min", "time_crossing_min"),
        "travel time to a road crossing (min)",
        VIRIDIS[::-1],
    ),
)
#: Towns of at least this population are named on the map; the others on hover.
TOWN_LABEL_MIN_POPULATION = 100_000
#: Country outlines and regions are cut to the border's bounding box widened by this.
CONTEXT_MARGIN_DEG = 2.0
COORD_DECIMALS = 4
POPUP_FIELDS = (
    "crossing_id",
    "category",
    "kind",
    "highway",
    "ref",
    "name",
    "surface_class",
    "official",
    "checkpoint_name",
    "local_only",
    "transit",
    "km",
    "seg_id",
    "osm_ids",
)


def leaflet_dirs() -> list[Path]:
    """Folders that may hold ``leaflet.js`` and ``leaflet.css``, in the order tried."""
    dirs = []
    if os.environ.get("BORDERZONE_LEAFLET_DIR"):
        dirs.append(Path(os.environ["BORDERZONE_LEAFLET_DIR"]))
    spec = importlib.util.find_spec("leaflet")  # django-leaflet; found without importing it
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            dirs.append(Path(loc) / "static" / "leaflet")
    dirs += [
        Path("/usr/share/javascript/leaflet"),
        Path.cwd() / "node_modules" / "leaflet" / "dist",
    ]
    return dirs


def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JavaScript and CSS, with the CSS images inlined as data URIs."""
    for d in leaflet_dirs():
        js, css = d / "leaflet.js", d / "leaflet.css"
        if js.is_file() and css.is_file():
            break
    else:
        raise InputDataError(
            "Leaflet is not installed: pip install django-leaflet (its wheel ships "
            "leaflet.js), apt-get install libjs-leaflet, or set BORDERZONE_LEAFLET_DIR to a "
            "folder with leaflet.js and leaflet.css; looked in "
            + ", ".join(map(str, leaflet_dirs()))
        )

    def inline(m: re.Match) -> str:
        img = d / m.group(1)
        if not img.is_file():
            return "none"
        mime = "image/svg+xml" if img.suffix == ".svg" else f"image/{img.suffix.lstrip('.')}"
        return f'url("data:{mime};base64,{base64.b64encode(img.read_bytes()).decode()}")'

    css_text = re.sub(r"url\(['\"]?(images/[^)'\"]+)['\"]?\)", inline, css.read_text("utf-8"))
    return js.read_text("utf-8"), css_text


def _geojson(gdf: gpd.GeoDataFrame, *, columns: Sequence[str], simplify_deg: float) -> dict:
    g = gdf.to_crs(4326)
    keep = [c for c in columns if c in g.columns]
    g = g[[*keep, g.geometry.name]].copy()
    geoms = np.asarray(g.geometry.array)
    if simplify_deg > 0 and not g.geom_type.isin(["Point", "MultiPoint"]).all():
        geoms = shapely.simplify(geoms, simplify_deg, preserve_topology=True)
    g[g.geometry.name] = shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))
    for c in keep:
        s = g[c]
        if s.dtype == object:
            g[c] = s.map(_jsonable)
        elif pd.api.types.is_bool_dtype(s):
            g[c] = s.astype(bool)
    return json.loads(g.to_json(na="null", drop_id=True))


def _jsonable(v: Any) -> Any:
    if isinstance(v, list | tuple | np.ndarray):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v


def _ramp_color(values: pd.Series, colors: Sequence[str]) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce")
    lo, hi = v.min(), v.max()
    span = (hi - lo) if hi > lo else 1.0
    idx = ((v - lo) / span * (len(colors) - 1)).round()
    return idx.map(lambda i: "#999999" if pd.isna(i) else colors[int(i)])


def _segment_colors(segments: gpd.GeoDataFrame, metrics: pd.DataFrame | None) -> gpd.GeoDataFrame:
    seg = segments.copy()
    field = isolation_field(list(metrics.columns)) if metrics is not None else None
    if field:
        iso = pd.DataFrame(metrics).groupby("seg_id")[field].max()
        seg["isolation"] = seg["seg_id"].map(iso)
        seg["color"] = _ramp_color(seg["isolation"], ISOLATION_RAMP)
    else:
        seg["color"] = [SEGMENT_PALETTE[int(s) % len(SEGMENT_PALETTE)] for s in seg["seg_id"]]
    return seg


def _border_parts(border: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give each row of the border its ``part_id`` (1, 2, ... when it has none) and ``color``."""
    b = border.copy()
    if "part_id" not in b.columns:
        b["part_id"] = np.arange(1, len(b) + 1)
    b["color"] = [PART_COLORS[(int(i) - 1) % len(PART_COLORS)] for i in b["part_id"]]
    return b


def _breaks(breaks: gpd.GeoDataFrame | None) -> dict:
    if breaks is None or len(breaks) == 0:
        breaks = gpd.GeoDataFrame({"break_id": []}, geometry=[], crs=4326)
    cols = ["break_id", "from_part", "to_part", "at_km", "distance_km", "between"]
    return _geojson(breaks, columns=cols, simplify_deg=0)


def _frame(border: gpd.GeoDataFrame) -> shapely.Polygon:
    x0, y0, x1, y1 = border.to_crs(4326).total_bounds
    m = CONTEXT_MARGIN_DEG
    return shapely.box(x0 - m, max(y0 - m, -90), x1 + m, min(y1 + m, 90))


def _countries(
    countries: gpd.GeoDataFrame | None, frame: shapely.Polygon, *, simplify_deg: float
) -> dict:
    if countries is None or len(countries) == 0:
        return _geojson(
            gpd.GeoDataFrame({"iso3": []}, geometry=[], crs=4326), columns=[], simplify_deg=0
        )
    c = countries.to_crs(4326)
    c = c.set_geometry(shapely.intersection(np.asarray(c.geometry.array), frame))
    c = c[~c.geometry.is_empty]
    return _geojson(c, columns=["iso3"], simplify_deg=simplify_deg)


def _regions(
    admin: gpd.GeoDataFrame | None, frame: shapely.Polygon, *, simplify_deg: float
) -> dict:
    r = region_areas(admin)
    r = r.set_geometry(shapely.intersection(np.asarray(r.geometry.array), frame))
    r = r[~r.geometry.is_empty & (r["label"] != "")].copy()
    at = r.geometry.representative_point()
    r["lon"], r["lat"] = at.x.round(COORD_DECIMALS), at.y.round(COORD_DECIMALS)
    return _geojson(r, columns=["label", "lon", "lat"], simplify_deg=simplify_deg)


def _towns(places: gpd.GeoDataFrame | None) -> dict:
    if places is None or len(places) == 0:
        places = gpd.GeoDataFrame({"name": [], "population": []}, geometry=[], crs=4326)
    p = places.to_crs(4326)
    pop = pd.Series(np.nan, index=p.index)
    if "population" in p.columns:
        pop = pd.to_numeric(p["population"], errors="coerce")
    p = p.assign(population=pop.round().astype("Int64")).sort_values("population", ascending=False)
    return _geojson(p, columns=["name", "place", "population"], simplify_deg=0)


def _metric_layers(
    metrics: pd.DataFrame | None, *, simplify_deg: float
) -> tuple[dict | None, list[dict]]:
    """Build the cells and, per measure of :data:`METRIC_LAYERS` found, its cell layer.

    The cells are one GeoJSON with each measure's value and class as properties; a
    layer gives its title, how its classes were made, and each class's colour and count.
    """
    if not isinstance(metrics, gpd.GeoDataFrame) or len(metrics) == 0:
        return None, []
    cells = metrics.to_crs(4326)
    width = pd.to_numeric(cells.get("width_km"), errors="coerce")
    width_text = f", {width.max():g} km cells" if width is not None and width.notna().any() else ""
    props, layers = ["seg_id", "side"], []
    for key, fields, title, stops in METRIC_LAYERS:
        field = next((f for f in fields if f in cells.columns), None)
        if field is None:
            continue
        values = pd.to_numeric(cells[field], errors="coerce")
        scheme = class_scheme(field)
        edges = metric_classes(values, scheme=scheme)
        idx = class_index(values, edges)
        colors = ramp_colors(stops, len(edges) - 1)
        cells[f"v_{key}"] = values.round(3)
        cells[f"c_{key}"] = idx
        props += [f"v_{key}", f"c_{key}"]
        layers.append(
            {
                "key": key,
                "name": title + width_text,
                "title": title,
                "field": field,
                "scheme": scheme_title(scheme),
                "classes": [
                    {"label": label, "color": color, "count": int((idx == i).sum())}
                    for i, (label, color) in enumerate(
                        zip(class_labels(edges), colors, strict=True)
                    )
                ],
            }
        )
    if not layers:
        return None, []
    return _geojson(cells, columns=props, simplify_deg=simplify_deg), layers


def _segment_legend(seg: gpd.GeoDataFrame) -> dict:
    if "isolation" not in seg.columns:
        return {"note": "coloured by seg_id (no isolation index)", "rows": []}
    iso = pd.to_numeric(seg["isolation"], errors="coerce")
    steps = np.linspace(iso.min(), iso.max(), len(ISOLATION_RAMP))
    rows = [(c, f"isolation {v:.2f}") for c, v in zip(ISOLATION_RAMP, steps, strict=True)]
    return {"note": "the more isolated side's index", "rows": rows}


def render_webmap(
    path: str | Path,
    *,
    border: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame | None,
    buffers: Mapping[float, gpd.GeoDataFrame] | gpd.GeoDataFrame,
    metrics: pd.DataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    admin: gpd.GeoDataFrame | None = None,
    places: gpd.GeoDataFrame | None = None,
    breaks: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    synthetic: bool = False,
    simplify_deg: float = 0.002,
    context_simplify_deg: float = 0.01,
    tiles: str | None = OSM_TILES,
    attribution: str = OSM_ATTRIBUTION,
) -> None:
    """Write the web map as one HTML file with its data and Leaflet inline.

    Parameters
    ----------
    path
        Destination ``.html``.
    border, segments
        Layers of ``border.gpkg``: every row of ``border`` is drawn, a part of the border
        (``part_id``, ``from_km``, ``to_km``, ``length_km``) each.
    crossings
        Crossing points (``crossing_id``, ``category``, ``kind``, ``official``...); a
        popup lists :data:`POPUP_FIELDS`.
    buffers
        Buffer width (km) to its ``buffer`` layer, or one ``buffer`` layer.
    metrics
        Segment metrics; segments are coloured by the isolation index (the higher of the two
        sides) when it is there, else by ``seg_id``. With the cells' geometry, the cells are
        drawn by each measure of :data:`METRIC_LAYERS` found (the first one shown).
    countries
        The two countries' outlines (``iso3``), cut to the border's surroundings.
    admin
        Admin areas (``admin_level``, ``name``, optional ``name:en``): the admin_level 4
        regions are drawn and named.
    places
        Towns and villages (``name``, ``population``), drawn by population.
    breaks
        The ``border_breaks`` layer (``from_part``, ``to_part``, ``distance_km``,
        ``between``), drawn dashed; None when the border is in one part.
    title
        Page title.
    synthetic
        Say on the map that the roads and railways are synthetic.
    simplify_deg, context_simplify_deg
        Tolerance (degrees) the border zone's lines and polygons, and the countries and
        regions, are simplified to for display; 0 keeps them.
    tiles
        URL template of the base map, loaded from the network when the browser is online
        (``{z}/{x}/{y}``, and ``{s}`` or ``{r}`` as Leaflet has them); None for none.
    attribution
        Attribution of the base map (HTML).
    """
    path = Path(path)
    js, css = leaflet_assets()
    if isinstance(buffers, gpd.GeoDataFrame):
        width = buffers["width_km"].iloc[0] if "width_km" in buffers and len(buffers) else 0
        buffers = {float(width): buffers}
    pair = str(border["pair"].iloc[0]).split("-") if "pair" in border.columns else ["", ""]
    if crossings is None:
        crossings = gpd.GeoDataFrame({"crossing_id": []}, geometry=[], crs=4326)
    seg = _segment_colors(segments, metrics)
    frame = _frame(border)
    cells, metric_layers = _metric_layers(metrics, simplify_deg=simplify_deg)
    data = {
        "pair": pair,
        "synthetic": bool(synthetic),
        "tiles": tiles,
        "attribution": attribution,
        "blankTile": BLANK_TILE,
        "sideColors": list(SIDE_COLORS),
        "townLabelMin": TOWN_LABEL_MIN_POPULATION,
        "popupFields": list(POPUP_FIELDS),
        "categoryColors": CATEGORY_COLORS,
        "countries": _countries(countries, frame, simplify_deg=context_simplify_deg),
        "regions": _regions(admin, frame, simplify_deg=context_simplify_deg),
        "towns": _towns(places),
        "border": _geojson(
            _border_parts(border),
            columns=["pair", "part_id", "from_km", "to_km", "length_km", "color"],
            simplify_deg=simplify_deg,
        ),
        "breaks": _breaks(breaks),
        "breakColor": BREAK_COLOR,
        "segments": _geojson(
            seg,
            columns=["seg_id", "part_id", "from_km", "to_km", "isolation", "color"],
            simplify_deg=simplify_deg,
        ),
        "segmentLegend": _segment_legend(seg),
        "cells": cells,
        "metrics": metric_layers,
        "crossings": _geojson(crossings, columns=list(POPUP_FIELDS), simplify_deg=0),
        "buffers": [
            {
                "width": float(w),
                "data": _geojson(b, columns=["side", "width_km"], simplify_deg=simplify_deg),
            }
            for w, b in sorted(buffers.items(), reverse=True)
        ],
    }
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    title = title or f"borderzone: {'–'.join(pair)} border"
    page = (
        PAGE.replace("__LEAFLET_CSS__", css)
        .replace("__TITLE__", html.escape(title))
        .replace("__DATA__", blob)
    )
    # Leaflet last: its code must not be searched for placeholders
    page = page.replace("__LEAFLET_JS__", js.replace("</script", "<\\/script"))
    with replacing(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    log.info(
        "wrote %s (border in %d part(s), %d crossings, %d towns, %d regions, %d cell layers, "
        "%.2f MB)",
        path,
        len(border),
        len(crossings),
        len(data["towns"]["features"]),
        len(data["regions"]["features"]),
        len(metric_layers),
        len(page.encode("utf-8")) / 1e6,
    )


def write_webmap(
    path: str | Path,
    *,
    border_layers: Mapping[str, gpd.GeoDataFrame],
    crossings: gpd.GeoDataFrame,
    buffers: Mapping[float, gpd.GeoDataFrame],
    metrics: gpd.GeoDataFrame,
    synthetic: bool,
    countries: gpd.GeoDataFrame | None = None,
    admin: gpd.GeoDataFrame | None = None,
    places: gpd.GeoDataFrame | None = None,
    tiles: str | None = OSM_TILES,
) -> None:
    """Write the web map of the pair (one width's metrics colour its cells and segments).

    Parameters
    ----------
    path
        Destination ``.html``.
    border_layers
        Layers of ``border.gpkg`` (``border``, ``segments``, and ``border_breaks`` when
        the border is in several parts).
    crossings
        The crossings.
    buffers
        Buffer width (km) to its ``buffer`` layer.
    metrics
        The segment metrics of one width, with the cells' geometry.
    synthetic
        Whether the roads and railways are synthetic (said on the map).
    countries, admin, places
        The two countries' outlines, the admin areas and the corridor's places.
    tiles
        URL template of the base map, used when the browser is online; None for none.
    """
    render_webmap(
        path,
        border=border_layers["border"],
        segments=border_layers["segments"],
        crossings=crossings,
        buffers=dict(buffers),
        metrics=metrics,
        countries=countries,
        admin=admin,
        places=places,
        breaks=border_layers.get("border_breaks"),
        synthetic=synthetic,
        tiles=tiles,
    )
