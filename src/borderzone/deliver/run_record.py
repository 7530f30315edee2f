"""The record of a run: its sources with checksums and dates, the OSM timestamp, the times.

:func:`collect_run_record` reads the source files of a run (:func:`file_record` each, the
replication timestamp of the OSM extracts) into :func:`run_record`, a plain dict; the
report prints it in its footer, and :func:`metadata_strings` flattens it into GeoPackage
dataset metadata. (The metadata every output carries, version and hash of the config keys
that made it, is the workflow's own, built in ``workflow/rules/common.smk``.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from borderzone import __version__


def file_record(
    path: str | Path, *, role: str = "", url: str | None = None, note: str = ""
) -> dict[str, Any]:
    """Name, size, modification date and SHA-256 of an input file.

    Parameters
    ----------
    path
        The file.
    role
        What it is for the run: ``outlines``, ``osm``, ``population``, ``admin``...
    url
        Where it was downloaded from, if it was.
    note
        Anything else worth saying (e.g. that the data are synthetic).
    """
    path = Path(path)
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return {
        "role": role,
        "name": path.name,
        "path": str(path),
        "url": url or "",
        "date": mtime.date().isoformat(),
        "bytes": path.stat().st_size,
        "sha256": h.hexdigest(),
        "note": note,
    }


def run_record(
    sources: Sequence[Mapping[str, Any]],
    *,
    config_sha256: str,
    started: dt.datetime | None = None,
    osm_timestamp: str | None = None,
    synthetic: bool = False,
    version: str = __version__,
) -> dict[str, Any]:
    """Build the record of a run from the records of its sources.

    Parameters
    ----------
    sources
        One record per input (:func:`file_record`, or a mapping with at least ``name``).
    config_sha256
        Hash of the configuration (:func:`borderzone.config.config_hash`).
    started
        When the run started; the run time is measured from it.
    osm_timestamp
        ``osmosis_replication_timestamp`` of the OSM extract, when known.
    synthetic
        Whether the roads and railways are synthetic.
    version
        Package version.
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        "sources": [dict(s) for s in sources],
        "osm_timestamp": osm_timestamp or "",
        "synthetic": bool(synthetic),
        "config_sha256": config_sha256,
        "borderzone_version": version,
        "created": now.isoformat(),
        "run_time_s": round((now - started).total_seconds(), 1) if started else None,
    }


def collect_run_record(
    sources: Sequence[tuple[str, str | Path]],
    *,
    config_sha256: str,
    synthetic: bool,
) -> dict:
    """Read the record of a run from its source files.

    Each source file that exists (role, size, date, SHA-256), the OSM replication
    timestamp of the extracts, the config hash, the package version and the time.

    Parameters
    ----------
    sources
        (role, path) of each source file; ``osm`` ``.pbf`` files give the OSM timestamp.
    config_sha256
        Hash of the configuration.
    synthetic
        Whether the roads and railways are synthetic.
    """
    records = [file_record(path, role=role) for role, path in sources if Path(path).is_file()]
    stamps = sorted(
        {_osm_timestamp(p) for role, p in sources if role == "osm" and str(p).endswith(".pbf")}
        - {""}
    )
    return run_record(
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


def metadata_strings(record: Mapping[str, Any]) -> dict[str, str]:
    """Return a run record as string key/values (GeoPackage dataset metadata)."""
    out = {}
    for key, value in record.items():
        out[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return out
