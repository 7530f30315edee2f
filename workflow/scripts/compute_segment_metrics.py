"""Rule compute_segment_metrics: measures per cell, typology, whole-region population."""

from borderzone.io import read_admin, read_countries, read_layer, read_parquet, write_layers
from borderzone.logs import rule_log
from borderzone.metrics import compute_segment_metrics
from borderzone.metrics.towns import read_town_times

with rule_log(snakemake.log[0]):
    inp = snakemake.input
    metrics, clusters, regions, pairs = compute_segment_metrics(
        cells=read_layer(inp.zones, "cells"),
        segments=read_layer(inp.border, "segments"),
        crossings=read_layer(inp.crossings, "crossings"),
        network={name: read_layer(inp.network, name) for name in ("roads", "rail", "places")},
        corridor={
            "places": read_parquet(inp.places),
            "admin": read_admin(inp.admin, layer=snakemake.params.admin_layer),
        },
        town_times=read_town_times(inp.town_times),
        countries=read_countries(inp.countries, **snakemake.params.countries),
        population=inp.population[0] if inp.population else None,
        speeds_kmh=snakemake.params.speeds_kmh,
        access_kmh=snakemake.params.access_kmh,
        road_buffer_km=snakemake.params.road_buffer_km,
        town_min_population=snakemake.params.town_min_population,
        rural_below=snakemake.params.rural_below,
        clusters=snakemake.params.clusters,
        rail_exclude=snakemake.params.rail_exclude,
    )
    write_layers(
        snakemake.output.metrics, {"segment_metrics": metrics}, metadata=snakemake.params.metadata
    )
    clusters.to_csv(snakemake.output.clusters, index=False)
    regions.to_csv(snakemake.output.regions, index=False)
    pairs.to_csv(snakemake.output.region_pairs, index=False)
