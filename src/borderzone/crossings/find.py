"""The rule find_crossings: the crossings of the border and their summary tables.

The rules are those of :mod:`borderzone.crossings.detect`,
:mod:`borderzone.crossings.attributes` and :mod:`borderzone.crossings.summary`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from borderzone.crossings.detect import detect_crossings
from borderzone.crossings.summary import summarise_crossings


def find_crossings(
    border_layers: Mapping[str, gpd.GeoDataFrame],
    countries: gpd.GeoDataFrame,
    osm: Mapping[str, gpd.GeoDataFrame],
    *,
    pair: Sequence[str],
    merge_within_m: float = 100.0,
    checkpoint_within_m: float = 2000.0,
    continuity_km: float = 5.0,
    transit_min_km: float = 10.0,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """Crossings of the border with their summary tables, for the workflow.

    Parameters
    ----------
    border_layers
        ``border``, ``border_gaps`` and ``segments`` (the layers of ``border.gpkg``).
    countries
        The two outlines.
    osm
        Corridor layers ``roads``, ``rail``, ``checkpoints`` and ``admin``.
    pair, merge_within_m, checkpoint_within_m, continuity_km, transit_min_km
        See :func:`borderzone.crossings.detect.detect_crossings`; the summaries carry the
        figures published for ``pair``.

    Returns
    -------
    crossings, summary, by_region
        The crossings; the summary for the whole border (with the roads of the corridor);
        the summary per pair of facing level 4 regions (empty without admin areas).
    """
    admin = osm.get("admin")
    crossings = detect_crossings(
        border_layers["border"],
        border_layers["segments"],
        border_layers["border_gaps"],
        countries,
        osm["roads"],
        osm["rail"],
        osm["checkpoints"],
        admin if admin is not None and len(admin) else None,
        pair=pair,
        merge_within_m=merge_within_m,
        checkpoint_within_m=checkpoint_within_m,
        continuity_km=continuity_km,
        transit_min_km=transit_min_km,
    )
    summary = summarise_crossings(crossings, pair=pair, roads=osm["roads"])
    has_regions = all(f"region_{code}" in crossings.columns for code in pair)
    by_region = (
        summarise_crossings(crossings, pair=pair, by_region=True)
        if has_regions
        else pd.DataFrame(columns=summary.columns)
    )
    return crossings, summary, by_region
