"""Rule compute_segment_metrics: the chunks put together, ranked, typology, regions."""

from borderzone.io import read_admin, read_countries, read_layer, read_parquet, write_layers
from borderzone.logs import rule_log
from borderzone.metrics import compute_segment_metrics

with rule_log(snakemake.log[0]):
    inp = snakemake.input
    metrics, clusters, regions, pairs = compute_segment_metrics(
        measures=[read_parquet(path) for path in inp.measures],
        cells=read_layer(inp.zones, "cells"),
        segments=read_layer(inp.border, "segments"),
        crossings=read_layer(inp.crossings, "crossings"),
        admin=read_admin(inp.admin, layer=snakemake.params.admin_layer),
        countries=read_countries(inp.countries, **snakemake.params.countries),
        population=inp.population[0] if inp.population else None,
        clusters=snakemake.params.clusters,
    )
    write_layers(
        snakemake.output.metrics, {"segment_metrics": metrics}, metadata=snakemake.params.metadata
    )
    clusters.to_csv(snakemake.output.clusters, index=False)
    regions.to_csv(snakemake.output.regions, index=False)
    pairs.to_csv(snakemake.output.region_pairs, index=False)
