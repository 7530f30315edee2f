"""QGIS deliverables: a styled GeoPackage and a QGIS project (.qgz) that opens on the border.

:func:`write_styled_geopackage` writes every layer of one buffer width into one GeoPackage
and stores each layer's QML in the ``layer_styles`` table, the table QGIS itself creates
when a style is saved "in the database": QGIS applies the default one when the layer is
added. :func:`write_qgis_project` writes ``borderzone.qgz`` with relative paths, layer
groups, the same styles and an initial extent on the border. It uses PyQGIS when it can
be imported (the system Python of a machine with ``python3-qgis``); elsewhere (the
workflow's environment) it writes the ``.qgs`` XML itself with xml.etree and zips it,
which is the main path and the one the workflow takes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import sqlite3
import tempfile
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from borderzone.deliver.styles import density_field, geometry_kind, isolation_field
from borderzone.errors import InputDataError
from borderzone.qml import QGIS_VERSION

log = logging.getLogger(__name__)

#: Layer groups of the project, in the layer tree's order (top draws on top).
GROUPS: dict[str, tuple[str, ...]] = {
    "Crossings": ("crossings",),
    "Border": ("border", "border_gaps", "segments"),
    "Network": ("checkpoints", "places", "rail", "roads"),
    "Metrics": ("segment_metrics",),
    "Zones": ("cells", "buffer"),
    "Rasters": (),
}
LAYER_STYLES_COLUMNS = (
    "f_table_catalog f_table_schema f_table_name f_geometry_column styleName styleQML "
    "styleSLD useAsDefault description owner ui update_time"
).split()
BOOLEAN_COLUMNS = ("official", "local_only", "transit", "in_gap", "surface_differs")


# --------------------------------------------------------------------------------------
# the GeoPackage


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
) -> pd.DataFrame:
    """Build the rows of the ``layer_styles`` table.

    One default style per styled layer, then the alternatives (``useAsDefault`` false).
    """
    now = pd.Timestamp.now(tz="UTC").floor("s")
    rows = []

    def row(name: str, style_name: str, qml: str, default: bool, description: str) -> dict:
        ET.fromstring(qml.split("\n", 1)[1] if qml.startswith("<!DOCTYPE") else qml)
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
) -> None:
    """Write ``layers`` to one GeoPackage with their QGIS styles in ``layer_styles``.

    Parameters
    ----------
    layers
        Layer name to data. A GeoDataFrame must have a CRS; a plain DataFrame is written
        as an attribute table. Empty layers are written too (with their columns).
    path
        Destination ``.gpkg``; written under a temporary name and renamed into place.
    styles
        Layer name to QML (:func:`borderzone.deliver.styles.default_styles`): the default style,
        applied by QGIS when the layer is loaded.
    alternatives
        Layer name to {style name: QML}: further styles QGIS offers in the layer's style
        menu.
    metadata
        Provenance stored as GDAL dataset metadata (:func:`borderzone.deliver.report.provenance`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = layer_styles_frame(layers, styles, alternatives=alternatives)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", dir=path.parent))
    try:
        tmp = tmpdir / path.name
        for i, (name, df) in enumerate(layers.items()):
            if isinstance(df, gpd.GeoDataFrame) and df.crs is None:
                raise InputDataError(f"layer {name} for {path} has no CRS")
            pyogrio.write_dataframe(
                _writable(df) if isinstance(df, gpd.GeoDataFrame) else pd.DataFrame(df),
                tmp,
                layer=name,
                driver="GPKG",
                append=i > 0,
                promote_to_multi=None,
                # GeoPackage 1.2: what the GDAL of QGIS 3.22 (Debian bookworm) reads
                # without warning; newer GDAL writes 1.4 by default
                dataset_options={"VERSION": "1.2"} if i == 0 else None,
                dataset_metadata=dict(metadata or {}) if i == 0 else None,
            )
        pyogrio.write_dataframe(
            frame, tmp, layer="layer_styles", append=True, layer_options={"FID": "id"}
        )
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    log.info("wrote %s with %d styles", path, len(frame))


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
    network: Mapping[str, gpd.GeoDataFrame],
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


# --------------------------------------------------------------------------------------
# the project


@dataclass(frozen=True)
class ProjectLayer:
    """One layer of the QGIS project.

    Attributes
    ----------
    name
        Name shown in the layer tree.
    path
        The file (absolute or relative to the working directory); the project stores it
        relative to itself.
    group
        Group of the layer tree (:data:`GROUPS`).
    layer
        Layer inside a GeoPackage; None for a raster.
    qml
        Style of the layer; None for QGIS's default.
    geometry
        ``point``, ``line``, ``polygon`` for a vector layer, None for a raster.
    """

    name: str
    path: str | Path
    group: str
    layer: str | None = None
    qml: str | None = None
    geometry: str | None = None

    @property
    def is_raster(self) -> bool:
        """Whether the layer is a raster (read by GDAL rather than OGR)."""
        return self.layer is None

    def source(self, project_dir: Path) -> str:
        """Return the data source relative to ``project_dir``, as QGIS writes it (``./...``)."""
        rel = Path(os.path.relpath(Path(self.path).resolve(), project_dir.resolve())).as_posix()
        rel = rel if rel.startswith("../") else f"./{rel}"
        return rel if self.is_raster else f"{rel}|layername={self.layer}"

    @property
    def layer_id(self) -> str:
        """A stable QGIS layer id."""
        digest = hashlib.sha1(f"{self.path}|{self.layer}|{self.name}".encode()).hexdigest()
        return f"{self.name}_{digest[:12]}"


def project_layers(
    gpkg: str | Path,
    layers: Mapping[str, Any],
    styles: Mapping[str, str],
    *,
    rasters: Mapping[str, tuple[str | Path, str | None]] | None = None,
) -> list[ProjectLayer]:
    """List the project layers of a styled GeoPackage and rasters, in :data:`GROUPS` order.

    ``rasters`` maps a layer name to (GeoTIFF, QML or None). Layers not named in
    :data:`GROUPS` go to the Metrics group.
    """
    known = {n: g for g, names in GROUPS.items() for n in names}
    out = []
    ordered = sorted(
        (n for n in layers if geometry_kind(layers[n]) is not None),
        key=lambda n: (
            list(GROUPS).index(known.get(n, "Metrics")),
            GROUPS.get(known.get(n, "Metrics"), ()).index(n) if n in known else 99,
        ),
    )
    for name in ordered:
        out.append(
            ProjectLayer(
                name=name,
                path=gpkg,
                group=known.get(name, "Metrics"),
                layer=name,
                qml=styles.get(name),
                geometry=geometry_kind(layers[name]),
            )
        )
    for name, (tif, qml) in (rasters or {}).items():
        out.append(ProjectLayer(name=name, path=tif, group="Rasters", qml=qml))
    return out


def _spatialrefsys(parent: ET.Element, crs: CRS) -> None:
    srs = ET.SubElement(parent, "spatialrefsys", nativeFormat="Wkt")
    ET.SubElement(srs, "wkt").text = crs.to_wkt()
    with warnings.catch_warnings():  # a PROJ string loses information; QGIS reads the WKT
        warnings.simplefilter("ignore", UserWarning)
        ET.SubElement(srs, "proj4").text = crs.to_proj4()
        acronym = crs.to_dict().get("proj", "")
    auth = crs.to_authority() or ("", "")
    ET.SubElement(srs, "srsid").text = "3452" if auth == ("EPSG", "4326") else "0"
    ET.SubElement(srs, "srid").text = auth[1]
    ET.SubElement(srs, "authid").text = ":".join(auth) if auth[0] else ""
    ET.SubElement(srs, "description").text = crs.name
    ET.SubElement(srs, "projectionacronym").text = acronym
    ET.SubElement(srs, "ellipsoidacronym").text = "EPSG:7030"
    ET.SubElement(srs, "geographicflag").text = "true" if crs.is_geographic else "false"


def _extent(parent: ET.Element, tag: str, extent: Sequence[float]) -> ET.Element:
    el = ET.SubElement(parent, tag)
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), extent, strict=True):
        ET.SubElement(el, key).text = f"{value:.10g}"
    return el


def _parse_qml(qml: str) -> ET.Element:
    return ET.fromstring(qml.split("\n", 1)[1] if qml.startswith("<!DOCTYPE") else qml)


def project_xml(
    layers: Sequence[ProjectLayer],
    *,
    project_dir: str | Path,
    extent: Sequence[float],
    title: str = "borderzone",
    crs: str = "EPSG:4326",
) -> ET.Element:
    """Build the ``.qgs`` document of a project holding ``layers``.

    Parameters
    ----------
    layers
        The layers, in the layer tree's order.
    project_dir
        Folder the project file will be in: data sources are written relative to it.
    extent
        Initial view (xmin, ymin, xmax, ymax) in ``crs``.
    title
        Project title.
    crs
        Project CRS.
    """
    project_dir = Path(project_dir)
    pcrs = CRS.from_user_input(crs)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root = ET.Element(
        "qgis",
        projectname=title,
        version=QGIS_VERSION,
        saveUser="borderzone",
        saveUserFull="borderzone",
        saveDateTime=now.isoformat(),
    )
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "autotransaction", active="0")
    ET.SubElement(root, "evaluateDefaultValues", active="0")
    ET.SubElement(root, "trust", active="0")
    ET.SubElement(root, "projectFlags", set="")
    _spatialrefsys(ET.SubElement(root, "projectCrs"), pcrs)

    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    groups: dict[str, ET.Element] = {}
    for group in [*GROUPS, *sorted({lyr.group for lyr in layers} - set(GROUPS))]:
        if not any(lyr.group == group for lyr in layers):
            continue
        g = ET.SubElement(tree, "layer-tree-group", name=group, checked="Qt::Checked")
        g.set("expanded", "1")
        ET.SubElement(g, "customproperties")
        groups[group] = g
    for lyr in layers:
        el = ET.SubElement(
            groups[lyr.group],
            "layer-tree-layer",
            id=lyr.layer_id,
            name=lyr.name,
            source=lyr.source(project_dir),
            providerKey="gdal" if lyr.is_raster else "ogr",
            checked="Qt::Checked",
            expanded="0",
            legend_exp="",
        )
        ET.SubElement(el, "customproperties")
    ET.SubElement(tree, "custom-order", enabled="0")

    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    ET.SubElement(canvas, "units").text = "degrees" if pcrs.is_geographic else "meters"
    _extent(canvas, "extent", extent)
    ET.SubElement(canvas, "rotation").text = "0"
    _spatialrefsys(ET.SubElement(canvas, "destinationsrs"), pcrs)
    ET.SubElement(canvas, "rendermaptile").text = "0"

    maplayers = ET.SubElement(root, "projectlayers")
    for lyr in layers:
        attrs = {
            "type": "raster" if lyr.is_raster else "vector",
            "autoRefreshEnabled": "0",
            "autoRefreshTime": "0",
            "refreshOnNotifyEnabled": "0",
            "refreshOnNotifyMessage": "",
            "hasScaleBasedVisibilityFlag": "0",
            "minScale": "100000000",
            "maxScale": "0",
            "styleCategories": "AllStyleCategories",
        }
        if not lyr.is_raster:
            attrs["geometry"] = {"point": "Point", "line": "Line", "polygon": "Polygon"}[
                lyr.geometry or "point"
            ]
            attrs.update(simplifyDrawingHints="0", readOnly="0", labelsEnabled="0")
        ml = ET.SubElement(maplayers, "maplayer", attrs)
        ET.SubElement(ml, "id").text = lyr.layer_id
        ET.SubElement(ml, "datasource").text = lyr.source(project_dir)
        ET.SubElement(ml, "layername").text = lyr.name
        _spatialrefsys(ET.SubElement(ml, "srs"), CRS.from_epsg(4326))
        ET.SubElement(ml, "provider", encoding="UTF-8").text = "gdal" if lyr.is_raster else "ogr"
        styles = ET.SubElement(ml, "map-layer-style-manager", current="default")
        ET.SubElement(styles, "map-layer-style", name="default")
        if lyr.qml:
            qml = _parse_qml(lyr.qml)
            if qml.get("labelsEnabled") and not lyr.is_raster:
                ml.set("labelsEnabled", qml.get("labelsEnabled", "0"))
            for child in qml:
                ml.append(child)
    order = ET.SubElement(root, "layerorder")
    for lyr in layers:
        ET.SubElement(order, "layer", id=lyr.layer_id)

    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    view = ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0")
    ET.SubElement(view, "Scales")
    dve = ET.SubElement(
        view,
        "DefaultViewExtent",
        **{k: f"{v:.10g}" for k, v in zip(("xmin", "ymin", "xmax", "ymax"), extent, strict=True)},
    )
    _spatialrefsys(dve, pcrs)
    meta = ET.SubElement(root, "projectMetadata")
    ET.SubElement(meta, "identifier")
    ET.SubElement(meta, "title").text = title
    ET.SubElement(meta, "abstract").text = "Written by borderzone"
    ET.SubElement(meta, "creation").text = now.isoformat()
    ET.indent(root)
    return root


def write_qgis_project(
    path: str | Path,
    *,
    layers: Sequence[ProjectLayer],
    extent: Sequence[float],
    title: str = "borderzone",
    crs: str = "EPSG:4326",
    backend: str = "auto",
) -> str:
    """Write a QGIS project (``.qgz`` or ``.qgs``) holding ``layers``.

    Parameters
    ----------
    path
        Destination; ``.qgz`` zips the ``.qgs`` document.
    layers
        The layers (:func:`project_layers`).
    extent
        Initial view (xmin, ymin, xmax, ymax) in ``crs``, e.g. the border's bounds.
    title
        Project title.
    crs
        Project CRS.
    backend
        ``"xml"`` writes the document with xml.etree; ``"pyqgis"`` builds it with PyQGIS;
        ``"auto"`` uses PyQGIS when it can be imported, else the XML writer.

    Returns
    -------
    str
        The backend used.
    """
    path = Path(path)
    if path.suffix not in (".qgz", ".qgs"):
        raise InputDataError(f"QGIS project {path} must end in .qgz or .qgs")
    for lyr in layers:
        if not Path(lyr.path).exists():
            raise InputDataError(f"layer {lyr.name} of project {path}: {lyr.path} does not exist")
    if backend == "auto":
        try:
            import qgis.core  # noqa: F401

            backend = "pyqgis"
        except ImportError:
            backend = "xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if backend == "pyqgis":
        _write_pyqgis(path, layers, extent=extent, title=title, crs=crs)
    elif backend == "xml":
        root = project_xml(layers, project_dir=path.parent, extent=extent, title=title, crs=crs)
        text = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
            root, encoding="unicode"
        )
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            if path.suffix == ".qgz":
                with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                    zf.writestr(f"{path.stem}.qgs", text)
            else:
                tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    else:
        raise ValueError(f"backend {backend!r} is not auto, xml or pyqgis")
    log.info("wrote %s (%d layers, %s)", path, len(layers), backend)
    return backend


def read_project_xml(path: str | Path) -> ET.Element:
    """Read the ``.qgs`` document of a ``.qgz`` or ``.qgs`` file."""
    path = Path(path)
    if path.suffix == ".qgz":
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".qgs"))
            text = zf.read(name).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return ET.fromstring(text.split("\n", 1)[1] if text.startswith("<!DOCTYPE") else text)


def _write_pyqgis(
    path: Path,
    layers: Sequence[ProjectLayer],
    *,
    extent: Sequence[float],
    title: str,
    crs: str,
) -> None:  # pragma: no cover - runs only where PyQGIS is importable (tests/qgis)
    from qgis.core import (
        QgsApplication,
        QgsCoordinateReferenceSystem,
        QgsProject,
        QgsRasterLayer,
        QgsRectangle,
        QgsReferencedRectangle,
        QgsVectorLayer,
    )

    app = QgsApplication.instance()
    own = app is None
    if own:
        app = QgsApplication([], False)
        app.initQgis()
    try:
        project = QgsProject()
        project.setTitle(title)
        project.setCrs(QgsCoordinateReferenceSystem(crs))
        project.writeEntryBool("Paths", "/Absolute", False)
        project.setFileName(str(path))
        root = project.layerTreeRoot()
        groups = {}
        for group in GROUPS:
            if any(lyr.group == group for lyr in layers):
                groups[group] = root.addGroup(group)
        for lyr in layers:
            src = str(Path(lyr.path).resolve())
            if lyr.is_raster:
                layer = QgsRasterLayer(src, lyr.name, "gdal")
            else:
                layer = QgsVectorLayer(f"{src}|layername={lyr.layer}", lyr.name, "ogr")
            if not layer.isValid():
                raise InputDataError(f"QGIS cannot open layer {lyr.name} from {lyr.path}")
            if lyr.qml:
                with tempfile.NamedTemporaryFile("w", suffix=".qml", delete=False) as fh:
                    fh.write(lyr.qml)
                try:
                    layer.loadNamedStyle(fh.name)
                finally:
                    os.unlink(fh.name)
            project.addMapLayer(layer, False)
            groups.setdefault(lyr.group, root.addGroup(lyr.group)).addLayer(layer)
        rect = QgsReferencedRectangle(QgsRectangle(*extent), QgsCoordinateReferenceSystem(crs))
        project.viewSettings().setDefaultViewExtent(rect)
        if not project.write(str(path)):
            raise OSError(f"QGIS could not write {path}: {project.error()}")
    finally:
        if own:
            app.exitQgis()
