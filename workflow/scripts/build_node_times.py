"""Rule build_node_times: minutes to a road crossing and to a town from every road node."""

from borderzone.io import iter_parquet, read_countries, read_layer, read_parquet
from borderzone.logs import rule_log
from borderzone.metrics import build_node_times
from borderzone.metrics.node_times import write_node_times
from borderzone.metrics.travel import SPEED_TAGS

with rule_log(snakemake.log[0]):
    times = build_node_times(
        roads=iter_parquet(snakemake.input.roads, columns=SPEED_TAGS),
        places=read_parquet(snakemake.input.places),
        countries=read_countries(snakemake.input.countries, **snakemake.params.countries),
        crossings=read_layer(snakemake.input.crossings, "crossings"),
        speeds_kmh=snakemake.params.speeds_kmh,
        access_kmh=snakemake.params.access_kmh,
        town_min_population=snakemake.params.town_min_population,
    )
    write_node_times(times, snakemake.output.times)
