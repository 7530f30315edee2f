"""Geodesic lengths on the WGS84 ellipsoid, vectorised over many lines, and their parts."""

import numpy as np
import pyproj
import shapely

from borderzone.crs import GEOCENTRIC_BLOCK, geocentric

GEOD = pyproj.Geod(ellps="WGS84")

MEAN_RADIUS_M = 6_371_008.8
"""Mean radius of the WGS84 ellipsoid (IUGG R1), in metres."""


SINGLE_TYPES = (0, 1, 2, 3)
"""shapely type ids of the geometries that are their own one part: Point, LineString,
LinearRing, Polygon."""


def single_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the parts of ``geoms`` and the index of each part's geometry.

    The same as ``shapely.get_parts(geoms, return_index=True)``, but a geometry that is
    one part already is its own part, not a copy: ``get_parts`` copies every geometry (a
    second for a corridor's 600,000 roads), this only those of several parts.
    """
    geoms = np.asarray(geoms, dtype=object)
    one = np.isin(shapely.get_type_id(geoms), SINGLE_TYPES)
    if one.all():
        return geoms, np.arange(len(geoms))
    many = np.flatnonzero(~one)
    parts, of = shapely.get_parts(geoms[many], return_index=True)
    counts = one.astype(np.int64)
    counts[many] = np.bincount(of, minlength=len(many))
    start = np.cumsum(counts) - counts  # where each geometry's parts begin
    out = np.empty(int(counts.sum()), dtype=object)
    out[start[one]] = geoms[one]
    out[start[many][of] + np.arange(len(of)) - np.searchsorted(of, of)] = parts
    return out, np.repeat(np.arange(len(geoms)), counts)


def edge_lengths_m(coords: np.ndarray) -> np.ndarray:
    """Geodesic length in metres of each edge of a lon/lat vertex array of shape (n, 2)."""
    if len(coords) < 2:
        return np.zeros(0)
    _, _, dist = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    return np.asarray(dist, dtype=float)


def chord_lengths_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Length in metres of the edges between geocentric points ``a`` and ``b``, (n, 3) each.

    The straight chord between the points (:func:`~borderzone.crs.geocentric`) bent into
    an arc of :data:`MEAN_RADIUS_M`: within 3e-8 of the geodesic for edges under 50 km and
    1.5e-7 under 100 km, at a fraction of the cost of :func:`edge_lengths_m`.
    """
    chord = a - b
    chord = np.sqrt(np.einsum("ij,ij->i", chord, chord))
    return 2 * MEAN_RADIUS_M * np.arcsin(np.minimum(chord / (2 * MEAN_RADIUS_M), 1.0))


def geodesic_length_km(geoms: np.ndarray | shapely.Geometry) -> np.ndarray | float:
    """Geodesic length in km of lon/lat (multi)line geometries.

    Each edge is measured as :func:`chord_lengths_m` does (the geodesic to 3e-8 for edges
    under 50 km), a third of the cost of the geodesic problem for millions of edges.

    Parameters
    ----------
    geoms
        One geometry or an array of them, in EPSG:4326 coordinates.

    Returns
    -------
    float or numpy.ndarray
        Length of each geometry in km, summed over its parts.
    """
    scalar = isinstance(geoms, shapely.Geometry)
    arr = np.atleast_1d(np.asarray(geoms, dtype=object))
    parts, part_of = single_parts(arr)
    coords, vertex_of = shapely.get_coordinates(parts, return_index=True)
    lengths = np.zeros(len(arr))
    # the edges from vertex i to j - 1 at a time: their geocentric points stay in the cache
    for i in range(0, len(coords) - 1, GEOCENTRIC_BLOCK):
        j = min(i + GEOCENTRIC_BLOCK, len(coords) - 1)
        xyz = geocentric(coords[i : j + 1, 0], coords[i : j + 1, 1])
        edges = chord_lengths_m(xyz[:-1], xyz[1:])
        same_part = vertex_of[i + 1 : j + 1] == vertex_of[i:j]
        np.add.at(lengths, part_of[vertex_of[i:j][same_part]], edges[same_part])
    lengths /= 1000.0
    return float(lengths[0]) if scalar else lengths
