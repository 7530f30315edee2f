"""Land outlines of countries from their OSM admin_level=2 relations in ``.osm.pbf`` files.

The relations are read by the scan of :mod:`borderzone.osm.pbf` (either engine); what is
done here is the country rule: the territorial sea is cut off along the maritime boundary
ways, so that two neighbours across a sea share only their land border.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from borderzone.crs import WGS84, fitted_crs
from borderzone.errors import OsmDataError
from borderzone.osm.pbf import (
    Engine,
    ScanSpec,
    admin_layer,
    check_pbf_paths,
    read_candidates,
)

log = logging.getLogger(__name__)


def build_countries_from_osm(
    pbf_paths: Sequence[Path],
    *,
    iso3: Sequence[str],
    maritime_clearance_m: float = 1000.0,
    engine: Engine = "auto",
    location_storage: str = "flex_mem",
) -> gpd.GeoDataFrame:
    """Build the land outlines of countries from their admin_level=2 relations.

    OSM country relations include the territorial sea: their ways at sea are tagged
    ``maritime=yes``. The polygons are assembled from all member ways (so the rings
    close) and then a band of ``maritime_clearance_m`` on each side of every maritime
    way, flat-ended, is cut out of them. Two neighbours that share a maritime boundary
    (Russia and Kazakhstan in the Caspian Sea) then lie ``2 * maritime_clearance_m``
    apart there, so :func:`borderzone.border.line.trace_border`, which matches outlines
    within ``snap_m``, finds only their land border; the land boundary itself is left
    untouched (flat ends stop the cut where the maritime way meets the land border).

    Parameters
    ----------
    pbf_paths
        ``.osm.pbf`` files holding the two countries' relations (one planet-level file,
        or one extract per country).
    iso3
        ISO 3166-1 alpha-3 codes, matched against the ``ISO3166-1:alpha3`` tag.
    maritime_clearance_m
        Half-width in metres of the band cut out along maritime boundary ways; must be
        more than half the ``snap_m`` of the border builder.
    engine, location_storage
        As for :func:`borderzone.osm.pbf.extract_corridor`.

    Returns
    -------
    geopandas.GeoDataFrame
        One MultiPolygon row per code in the order of ``iso3``, columns ``iso3`` and
        ``geometry``, EPSG:4326.

    Raises
    ------
    OsmDataError
        When a file is unreadable or a country has no complete relation in the files.

    """
    paths = check_pbf_paths(pbf_paths)
    spec = ScanSpec(admin_levels=frozenset({2}), admin_iso3=frozenset(iso3), want_lines=False)
    found = read_candidates(paths, spec, engine=engine, corridor=None, storage=location_storage)
    admin = admin_layer(found, corridor=None)
    admin = admin[admin["ISO3166-1:alpha3"].isin(list(iso3))]
    missing = [c for c in iso3 if c not in set(admin["ISO3166-1:alpha3"])]
    if missing:
        raise OsmDataError(
            f"{', '.join(str(p) for p in paths)}: no complete admin_level=2 relation with "
            f"ISO3166-1:alpha3={'/'.join(missing)}"
        )
    geoms = admin.dissolve(by="ISO3166-1:alpha3").geometry
    maritime = shapely.from_wkb(np.array(found.maritime_wkb, dtype=object))
    rows = []
    for code in iso3:
        geom = geoms[code]
        cut = _maritime_band(geom, maritime, maritime_clearance_m)
        if cut is not None:
            geom = shapely.make_valid(shapely.difference(geom, cut))
            geom = shapely.multipolygons(
                shapely.get_parts(geom)[shapely.get_type_id(shapely.get_parts(geom)) == 3]
            )
        rows.append((code, geom))
    log.info(
        "outlines of %s from %s (%d maritime ways cut out)",
        ", ".join(iso3),
        ", ".join(p.name for p in paths),
        len(maritime),
    )
    return gpd.GeoDataFrame(rows, columns=["iso3", "geometry"], geometry="geometry", crs=WGS84)


def _maritime_band(
    outline: shapely.Geometry, maritime: np.ndarray, clearance_m: float
) -> shapely.Geometry | None:
    """Flat-ended band of ``clearance_m`` either side of the maritime ways near ``outline``."""
    if len(maritime) == 0 or clearance_m <= 0:
        return None
    near = maritime[shapely.intersects(shapely.buffer(outline, 0.1), maritime)]
    if len(near) == 0:
        return None
    x0, y0, x1, y1 = shapely.total_bounds(near)
    crs = fitted_crs(
        (max(x0 - 0.1, -180), max(y0 - 0.1, -90), min(x1 + 0.1, 180), min(y1 + 0.1, 90)),
        kind="conformal",
    )
    fwd = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    back = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    projected = shapely.transform(near, lambda xy: np.c_[fwd.transform(xy[:, 0], xy[:, 1])])
    band = shapely.union_all(shapely.buffer(projected, clearance_m, cap_style="flat"))
    return shapely.transform(band, lambda xy: np.c_[back.transform(xy[:, 0], xy[:, 1])])
