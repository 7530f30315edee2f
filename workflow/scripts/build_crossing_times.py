"""Rule build_crossing_times: minutes to a road crossing from every road node of a buffer."""

from borderzone.io import read_layer, replacing
from borderzone.logs import rule_log
from borderzone.metrics import build_crossing_times

with rule_log(snakemake.log[0]):
    network = snakemake.input.network
    times = build_crossing_times(
        roads=lambda side: read_layer(network, "roads", where=f"side = '{side}'"),
        sides=snakemake.params.sides,
        crossings=read_layer(snakemake.input.crossings, "crossings"),
        speeds_kmh=snakemake.params.speeds_kmh,
        access_kmh=snakemake.params.access_kmh,
    )
    with replacing(snakemake.output.times) as tmp:
        times.to_parquet(tmp, index=False)
