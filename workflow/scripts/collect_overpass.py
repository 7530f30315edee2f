"""Rule collect_overpass: merge the Overpass chunks into the corridor layers."""

import pyogrio

from borderzone.io import read_layer, write_parquet
from borderzone.logs import rule_log
from borderzone.osm import collect_overpass

with rule_log(snakemake.log[0]):
    parts = [
        {name: read_layer(path, name) for name, _ in pyogrio.list_layers(path)}
        for path in snakemake.input.chunks
    ]
    for name, layer in collect_overpass(parts).items():
        write_parquet(layer, snakemake.output[name])
