"""The deliverables of a run: styled GeoPackage and QGIS project, report, web map."""

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from borderzone.deliver.qgis_project import (
    deliverable_layers,
    project_layers,
    write_qgis_project,
    write_styled_geopackage,
)
from borderzone.deliver.report import (
    file_record,
    metadata_strings,
    provenance,
    render_report,
)
from borderzone.deliver.styles import alternative_styles, default_styles
from borderzone.deliver.webmap import render_webmap
from borderzone.published import published_figures

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
    network: Mapping[str, gpd.GeoDataFrame],
    crossings: gpd.GeoDataFrame,
    metrics: gpd.GeoDataFrame,
    rasters: Mapping[str, str | Path],
    metadata: Mapping[str, str],
    prov: Mapping | None = None,
) -> None:
    """Write one width's styled GeoPackage and its QGIS project (rasters styled by their QML).

    The project refers to the GeoPackage and the rasters by relative paths, so the
    results folder can be moved or shared whole.
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
    if prov is not None:  # sources with checksums, OSM timestamp, run time
        metadata = {**metadata, **metadata_strings(prov)}
    write_styled_geopackage(
        layers, gpkg, styles=styles, alternatives=alternative_styles(layers), metadata=metadata
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
        backend="xml",
    )
    log.info("wrote %s and %s (%d layers, %d rasters)", gpkg, project, len(layers), len(rasters))


def run_provenance(
    sources: Sequence[tuple[str, str | Path]],
    *,
    config_sha256: str,
    synthetic: bool,
) -> dict:
    """Gather the provenance of a run.

    Each source file (role, size, date, SHA-256), the OSM replication timestamp of the
    extracts, the config hash, the package version and the time.
    """
    records = [file_record(path, role=role) for role, path in sources if Path(path).is_file()]
    stamps = sorted(
        {_osm_timestamp(p) for role, p in sources if role == "osm" and str(p).endswith(".pbf")}
        - {""}
    )
    return provenance(
        records,
        config_sha256=config_sha256,
        osm_timestamp=", ".join(stamps),
        synthetic=synthetic,
    )


def _osm_timestamp(path: str | Path) -> str:
    """``osmosis_replication_timestamp`` from a PBF header ("" when absent)."""
    import osmium

    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    try:
        return reader.header().get("osmosis_replication_timestamp", "")
    finally:
        reader.close()


def write_report(
    path: str | Path,
    *,
    border_layers: Mapping[str, gpd.GeoDataFrame],
    crossings: gpd.GeoDataFrame,
    summary: pd.DataFrame,
    metrics: gpd.GeoDataFrame,
    regions: pd.DataFrame,
    pair: Sequence[str],
    prov: Mapping,
) -> None:
    """Write the pair's report: maps, profiles, tables, published figures beside ours."""
    region_table = None
    if len(regions):
        region_table = regions.rename(columns={"name": "region"}).assign(level="region")
    render_report(
        path,
        border=border_layers["border"],
        segments=border_layers["segments"],
        crossings=crossings,
        summary=summary,
        metrics=metrics,
        region_table=region_table,
        published=published_figures("-".join(pair)),
        provenance=prov,
    )


def write_webmap(
    path: str | Path,
    *,
    border_layers: Mapping[str, gpd.GeoDataFrame],
    crossings: gpd.GeoDataFrame,
    buffers: Mapping[str, gpd.GeoDataFrame],
    metrics: gpd.GeoDataFrame,
    synthetic: bool,
) -> None:
    """Write the offline web map of the pair (the narrowest width's metrics colour it)."""
    render_webmap(
        path,
        border=border_layers["border"],
        segments=border_layers["segments"],
        crossings=crossings,
        buffers=dict(buffers),
        metrics=metrics,
        synthetic=synthetic,
    )


__all__ = [
    "run_provenance",
    "write_report",
    "write_webmap",
    "write_deliverables",
]
