"""Rule compute_border_districts: the districts on the border beside the article's list."""

from borderzone.io import read_admin, read_countries, read_layer
from borderzone.logs import rule_log
from borderzone.metrics import compute_border_districts

with rule_log(snakemake.log[0]):
    table = compute_border_districts(
        border=read_layer(snakemake.input.border, "border"),
        admin=read_admin(snakemake.input.admin),
        countries=read_countries(snakemake.input.countries, **snakemake.params.countries),
        pair=tuple(snakemake.params.pair),
    )
    table.to_csv(snakemake.output.districts, index=False)
