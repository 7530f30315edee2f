"""Rule build_border: the shared border in parts, its gaps and breaks, and its segments."""

from borderzone.border import build_border
from borderzone.io import read_countries, write_layers
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    countries = read_countries(snakemake.input.countries, **snakemake.params.countries)
    layers = build_border(
        countries,
        pair=snakemake.params.pair,
        snap_m=snakemake.params.snap_m,
        max_gap_km=snakemake.params.max_gap_km,
        min_part_km=snakemake.params.min_part_km,
        reverse=snakemake.params.reverse_chainage,
        segment_km=snakemake.params.segment_km,
        official_length_km=snakemake.params.official_length_km,
    )
    write_layers(snakemake.output.border, layers, metadata=snakemake.params.metadata)
