"""The corridor in Overpass chunks: cut into small polygons, one query each, merged back.

:func:`build_overpass_chunks` cuts the corridor along the border into polygons of few
vertices (one Snakemake job and one Overpass query each, so a failure loses one chunk);
:func:`collect_overpass` merges the layers that
:func:`borderzone.osm.overpass.retrieve_overpass_chunk` returns for each, once per object.
"""

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderzone.border.line import border_parts
from borderzone.border.segments import cut_segments
from borderzone.crs import WGS84, densify_lonlat, local_aeqd_transformers
from borderzone.osm.schema import LAYER_COLUMNS, empty_layer


def build_overpass_chunks(
    border: gpd.GeoDataFrame | shapely.Geometry,
    *,
    width_km: float,
    chunk_km: float,
    simplify_m: float = 1000.0,
) -> gpd.GeoDataFrame:
    """Cut the corridor into polygons of few vertices, one per Overpass job.

    Each chunk covers ``chunk_km`` of border and everything within ``width_km`` of it,
    buffered in an azimuthal equidistant projection centred on the chunk. The polygon is
    grown by ``simplify_m`` and then simplified by as much, so that it still covers the
    whole zone while keeping the Overpass query short. Each part of the border (the
    ``border`` layer, or one line) is cut on its own, so no chunk spans two parts; the
    chainage runs on across the parts.

    Returns
    -------
    geopandas.GeoDataFrame
        ``chunk`` (0, 1, ...), ``from_km``, ``to_km``, in EPSG:4326.
    """
    cut, offset = [], 0.0
    for part in border_parts(border):
        piece = cut_segments(densify_lonlat(part), segment_km=chunk_km)
        cut.append(piece.assign(from_km=piece["from_km"] + offset, to_km=piece["to_km"] + offset))
        offset = float(cut[-1]["to_km"].iloc[-1])
    pieces = pd.concat(cut, ignore_index=True)
    polygons = []
    for geom in pieces.geometry:
        x0, y0, x1, y1 = geom.bounds
        fwd, inv = (t.transform for t in local_aeqd_transformers((x0 + x1) / 2, (y0 + y1) / 2))
        local = shapely.transform(geom, fwd, interleaved=False)
        zone = shapely.buffer(local, width_km * 1000 + simplify_m, quad_segs=8)
        zone = shapely.segmentize(shapely.simplify(zone, simplify_m), 5000)
        polygons.append(shapely.transform(zone, inv, interleaved=False))
    return gpd.GeoDataFrame(
        {
            "chunk": np.arange(len(pieces)),
            "from_km": pieces["from_km"].to_numpy(),
            "to_km": pieces["to_km"].to_numpy(),
        },
        geometry=polygons,
        crs=WGS84,
    )


def collect_overpass(parts: Sequence[dict[str, gpd.GeoDataFrame]]) -> dict[str, gpd.GeoDataFrame]:
    """Merge corridor layers read in chunks, keeping one row per OSM object.

    Chunks overlap, so an object may come several times: the row with the most vertices
    is kept (a way cut at a chunk's edge by the source has fewer).

    Parameters
    ----------
    parts
        The layers of each chunk (:func:`borderzone.osm.retrieve_overpass_chunk`).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Every layer of :data:`borderzone.osm.schema.LAYER_COLUMNS` (``admin`` stays empty
        from Overpass), ordered by ``osm_type`` and ``osm_id``; a layer absent from every
        chunk is empty with its columns.
    """
    out = {}
    for name in LAYER_COLUMNS:
        frames = [p[name] for p in parts if name in p and len(p[name])]
        if not frames:
            out[name] = empty_layer(name)
            continue
        data = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
        keys = ["osm_type", "osm_id"] if "osm_type" in data.columns else ["osm_id"]
        data["_n"] = shapely.get_num_coordinates(data.geometry.values)
        data = data.sort_values([*keys, "_n"], ascending=[True] * len(keys) + [False])
        out[name] = data.drop_duplicates(keys).drop(columns="_n").reset_index(drop=True)
    return out
