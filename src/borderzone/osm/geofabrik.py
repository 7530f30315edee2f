"""Download OpenStreetMap extracts from Geofabrik: resumable, checksummed, atomic.

:func:`retrieve_geofabrik` downloads ``{base_url}/{path}-latest.osm.pbf`` with
:func:`borderzone.download.download_file` (resumed after an interruption, renamed into
place only once whole), checked against the MD5 that Geofabrik publishes beside every
extract (``.md5``, in the md5sum format). The checksum is kept beside the file (``.md5``)
with the provenance record (``.json``: URL, MD5, size, time of download, ``Last-Modified``),
so a second call finds the file in place and makes no request at all.
"""

import logging
import re
from pathlib import Path

from borderzone.download import (
    GEOFABRIK_SUFFIX,
    GEOFABRIK_URL,
    download_file,
    fetch_text,
    file_digest,
    geofabrik_file_stem,
    geofabrik_path,
    write_atomic,
)
from borderzone.errors import DownloadError

log = logging.getLogger(__name__)

_MD5 = re.compile(r"^[0-9a-f]{32}$")


def retrieve_geofabrik(
    region: str,
    *,
    base_url: str = GEOFABRIK_URL,
    dest_dir: Path,
    progress: bool = True,
    timeout_s: float = 60,
    retries: int = 3,
    backoff_s: float = 2.0,
) -> Path:
    """Download the latest Geofabrik extract of ``region`` unless it is already in place.

    Parameters
    ----------
    region
        A known bare name (see :data:`borderzone.download.GEOFABRIK_REGIONS`) or a
        Geofabrik path such as ``"asia/kazakhstan"``.
    base_url
        Server root; a mirror or a local test server.
    dest_dir
        Directory receiving ``<name>-latest.osm.pbf`` with ``.md5`` and ``.json`` beside it.
    progress, timeout_s, retries, backoff_s
        As for :func:`borderzone.download.download_file`.

    Returns
    -------
    pathlib.Path
        The verified extract.

    Raises
    ------
    DownloadError
        On an HTTP error, a transfer that keeps failing, or a checksum that does not match;
        no partial file is left in place under the final name.

    """
    path = geofabrik_path(region)
    name = geofabrik_file_stem(path) + GEOFABRIK_SUFFIX
    url = f"{base_url.rstrip('/')}/{path}{GEOFABRIK_SUFFIX}"
    dest_dir = Path(dest_dir)
    target = dest_dir / name
    md5_file = dest_dir / f"{name}.md5"

    if target.is_file() and md5_file.is_file():
        stored = parse_md5(md5_file.read_text(encoding="utf-8"), source=str(md5_file))
        if file_digest(target, "md5") == stored:
            log.info("%s is in place and matches %s: not downloading", target, md5_file.name)
            return target
        log.warning("%s does not match %s: downloading again", target, md5_file.name)

    options = {"timeout_s": timeout_s, "retries": retries, "backoff_s": backoff_s}
    expected = parse_md5(fetch_text(f"{url}.md5", **options), source=f"{url}.md5")
    download_file(url, dest=target, md5=expected, progress=progress, **options)
    write_atomic(md5_file, f"{expected}  {name}\n")
    return target


def parse_md5(text: str, *, source: str) -> str:
    r"""Read ``<hex>  <filename>`` (the md5sum format) and return the lower-case hex digest.

    Raises
    ------
    DownloadError
        When ``text`` holds no MD5; the message names ``source``.

    Examples
    --------
    >>> parse_md5("9E107D9D372BB6826BD81D3542A419D6  x.osm.pbf\n", source="x.md5")
    '9e107d9d372bb6826bd81d3542a419d6'

    """
    token = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    if not _MD5.match(token):
        raise DownloadError(f"{source} holds no MD5 checksum: {text[:80]!r}")
    return token
