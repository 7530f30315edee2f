"""Rule write_webmap: the pair's offline web map."""

from borderzone.deliver import write_webmap
from borderzone.io import read_layer
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    inp = snakemake.input
    write_webmap(
        snakemake.output.webmap,
        border_layers={n: read_layer(inp.border, n) for n in ("border", "segments")},
        crossings=read_layer(inp.crossings, "crossings"),
        buffers={
            float(w): read_layer(path, "buffer")
            for w, path in zip(snakemake.params.widths, inp.zones, strict=True)
        },
        metrics=read_layer(inp.metrics, "segment_metrics"),
        synthetic=snakemake.params.synthetic,
    )
