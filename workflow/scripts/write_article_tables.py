"""Rule write_article_tables: the article's tables that need no buffer, one CSV each."""

from borderzone.deliver import TRANSIT_LINE_COLUMNS, transit_line_rows, write_article_tables
from borderzone.io import read_admin, read_countries, read_layer, read_parquet
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    inp, params = snakemake.input, snakemake.params
    crossings = read_layer(inp.crossings, "crossings")
    rows = transit_line_rows(crossings)  # the ways of the transit routes only
    write_article_tables(
        dict(snakemake.output.items()),
        border_layers={n: read_layer(inp.border, n) for n in ("border", "segments")},
        crossings=crossings,
        countries=read_countries(inp.countries, **params.countries),
        admin=read_admin(inp.admin, layer=params.admin_layer),
        lines={
            name: read_parquet(inp[name], columns=TRANSIT_LINE_COLUMNS, any_in=rows)
            for name in ("roads", "rail")
        },
        pair=params.pair,
        corridor_km=params.corridor_km,
        synthetic=params.synthetic,
    )
