"""The QGIS deliverables of one buffer width: the styled GeoPackage and its QGIS project.

Both files are dated by the run record (``SOURCE_DATE_EPOCH``, else the OSM replication
timestamp; :func:`borderzone.deliver.run_record.record_date`), never by the clock, so the
same inputs give the same bytes. Each is written under a temporary name beside it and
renamed into place (:func:`borderzone.io.replacing`): a killed run leaves no partial file
under its final name, and its temporary file is removed by the next write.
"""

import logging
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from borderzone.deliver.geopackage import deliverable_layers, write_styled_geopackage
from borderzone.deliver.qgis_project import project_layers, write_qgis_project
from borderzone.deliver.run_record import metadata_strings, record_date
from borderzone.deliver.styles import alternative_styles, default_styles
from borderzone.io import ArrowLayer

log = logging.getLogger(__name__)

RASTER_TITLES = {
    "distance_to_road": "distance to road (km)",
    "travel_time_to_crossing": "travel time to crossing (min)",
    "population_density": "population density (people/km²)",
}


def write_deliverables(
    gpkg: str | Path,
    project: str | Path,
    *,
    border_layers: Mapping[str, gpd.GeoDataFrame],
    zones: Mapping[str, gpd.GeoDataFrame],
    network: Mapping[str, gpd.GeoDataFrame | ArrowLayer],
    crossings: gpd.GeoDataFrame,
    metrics: gpd.GeoDataFrame,
    rasters: Mapping[str, str | Path],
    metadata: Mapping[str, str],
    run_record: Mapping | None = None,
) -> None:
    """Write one width's styled GeoPackage and its QGIS project (rasters styled by their QML).

    The project refers to the GeoPackage and the rasters by relative paths, so the
    results folder can be moved or shared whole.

    Parameters
    ----------
    gpkg, project
        Destinations of the GeoPackage and the ``.qgz``.
    border_layers
        Layers of ``border.gpkg`` (``border``, ``border_gaps``, ``segments``).
    zones
        Layers of the width's ``zones.gpkg`` (``buffer``, ``cells``).
    network
        Layers of the width's ``network.gpkg`` (``roads``, ``rail``, ...): written as
        they are, read as Arrow (:func:`~borderzone.io.read_arrow_layer`) or not.
    crossings
        The crossings.
    metrics
        The width's segment metrics.
    rasters
        Raster name to GeoTIFF; each has its style beside it (``.qml``).
    metadata
        The outputs' metadata (version, config hash), stored in the GeoPackage.
    run_record
        The run's record (:func:`borderzone.deliver.run_record.run_record`),
        stored beside ``metadata``; its date is the files' date (undated without one).
    """
    layers = deliverable_layers(
        border=border_layers["border"],
        segments=border_layers["segments"],
        buffer=zones["buffer"],
        cells=zones["cells"],
        network=network,
        crossings=crossings,
        metrics=metrics,
        gaps=border_layers["border_gaps"],
    )
    styles = default_styles(layers)
    date = record_date(run_record) if run_record is not None else None
    if run_record is not None:  # sources with checksums, OSM timestamp, run time
        metadata = {**metadata, **metadata_strings(run_record)}
    write_styled_geopackage(
        layers,
        gpkg,
        styles=styles,
        alternatives=alternative_styles(layers),
        metadata=metadata,
        date=date,
    )
    build_rasters = {
        RASTER_TITLES.get(name, name): (tif, Path(tif).with_suffix(".qml").read_text("utf-8"))
        for name, tif in rasters.items()
    }
    entries = project_layers(gpkg, layers, styles, rasters=build_rasters)
    extent = border_layers["border"].total_bounds
    pad = 0.5
    write_qgis_project(
        project,
        layers=entries,
        extent=[extent[0] - pad, extent[1] - pad, extent[2] + pad, extent[3] + pad],
        title=f"borderzone {border_layers['border']['pair'].iloc[0]}",
        saved=date,
    )
    log.info("wrote %s and %s (%d layers, %d rasters)", gpkg, project, len(layers), len(rasters))
