"""Rule retrieve_geofabrik: download one Geofabrik extract, verified, resumable."""

from pathlib import Path

from borderzone.download import fetch_geofabrik
from borderzone.logs import setup_logging

setup_logging(snakemake.log[0])
fetch_geofabrik(
    snakemake.params.region,
    base_url=snakemake.params.base_url,
    dest_dir=Path(snakemake.output.pbf).parent,
)
