"""Rule build_overpass_chunks: one small polygon per Overpass job."""

from borderzone.io import read_layer, write_layers
from borderzone.logs import rule_log
from borderzone.osm import build_overpass_chunks

with rule_log(snakemake.log[0]):
    chunks = build_overpass_chunks(
        read_layer(snakemake.input.border, "border"),
        width_km=snakemake.params.width_km,
        chunk_km=snakemake.params.chunk_km,
    )
    write_layers(snakemake.output.chunks, {"chunks": chunks})
