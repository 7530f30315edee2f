"""Rule build_synthetic_world: synthetic roads and railways along the real border."""

from borderzone.io import read_countries, read_layer
from borderzone.logs import rule_log
from borderzone.synth import build_synthetic_world

with rule_log(snakemake.log[0]):
    build_synthetic_world(
        snakemake.params.out_dir,
        countries=read_countries(snakemake.input.countries, **snakemake.params.countries),
        corridor=read_layer(snakemake.input.corridor, "corridor"),
        border={n: read_layer(snakemake.input.border, n) for n in ("border", "border_gaps")},
        pair=snakemake.params.pair,
        n_ways=snakemake.params.n_ways,
        seed=snakemake.params.seed,
    )
