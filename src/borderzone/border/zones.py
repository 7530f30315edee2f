"""Metric-true buffers on both sides of the border, and their per-segment cells."""

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from borderzone.border.line import border_parts
from borderzone.border.segments import cut_segments
from borderzone.crs import WGS84, densify_lonlat, fitted_crs, local_aeqd_transformers

log = logging.getLogger(__name__)

Border = gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry
"""The ``border`` layer (one row per part), or its line(s) as one geometry."""

QUAD_SEGS = 32  # arc vertices per quarter circle: chord sag 0.03 % of the width
DENSIFY_M = 1000.0  # longest edge before a change of projection


def build_buffer(
    border: Border,
    countries: gpd.GeoDataFrame,
    *,
    pair: Sequence[str],
    width_km: float,
    chunk_km: float = 100.0,
) -> gpd.GeoDataFrame:
    """Zone within ``width_km`` of the border on each side, clipped to each country.

    Each part of the border is cut into chunks of ``chunk_km``; each chunk is buffered in
    an azimuthal equidistant projection centred on it (scale error below 0.005 % within
    100 km of the centre), so the width is true in metres along the whole border whatever
    its extent. The chunk buffers are merged and clipped to each country in a conformal
    conic fitted to the area; areas are measured in a fitted equal-area conic.

    Parameters
    ----------
    border
        The ``border`` layer (every part is buffered) or the border line, in EPSG:4326.
    countries
        Outlines with columns ``iso3`` and ``geometry`` in EPSG:4326.
    pair
        The two ISO3 codes; one row per code is returned, in this order.
    width_km
        Buffer width in km.
    chunk_km
        Length of the border stretches buffered in one local projection.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``side`` (ISO3), ``width_km``, ``area_km2``, in EPSG:4326.
    """
    zone, work = _buffer_union(border, width_km=width_km, chunk_km=chunk_km)
    to_work = pyproj.Transformer.from_crs(WGS84, work, always_xy=True)
    outlines = countries.set_index("iso3").geometry
    box = shapely.bounds(shapely.transform(zone, _inverse(work), interleaved=False))
    sides = []
    for code in pair:
        near = shapely.clip_by_rect(outlines[code], *(box + np.array([-1, -1, 1, 1])))
        near = densify_lonlat(near)
        near = shapely.transform(near, to_work.transform, interleaved=False)
        sides.append(shapely.intersection(zone, near))
    out = gpd.GeoDataFrame(
        {"side": list(pair), "width_km": float(width_km)},
        geometry=gpd.GeoSeries(_polygonal(np.array(sides)), crs=work),
    )
    out["area_km2"] = _area_km2(out)
    for row in out.itertuples():
        log.info("%g km buffer, side %s: %s km²", width_km, row.side, f"{row.area_km2:,.0f}")
    return out.to_crs(WGS84)[["side", "width_km", "area_km2", "geometry"]]


def build_corridor(
    border: Border,
    countries: gpd.GeoDataFrame,
    *,
    pair: Sequence[str],
    width_km: float,
) -> dict[str, gpd.GeoDataFrame]:
    """Build the corridor that OSM data, places and rasters are cut to, once for all widths.

    Parameters
    ----------
    border
        The ``border`` layer (every part is buffered) or the border line, in EPSG:4326.
    countries
        Outlines with columns ``iso3`` and ``geometry`` in EPSG:4326.
    pair
        The two ISO3 codes.
    width_km
        Width on each side (``osm.corridor_km``); every buffer width fits inside it.

    Returns
    -------
    dict
        ``corridor``: the zone on both sides, not clipped to the countries (what OSM data
        is read for, :func:`corridor_zone`); ``buffer``: the same width clipped to each
        country (:func:`build_buffer`), the area the rasters cover.
    """
    return {
        "corridor": corridor_zone(border, width_km=width_km),
        "buffer": build_buffer(border, countries, pair=pair, width_km=width_km),
    }


def corridor_zone(border: Border, *, width_km: float, chunk_km: float = 100.0) -> gpd.GeoDataFrame:
    """Zone within ``width_km`` of the border on both sides, not clipped to the countries.

    Built like :func:`build_buffer`; used to cut OSM data and place lists down to the
    corridor.

    Returns
    -------
    geopandas.GeoDataFrame
        One (multi)polygon row with ``width_km``, in EPSG:4326.
    """
    zone, work = _buffer_union(border, width_km=width_km, chunk_km=chunk_km)
    return gpd.GeoDataFrame({"width_km": [float(width_km)]}, geometry=[zone], crs=work).to_crs(
        WGS84
    )


def _buffer_union(
    border: Border, *, width_km: float, chunk_km: float
) -> tuple[shapely.Geometry, pyproj.CRS]:
    """Unite the chunk buffers of every part, each made in a local azimuthal projection.

    Returns the zone and the conformal working CRS it is expressed in.
    """
    if not width_km > 0:
        raise ValueError(f"buffer width must be positive, got {width_km!r}")
    width_m = width_km * 1000
    parts = border_parts(border)
    chunks = [
        geom
        for part in parts
        for geom in cut_segments(densify_lonlat(part), segment_km=chunk_km).geometry
    ]
    work = _working_crs(shapely.MultiLineString(parts), margin_km=width_km)
    to_work = pyproj.Transformer.from_crs(WGS84, work, always_xy=True)
    pieces = []
    for geom in chunks:
        x0, y0, x1, y1 = geom.bounds
        fwd, inv = local_aeqd_transformers((x0 + x1) / 2, (y0 + y1) / 2)
        local = shapely.transform(geom, fwd.transform, interleaved=False)
        ring = shapely.segmentize(shapely.buffer(local, width_m, quad_segs=QUAD_SEGS), DENSIFY_M)
        lonlat = shapely.transform(ring, inv.transform, interleaved=False)
        pieces.append(shapely.transform(lonlat, to_work.transform, interleaved=False))
    return shapely.union_all(pieces), work


def build_cells(
    buffer: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    *,
    spacing_m: float = 250.0,
) -> gpd.GeoDataFrame:
    """Split each side's buffer into cells, one per segment: the nearest-segment partition.

    Points are placed every ``spacing_m`` along each segment (none at the joints) and the
    Voronoi regions of the points of each segment are merged, in a conformal projection
    fitted to the area. The regions tile the plane, so the cells tile the buffer with no
    gap and no overlap; their edges are within ``spacing_m`` of the exact nearest-segment
    boundaries.

    Parameters
    ----------
    buffer
        Output of :func:`build_buffer`.
    segments
        Output of :func:`borderzone.border.segments.cut_segments`.
    spacing_m
        Distance between sample points along the segments.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``seg_id``, ``side``, ``width_km``, ``area_km2``, in EPSG:4326.
    """
    work = fitted_crs(tuple(buffer.total_bounds), kind="conformal")
    segs = segments.set_geometry(densify_lonlat(segments.geometry.values)).to_crs(work)
    lengths = segs.length.to_numpy()
    counts = np.maximum(np.ceil(lengths / spacing_m).astype(int), 1)
    owner = np.repeat(np.arange(len(segs)), counts)
    start = np.repeat(np.cumsum(counts) - counts, counts)
    frac = (np.arange(counts.sum()) - start + 0.5) / counts[owner]
    points = shapely.line_interpolate_point(segs.geometry.values[owner], frac, normalized=True)
    zone = buffer.to_crs(work)
    x0, y0, x1, y1 = zone.total_bounds
    pad = max(x1 - x0, y1 - y0)
    voronoi = shapely.voronoi_polygons(
        shapely.multipoints(points),
        extend_to=shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad),
        ordered=True,
    )
    regions = gpd.GeoDataFrame(
        {"seg_id": segs["seg_id"].to_numpy()[owner]},
        geometry=shapely.get_parts(voronoi),
        crs=work,
    ).dissolve(by="seg_id", method="coverage", as_index=False)
    frames = []
    for row in zone.itertuples():
        cut = _polygonal(shapely.intersection(regions.geometry.values, row.geometry))
        keep = ~shapely.is_empty(cut)
        frames.append(
            gpd.GeoDataFrame(
                {
                    "seg_id": regions["seg_id"].to_numpy()[keep],
                    "side": row.side,
                    "width_km": row.width_km,
                },
                geometry=cut[keep],
                crs=work,
            )
        )
    cells = pd.concat(frames, ignore_index=True)
    cells["area_km2"] = _area_km2(cells)
    log.info("%d cells for %d segments on %d sides", len(cells), len(segs), len(zone))
    return cells.to_crs(WGS84)[["seg_id", "side", "width_km", "area_km2", "geometry"]]


def build_zones(
    border: Border,
    segments: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    *,
    pair: Sequence[str],
    width_km: float,
) -> dict[str, gpd.GeoDataFrame]:
    """Build the layers of ``zones.gpkg``: ``buffer`` and ``cells``."""
    buffer = build_buffer(border, countries, pair=pair, width_km=width_km)
    return {"buffer": buffer, "cells": build_cells(buffer, segments)}


def _working_crs(border: shapely.Geometry, *, margin_km: float) -> pyproj.CRS:
    """Conformal conic fitted to the border's box grown by about ``margin_km``."""
    x0, y0, x1, y1 = border.bounds
    dlat = margin_km / 111.0 + 0.5
    dlon = dlat / max(np.cos(np.radians(max(abs(y0), abs(y1)) + dlat)), 0.1)
    return fitted_crs(
        (max(x0 - dlon, -180), max(y0 - dlat, -90), min(x1 + dlon, 180), min(y1 + dlat, 90)),
        kind="conformal",
    )


def _inverse(crs: pyproj.CRS):  # noqa: ANN202
    return pyproj.Transformer.from_crs(crs, WGS84, always_xy=True).transform


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygons of each geometry, as MultiPolygons (empty when none)."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    is_poly = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    out = np.array([shapely.MultiPolygon()] * len(geoms), dtype=object)
    if is_poly.any():
        grouped = pd.Series(list(parts[is_poly])).groupby(index[is_poly])
        for i, polys in grouped:
            out[i] = shapely.MultiPolygon(list(polys))
    return out


def _area_km2(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Area of each geometry in km², in an equal-area conic fitted to the data."""
    bounds = tuple(gdf.to_crs(WGS84).total_bounds)
    return gdf.to_crs(fitted_crs(bounds, kind="equal_area")).area.to_numpy() / 1e6
