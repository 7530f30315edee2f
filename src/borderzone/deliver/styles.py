"""QGIS styles (QML) for the workflow's layers, built as XML with xml.etree.

Each function returns the text of a ``.qml`` file as QGIS 3.22 writes it: a ``<qgis>``
root with a ``renderer-v2`` (categorized, graduated or rule-based), its symbols and, where
the layer is labelled, a ``labeling`` element. :func:`default_styles` picks one for every
layer of a deliverable GeoPackage; :func:`alternative_styles` adds named extras (e.g.
cells by population density beside cells by isolation) that QGIS lists under
*Layer Properties ▸ Style*. Rasters get a single-band pseudocolor QML
(:func:`borderzone.qml.raster_pseudocolor_qml`) written beside the GeoTIFF. The palettes
are here, once each: :data:`CATEGORY_COLORS` colours the crossing categories in every
legend (QGIS, the report, the web map).

Symbol sizes are in millimetres, colours are ``#rrggbb`` (or ``#rrggbbaa``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from borderzone.crossings import CATEGORIES
from borderzone.io import ArrowLayer
from borderzone.osm.schema import ROAD_CLASSES, ROAD_ORDER
from borderzone.qml import (
    DENSITY_RAMP,
    Category,
    Range,
    Rule,
    Symbol,
    categorized_qml,
    graduated_qml,
    metric_qml,
    rule_based_qml,
    single_symbol_qml,
)

#: Colour of each crossing category (:data:`borderzone.crossings.attributes.CATEGORIES`, in
#: legend order): the report's map, the web map and the QGIS style by category. Filled
#: markers take it as fill, hollow ones (no checkpoint, tracks) as outline.
CATEGORY_COLORS: dict[str, str] = dict(
    zip(
        CATEGORIES,
        ("#d7301f", "#fc8d59", "#fdae61", "#8c510a", "#253494", "#74add1"),
        strict=True,
    )
)
SURFACE_COLORS = {"paved": "#d7301f", "unpaved": "#8c510a", "unknown": "#737373"}
RAIL_COLOR = "#253494"

#: Line colour and width (mm) of each road class, in the order of
#: :data:`borderzone.osm.schema.ROAD_ORDER` (motorway first, track last). A ``_link`` of
#: :data:`~borderzone.osm.schema.ROAD_CLASSES` takes its class's colour, 0.6 as wide.
ROAD_LINES: dict[str, tuple[str, float]] = dict(
    zip(
        ROAD_ORDER,
        (
            ("#e31a1c", 1.4),
            ("#fc4e2a", 1.2),
            ("#fd8d3c", 1.0),
            ("#feb24c", 0.8),
            ("#d9b365", 0.6),
            ("#8c8c8c", 0.4),
            ("#b0b0b0", 0.3),
            ("#bcbcbc", 0.3),
            ("#c8c8c8", 0.25),
            ("#8c510a", 0.35),
        ),
        strict=True,
    )
)


def roads_qml(values: Any = ()) -> str:
    """Style roads categorized by ``highway``.

    The main classes, their ``_link`` roads, and any other value in ``values`` in grey.
    """
    cats = []
    for cls, (color, width) in ROAD_LINES.items():
        cats.append(Category(cls, cls, Symbol(color, size=width)))
        if f"{cls}_link" in ROAD_CLASSES:
            cats.append(Category(f"{cls}_link", f"{cls} link", Symbol(color, size=width * 0.6)))
    known = {c.value for c in cats}
    for value in sorted({str(v) for v in pd.Series(values).dropna()} - known):
        cats.append(Category(value, value, Symbol("#a0a0a0", size=0.25, dash="dash")))
    return categorized_qml(field="highway", geometry="line", categories=cats)


def rail_qml() -> str:
    """Railways: a dark blue line, dashed for anything but ``railway=rail``."""
    rules = [
        Rule("rail", Symbol(RAIL_COLOR, size=0.9), {"railway": "rail"}),
        Rule("other railway", Symbol(RAIL_COLOR, size=0.5, dash="dash"), None),
    ]
    return rule_based_qml(geometry="line", rules=rules)


def crossing_rules() -> list[Rule]:
    """Build the rules of the crossings style: kind × official status × surface class.

    Roads are circles coloured by surface class: filled when an official checkpoint
    serves them (a triangle when it is local only), hollow when none does. Railways are
    diamonds, filled with a checkpoint and hollow without.
    """
    rules = []
    for surface, color in SURFACE_COLORS.items():
        rules += [
            Rule(
                f"road, international checkpoint, {surface}",
                Symbol(color, size=4.0, outline="#000000", outline_width=0.4),
                {"kind": "road", "official": True, "local_only": False, "surface_class": surface},
            ),
            Rule(
                f"road, local checkpoint, {surface}",
                Symbol(color, size=3.6, shape="triangle", outline="#000000", outline_width=0.3),
                {"kind": "road", "official": True, "local_only": True, "surface_class": surface},
            ),
            Rule(
                f"road without checkpoint, {surface}",
                Symbol("#ffffff", size=2.6, outline=color, outline_width=0.7),
                {"kind": "road", "official": False, "surface_class": surface},
            ),
        ]
    rules += [
        Rule(
            "rail checkpoint",
            Symbol(RAIL_COLOR, size=4.2, shape="diamond", outline="#000000", outline_width=0.4),
            {"kind": "rail", "official": True},
        ),
        Rule(
            "rail without checkpoint",
            Symbol("#ffffff", size=3.4, shape="diamond", outline=RAIL_COLOR, outline_width=0.7),
            {"kind": "rail", "official": False},
        ),
        Rule("other", Symbol("#bdbdbd", size=2.0, shape="cross", outline="#000000"), None),
    ]
    return rules


def crossings_qml() -> str:
    """Crossings by kind, surface class and official status, labelled with crossing_id."""
    return rule_based_qml(geometry="point", rules=crossing_rules(), label='"crossing_id"')


#: Marker of each crossing category in the style by category: shape, size (mm), whether
#: it is filled with the category's colour (else white, outlined in it), outline width.
CATEGORY_MARKERS: dict[str, tuple[str, float, bool, float]] = {
    "international checkpoint": ("circle", 4.0, True, 0.4),
    "local checkpoint": ("triangle", 3.6, True, 0.3),
    "road without checkpoint": ("circle", 2.6, False, 0.7),
    "track": ("square", 2.4, False, 0.7),
    "rail checkpoint": ("diamond", 4.2, True, 0.4),
    "rail without checkpoint": ("diamond", 3.4, False, 0.7),
}


def crossings_by_category_qml() -> str:
    """Crossings categorized by ``category`` (the alternative style)."""
    cats = []
    for cat, color in CATEGORY_COLORS.items():
        shape, size, filled, width = CATEGORY_MARKERS[cat]
        if filled:
            symbol = Symbol(color, size, shape, "#000000", width)
        else:
            symbol = Symbol("#ffffff", size, shape, color, width)
        cats.append(Category(cat, cat, symbol))
    return categorized_qml(
        field="category", geometry="point", categories=cats, label='coalesce("name", "crossing_id")'
    )


def checkpoints_qml() -> str:
    """Checkpoints: black stars, labelled with their name."""
    return single_symbol_qml(
        geometry="point",
        symbol=Symbol("#000000", size=3.0, shape="star", outline="#ffffff", outline_width=0.2),
        label='"name"',
    )


PLACE_SIZES = ((-1, 1_000, 1.2), (1_000, 10_000, 1.8), (10_000, 50_000, 2.6))
PLACE_SIZES += ((50_000, 100_000, 3.4), (100_000, 500_000, 4.4), (500_000, 1e8, 6.0))


def places_qml() -> str:
    """Places as circles sized by ``population``, labelled with their name."""
    ranges = [
        Range(lo, hi, f"{max(lo, 0):,.0f} – {hi:,.0f}", Symbol("#636363", s, outline="#ffffff"))
        for lo, hi, s in PLACE_SIZES
    ]
    return graduated_qml(  # places without a population are drawn as the smallest
        field='coalesce("population", 0)',
        geometry="point",
        ranges=ranges,
        label='"name"',
        method="GraduatedSize",
    )


def border_qml() -> str:
    """Style the border as a thick dark line."""
    return single_symbol_qml(geometry="line", symbol=Symbol("#1a1a1a", size=1.0))


def gaps_qml() -> str:
    """Bridged gaps of the border: a dashed magenta line."""
    return single_symbol_qml(geometry="line", symbol=Symbol("#ce1256", size=1.2, dash="dash"))


def buffer_qml(sides: Sequence[str]) -> str:
    """Buffers categorized by ``side``: translucent fills in two colours."""
    colors = ("#1f78b440", "#33a02c40", "#ff7f0040", "#6a3d9a40")
    cats = [
        Category(s, s, Symbol(colors[i % len(colors)], outline="#5a5a5a", outline_width=0.3))
        for i, s in enumerate(sides)
    ]
    return categorized_qml(field="side", geometry="polygon", categories=cats)


def segments_qml() -> str:
    """Segments without metrics: a line labelled with ``seg_id``."""
    return single_symbol_qml(geometry="line", symbol=Symbol("#4d4d4d", size=0.6), label='"seg_id"')


#: Column names of the isolation index and the population density in the segment
#: metrics (:mod:`borderzone.metrics.segment` writes the first of each), first found is used.
ISOLATION_FIELDS = ("isolation_index", "isolation")
DENSITY_FIELDS = ("pop_density_km2", "density", "pop_density", "population_density")


def isolation_field(columns: Sequence[str]) -> str | None:
    """Return the isolation index column among ``columns``, if any."""
    return next((c for c in ISOLATION_FIELDS if c in columns), None)


def density_field(columns: Sequence[str]) -> str | None:
    """Return the population density column among ``columns``, if any."""
    return next((c for c in DENSITY_FIELDS if c in columns), None)


def geometry_kind(gdf: Any) -> str | None:
    """``point``, ``line`` or ``polygon`` for a GeoDataFrame or ArrowLayer, None for a table."""
    if isinstance(gdf, ArrowLayer):  # the layer's declared type
        t = str(gdf.meta["geometry_type"]) if len(gdf) else "Point"
    else:
        geom = getattr(gdf, "geometry", None) if hasattr(gdf, "crs") else None
        if geom is None or len(gdf) == 0:
            return None if geom is None else "point"
        t = str(geom.geom_type.dropna().iloc[0]) if geom.notna().any() else "Point"
    return "point" if "Point" in t else "line" if "Line" in t else "polygon"


def default_styles(layers: Mapping[str, Any]) -> dict[str, str]:
    """Build the default QML of every known layer in ``layers`` (name to GeoDataFrame).

    ``segments``, ``cells`` and ``segment_metrics`` are graduated by isolation when they
    have an ``isolation`` column, else by population density when they have one;
    ``segments`` without either is a plain labelled line, ``cells`` without either are
    categorized by ``side``.
    """
    out: dict[str, str] = {}
    for name, gdf in layers.items():
        geometry = geometry_kind(gdf)
        if geometry is None:
            continue
        cols = list(gdf.columns)
        if name == "border":
            out[name] = border_qml()
        elif name == "border_gaps":
            out[name] = gaps_qml()
        elif name == "buffer":
            out[name] = buffer_qml(sorted(gdf["side"].dropna().unique()))
        elif name == "roads":
            out[name] = roads_qml(gdf["highway"] if "highway" in cols else ())
        elif name == "rail":
            out[name] = rail_qml()
        elif name == "checkpoints":
            out[name] = checkpoints_qml()
        elif name == "places":
            out[name] = places_qml()
        elif name == "crossings":
            out[name] = crossings_qml()
        elif name in ("segments", "cells", "segment_metrics"):
            dens, iso = density_field(cols), isolation_field(cols)
            if iso:
                out[name] = metric_qml(gdf[iso], field=iso, geometry=geometry)
            elif dens:
                out[name] = metric_qml(
                    gdf[dens], field=dens, geometry=geometry, colors=DENSITY_RAMP
                )
            elif name == "segments":
                out[name] = segments_qml()
            elif "side" in cols:
                out[name] = buffer_qml(sorted(gdf["side"].dropna().unique()))
    return out


def alternative_styles(layers: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Extra named styles: crossings by category, metric layers by population density."""
    out: dict[str, dict[str, str]] = {}
    for name, gdf in layers.items():
        geometry = geometry_kind(gdf)
        if geometry is None:
            continue
        if name == "crossings":
            out[name] = {"by category": crossings_by_category_qml()}
        elif name in ("segments", "cells", "segment_metrics"):
            dens = density_field(list(gdf.columns))
            if dens and isolation_field(list(gdf.columns)):
                out[name] = {
                    "population density": metric_qml(
                        gdf[dens], field=dens, geometry=geometry, colors=DENSITY_RAMP
                    )
                }
    return out
