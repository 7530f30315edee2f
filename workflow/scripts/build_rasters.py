"""Rule build_rasters: distance to road, travel time to crossing, population density."""

from borderzone.io import iter_parquet, read_layer, read_parquet
from borderzone.logs import rule_log
from borderzone.metrics import build_rasters
from borderzone.metrics.travel import SPEED_TAGS

with rule_log(snakemake.log[0]):
    inp = snakemake.input
    build_rasters(
        snakemake.params.out_dir,
        buffer=read_layer(inp.corridor, "buffer"),
        border=read_layer(inp.border, "border"),
        roads=iter_parquet(inp.roads, columns=SPEED_TAGS),
        crossings=read_layer(inp.crossings, "crossings"),
        population=inp.population[0] if inp.population else None,
        places=read_parquet(inp.places),
        resolution_m=snakemake.params.resolution_m,
        speeds_kmh=snakemake.params.speeds_kmh,
        access_kmh=snakemake.params.access_kmh,
        tags=snakemake.params.metadata,
    )
