"""The land neighbours of a country in an outlines file (a world file, say).

Two countries are land neighbours when their outlines run within ``border.snap_m`` of each
other along at least ``2 * border.snap_m``: the test that
:func:`borderzone.config.check_outlines` makes of a configured pair, with the same
function (:func:`borderzone.config.longest_shared_m`), so that every neighbour found here
gives a border that :func:`borderzone.border.line.build_border` can trace.

The search is in two steps: an STRtree of all outlines gives, in one query, the ones within
a distance in degrees that is more than ``MARGIN * snap_m`` everywhere on the country (the
candidates); only these are then measured in metres, each pair in a conformal CRS fitted
to it. For Russia in Natural Earth's 1:10m outlines this takes about 1 s.
"""

import logging
import math
import re
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from borderzone.config import longest_shared_m
from borderzone.errors import ConfigError, InputDataError
from borderzone.io import read_countries

log = logging.getLogger(__name__)

_ISO3 = re.compile(r"^[A-Z]{3}$")
METRES_PER_DEGREE = 110_000.0
"""Less than a degree of latitude anywhere (110.6 km at the equator, on WGS84), in metres."""
MARGIN = 2.0
"""The candidates' distance is widened by this factor: the test in metres is made in a
conformal CRS fitted to each pair, whose scale departs from 1 away from its centre."""
_MAX_LAT = 89.0  # the degree tolerance is taken no closer to a pole than this


def land_neighbours(
    path: str | Path,
    *,
    iso3: str,
    snap_m: float,
    iso3_column: str = "iso3",
    layer: str | None = None,
) -> list[str]:
    """Every land neighbour of ``iso3`` among the outlines of ``path``, sorted by code.

    Rows whose code is not three capital letters (Natural Earth's ``-99``, empty codes)
    are left out, as are NULL and empty outlines of other countries; the outlines of the
    candidates are read and checked as for a pair (:func:`borderzone.io.read_countries`).

    Parameters
    ----------
    path
        Any vector file GDAL reads, one (multi)polygon row per country, in any CRS.
    iso3
        The country whose neighbours are wanted.
    snap_m
        ``border.snap_m``: the outlines of neighbours run within this distance of each
        other along at least twice this length.
    iso3_column, layer
        Where the codes are, as for :func:`borderzone.io.read_countries`.

    Returns
    -------
    list of str
        The neighbours' codes; empty when the country has none in the file.

    Raises
    ------
    InputDataError
        When the file cannot be read, lacks the layer, the column or ``iso3``, or an
        outline of ``iso3`` or of a candidate is unusable (see ``read_countries``).
    """
    target = read_countries(path, iso3=[iso3], iso3_column=iso3_column, layer=layer)
    own = target.geometry.iloc[0]
    others = _other_outlines(path, iso3=iso3, iso3_column=iso3_column, layer=layer)
    tree = shapely.STRtree(others.geometry.values)
    hits = tree.query(own, predicate="dwithin", distance=_degrees_within(own, snap_m=snap_m))
    candidates = sorted(set(others["code"].iloc[np.unique(hits)]))
    if not candidates:
        return []
    countries = read_countries(path, iso3=[iso3, *candidates], iso3_column=iso3_column, layer=layer)
    found = []
    for code in candidates:
        length_m, _ = longest_shared_m(countries, pair=[iso3, code], snap_m=snap_m)
        if length_m >= 2 * snap_m:
            found.append(code)
        log.info(
            "%s and %s: outlines within %g m along %.1f km at most (%s)",
            iso3,
            code,
            snap_m,
            length_m / 1000,
            "neighbours" if length_m >= 2 * snap_m else "not neighbours",
        )
    return found


def neighbours_of(
    path: str | Path,
    *,
    iso3: str,
    snap_m: float,
    iso3_column: str = "iso3",
    layer: str | None = None,
) -> list[str]:
    """:func:`land_neighbours` of ``iso3`` for the configuration key ``neighbours_of``.

    Raises
    ------
    ConfigError
        With one line naming the file and ``iso3``: the file cannot give the outlines
        (see :func:`land_neighbours`), or ``iso3`` has no land neighbour in it.
    """
    try:
        found = land_neighbours(
            path, iso3=iso3, snap_m=snap_m, iso3_column=iso3_column, layer=layer
        )
    except InputDataError as exc:
        raise ConfigError(f"neighbours_of: {iso3}: {exc}") from None
    if not found:
        raise ConfigError(
            f"neighbours_of: {iso3} has no land neighbour in {path} (no other outline runs "
            f"within border.snap_m={snap_m:g} m of its own along {2 * snap_m / 1000:g} km "
            "or more)"
        )
    return found


def _other_outlines(path: str | Path, *, iso3: str, iso3_column: str, layer: str | None):
    """Codes and outlines (EPSG:4326) of the other countries of the file that have both."""
    gdf = pyogrio.read_dataframe(path, layer=layer, columns=[iso3_column]).to_crs("EPSG:4326")
    codes = gdf[iso3_column].astype("string").fillna("")
    keep = (
        codes.str.fullmatch(_ISO3.pattern).fillna(False).to_numpy()
        & (codes != iso3).to_numpy()
        & ~(gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    )
    return gdf.assign(code=codes)[keep].reset_index(drop=True)


def _degrees_within(geom: shapely.Geometry, *, snap_m: float) -> float:
    """Give a distance in degrees that is more than ``snap_m`` anywhere on ``geom``.

    A degree of longitude is shortest at the highest latitude the outline reaches; the
    distance is that of ``MARGIN * snap_m`` there.
    """
    _, y0, _, y1 = geom.bounds
    lat = min(max(abs(y0), abs(y1)), _MAX_LAT)
    return MARGIN * snap_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
