"""The report's sections that answer the article: one per article table (CSV).

:func:`article_sections` renders any table of ``results/{pair}/article/`` as a section of
the report: a heading and a sentence (:data:`ARTICLE_SECTIONS`, by the CSV's stem), the table,
and for the generalisation table a plot of the length against the tolerance. A stem
without an entry still gets a section, headed by its name. Where the article is cited in a
cell, its title is shortened to "the article": the section's introduction names it in full.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from borderzone.border.generalisation import tolerance_at_length
from borderzone.deliver.report_maps import _png, _pyplot
from borderzone.published import ARTICLE, published_figures

ARTICLE_SECTIONS: dict[str, tuple[str, str]] = {
    "regions": (
        "Regions on the line, crossings per region and per pair of facing regions",
        "Each region on each side and each pair of facing regions, with its km of border "
        "(the line itself cut by the admin areas: each km belongs to the nearest region on "
        "each side), its road crossings by class, dirt roads, rail crossings and lines and "
        "official crossings; beside the published list of regions (its order west to east, "
        "the centres it names) and its statements on single regions, where the pair has "
        "them.",
    ),
    # made by another rule; shown here when the report is given it
    "districts": (
        "Districts on the line",
        "The admin_level 6 districts that touch the border, beside the published districts "
        "on the line, where the pair has them.",
    ),
    "transit": (
        "Lines that run through the other country",
        "Each road or railway that leaves a country and re-enters it: the km it runs in the "
        "other country and the regions it enters there, beside the published transit "
        "lines, where the pair has them.",
    ),
    # made by another rule; shown here when the report is given it
    "rivers": (
        "Border along rivers",
        "Km of the border that follow a river, beside the published figure, where the "
        "pair has one.",
    ),
    "checkpoints": (
        "Checkpoints",
        "Official road and rail crossings (a border control within 2 km) by type, beside "
        "the published checkpoint counts (each row names its source), where the pair has "
        "them.",
    ),
    "population": (
        "Population of the facing regions",
        "The published facing groups of regions: the population of the whole regions and "
        "of their part of the widest buffer, and the ratio of the first country's side to "
        "the second's.",
    ),
    "generalisation": (
        "Why the length differs: the border at several generalisation tolerances",
        "The border simplified (Douglas–Peucker, each 100 km piece in its own azimuthal "
        "equidistant projection) and measured geodesically: the finer the line, the "
        "longer it is.",
    ),
}
"""Heading and introduction of the section of each article table, in the report's order."""


def _short(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: v.replace(ARTICLE, "the article") if isinstance(v, str) else v
            )
    return out


def _plot_generalisation(table: pd.DataFrame, official_km: float | None) -> str | None:
    t = table[table["tolerance_m"] > 0]
    if t.empty:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot(t["tolerance_m"], t["length_km"], marker="o", color="#1a1a1a", label="this line")
    if official_km is not None and np.isfinite(official_km):
        ax.axhline(official_km, color="#d7301f", linestyle="--", label="official length")
    ax.set_xscale("log")
    ax.set_xlabel("Douglas–Peucker tolerance (m)")
    ax.set_ylabel("length (km)")
    ax.legend(fontsize=8)
    return _png(fig)


def _generalisation_note(table: pd.DataFrame, official_km: float | None) -> str:
    if official_km is None or not np.isfinite(official_km):
        return "No official length for this pair: the lengths stand alone."
    as_built = float(
        table.loc[table["tolerance_m"] == table["tolerance_m"].min(), "length_km"].iloc[0]
    )
    scale = tolerance_at_length(table, official_km)
    if scale is None:
        side = "longer" if as_built > official_km else "shorter"
        return (
            f"The line as built measures {as_built:,.0f} km; at every tolerance of the table "
            f"it is {side} than the official {official_km:,.0f} km."
        )
    return (
        f"The line as built measures {as_built:,.0f} km; simplified at about {scale:,.0f} m "
        f"it measures the official {official_km:,.0f} km: the official figure matches the "
        "line drawn at about that level of detail."
    )


def article_sections(
    tables: Mapping[str, pd.DataFrame],
    *,
    pair: str,
    official_km: float | None = None,
    float_format: str = "{:,.1f}",
) -> list[dict[str, Any]]:
    """Render each article table as a section of the report.

    Parameters
    ----------
    tables
        The tables by CSV stem (e.g. ``"regions"``, ``"districts"``); sections come in the
        order of :data:`ARTICLE_SECTIONS`, then the other stems by name.
    pair
        ``"A-B"``: the article's title is named only for Russia–Kazakhstan.
    official_km
        The official length, for the generalisation section when its table gives none
        (its ``length_km - difference_km``).

    Returns
    -------
    list of dict
        ``id``, ``title``, ``intro``, ``table`` (HTML), ``image`` (a PNG data URI or None),
        ``note``.
    """
    order: Sequence[str] = [s for s in ARTICLE_SECTIONS if s in tables] + sorted(
        s for s in tables if s not in ARTICLE_SECTIONS
    )
    cited = bool(published_figures(pair))
    out = []
    for stem in order:
        df = pd.DataFrame(tables[stem])
        title, intro = ARTICLE_SECTIONS.get(stem, (stem.replace("_", " ").capitalize(), ""))
        image, note = None, ""
        if stem == "generalisation" and len(df):
            ref = official_km
            if "difference_km" in df and df["difference_km"].notna().any():
                ref = float((df["length_km"] - df["difference_km"]).dropna().iloc[0])
            image = _plot_generalisation(df, ref)
            note = _generalisation_note(df, ref)
        html = ""
        if len(df):
            html = _short(df).to_html(
                index=False,
                border=0,
                na_rep="—",
                float_format=lambda v: float_format.format(v),
                classes="data",
            )
        out.append(
            {
                "id": f"article-{stem}",
                "title": title,
                "intro": intro + (f" Source of the statements: {ARTICLE}." if cited else ""),
                "table": html,
                "image": image,
                "note": note if len(df) else "Nothing to show for this run.",
            }
        )
    return out
