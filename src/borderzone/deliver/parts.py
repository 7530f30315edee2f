"""The parts of the border, tabulated for the report.

A border is one or more parts (:mod:`borderzone.border.line`), each with its chainage range
``[from_km, to_km]``; chainage runs on over the parts and a break between two parts adds
nothing to it. :func:`parts_table` gives one row per part (its segments, crossings, people
in the buffer on each side, median travel time to a crossing) and a row for the whole
border; :func:`breaks_table` the breaks between parts; :func:`gaps_table` the gaps bridged
within each part; :func:`parts_sentence` says it in a sentence or two, and
:func:`parts_section` puts the four together as the report shows them.

A crossing belongs to the part of its segment (``seg_id``): at the end of one part and the
start of the next the chainage is the same, so ``km`` alone cannot tell the two apart. A
crossing without a segment known goes by ``km``, to the first part whose range holds it.
Border data without ``part_id`` (a border traced before it had parts) is one part.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

#: Label of the row that sums the parts.
WHOLE = "whole border"
#: Columns tried, in order, for the travel time to a crossing of a cell.
TIME_FIELDS = ("time_to_crossing_min", "time_crossing_min")


def _frame(df: pd.DataFrame | None) -> pd.DataFrame:
    return pd.DataFrame(df).drop(columns="geometry", errors="ignore") if df is not None else None


def part_ranges(border: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return ``part_id``, ``from_km``, ``to_km``, ``length_km`` of each part, in order.

    Without ``part_id`` the rows are the parts 1, 2, ...; without ``from_km`` the chainage
    is summed from the lengths in row order.
    """
    b = _frame(border).reset_index(drop=True)
    if "part_id" not in b.columns:
        b["part_id"] = np.arange(1, len(b) + 1)
    b = b.sort_values("part_id", kind="stable").reset_index(drop=True)
    length = pd.to_numeric(b["length_km"], errors="coerce").astype(float)
    if "from_km" not in b.columns or "to_km" not in b.columns:
        b["to_km"] = length.cumsum()
        b["from_km"] = b["to_km"] - length
    out = b[["part_id", "from_km", "to_km"]].assign(length_km=length)
    out["part_id"] = out["part_id"].astype(int)
    return out


def _segment_part(segments: pd.DataFrame) -> pd.Series:
    """``part_id`` by ``seg_id`` (all 1 when the segments have no ``part_id``)."""
    s = _frame(segments)
    part = s["part_id"] if "part_id" in s.columns else pd.Series(1, index=s.index)
    return pd.Series(part.to_numpy(int), index=s["seg_id"].to_numpy(), name="part_id")


def crossing_parts(
    border: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, crossings: pd.DataFrame
) -> pd.Series:
    """Return the ``part_id`` of each crossing, aligned to ``crossings``' index.

    By the part of its ``seg_id``; a crossing whose segment is not known goes to the first
    part whose ``[from_km, to_km]`` holds its ``km`` (the nearest part when none does).
    """
    c = _frame(crossings)
    ranges = part_ranges(border)
    part = pd.Series(np.nan, index=c.index)
    if "seg_id" in c.columns:
        part = pd.to_numeric(c["seg_id"], errors="coerce").map(_segment_part(segments))
    missing = part.isna().to_numpy()
    if missing.any() and "km" in c.columns:
        km = pd.to_numeric(c["km"], errors="coerce").to_numpy(float)[missing]
        lo, hi = ranges["from_km"].to_numpy(float), ranges["to_km"].to_numpy(float)
        off = np.maximum(lo[None, :] - km[:, None], km[:, None] - hi[None, :])  # <= 0 inside
        part[missing] = ranges["part_id"].to_numpy()[np.argmin(np.maximum(off, 0), axis=1)]
    return part.astype("Int64").rename("part_id")


def _sides(border: gpd.GeoDataFrame, metrics: pd.DataFrame) -> list[str]:
    present = [str(s) for s in pd.unique(metrics["side"])]
    if "pair" in border.columns and len(border):
        pair = str(border["pair"].iloc[0]).split("-")
        return [s for s in pair if s in present] + [s for s in present if s not in pair]
    return sorted(present)


def parts_table(
    border: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    crossings: pd.DataFrame | None,
    metrics: pd.DataFrame | None,
) -> pd.DataFrame:
    """Tabulate each part of the border and the whole border.

    Parameters
    ----------
    border
        The ``border`` layer: one row per part (``part_id``, ``from_km``, ``to_km``,
        ``length_km``; see :func:`part_ranges` for older data).
    segments
        The ``segments`` layer (``seg_id``, optional ``part_id``).
    crossings
        The crossings (``kind``, ``km``, ``seg_id``, ``official``); None when there are none.
    metrics
        Segment metrics, one row per ``seg_id`` × ``side`` of one buffer width
        (``population``, ``time_to_crossing_min``, ``width_km``); None to leave out.

    Returns
    -------
    pandas.DataFrame
        One row per part, then the row :data:`WHOLE`: ``part``, ``from km``, ``to km``,
        ``length km``, ``segments``, ``road crossings``, ``rail crossings``, ``official
        checkpoints``; where the metrics give them, ``people within W km, S`` for each
        side S (W the cells' width; ``people in the buffer, S`` without ``width_km``) and
        ``median time to a crossing (min)`` (of the cells, both sides; missing where no
        cell reaches a crossing). The counts and the people of the parts sum to the whole
        border's.
    """
    ranges = part_ranges(border)
    ids = ranges["part_id"].tolist()
    seg_part = _segment_part(segments)
    out = pd.DataFrame(
        {
            "part": ids,
            "from km": ranges["from_km"].to_numpy(float),
            "to km": ranges["to_km"].to_numpy(float),
            "length km": ranges["length_km"].to_numpy(float),
            "segments": seg_part.value_counts().reindex(ids, fill_value=0).to_numpy(),
        }
    )
    c = _frame(crossings) if crossings is not None else pd.DataFrame(columns=["kind", "km"])
    part = crossing_parts(border, segments, c) if len(c) else pd.Series(dtype="Int64")
    kind = c["kind"] if "kind" in c.columns else pd.Series("", index=c.index)
    official = (
        c["official"].fillna(False).astype(bool)
        if "official" in c.columns
        else pd.Series(False, index=c.index)
    )
    for label, mask in (
        ("road crossings", kind == "road"),
        ("rail crossings", kind == "rail"),
        ("official checkpoints", official),
    ):
        out[label] = part[mask.to_numpy()].value_counts().reindex(ids, fill_value=0).to_numpy()
    whole = {
        "part": WHOLE,
        "from km": float(ranges["from_km"].min()),
        "to km": float(ranges["to_km"].max()),
        "length km": float(ranges["length_km"].sum()),
        "segments": len(seg_part),
        "road crossings": int((kind == "road").sum()),
        "rail crossings": int((kind == "rail").sum()),
        "official checkpoints": int(official.sum()),
    }
    m = _frame(metrics)
    if m is not None and len(m) and "seg_id" in m.columns:
        part_of_cell = m["seg_id"].map(seg_part)
        if "population" in m.columns and "side" in m.columns:
            width = pd.to_numeric(m.get("width_km", pd.Series(dtype=float)), errors="coerce")
            within = (
                f"people within {width.max():g} km"
                if width.notna().any()
                else "people in the buffer"
            )
            pop = pd.to_numeric(m["population"], errors="coerce")
            for side in _sides(border, m):
                here = m["side"].astype(str) == side
                col = f"{within}, {side}"
                by_part = pop[here].groupby(part_of_cell[here]).sum()
                out[col] = by_part.reindex(ids, fill_value=0.0).to_numpy(float)
                whole[col] = float(pop[here].sum())
        time_field = next((f for f in TIME_FIELDS if f in m.columns), None)
        if time_field:
            t = pd.to_numeric(m[time_field], errors="coerce")
            col = "median time to a crossing (min)"
            out[col] = t.groupby(part_of_cell).median().reindex(ids).to_numpy(float)
            whole[col] = float(t.median())
    out = pd.concat([out.astype({"part": object}), pd.DataFrame([whole])], ignore_index=True)
    return out


def breaks_table(breaks: pd.DataFrame | None) -> pd.DataFrame:
    """Tabulate the breaks between parts (the ``border_breaks`` layer; None for none).

    Returns
    -------
    pandas.DataFrame
        ``between parts`` ("1 and 2"), ``at km``, ``straight line km`` (from the end of
        one part to the start of the next) and ``what lies between``, one row per break.
    """
    columns = ["between parts", "at km", "straight line km", "what lies between"]
    if breaks is None or len(breaks) == 0:
        return pd.DataFrame(columns=columns)
    b = _frame(breaks).sort_values("from_part", kind="stable")
    return pd.DataFrame(
        {
            "between parts": [
                f"{int(i)} and {int(j)}" for i, j in zip(b["from_part"], b["to_part"], strict=True)
            ],
            "at km": b["at_km"].to_numpy(float),
            "straight line km": b["distance_km"].to_numpy(float),
            "what lies between": b["between"].astype(str).to_numpy(),
        }
    )


def gaps_table(border: gpd.GeoDataFrame, gaps: pd.DataFrame | None) -> pd.DataFrame:
    """Count the gaps bridged within each part, and their length.

    Parameters
    ----------
    border
        The ``border`` layer (its parts; see :func:`part_ranges`).
    gaps
        The ``border_gaps`` layer (``part_id``, ``length_km``); None to take the border's
        ``n_gaps`` and ``gaps_km`` instead (zero when it has none).

    Returns
    -------
    pandas.DataFrame
        ``part``, ``gaps bridged``, ``km bridged``, one row per part and one for the
        whole border.
    """
    ids = part_ranges(border)["part_id"].tolist()
    if gaps is not None:
        g = _frame(gaps)
        part = g["part_id"] if "part_id" in g.columns else pd.Series(ids[0], index=g.index)
        length = pd.to_numeric(g["length_km"], errors="coerce")
        n = part.value_counts().reindex(ids, fill_value=0).to_numpy()
        km = length.groupby(part).sum().reindex(ids, fill_value=0.0).to_numpy(float)
    else:
        b = _frame(border)
        b = b.assign(part_id=b["part_id"] if "part_id" in b.columns else np.arange(1, len(b) + 1))
        b = b.set_index("part_id").reindex(ids)
        n = b["n_gaps"].fillna(0).to_numpy(int) if "n_gaps" in b else np.zeros(len(ids), int)
        km = b["gaps_km"].fillna(0).to_numpy(float) if "gaps_km" in b else np.zeros(len(ids))
    out = pd.DataFrame({"part": pd.Series(ids, dtype=object), "gaps bridged": n, "km bridged": km})
    whole = {"part": WHOLE, "gaps bridged": int(n.sum()), "km bridged": float(km.sum())}
    return pd.concat([out, pd.DataFrame([whole])], ignore_index=True)


def parts_sentence(parts: pd.DataFrame, gaps: pd.DataFrame, breaks: pd.DataFrame) -> str:
    """Say in a sentence or two how many parts the border is in, from the tables above."""
    whole = parts[parts["part"] == WHOLE].iloc[0]
    g = gaps[gaps["part"] == WHOLE].iloc[0]
    n_parts, n_gaps, n_breaks = len(parts) - 1, int(g["gaps bridged"]), len(breaks)
    if n_gaps == 1:
        bridged = (
            f"1 gap in the shared boundary bridged by a straight line ({g['km bridged']:,.1f} km)"
        )
    elif n_gaps:
        bridged = (
            f"{n_gaps} gaps in the shared boundary bridged by straight lines "
            f"({g['km bridged']:,.1f} km in all)"
        )
    else:
        bridged = "no gap in the shared boundary bridged"
    segments = f"{int(whole['segments'])} segments"
    if n_parts == 1:
        return (
            f"The border is in one part, {whole['length km']:,.1f} km long in {segments}, "
            f"with {bridged}."
        )
    breaks_text = (
        "so the break between them adds"
        if n_breaks == 1
        else f"so the {n_breaks} breaks between them add"
    )
    return (
        f"The border is in {n_parts} parts, {whole['length km']:,.1f} km in all in {segments}, "
        f"with {bridged}. The chainage runs on from the end of one part to the start of the "
        f"next, {breaks_text} nothing to it."
    )


def _display(df: pd.DataFrame) -> pd.DataFrame:
    """Write people and minutes as whole numbers (the km stay floats)."""
    out = df.copy()
    for col in out.columns:
        if col.startswith(("people", "median time")):
            out[col] = out[col].map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}")
    return out


def parts_section(
    border: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    crossings: pd.DataFrame | None,
    metrics: pd.DataFrame | None,
    gaps: pd.DataFrame | None = None,
    breaks: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Gather the report's section on the parts of the border.

    Parameters are those of :func:`parts_table`, :func:`gaps_table` and
    :func:`breaks_table`.

    Returns
    -------
    dict
        ``sentence`` (:func:`parts_sentence`); ``table``, the parts table with people and
        minutes written as whole numbers; ``breaks`` and ``gaps``, the other two tables. A
        border in one part gets the whole border's row only and no breaks or gaps table
        (None), and a border with no gap bridged no gaps table: the sentence says it.
    """
    table = parts_table(border, segments, crossings, metrics)
    gap_rows, break_rows = gaps_table(border, gaps), breaks_table(breaks)
    several = len(table) > 2
    return {
        "sentence": parts_sentence(table, gap_rows, break_rows),
        "table": _display(table if several else table[table["part"] == WHOLE]),
        "breaks": break_rows if several else None,
        "gaps": gap_rows if several and gap_rows["gaps bridged"].iloc[-1] else None,
    }
