# What users open: a styled GeoPackage and a QGIS project per width, the report, the web map.


rule record_sources:
    message:
        "Recording the size, date and checksum of the {wildcards.pair} source files"
    input:
        countries=countries_file,
        population=population_raster,
        osm=osm_pbf_files,
    output:
        sources="results/{pair}/sources.json",
    log:
        "results/{pair}/logs/record_sources.log",
    benchmark:
        "results/{pair}/benchmarks/record_sources.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=30,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/record_sources.py"


rule write_deliverables:
    message:
        "Writing the {wildcards.pair} {wildcards.width} km GeoPackage and QGIS project"
    input:
        border="results/{pair}/border.gpkg",
        zones="results/{pair}/{width}km/zones.gpkg",
        network="results/{pair}/{width}km/network.gpkg",
        crossings="results/{pair}/crossings.gpkg",
        metrics="results/{pair}/{width}km/metrics.gpkg",
        sources="results/{pair}/sources.json",
        **{name: f"results/{{pair}}/rasters/{name}.tif" for name in RASTERS},
        **{f"{name}_qml": f"results/{{pair}}/rasters/{name}.qml" for name in RASTERS},
    output:
        gpkg="results/{pair}/{width}km/borderzone.gpkg",
        project="results/{pair}/{width}km/borderzone.qgz",
    log:
        "results/{pair}/logs/write_deliverables_{width}km.log",
    benchmark:
        "results/{pair}/benchmarks/write_deliverables_{width}km.tsv"
    params:
        rasters=RASTERS,
        synthetic=OSM["source"] == "synthetic",
        synthetic_population=config["population"]["source"] == "synthetic",
        config_sha256=pair_hash(WIDTH_KEYS),
        metadata=output_metadata(osm_source, WIDTH_KEYS),
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/write_deliverables.py"


rule write_article_tables:
    message:
        "Recomputing the article's tables for {wildcards.pair}"
    input:
        border="results/{pair}/border.gpkg",
        crossings="results/{pair}/crossings.gpkg",
        countries=countries_file,
        admin=admin_areas,
        roads="results/{pair}/osm/roads.parquet",
        rail="results/{pair}/osm/rail.parquet",
    output:
        regions="results/{pair}/article/regions.csv",
        transit="results/{pair}/article/transit.csv",
        checkpoints="results/{pair}/article/checkpoints.csv",
        generalisation="results/{pair}/article/generalisation.csv",
    log:
        "results/{pair}/logs/write_article_tables.log",
    benchmark:
        "results/{pair}/benchmarks/write_article_tables.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        corridor_km=CORRIDOR_KM,
        synthetic=OSM["source"] == "synthetic",
        countries=countries_params,
        admin_layer=config["admin"]["layer"],
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/write_article_tables.py"


# The article's population table, from the widest buffer's metrics: a rule of its own, so
# that the other tables are written while the cells are measured.
rule write_population_table:
    message:
        "Setting the {wildcards.pair} population beside the article's"
    input:
        regions=f"results/{{pair}}/{WIDEST}km/regions.csv",
    output:
        population="results/{pair}/article/population.csv",
    log:
        "results/{pair}/logs/write_population_table.log",
    benchmark:
        "results/{pair}/benchmarks/write_population_table.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
    priority: PRIORITY["write_population_table"]
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/write_population_table.py"


# The article's tables the report shows (borderzone.deliver.report.ARTICLE_SECTIONS), by
# stem: those of write_article_tables and write_population_table, and districts and
# rivers (metrics.smk).
REPORT_ARTICLE_TABLES = {
    stem: f"results/{{pair}}/article/{stem}.csv"
    for stem in (
        "regions",
        "transit",
        "checkpoints",
        "population",
        "generalisation",
        "districts",
        "rivers",
    )
}


rule write_report:
    message:
        "Writing the {wildcards.pair} report"
    input:
        border="results/{pair}/border.gpkg",
        crossings="results/{pair}/crossings.gpkg",
        summary="results/{pair}/crossings_summary.csv",
        metrics=f"results/{{pair}}/{WIDEST}km/metrics.gpkg",
        regions=f"results/{{pair}}/{WIDEST}km/regions.csv",
        **{f"article_{stem}": path for stem, path in REPORT_ARTICLE_TABLES.items()},
        countries=countries_file,
        admin=admin_areas,
        sources="results/{pair}/sources.json",
    output:
        report=report(
            "results/{pair}/report.html",
            caption="../report/report.rst",
            category="Report",
        ),
    log:
        "results/{pair}/logs/write_report.log",
    benchmark:
        "results/{pair}/benchmarks/write_report.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        synthetic=OSM["source"] == "synthetic",
        synthetic_population=config["population"]["source"] == "synthetic",
        config_sha256=pair_hash(WIDTH_KEYS),
        article_tables=list(REPORT_ARTICLE_TABLES),
        countries=countries_params,
        admin_layer=config["admin"]["layer"],
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/write_report.py"


rule write_webmap:
    message:
        "Writing the {wildcards.pair} web map"
    input:
        border="results/{pair}/border.gpkg",
        crossings="results/{pair}/crossings.gpkg",
        metrics=f"results/{{pair}}/{WIDEST}km/metrics.gpkg",
        zones=expand("results/{{pair}}/{width}km/zones.gpkg", width=WIDTHS),
        countries=countries_file,
        admin=admin_areas,
        places="results/{pair}/osm/places.parquet",
    output:
        webmap="results/{pair}/webmap.html",
    log:
        "results/{pair}/logs/write_webmap.log",
    benchmark:
        "results/{pair}/benchmarks/write_webmap.tsv"
    params:
        widths=WIDTHS,
        synthetic=OSM["source"] == "synthetic",
        countries=countries_params,
        admin_layer=config["admin"]["layer"],
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/write_webmap.py"
