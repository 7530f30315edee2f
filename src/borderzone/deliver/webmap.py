"""A web map of the border zone: one HTML file that works offline from disk.

:func:`write_webmap` (the rule's function) and :func:`render_webmap` write it; crossings
are coloured by category with :data:`borderzone.deliver.styles.CATEGORY_COLORS`, the
palette of the QGIS style and the report too.

The page holds its data (GeoJSON) and Leaflet itself inline: Leaflet's JavaScript and CSS
are read from an installed copy (the ``django-leaflet`` wheel on PyPI ships Leaflet
1.9 as static files; Debian's ``libjs-leaflet`` and an npm ``node_modules/leaflet`` are
used when present) and the CSS images are inlined as data URIs, so that nothing is loaded
from the network. folium's pages are not used because they load Leaflet, jQuery and
Bootstrap from CDNs. No base map is drawn unless a tile URL is given.
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

from borderzone.deliver.styles import CATEGORY_COLORS, isolation_field
from borderzone.errors import InputDataError
from borderzone.io import replacing
from borderzone.qml import ISOLATION_RAMP

log = logging.getLogger(__name__)

SEGMENT_PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
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
    if simplify_deg > 0 and not g.geom_type.isin(["Point", "MultiPoint"]).all():
        g[g.geometry.name] = g.geometry.simplify(simplify_deg, preserve_topology=True)
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


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>__LEAFLET_CSS__</style>
<style>
html,body,#map{height:100%;margin:0}
#map{background:#f4f1ea}
.bz-legend{background:#fff;padding:6px 8px;font:12px sans-serif;line-height:18px;border-radius:4px}
.bz-legend i{display:inline-block;width:12px;height:12px;border-radius:6px;margin-right:5px;
vertical-align:middle;border:1px solid #333}
.bz-popup td{padding:0 6px 0 0;font:12px sans-serif}
</style></head><body>
<div id="map"></div>
<script>__LEAFLET_JS__</script>
<script>
"use strict";
const BZ = __DATA__;
const map = L.map("map", {preferCanvas: false});
if (BZ.tiles) { L.tileLayer(BZ.tiles, {attribution: BZ.attribution || ""}).addTo(map); }
const overlays = {};
for (const b of BZ.buffers) {
  overlays["buffer " + b.width + " km"] = L.geoJSON(b.data, {
    style: f => ({color: f.properties.side === BZ.pair[0] ? "#1f78b4" : "#33a02c",
                  weight: 0.6, fillOpacity: 0.12})
  }).addTo(map);
}
overlays["segments"] = L.geoJSON(BZ.segments, {
  style: f => ({color: f.properties.color, weight: 5, opacity: 0.9}),
  onEachFeature: (f, layer) => {
    const p = f.properties;
    layer.bindTooltip("segment " + p.seg_id + " (km " + Math.round(p.from_km) + "–" +
      Math.round(p.to_km) + ")" + (p.isolation != null ? ", isolation " +
      p.isolation.toFixed(2) : ""));
  }
}).addTo(map);
const border = L.geoJSON(BZ.border, {style: {color: "#1a1a1a", weight: 1.6}}).addTo(map);
overlays["border"] = border;

function popupContent(p) {
  const table = document.createElement("table");
  table.className = "bz-popup";
  for (const key of BZ.popupFields) {
    if (p[key] === undefined || p[key] === null) continue;
    const tr = table.insertRow();
    tr.insertCell().textContent = key;
    const v = Array.isArray(p[key]) ? p[key].join(", ") : String(p[key]);
    tr.insertCell().textContent = v;
  }
  return table;
}
const crossings = L.geoJSON(BZ.crossings, {
  pointToLayer: (f, latlng) => L.circleMarker(latlng, {
    radius: f.properties.kind === "rail" ? 7 : 6,
    color: "#000", weight: 1,
    fillColor: BZ.categoryColors[f.properties.category] || "#999",
    fillOpacity: f.properties.official ? 1 : 0.45,
    className: "bz-crossing bz-crossing-" + f.properties.crossing_id
  }),
  onEachFeature: (f, layer) => layer.bindPopup(() => popupContent(f.properties))
}).addTo(map);
overlays["crossings"] = crossings;
L.control.layers(null, overlays, {collapsed: false}).addTo(map);
const legend = L.control({position: "bottomleft"});
legend.onAdd = () => {
  const div = L.DomUtil.create("div", "bz-legend");
  for (const [cat, color] of Object.entries(BZ.categoryColors)) {
    const row = document.createElement("div");
    const swatch = document.createElement("i");
    swatch.style.background = color;
    row.appendChild(swatch);
    row.appendChild(document.createTextNode(cat));
    div.appendChild(row);
  }
  if (BZ.synthetic) {
    const note = document.createElement("b");
    note.textContent = "Roads and railways: SYNTHETIC";
    div.appendChild(note);
  }
  return div;
};
legend.addTo(map);
L.control.scale({imperial: false}).addTo(map);
map.fitBounds(border.getBounds(), {padding: [20, 20]});
window.bz = {map: map, crossings: crossings, nCrossings: BZ.crossings.features.length};
</script></body></html>
"""


def render_webmap(
    path: str | Path,
    *,
    border: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    crossings: gpd.GeoDataFrame | None,
    buffers: Mapping[float, gpd.GeoDataFrame] | gpd.GeoDataFrame,
    metrics: pd.DataFrame | None = None,
    title: str | None = None,
    synthetic: bool = False,
    simplify_deg: float = 0.002,
    tiles: str | None = None,
    attribution: str = "",
) -> None:
    """Write the web map as one HTML file with its data and Leaflet inline.

    Parameters
    ----------
    path
        Destination ``.html``.
    border, segments
        Layers of ``border.gpkg``.
    crossings
        Crossing points (``crossing_id``, ``category``, ``kind``, ``official``...); a
        popup lists :data:`POPUP_FIELDS`.
    buffers
        Buffer width (km) to its ``buffer`` layer, or one ``buffer`` layer.
    metrics
        Segment metrics; segments are coloured by the isolation index (the higher of the two
        sides) when it is there, else by ``seg_id``.
    title
        Page title.
    synthetic
        Say on the map that the roads and railways are synthetic.
    simplify_deg
        Tolerance (degrees) lines and polygons are simplified to; 0 keeps them.
    tiles
        URL template of a base map (loaded from the network); None for none.
    attribution
        Attribution of the base map.
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
    data = {
        "pair": pair,
        "synthetic": bool(synthetic),
        "tiles": tiles,
        "attribution": attribution,
        "popupFields": list(POPUP_FIELDS),
        "categoryColors": CATEGORY_COLORS,
        "border": _geojson(border, columns=["pair", "length_km"], simplify_deg=simplify_deg),
        "segments": _geojson(
            seg,
            columns=["seg_id", "from_km", "to_km", "isolation", "color"],
            simplify_deg=simplify_deg,
        ),
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
    log.info("wrote %s (%d crossings, %.1f MB)", path, len(crossings), len(page) / 1e6)


def write_webmap(
    path: str | Path,
    *,
    border_layers: Mapping[str, gpd.GeoDataFrame],
    crossings: gpd.GeoDataFrame,
    buffers: Mapping[float, gpd.GeoDataFrame],
    metrics: gpd.GeoDataFrame,
    synthetic: bool,
) -> None:
    """Write the offline web map of the pair (the narrowest width's metrics colour it).

    Parameters
    ----------
    path
        Destination ``.html``.
    border_layers
        Layers of ``border.gpkg`` (``border``, ``segments``).
    crossings
        The crossings.
    buffers
        Buffer width (km) to its ``buffer`` layer.
    metrics
        The segment metrics of the narrowest width.
    synthetic
        Whether the roads and railways are synthetic (said on the map).
    """
    render_webmap(
        path,
        border=border_layers["border"],
        segments=border_layers["segments"],
        crossings=crossings,
        buffers=dict(buffers),
        metrics=metrics,
        synthetic=synthetic,
    )
