"""Rule build_countries_from_osm: land outlines of the pair from admin_level=2 relations."""

from borderzone.io import write_layers
from borderzone.logs import rule_log
from borderzone.osm import build_countries_from_osm

with rule_log(snakemake.log[0]):
    countries = build_countries_from_osm(list(snakemake.input.pbf), iso3=snakemake.params.pair)
    write_layers(
        snakemake.output.countries, {"countries": countries}, metadata=snakemake.params.metadata
    )
