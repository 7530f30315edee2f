"""The report's maps, and the classes of the metric maps (the report's and the web map's).

:func:`_map_crossings` draws the border and its crossings by category
(:data:`borderzone.deliver.styles.CATEGORY_COLORS`), :func:`_map_metric` the cells (or
segments) coloured by one measure in classes; both set the two countries' outlines and the
names of their regions (admin_level 4) behind, for orientation. Each returns a PNG as a
``data:`` URI (:func:`_png`) for the self-contained report.

A measure is drawn in classes that show its differences (:func:`metric_classes`): the
isolation index and travel times in quantile classes (:func:`borderzone.qml.class_breaks`,
the classes of the QGIS styles: each holds about a fifth of the cells), population density
in log classes at 1, 3, 10, 30... people/km² (:func:`log_breaks`), since a few towns hold
most people and a linear scale puts nearly every cell in its lowest class. The legend
names the kind of classes and counts the cells in each.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.deliver.styles import CATEGORY_COLORS, DENSITY_FIELDS
from borderzone.qml import class_breaks

#: Fill and edge of the two countries' outlines on the maps (first and second of the pair).
COUNTRY_FILLS = ("#f3efe6", "#e9eef3")
COUNTRY_EDGE = "#7a7a7a"
REGION_EDGE = "#a8a8a8"
MISSING_COLOR = "#dddddd"
N_CLASSES = 5


# --------------------------------------------------------------------------------------
# classes


def log_breaks(values: Any) -> list[float]:
    """Class edges at 1, 3, 10, 30... (×10^k) spanning the finite ``values``.

    The lowest edge is the largest such number at or below the smallest positive value
    (0 when a value is 0 or less), the highest the smallest one at or above the largest.
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    pos = v[v > 0]
    if pos.size == 0:
        return [0.0, 1.0]
    lo_k, hi_k = math.floor(math.log10(pos.min())) - 1, math.ceil(math.log10(pos.max())) + 1
    ladder = np.array([m * 10.0**k for k in range(lo_k, hi_k + 1) for m in (1, 3)])
    low = ladder[ladder <= pos.min()].max()
    high = ladder[ladder >= pos.max()].min()
    edges = ladder[(ladder >= low) & (ladder <= high)]
    if edges.size == 1:
        edges = np.array([edges[0], edges[0] * 3])
    if v.min() <= 0:
        edges = np.concatenate([[min(0.0, float(v.min()))], edges])
    return [float(e) for e in edges]


def metric_classes(values: Any, *, scheme: str, n: int = N_CLASSES) -> list[float]:
    """Class edges of ``values``: ``quantile`` (``n`` classes of equal counts) or ``log``.

    Raises
    ------
    ValueError
        For another ``scheme``.
    """
    if scheme == "quantile":
        return class_breaks(values, n=n)
    if scheme == "log":
        return log_breaks(values)
    raise ValueError(f"class scheme {scheme!r}: expected 'quantile' or 'log'")


def class_scheme(column: str) -> str:
    """Pick the class scheme of a measure: ``log`` for population density, else ``quantile``."""
    return "log" if column in DENSITY_FIELDS else "quantile"


def class_index(values: Any, edges: Sequence[float]) -> np.ndarray:
    """Class of each value (0 = lowest; classes include their upper edge), -1 when missing."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    e = np.asarray(edges, dtype=float)
    idx = np.clip(np.searchsorted(e, v, side="left") - 1, 0, len(e) - 2)
    return np.where(np.isfinite(v), idx, -1)


def scheme_title(scheme: str) -> str:
    """How the classes were made, for a legend."""
    if scheme == "log":
        return "log classes (1, 3, 10, 30…)"
    return "quantile classes (about equal counts)"


def class_labels(edges: Sequence[float]) -> list[str]:
    """Label each class ``lo – hi`` (three significant digits, whole numbers from 100)."""

    def num(v: float) -> str:
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"

    return [f"{num(lo)} – {num(hi)}" for lo, hi in zip(edges[:-1], edges[1:], strict=False)]


def ramp_colors(stops: Sequence[str], n: int) -> list[str]:
    """``n`` colours interpolated linearly (in RGB) along the colour ``stops``."""
    rgb = np.array([[int(s[i : i + 2], 16) for i in (1, 3, 5)] for s in stops], dtype=float)
    at = np.linspace(0, len(stops) - 1, max(n, 1)) if n > 1 else np.array([len(stops) - 1.0])
    cols = np.column_stack([np.interp(at, np.arange(len(stops)), rgb[:, c]) for c in range(3)])
    return ["#" + "".join(f"{round(x):02x}" for x in row) for row in cols]


# --------------------------------------------------------------------------------------
# orientation: outlines and regions


def region_areas(admin: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Select the admin_level 4 areas of ``admin``, in EPSG:4326, with a display ``label``.

    The label is ``name:en`` where set, else ``name``; empty without admin areas.
    """
    empty = gpd.GeoDataFrame({"label": []}, geometry=[], crs=4326)
    if admin is None or len(admin) == 0 or "admin_level" not in admin.columns:
        return empty
    level = pd.to_numeric(admin["admin_level"], errors="coerce")
    a = admin[level == 4].to_crs(4326)
    if len(a) == 0:
        return empty
    label = a["name"] if "name" in a.columns else pd.Series("", index=a.index)
    if "name:en" in a.columns:
        label = a["name:en"].where(a["name:en"].notna() & (a["name:en"] != ""), label)
    return gpd.GeoDataFrame(
        {"label": label.fillna("").astype(str).to_numpy()},
        geometry=a.geometry.to_numpy(),
        crs=4326,
    )


def _view(*layers: gpd.GeoDataFrame | None, pad: float = 0.08) -> tuple[float, ...]:
    bounds = np.array([g.to_crs(4326).total_bounds for g in layers if g is not None and len(g)])
    x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
    x1, y1 = bounds[:, 2].max(), bounds[:, 3].max()
    dx, dy = max(x1 - x0, 0.1) * pad, max(y1 - y0, 0.1) * pad
    return (x0 - dx, y0 - dy, x1 + dx, y1 + dy)


def _context(
    ax: Any,
    view: tuple[float, ...],
    outlines: gpd.GeoDataFrame | None,
    regions: gpd.GeoDataFrame | None,
) -> None:
    """Countries (filled, ISO3 code) and regions (thin edges, names) inside ``view``."""
    from matplotlib.patheffects import withStroke

    frame = shapely.box(*view)
    frame_area = frame.area
    if outlines is not None and len(outlines):
        o = outlines.to_crs(4326)
        codes = o["iso3"].astype(str).tolist() if "iso3" in o.columns else [""] * len(o)
        for i, (code, geom) in enumerate(zip(codes, o.geometry, strict=True)):
            piece = shapely.intersection(geom, frame)
            if piece.is_empty:
                continue
            gpd.GeoSeries([piece], crs=4326).plot(
                ax=ax,
                color=COUNTRY_FILLS[i % len(COUNTRY_FILLS)],
                edgecolor=COUNTRY_EDGE,
                linewidth=0.7,
                zorder=0,
            )
            if code and piece.area > 0.02 * frame_area:
                p = piece.representative_point()
                ax.annotate(
                    code,
                    (p.x, p.y),
                    ha="center",
                    va="center",
                    fontsize=16,
                    color="#9a9a9a",
                    alpha=0.6,
                    fontweight="bold",
                    zorder=0.5,
                )
    r = region_areas(regions)
    if len(r):
        r.boundary.plot(ax=ax, color=REGION_EDGE, linewidth=0.4, zorder=0.6)
        for label, geom in zip(r["label"], r.geometry, strict=True):
            piece = shapely.intersection(geom, frame)
            if not label or piece.is_empty or piece.area < 0.004 * frame_area:
                continue
            p = piece.representative_point()
            ax.annotate(
                textwrap.fill(label, 16),
                (p.x, p.y),
                ha="center",
                va="center",
                fontsize=5.5,
                color="#444444",
                zorder=4,
                path_effects=[withStroke(linewidth=1.6, foreground="white")],
            )
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])


# --------------------------------------------------------------------------------------
# figures


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _map_crossings(
    border: gpd.GeoDataFrame,
    crossings: pd.DataFrame | None,
    *,
    outlines: gpd.GeoDataFrame | None = None,
    regions: gpd.GeoDataFrame | None = None,
) -> str:
    """Map the border (every row of its layer) and the crossings by category.

    Over the two countries' ``outlines`` and the names of the admin_level 4 ``regions``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 4.2))
    _context(ax, _view(border), outlines, regions)
    border.to_crs(4326).plot(ax=ax, color="#1a1a1a", linewidth=1.2, zorder=2)
    if crossings is not None and len(crossings):
        c = pd.DataFrame(crossings)
        for cat, color in CATEGORY_COLORS.items():
            sel = c[c["category"] == cat]
            if len(sel):
                marker = "D" if cat.startswith("rail") else "o"
                ax.scatter(
                    sel["lon"],
                    sel["lat"],
                    s=22,
                    c=color,
                    marker=marker,
                    edgecolors="black",
                    linewidths=0.4,
                    label=f"{cat} ({len(sel)})",
                    zorder=3,
                )
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=True)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_aspect(1.6)
    ax.set_title("Border and crossings by category")
    return _png(fig)


def _map_metric(
    geoms: gpd.GeoDataFrame,
    column: str,
    title: str,
    cmap: str,
    *,
    outlines: gpd.GeoDataFrame | None = None,
    regions: gpd.GeoDataFrame | None = None,
    scheme: str | None = None,
) -> str:
    """Map ``geoms`` coloured by ``column`` in classes of the matplotlib colormap ``cmap``.

    The classes are ``scheme``'s (by default :func:`class_scheme`), drawn over the
    countries' ``outlines`` and region names; the legend names the classes and counts
    the cells in each.
    """
    from matplotlib.patches import Patch

    plt = _pyplot()
    scheme = scheme or class_scheme(column)
    g = geoms.to_crs(4326)
    edges = metric_classes(g[column], scheme=scheme)
    k = len(edges) - 1
    cm = plt.get_cmap(cmap)
    colors = [cm(0.15 + 0.85 * i / max(k - 1, 1)) for i in range(k)]
    idx = class_index(g[column], edges)
    fig, ax = plt.subplots(figsize=(11, 4.2))
    _context(ax, _view(g), outlines, regions)
    line = g.geom_type.str.contains("Line").all()
    handles = []
    for i, label in enumerate(class_labels(edges)):
        sel = g[idx == i]
        if len(sel):
            sel.plot(ax=ax, color=colors[i], linewidth=3 if line else 0, zorder=1)
        handles.append(
            Patch(facecolor=colors[i], edgecolor="#666666", label=f"{label} ({len(sel)})")
        )
    if (idx < 0).any():
        g[idx < 0].plot(ax=ax, color=MISSING_COLOR, linewidth=3 if line else 0, zorder=1)
        handles.append(Patch(facecolor=MISSING_COLOR, label=f"no value ({int((idx < 0).sum())})"))
    ax.legend(
        handles=handles,
        title=f"{column}\n{scheme_title(scheme)}",
        title_fontsize=7,
        fontsize=7,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        frameon=True,
    )
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_aspect(1.6)
    ax.set_title(title)
    return _png(fig)
