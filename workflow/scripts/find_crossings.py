"""Rule find_crossings: road and rail crossings of the border, classified and summarised."""

from borderzone.crossings import find_crossings
from borderzone.io import read_admin, read_countries, read_layer, read_parquet, write_layers
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    crossings, summary, by_region = find_crossings(
        {
            name: read_layer(snakemake.input.border, name)
            for name in ("border", "border_gaps", "segments")
        },
        read_countries(snakemake.input.countries, **snakemake.params.countries),
        {
            **{n: read_parquet(snakemake.input[n]) for n in ("roads", "rail", "checkpoints")},
            "admin": read_admin(snakemake.input.admin, layer=snakemake.params.admin_layer),
        },
        pair=snakemake.params.pair,
        merge_within_m=snakemake.params.merge_within_m,
        checkpoint_within_m=snakemake.params.checkpoint_within_m,
        continuity_km=snakemake.params.continuity_km,
        transit_min_km=snakemake.params.transit_min_km,
    )
    write_layers(
        snakemake.output.crossings, {"crossings": crossings}, metadata=snakemake.params.metadata
    )
    summary.to_csv(snakemake.output.summary, index=False)
    by_region.to_csv(snakemake.output.by_region, index=False)
