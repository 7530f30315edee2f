"""The web map's page: its HTML, CSS and script.

:func:`borderzone.deliver.webmap.render_webmap` replaces the placeholders ``__TITLE__``,
``__LEAFLET_CSS__``, ``__LEAFLET_JS__`` and ``__DATA__`` (the JSON of the layers, read by
the script as ``BZ``). The script draws each layer in its own pane (so that switching one
on again keeps the order: context, zones, cells, lines, points, labels), lists every layer
in a layers control and shows each one's legend while it is on (the breaks between parts
of the border are a layer only when there are some); it adds the base map only
when the browser is online and a first tile has loaded, and exposes ``window.bz`` (the
map, its overlays and legends) for tests.
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>__LEAFLET_CSS__</style>
<style>
html,body,#map{height:100%;margin:0}
#map{background:#f4f1ea}
.bz-legend{background:#fff;padding:6px 8px;font:12px sans-serif;line-height:17px;border-radius:4px;
max-height:55vh;overflow-y:auto}
.bz-legend-section+.bz-legend-section{margin-top:5px;border-top:1px solid #ddd;padding-top:3px}
.bz-legend h4{margin:0;font-size:12px}
.bz-legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:middle;
border:1px solid #333}
.bz-legend i.round{border-radius:6px}
.bz-legend i.line{height:0;border-width:2px 0 0 0;border-radius:0}
.bz-legend i.dash{border-top-style:dashed}
.bz-legend small{color:#555}
.bz-popup td{padding:0 6px 0 0;font:12px sans-serif}
.bz-region-label span{display:block;transform:translate(-50%,-50%);white-space:nowrap;
font:11px sans-serif;color:#555;text-shadow:0 0 3px #fff,0 0 3px #fff}
.leaflet-tooltip.bz-town-label{background:none;border:none;box-shadow:none;padding:0 0 0 4px;
font:bold 11px sans-serif;color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff}
.leaflet-tooltip.bz-town-label:before{display:none}
</style></head><body>
<div id="map"></div>
<script>__LEAFLET_JS__</script>
<script>
"use strict";
const BZ = __DATA__;
const map = L.map("map", {preferCanvas: false});
for (const [name, z] of [["context", 350], ["zones", 360], ["cells", 370], ["lines", 390],
                         ["points", 620], ["labels", 630]]) {
  map.createPane(name).style.zIndex = z;
}
map.getPane("labels").style.pointerEvents = "none";
const sideColor = s => BZ.sideColors[Math.max(BZ.pair.indexOf(s), 0) % BZ.sideColors.length];
const overlays = {}, legends = {};
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function legend(title, rows, note) {
  // rows: [color, label, kind ("" square, "round", "line"), size]
  const div = el("div", null, "bz-legend-section");
  div.appendChild(el("h4", title));
  if (note) div.appendChild(el("small", note));
  for (const [color, label, kind, size] of rows) {
    const row = el("div"), sw = el("i", null, kind || "");
    if ((kind || "").startsWith("line")) sw.style.borderColor = color;
    else sw.style.background = color;
    if (size) {
      sw.style.width = sw.style.height = sw.style.borderRadius = size + "px";
    }
    row.appendChild(sw);
    row.appendChild(document.createTextNode(label));
    div.appendChild(row);
  }
  return div;
}
function add(name, layer, legendDiv, on) {
  overlays[name] = layer;
  legends[name] = legendDiv;
  legendDiv.dataset.layer = name;
  if (on) layer.addTo(map);
}

add("countries", L.geoJSON(BZ.countries, {pane: "context", interactive: false,
  style: f => ({color: "#555", weight: 1.3, fillColor: sideColor(f.properties.iso3),
                fillOpacity: 0.07})}),
  legend("countries", BZ.pair.map(s => [sideColor(s), s])), true);

const regions = L.featureGroup();
L.geoJSON(BZ.regions, {pane: "context", interactive: false,
  style: {color: "#7a7a7a", weight: 0.8, dashArray: "4 3", fill: false}}).addTo(regions);
for (const f of BZ.regions.features) {
  const span = el("span", f.properties.label);
  L.marker([f.properties.lat, f.properties.lon], {pane: "labels", interactive: false,
    keyboard: false, icon: L.divIcon({className: "bz-region-label", html: span, iconSize: null})
  }).addTo(regions);
}
add("regions", regions, legend("regions (admin_level 4)", [["#7a7a7a", "boundary", "line"]],
  BZ.regions.features.length + " regions"), true);

for (const b of BZ.buffers) {
  add("buffer " + b.width + " km", L.geoJSON(b.data, {pane: "zones", interactive: false,
    style: f => ({color: sideColor(f.properties.side), weight: 0.6, fillOpacity: 0.12})}),
    legend("buffer " + b.width + " km", BZ.pair.map(s => [sideColor(s), s + " side"])), true);
}

BZ.metrics.forEach((m, i) => {
  const layer = L.geoJSON(BZ.cells, {pane: "cells",
    style: f => {
      const c = f.properties["c_" + m.key];
      return {stroke: false, fillOpacity: 0.8,
              fillColor: c >= 0 ? m.classes[c].color : "#bbbbbb"};
    },
    onEachFeature: (f, lyr) => lyr.bindTooltip(() => "segment " + f.properties.seg_id + " " +
      f.properties.side + ": " + m.title + " " + (f.properties["v_" + m.key] ?? "no value"),
      {sticky: true})
  });
  add(m.name, layer, legend(m.title, m.classes.map(c => [c.color, c.label + " (" + c.count +
    " cells)"]), m.scheme), i === 0);
});

const nParts = BZ.border.features.length;
const kmRange = p => "km " + Math.round(p.from_km) + "–" + Math.round(p.to_km);
add("segments", L.geoJSON(BZ.segments, {pane: "lines",
  style: f => ({color: f.properties.color, weight: 5, opacity: 0.9}),
  onEachFeature: (f, layer) => {
    const p = f.properties;
    layer.bindTooltip("segment " + p.seg_id + " (" + (nParts > 1 ? "part " + p.part_id +
      ", " : "") + kmRange(p) + ")" + (p.isolation != null ? ", isolation " +
      p.isolation.toFixed(2) : ""));
  }
}), legend("segments", BZ.segmentLegend.rows.map(([c, t]) => [c, t, "line"]),
  BZ.segmentLegend.note), true);

// a border in several parts: each in its colour, with its id and km range on hover
const partText = p => "part " + p.part_id + ": " + kmRange(p) + ", " + p.length_km.toFixed(1) +
  " km";
const border = L.geoJSON(BZ.border, {pane: "lines",
  style: f => ({color: f.properties.color, weight: nParts > 1 ? 2.4 : 1.6}),
  onEachFeature: (f, layer) => {
    if (nParts > 1) layer.bindTooltip(partText(f.properties), {sticky: true});
  }});
add("border", border, legend("border", nParts > 1 ?
  BZ.border.features.map(f => [f.properties.color, partText(f.properties), "line"]) :
  [[BZ.border.features[0].properties.color, BZ.pair.join("–") + " land border", "line"]],
  nParts > 1 ? BZ.pair.join("–") + " land border in " + nParts + " parts" : null), true);

// the breaks between parts: straight lines, dashed, with what lies between
const breakText = p => "between part " + p.from_part + " and " + p.to_part + ": " +
  p.between + " (" + p.distance_km.toFixed(1) + " km straight line, at km " +
  Math.round(p.at_km) + ")";
if (BZ.breaks.features.length) {
  add("breaks between parts", L.geoJSON(BZ.breaks, {pane: "lines",
    style: {color: BZ.breakColor, weight: 2, dashArray: "6 6"},
    onEachFeature: (f, layer) => layer.bindPopup(() => el("div", breakText(f.properties),
      "bz-break"))}),
    legend("breaks between parts", [[BZ.breakColor, "no border (click for what lies between)",
      "line dash"]]), true);
}

const townRadius = p => 2 + 3 * Math.sqrt(Math.max(p || 0, 0) / 100000);
add("towns", L.geoJSON(BZ.towns, {
  pointToLayer: (f, latlng) => L.circleMarker(latlng, {pane: "points",
    radius: townRadius(f.properties.population), color: "#fff", weight: 1,
    fillColor: "#3d3d3d", fillOpacity: 0.85, className: "bz-town"}),
  onEachFeature: (f, layer) => {
    const p = f.properties, big = (p.population || 0) >= BZ.townLabelMin;
    const text = p.name + (p.population != null ? " (" + p.population.toLocaleString("en") +
      ")" : "");
    layer.bindTooltip(big ? p.name : text, big ? {permanent: true, direction: "right",
      className: "bz-town-label", pane: "labels"} : {});
  }
}), legend("towns", [10000, 100000, 1000000].map(p => ["#3d3d3d", p.toLocaleString("en") +
  " people", "round", 2 * townRadius(p)]), "named from " +
  BZ.townLabelMin.toLocaleString("en")), true);

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
  pointToLayer: (f, latlng) => L.circleMarker(latlng, {pane: "points",
    radius: f.properties.kind === "rail" ? 7 : 6,
    color: "#000", weight: 1,
    fillColor: BZ.categoryColors[f.properties.category] || "#999",
    fillOpacity: f.properties.official ? 1 : 0.45,
    className: "bz-crossing bz-crossing-" + f.properties.crossing_id
  }),
  onEachFeature: (f, layer) => layer.bindPopup(() => popupContent(f.properties))
});
add("crossings", crossings, legend("crossings", Object.entries(BZ.categoryColors).map(
  ([cat, color]) => [color, cat, "round"]), BZ.synthetic ?
  "Roads and railways: SYNTHETIC" : "faded: no checkpoint"), true);
if (BZ.synthetic) legends["crossings"].querySelector("small").style.fontWeight = "bold";

// the layers control stays open on a large screen, folds into its button on a small one
const control = L.control.layers(null, overlays, {collapsed: window.innerWidth < 1000})
  .addTo(map);
const legendControl = L.control({position: "bottomleft"});
legendControl.onAdd = () => {
  const div = L.DomUtil.create("div", "bz-legend");
  for (const name of Object.keys(overlays)) div.appendChild(legends[name]);
  L.DomEvent.disableScrollPropagation(div);
  return div;
};
legendControl.addTo(map);
function showLegends() {
  for (const [name, layer] of Object.entries(overlays)) {
    legends[name].style.display = map.hasLayer(layer) ? "" : "none";
  }
}
map.on("overlayadd overlayremove", showLegends);
showLegends();
L.control.scale({imperial: false}).addTo(map);
// leave room for the legend on the left of a large screen
map.fitBounds(border.getBounds(), {paddingTopLeft: [window.innerWidth >= 1000 ? 240 : 20, 20],
                                   paddingBottomRight: [20, 20]});

// The base map: added only online, once a first tile has loaded; a tile that fails later
// is replaced by a transparent one (no broken images).
let basemap = null;
function addBasemap() {
  if (!BZ.tiles || basemap || !navigator.onLine) return;
  let url;
  try { url = L.Util.template(BZ.tiles, {s: "a", z: 0, x: 0, y: 0, r: ""}); }
  catch (e) { return; }
  const probe = new Image();
  probe.onload = () => {
    if (basemap) return;
    basemap = L.tileLayer(BZ.tiles, {attribution: BZ.attribution, maxZoom: 19,
      errorTileUrl: BZ.blankTile});
    basemap.addTo(map);
    control.addOverlay(basemap, "base map");
  };
  probe.onerror = () => {};
  probe.src = url;
}
addBasemap();
window.addEventListener("online", addBasemap);
window.bz = {map: map, crossings: crossings, nCrossings: BZ.crossings.features.length,
             overlays: overlays, legends: legends, basemap: () => basemap};
</script></body></html>
"""

#: A transparent 1×1 PNG: what a tile that failed to load shows.
BLANK_TILE = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
