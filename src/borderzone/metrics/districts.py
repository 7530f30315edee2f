"""The districts on the line: admin_level 6 areas along the border, beside the article's list.

A district touches the border when the line runs along its outline for at least
``min_km``: each point every ``step_m`` along the line (:mod:`~borderzone.metrics.border_samples`)
goes, on each side, to the nearest district of that side within ``touch_m``, and a
district's ``border_km`` is the line its points stand for. ``touch_m`` is 500 m, the
``border.snap_m`` of the default run: the line itself follows one outline and counts the
other as the same line within that distance, so a district drawn on the other country's
outline (or on an outline from another source) lies that far from it at most. ``min_km``
(2 km) leaves out districts that meet the line at a corner only (a corner gives at most
about twice ``touch_m``).

For the Russia–Kazakhstan pair the districts of the first country are set beside the
article's list (:mod:`borderzone.article_districts`), matched by name
(:func:`borderzone.metrics.names.name_key` of ``name`` and ``name:en``): ``exact`` when
``name`` or ``name:en`` is the article's spelling (case and ``ё`` aside),
``transliterated`` when their keys agree, else ``none``; the second country's regions on
the line are set beside the article's oblasts with their centres. Any other pair gets the
same table without article columns filled.
"""

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone import article_districts as article
from borderzone.crs import WGS84
from borderzone.metrics.border_samples import border_samples, distances_m
from borderzone.metrics.names import name_key, plain_name

log = logging.getLogger(__name__)

DISTRICT_COLUMNS = [
    "side",
    "region",
    "region_article",
    "district",
    "name_en",
    "district_article",
    "article_line",
    "matched_by",
    "touches_border",
    "border_km",
    "from_km",
    "to_km",
    "centre_article",
]
"""Columns of ``districts.csv``; ``from_km``/``to_km`` are the district's extent along the
line (chainage of its first part on the line); ``centre_article`` only for oblast rows."""


def compute_border_districts(
    *,
    border: gpd.GeoDataFrame,
    admin: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    pair: tuple[str, str],
    touch_m: float = 500.0,
    min_km: float = 2.0,
    step_m: float = 100.0,
) -> pd.DataFrame:
    """Return the regions of the first country west to east with their districts on the line.

    Parameters
    ----------
    border
        The ``border`` layer.
    admin
        Admin areas with ``admin_level``, ``name`` and ``name:en`` (the OSM ``admin``
        layer): level 4 regions, level 6 districts.
    countries
        The two outlines (``iso3``), to tell each area's side.
    pair
        ISO3 codes; the article's lists are used for ``("RUS", "KAZ")`` only.
    touch_m, min_km, step_m
        See the module documentation.

    Returns
    -------
    pandas.DataFrame
        :data:`DISTRICT_COLUMNS`: first the first country's districts in the corridor
        (and the article's districts not found, ``district`` empty), by region west to
        east, then one row per region of the second country on the line.
    """
    pair = (str(pair[0]), str(pair[1]))
    compare = pair == article.PAIR
    admin = admin.to_crs(WGS84).reset_index(drop=True)
    level = pd.to_numeric(admin["admin_level"], errors="coerce")
    side = area_sides(admin, countries)
    samples = border_samples(border, step_m=step_m)
    key = samples["part"].to_numpy() * 1e6 + samples["km"].to_numpy()  # chainage order
    rows = []
    order: dict[str, float] = {}
    for code in pair:
        for lvl in (4, 6):
            mask = ((level == lvl) & (side == code)).to_numpy()
            areas = admin[mask]
            idx, _ = distances_m(samples, areas.geometry, within_m=touch_m)
            areas = areas.assign(
                border_km=np.bincount(
                    idx[idx >= 0], weights=samples["length_m"].to_numpy()[idx >= 0],
                    minlength=len(areas),
                ) / 1000,
                first=_first(idx, key, len(areas)),
                from_km=_extent(idx, samples, len(areas), np.min),
                to_km=_extent(idx, samples, len(areas), np.max),
            )  # fmt: skip
            if lvl == 4:
                regions = areas
            else:
                districts = areas
        region_of = _region_of(districts, regions)
        for name, first in zip(regions["name"], regions["first"], strict=True):
            order.setdefault(f"{code}:{name}", first)
        if code == pair[0]:
            rows += _district_rows(code, districts, region_of, min_km=min_km, compare=compare)
        else:
            rows += _oblast_rows(code, regions, min_km=min_km, compare=compare)
    table = pd.DataFrame(rows).reindex(columns=DISTRICT_COLUMNS)
    rank = [
        order.get(f"{s}:{r}", np.inf) for s, r in zip(table["side"], table["region"], strict=True)
    ]
    table = table.assign(_side=table["side"].map({pair[0]: 0, pair[1]: 1}).fillna(0), _rank=rank)
    table = table.assign(_first=table["from_km"].fillna(np.inf))
    table = table.sort_values(["_side", "_rank", "_first"], kind="stable")
    table = table.drop(columns=["_side", "_rank", "_first"]).reset_index(drop=True)
    table["article_line"] = table["article_line"].astype("Int64")
    on_line = table["touches_border"].fillna(False).astype(bool) & table["district"].notna()
    log.info(
        "%d districts of %s on the line, %d km; %d article districts not found",
        int(on_line.sum()),
        pair[0],
        table.loc[on_line, "border_km"].sum(),
        int((table["district"].isna() & table["district_article"].notna()).sum()),
    )
    return table


def match_names(names: pd.Series, names_en: pd.Series, candidates: list[str]) -> list:
    """Match each (``name``, ``name:en``) to one of ``candidates`` (the article's spellings).

    Returns
    -------
    list of (candidate or None, "exact" / "transliterated" / "none"), one per name.
    """
    plain = {plain_name(c): c for c in candidates}
    keys = {name_key(c): c for c in candidates}
    out = []
    for name, name_en in zip(names, names_en, strict=True):
        spellings = [n for n in (name, name_en) if isinstance(n, str) and n.strip()]
        hit = next((plain[plain_name(n)] for n in spellings if plain_name(n) in plain), None)
        if hit is not None:
            out.append((hit, "exact"))
            continue
        hit = next((keys[name_key(n)] for n in spellings if name_key(n) in keys), None)
        out.append((hit, "transliterated" if hit is not None else "none"))
    return out


def _district_rows(code, districts, region_of, *, min_km, compare) -> list[dict]:
    listed = [d.district for d in article.DISTRICTS] if compare else []
    by_name = {d.district: d for d in article.DISTRICTS}
    region_names = list(article.REGIONS) if compare else []
    regions_matched = dict(
        zip(
            sorted(set(region_of)),
            (m[0] for m in match_names(pd.Series(sorted(set(region_of))),
                                       pd.Series([None] * len(set(region_of))),
                                       region_names)),
            strict=True,
        )
    ) if compare else {}  # fmt: skip
    matches = match_names(districts["name"], _column(districts, "name:en"), listed)
    rows, found = [], set()
    for (_, d), region, (hit, how) in zip(districts.iterrows(), region_of, matches, strict=True):
        found.add(hit)
        entry = by_name.get(hit)
        rows.append(
            {
                "side": code,
                "region": region,
                "region_article": regions_matched.get(region) or (entry.region if entry else None),
                "district": d["name"],
                "name_en": d.get("name:en"),
                "district_article": hit,
                "article_line": entry.line if entry else None,
                "matched_by": how,
                "touches_border": bool(d["border_km"] >= min_km),
                "border_km": round(float(d["border_km"]), 3),
                "from_km": d["from_km"],
                "to_km": d["to_km"],
            }
        )
    ours = {v: k for k, v in regions_matched.items() if v}
    for entry in article.DISTRICTS if compare else ():
        if entry.district in found:
            continue
        rows.append(
            {
                "side": code,
                "region": ours.get(entry.region, entry.region),
                "region_article": entry.region,
                "district": None,
                "district_article": entry.district,
                "article_line": entry.line,
                "matched_by": "none",
                "touches_border": None,
                "border_km": None,
            }
        )
    return rows


def _oblast_rows(code, regions, *, min_km, compare) -> list[dict]:
    on_line = regions[regions["border_km"] >= min_km]
    names = [o.oblast for o in article.OBLASTS] if compare else []
    by_name = {o.oblast: o for o in article.OBLASTS}
    matches = match_names(on_line["name"], _column(on_line, "name:en"), names)
    rows, found = [], set()
    for (_, r), (hit, how) in zip(on_line.iterrows(), matches, strict=True):
        found.add(hit)
        entry = by_name.get(hit)
        rows.append(
            {
                "side": code,
                "region": r["name"],
                "region_article": hit,
                "article_line": entry.line if entry else None,
                "matched_by": how,
                "touches_border": True,
                "border_km": round(float(r["border_km"]), 3),
                "from_km": r["from_km"],
                "to_km": r["to_km"],
                "centre_article": entry.centre if entry else None,
            }
        )
    for entry in article.OBLASTS if compare else ():
        if entry.oblast not in found:
            rows.append(
                {
                    "side": code,
                    "region": entry.oblast,
                    "region_article": entry.oblast,
                    "article_line": entry.line,
                    "matched_by": "none",
                    "centre_article": entry.centre,
                }
            )
    return rows


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index)


def area_sides(admin: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> pd.Series:
    """ISO3 of the country holding each area's representative point (None if neither)."""
    points = shapely.point_on_surface(admin.to_crs(WGS84).geometry.values)
    side = np.full(len(admin), None, dtype=object)
    for code, geom in zip(countries["iso3"], countries.to_crs(WGS84).geometry.values, strict=True):
        shapely.prepare(geom)
        side[shapely.contains(geom, points)] = code
    return pd.Series(side, index=admin.index)


def _region_of(districts: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> list:
    """Name of the region holding each district's representative point (None if none)."""
    points = shapely.point_on_surface(districts.geometry.values)
    out = np.full(len(districts), None, dtype=object)
    for name, geom in zip(regions["name"], regions.geometry.values, strict=True):
        shapely.prepare(geom)
        out[shapely.contains(geom, points) & pd.isna(out)] = name
    return list(out)


def _first(idx: np.ndarray, key: np.ndarray, n: int) -> np.ndarray:
    first = np.full(n, np.inf)
    hit = idx >= 0
    np.minimum.at(first, idx[hit], key[hit])
    return first


def _extent(idx: np.ndarray, samples: pd.DataFrame, n: int, how) -> np.ndarray:
    """Chainage (km) of the first or last (``how``) point of each area on its first part.

    NaN for areas off the line.
    """
    out = np.full(n, np.nan)
    hit = idx >= 0
    if not hit.any():
        return out
    frame = pd.DataFrame({"i": idx[hit], "part": samples["part"].to_numpy()[hit],
                          "km": samples["km"].to_numpy()[hit]})  # fmt: skip
    first_part = frame.groupby("i")["part"].transform("min")
    frame = frame[frame["part"] == first_part]
    agg = frame.groupby("i")["km"].agg(how)
    out[agg.index.to_numpy()] = np.round(agg.to_numpy(), 3)
    return out
