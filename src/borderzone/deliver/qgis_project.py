"""The QGIS project (.qgz) of one buffer width, opening on the border.

:func:`write_qgis_project` writes ``borderzone.qgz`` with relative paths, layer groups,
the layers' styles (those stored in the styled GeoPackage,
:mod:`borderzone.deliver.geopackage`, and the rasters' QML) and an initial extent on the
border. The ``.qgs`` document is built with xml.etree (:func:`project_xml`) and zipped: no
PyQGIS is needed to write it.

The same layers and date give the same bytes: the project's ``saveDateTime`` and creation
date, and the date of the ``.qgs`` entry in the ``.qgz`` zip, are the ``saved`` date given
(the run record's, from the inputs or ``SOURCE_DATE_EPOCH``;
:func:`borderzone.io.write_date`), never the clock. Zip dates cannot be earlier than
1980: an undated project's entry is dated 1980-01-01.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyproj import CRS

from borderzone.deliver.styles import geometry_kind
from borderzone.errors import InputDataError
from borderzone.io import replacing, write_date
from borderzone.qml import QGIS_VERSION, parse_qgis_document, qgis_document

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


def project_xml(
    layers: Sequence[ProjectLayer],
    *,
    project_dir: str | Path,
    extent: Sequence[float],
    title: str = "borderzone",
    crs: str = "EPSG:4326",
    saved: dt.datetime | None = None,
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
    saved
        Save and creation date written (:func:`borderzone.io.write_date`).
    """
    project_dir = Path(project_dir)
    pcrs = CRS.from_user_input(crs)
    now = write_date(saved)
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
            qml = parse_qgis_document(lyr.qml)
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
    saved: dt.datetime | None = None,
) -> None:
    """Write a QGIS project (``.qgz`` or ``.qgs``) holding ``layers``.

    Parameters
    ----------
    path
        Destination; ``.qgz`` zips the ``.qgs`` document. Written under a temporary name
        and renamed into place.
    layers
        The layers (:func:`project_layers`).
    extent
        Initial view (xmin, ymin, xmax, ymax) in ``crs``, e.g. the border's bounds.
    title
        Project title.
    crs
        Project CRS.
    saved
        Date of the data, written as the project's save date (``SOURCE_DATE_EPOCH`` or
        undated when None).

    Raises
    ------
    InputDataError
        When ``path`` is not a ``.qgz`` or ``.qgs`` or a layer's file does not exist.
    OSError
        ``ENOSPC`` naming ``path`` when the disk is full
        (:func:`borderzone.io.replacing`).
    """
    path = Path(path)
    if path.suffix not in (".qgz", ".qgs"):
        raise InputDataError(f"QGIS project {path} must end in .qgz or .qgs")
    for lyr in layers:
        if not Path(lyr.path).exists():
            raise InputDataError(f"layer {lyr.name} of project {path}: {lyr.path} does not exist")
    path.parent.mkdir(parents=True, exist_ok=True)
    root = project_xml(
        layers, project_dir=path.parent, extent=extent, title=title, crs=crs, saved=saved
    )
    text = qgis_document(root)
    with replacing(path) as tmp:
        if path.suffix == ".qgz":
            stamp = max(write_date(saved), dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
            entry = zipfile.ZipInfo(f"{path.stem}.qgs", date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, wherever it is written
            entry.external_attr = 0o644 << 16
            with zipfile.ZipFile(tmp, "w") as zf:
                zf.writestr(entry, text)
        else:
            tmp.write_text(text, encoding="utf-8")
    log.info("wrote %s (%d layers)", path, len(layers))


def read_project_xml(path: str | Path) -> ET.Element:
    """Read the ``.qgs`` document of a ``.qgz`` or ``.qgs`` file."""
    path = Path(path)
    if path.suffix == ".qgz":
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".qgs"))
            text = zf.read(name).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return parse_qgis_document(text)
