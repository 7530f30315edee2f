"""The run's report: one self-contained HTML page, and the provenance of every output.

:func:`render_report` writes maps, profiles along the chainage, region tables, the cluster
typology and the table that sets the published figures (:mod:`borderzone.published`)
beside the ones computed from the run, with the source and date of each. Images are PNGs
inlined as base64 and there is no script, stylesheet or font from the network: the file
opens from disk anywhere.

:func:`provenance` gathers what made a run (sources with checksum and date, config hash,
package version, times); :func:`metadata_strings` flattens it for GeoPackage metadata,
:func:`tag_geotiff` writes it into GeoTIFF tags, and the report prints it in its footer.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from jinja2 import Environment

from borderzone import __version__
from borderzone.deliver.styles import CROSSING_CATEGORIES, density_field, isolation_field
from borderzone.published import PublishedFigure, match_region

log = logging.getLogger(__name__)

NOT_COMPUTED_ADMIN = "not computed: no admin areas in this run"

# --------------------------------------------------------------------------------------
# provenance


def file_record(
    path: str | Path, *, role: str = "", url: str | None = None, note: str = ""
) -> dict[str, Any]:
    """Name, size, modification date and SHA-256 of an input file.

    Parameters
    ----------
    path
        The file.
    role
        What it is for the run: ``outlines``, ``osm``, ``population``, ``admin``...
    url
        Where it was downloaded from, if it was.
    note
        Anything else worth saying (e.g. that the data are synthetic).
    """
    path = Path(path)
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return {
        "role": role,
        "name": path.name,
        "path": str(path),
        "url": url or "",
        "date": mtime.date().isoformat(),
        "bytes": path.stat().st_size,
        "sha256": h.hexdigest(),
        "note": note,
    }


def provenance(
    sources: Sequence[Mapping[str, Any]],
    *,
    config_sha256: str,
    started: dt.datetime | None = None,
    osm_timestamp: str | None = None,
    synthetic: bool = False,
    version: str = __version__,
) -> dict[str, Any]:
    """Gather the provenance of a run's outputs.

    Parameters
    ----------
    sources
        One record per input (:func:`file_record`, or a mapping with at least ``name``).
    config_sha256
        Hash of the configuration (:func:`borderzone.config.config_hash`).
    started
        When the run started; the run time is measured from it.
    osm_timestamp
        ``osmosis_replication_timestamp`` of the OSM extract, when known.
    synthetic
        Whether the roads and railways are synthetic.
    version
        Package version.
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        "sources": [dict(s) for s in sources],
        "osm_timestamp": osm_timestamp or "",
        "synthetic": bool(synthetic),
        "config_sha256": config_sha256,
        "borderzone_version": version,
        "created": now.isoformat(),
        "run_time_s": round((now - started).total_seconds(), 1) if started else None,
    }


def metadata_strings(prov: Mapping[str, Any]) -> dict[str, str]:
    """Provenance as string key/values (GeoPackage dataset metadata, GeoTIFF tags)."""
    out = {}
    for key, value in prov.items():
        out[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return out


def tag_geotiff(path: str | Path, prov: Mapping[str, Any]) -> None:
    """Write the provenance into the dataset tags of a GeoTIFF (in place)."""
    import rasterio

    with rasterio.open(path, "r+") as ds:
        ds.update_tags(**metadata_strings(prov))


# --------------------------------------------------------------------------------------
# published against computed


@dataclass
class Comparison:
    """One row of the published-against-computed table."""

    label: str
    published: str
    computed: str
    source: str
    note: str = ""
    differs: bool | None = None


def _fmt(value: float, unit: str) -> str:
    if unit == "share":
        return f"{100 * value:.0f} %"
    if unit == "people":
        return f"{value / 1e6:.2f} M" if value >= 1e5 else f"{value:,.0f}"
    if unit == "km":
        return f"{value:,.0f} km"
    if unit == "people/km²":
        return f"{value:.2f} people/km²"
    return f"{value:,.0f}"


def _agrees(fig: PublishedFigure, value: float) -> bool:
    ref = fig.value or 0.0
    if fig.qualifier == ">":
        return value > ref
    if fig.qualifier == "<":
        return value < ref
    tol = 0.15 if fig.qualifier == "~" else 0.05
    return abs(value - ref) <= tol * max(abs(ref), 1e-9)


def _source(prov: Mapping[str, Any] | None, role: str, fallback: str = "this run") -> str:
    for s in (prov or {}).get("sources", []):
        if s.get("role") == role:
            where = s.get("url") or s.get("path") or s.get("name", "")
            return f"{s.get('name', where)} ({s.get('date', 'undated')})"
    return fallback


def _regions(region_table: pd.DataFrame | None) -> pd.DataFrame | None:
    if region_table is None or len(region_table) == 0:
        return None
    rt = pd.DataFrame(region_table).copy()
    if "level" in rt:
        rt = rt[rt["level"].isin(["region", 4, "4"])]
    rt["published_name"] = rt["region"].map(match_region)
    return rt


def compare_published(
    published: Sequence[PublishedFigure],
    *,
    border: gpd.GeoDataFrame,
    crossings: pd.DataFrame | None,
    region_table: pd.DataFrame | None = None,
    metrics: pd.DataFrame | None = None,
    provenance: Mapping[str, Any] | None = None,
    pair: Sequence[str] = ("RUS", "KAZ"),
) -> list[Comparison]:
    """Set the published figures beside the ones computed from the run.

    A figure the run's data cannot give is reported as not computed, with the reason.

    Parameters
    ----------
    published
        The published figures (:data:`borderzone.published.PUBLISHED_RUS_KAZ`).
    border
        The ``border`` layer (``length_km``).
    crossings
        The crossings (``kind``, ``highway``, ``surface_class``, ``official``).
    region_table
        Admin regions on the border: ``side``, ``region``, optionally ``level``
        (``region``/``district``), ``population``, ``area_km2``, ``rural_share``.
    metrics
        Segment metrics (``seg_id``, ``side``, ``population``...): for the population
        within the buffer, given beside the published regional figures.
    provenance
        :func:`provenance` of the run: gives each computed figure its source and date.
    pair
        ISO3 codes of the two sides.
    """
    osm = _source(provenance, "osm")
    synthetic = bool((provenance or {}).get("synthetic"))
    admin = _source(provenance, "admin", "admin areas of this run")
    rt = _regions(region_table)
    rows: list[Comparison] = []
    for fig in published:
        value: float | None = None
        source, note, reason = osm, fig.note, ""
        if fig.key == "border_km":
            value = float(border["length_km"].iloc[0])
            source = _source(provenance, "outlines")
            note = (
                "Geodesic length of the line built from the two outlines; a line that follows "
                "rivers and meanders at 10 m resolution is longer than the treaty figure."
            )
        elif fig.key in ("rail_lines", "roads", "trunk_roads", "dirt_roads"):
            if crossings is None:
                reason = "not computed: no crossings in this run"
            else:
                c = pd.DataFrame(crossings)
                road = c[c["kind"] == "road"]
                if fig.key == "rail_lines":
                    value = float((c["kind"] == "rail").sum())
                    note = "Crossing points of railways; a line that crosses twice counts twice."
                elif fig.key == "roads":
                    value = float(len(road))
                    note = "Crossing points of roads of every class, tracks included."
                elif fig.key == "trunk_roads":
                    value = float(road["highway"].isin(["motorway", "trunk"]).sum())
                    note = "Roads tagged highway=motorway or trunk where they cross."
                else:
                    value = float((road["surface_class"] == "unpaved").sum())
                    note = "Roads whose surface class is unpaved (tags or track class)."
        elif fig.key.startswith("regions_"):
            side = fig.key.split("_", 1)[1]
            if rt is None:
                reason = NOT_COMPUTED_ADMIN
            else:
                names = set(rt.loc[rt["side"] == side, "region"])
                value = float(len(names))
                found = set(rt.loc[rt["side"] == side, "published_name"].dropna())
                missing = [r for r in fig.items if r not in found]
                source = admin
                note = (f"Not found among them: {', '.join(missing)}." if missing else "") + (
                    " " + fig.note if fig.note else ""
                )
        elif fig.unit in ("people", "share", "people/km²"):
            reason = _regional(fig, rt)
            if not reason:
                value, note = _regional_value(fig, rt)
                source = admin
                if value is None:
                    reason, note = f"not computed: {note}", fig.note
        else:
            reason = "not computed by this workflow"
        if value is None:
            rows.append(Comparison(fig.label, fig.text, reason or "not computed", fig.source, note))
            continue
        differs = not _agrees(fig, value)
        if differs:
            why = f"Differs by {100 * (value - (fig.value or 0)) / (fig.value or 1):+.0f} %"
            if synthetic and fig.key in _TRANSPORT:
                why += ": the run's roads and railways are synthetic"
            elif synthetic and fig.unit in ("people", "people/km²"):
                why += (
                    ": the run's population raster is the synthetic world's (GeoNames towns "
                    "near the border and a rural background, within ~200 km of it), not "
                    "WorldPop (population.source: worldpop)"
                )
            note = f"{why}. {note}".strip()
        rows.append(
            Comparison(
                fig.label,
                fig.text,
                _fmt(value, fig.unit),
                f"published: {fig.source}; computed: {source}",
                note,
                differs,
            )
        )
    if metrics is not None and {"side", "population"} <= set(metrics.columns):
        pop = pd.DataFrame(metrics).groupby("side")["population"].sum()
        for side in pair:
            if side in pop:
                rows.append(
                    Comparison(
                        f"Population within the buffer, {side} side (computed only)",
                        "—",
                        _fmt(float(pop[side]), "people"),
                        _source(provenance, "population"),
                        "Sum over the segment cells; no published counterpart.",
                    )
                )
    return rows


_TRANSPORT = ("rail_lines", "roads", "trunk_roads", "dirt_roads")


def _regional(fig: PublishedFigure, rt: pd.DataFrame | None) -> str:
    if rt is None:
        return NOT_COMPUTED_ADMIN
    if fig.key == "pop_RUS_districts" and not (
        "level" in rt.columns and rt["level"].isin(["district", 6, "6"]).any()
    ):
        return "not computed: no district (admin level 6) populations in this run"
    need = {"share": "rural_share", "people/km²": "area_km2"}.get(fig.unit, "population")
    if need not in rt.columns or "population" not in rt.columns:
        return f"not computed: the admin areas of this run have no {need}"
    return ""


def _regional_value(fig: PublishedFigure, rt: pd.DataFrame) -> tuple[float | None, str]:
    side = "RUS" if "RUS" in fig.key else "KAZ" if "KAZ" in fig.key else None
    if fig.items:
        sel = rt[rt["published_name"].isin(fig.items)]
        missing = [r for r in fig.items if r not in set(sel["published_name"])]
        if missing:
            return None, f"not found in the admin areas: {', '.join(missing)}"
    else:
        sel = rt[rt["side"] == side]
    if sel.empty:
        return None, "no admin areas on this side"
    if fig.unit == "share":
        w = sel["population"].fillna(0)
        return float((sel["rural_share"] * w).sum() / max(w.sum(), 1)), fig.note
    if fig.unit == "people/km²":
        return float(sel["population"].sum() / sel["area_km2"].sum()), fig.note
    return float(sel["population"].sum()), fig.note


# --------------------------------------------------------------------------------------
# figures


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


CATEGORY_COLORS = dict(
    zip(
        CROSSING_CATEGORIES,
        ("#d7301f", "#fc8d59", "#fdae61", "#8c510a", "#253494", "#74add1"),
        strict=True,
    )
)


def _map_crossings(border: gpd.GeoDataFrame, crossings: pd.DataFrame | None) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 4.2))
    border.to_crs(4326).plot(ax=ax, color="#1a1a1a", linewidth=1.2)
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
        ax.legend(loc="best", fontsize=7, frameon=True)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_aspect(1.6)
    ax.set_title("Border and crossings by category")
    return _png(fig)


def _map_metric(geoms: gpd.GeoDataFrame, column: str, title: str, cmap: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 4.2))
    g = geoms.to_crs(4326)
    lw = 3 if g.geom_type.str.contains("Line").all() else 0.1
    g.plot(
        ax=ax,
        column=column,
        cmap=cmap,
        legend=True,
        linewidth=lw,
        missing_kwds={"color": "#dddddd"},
        legend_kwds={"shrink": 0.6, "label": column},
    )
    ax.set_aspect(1.6)
    ax.set_title(title)
    return _png(fig)


PROFILE_COLUMNS = (
    ("isolation_index", "isolation index"),
    ("isolation", "isolation index"),
    ("time_to_crossing_min", "travel time to a crossing (min)"),
    ("time_crossing_min", "travel time to a crossing (min)"),
    ("dist_road_crossing_km", "distance to a road crossing (km)"),
    ("dist_crossing_km", "distance to a crossing (km)"),
    ("population", "population"),
    ("pop_density_km2", "population density (people/km²)"),
    ("density", "population density (people/km²)"),
    ("road_km_per_km2", "road density (km/km²)"),
    ("road_density", "road density (km/km²)"),
)


def _profiles(segments: gpd.GeoDataFrame, metrics: pd.DataFrame, crossings: Any) -> str | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = pd.DataFrame(metrics).drop(columns="geometry", errors="ignore")
    cols, seen = [], set()
    for c, lab in PROFILE_COLUMNS:
        if c in m.columns and lab not in seen:
            cols.append((c, lab))
            seen.add(lab)
    if not cols:
        return None
    km = segments.set_index("seg_id")[["from_km", "to_km"]].mean(axis=1).rename("km")
    m = m.join(km, on="seg_id").sort_values("km")
    fig, axes = plt.subplots(len(cols), 1, figsize=(11, 1.9 * len(cols)), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, (col, lab) in zip(axes, cols, strict=True):
        for side, g in m.groupby("side"):
            ax.plot(g["km"], g[col], drawstyle="steps-mid", linewidth=1, label=str(side))
        if crossings is not None and len(crossings):
            for k in pd.DataFrame(crossings)["km"]:
                ax.axvline(k, color="#bbbbbb", linewidth=0.4, zorder=0)
        ax.set_ylabel(lab, fontsize=8)
        ax.legend(fontsize=7, loc="upper right")
    axes[-1].set_xlabel("chainage from the western end (km); grey lines: crossings")
    return _png(fig)


# --------------------------------------------------------------------------------------
# the page

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title>
<style>
body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f0f0f0} td.num{text-align:right}
tr.differs td.computed{background:#fde0dd} tr.agrees td.computed{background:#e5f5e0}
td.nc{color:#777;font-style:italic}
.synthetic{background:#fff3cd;border:2px solid #d39e00;padding:.6em 1em;font-weight:bold}
img{max-width:100%} footer{font-size:12px;color:#555;border-top:1px solid #ccc;margin-top:2em}
code{font-size:12px}
</style></head><body>
<h1>{{ title }}</h1>
{% if synthetic %}<p class="synthetic" id="synthetic-notice">The roads and railways of this run
are SYNTHETIC (generated, not OpenStreetMap data): every transport count and accessibility
figure below describes the synthetic world, not the real border.</p>{% endif %}

<h2 id="published">{{ comparison_heading }}</h2>
<table id="published-table"><thead><tr><th>figure</th><th>published</th><th>computed</th>
<th>sources and dates</th><th>note</th></tr></thead><tbody>
{% for r in comparison %}<tr class="{{ 'differs' if r.differs else 'agrees' if r.differs is
 not none else 'nc' }}"><td>{{ r.label }}</td><td class="num">{{ r.published }}</td>
<td class="computed num{{ ' nc' if r.differs is none and r.computed.startswith('not') else '' }}">
{{ r.computed }}</td><td>{{ r.source }}</td><td>{{ r.note }}</td></tr>
{% endfor %}</tbody></table>
{% if other_lengths %}<p>Other published lengths:
{% for text, src in other_lengths %}{{ text }} ({{ src }}){{ '; ' if not loop.last }}{% endfor %}.
</p>{% endif %}

<h2 id="maps">Maps</h2>
{% for title, img in maps %}<figure><img alt="{{ title }}" src="{{ img }}">
<figcaption>{{ title }}</figcaption></figure>{% endfor %}

{% if profiles %}<h2 id="profiles">Profiles along the border</h2>
<img alt="profiles along the chainage" src="{{ profiles }}">{% endif %}

{% if summary %}<h2 id="crossings">Crossings</h2>{{ summary }}{% endif %}

<h2 id="regions">Regions on the border</h2>
{% if regions %}{{ regions }}{% else %}<p class="nc">{{ not_computed_admin }}.</p>{% endif %}
{% if pairs %}<h3>Region pairs</h3>{{ pairs }}{% endif %}

{% if clusters %}<h2 id="typology">Typology of the border segments</h2>{{ clusters }}{% endif %}

<footer id="provenance"><h2>Provenance</h2>
<table><thead><tr><th>role</th><th>source</th><th>date</th><th>SHA-256</th><th>note</th></tr>
</thead><tbody>{% for s in prov.sources %}<tr><td>{{ s.role }}</td>
<td>{{ s.url or s.path or s.name }}</td><td>{{ s.date }}</td><td><code>{{ s.sha256 }}</code></td>
<td>{{ s.note }}</td></tr>{% endfor %}</tbody></table>
<p>OSM timestamp: {{ prov.osm_timestamp or 'unknown' }} · configuration SHA-256:
<code>{{ prov.config_sha256 }}</code> · borderzone {{ prov.borderzone_version }} ·
written {{ prov.created }}{% if prov.run_time_s is not none %} · run time
{{ prov.run_time_s }} s{% endif %}</p></footer>
</body></html>
"""


def _table(df: pd.DataFrame | None, *, float_format: str = "{:,.2f}") -> str:
    if df is None or len(df) == 0:
        return ""
    df = pd.DataFrame(df).drop(columns=["geometry"], errors="ignore")
    return df.to_html(
        index=False,
        border=0,
        na_rep="—",
        float_format=lambda v: float_format.format(v),
        classes="data",
    )


def _pairs(rt: pd.DataFrame | None, published: Sequence[PublishedFigure]) -> pd.DataFrame | None:
    if rt is None or "population" not in rt.columns:
        return None
    groups = [f for f in published if f.key.startswith("pop_") and f.items]
    rows = []
    for fig in groups:
        sel = rt[rt["published_name"].isin(fig.items)]
        found = set(sel["published_name"])
        rows.append(
            {
                "regions": " + ".join(fig.items),
                "published": fig.text,
                "computed": _fmt(float(sel["population"].sum()), "people")
                if found == set(fig.items)
                else "not found in the admin areas",
            }
        )
    return pd.DataFrame(rows) if rows else None


def _clusters(metrics: pd.DataFrame | None) -> pd.DataFrame | None:
    if metrics is None or "cluster" not in metrics.columns:
        return None
    m = pd.DataFrame(metrics).drop(columns="geometry", errors="ignore")
    keys = ["cluster"] + [c for c in ("label", "cluster_label") if c in m.columns]
    num = [
        c for c in m.select_dtypes("number").columns if c not in ("seg_id", "cluster", "width_km")
    ]
    out = m.groupby(keys).agg(cells=("seg_id", "size"), **{c: (c, "mean") for c in num})
    return out.reset_index()


def render_report(
    path: str | Path,
    *,
    border: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    crossings: pd.DataFrame | None,
    summary: pd.DataFrame | None,
    metrics: pd.DataFrame | None,
    region_table: pd.DataFrame | None,
    published: Sequence[PublishedFigure],
    provenance: Mapping[str, Any],
    cells: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    other_lengths: Sequence[tuple[str, str]] = (),
) -> None:
    """Write the run's report as one self-contained HTML file.

    Parameters
    ----------
    path
        Destination ``.html``.
    border, segments
        Layers of ``border.gpkg``.
    crossings
        The crossings (``crossing_id``, ``kind``, ``km``, ``lon``, ``lat``, ``category``...);
        None when the run has none.
    summary
        The crossings summary table, shown as it is.
    metrics
        Segment metrics, one row per ``seg_id`` × ``side`` (with cell geometry or not).
    region_table
        Admin regions on the border (see :func:`compare_published`); None when the run
        has no admin areas: the regional figures are then reported as not computed.
    published
        Published figures to compare with (:func:`borderzone.published.published_figures`).
    provenance
        :func:`provenance` of the run; its ``synthetic`` flag puts the notice on top and in
        the heading of the comparison.
    cells
        Cells of one width, to map the metrics on when ``metrics`` has no geometry.
    title
        Page title.
    other_lengths
        Other published lengths of the border, (text, source).
    """
    path = Path(path)
    pair = str(border["pair"].iloc[0]) if "pair" in border.columns else "RUS-KAZ"
    sides = pair.split("-")
    synthetic = bool(provenance.get("synthetic"))
    comparison = compare_published(
        published,
        border=border,
        crossings=crossings,
        region_table=region_table,
        metrics=metrics,
        provenance=provenance,
        pair=sides,
    )
    heading = "Published figures beside the computed ones"
    if synthetic:
        heading += " — computed from SYNTHETIC roads and railways, not real OpenStreetMap data"
    maps = [("Border and crossings by category", _map_crossings(border, crossings))]
    geoms = None
    if metrics is not None:
        if isinstance(metrics, gpd.GeoDataFrame):
            geoms = metrics
        elif cells is not None:
            geoms = cells.merge(
                pd.DataFrame(metrics).drop(columns=["width_km", "area_km2"], errors="ignore"),
                on=["seg_id", "side"],
            )
        else:
            agg = pd.DataFrame(metrics).groupby("seg_id").max(numeric_only=True)
            geoms = segments.merge(agg, left_on="seg_id", right_index=True)
    if geoms is not None:
        iso = isolation_field(list(geoms.columns))
        if iso:
            maps.append(("Isolation index", _map_metric(geoms, iso, "Isolation", "YlOrRd")))
        dens = density_field(list(geoms.columns))
        if dens:
            maps.append(
                ("Population density", _map_metric(geoms, dens, "Population density", "Blues"))
            )
    rt = _regions(region_table)
    env = Environment(autoescape=True)
    html = env.from_string(TEMPLATE).render(
        title=title or f"borderzone: the {pair} border",
        synthetic=synthetic,
        comparison_heading=heading,
        comparison=comparison,
        other_lengths=other_lengths,
        maps=maps,
        profiles=_profiles(segments, metrics, crossings) if metrics is not None else None,
        summary=_markup(_table(summary)),
        regions=_markup(_table(rt.drop(columns="published_name") if rt is not None else None)),
        pairs=_markup(_table(_pairs(rt, published))),
        clusters=_markup(_table(_clusters(metrics))),
        not_computed_admin=NOT_COMPUTED_ADMIN,
        prov=provenance,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    log.info("wrote %s (%d published figures compared)", path, len(comparison))


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)  # tables from pandas.to_html, which escapes the cell values


def write_report_caption(path: str | Path, *, pair: str, synthetic: bool) -> None:
    """Write the reStructuredText caption of the report for ``snakemake --report``.

    Wire it in the rule as
    ``report("results/{pair}/report.html", caption="../report/report.rst",
    category="Report")``; this function writes such a caption for a given run.
    """
    text = (
        f"Report of the {pair} border zone run: maps, profiles along the chainage, region "
        "tables, typology, and the published figures beside the computed ones."
    )
    if synthetic:
        text += " **The roads and railways of this run are synthetic.**"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text + "\n", encoding="utf-8")
