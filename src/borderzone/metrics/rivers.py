"""Km of the border line that follow a river, per pair of facing regions.

A stretch of border follows a river where a river line (``waterway=river``) or a river
area (``waterway=riverbank``, ``natural=water`` + ``water=river``) of the ``waterways``
layer lies within ``tolerance_m`` of it, for at least ``min_km`` in a row. Canals are no
river beds and are left out. The line is measured on points every ``step_m``
(:mod:`~borderzone.metrics.border_samples`), each at its distance to the nearest river in
a local azimuthal equidistant projection.

Why ``tolerance_m`` = 300 m. Where a border follows a river in OpenStreetMap, the
boundary ways and the river's centre line are drawn apart (the boundary from treaty maps
or along the thalweg or one bank, the river from imagery): offsets of 50–250 m are usual,
about the width of a steppe river plus the 0.5–1 mm of a 1:200,000 map the boundary was
first drawn on (100–200 m). Rivers wide enough to lie farther than that from their
centre line have river areas, and a point on the line inside or beside the area is at
distance 0 or close to it. 300 m holds those offsets and is well short of a river that
runs beside the border rather than along it. Measured on the synthetic world (20 km of
river built to follow the line: 12 km at 150 m, 8 km by an area whose edge is 100 m off; a
square crossing; a river parallel at 1.2 km; ordinary rivers kept 1 km away), tolerances
from 200 to 450 m give 20.7–21.9 km (each stretch's ends reach up to the tolerance past
it); 100 m gives 12.2 km (the area's edge is missed), 700 m 24.4 km (the crossing counts),
1.3 km 44.6 km (the parallel river counts).

Why ``min_km`` = 1 km. A river that crosses the border comes within the tolerance of it
for ``2 × tolerance / sin(angle)``: 0.6 km for a square crossing, 1 km at 37°. Stretches
shorter than 1 km are crossings, not a border that follows a river.
"""

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.crs import WGS84
from borderzone.metrics.border_samples import border_samples, distances_m
from borderzone.metrics.districts import area_sides
from borderzone.published import article_statements

log = logging.getLogger(__name__)

RIVER_COLUMNS = [
    "region_a",
    "region_b",
    "river_km",
    "n_stretches",
    "rivers",
    "published_km",
    "published_source",
]
"""Columns of ``rivers.csv``: one row per pair of facing regions, then ``total``."""

PUBLISHED_KEY = "border_river_km"
"""Key of the article's figure in :func:`borderzone.published.article_statements`."""


def river_stretches(
    border: gpd.GeoDataFrame,
    waterways: gpd.GeoDataFrame,
    *,
    tolerance_m: float = 300.0,
    min_km: float = 1.0,
    step_m: float = 50.0,
) -> pd.DataFrame:
    """Return the stretches of border that follow a river, with the points that make them.

    Parameters
    ----------
    border
        The ``border`` layer.
    waterways
        The ``waterways`` layer (``waterway``, ``natural``, ``water``, ``name``).
    tolerance_m, min_km, step_m
        See the module documentation.

    Returns
    -------
    pandas.DataFrame
        The border points (:func:`~borderzone.metrics.border_samples.border_samples`) with
        ``river_m`` (distance to the nearest river, inf beyond the tolerance), ``river``
        (its name or None), ``stretch`` (number of the stretch the point belongs to, -1
        when it follows none).
    """
    rivers = _rivers(waterways)
    samples = border_samples(border, step_m=step_m)
    idx, dist = distances_m(samples, rivers.geometry, within_m=tolerance_m)
    near = idx >= 0
    names = rivers["name"].to_numpy(dtype=object)
    samples["river_m"] = dist
    samples["river"] = np.where(near, names[np.maximum(idx, 0)], None)
    # runs of consecutive near points on one part
    part = samples["part"].to_numpy()
    start = near & ~np.concatenate([[False], near[:-1] & (part[1:] == part[:-1])])
    run = np.where(near, np.cumsum(start) - 1, -1)
    length = np.bincount(run[near], weights=samples["length_m"].to_numpy()[near])
    keep = length >= min_km * 1000
    renumber = np.cumsum(keep) - 1
    samples["stretch"] = np.where(near & keep[np.maximum(run, 0)], renumber[np.maximum(run, 0)], -1)
    log.info(
        "%d stretches of border follow a river within %g m for %g km or more: %.1f km",
        int(keep.sum()),
        tolerance_m,
        min_km,
        length[keep].sum() / 1000,
    )
    return samples


def compute_river_km(
    *,
    border: gpd.GeoDataFrame,
    waterways: gpd.GeoDataFrame,
    admin: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    pair: tuple[str, str],
    tolerance_m: float = 300.0,
    min_km: float = 1.0,
    step_m: float = 50.0,
    region_within_m: float = 10_000.0,
) -> pd.DataFrame:
    """Km of border that follow a river, per pair of facing regions and in total.

    Parameters
    ----------
    border, waterways, tolerance_m, min_km, step_m
        See :func:`river_stretches`.
    admin
        Admin areas with ``admin_level`` and ``name``: each border point goes to the
        nearest level 4 area of each side within ``region_within_m`` (10 km, so that
        generalised outlines such as Natural Earth's count, as in the region tables).
    countries
        The two outlines (``iso3``), to tell each area's side.
    pair
        ISO3 codes of the two sides; the published figure is given for Russia–Kazakhstan
        only (:func:`borderzone.published.article_statements`).

    Returns
    -------
    pandas.DataFrame
        :data:`RIVER_COLUMNS`; the last row is ``total`` (``region_a``), with the published
        figure beside it (NaN and empty when there is none for the pair).
    """
    samples = river_stretches(
        border, waterways, tolerance_m=tolerance_m, min_km=min_km, step_m=step_m
    )
    level = pd.to_numeric(admin["admin_level"], errors="coerce").to_numpy()
    side = area_sides(admin, countries).to_numpy()
    for col, code in (("region_a", pair[0]), ("region_b", pair[1])):
        areas = admin[(level == 4) & (side == code)]
        idx, _ = distances_m(samples, areas.to_crs(WGS84).geometry, within_m=region_within_m)
        names = np.append(areas["name"].to_numpy(dtype=object), None)  # -1: no area near
        samples[col] = names[idx]
    on = samples[samples["stretch"] >= 0].fillna({"region_a": "", "region_b": ""})
    rows = []
    for (a, b), group in on.groupby(["region_a", "region_b"], sort=False):
        rows.append(_row(a or None, b or None, group))
    table = pd.DataFrame(rows, columns=RIVER_COLUMNS[:5])
    table = table.sort_values("river_km", ascending=False, kind="stable", ignore_index=True)
    total = _row("total", None, on)
    published = article_statements("-".join(pair)).get(PUBLISHED_KEY)
    total["published_km"] = published.value if published is not None else np.nan
    total["published_source"] = published.citation if published is not None else ""
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return table.reindex(columns=RIVER_COLUMNS)


def _row(a, b, group: pd.DataFrame) -> dict:
    names = sorted({n for n in group["river"] if isinstance(n, str) and n})
    return {
        "region_a": a,
        "region_b": b,
        "river_km": round(float(group["length_m"].sum()) / 1000, 3),
        "n_stretches": int(group["stretch"].nunique()),
        "rivers": "; ".join(names),
    }


def _rivers(waterways: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """River lines and river areas (no canals), in EPSG:4326."""
    data = waterways.to_crs(WGS84)
    areas = data.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    lines = ~areas & data["waterway"].eq("river").to_numpy(bool)
    out = data[lines | areas].reset_index(drop=True)
    out = out[~shapely.is_empty(out.geometry.values)]
    return out.reset_index(drop=True)
