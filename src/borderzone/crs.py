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
"""

from typing import Literal

import pyproj
import shapely

WGS84 = pyproj.CRS.from_epsg(4326)


def local_aeqd(lon: float, lat: float) -> pyproj.CRS:
    """Azimuthal equidistant CRS centred at ``lon``, ``lat`` (degrees), in metres."""
    return pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m +no_defs"
    )


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
    minx, miny, maxx, maxy = bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError(f"bounds {bounds} are not a lon/lat box")
    span = max(maxy - miny, 1.0)
    mid = (miny + maxy) / 2
    lat_1, lat_2 = mid - span / 3, mid + span / 3
    lon_0 = (minx + maxx) / 2
    proj = "lcc" if kind == "conformal" else "aea"
    return pyproj.CRS.from_proj4(
        f"+proj={proj} +lat_0={mid:.6f} +lon_0={lon_0:.6f} +lat_1={lat_1:.6f} "
        f"+lat_2={lat_2:.6f} +datum=WGS84 +units=m +no_defs"
    )


DENSIFY_DEG = 0.01


def densify_lonlat(geom: shapely.Geometry, *, max_deg: float = DENSIFY_DEG) -> shapely.Geometry:
    """Add vertices so that no lon/lat edge spans more than ``max_deg`` degrees.

    GIS files draw an edge as a straight line in lon/lat; once projected, a long edge would
    become a straight line in the projection instead, a different curve. Densifying first
    keeps the shape the file means (0.01° is at most 1.1 km).
    """
    return shapely.segmentize(geom, max_deg)
