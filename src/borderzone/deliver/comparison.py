"""The published figures beside the ones computed from the run.

:func:`compare_published` gives one :class:`Comparison` per published figure
(:mod:`borderzone.published`): the computed value, whether it agrees within the figure's
tolerance, the sources and dates of both (a figure of the article with the line(s) of its
text it stands on), and why a figure could not be computed.
:func:`matched_regions` and :func:`region_pairs` set the admin regions of the run beside
the published region names and population groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from borderzone.published import PublishedFigure, match_region

NOT_COMPUTED_ADMIN = "not computed: no admin areas in this run"
_TRANSPORT = (
    "rail_lines",
    "roads",
    "trunk_roads",
    "dirt_roads",
    "checkpoints_road",
    "checkpoints_multilateral",
    "checkpoints_all",
)
#: Crossing categories counted for each published checkpoint figure, and what is counted.
_CHECKPOINTS: dict[str, tuple[tuple[str, ...], str]] = {
    "checkpoints_road": (
        ("international checkpoint", "local checkpoint"),
        "Road crossings with a border control within 2 km.",
    ),
    "checkpoints_multilateral": (
        ("international checkpoint",),
        "Road crossings with a border control not limited to local traffic; OSM does not "
        "tell multilateral from bilateral checkpoints.",
    ),
    "checkpoints_all": (
        ("international checkpoint", "local checkpoint", "rail checkpoint"),
        "Road and rail crossings with a border control within 2 km.",
    ),
}


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


def _source(record: Mapping[str, Any] | None, role: str, fallback: str = "this run") -> str:
    for s in (record or {}).get("sources", []):
        if s.get("role") == role:
            where = s.get("url") or s.get("path") or s.get("name", "")
            return f"{s.get('name', where)} ({s.get('date', 'undated')})"
    return fallback


def matched_regions(region_table: pd.DataFrame | None) -> pd.DataFrame | None:
    """Return the regions (admin level 4) of ``region_table`` with their ``published_name``.

    None when there is no table or it is empty.
    """
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
    run_record: Mapping[str, Any] | None = None,
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
    run_record
        The run's record (:func:`borderzone.deliver.run_record.run_record`): gives each
        computed figure its source and date.
    pair
        ISO3 codes of the two sides.
    """
    osm = _source(run_record, "osm")
    synthetic = bool((run_record or {}).get("synthetic"))
    synthetic_population = bool((run_record or {}).get("synthetic_population"))
    admin = _source(run_record, "admin", "admin areas of this run")
    rt = matched_regions(region_table)
    rows: list[Comparison] = []
    for fig in published:
        value: float | None = None
        source, note, reason = osm, fig.note, ""
        if fig.key == "border_km":
            value = float(border["length_km"].sum())
            source = _source(run_record, "outlines")
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
        elif fig.key in _CHECKPOINTS:
            if crossings is None or "category" not in pd.DataFrame(crossings).columns:
                reason = "not computed: no crossings in this run"
            else:
                cats, note = _CHECKPOINTS[fig.key]
                value = float(pd.DataFrame(crossings)["category"].isin(cats).sum())
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
            rows.append(
                Comparison(fig.label, fig.text, reason or "not computed", fig.citation, note)
            )
            continue
        differs = not _agrees(fig, value)
        if differs:
            why = f"Differs by {100 * (value - (fig.value or 0)) / (fig.value or 1):+.0f} %"
            if synthetic and fig.key in _TRANSPORT:
                why += ": the run's roads and railways are synthetic"
            elif synthetic_population and fig.unit in ("people", "people/km²"):
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
                f"published: {fig.citation}; computed: {source}",
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
                        _source(run_record, "population"),
                        "Sum over the segment cells; no published counterpart.",
                    )
                )
    return rows


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


def region_pairs(
    rt: pd.DataFrame | None, published: Sequence[PublishedFigure]
) -> pd.DataFrame | None:
    """Set each published population group of regions beside its computed population.

    One row per figure of ``published`` that names its regions; None without regions or
    populations in ``rt`` (:func:`matched_regions`).
    """
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
