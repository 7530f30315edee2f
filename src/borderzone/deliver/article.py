"""The article's tables, recomputed from the run, each beside the article's statements.

:func:`write_article_tables` (the rule's function) writes one CSV per table under
``results/{pair}/article/``; the report (:mod:`borderzone.deliver.report`) shows each as a
section. The article is :data:`borderzone.published.ARTICLE`; every statement carries its
source and line (:attr:`~borderzone.published.PublishedFigure.citation`).

- :func:`region_table` (``regions.csv``): per region on each side and per pair of facing
  regions, the border km (the line cut by the regions,
  :func:`borderzone.metrics.regions.cut_border_by_region`), road crossings by class, dirt
  roads, rail crossings and lines, checkpoints; beside the article's list of regions (west
  to east, the Kazakh oblasts with their centres) and its per-region statements.
- :func:`borderzone.deliver.article_transit.transit_table` (``transit.csv``).
- :func:`checkpoint_table` (``checkpoints.csv``): official road and rail crossings by type
  beside the published checkpoint counts.
- :func:`population_table` (``population.csv``): the article's facing groups of regions.
- ``generalisation.csv``: :func:`borderzone.border.generalisation.length_by_tolerance`.

A row the run cannot compute says so in its ``note``, with the reason. A pair other than
Russia–Kazakhstan gets the computed rows only, with no published figure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from borderzone.border.generalisation import length_by_tolerance
from borderzone.deliver.article_transit import transit_table
from borderzone.io import replacing
from borderzone.metrics.regions import (
    NO_REGION,
    border_km_by_region,
    border_regions,
    cut_border_by_region,
)
from borderzone.published import (
    KAZ_REGION_NAMES,
    POPULATION_BALANCES,
    RUS_REGION_NAMES,
    PublishedFigure,
    article_statements,
    match_region,
    published_figures,
)

log = logging.getLogger(__name__)

ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "track",
)
"""Road classes counted in their own column (links with their class); others are ``other``."""

SYNTHETIC_TRANSPORT = "the run's roads and railways are synthetic"
ARTICLE_TABLES = ("regions", "transit", "checkpoints", "generalisation")
"""The CSVs :func:`write_article_tables` writes, by stem; :func:`write_population_table`
writes ``population``, from the metrics of a width."""


def _route(c: pd.DataFrame) -> pd.Series:
    """Route key of crossings: ``ref``, else ``name``, else the crossing alone."""
    key = c["ref"].where(c["ref"].notna() & (c["ref"] != ""), c["name"])
    return key.where(key.notna() & (key != ""), c["crossing_id"]).astype(str)


def _counts(c: pd.DataFrame) -> dict[str, float]:
    """Crossing counts of one group of crossings."""
    road, rail = c[c["kind"] == "road"], c[c["kind"] == "rail"]
    base = road["highway"].fillna("").astype(str).str.removesuffix("_link")
    out: dict[str, float] = {"road_crossings": len(road)}
    for hw in ROAD_CLASSES:
        out[hw] = int((base == hw).sum())
    out["other"] = int((~base.isin(ROAD_CLASSES)).sum())
    official = c["official"].fillna(False).astype(bool)
    out.update(
        dirt_roads=int((road["surface_class"] == "unpaved").sum()),
        rail_crossings=len(rail),
        rail_lines=int(_route(rail).nunique()),
        checkpoints_road=int(official[road.index].sum()),
        checkpoints_rail=int(official[rail.index].sum()),
    )
    return out


COUNT_COLUMNS = [
    "road_crossings",
    *ROAD_CLASSES,
    "other",
    "dirt_roads",
    "rail_crossings",
    "rail_lines",
    "checkpoints_road",
    "checkpoints_rail",
]
REGION_TABLE_COLUMNS = [
    "scope",
    "side",
    "region",
    "region_b",
    "article_name",
    "article_order",
    "centre",
    "border_km",
    *COUNT_COLUMNS,
    "article",
    "article_source",
    "note",
]


def _article_names(pair: str) -> dict[str, tuple[int, str, str]]:
    """Map each published name to (order west to east, centre, citation) in the article."""
    if not published_figures(pair):
        return {}
    fig = {f.key: f for f in published_figures(pair)}
    out = {}
    for names, key in ((RUS_REGION_NAMES, "regions_RUS"), (KAZ_REGION_NAMES, "regions_KAZ")):
        for i, n in enumerate(names, start=1):
            src = PublishedFigure(n.name, "", None, "", "", source=fig[key].source, cites=n.cites)
            out[n.name] = (i, n.centre, src.citation)
    return out


def region_table(
    crossings: pd.DataFrame,
    *,
    pair: Sequence[str],
    border: gpd.GeoDataFrame | None = None,
    regions: gpd.GeoDataFrame | None = None,
    synthetic: bool = False,
) -> pd.DataFrame:
    """Crossings and border km per region and per pair of facing regions.

    Parameters
    ----------
    crossings
        The crossings, with ``region_<A>`` and ``region_<B>`` (level 4 names per side).
    pair
        The two ISO3 codes.
    border, regions
        The border line (``segments`` or ``border`` layer) and the level 4 regions along it
        (``side``, ``name``; :func:`borderzone.metrics.regions.border_regions`): give the
        border km. None: border km not computed.
    synthetic
        The run's roads and railways are synthetic (said in the notes).

    Returns
    -------
    pandas.DataFrame
        :data:`REGION_TABLE_COLUMNS`: ``scope`` ``region`` (``side`` the ISO3) or ``pair``
        (``region`` of the first country, ``region_b`` of the second); the article's name,
        its order west to east and the centre it names; ``border_km``; the counts
        (:data:`COUNT_COLUMNS`); the article's statement on that row, its source, a note.
    """
    a, b = pair
    pair_name = "-".join(pair)
    cols = [f"region_{a}", f"region_{b}"]
    c = pd.DataFrame(crossings).drop(columns="geometry", errors="ignore").reset_index(drop=True)
    has_regions = all(col in c.columns for col in cols)
    km_side, km_pair = pd.Series(dtype=float), pd.Series(dtype=float)
    if border is not None and regions is not None and len(regions):
        km_side, km_pair = border_km_by_region(cut_border_by_region(border, regions, sides=pair))
    rows = []
    for tag, side, col in (("a", a, cols[0]), ("b", b, cols[1])):
        names = set(c[col].dropna()) if has_regions else set()
        if regions is not None and len(regions):
            names |= set(regions.loc[regions["side"] == side, "name"])
        if tag in km_side.index.get_level_values(0):
            names |= set(km_side.loc[tag].index)
        for name in sorted(names):
            sel = c[c[col] == name] if has_regions else c.iloc[:0]
            km = km_side.get((tag, name), np.nan) if len(km_side) else np.nan
            rows.append(
                {"scope": "region", "side": side, "region": name, "border_km": km, **_counts(sel)}
            )
    if has_regions:
        names = set(map(tuple, c[cols].dropna().to_numpy())) | set(km_pair.index)
        for ra, rb in sorted(names):
            sel = c[(c[cols[0]] == ra) & (c[cols[1]] == rb)]
            km = km_pair.get((ra, rb), np.nan) if len(km_pair) else np.nan
            rows.append(
                {
                    "scope": "pair",
                    "side": "pair",
                    "region": ra,
                    "region_b": rb,
                    "border_km": km,
                    **_counts(sel),
                }
            )
    table = pd.DataFrame(rows).reindex(columns=REGION_TABLE_COLUMNS)
    table["note"] = ""
    if km_side.empty:
        table["note"] = "border km not computed: no admin areas along the line in this run"
    names = _article_names(pair_name)
    matched = table["region"].map(lambda n: match_region(n) if names and n != NO_REGION else None)
    is_region = table["scope"] == "region"
    table["article_name"] = matched.where(is_region)
    table["article_order"] = table["article_name"].map(lambda n: names.get(n, (np.nan,))[0])
    table["centre"] = table["article_name"].map(lambda n: names.get(n, (0, ""))[1] or "")
    table["article_source"] = table["article_name"].map(lambda n: names.get(n, (0, "", ""))[2])
    table["article"] = np.where(table["article_name"].notna(), "on the border", "")
    table = _region_statements(table, pair_name, synthetic=synthetic)
    for name, (order, centre, source) in names.items():
        if not (table["article_name"] == name).any():
            table.loc[len(table)] = {
                "scope": "region",
                "side": "RUS" if name in {n.name for n in RUS_REGION_NAMES} else "KAZ",
                "region": "—",
                "article_name": name,
                "article_order": order,
                "centre": centre,
                "article": "on the border",
                "article_source": source,
                "note": f"not found: no region of this run's admin areas matches {name}",
            }
    return table.reindex(columns=REGION_TABLE_COLUMNS)


def _region_statements(table: pd.DataFrame, pair: str, *, synthetic: bool) -> pd.DataFrame:
    """Set the article's per-region crossing statements beside the region rows."""
    st = article_statements(pair)
    suffix = f" ({SYNTHETIC_TRANSPORT})" if synthetic else ""
    for key in ("roads_altai_republic", "secondary_volgograd"):
        if key not in st:
            continue
        fig = st[key]
        rows = table.index[table["article_name"] == fig.items[0]]
        if not len(rows):
            continue  # the region is listed as not found below
        r = rows[0]
        n = int(table.at[r, "road_crossings"])
        if key == "roads_altai_republic":
            classes = [hw for hw in (*ROAD_CLASSES, "other") if table.at[r, hw] > 0]
            ours = f"{n} road crossing(s)" + (f", classes: {', '.join(classes)}" if classes else "")
        else:
            minor = int(
                table.loc[
                    r, ["secondary", "tertiary", "unclassified", "residential", "track", "other"]
                ].sum()
            )
            ours = f"{n} road crossing(s), {minor} of them secondary or lower"
        agrees = n == fig.value
        table.at[r, "article"] = fig.text
        table.at[r, "article_source"] = fig.citation
        table.at[r, "note"] = ("agrees: " if agrees else "differs: ") + ours + suffix
    fig = st.get("rail_leaders")
    if fig is not None:
        rus = table[(table["scope"] == "region") & (table["side"] == "RUS")]
        rank = rus["rail_crossings"].rank(ascending=False, method="min")
        for name in fig.items:
            rows = rus.index[rus["article_name"] == name]
            if not len(rows):
                continue
            r = rows[0]
            k = int(rank[r])
            tied = int((rank == rank[r]).sum()) > 1
            table.at[r, "article"] = fig.text
            table.at[r, "article_source"] = fig.citation
            verdict = (
                "agrees" if k <= len(fig.items) and table.at[r, "rail_crossings"] > 0 else "differs"
            )
            table.at[r, "note"] = (
                f"{verdict}: {int(table.at[r, 'rail_crossings'])} rail crossing(s), rank {k}"
                f"{' (tied)' if tied else ''} of {len(rus)} Russian regions{suffix}"
            )
    return table


CHECKPOINT_COLUMNS = ["checkpoints", "computed", "published", "source", "note"]


def checkpoint_table(
    crossings: pd.DataFrame, *, pair: Sequence[str], synthetic: bool = False
) -> pd.DataFrame:
    """Official road and rail crossings by type beside the published checkpoint counts.

    A crossing is official when a border control lies within 2 km of it
    (:mod:`borderzone.crossings.attributes`); OSM does not tell multilateral checkpoints
    (open to any citizen) from bilateral ones, so the international (not local-only) road
    checkpoints stand beside the published multilateral count.
    """
    c = pd.DataFrame(crossings)
    cat = c["category"].value_counts()
    road_official = int(cat.get("international checkpoint", 0) + cat.get("local checkpoint", 0))
    rail_official = int(cat.get("rail checkpoint", 0))
    figs = {f.key: f for f in published_figures("-".join(pair))}
    suffix = f"; {SYNTHETIC_TRANSPORT}" if synthetic else ""
    rows = [
        ("road checkpoints (official road crossings)", road_official, "checkpoints_road", ""),
        (
            "international road checkpoints (not local-only)",
            int(cat.get("international checkpoint", 0)),
            "checkpoints_multilateral",
            "OSM tags do not tell multilateral from bilateral checkpoints: the international "
            "ones stand beside the multilateral count",
        ),
        (
            "local road checkpoints (local traffic only)",
            int(cat.get("local checkpoint", 0)),
            None,
            "",
        ),
        ("rail checkpoints (official rail crossings)", rail_official, None, ""),
        (
            "checkpoints of all kinds (road + rail)",
            road_official + rail_official,
            "checkpoints_all",
            "",
        ),
    ]
    out = []
    for label, value, key, note in rows:
        fig = figs.get(key) if key else None
        if fig is None and key == "checkpoints_multilateral":
            note = ""  # nothing published to stand beside
        if fig is not None:
            tol = 0.15 if fig.qualifier == "~" else 0.0
            agrees = abs(value - fig.value) <= tol * fig.value
            note = "; ".join(
                x
                for x in (("agrees" if agrees else f"differs by {value - fig.value:+.0f}"), note)
                if x
            )
        out.append(
            {
                "checkpoints": label,
                "computed": value,
                "published": fig.text if fig else "—",
                "source": fig.citation if fig else "",
                "note": (note + suffix) if fig or note else suffix.lstrip("; "),
            }
        )
    return pd.DataFrame(out, columns=CHECKPOINT_COLUMNS)


POPULATION_COLUMNS = [
    "russian_side",
    "published_rus",
    "computed_rus",
    "buffer_rus",
    "kazakh_side",
    "published_kaz",
    "computed_kaz",
    "buffer_kaz",
    "published_ratio",
    "computed_ratio",
    "source",
    "note",
]


def population_table(regions: pd.DataFrame | None, *, pair: Sequence[str]) -> pd.DataFrame:
    """Set the population of the article's facing groups of regions beside its figures.

    ``regions`` is the run's ``regions.csv`` (``side``, ``name``, ``population`` of the
    whole region, ``population_in_buffer``); the ratio is Russian side / Kazakh side.
    """
    figs = {f.key: f for f in published_figures("-".join(pair))}
    rt = pd.DataFrame(regions) if regions is not None else pd.DataFrame()
    if len(rt):
        rt = rt.assign(article_name=rt["name"].map(match_region))
    out = []
    for rus_key, kaz_key in POPULATION_BALANCES:
        if rus_key not in figs:
            continue
        row: dict = {}
        missing = []
        for tag, fig in (("rus", figs[rus_key]), ("kaz", figs[kaz_key])):
            row[f"{'russian' if tag == 'rus' else 'kazakh'}_side"] = " + ".join(fig.items)
            row[f"published_{tag}"] = fig.value
            sel = rt[rt["article_name"].isin(fig.items)] if len(rt) else rt
            found = set(sel["article_name"]) if len(sel) else set()
            missing += [r for r in fig.items if r not in found]
            ok = found == set(fig.items) and "population" in sel and sel["population"].notna().all()
            row[f"computed_{tag}"] = float(sel["population"].sum()) if ok else np.nan
            row[f"buffer_{tag}"] = (
                float(sel["population_in_buffer"].sum()) if found == set(fig.items) else np.nan
            )
        row["published_ratio"] = row["published_rus"] / row["published_kaz"]
        row["computed_ratio"] = row["computed_rus"] / row["computed_kaz"]
        rus, kaz = figs[rus_key], figs[kaz_key]
        row["source"] = (
            f"{rus.source}, {rus.lines}; {kaz.lines}"
            if rus.source == kaz.source and rus.cites and kaz.cites
            else f"{rus.citation}; {kaz.citation}"
        )
        if missing:
            row["note"] = f"not computed: not found in the admin areas: {', '.join(missing)}"
        elif np.isnan(row["computed_ratio"]):
            row["note"] = "not computed: no population of the whole regions in this run"
        else:
            row["note"] = (
                f"ratio {row['computed_ratio']:.1f} against {row['published_ratio']:.1f} published"
            )
        out.append(row)
    return pd.DataFrame(out, columns=POPULATION_COLUMNS)


def official_length_km(border: gpd.GeoDataFrame) -> float | None:
    """Return the official length stored in the ``border`` layer; None when the pair has none."""
    if "official_length_km" not in border.columns or border["official_length_km"].isna().all():
        return None
    return float(border["official_length_km"].dropna().iloc[0])


def article_tables(
    *,
    border_layers: Mapping[str, gpd.GeoDataFrame],
    crossings: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    admin: gpd.GeoDataFrame | None,
    lines: Mapping[str, gpd.GeoDataFrame],
    pair: Sequence[str],
    corridor_km: float,
    synthetic: bool = False,
) -> dict[str, pd.DataFrame]:
    """Every article table of the run that needs no buffer, by stem (:data:`ARTICLE_TABLES`).

    Parameters
    ----------
    border_layers
        Layers of ``border.gpkg`` (``border``, ``segments``).
    crossings
        The crossings layer.
    countries
        The two outlines (``iso3``).
    admin
        Admin areas (``admin_level``, ``name``), or None when the run has none.
    lines
        Corridor ``roads`` and ``rail``: the transit routes' ways.
    pair
        The two ISO3 codes.
    corridor_km
        Width of the OSM corridor on each side (a transit line is read only inside it).
    synthetic
        The roads and railways are synthetic.
    """
    segments = border_layers["segments"]
    on_border = None
    if admin is not None and len(admin):
        on_border = border_regions(admin, segments, countries)
        on_border = on_border[on_border["side"].isin(pair)]
    border = border_layers["border"]
    official = official_length_km(border)
    return {
        "regions": region_table(
            crossings, pair=pair, border=segments, regions=on_border, synthetic=synthetic
        ),
        "transit": transit_table(
            crossings,
            lines=lines,
            countries=countries,
            regions=on_border,
            pair=pair,
            corridor_km=corridor_km,
            synthetic=synthetic,
        ),
        "checkpoints": checkpoint_table(crossings, pair=pair, synthetic=synthetic),
        "generalisation": length_by_tolerance(border, official_km=official),
    }


def write_article_tables(
    outputs: Mapping[str, str | Path],
    **inputs: object,
) -> None:
    """Write the article tables (:func:`article_tables`) as CSVs, computed before any is written.

    Parameters
    ----------
    outputs
        Destination of each table by stem (:data:`ARTICLE_TABLES`).
    **inputs
        The keyword arguments of :func:`article_tables`.
    """
    missing = sorted(set(ARTICLE_TABLES) - set(outputs))
    if missing:
        raise ValueError(f"write_article_tables: no output path for {', '.join(missing)}")
    tables = article_tables(**inputs)  # type: ignore[arg-type]
    for stem in ARTICLE_TABLES:
        with replacing(outputs[stem]) as tmp:
            tables[stem].to_csv(tmp, index=False)
    log.info("wrote %d article tables (%s)", len(ARTICLE_TABLES), ", ".join(ARTICLE_TABLES))


def write_population_table(
    out: str | Path, regions: pd.DataFrame | None, *, pair: Sequence[str]
) -> None:
    """Write the article's population table (:func:`population_table`) as a CSV.

    A rule of its own, after the metrics of the widest buffer (its ``regions.csv``): the
    other article tables (:func:`write_article_tables`) need no buffer and are written
    while the cells are measured.
    """
    with replacing(out) as tmp:
        population_table(regions, pair=pair).to_csv(tmp, index=False)
    log.info("wrote the article's population table")
