"""The border's length at several generalisation tolerances: why published lengths differ.

A line measured on a finer map is longer: every bend of a river or a field boundary adds
length. :func:`length_by_tolerance` simplifies the border (Douglas–Peucker) at tolerances
from metres to kilometres and measures each result, so that a table shows at what scale of
generalisation the line measures a published length; :func:`tolerance_at_length` reads
that scale off the table.

Published rules
---------------
Each part of the border is cut into chunks of ``chunk_km`` geodesic length; each chunk is
simplified in an azimuthal equidistant projection centred on it (scale error below
0.005 % within 100 km of the centre, so the tolerance is metric-true everywhere) with its
two ends kept; the simplified chunks are measured geodesically on WGS84. Tolerance 0 is the
line as built.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.border.line import border_parts
from borderzone.border.segments import cut_segments
from borderzone.crs import WGS84, local_aeqd_transformers
from borderzone.geodesy import geodesic_length_km

log = logging.getLogger(__name__)

TOLERANCES_M: tuple[float, ...] = (0, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000)
"""Default Douglas–Peucker tolerances in metres (0: the line as built)."""

GENERALISATION_COLUMNS = [
    "tolerance_m",
    "length_km",
    "n_vertices",
    "difference_km",
    "difference_pct",
]


def length_by_tolerance(
    border: gpd.GeoDataFrame | shapely.Geometry,
    *,
    tolerances_m: Sequence[float] = TOLERANCES_M,
    official_km: float | None = None,
    chunk_km: float = 100.0,
) -> pd.DataFrame:
    """Length of the border simplified at each tolerance.

    Parameters
    ----------
    border
        The ``border`` layer (one row per part; EPSG:4326 or any CRS), or a line in
        EPSG:4326.
    tolerances_m
        Douglas–Peucker tolerances in metres, each ≥ 0.
    official_km
        A published length to set each length beside (None: differences are NaN).
    chunk_km
        Length of the pieces simplified each in its own local projection.

    Returns
    -------
    pandas.DataFrame
        :data:`GENERALISATION_COLUMNS`, one row per tolerance in increasing order:
        geodesic ``length_km``, ``n_vertices`` of the simplified line, and the difference
        to ``official_km`` (km and % of it).

    Examples
    --------
    >>> length_by_tolerance(border, official_km=7644)  # doctest: +SKIP
    """
    tols = sorted({float(t) for t in tolerances_m})
    if not tols or tols[0] < 0:
        raise ValueError(f"tolerances_m must be non-negative, got {list(tolerances_m)!r}")
    if isinstance(border, gpd.GeoDataFrame | gpd.GeoSeries):
        border = border.to_crs(WGS84)
    chunks = [
        geom
        for part in border_parts(border)
        for geom in cut_segments(part, segment_km=chunk_km).geometry
    ]
    local, back = [], []
    for geom in chunks:
        x0, y0, x1, y1 = geom.bounds
        fwd, inv = local_aeqd_transformers((x0 + x1) / 2, (y0 + y1) / 2)
        local.append(shapely.transform(geom, fwd.transform, interleaved=False))
        back.append(inv)
    local_arr = np.asarray(local, dtype=object)
    rows = []
    for tol in tols:
        simple = (
            local_arr if tol == 0 else shapely.simplify(local_arr, tol, preserve_topology=False)
        )
        lonlat = np.asarray(
            [
                shapely.transform(g, tr.transform, interleaved=False)
                for g, tr in zip(simple, back, strict=True)
            ],
            dtype=object,
        )
        length = float(np.sum(geodesic_length_km(lonlat)))
        # vertices of the whole line: chunk ends are shared between neighbouring chunks
        n_vertices = int(shapely.get_num_coordinates(simple).sum()) - (len(chunks) - 1)
        rows.append((tol, length, n_vertices))
    out = pd.DataFrame(rows, columns=GENERALISATION_COLUMNS[:3])
    ref = np.nan if official_km is None else float(official_km)
    out["difference_km"] = out["length_km"] - ref
    out["difference_pct"] = 100 * out["difference_km"] / ref
    log.info(
        "border length %.0f km as built, %.0f km at %g m tolerance",
        out["length_km"].iloc[0],
        out["length_km"].iloc[-1],
        tols[-1],
    )
    return out


def tolerance_at_length(table: pd.DataFrame, length_km: float) -> float | None:
    """Return the tolerance (m) at which the simplified line measures ``length_km``.

    Interpolated on the logarithm of the tolerance between the two rows of
    :func:`length_by_tolerance` whose lengths bracket ``length_km`` (tolerance 0 counts as
    1 m); None when no two rows bracket it: the line is longer, or shorter, at every
    tolerance of the table.
    """
    t = table.sort_values("tolerance_m")
    tol = np.log(np.maximum(t["tolerance_m"].to_numpy(float), 1.0))
    length = t["length_km"].to_numpy(float)
    for i in range(len(t) - 1):
        lo, hi = sorted((length[i], length[i + 1]))
        if lo <= length_km <= hi and length[i] != length[i + 1]:
            f = (length[i] - length_km) / (length[i] - length[i + 1])
            return float(np.exp(tol[i] + f * (tol[i + 1] - tol[i])))
    return None
