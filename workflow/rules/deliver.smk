# What users open: a styled GeoPackage and a QGIS project per width, the report, the web map.


rule write_deliverables:
    message:
        "Writing the {wildcards.pair} {wildcards.width} km GeoPackage and QGIS project"
    input:
        border="results/{pair}/border.gpkg",
        zones="results/{pair}/{width}km/zones.gpkg",
        network="results/{pair}/{width}km/network.gpkg",
        crossings="results/{pair}/crossings.gpkg",
        metrics="results/{pair}/{width}km/metrics.gpkg",
        countries=countries_file,
        population=population_raster,
        osm=osm_pbf_files,
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
        config_sha256=config_hash({key: config[key] for key in WIDTH_KEYS}),
        metadata=output_metadata(OSM_SOURCE, WIDTH_KEYS),
    threads: 1
    resources:
        mem_mb=4000,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/write_deliverables.py"


rule write_report:
    message:
        "Writing the {wildcards.pair} report"
    input:
        border="results/{pair}/border.gpkg",
        crossings="results/{pair}/crossings.gpkg",
        summary="results/{pair}/crossings_summary.csv",
        metrics=f"results/{{pair}}/{WIDEST}km/metrics.gpkg",
        regions=f"results/{{pair}}/{WIDEST}km/regions.csv",
        countries=countries_file,
        population=population_raster,
        osm=osm_pbf_files,
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
        config_sha256=config_hash(config),
    threads: 1
    resources:
        mem_mb=2000,
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
        metrics=f"results/{{pair}}/{NARROWEST}km/metrics.gpkg",
        zones=expand("results/{{pair}}/{width}km/zones.gpkg", width=WIDTHS),
    output:
        webmap="results/{pair}/webmap.html",
    log:
        "results/{pair}/logs/write_webmap.log",
    benchmark:
        "results/{pair}/benchmarks/write_webmap.tsv"
    params:
        widths=WIDTHS,
        synthetic=OSM["source"] == "synthetic",
    threads: 1
    resources:
        mem_mb=2000,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/write_webmap.py"
