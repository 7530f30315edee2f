"""The run's report: one self-contained HTML page.

:func:`write_report` (the rule's function) and :func:`render_report` write the parts of
the border with their breaks and bridged gaps (:mod:`borderzone.deliver.parts`), maps,
profiles along the chainage, region tables, the cluster typology and the table that sets the
published figures (:mod:`borderzone.published`) beside the ones computed from the run
(:mod:`borderzone.deliver.comparison`), with the source and date of each (a figure of the
article with the line of its text), a section per article table
(:mod:`borderzone.deliver.article_report`); the footer
prints the run record (:mod:`borderzone.deliver.run_record`). Images are PNGs inlined as
base64 and there is no script, stylesheet or font from the network: the file opens from
disk anywhere. The page holds no time from the clock: it is dated by the run record
(``SOURCE_DATE_EPOCH``, else the OSM replication timestamp, else "unknown"), so the same
inputs give the same bytes (matplotlib's PNGs carry no date).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from jinja2 import Environment

from borderzone.deliver.article import official_length_km
from borderzone.deliver.article_report import article_sections
from borderzone.deliver.comparison import (
    NOT_COMPUTED_ADMIN,
    compare_published,
    matched_regions,
    region_pairs,
)
from borderzone.deliver.parts import part_ranges, parts_section
from borderzone.deliver.report_maps import _map_crossings, _map_metric, _png, _pyplot
from borderzone.deliver.styles import density_field, isolation_field
from borderzone.io import replacing
from borderzone.published import PublishedFigure, other_lengths, published_figures

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------
# figures


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


def _profiles(
    segments: gpd.GeoDataFrame,
    metrics: pd.DataFrame,
    crossings: Any,
    *,
    part_ends_km: Sequence[float] = (),
) -> str | None:
    plt = _pyplot()
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
        for k in part_ends_km:
            ax.axvline(k, color="#222222", linewidth=0.8, linestyle="--", zorder=0)
        ax.set_ylabel(lab, fontsize=8)
        ax.legend(fontsize=7, loc="upper right")
    parts = (
        "; dashed: where one part of the border ends and the next starts" if part_ends_km else ""
    )
    axes[-1].set_xlabel(f"chainage from the start of the border (km); grey lines: crossings{parts}")
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

<h2 id="parts">Parts of the border</h2>
<p>{{ parts.sentence }}</p>{{ parts.table }}
{% if parts.breaks %}<h3 id="parts-breaks">Breaks between parts</h3>
<p>The border is cut into parts where the shared boundary stops for longer than the longest
gap bridged (<code>border.max_gap_km</code>); the straight line runs from the end of one part
to the start of the next, and adds nothing to the chainage.</p>{{ parts.breaks }}{% endif %}
{% if parts.gaps %}<h3 id="parts-gaps">Gaps bridged within the parts</h3>
<p>Shorter gaps between pieces of shared boundary are bridged by straight lines and counted
in the part's length.</p>{{ parts.gaps }}{% endif %}

{% if article %}<h2 id="article">{{ article_heading }}</h2>
{% for s in article %}<h3 id="{{ s.id }}">{{ s.title }}</h3><p>{{ s.intro }}</p>
{% if s.image %}<img alt="{{ s.title }}" src="{{ s.image }}">{% endif %}
{% if s.note %}<p class="note">{{ s.note }}</p>{% endif %}{{ s.table }}
{% endfor %}{% endif %}

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
</thead><tbody>{% for s in run.sources %}<tr><td>{{ s.role }}</td>
<td>{{ s.url or s.path or s.name }}</td><td>{{ s.date or '—' }}</td>
<td><code>{{ s.sha256 }}</code></td>
<td>{{ s.note }}</td></tr>{% endfor %}</tbody></table>
<p>OSM timestamp: {{ run.osm_timestamp or 'unknown' }} · configuration SHA-256:
<code>{{ run.config_sha256 }}</code> · borderzone {{ run.borderzone_version }} ·
dated {% if run.created %}{{ run.created }} ({{ run.date_source }}){% else %}unknown (no OSM
replication timestamp, SOURCE_DATE_EPOCH not set){% endif %}
{%- if run.run_time_s is not none %} · run time
{{ run.run_time_s }} s{% endif %}</p></footer>
</body></html>
"""


def _table(
    df: pd.DataFrame | None, *, float_format: str = "{:,.2f}", table_id: str | None = None
) -> str:
    if df is None or len(df) == 0:
        return ""
    df = pd.DataFrame(df).drop(columns=["geometry"], errors="ignore")
    return df.to_html(
        index=False,
        border=0,
        na_rep="—",
        float_format=lambda v: float_format.format(v),
        classes="data",
        table_id=table_id,
    )


def _parts_html(section: Mapping[str, Any]) -> dict[str, Any]:
    fmt = "{:,.1f}"
    return {
        "sentence": section["sentence"],
        "table": _markup(_table(section["table"], float_format=fmt, table_id="parts-table")),
        "breaks": _markup(_table(section["breaks"], float_format=fmt, table_id="breaks-table")),
        "gaps": _markup(_table(section["gaps"], float_format=fmt, table_id="gaps-table")),
    }


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
    run_record: Mapping[str, Any],
    cells: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    other_lengths: Sequence[tuple[str, str]] = (),
    countries: gpd.GeoDataFrame | None = None,
    admin: gpd.GeoDataFrame | None = None,
    article: Mapping[str, pd.DataFrame] | None = None,
    gaps: pd.DataFrame | None = None,
    breaks: pd.DataFrame | None = None,
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
    run_record
        The run's record (:func:`borderzone.deliver.run_record.run_record`), printed in the
        footer; its ``synthetic`` flag puts the notice on top and in
        the heading of the comparison.
    cells
        Cells of one width, to map the metrics on when ``metrics`` has no geometry.
    title
        Page title.
    other_lengths
        Other published lengths of the border, (text, source).
    countries, admin
        The two countries' outlines (``iso3``) and the admin areas (their admin_level 4
        regions are named), drawn behind the maps for orientation; None to leave out.
    article
        The article's tables recomputed (:mod:`borderzone.deliver.article`), by CSV stem,
        each shown as a section (:func:`borderzone.deliver.article_report.article_sections`).
    gaps, breaks
        The ``border_gaps`` and ``border_breaks`` layers of ``border.gpkg`` (None: no
        break, and the gaps as the ``border`` layer counts them), for the section on the
        parts of the border (:mod:`borderzone.deliver.parts`).
    """
    path = Path(path)
    pair = str(border["pair"].iloc[0]) if "pair" in border.columns else "RUS-KAZ"
    sides = pair.split("-")
    synthetic = bool(run_record.get("synthetic"))
    comparison = compare_published(
        published,
        border=border,
        crossings=crossings,
        region_table=region_table,
        metrics=metrics,
        run_record=run_record,
        pair=sides,
    )
    heading = "Published figures beside the computed ones"
    if synthetic:
        heading += " — computed from SYNTHETIC roads and railways, not real OpenStreetMap data"
    context = {"outlines": countries, "regions": admin}
    maps = [("Border and crossings by category", _map_crossings(border, crossings, **context))]
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
            maps.append(
                ("Isolation index", _map_metric(geoms, iso, "Isolation", "YlOrRd", **context))
            )
        dens = density_field(list(geoms.columns))
        if dens:
            maps.append(
                (
                    "Population density",
                    _map_metric(geoms, dens, "Population density", "Blues", **context),
                )
            )
    rt = matched_regions(region_table)
    env = Environment(autoescape=True)
    html = env.from_string(TEMPLATE).render(
        title=title or f"borderzone: the {pair} border",
        synthetic=synthetic,
        comparison_heading=heading,
        comparison=comparison,
        other_lengths=other_lengths,
        article=[
            {**section, "table": _markup(section["table"])}
            for section in article_sections(
                article or {},
                pair=pair,
                official_km=official_length_km(border),
            )
        ],
        article_heading=(
            "The article's tables, recomputed"
            if published
            else "Tables of the border, by region, route and scale"
        ),
        parts=_parts_html(parts_section(border, segments, crossings, metrics, gaps, breaks)),
        maps=maps,
        profiles=(
            _profiles(
                segments,
                metrics,
                crossings,
                part_ends_km=part_ranges(border)["to_km"].iloc[:-1].tolist(),
            )
            if metrics is not None
            else None
        ),
        summary=_markup(_table(summary)),
        regions=_markup(_table(rt.drop(columns="published_name") if rt is not None else None)),
        pairs=_markup(_table(region_pairs(rt, published))),
        clusters=_markup(_table(_clusters(metrics))),
        not_computed_admin=NOT_COMPUTED_ADMIN,
        run=run_record,
    )
    with replacing(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    log.info("wrote %s (%d published figures compared)", path, len(comparison))


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)  # tables from pandas.to_html, which escapes the cell values


def write_report(
    path: str | Path,
    *,
    border_layers: Mapping[str, gpd.GeoDataFrame],
    crossings: gpd.GeoDataFrame,
    summary: pd.DataFrame,
    metrics: gpd.GeoDataFrame,
    regions: pd.DataFrame,
    pair: Sequence[str],
    run_record: Mapping,
    article: Mapping[str, pd.DataFrame] | None = None,
    countries: gpd.GeoDataFrame | None = None,
    admin: gpd.GeoDataFrame | None = None,
) -> None:
    """Write the pair's report: maps, profiles, tables, published figures beside ours.

    Parameters
    ----------
    path
        Destination ``.html``.
    border_layers
        Layers of ``border.gpkg`` (``border``, ``segments``, and ``border_gaps`` and
        ``border_breaks`` where the file has them).
    crossings
        The crossings.
    summary
        The crossings summary table.
    metrics
        The segment metrics of one width.
    regions
        Admin regions on the border (``side``, ``name``, ...); empty when the run has none.
    pair
        ISO3 codes of the two countries: picks the published figures.
    run_record
        The run's record (:func:`borderzone.deliver.run_record.run_record`).
    article
        The article's tables by CSV stem (``results/{pair}/article/*.csv``), each a section.
    countries, admin
        The two countries' outlines and the admin areas, drawn behind the maps; None to
        leave out.
    """
    region_table = None
    if len(regions):
        region_table = regions.rename(columns={"name": "region"}).assign(level="region")
    render_report(
        path,
        border=border_layers["border"],
        segments=border_layers["segments"],
        crossings=crossings,
        summary=summary,
        metrics=metrics,
        region_table=region_table,
        published=published_figures("-".join(pair)),
        run_record=run_record,
        other_lengths=other_lengths("-".join(pair)),
        article=article,
        countries=countries,
        admin=admin,
        gaps=border_layers.get("border_gaps"),
        breaks=border_layers.get("border_breaks"),
    )
