"""Canonical digests of a run's outputs, to show that two runs gave the same results.

Every GeoPackage layer, GeoParquet file, CSV and GeoTIFF under a folder is read and reduced
to a digest that does not depend on row order, file metadata or write times: rows sorted by
all their values, geometries normalised (``shapely.normalize``) and written as WKB, rasters
by their array, transform and CRS. Reports, web maps and QGIS projects are left out (they
embed write times and paths; their own tests check them).

    python tests/canonical.py results/RUS-KAZ > before.json
    python tests/canonical.py results/RUS-KAZ --against before.json   # exit 1 on a difference
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet
import pyogrio
import rasterio
import shapely


def frame_digest(df: pd.DataFrame) -> str:
    """A digest of a table's columns and rows, independent of row order."""
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns:
        geom = df.geometry.name
        wkb = shapely.to_wkb(shapely.normalize(df[geom].values), hex=True)
        df = pd.DataFrame(df.drop(columns=geom)).assign(**{geom: wkb})
    df = df.reindex(sorted(df.columns), axis=1)
    text = df.astype(str)
    rows = sorted("\x1f".join(map(str, r)) for r in text.itertuples(index=False, name=None))
    h = hashlib.sha256("\x1e".join(df.columns).encode())
    for row in rows:
        h.update(row.encode() + b"\x1e")
    return h.hexdigest()


def file_digests(path: Path) -> dict[str, str]:
    """Digest of each layer of one output file (empty for kinds that are not compared)."""
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        out = {}
        for layer, _ in pyogrio.list_layers(path):
            if layer == "layer_styles":  # update_time is when the style was written
                styles = pyogrio.read_dataframe(path, layer=layer).drop(columns="update_time")
                out[layer] = frame_digest(styles)
                continue
            out[layer] = frame_digest(gpd.read_file(path, layer=layer))
        return out
    if suffix == ".parquet":  # GeoParquet, or a plain table (no "geo" metadata)
        geo = b"geo" in (pyarrow.parquet.read_schema(path).metadata or {})
        return {"": frame_digest(gpd.read_parquet(path) if geo else pd.read_parquet(path))}
    if suffix == ".csv":
        return {"": frame_digest(pd.read_csv(path))}
    if suffix == ".tif":
        with rasterio.open(path) as src:
            h = hashlib.sha256(np.ascontiguousarray(src.read()).tobytes())
            h.update(repr((tuple(src.transform), src.crs.to_wkt(), src.nodata)).encode())
        return {"": h.hexdigest()}
    return {}


def tree_digests(root: Path) -> dict[str, str]:
    """Digest of every compared layer under root, keyed by relative path and layer."""
    out = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or ".snakemake" in path.parts or "logs" in path.parts:
            continue
        for layer, digest in file_digests(path).items():
            out[f"{path.relative_to(root)}:{layer}".rstrip(":")] = digest
    return out


def main() -> int:
    """Print the digests of a folder, or compare them with an earlier print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--against", type=Path, help="digests printed by an earlier call")
    args = parser.parse_args()
    now = tree_digests(args.root)
    if args.against is None:
        json.dump(now, sys.stdout, indent=1, sort_keys=True)
        print()
        return 0
    before = json.loads(args.against.read_text())
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for key in differ:
        print(f"differs: {key} ({'missing' if key not in now else 'changed'})")
    print(f"{len(now)} layers compared, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
