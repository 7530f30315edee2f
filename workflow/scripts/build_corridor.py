"""Rule build_corridor: the area OSM data is read for (widest buffer plus a margin)."""

from borderzone.border import build_corridor
from borderzone.io import read_layer, write_layers
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    corridor = build_corridor(
        read_layer(snakemake.input.border, "border").geometry.iloc[0],
        width_km=snakemake.params.width_km,
    )
    write_layers(
        snakemake.output.corridor, {"corridor": corridor}, metadata=snakemake.params.metadata
    )
