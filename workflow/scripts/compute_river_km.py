"""Rule compute_river_km: km of the border that follow a river, per pair of regions."""

from borderzone.io import read_admin, read_countries, read_layer, read_parquet
from borderzone.logs import rule_log
from borderzone.metrics import compute_river_km

with rule_log(snakemake.log[0]):
    table = compute_river_km(
        border=read_layer(snakemake.input.border, "border"),
        waterways=read_parquet(snakemake.input.waterways),
        admin=read_admin(snakemake.input.admin, layer=snakemake.params.admin_layer),
        countries=read_countries(snakemake.input.countries, **snakemake.params.countries),
        pair=tuple(snakemake.params.pair),
    )
    table.to_csv(snakemake.output.rivers, index=False)
