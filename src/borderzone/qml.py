"""QGIS styles (QML) built as XML with xml.etree: symbols, renderers, colour ramps.

The layer-independent part of styling, used by the deliverables (vector layers) and by the
rasters (a single-band pseudocolor style written beside each GeoTIFF). Each builder returns
the text of a ``.qml`` file as QGIS 3.22 writes it: a ``<qgis>`` root with a
``renderer-v2`` (categorized, graduated or rule-based), its symbols and, where the layer is
labelled, a ``labeling`` element. :func:`qgis_document` and :func:`parse_qgis_document`
write and read the doctype line every QGIS document (``.qml``, ``.qgs``) starts with.

The module is one piece past 500 lines: the QML vocabulary every style is built from
(symbols, the four renderers, labels, ramps and classes), which QGIS spells out verbosely.

Symbol sizes are in millimetres, colours are ``#rrggbb`` (or ``#rrggbbaa``).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

QGIS_VERSION = "3.22.0-Białowieża"
DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"


# colour ramps, low to high (viridis, magma-like and a red ramp for isolation)
VIRIDIS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
ISOLATION_RAMP = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")
DENSITY_RAMP = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")

_GEOMETRY = {"point": ("marker", 0), "line": ("line", 1), "polygon": ("fill", 2)}


@dataclass(frozen=True)
class Symbol:
    """A simple symbol: a marker, a line or a fill.

    Attributes
    ----------
    color
        Fill colour (marker, polygon) or line colour.
    size
        Marker diameter or line width, mm.
    shape
        Marker shape as QGIS names it (circle, square, diamond, triangle, star, cross...).
    outline
        Outline colour of a marker or polygon; ``None`` for none.
    outline_width
        Outline width, mm.
    dash
        Line or outline style: ``solid``, ``dash``, ``dot``.
    """

    color: str
    size: float = 2.0
    shape: str = "circle"
    outline: str | None = "#232323"
    outline_width: float = 0.2
    dash: str = "solid"


@dataclass(frozen=True)
class Category:
    """One class of a categorized renderer."""

    value: Any
    label: str
    symbol: Symbol


@dataclass(frozen=True)
class Range:
    """One class of a graduated renderer: ``lower`` < value <= ``upper``."""

    lower: float
    upper: float
    label: str
    symbol: Symbol


@dataclass(frozen=True)
class Rule:
    """One rule of a rule-based renderer.

    ``conditions`` maps a field to the value it must have (``None``: the rule is the
    ELSE rule); the QGIS filter expression is built from them, so that the same rules can
    be checked in Python (:func:`matching_rules`).
    """

    label: str
    symbol: Symbol
    conditions: Mapping[str, Any] | None


# --------------------------------------------------------------------------------------
# XML helpers


def qgis_document(root: ET.Element) -> str:
    """Return the text of a QGIS document (``.qml``, ``.qgs``): the doctype line, then ``root``."""
    return DOCTYPE + "\n" + ET.tostring(root, encoding="unicode")


def parse_qgis_document(text: str) -> ET.Element:
    """Return the root element of a QGIS document, with or without its doctype line."""
    return ET.fromstring(text.split("\n", 1)[1] if text.startswith("<!DOCTYPE") else text)


def _rgba(color: str) -> str:
    c = color.lstrip("#")
    if len(c) not in (6, 8):
        raise ValueError(f"colour {color!r} is not #rrggbb or #rrggbbaa")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    a = int(c[6:8], 16) if len(c) == 8 else 255
    return f"{r},{g},{b},{a}"


def _options(parent: ET.Element, props: Mapping[str, str]) -> None:
    """Write symbol layer properties both as <Option type="Map"> and as legacy <prop>."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", name=k, type="QString", value=str(v))
    for k, v in props.items():
        ET.SubElement(parent, "prop", k=k, v=str(v))


def _symbol(parent: ET.Element, name: str, symbol: Symbol, geometry: str) -> ET.Element:
    stype = _GEOMETRY[geometry][0]
    el = ET.SubElement(
        parent,
        "symbol",
        type=stype,
        name=name,
        alpha="1",
        clip_to_extent="1",
        force_rhr="0",
    )
    if stype == "marker":
        cls = "SimpleMarker"
        props = {
            "name": symbol.shape,
            "color": _rgba(symbol.color),
            "outline_color": _rgba(symbol.outline or "#00000000"),
            "outline_style": "solid" if symbol.outline else "no",
            "outline_width": symbol.outline_width,
            "outline_width_unit": "MM",
            "size": symbol.size,
            "size_unit": "MM",
            "angle": 0,
            "joinstyle": "bevel",
            "scale_method": "diameter",
            "vertical_anchor_point": 1,
            "horizontal_anchor_point": 1,
        }
    elif stype == "line":
        cls = "SimpleLine"
        props = {
            "line_color": _rgba(symbol.color),
            "line_width": symbol.size,
            "line_width_unit": "MM",
            "line_style": symbol.dash,
            "capstyle": "round",
            "joinstyle": "round",
        }
    else:
        cls = "SimpleFill"
        props = {
            "color": _rgba(symbol.color),
            "style": "solid",
            "outline_color": _rgba(symbol.outline or "#00000000"),
            "outline_style": symbol.dash if symbol.outline else "no",
            "outline_width": symbol.outline_width,
            "outline_width_unit": "MM",
            "joinstyle": "bevel",
        }
    layer = ET.SubElement(el, "layer", {"class": cls, "enabled": "1", "pass": "0", "locked": "0"})
    _options(layer, props)
    return el


def _root(geometry: str, *, labels: bool) -> ET.Element:
    if geometry not in _GEOMETRY:
        raise ValueError(f"geometry {geometry!r} is not one of {', '.join(_GEOMETRY)}")
    return ET.Element(
        "qgis",
        version=QGIS_VERSION,
        styleCategories="Symbology|Labeling|Rendering",
        labelsEnabled="1" if labels else "0",
        hasScaleBasedVisibilityFlag="0",
    )


def _labeling(root: ET.Element, expression: str | None, geometry: str, size: float = 8) -> None:
    if expression is None:
        return
    lab = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    style = ET.SubElement(
        settings,
        "text-style",
        fieldName=expression,
        isExpression="1",
        fontFamily="Sans Serif",
        fontSize=str(size),
        fontSizeUnit="Point",
        textColor="30,30,30,255",
        textOpacity="1",
        namedStyle="Regular",
        fontWeight="50",
        fontItalic="0",
        fontUnderline="0",
        fontStrikeout="0",
        multilineHeight="1",
        blendMode="0",
        allowHtml="0",
        capitalization="0",
        previewBkgrdColor="255,255,255,255",
    )
    ET.SubElement(
        style,
        "text-buffer",
        bufferDraw="1",
        bufferSize="0.7",
        bufferSizeUnits="MM",
        bufferColor="255,255,255,255",
        bufferOpacity="1",
        bufferNoFill="1",
        bufferJoinStyle="128",
        bufferBlendMode="0",
    )
    ET.SubElement(settings, "text-format", wrapChar="", autoWrapLength="0", plussign="0")
    # 0 around point, 2 along line, 1 over the (polygon's) point
    placement = {"point": "0", "line": "2", "polygon": "1"}[geometry]
    ET.SubElement(
        settings,
        "placement",
        placement=placement,
        dist="1.5",
        distUnits="MM",
        placementFlags="10",
        priority="5",
    )
    ET.SubElement(
        settings,
        "rendering",
        obstacle="1",
        displayAll="0",
        upsidedownLabels="0",
        scaleVisibility="0",
        fontLimitPixelSize="0",
        limitNumLabels="0",
        drawLabels="1",
        labelPerPart="0",
        mergeLines="0",
    )


def _finish(root: ET.Element, geometry: str) -> str:
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.SubElement(root, "layerGeometryType").text = str(_GEOMETRY[geometry][1])
    ET.indent(root)
    return qgis_document(root)


def _renderer(root: ET.Element, rtype: str, **attrs: str) -> ET.Element:
    return ET.SubElement(
        root,
        "renderer-v2",
        type=rtype,
        symbollevels="0",
        forceraster="0",
        enableorderby="0",
        referencescale="-1",
        **attrs,
    )


def _quote(field: str) -> str:
    return '"' + field.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | float | np.integer | np.floating):
        return repr(value.item() if hasattr(value, "item") else value)
    return "'" + str(value).replace("'", "''") + "'"


# --------------------------------------------------------------------------------------
# generic renderers


def single_symbol_qml(*, geometry: str, symbol: Symbol, label: str | None = None) -> str:
    """QML of a single-symbol renderer.

    Parameters
    ----------
    geometry
        ``point``, ``line`` or ``polygon``.
    symbol
        The symbol.
    label
        QGIS expression labelling each feature, or None for no labels.
    """
    root = _root(geometry, labels=label is not None)
    r = _renderer(root, "singleSymbol")
    _symbol(ET.SubElement(r, "symbols"), "0", symbol, geometry)
    _labeling(root, label, geometry)
    return _finish(root, geometry)


def categorized_qml(
    *, field: str, geometry: str, categories: Sequence[Category], label: str | None = None
) -> str:
    """QML of a categorized renderer on ``field``, one symbol per category."""
    root = _root(geometry, labels=label is not None)
    r = _renderer(root, "categorizedSymbol", attr=field)
    cats = ET.SubElement(r, "categories")
    syms = ET.SubElement(r, "symbols")
    for i, cat in enumerate(categories):
        value = cat.value
        if isinstance(value, bool | np.bool_):  # QGIS stores GeoPackage booleans as 0/1
            value = int(value)
        ET.SubElement(
            cats, "category", render="true", symbol=str(i), value=str(value), label=cat.label
        )
        _symbol(syms, str(i), cat.symbol, geometry)
    _labeling(root, label, geometry)
    return _finish(root, geometry)


def graduated_qml(
    *,
    field: str,
    geometry: str,
    ranges: Sequence[Range],
    label: str | None = None,
    method: str = "GraduatedColor",
) -> str:
    """QML of a graduated renderer on ``field`` with the given class ranges."""
    root = _root(geometry, labels=label is not None)
    r = _renderer(root, "graduatedSymbol", attr=field, graduatedMethod=method)
    rng = ET.SubElement(r, "ranges")
    syms = ET.SubElement(r, "symbols")
    for i, cls in enumerate(ranges):
        ET.SubElement(
            rng,
            "range",
            render="true",
            symbol=str(i),
            lower=repr(float(cls.lower)),
            upper=repr(float(cls.upper)),
            label=cls.label,
        )
        _symbol(syms, str(i), cls.symbol, geometry)
    if ranges:
        src = ET.SubElement(r, "source-symbol")
        _symbol(src, "0", ranges[0].symbol, geometry)
    ET.SubElement(r, "mode", name="manual")
    ET.SubElement(r, "labelformat", format="%1 - %2", decimalplaces="2", trimtrailingzeroes="1")
    _labeling(root, label, geometry)
    return _finish(root, geometry)


def rule_based_qml(*, geometry: str, rules: Sequence[Rule], label: str | None = None) -> str:
    """QML of a rule-based renderer; a rule with ``conditions=None`` is the ELSE rule."""
    root = _root(geometry, labels=label is not None)
    r = _renderer(root, "RuleRenderer")
    top = ET.SubElement(r, "rules", key="{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "root")) + "}")
    syms = ET.SubElement(r, "symbols")
    for i, rule in enumerate(rules):
        key = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"rule{i}{rule.label}")) + "}"
        attrs = {"key": key, "symbol": str(i), "label": rule.label, "filter": rule_expression(rule)}
        ET.SubElement(top, "rule", attrs)
        _symbol(syms, str(i), rule.symbol, geometry)
    _labeling(root, label, geometry)
    return _finish(root, geometry)


def rule_expression(rule: Rule) -> str:
    """Return the QGIS filter expression of a rule (``ELSE`` for the ELSE rule)."""
    if rule.conditions is None:
        return "ELSE"
    parts = []
    for fieldname, value in rule.conditions.items():
        if isinstance(value, bool):
            parts.append(_quote(fieldname) if value else f"NOT {_quote(fieldname)}")
        else:
            parts.append(f"{_quote(fieldname)} = {_literal(value)}")
    return " AND ".join(parts)


def matching_rules(rules: Sequence[Rule], row: Mapping[str, Any]) -> list[Rule]:
    """Return the rules whose conditions a feature (a mapping of field to value) meets.

    Mirrors QGIS: the ELSE rule matches only when no other rule does.
    """

    def meets(rule: Rule) -> bool:
        assert rule.conditions is not None
        for k, v in rule.conditions.items():
            got = row.get(k)
            if isinstance(v, bool):
                if pd.isna(got) or bool(got) != v:
                    return False
            elif got != v:
                return False
        return True

    found = [r for r in rules if r.conditions is not None and meets(r)]
    if not found:
        found = [r for r in rules if r.conditions is None]
    return found


def raster_pseudocolor_qml(
    *, vmin: float, vmax: float, colors: Sequence[str] = VIRIDIS, band: int = 1
) -> str:
    """QML of a single-band pseudocolor raster style, interpolated from ``vmin`` to ``vmax``.

    Parameters
    ----------
    vmin, vmax
        Values at the two ends of the ramp.
    colors
        Colours of evenly spaced stops, low to high.
    band
        Band rendered.
    """
    if not vmax > vmin:
        vmax = vmin + 1.0
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="AllStyleCategories")
    pipe = ET.SubElement(root, "pipe")
    rr = ET.SubElement(
        pipe,
        "rasterrenderer",
        type="singlebandpseudocolor",
        band=str(band),
        opacity="1",
        alphaBand="-1",
        classificationMin=f"{vmin:.15g}",
        classificationMax=f"{vmax:.15g}",
        nodataColor="",
    )
    ET.SubElement(rr, "rasterTransparency")
    mmo = ET.SubElement(rr, "minMaxOrigin")
    for tag, text in (
        ("limits", "None"),
        ("extent", "WholeRaster"),
        ("statAccuracy", "Estimated"),
        ("cumulativeCutLower", "0.02"),
        ("cumulativeCutUpper", "0.98"),
        ("stdDevFactor", "2"),
    ):
        ET.SubElement(mmo, tag).text = text
    shader = ET.SubElement(ET.SubElement(rr, "rastershader"), "colorrampshader")
    shader.attrib.update(
        colorRampType="INTERPOLATED",
        classificationMode="1",
        clip="0",
        minimumValue=f"{vmin:.15g}",
        maximumValue=f"{vmax:.15g}",
        labelPrecision="2",
    )
    values = np.linspace(vmin, vmax, len(colors))
    for value, color in zip(values, colors, strict=True):
        ET.SubElement(
            shader,
            "item",
            alpha="255",
            value=f"{value:.15g}",
            label=f"{value:.4g}",
            color=color.lower()[:7],
        )
    ET.SubElement(pipe, "brightnesscontrast", brightness="0", contrast="0", gamma="1")
    ET.SubElement(pipe, "huesaturation", saturation="0", grayscaleMode="0", colorizeOn="0")
    ET.SubElement(pipe, "rasterresampler", maxOversampling="2")
    ET.SubElement(root, "blendMode").text = "0"
    ET.indent(root)
    return qgis_document(root)


def _ramp(colors: Sequence[str], n: int) -> list[str]:
    """``n`` colours spread over the stops ``colors`` (nearest stop)."""
    if n <= 1:
        return [colors[-1]] * n
    idx = np.round(np.linspace(0, len(colors) - 1, n)).astype(int)
    return [colors[i] for i in idx]


def class_breaks(values: Any, *, n: int = 5) -> list[float]:
    """Quantile class breaks (``n + 1`` distinct edges) of the finite ``values``."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return [0.0, 1.0]
    edges = np.unique(np.quantile(v, np.linspace(0, 1, n + 1)))
    if edges.size == 1:
        edges = np.array([edges[0], edges[0] + 1.0])
    edges[0] = min(edges[0], v.min()) - 1e-9 * max(1.0, abs(edges[0]))
    return [float(e) for e in edges]


def metric_qml(
    values: Any,
    *,
    field: str,
    geometry: str,
    colors: Sequence[str] = ISOLATION_RAMP,
    n: int = 5,
    label: str | None = None,
    width: float = 1.2,
) -> str:
    """Build a graduated style of ``field`` with quantile classes of ``values``.

    Polygons are filled, lines drawn ``width`` mm wide.
    """
    edges = class_breaks(values, n=n)
    cols = _ramp(colors, len(edges) - 1)
    ranges = []
    for lo, hi, c in zip(edges[:-1], edges[1:], cols, strict=True):
        sym = (
            Symbol(c, outline="#80808080", outline_width=0.1)
            if geometry == "polygon"
            else Symbol(c, size=width)
        )
        ranges.append(Range(lo, hi, f"{max(lo, 0) if lo < 0 < hi else lo:.3g} – {hi:.3g}", sym))
    return graduated_qml(field=field, geometry=geometry, ranges=ranges, label=label)
