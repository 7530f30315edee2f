"""Rule build_population: the countries' WorldPop rasters as one mosaic."""

from borderzone.layers import merge_rasters
from borderzone.logs import setup_logging

setup_logging(snakemake.log[0])
merge_rasters(list(snakemake.input.tifs), snakemake.output.tif)
