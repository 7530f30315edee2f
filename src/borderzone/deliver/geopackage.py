"""The styled GeoPackage of one buffer width: its layers, with their QGIS styles inside.

:func:`deliverable_layers` assembles the layers (metrics joined to cells and segments);
:func:`write_styled_geopackage` writes them with :func:`borderzone.io.write_layers` and
stores each layer's QML in the ``layer_styles`` table, the table QGIS itself creates when
a style is saved "in the database": QGIS applies the default one when the layer is added.

The same layers and date give the same bytes: the styles' ``update_time`` and GDAL's
``last_change`` are the ``date`` given (the run record's, from the inputs or
``SOURCE_DATE_EPOCH``; :func:`borderzone.io.write_date`), never the clock.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from borderzone.deliver.styles import density_field, isolation_field
from borderzone.errors import InputDataError
from borderzone.io import ArrowLayer, write_date, write_layers
from borderzone.qml import parse_qgis_document

LAYER_STYLES = "layer_styles"
LAYER_STYLES_COLUMNS = (
    "f_table_catalog f_table_schema f_table_name f_geometry_column styleName styleQML "
    "styleSLD useAsDefault description owner ui update_time"
).split()
BOOLEAN_COLUMNS = ("official", "local_only", "transit", "in_gap", "surface_differs")


def _writable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy GDAL can write: lists joined with ';', flag columns as booleans."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        s = out[col]
        if s.dtype == object and s.map(lambda v: isinstance(v, list | tuple | np.ndarray)).any():
            out[col] = s.map(
                lambda v: ";".join(map(str, v)) if isinstance(v, list | tuple | np.ndarray) else v
            )
        elif col in BOOLEAN_COLUMNS and s.dtype == object and s.notna().all():
            out[col] = s.astype(bool)
    return out


def layer_styles_frame(
    layers: Mapping[str, gpd.GeoDataFrame],
    styles: Mapping[str, str],
    *,
    alternatives: Mapping[str, Mapping[str, str]] | None = None,
    geometry_column: str = "geom",
    owner: str = "borderzone",
    date: dt.datetime | None = None,
) -> pd.DataFrame:
    """Build the rows of the ``layer_styles`` table.

    One default style per styled layer, then the alternatives (``useAsDefault`` false),
    each with ``update_time`` :func:`borderzone.io.write_date` of ``date``.
    """
    now = pd.Timestamp(write_date(date))
    rows = []

    def row(name: str, style_name: str, qml: str, default: bool, description: str) -> dict:
        parse_qgis_document(qml)  # refuse a style that is not XML
        return {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": name,
            "f_geometry_column": geometry_column,
            "styleName": style_name,
            "styleQML": qml,
            "styleSLD": "",
            "useAsDefault": default,
            "description": description,
            "owner": owner,
            "ui": "",
            "update_time": now,
        }

    for name, qml in styles.items():
        if name not in layers:
            raise InputDataError(f"style given for layer {name!r}, which is not in the layers")
        rows.append(row(name, name, qml, True, f"borderzone default style of {name}"))
    for name, extra in (alternatives or {}).items():
        for style_name, qml in extra.items():
            rows.append(row(name, f"{name}: {style_name}", qml, False, style_name))
    return pd.DataFrame(rows, columns=LAYER_STYLES_COLUMNS)


def write_styled_geopackage(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | Path,
    *,
    styles: Mapping[str, str],
    alternatives: Mapping[str, Mapping[str, str]] | None = None,
    metadata: Mapping[str, str] | None = None,
    date: dt.datetime | None = None,
) -> None:
    """Write ``layers`` to one GeoPackage with their QGIS styles in ``layer_styles``.

    Parameters
    ----------
    layers
        Layer name to data. A GeoDataFrame must have a CRS; a plain DataFrame is written
        as an attribute table. Empty layers are written too (with their columns).
    path
        Destination ``.gpkg``; written by :func:`borderzone.io.write_layers`, all or
        nothing, the ``layer_styles`` table last.
    styles
        Layer name to QML (:func:`borderzone.deliver.styles.default_styles`): the default
        style, applied by QGIS when the layer is loaded.
    alternatives
        Layer name to {style name: QML}: further styles QGIS offers in the layer's style
        menu.
    metadata
        Stored as GDAL dataset metadata: the outputs' metadata and the run record
        (:func:`borderzone.deliver.run_record.metadata_strings`).
    date
        Date of the data, stored as the styles' ``update_time`` and the layers' last
        change (:func:`borderzone.io.write_date`: ``SOURCE_DATE_EPOCH`` or undated when
        None).

    Raises
    ------
    InputDataError
        When a layer has no CRS, is named ``layer_styles``, or a style names a layer that
        is not there.
    """
    if LAYER_STYLES in layers:
        raise InputDataError(f"{path}: a layer may not be named {LAYER_STYLES!r}")
    frame = layer_styles_frame(layers, styles, alternatives=alternatives, date=date)
    tables = {
        name: (
            df
            if isinstance(df, ArrowLayer)  # written as read
            else _writable(df)
            if isinstance(df, gpd.GeoDataFrame)
            else pd.DataFrame(df)
        )
        for name, df in layers.items()
    }
    write_layers(
        path,
        {**tables, LAYER_STYLES: frame},
        metadata=metadata,
        layer_options={LAYER_STYLES: {"FID": "id"}},
        date=date,
    )


def read_layer_styles(path: str | Path) -> pd.DataFrame:
    """Read the ``layer_styles`` table of a GeoPackage."""
    with sqlite3.connect(path) as con:
        return pd.read_sql_query("SELECT * FROM layer_styles ORDER BY id", con)


def deliverable_layers(
    *,
    border: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    buffer: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    network: Mapping[str, gpd.GeoDataFrame | ArrowLayer],
    crossings: gpd.GeoDataFrame | None = None,
    metrics: pd.DataFrame | None = None,
    gaps: gpd.GeoDataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Assemble the layers of one width's deliverable GeoPackage, metrics joined.

    ``cells`` get the metric columns of their (``seg_id``, ``side``); ``segments`` get
    the isolation index (the higher of the two sides) and the population density of both sides
    together (people over area when ``population`` and ``area_km2`` are there, else the
    mean of the two). ``metrics`` is kept as the ``segment_metrics`` layer (with the
    cells' geometry when it has none).
    """
    out: dict[str, gpd.GeoDataFrame] = {"border": border}
    if gaps is not None and len(gaps):
        out["border_gaps"] = gaps
    seg, cel = segments.copy(), cells.copy()
    if metrics is not None:
        m = pd.DataFrame(metrics).drop(columns=["geometry"], errors="ignore")
        missing = {"seg_id", "side"} - set(m.columns)
        if missing:
            raise InputDataError(f"segment metrics lack the columns {sorted(missing)}")
        extra = [c for c in m.columns if c not in cel.columns or c in ("seg_id", "side")]
        cel = cel.merge(m[extra], on=["seg_id", "side"], how="left")
        agg: dict[str, Any] = {}
        iso = isolation_field(list(m.columns))
        if iso:
            agg[iso] = m.groupby("seg_id")[iso].max()
        dens = density_field(list(m.columns))
        if dens:
            if {"population", "area_km2"} <= set(m.columns):
                g = m.groupby("seg_id")[["population", "area_km2"]].sum()
                agg[dens] = g["population"] / g["area_km2"].where(g["area_km2"] > 0)
            else:
                agg[dens] = m.groupby("seg_id")[dens].mean()
        if agg:
            seg = seg.merge(pd.DataFrame(agg), left_on="seg_id", right_index=True, how="left")
        if isinstance(metrics, gpd.GeoDataFrame):
            metrics_layer = metrics
        else:
            metrics_layer = cel[["seg_id", "side", "geometry"]].merge(m, on=["seg_id", "side"])
            metrics_layer = gpd.GeoDataFrame(metrics_layer, geometry="geometry", crs=cells.crs)
    out.update(segments=seg, buffer=buffer, cells=cel)
    for name in ("roads", "rail", "checkpoints", "places"):
        if name in network:
            out[name] = network[name]
    if crossings is not None:
        out["crossings"] = crossings
    if metrics is not None:
        out["segment_metrics"] = metrics_layer
    return out
