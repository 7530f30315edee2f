"""Rule write_deliverables: one width's styled GeoPackage and QGIS project."""

import pyogrio

from borderzone.deliver import read_source_records, run_record, write_deliverables
from borderzone.io import read_arrow_layer, read_layer
from borderzone.logs import rule_log

with rule_log(snakemake.log[0]):
    inp = snakemake.input
    write_deliverables(
        snakemake.output.gpkg,
        snakemake.output.project,
        border_layers={n: read_layer(inp.border, n) for n in ("border", "border_gaps", "segments")},
        zones={n: read_layer(inp.zones, n) for n in ("buffer", "cells")},
        # written again as read: its geometries never decoded
        network={n: read_arrow_layer(inp.network, n) for n, _ in pyogrio.list_layers(inp.network)},
        crossings=read_layer(inp.crossings, "crossings"),
        metrics=read_layer(inp.metrics, "segment_metrics"),
        rasters={name: inp[name] for name in snakemake.params.rasters},
        metadata=snakemake.params.metadata,
        run_record=run_record(
            **read_source_records(inp.sources),
            config_sha256=snakemake.params.config_sha256,
            synthetic=snakemake.params.synthetic,
            synthetic_population=snakemake.params.synthetic_population,
        ),
    )
