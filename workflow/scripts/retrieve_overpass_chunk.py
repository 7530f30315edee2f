"""Rule retrieve_overpass_chunk: the OSM layers of one chunk from the Overpass API."""

from pathlib import Path

from borderzone.io import read_layer, write_layers
from borderzone.logs import rule_log
from borderzone.osm import retrieve_overpass_chunk

with rule_log(snakemake.log[0]):
    chunks = read_layer(snakemake.input.chunks, "chunks").set_index("chunk")
    layers = retrieve_overpass_chunk(
        chunks.geometry.loc[snakemake.params.chunk],
        url=snakemake.params.url,
        cache_dir=Path(snakemake.params.cache_dir),
        timeout_s=snakemake.params.timeout_s,
    )
    write_layers(snakemake.output.layers, layers)
