"""Rule retrieve_geofabrik: download one Geofabrik extract, verified, resumable."""

from pathlib import Path

from borderzone.logs import rule_log
from borderzone.osm import retrieve_geofabrik

with rule_log(snakemake.log[0]):
    retrieve_geofabrik(
        snakemake.params.region,
        base_url=snakemake.params.base_url,
        dest_dir=Path(snakemake.output.pbf).parent,
    )
