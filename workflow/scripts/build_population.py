"""Rule build_population: the countries' WorldPop rasters as one mosaic."""

from borderzone.logs import rule_log
from borderzone.metrics import build_population

with rule_log(snakemake.log[0]):
    build_population(list(snakemake.input.tifs), snakemake.output.tif)
