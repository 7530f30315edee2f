"""Crossings along the border: which count, how many fall in a segment, how far the nearest is.

Distances along the border are chainage differences (km from where the border's chainage
starts, see :mod:`borderzone.border.line`): a crossing's ``km`` against a segment's
``[from_km, to_km]``. Both sides of a segment get the same value. A border in several parts
(segments with ``part_id``) is measured along each part: only the crossings of a segment's
own part count, for a crossing of another part lies across a third country or the sea. A
crossing belongs to the part of the segment its ``km`` falls in (``[from_km, to_km)``, the
segment a crossing's ``seg_id`` names).
"""

from typing import Literal

import numpy as np
import pandas as pd

from borderzone.errors import InputDataError
from borderzone.metrics.inputs import check_frame


def cell_chainage(
    cells: pd.DataFrame, segments: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """Chainage ``from_km``, ``to_km`` of each cell's segment.

    Parameters
    ----------
    cells
        Rows with ``seg_id``, or with ``from_km`` and ``to_km`` when ``segments`` is None.
    segments
        The ``segments`` layer (``seg_id``, ``from_km``, ``to_km``), or None.

    Raises
    ------
    InputDataError
        When a cell's ``seg_id`` is not among the segments.
    """
    if segments is None:
        check_frame(cells, "cells", ["from_km", "to_km"])
        return cells["from_km"].to_numpy(float), cells["to_km"].to_numpy(float)
    check_frame(cells, "cells", ["seg_id"])
    check_frame(segments, "segments", ["seg_id", "from_km", "to_km"])
    seg = segments.set_index("seg_id")
    missing = set(cells["seg_id"]) - set(seg.index)
    if missing:
        raise InputDataError(f"cells have seg_id(s) {sorted(missing)[:5]} absent from segments")
    seg = seg.loc[cells["seg_id"].to_numpy()]
    return seg["from_km"].to_numpy(float), seg["to_km"].to_numpy(float)


def select_crossings(
    crossings: pd.DataFrame,
    *,
    kind: Literal["road", "rail"] | None = None,
    where: str | np.ndarray | pd.Series | None = None,
) -> pd.DataFrame:
    """Select the crossings of a ``kind`` that satisfy ``where``.

    Parameters
    ----------
    crossings
        The ``crossings`` layer (columns ``kind``, ``km``, ...).
    kind
        ``"road"``, ``"rail"`` or None for both.
    where
        A :meth:`pandas.DataFrame.query` expression such as ``"official"`` or
        ``"surface_class == 'paved'"``, or a boolean mask aligned to ``crossings``.
    """
    check_frame(crossings, "crossings", ["kind"] if kind is not None else [])
    out = crossings
    if kind is not None:
        if kind not in ("road", "rail"):
            raise ValueError(f"kind must be 'road', 'rail' or None, got {kind!r}")
        out = out[out["kind"] == kind]
    if where is not None:
        if isinstance(where, str):
            out = out.query(where)
        else:
            mask = np.asarray(where, dtype=bool)
            if len(mask) != len(crossings):
                raise ValueError("where mask must have one value per crossing")
            out = out[mask[crossings.index.get_indexer(out.index)]]
    return out


def distance_to_crossing_km(
    cells: pd.DataFrame,
    crossings: pd.DataFrame,
    *,
    segments: pd.DataFrame | None = None,
    kind: Literal["road", "rail"] | None = None,
    where: str | np.ndarray | pd.Series | None = None,
) -> pd.Series:
    """Distance along the border from each cell's segment to the nearest crossing.

    The distance is 0 when a crossing's chainage ``km`` falls inside the segment
    ``[from_km, to_km]``, else the chainage gap to the nearest crossing before or after it
    on the segment's part. Both sides of a segment get the same value.

    Parameters
    ----------
    cells
        Rows with ``seg_id`` (and ``from_km``, ``to_km`` when ``segments`` is None).
    crossings
        The ``crossings`` layer: ``kind``, ``km`` and the columns ``where`` uses.
    segments
        The ``segments`` layer (``seg_id``, ``from_km``, ``to_km``).
    kind, where
        Which crossings count; see :func:`select_crossings`. E.g. paved road crossings:
        ``kind="road", where="surface_class == 'paved'"``; official checkpoints:
        ``where="official"``.

    Returns
    -------
    pandas.Series
        Km; NaN when there is no such crossing on the segment's part.

    Examples
    --------
    A segment from km 100 to 125 with crossings at km 40 and 160 is 35 km from the nearest.
    """
    check_frame(crossings, "crossings", ["km"])
    from_km, to_km = cell_chainage(cells, segments)
    km_all = select_crossings(crossings, kind=kind, where=where)["km"].to_numpy(float)
    cell_part, crossing_part = _parts(cells, segments, km_all)
    dist = np.full(len(from_km), np.nan)
    for part in np.unique(cell_part):
        here = cell_part == part
        km = np.sort(km_all[crossing_part == part])
        if len(km) == 0:
            continue
        # nearest crossing at or before to_km, and at or after from_km
        f, t = from_km[here], to_km[here]
        before = np.searchsorted(km, t, side="right") - 1
        after = np.searchsorted(km, f, side="left")
        d_before = np.where(before >= 0, f - km[np.clip(before, 0, None)], np.inf)
        d_after = np.where(after < len(km), km[np.clip(after, None, len(km) - 1)] - t, np.inf)
        dist[here] = np.clip(np.minimum(d_before, d_after), 0.0, None)
    return pd.Series(dist, index=cells.index, name="dist_crossing_km")


def _parts(
    cells: pd.DataFrame, segments: pd.DataFrame | None, km: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Part of each cell and of each crossing chainage ``km`` (all 1 without parts)."""
    if segments is None or "part_id" not in segments.columns:
        return np.ones(len(cells), dtype=np.int64), np.ones(len(km), dtype=np.int64)
    seg = segments.sort_values("from_km")
    part = seg["part_id"].to_numpy(np.int64)
    cell_part = seg.set_index("seg_id")["part_id"].loc[cells["seg_id"].to_numpy()]
    pos = np.clip(np.searchsorted(seg["from_km"].to_numpy(float), km, "right") - 1, 0, None)
    return cell_part.to_numpy(np.int64), part[pos]


def crossings_count(
    cells: pd.DataFrame,
    crossings: pd.DataFrame,
    *,
    segments: pd.DataFrame | None = None,
    kind: Literal["road", "rail"] | None = None,
    where: str | np.ndarray | pd.Series | None = None,
) -> pd.Series:
    """Count the crossings whose chainage falls in each cell's segment ``[from_km, to_km)``.

    The last segment (of the border, or of its part) also counts a crossing of its part at
    its end.
    """
    check_frame(crossings, "crossings", ["km"])
    from_km, to_km = cell_chainage(cells, segments)
    km_all = select_crossings(crossings, kind=kind, where=where)["km"].to_numpy(float)
    cell_part, crossing_part = _parts(cells, segments, km_all)
    n = np.zeros(len(from_km), dtype=int)
    for part in np.unique(cell_part):
        here = cell_part == part
        km = np.sort(km_all[crossing_part == part])
        f, t = from_km[here], to_km[here]
        m = np.searchsorted(km, t, side="left") - np.searchsorted(km, f, side="left")
        last = t >= t.max()
        n[here] = m + last * (np.searchsorted(km, t, "right") - np.searchsorted(km, t, "left"))
    return pd.Series(n, index=cells.index, name="n_crossings")
