"""Rule build_population: the countries' WorldPop rasters as one mosaic."""

from borderzone.logs import setup_logging
from borderzone.metrics import build_population

setup_logging(snakemake.log[0])
build_population(list(snakemake.input.tifs), snakemake.output.tif)
