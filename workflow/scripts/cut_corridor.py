"""Rule cut_corridor: the PBF files cut to the corridor and the tags wanted, by osmium-tool."""

from borderzone.io import read_layer
from borderzone.logs import rule_log
from borderzone.osm import cut_corridor

with rule_log(snakemake.log[0]):
    cut_corridor(
        list(snakemake.input.pbf),
        snakemake.output.cut,
        corridor=read_layer(snakemake.input.corridor, "corridor").geometry.union_all(),
        include_paths=snakemake.params.include_paths,
        rail_exclude=snakemake.params.rail_exclude,
        threads=snakemake.threads,
    )
