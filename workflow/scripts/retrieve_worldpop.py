"""Rule retrieve_worldpop: one country's WorldPop raster, downloaded once."""

from borderzone.logs import rule_log
from borderzone.metrics import retrieve_worldpop

with rule_log(snakemake.log[0]):
    retrieve_worldpop(snakemake.params.url, dest=snakemake.output.tif)
