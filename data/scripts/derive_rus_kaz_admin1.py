"""Derive data/rus_kaz_admin1.gpkg: the first-level regions of Russia and Kazakhstan.

Source: Natural Earth admin-1 states and provinces (v4.1, public domain), as shipped by
Debian's qgis-common package (3.22.16+dfsg-1) in
/usr/share/qgis/resources/data/world_map.gpkg, layer states_provinces
(`apt-get install qgis-common`). Generalised (1:10 M), and from before Kazakhstan's 2022
reform (7 oblasts on the border; since 2022 the Abay region, split from East Kazakhstan,
touches it too). Regions whose outline comes within 300 km of the shared border are kept.

Usage: python data/scripts/derive_rus_kaz_admin1.py
"""

from pathlib import Path

import geopandas as gpd
import shapely

from borderzone.border.line import trace_border
from borderzone.border.zones import corridor_zone
from borderzone.io import read_countries

SOURCE = Path("/usr/share/qgis/resources/data/world_map.gpkg")
DATA = Path(__file__).resolve().parents[1]
OUT = DATA / "rus_kaz_admin1.gpkg"


def main() -> None:
    countries = read_countries(DATA / "rus_kaz_outlines.gpkg", iso3=["RUS", "KAZ"])
    border, _ = trace_border(countries, pair=["RUS", "KAZ"])
    near = corridor_zone(border.geometry.iloc[0], width_km=300).geometry.iloc[0]
    regions = gpd.read_file(SOURCE, layer="states_provinces", where="adm0_a3 IN ('RUS', 'KAZ')")
    regions = regions[shapely.intersects(near, regions.geometry.values)]
    out = gpd.GeoDataFrame(
        {
            "iso3": regions["adm0_a3"].to_numpy(),
            "name": regions["name"].to_numpy(),
            "admin_level": 4,
            "source": "Natural Earth admin-1 v4.1 (qgis-common 3.22.16)",
        },
        geometry=regions.geometry.values,
        crs=regions.crs,
    ).sort_values(["iso3", "name"], ignore_index=True)
    out.to_file(OUT, layer="admin", driver="GPKG")
    print(f"wrote {OUT}: {len(out)} regions")


if __name__ == "__main__":
    main()
