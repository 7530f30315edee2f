"""Cut ``.osm.pbf`` files down to a corridor and the tags wanted, with osmium-tool.

The first engine of :mod:`borderzone.osm.pbf`: the C++ tool streams even a national extract
in a few passes with a few hundred MB of memory (454 MB for the 3 GB bench world), so that
pyosmium then reads a few per cent of it.

1. ``osmium extract -s smart -S types=boundary,multipolygon -p corridor.geojson`` keeps the
   ways with a node in the corridor (whole ways), their nodes, and complete boundary and
   multipolygon relations touching it (administrative areas; river areas drawn as
   multipolygons);
2. ``osmium tags-filter`` keeps only the tags wanted and what they reference;
3. several inputs are merged with ``osmium merge`` (which drops objects present in both).

The files in between are written without compression or metadata
(:data:`INTERMEDIATE_FORMAT`): each is read once or twice just after it is written, so
compressing it costs more time than it saves in reading, and no step reads versions,
timestamps or users.

The errors that name the inputs are built here too, for both engines: :func:`unreadable`
(not a readable PBF) and :func:`nothing_in_corridor` (an extract of another area).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import shapely

from borderzone.errors import BorderzoneError, OsmDataError

log = logging.getLogger(__name__)

Engine = Literal["auto", "osmium-tool", "pyosmium"]

INTERMEDIATE_FORMAT = "pbf,pbf_compression=none,add_metadata=false"
"""osmium-tool output format of the files between the steps (``-f``)."""


def osmium_binary(engine: Engine) -> str | None:
    """Find the ``osmium`` binary for ``engine``; None means pyosmium reads alone.

    Raises
    ------
    BorderzoneError
        When ``engine`` is unknown, or is ``"osmium-tool"`` and no binary is on ``PATH``.

    """
    if engine not in ("auto", "osmium-tool", "pyosmium"):
        raise BorderzoneError(f"engine {engine!r} is not one of auto, osmium-tool, pyosmium")
    if engine == "pyosmium":
        return None
    binary = shutil.which("osmium")
    if binary is None and engine == "osmium-tool":
        raise BorderzoneError("engine 'osmium-tool' asked for, but no osmium binary on PATH")
    return binary


def unreadable(path: Path, exc: BaseException | str) -> OsmDataError:
    """Build the error for an input that is not a readable PBF, naming it, on one line."""
    text = str(exc).strip().splitlines()
    reason = text[-1] if text else type(exc).__name__
    return OsmDataError(f"OSM file {path} is not a readable .osm.pbf: {reason}")


def nothing_in_corridor(paths: Sequence[Path], corridor: shapely.Geometry) -> OsmDataError:
    """Build the error for inputs with no road, railway or place in the corridor.

    It names the files, the corridor's bounds and, when a file's header has one, the area
    the file says it covers.
    """
    x0, y0, x1, y1 = corridor.bounds
    names = ", ".join(str(p) for p in paths)
    boxes = [f"{p.name} covers {box}" for p in paths if (box := _header_box(p))]
    return OsmDataError(
        f"OSM file{'s' if len(paths) > 1 else ''} {names} hold{'' if len(paths) > 1 else 's'} "
        f"no road, railway or place inside the corridor (lon {x0:.2f} to {x1:.2f}, "
        f"lat {y0:.2f} to {y1:.2f}){': ' + '; '.join(boxes) if boxes else ''}; "
        "give an extract that covers the border"
    )


def _header_box(path: Path) -> str | None:
    """Return the bounding box a file's header declares, as text, or None."""
    import osmium

    try:
        reader = osmium.io.Reader(str(path), osmium.osm.NOTHING)
        try:
            box = reader.header().box()
        finally:
            reader.close()
    except RuntimeError:
        return None
    if not box.valid():
        return None
    a, b = box.bottom_left, box.top_right
    return f"lon {a.lon:.2f} to {b.lon:.2f}, lat {a.lat:.2f} to {b.lat:.2f}"


def prefilter(
    binary: str,
    paths: list[Path],
    *,
    tag_filters: list[str],
    corridor: shapely.Geometry | None,
    tmp: Path,
    threads: int | None = None,
) -> Path:
    """Cut each input to the corridor and the tags wanted; merge them.

    Parameters
    ----------
    binary
        The ``osmium`` program.
    paths
        The input ``.osm.pbf`` files.
    tag_filters
        ``osmium tags-filter`` expressions (``w/highway=primary,secondary``...).
    corridor
        (Multi)Polygon in EPSG:4326, or None to keep the whole files.
    tmp
        A directory for the intermediate files.
    threads
        Threads of osmium-tool's pool, which decodes and encodes the blocks of the files
        (``OSMIUM_POOL_THREADS``); None leaves libosmium's default (the number of cores
        minus two, at least one).

    Returns
    -------
    pathlib.Path
        The small merged file, inside ``tmp``.

    Raises
    ------
    OsmDataError
        When osmium-tool cannot read an input.

    """
    poly = tmp / "corridor.geojson"
    if corridor is not None:
        poly.write_text(
            '{"type": "Feature", "properties": {}, "geometry": '
            + shapely.to_geojson(corridor)
            + "}"
        )
    outs = []
    for i, path in enumerate(paths):
        start = time.perf_counter()
        src = path
        if corridor is not None:
            src = tmp / f"{i}-extract.osm.pbf"
            _osmium(
                binary,
                ["extract", "--no-progress", "-O", "-f", INTERMEDIATE_FORMAT, "-s", "smart"]
                + ["-S", "types=boundary,multipolygon"]
                + ["-p", str(poly), "-o", str(src), str(path)],
                path=path,
                threads=threads,
            )
        out = tmp / f"{i}-filtered.osm.pbf"
        _osmium(
            binary,
            ["tags-filter", "--no-progress", "-O", "-f", INTERMEDIATE_FORMAT, str(src)]
            + [*tag_filters, "-o", str(out)],
            path=path,
            threads=threads,
        )
        outs.append(out)
        log.info(
            "osmium-tool cut %s (%.1f MB) to %.1f MB in %.1f s",
            path.name,
            path.stat().st_size / 1e6,
            out.stat().st_size / 1e6,
            time.perf_counter() - start,
        )
    if len(outs) == 1:
        return outs[0]
    merged = tmp / "merged.osm.pbf"
    _osmium(
        binary,
        ["merge", "--no-progress", "-O", "-f", INTERMEDIATE_FORMAT, *map(str, outs)]
        + ["-o", str(merged)],
        path=paths[0],
        threads=threads,
    )
    return merged


def _osmium(binary: str, args: list[str], *, path: Path, threads: int | None) -> None:
    cmd = [binary, *args]
    env = None if threads is None else {**os.environ, "OSMIUM_POOL_THREADS": str(threads)}
    log.debug("running %s", " ".join(cmd))
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if res.returncode != 0:
        raise unreadable(path, res.stderr or f"osmium exited with {res.returncode}")
