# The border, its segments, and the buffers with their per-segment cells.


rule build_border:
    message:
        "Building the {wildcards.pair} border and its segments"
    input:
        countries=countries_file,
    output:
        border="results/{pair}/border.gpkg",
    log:
        "results/{pair}/logs/build_border.log",
    benchmark:
        "results/{pair}/benchmarks/build_border.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        countries=countries_params,
        snap_m=lambda wildcards: pair_config(wildcards)["border"]["snap_m"],
        max_gap_km=lambda wildcards: pair_config(wildcards)["border"]["max_gap_km"],
        min_part_km=lambda wildcards: pair_config(wildcards)["border"]["min_part_km"],
        reverse_chainage=lambda wildcards: pair_config(wildcards)["border"]["reverse"],
        segment_km=config["segment_km"],
        official_length_km=lambda wildcards: pair_config(wildcards)["official_length_km"],
        metadata=output_metadata(countries_file, BORDER_KEYS),
    threads: 1
    conda:
        "../envs/borderzone.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/build_border.py"


rule build_zones:
    message:
        "Building the {wildcards.width} km buffers and cells of the {wildcards.pair} border"
    input:
        border="results/{pair}/border.gpkg",
        countries=countries_file,
    output:
        zones="results/{pair}/{width}km/zones.gpkg",
    log:
        "results/{pair}/logs/build_zones_{width}km.log",
    benchmark:
        "results/{pair}/benchmarks/build_zones_{width}km.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        width_km=lambda wildcards: float(wildcards.width),
        countries=countries_params,
        metadata=output_metadata(countries_file, BORDER_KEYS),
    priority: PRIORITY["build_zones"]
    threads: 1
    conda:
        "../envs/borderzone.yaml"
    resources:
        mem_mb=4000,
        runtime=10,
    script:
        "../scripts/build_zones.py"


rule build_corridor:
    message:
        "Building the {wildcards.pair} OSM corridor ({params.width_km} km on each side)"
    input:
        border="results/{pair}/border.gpkg",
        countries=countries_file,
    output:
        corridor="results/{pair}/osm/corridor.gpkg",
    log:
        "results/{pair}/logs/build_corridor.log",
    benchmark:
        "results/{pair}/benchmarks/build_corridor.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        countries=countries_params,
        width_km=CORRIDOR_KM,
        metadata=output_metadata(countries_file, BORDER_KEYS),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/build_corridor.py"
