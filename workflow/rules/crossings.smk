# Where roads and railways cross the border, classified, with summary tables.


rule find_crossings:
    message:
        "Finding the road and rail crossings of the {wildcards.pair} border"
    input:
        border="results/{pair}/border.gpkg",
        countries=countries_file,
        **{name: f"results/{{pair}}/osm/{name}.parquet" for name in ("roads", "rail", "checkpoints")},
        admin=admin_areas,
    output:
        crossings="results/{pair}/crossings.gpkg",
        summary="results/{pair}/crossings_summary.csv",
        by_region="results/{pair}/crossings_by_region.csv",
    log:
        "results/{pair}/logs/find_crossings.log",
    benchmark:
        "results/{pair}/benchmarks/find_crossings.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        countries=countries_params,
        merge_within_m=config["crossings"]["merge_within_m"],
        checkpoint_within_m=config["crossings"]["checkpoint_within_m"],
        continuity_km=config["crossings"]["continuity_km"],
        transit_min_km=config["crossings"]["transit_min_km"],
        admin_layer=config["admin"]["layer"],
        metadata=output_metadata(osm_source, [*BORDER_KEYS, "osm", "crossings", "admin"]),
    priority: PRIORITY["find_crossings"]
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/find_crossings.py"
