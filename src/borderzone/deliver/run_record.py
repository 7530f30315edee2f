"""The record of a run: its sources with checksums and dates, the OSM timestamp, the times.

:func:`source_records` reads the source files of a run (:func:`file_record` each, the
replication timestamp of the OSM extracts), once per pair (:func:`record_sources`);
:func:`run_record` makes them the record of a run, a plain dict; the
report prints it in its footer, and :func:`metadata_strings` flattens it into GeoPackage
dataset metadata. (The metadata every output carries, version and hash of the config keys
that made it, is the workflow's own, built in ``workflow/rules/common.smk``.)

The record holds no time read from the clock, so that the same inputs give the same
report and GeoPackages byte for byte. Its date (``created``, and the date the deliverables
store as their last change and save time, :func:`record_date`) is ``SOURCE_DATE_EPOCH``
when that is set, else the newest replication timestamp of the OSM extracts; with
neither (the synthetic world has none) the run is undated. A source's ``date`` is the
date its content carries (the OSM replication timestamp of a PBF, the ``Last-Modified``
or download date in the ``<file>.json`` record of a download), never a file's
modification time, which changes with every checkout or regeneration.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from borderzone import __version__
from borderzone.io import replacing, write_date


def file_record(
    path: str | Path, *, role: str = "", url: str | None = None, note: str = ""
) -> dict[str, Any]:
    """Name, size, date and SHA-256 of an input file.

    The date is the one the content carries (:func:`source_date`), "" when none.

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
    return {
        "role": role,
        "name": path.name,
        "path": str(path),
        "url": url or "",
        "date": source_date(path),
        "bytes": path.stat().st_size,
        "sha256": h.hexdigest(),
        "note": note,
    }


def source_date(path: str | Path) -> str:
    """Return the date (ISO ``YYYY-MM-DD``) the content of ``path`` carries, "" when none.

    The replication timestamp of a ``.pbf`` file, else the ``last_modified`` (or else
    ``downloaded``) date of the download record ``<path>.json`` beside it.
    """
    path = Path(path)
    if path.name.endswith(".pbf"):
        stamp = _osm_timestamp(path)
        if stamp:
            return stamp[:10]
    record = path.with_name(f"{path.name}.json")
    try:
        info = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(info, dict):
        return ""
    try:
        return email.utils.parsedate_to_datetime(info["last_modified"]).date().isoformat()
    except (KeyError, TypeError, ValueError):
        return str(info.get("downloaded") or "")[:10]


def record_date(record: Mapping[str, Any]) -> dt.datetime | None:
    """Return the date of a run record (``created``) as a datetime, None when undated."""
    return _parse_time(record.get("created") or "")


def _parse_time(text: str) -> dt.datetime | None:
    """Parse an ISO 8601 time (``Z`` for UTC, naive taken as UTC); None if it is not one."""
    try:
        t = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def run_record(
    sources: Sequence[Mapping[str, Any]],
    *,
    config_sha256: str,
    started: dt.datetime | None = None,
    osm_timestamp: str | None = None,
    synthetic: bool = False,
    synthetic_population: bool = False,
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
        When the run started; the run time is measured from it (with the clock: a record
        with a run time is not reproducible; the workflow gives none).
    osm_timestamp
        ``osmosis_replication_timestamp`` of the OSM extract(s), when known (several
        joined by ", "); the newest dates the record unless ``SOURCE_DATE_EPOCH`` is set.
    synthetic
        Whether the roads and railways are synthetic.
    synthetic_population
        Whether the population raster is the synthetic world's (``population.source``).
    version
        Package version.
    """
    stamps = sorted(filter(None, map(_parse_time, (osm_timestamp or "").split(","))))
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        created, date_source = write_date().isoformat(), "SOURCE_DATE_EPOCH"
    elif stamps:
        created, date_source = write_date(stamps[-1]).isoformat(), "OSM replication timestamp"
    else:
        created, date_source = "", ""
    return {
        "sources": [dict(s) for s in sources],
        "osm_timestamp": osm_timestamp or "",
        "synthetic": bool(synthetic),
        "synthetic_population": bool(synthetic_population),
        "config_sha256": config_sha256,
        "borderzone_version": version,
        "created": created,
        "date_source": date_source,
        "run_time_s": (
            round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1) if started else None
        ),
    }


def source_records(sources: Sequence[tuple[str, str | Path]]) -> dict[str, Any]:
    """Read a run's source files: the ``sources`` and ``osm_timestamp`` of :func:`run_record`.

    Each source file that exists (:func:`file_record`: role, size, date, SHA-256) and the
    OSM replication timestamps of the extracts. The checksum reads every byte (seconds for
    an extract of a few GB), so the workflow reads the sources once per pair (rule
    ``record_sources``: :func:`record_sources`) for every output that records them.

    Parameters
    ----------
    sources
        (role, path) of each source file; ``osm`` ``.pbf`` files give the OSM timestamp.
    """
    records = [file_record(path, role=role) for role, path in sources if Path(path).is_file()]
    stamps = sorted(
        {_osm_timestamp(p) for role, p in sources if role == "osm" and str(p).endswith(".pbf")}
        - {""}
    )
    return {"sources": records, "osm_timestamp": ", ".join(stamps)}


def record_sources(sources: Sequence[tuple[str, str | Path]], path: str | Path) -> None:
    """Write :func:`source_records` of ``sources`` to a JSON file, all or nothing."""
    with replacing(path) as tmp:
        Path(tmp).write_text(json.dumps(source_records(sources), indent=1) + "\n")


def read_source_records(path: str | Path) -> dict[str, Any]:
    """Read what :func:`record_sources` wrote: keyword arguments of :func:`run_record`."""
    return json.loads(Path(path).read_text())


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
