"""Rule record_sources: size, date and SHA-256 of the pair's source files, once."""

from borderzone.deliver import record_sources
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    inp = snakemake.input
    record_sources(
        [
            ("countries", inp.countries),
            *(("osm", p) for p in inp.osm),
            *(("population", p) for p in inp.population),
        ],
        snakemake.output.sources,
    )
