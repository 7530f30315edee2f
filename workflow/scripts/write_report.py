"""Rule write_report: the pair's self-contained HTML report."""

import pandas as pd
import pyogrio

from borderzone.deliver import read_source_records, run_record, write_report
from borderzone.io import read_admin, read_countries, read_layer
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    inp = snakemake.input
    write_report(
        snakemake.output.report,
        border_layers={n: read_layer(inp.border, n) for n, _ in pyogrio.list_layers(inp.border)},
        crossings=read_layer(inp.crossings, "crossings"),
        summary=pd.read_csv(inp.summary),
        metrics=read_layer(inp.metrics, "segment_metrics"),
        regions=pd.read_csv(inp.regions),
        pair=snakemake.params.pair,
        article={
            stem: pd.read_csv(inp[f"article_{stem}"]) for stem in snakemake.params.article_tables
        },
        countries=read_countries(inp.countries, **snakemake.params.countries),
        admin=read_admin(inp.admin, layer=snakemake.params.admin_layer),
        run_record=run_record(
            **read_source_records(inp.sources),
            config_sha256=snakemake.params.config_sha256,
            synthetic=snakemake.params.synthetic,
            synthetic_population=snakemake.params.synthetic_population,
        ),
    )
