"""Counts of the crossings the way published figures are given, in one long table.

Published rules
---------------
The headlines (:data:`HEADLINES`) are ``road crossings``, ``rail lines`` (rail crossings
grouped by ``ref``, else ``name``, else the crossing alone), ``trunk highways``
(``highway`` motorway or trunk, links included) and ``dirt roads`` (``surface_class``
unpaved). The figure published for a headline (:func:`borderzone.published.published_figures`
of the pair) is set beside it for the whole border only, with its source and the line(s) of
the text it stands on (``source``); a pair without published figures gets none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from borderzone.crossings.attributes import CATEGORIES, FLAGS
from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.geodesy import geodesic_length_km
from borderzone.osm.schema import road_rank
from borderzone.published import published_figures

HEADLINES: dict[str, str] = {
    "road crossings": "roads",
    "rail lines": "rail_lines",
    "trunk highways": "trunk_roads",
    "dirt roads": "dirt_roads",
}
"""Headline rows of :func:`summarise_crossings` and their keys in :mod:`borderzone.published`."""

_Row = tuple[str, str, str, float]


def _by_rank(classes: Iterable[str]) -> list[str]:
    """Highway classes from the highest rank down, by name among equals."""
    classes = list(classes)
    ranks = road_rank(pd.Series(classes, dtype=object))
    return [hw for _, hw in sorted(zip(ranks, classes, strict=True))]


def _or(values: pd.Series, other: pd.Series) -> pd.Series:
    """``values``, else ``other`` where a value is missing or empty."""
    return values.where(values.notna() & (values != ""), other)


def _counts(scope: str, c: pd.DataFrame) -> list[_Row]:
    """Count the rows of one scope: headlines, kinds, classes, surfaces, categories, flags."""
    road, rail = c[c["kind"] == "road"], c[c["kind"] == "rail"]
    line = _or(_or(rail["ref"], rail["name"]), rail["crossing_id"])
    base = road["highway"].astype(object).where(road["highway"].notna(), "")
    base = base.astype(str).str.removesuffix("_link")
    rows: list[_Row] = [
        (scope, "headline", "road crossings", len(road)),
        (scope, "headline", "rail lines", line.nunique()),
        (scope, "headline", "trunk highways", int(base.isin(["motorway", "trunk"]).sum())),
        (scope, "headline", "dirt roads", int((road["surface_class"] == "unpaved").sum())),
        (scope, "kind", "road", len(road)),
        (scope, "kind", "rail", len(rail)),
    ]
    for hw in _by_rank(sorted(road["highway"].dropna().unique())):
        rows.append((scope, "highway", hw, int((road["highway"] == hw).sum())))
    for sc in ("paved", "unpaved", "unknown"):
        rows.append((scope, "surface_class", sc, int((road["surface_class"] == sc).sum())))
    for cat in CATEGORIES:
        rows.append((scope, "category", cat, int((c["category"] == cat).sum())))
    for flag in FLAGS:
        if flag in c:
            rows.append((scope, "flag", flag, int(c[flag].fillna(False).astype(bool).sum())))
    return rows


def summarise_crossings(
    crossings: gpd.GeoDataFrame,
    *,
    pair: Sequence[str],
    roads: gpd.GeoDataFrame | None = None,
    by_region: bool = False,
) -> pd.DataFrame:
    """Count crossings the way published figures are given, in one long table.

    Parameters
    ----------
    crossings
        Output of :func:`borderzone.crossings.detect.detect_crossings`.
    pair
        The two ISO3 codes of the border: the published figures are those of this pair.
    roads
        Roads of the corridor (clipped to it): adds their geodesic length in km, in all
        and per class.
    by_region
        Also give the counts per pair of level 4 regions (``region_<A>``, ``region_<B>``).

    Returns
    -------
    pandas.DataFrame
        Columns ``scope`` (``"border"`` or ``"<region A> | <region B>"``), ``group``
        (``headline``, ``kind``, ``highway``, ``surface_class``, ``category``, ``flag``,
        ``road_km``), ``item``, ``value``, ``key`` (of the headline rows, as in
        :data:`HEADLINES`) and ``published`` (the figure published for ``pair``, from
        :func:`borderzone.published.published_figures`, for the headline rows of the
        whole border, else NaN) and ``source`` (where that figure is published, with the
        line(s) of the text: :attr:`borderzone.published.PublishedFigure.citation`; empty
        where nothing is published). The rules are published in the module documentation.

    Examples
    --------
    >>> summary = summarise_crossings(crossings, pair=["RUS", "KAZ"])  # doctest: +SKIP
    >>> summary[summary["group"] == "headline"]  # doctest: +SKIP
    """
    if isinstance(pair, str) or len(pair) != 2:
        raise InputDataError(f"pair must be two ISO3 codes, got {pair!r}")
    need = {"kind", "highway", "surface_class", "category", "ref", "name", "crossing_id"}
    missing = sorted(need - set(crossings.columns))
    if missing:
        raise InputDataError(f"crossings lack column(s) {', '.join(missing)}")
    rows = _counts("border", crossings)
    if roads is not None:
        if "highway" not in roads or roads.crs is None:
            raise InputDataError("roads for the summary need a CRS and a highway column")
        lengths = geodesic_length_km(np.asarray(roads.to_crs(WGS84).geometry.array, dtype=object))
        per = pd.Series(lengths).groupby(roads["highway"].to_numpy()).sum()
        rows.append(("border", "road_km", "all", float(lengths.sum())))
        for hw in _by_rank(per.index):
            rows.append(("border", "road_km", hw, float(per[hw])))
    if by_region:
        cols = [c for c in crossings.columns if c.startswith("region_")]
        if len(cols) != 2:
            raise InputDataError("by_region needs the region_<A> and region_<B> columns of admin")
        keyed = crossings.assign(
            _scope=crossings[cols[0]].fillna("?").astype(str)
            + " | "
            + crossings[cols[1]].fillna("?").astype(str)
        )
        for scope, c in keyed.groupby("_scope", sort=True):
            rows.extend(_counts(str(scope), c))
    out = pd.DataFrame(rows, columns=["scope", "group", "item", "value"])
    headline = (out["group"] == "headline").to_numpy()
    out["key"] = np.where(headline, out["item"].map(HEADLINES), None)
    figures = {f.key: f for f in published_figures("-".join(pair))}
    on_border = headline & (out["scope"] == "border").to_numpy()
    published = out["key"].map({k: f.value for k, f in figures.items()}).astype(float)
    out["published"] = published.where(on_border)
    source = out["key"].map({k: f.citation for k, f in figures.items()})
    out["source"] = source.where(on_border & source.notna().to_numpy(), "").astype(object)
    return out
