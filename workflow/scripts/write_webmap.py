"""Rule write_webmap: the pair's web map (offline, with a base map when online)."""

import pyogrio

from borderzone.deliver import write_webmap
from borderzone.io import read_admin, read_countries, read_layer, read_parquet
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    inp, params = snakemake.input, snakemake.params
    write_webmap(
        snakemake.output.webmap,
        border_layers={n: read_layer(inp.border, n) for n, _ in pyogrio.list_layers(inp.border)},
        crossings=read_layer(inp.crossings, "crossings"),
        buffers={
            float(w): read_layer(path, "buffer")
            for w, path in zip(params.widths, inp.zones, strict=True)
        },
        metrics=read_layer(inp.metrics, "segment_metrics"),
        synthetic=params.synthetic,
        countries=read_countries(inp.countries, **params.countries),
        admin=read_admin(inp.admin, layer=params.admin_layer),
        places=read_parquet(inp.places),
    )
