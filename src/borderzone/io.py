"""Reading inputs with checks, and writing GeoPackages atomically.

Writers write beside their destination under a temporary name and rename it into place
(:func:`replacing`): a failure leaves nothing, a killed write leaves a ``.<name>.tmp*``
file that the next write of the same output removes, and a full disk is an ``OSError``
``ENOSPC`` naming the destination. The same data give the same bytes: a date a format
must store is taken from the inputs or from ``SOURCE_DATE_EPOCH``, never from the clock
(:func:`write_date`).
"""

import contextlib
import datetime as dt
import errno
import glob
import json
import logging
import os
import secrets
import shutil
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.compute
import pyarrow.parquet
import pyogrio
import pyproj
import shapely

from borderzone.crs import WGS84, fitted_crs
from borderzone.errors import BorderzoneError, ConfigError, InputDataError

log = logging.getLogger(__name__)

# no .aux.xml files beside the outputs
pyogrio.set_gdal_config_options({"GDAL_PAM_ENABLED": "NO"})


# Repairs of invalid outlines beyond these area changes (either one) are refused: a larger
# change moves the border itself rather than a digitising slip along it.
MAX_REPAIR_KM2 = 10.0
MAX_REPAIR_PCT = 1.0
POLYGONAL = ("Polygon", "MultiPolygon")


def read_countries(
    path: str | Path,
    *,
    iso3: Sequence[str],
    iso3_column: str = "iso3",
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the outlines of the countries ``iso3`` from a vector file.

    Each outline is checked where it enters: it must be a (multi)polygon that is neither
    NULL nor empty, and a code may have several rows only when they are identical (the
    extra rows are dropped). An invalid outline (e.g. a self-intersecting ring) is
    repaired with a warning in the log saying where it was invalid and how much its area
    changed, in an equal-area CRS fitted to it; a repair that changes the area by more
    than ``MAX_REPAIR_KM2`` km² or ``MAX_REPAIR_PCT`` % is refused.

    Parameters
    ----------
    path
        Any file GDAL reads (GeoPackage, GeoJSON, Shapefile, ...); of directories, only a
        File Geodatabase (``.gdb``).
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

    Raises
    ------
    InputDataError
        With one line naming the file (and the code and feature at fault): it is missing,
        a directory, unreadable, lacks the layer, the column, the CRS or one of the codes,
        or an outline is NULL, empty, not a polygon, given twice with differing shapes, or
        invalid beyond repair.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"countries file {path} does not exist")
    if path.is_dir() and path.suffix.lower() != ".gdb":
        raise InputDataError(
            f"countries file {path} is a directory, not a vector file; give the file itself"
        )
    info = _countries_info(path, layer=layer)
    if iso3_column not in info["fields"]:
        raise InputDataError(
            f"countries file {path} has no column {iso3_column!r} (columns: "
            f"{', '.join(info['fields'])})"
        )
    if info["crs"] is None:
        raise InputDataError(f"countries file {path} has no CRS")
    codes = ", ".join(f"'{c}'" for c in iso3)
    gdf = pyogrio.read_dataframe(
        path,
        layer=layer,
        columns=[iso3_column],
        where=f'"{iso3_column}" IN ({codes})',
        fid_as_index=True,
    )
    missing = [c for c in iso3 if c not in set(gdf[iso3_column])]
    if missing:
        raise InputDataError(
            f"countries file {path} has no outline for {', '.join(missing)} in column "
            f"{iso3_column!r}"
        )
    gdf = gdf.rename(columns={iso3_column: "iso3"}).to_crs(WGS84)
    _check_outline_rows(gdf, path=path)
    gdf = _drop_identical_rows(gdf, path=path)
    gdf["geometry"] = [
        _repaired(geom, path=path, code=code)
        for code, geom in zip(gdf.iso3, gdf.geometry, strict=True)
    ]
    gdf = gdf.dissolve(by="iso3", as_index=False).set_index("iso3").loc[list(iso3)]
    return gdf.reset_index()[["iso3", "geometry"]]


def _countries_info(path: Path, *, layer: str | None) -> dict:
    """``pyogrio.read_info`` of the countries file, with one line when it cannot."""
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputDataError(f"countries file {path} cannot be read: {exc}") from exc
    if layer is not None and layer not in layers:
        raise InputDataError(
            f"countries file {path} has no layer {layer!r} (layers: {', '.join(layers)})"
        )
    try:
        return pyogrio.read_info(path, layer=layer)
    except Exception as exc:
        raise InputDataError(f"countries file {path} cannot be read: {exc}") from exc


def _check_outline_rows(gdf: gpd.GeoDataFrame, *, path: Path) -> None:
    """Refuse NULL, empty and non-polygon outlines, naming the code and the feature id."""
    for fid, code, geom in zip(gdf.index, gdf.iso3, gdf.geometry, strict=True):
        if geom is None or geom.is_empty:
            what = "NULL" if geom is None else "empty"
            raise InputDataError(
                f"countries file {path}: the outline of {code} (feature {fid}) is {what}; "
                "give it a polygon or remove the row"
            )
        if geom.geom_type not in POLYGONAL:
            raise InputDataError(
                f"countries file {path}: the outline of {code} (feature {fid}) is a "
                f"{geom.geom_type}, not a Polygon or MultiPolygon"
            )


def _drop_identical_rows(gdf: gpd.GeoDataFrame, *, path: Path) -> gpd.GeoDataFrame:
    """Keep one row per code when its rows are identical; refuse differing rows."""
    keep = []
    for code, rows in gdf.groupby("iso3", sort=False):
        first = shapely.normalize(rows.geometry.iloc[0])
        same = [shapely.equals_exact(first, shapely.normalize(g), 0) for g in rows.geometry]
        if not all(same):
            fids = ", ".join(str(f) for f in rows.index)
            raise InputDataError(
                f"countries file {path} has {len(rows)} differing rows for {code} "
                f"(features {fids}); keep one outline per country (dissolve the rows first "
                "if they are parts of one country)"
            )
        if len(rows) > 1:
            log.warning(
                "countries file %s: %d identical rows for %s; the first one is used",
                path,
                len(rows),
                code,
            )
        keep.append(rows.index[0])
    return gdf.loc[keep]


def _repaired(geom: shapely.Geometry, *, path: Path, code: str) -> shapely.Geometry:
    """``geom`` itself when valid, else its repair (polygons only), logged or refused."""
    if shapely.is_valid(geom):
        return geom
    reason = shapely.is_valid_reason(geom)
    fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    if fixed.geom_type not in POLYGONAL:  # a collection: keep its polygons
        polygons = [g for g in shapely.get_parts(fixed) if g.geom_type in POLYGONAL]
        fixed = shapely.union_all(polygons)
    x0, y0, x1, y1 = geom.bounds
    bounds = (max(x0, -180.0), max(y0, -90.0), min(x1, 180.0), min(y1, 90.0))
    if bounds[0] >= bounds[2]:  # a sliver in longitude: widen the box the CRS is fitted to
        bounds = (max(bounds[0] - 0.5, -180.0), bounds[1], min(bounds[2] + 0.5, 180.0), bounds[3])
    to_aea = pyproj.Transformer.from_crs(
        WGS84, fitted_crs(bounds, kind="equal_area"), always_xy=True
    ).transform
    before, after = (
        shapely.area(shapely.transform(g, to_aea, interleaved=False)) / 1e6 for g in (geom, fixed)
    )
    change_km2 = after - before
    change_pct = 100 * change_km2 / before if before > 0 else float("inf")
    change = f"{change_km2:+,.2f} km² ({change_pct:+.3g} %)"
    parts = f"{shapely.get_num_geometries(geom)} -> {shapely.get_num_geometries(fixed)} polygons"
    if fixed.is_empty or abs(change_km2) > MAX_REPAIR_KM2 or abs(change_pct) > MAX_REPAIR_PCT:
        raise InputDataError(
            f"countries file {path}: the outline of {code} is invalid ({reason}) and "
            f"repairing it would change its area by {change}, more than "
            f"{MAX_REPAIR_KM2:g} km² or {MAX_REPAIR_PCT:g} %; fix the outline in the file"
        )
    log.warning(
        "countries file %s: the outline of %s is invalid (%s); repaired: its area changes "
        "by %s in an equal-area CRS, %s",
        path,
        code,
        reason,
        change,
        parts,
    )
    return fixed


def read_layer(
    path: str | Path,
    layer: str,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer of a GeoPackage written by the workflow.

    With ``bbox`` (in the layer's CRS), only the features whose bounds meet it, found with
    the layer's spatial index; with ``where`` (an SQL condition, e.g. ``"side = 'KAZ'"``),
    only the features that meet it. Either way in the order of the file (as read without
    them).
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path} does not exist")
    if bbox is None and where is None:
        return pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    part = pyogrio.read_dataframe(
        path, layer=layer, bbox=bbox, where=where, fid_as_index=True, use_arrow=True
    )
    return part.sort_index().reset_index(drop=True)


@dataclass(frozen=True)
class ArrowLayer:
    """A GeoPackage layer read as Arrow (:func:`read_arrow_layer`), its geometries as WKB.

    :func:`write_layers` writes it again without decoding its geometries: half the time of
    a GeoDataFrame for the 500,000 roads of a buffer. Its columns, length and a column as
    a pandas Series (``layer["highway"]``) are there for what styles it.
    """

    meta: dict
    table: pyarrow.Table

    def __len__(self) -> int:
        return self.table.num_rows

    def __getitem__(self, column: str) -> pd.Series:
        return self.table.column(column).to_pandas()

    @property
    def columns(self) -> list[str]:
        """The attribute columns (not the geometry)."""
        return [c for c in self.table.column_names if c != self.meta["geometry_name"]]


def read_arrow_layer(path: str | Path, layer: str) -> ArrowLayer:
    """Read one layer of a GeoPackage written by the workflow as Arrow, in the file's order."""
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path} does not exist")
    meta, table = pyogrio.read_arrow(path, layer=layer)
    return ArrowLayer(meta, table)


#: Date written into files whose format keeps one (a GeoPackage's ``last_change``) when
#: neither the caller nor ``SOURCE_DATE_EPOCH`` gives one: the Unix epoch, meaning undated.
UNDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

#: Free space (bytes) below which a failed write is taken for a full disk.
FULL_DISK_BYTES = 1 << 20

_DISK_FULL_TEXTS = ("No space left on device", "database or disk is full", "Disk quota exceeded")


def write_date(date: dt.datetime | None = None) -> dt.datetime:
    """Return the date to write into output files: never the clock.

    ``date`` when given (a date taken from the inputs, e.g. the OSM replication
    timestamp; a naive one is taken as UTC), else ``SOURCE_DATE_EPOCH`` (seconds since
    1970, the reproducible-builds convention) when set, else :data:`UNDATED`.

    Raises
    ------
    ConfigError
        When ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds.
    """
    if date is not None:
        date = date if date.tzinfo else date.replace(tzinfo=dt.UTC)
        return date.astimezone(dt.UTC).replace(microsecond=0)
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return UNDATED
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise ConfigError(
            f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970; "
            "set it to e.g. $(git log -1 --format=%ct) or unset it"
        ) from exc


def _disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether ``exc`` (from writing into ``folder``) comes from a full disk."""
    if isinstance(exc, BorderzoneError) or not isinstance(exc, Exception):
        return False
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if any(text in str(cause) for text in _DISK_FULL_TEXTS):
            return True
        cause = cause.__cause__ or cause.__context__
    try:  # GDAL says only "Failed to commit transaction"
        return shutil.disk_usage(folder).free < FULL_DISK_BYTES
    except OSError:
        return False


def _remove(paths: Iterable[Path]) -> list[Path]:
    """Remove files and folders (a folder with its content); return those removed."""
    removed = []
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
    return removed


def temporaries(path: str | Path) -> list[Path]:
    """List the temporary files beside ``path`` that :func:`replacing` writes it under.

    They are named ``.<name>.tmp*`` (with SQLite's ``-journal``/``-wal`` beside a
    GeoPackage); only a killed write leaves any.
    """
    path = Path(path)
    return sorted(path.parent.glob(f".{glob.escape(path.name)}.tmp*"))


def clear_interrupted_writes(root: str | Path) -> list[Path]:
    """Remove what killed writes left anywhere under ``root``; return what was removed.

    The temporaries of :func:`replacing` (``.<name>.tmp*``) and the hidden staging folders
    of multi-output rules (``.<rule>.partial``). Call it only while no other run writes
    under ``root`` (the workflow does, once it holds Snakemake's lock and before the first
    job), so that outputs of rules that do not run again are not left with them.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    found = [*root.rglob(".*.tmp*"), *root.rglob(".*.partial")]
    removed = _remove(sorted(p for p in found if p.exists()))
    for path in removed:
        log.info("removed %s, left by an interrupted run", path)
    return removed


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``, renamed to ``path`` when the block succeeds.

    The temporary file is in the destination's folder (the rename is atomic: same file
    system) and named ``.<name>.tmp-<random><suffix>`` (the suffix kept, since GDAL and
    libosmium choose the format by it). Temporaries left by an earlier write of the same
    output that was killed are removed first (:func:`temporaries`), so none stays after
    a successful rerun; a failure removes the block's own.

    Raises
    ------
    OSError
        ``ENOSPC`` naming ``path`` when the block failed because the disk is full (the
        error says so, or less than :data:`FULL_DISK_BYTES` are left), whatever the
        writing library raised; other errors pass unchanged.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in _remove(temporaries(path)):
        log.info("removed %s, left by an interrupted write of %s", stale, path.name)
    suffix = "".join(path.suffixes[-2:]) if path.suffixes[-2:-1] == [".osm"] else path.suffix
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}{suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        full = _disk_full(exc, path.parent)  # before the partial file is removed
        _remove(tmp.parent.glob(f"{glob.escape(tmp.name)}*"))
        if full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)) from exc
        raise


def write_layers(
    path: str | Path,
    layers: Mapping[str, pd.DataFrame | ArrowLayer],
    *,
    metadata: Mapping[str, str] | None = None,
    layer_options: Mapping[str, Mapping[str, str]] | None = None,
    date: dt.datetime | None = None,
) -> None:
    """Write several layers to one GeoPackage (version 1.2), all or nothing, reproducibly.

    The file is written beside its destination under a temporary name and renamed into
    place only once every layer is in it (:func:`replacing`), so a failure leaves no
    partial output, and a killed write leaves nothing that outlives the next one.

    The same layers give the same bytes: the dates GDAL stores (``gpkg_contents``'
    ``last_change``, the metadata's ``timestamp``) are :func:`write_date` of ``date``,
    never the clock. With no ``date``, a GDAL ``OGR_CURRENT_DATE`` the caller has set is
    kept, else ``SOURCE_DATE_EPOCH`` or :data:`UNDATED` is written.

    Parameters
    ----------
    path
        Destination ``.gpkg``.
    layers
        Layer name to data, written in this order; a GeoDataFrame must have a CRS, a
        plain DataFrame is written as an attribute table, an :class:`ArrowLayer` as read.
    metadata
        Key/value pairs stored as GDAL dataset metadata of the GeoPackage.
    layer_options
        Layer name to GDAL layer creation options of that layer, e.g. ``{"FID": "id"}``.
    date
        Date of the data (taken from the inputs), stored as the layers' last change.

    Raises
    ------
    InputDataError
        When a GeoDataFrame has no CRS.
    OSError
        ``ENOSPC`` naming ``path`` when the disk is full.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for name, df in layers.items():
        if isinstance(df, gpd.GeoDataFrame) and df.crs is None:
            raise InputDataError(f"layer {name} for {path} has no CRS")
        if isinstance(df, ArrowLayer) and not df.meta["crs"]:
            raise InputDataError(f"layer {name} for {path} has no CRS")
    # temporaries named by earlier versions (tempfile.mkstemp: 8 random characters)
    _remove(path.parent.glob(f".{glob.escape(path.stem)}.{'[a-z0-9_]' * 8}.gpkg*"))
    saved = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    stamp = saved if date is None and saved else f"{write_date(date):%Y-%m-%dT%H:%M:%S}.000Z"
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        with replacing(path) as tmp:
            for i, (name, df) in enumerate(layers.items()):
                common = {
                    "layer": name,
                    "driver": "GPKG",
                    "append": i > 0,
                    "dataset_metadata": dict(metadata or {}) if i == 0 else None,
                    # GeoPackage 1.2: QGIS 3.22 (Debian bookworm) warns about newer versions
                    "dataset_options": {"VERSION": "1.2"} if i == 0 else None,
                    "layer_options": dict((layer_options or {}).get(name, {})) or None,
                }
                if isinstance(df, ArrowLayer):  # its WKB as it was read
                    pyogrio.write_arrow(
                        df.table,
                        tmp,
                        geometry_name=df.meta["geometry_name"],
                        geometry_type=df.meta["geometry_type"],
                        crs=df.meta["crs"],
                        **common,
                    )
                    continue
                pyogrio.write_dataframe(
                    df,
                    tmp,
                    use_arrow=True,  # through Arrow: ~3x faster for 100,000s of roads
                    promote_to_multi=None,
                    **common,
                )
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": saved})
    log.info("wrote %s (%s)", path, ", ".join(f"{k}: {len(v)}" for k, v in layers.items()))


def write_parquet(gdf: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write a GeoParquet file under a temporary name and rename it into place.

    The bytes depend on the data only (Parquet stores no write time). See
    :func:`replacing` for the temporary file and a full disk (``OSError`` ``ENOSPC``
    naming ``path``).
    """
    path = Path(path)
    with replacing(path) as tmp:
        gdf.to_parquet(tmp, index=False)
    log.info("wrote %s (%d rows)", path, len(gdf))


def read_parquet(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    any_in: Mapping[str, Collection[str]] | None = None,
) -> gpd.GeoDataFrame:
    """Read a GeoParquet file written by :func:`write_parquet`.

    ``columns``: only those of them the file has, and the geometry (None: every column).
    ``any_in``: only the rows where one of these columns (those of them the file has), read
    as text, holds one of its values; the other rows are dropped by pyarrow before their
    geometries are decoded (None: every row).
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path} does not exist")
    schema = pyarrow.parquet.read_schema(path)
    read = None  # every column, in the file's order
    if columns is not None:
        keep, _, name = _parquet_columns(schema, columns)
        read = [*keep, name]
    filters = None
    if any_in is not None:
        filters = pyarrow.compute.scalar(False)
        for column, values in any_in.items():
            if column in schema.names:
                text = pyarrow.compute.field(column).cast(pyarrow.string())
                filters |= text.isin(pyarrow.array(sorted(values), pyarrow.string()))
    return gpd.read_parquet(path, columns=read, filters=filters)


def _parquet_columns(
    schema: pyarrow.Schema, columns: Sequence[str] | None
) -> tuple[list[str], dict, str]:
    """Return the non-geometry columns to read, the ``geo`` metadata, the geometry's name.

    The columns are those of ``columns`` the GeoParquet schema has (None: all of them).
    """
    geo = json.loads(schema.metadata[b"geo"])
    name = geo["primary_column"]
    keep = [c for c in schema.names if c != name and (columns is None or c in columns)]
    return keep, geo, name


def iter_parquet(
    path: str | Path, *, columns: Sequence[str] | None = None, batch_rows: int = 50_000
) -> Iterator[gpd.GeoDataFrame]:
    """Read a GeoParquet file of :func:`write_parquet` in batches of ``batch_rows`` rows.

    Only ``columns`` (those of them the file has) and the geometry are read, so a pass over
    a file of millions of lines holds one batch of geometries at a time.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"{path} does not exist")
    file = pyarrow.parquet.ParquetFile(path)
    keep, geo, name = _parquet_columns(file.schema_arrow, columns)
    crs = geo["columns"][name].get("crs", "OGC:CRS84")  # absent: lon/lat (GeoParquet)
    crs = None if crs is None else pyproj.CRS.from_user_input(crs)
    for batch in file.iter_batches(batch_size=batch_rows, columns=[*keep, name]):
        frame = batch.select(keep).to_pandas()
        geometry = shapely.from_wkb(batch.column(name).to_numpy(zero_copy_only=False))
        yield gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


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
