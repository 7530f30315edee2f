"""Rule extract_corridor: roads, rail, checkpoints, places and admin areas of the corridor."""

from borderzone.io import read_layer, write_parquet
from borderzone.logs import rule_log
from borderzone.osm import extract_corridor

with rule_log(snakemake.log[0]):
    layers = extract_corridor(
        list(snakemake.input.pbf),
        corridor=read_layer(snakemake.input.corridor, "corridor").geometry.union_all(),
        include_paths=snakemake.params.include_paths,
        rail_exclude=snakemake.params.rail_exclude,
        threads=snakemake.threads,
        cut=snakemake.input.cut or None,  # rule cut_corridor's file, with osmium-tool
    )
    for name, layer in layers.items():
        write_parquet(layer, snakemake.output[name])
