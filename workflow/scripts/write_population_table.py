"""Rule write_population_table: the article's population table, from a width's regions."""

import pandas as pd

from borderzone.deliver import write_population_table
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    write_population_table(
        snakemake.output.population,
        pd.read_csv(snakemake.input.regions),
        pair=snakemake.params.pair,
    )
