"""Projected coordinate reference systems chosen for the place.

Metric work never happens in degrees and never in one UTM zone for a border that spans
tens of degrees of longitude. Three kinds are used:

- :func:`local_aeqd`: an azimuthal equidistant projection centred on a short stretch of
  border. Distances from its centre are exact and the scale error at 100 km from the centre
  is below 0.005 %, so buffers built in it are metric-true.
- :func:`fitted_crs` with ``kind="conformal"``: a Lambert conformal conic fitted to the
  area, for topology (unions, clipping, nearest-segment partitions): shapes are locally
  undistorted, so "nearest" means the same as on the ellipsoid to second order.
- :func:`fitted_crs` with ``kind="equal_area"``: an Albers equal-area conic fitted to the
  area, for every area in km².

Searches for the nearest point use :func:`geocentric` coordinates (EPSG:4978): straight
lines through the Earth order points by distance as on the ellipsoid, in the same way
whichever points are searched, so a search on a part of the data finds what a search on
all of it finds there.
"""

from functools import cache
from typing import Literal

import numpy as np
import pyproj
import shapely

WGS84 = pyproj.CRS.from_epsg(4326)
GEOCENTRIC = pyproj.CRS.from_epsg(4978)


GEOCENTRIC_BLOCK = 2**18
"""Points :func:`geocentric` converts at a time."""


@cache
def _to_geocentric() -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(WGS84, GEOCENTRIC, always_xy=True)


def geocentric(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Earth-centred x, y, z in metres (EPSG:4978) of lon/lat points on the ellipsoid, (n, 3).

    The chord between two points grows with their geodesic distance (to well under a metre
    at the distances searched here), so a k-d tree of these coordinates finds the nearest
    points without a projection fitted to the data.
    """
    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    out = np.empty((len(lon), 3))
    height = np.zeros(min(len(lon), GEOCENTRIC_BLOCK))
    # by blocks that stay in the cache: half the time of one call for millions of points
    for i in range(0, len(lon), GEOCENTRIC_BLOCK):
        block = slice(i, i + GEOCENTRIC_BLOCK)
        x, y, z = _to_geocentric().transform(lon[block], lat[block], height[: len(lon[block])])
        out[block, 0], out[block, 1], out[block, 2] = x, y, z
    return out


DEGREES_TO_RADIANS = "+proj=unitconvert +xy_in=deg +xy_out=rad"
"""The PROJ step that opens a pipeline from EPSG:4326 (lon/lat in degrees)."""


def local_aeqd(lon: float, lat: float) -> pyproj.CRS:
    """Azimuthal equidistant CRS centred at ``lon``, ``lat`` (degrees), in metres."""
    return pyproj.CRS.from_proj4(f"{_aeqd(lon, lat)} +datum=WGS84 +units=m +no_defs")


def local_aeqd_transformers(
    lon: float, lat: float
) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    """Build the transformers from EPSG:4326 to :func:`local_aeqd` at ``lon``, ``lat`` and back.

    Written as the PROJ pipelines that ``Transformer.from_crs`` resolves to (the same
    numbers), without its database look-up, as :func:`fitted_transformer` is: a border's
    hundreds of stretches each have their own.
    """
    aeqd = f"{_aeqd(lon, lat)} +x_0=0 +y_0=0 +ellps=WGS84"
    return (
        pyproj.Transformer.from_pipeline(f"+proj=pipeline +step {DEGREES_TO_RADIANS} +step {aeqd}"),
        pyproj.Transformer.from_pipeline(
            f"+proj=pipeline +step +inv {aeqd} +step +inv {DEGREES_TO_RADIANS}"
        ),
    )


def _aeqd(lon: float, lat: float) -> str:
    """Write the PROJ projection of :func:`local_aeqd`, without its datum and units."""
    return f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f}"


def fitted_crs(
    bounds: tuple[float, float, float, float],
    *,
    kind: Literal["conformal", "equal_area"],
) -> pyproj.CRS:
    """Conic CRS fitted to a lon/lat bounding box.

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` in degrees (EPSG:4326).
    kind
        ``"conformal"`` for a Lambert conformal conic, ``"equal_area"`` for an Albers
        equal-area conic. The standard parallels lie at one sixth of the latitude range
        from each edge (the usual rule of thumb that minimises scale error).

    Returns
    -------
    pyproj.CRS
        A projected CRS in metres on WGS84.
    """
    return pyproj.CRS.from_proj4(f"{_conic(bounds, kind=kind)} +datum=WGS84 +units=m +no_defs")


def fitted_transformer(
    bounds: tuple[float, float, float, float],
    *,
    kind: Literal["conformal", "equal_area"],
) -> pyproj.Transformer:
    """Build the transformer from EPSG:4326 to :func:`fitted_crs` of ``bounds`` and ``kind``.

    Written as the PROJ pipeline that ``Transformer.from_crs`` resolves to (the same
    numbers), without its database look-up: about 0.1 ms instead of 5 ms, so that each
    cell can have its own.
    """
    return pyproj.Transformer.from_pipeline(
        f"+proj=pipeline +step {DEGREES_TO_RADIANS} "
        f"+step {_conic(bounds, kind=kind)} +x_0=0 +y_0=0 +ellps=WGS84"
    )


def _conic(bounds: tuple[float, float, float, float], *, kind: str) -> str:
    """Write the PROJ conic of :func:`fitted_crs`, without its datum and units."""
    minx, miny, maxx, maxy = bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError(f"bounds {bounds} are not a lon/lat box")
    span = max(maxy - miny, 1.0)
    mid = (miny + maxy) / 2
    lat_1, lat_2 = mid - span / 3, mid + span / 3
    lon_0 = (minx + maxx) / 2
    proj = "lcc" if kind == "conformal" else "aea"
    return f"+proj={proj} +lat_0={mid:.6f} +lon_0={lon_0:.6f} +lat_1={lat_1:.6f} +lat_2={lat_2:.6f}"


DENSIFY_DEG = 0.01


def densify_lonlat(geom: shapely.Geometry, *, max_deg: float = DENSIFY_DEG) -> shapely.Geometry:
    """Add vertices so that no lon/lat edge spans more than ``max_deg`` degrees.

    GIS files draw an edge as a straight line in lon/lat; once projected, a long edge would
    become a straight line in the projection instead, a different curve. Densifying first
    keeps the shape the file means (0.01° is at most 1.1 km).
    """
    return shapely.segmentize(geom, max_deg)
