"""Rule build_corridor: the corridor OSM data and rasters are cut to, once for every width."""

from borderzone.border import build_corridor
from borderzone.io import read_countries, read_layer, write_layers
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    layers = build_corridor(
        read_layer(snakemake.input.border, "border"),
        read_countries(snakemake.input.countries, **snakemake.params.countries),
        pair=snakemake.params.pair,
        width_km=snakemake.params.width_km,
    )
    write_layers(snakemake.output.corridor, layers, metadata=snakemake.params.metadata)
