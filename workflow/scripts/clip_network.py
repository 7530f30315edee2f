"""Rule clip_network: roads, rail, waterways clipped to one buffer; checkpoints, places in it."""

from borderzone.io import read_layer, read_parquet, write_layers
from borderzone.logs import rule_log
from borderzone.osm import clip_network

with rule_log(snakemake.log[0]):
    layers = clip_network(
        {
            name: read_parquet(snakemake.input[name])
            for name in ("roads", "rail", "checkpoints", "places", "waterways")
        },
        read_layer(snakemake.input.zones, "buffer"),
    )
    write_layers(snakemake.output.network, layers, metadata=snakemake.params.metadata)
