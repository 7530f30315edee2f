"""Rule build_zones: buffers of one width on both sides, and their per-segment cells."""

from borderzone.border import build_zones
from borderzone.io import read_countries, read_layer, write_layers
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    countries = read_countries(snakemake.input.countries, **snakemake.params.countries)
    layers = build_zones(
        read_layer(snakemake.input.border, "border"),
        read_layer(snakemake.input.border, "segments"),
        countries,
        pair=snakemake.params.pair,
        width_km=snakemake.params.width_km,
    )
    write_layers(snakemake.output.zones, layers, metadata=snakemake.params.metadata)
