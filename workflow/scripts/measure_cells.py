"""Rule measure_cells: the measures of the cells of one chunk of the border."""

from borderzone.io import read_countries, read_layer, read_parquet, write_parquet
from borderzone.logs import rule_log
from borderzone.metrics import measure_cells
from borderzone.metrics.node_times import node_times_bounds, read_node_times

with rule_log(snakemake.log[0]):
    inp, params = snakemake.input, snakemake.params
    measures = measure_cells(
        cells=read_layer(inp.zones, "cells"),
        segments=read_layer(inp.border, "segments"),
        crossings=read_layer(inp.crossings, "crossings"),
        read_network=lambda box: {
            name: read_layer(inp.network, name, bbox=box) for name in ("roads", "rail", "places")
        },
        node_times=(
            lambda box: read_node_times(inp.node_times, bbox=box),
            node_times_bounds(inp.node_times),
        ),
        places=read_parquet(inp.places),
        countries=read_countries(inp.countries, **params.countries),
        population=inp.population[0] if inp.population else None,
        chunk=int(snakemake.wildcards.chunk),
        chunks=params.chunks,
        halo_km=params.halo_km,
        speeds_kmh=params.speeds_kmh,
        access_kmh=params.access_kmh,
        road_buffer_km=params.road_buffer_km,
        town_min_population=params.town_min_population,
        rural_below=params.rural_below,
        rail_exclude=params.rail_exclude,
    )
    write_parquet(measures, snakemake.output.measures)
