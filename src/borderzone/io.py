"""Reading inputs with checks, and writing GeoPackages atomically."""

import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from borderzone.crs import WGS84
from borderzone.errors import InputDataError

log = logging.getLogger(__name__)

# no .aux.xml files beside the outputs
pyogrio.set_gdal_config_options({"GDAL_PAM_ENABLED": "NO"})


def read_countries(
    path: str | Path,
    *,
    iso3: Sequence[str],
    iso3_column: str = "iso3",
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the outlines of the countries ``iso3`` from a vector file.

    Parameters
    ----------
    path
        Any file GDAL reads (GeoPackage, GeoJSON, Shapefile, ...).
    iso3
        ISO 3166-1 alpha-3 codes of the countries wanted.
    iso3_column
        Column holding the codes.
    layer
        Layer to read; the first one when None.

    Returns
    -------
    geopandas.GeoDataFrame
        One (multi)polygon row per code, in the order of ``iso3``, columns ``iso3`` and
        ``geometry``, in EPSG:4326.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"countries file {path} does not exist")
    try:
        info = pyogrio.read_info(path, layer=layer)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputDataError(f"countries file {path} cannot be read: {exc}") from exc
    if iso3_column not in info["fields"]:
        raise InputDataError(
            f"countries file {path} has no column {iso3_column!r} (columns: "
            f"{', '.join(info['fields'])})"
        )
    if info["crs"] is None:
        raise InputDataError(f"countries file {path} has no CRS")
    codes = ", ".join(f"'{c}'" for c in iso3)
    gdf = gpd.read_file(
        path, layer=layer, columns=[iso3_column], where=f'"{iso3_column}" IN ({codes})'
    )
    missing = [c for c in iso3 if c not in set(gdf[iso3_column])]
    if missing:
        raise InputDataError(
            f"countries file {path} has no outline for {', '.join(missing)} in column "
            f"{iso3_column!r}"
        )
    gdf = gdf.rename(columns={iso3_column: "iso3"}).to_crs(WGS84)
    gdf["geometry"] = gdf.geometry.make_valid()
    gdf = gdf.dissolve(by="iso3", as_index=False).set_index("iso3").loc[list(iso3)]
    return gdf.reset_index()[["iso3", "geometry"]]


def read_layer(path: str | Path, layer: str) -> gpd.GeoDataFrame:
    """Read one layer of a GeoPackage written by the workflow."""
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path} does not exist")
    return gpd.read_file(path, layer=layer)


def write_layers(
    path: str | Path,
    layers: Mapping[str, pd.DataFrame],
    *,
    metadata: Mapping[str, str] | None = None,
    layer_options: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Write several layers to one GeoPackage (version 1.2), all or nothing.

    The file is written beside its destination under a temporary name and renamed into
    place only once every layer is in it, so a failure leaves no partial output.

    Parameters
    ----------
    path
        Destination ``.gpkg``.
    layers
        Layer name to data, written in this order; a GeoDataFrame must have a CRS, a
        plain DataFrame is written as an attribute table.
    metadata
        Key/value pairs stored as GDAL dataset metadata of the GeoPackage.
    layer_options
        Layer name to GDAL layer creation options of that layer, e.g. ``{"FID": "id"}``.

    Raises
    ------
    InputDataError
        When a GeoDataFrame has no CRS.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        for i, (name, df) in enumerate(layers.items()):
            if isinstance(df, gpd.GeoDataFrame) and df.crs is None:
                raise InputDataError(f"layer {name} for {path} has no CRS")
            pyogrio.write_dataframe(
                df,
                tmp,
                layer=name,
                driver="GPKG",
                append=i > 0,
                promote_to_multi=None,
                dataset_metadata=dict(metadata or {}) if i == 0 else None,
                # GeoPackage 1.2: QGIS 3.22 (Debian bookworm) warns about newer versions
                dataset_options={"VERSION": "1.2"} if i == 0 else None,
                layer_options=dict((layer_options or {}).get(name, {})) or None,
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    log.info("wrote %s (%s)", path, ", ".join(f"{k}: {len(v)}" for k, v in layers.items()))


def write_parquet(gdf: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write a GeoParquet file under a temporary name and rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        gdf.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("wrote %s (%d rows)", path, len(gdf))


def read_parquet(path: str | Path) -> gpd.GeoDataFrame:
    """Read a GeoParquet file written by :func:`write_parquet`."""
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path} does not exist")
    return gpd.read_parquet(path)


def read_admin(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read admin areas (GeoParquet from the OSM corridor, or any vector file).

    Raises
    ------
    InputDataError
        When the file is missing or lacks the columns ``name`` and ``admin_level``.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"admin file {path} does not exist")
    gdf = read_parquet(path) if path.suffix == ".parquet" else gpd.read_file(path, layer=layer)
    missing = {"name", "admin_level"} - set(gdf.columns)
    if missing:
        raise InputDataError(f"admin file {path} lacks column(s) {', '.join(sorted(missing))}")
    return gdf.to_crs(WGS84)
