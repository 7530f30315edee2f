"""Rule retrieve_worldpop: one country's WorldPop raster, downloaded once."""

from pathlib import Path

from borderzone.download import fetch_url
from borderzone.logs import setup_logging

setup_logging(snakemake.log[0])
fetch_url(snakemake.params.url, dest=Path(snakemake.output.tif))
