# Per-segment measures, the segment typology, whole-region population, and rasters.


rule retrieve_worldpop:
    message:
        "Downloading the WorldPop raster of {wildcards.iso3}"
    output:
        tif=protected("data/worldpop/{iso3}.tif"),
    log:
        "data/worldpop/logs/retrieve_worldpop_{iso3}.log",
    params:
        url=lambda wildcards: config["population"]["worldpop_url"].format(
            ISO3=wildcards.iso3, iso3=wildcards.iso3.lower()
        ),
    wildcard_constraints:
        iso3=r"[A-Z]{3}",
    threads: 1
    resources:
        mem_mb=500,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/retrieve_worldpop.py"


rule build_population:
    message:
        "Merging the WorldPop rasters of {wildcards.pair}"
    input:
        tifs=lambda wildcards: [f"data/worldpop/{c}.tif" for c in wildcards.pair.split("-")],
    output:
        tif="results/{pair}/population/worldpop.tif",
    log:
        "results/{pair}/logs/build_population.log",
    threads: 1
    resources:
        mem_mb=4000,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/build_population.py"


rule build_node_times:
    message:
        "Timing every road node of the {wildcards.pair} corridor to the nearest road crossing and town"
    input:
        roads="results/{pair}/osm/roads.parquet",
        places="results/{pair}/osm/places.parquet",
        countries=countries_file,
        crossings="results/{pair}/crossings.gpkg",
    output:
        times="results/{pair}/node_times.parquet",
    log:
        "results/{pair}/logs/build_node_times.log",
    benchmark:
        "results/{pair}/benchmarks/build_node_times.tsv"
    params:
        countries=countries_params,
        speeds_kmh=config["layers"]["speeds_kmh"],
        access_kmh=config["layers"]["access_kmh"],
        town_min_population=config["population"]["town_min_population"],
    priority: PRIORITY["build_node_times"]
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/build_node_times.py"


rule measure_cells:
    message:
        "Measuring chunk {wildcards.chunk} of the {wildcards.pair} {wildcards.width} km cells"
    input:
        border="results/{pair}/border.gpkg",
        zones="results/{pair}/{width}km/zones.gpkg",
        network="results/{pair}/{width}km/network.gpkg",
        crossings="results/{pair}/crossings.gpkg",
        countries=countries_file,
        population=population_raster,
        node_times="results/{pair}/node_times.parquet",
        places="results/{pair}/osm/places.parquet",
    output:
        measures=temp("results/{pair}/{width}km/chunks/measures_{chunk}.parquet"),
    log:
        "results/{pair}/logs/measure_cells_{width}km_{chunk}.log",
    benchmark:
        "results/{pair}/benchmarks/measure_cells_{width}km_{chunk}.tsv"
    params:
        countries=countries_params,
        chunks=CHUNKS,
        halo_km=config["chunks"]["halo_km"],
        speeds_kmh=config["layers"]["speeds_kmh"],
        access_kmh=config["layers"]["access_kmh"],
        road_buffer_km=config["layers"]["road_buffer_km"],
        town_min_population=config["population"]["town_min_population"],
        rural_below=config["population"]["rural_below"],
        rail_exclude=config["osm"]["rail_exclude"],
    wildcard_constraints:
        chunk=r"\d+",
    priority: PRIORITY["measure_cells"]
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/measure_cells.py"


rule compute_segment_metrics:
    message:
        "Ranking the {wildcards.pair} {wildcards.width} km cells, their typology and regions"
    input:
        measures=expand(
            "results/{{pair}}/{{width}}km/chunks/measures_{chunk}.parquet", chunk=range(CHUNKS)
        ),
        border="results/{pair}/border.gpkg",
        zones="results/{pair}/{width}km/zones.gpkg",
        crossings="results/{pair}/crossings.gpkg",
        countries=countries_file,
        population=population_raster,
        admin=admin_areas,
    output:
        metrics="results/{pair}/{width}km/metrics.gpkg",
        clusters="results/{pair}/{width}km/clusters.csv",
        regions="results/{pair}/{width}km/regions.csv",
        region_pairs="results/{pair}/{width}km/region_pairs.csv",
    log:
        "results/{pair}/logs/compute_segment_metrics_{width}km.log",
    benchmark:
        "results/{pair}/benchmarks/compute_segment_metrics_{width}km.tsv"
    params:
        countries=countries_params,
        clusters=config["layers"]["clusters"],
        admin_layer=config["admin"]["layer"],
        metadata=output_metadata(
            osm_source, [*BORDER_KEYS, "osm", "crossings", "population", "layers", "admin"]
        ),
    priority: PRIORITY["compute_segment_metrics"]
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/compute_segment_metrics.py"


rule build_rasters:
    message:
        "Building the {wildcards.pair} rasters over the corridor"
    input:
        border="results/{pair}/border.gpkg",
        corridor="results/{pair}/osm/corridor.gpkg",
        crossings="results/{pair}/crossings.gpkg",
        population=population_raster,
        roads="results/{pair}/osm/roads.parquet",
        places="results/{pair}/osm/places.parquet",
    output:
        **{name: f"results/{{pair}}/rasters/{name}.tif" for name in RASTERS},
        **{f"{name}_qml": f"results/{{pair}}/rasters/{name}.qml" for name in RASTERS},
    log:
        "results/{pair}/logs/build_rasters.log",
    benchmark:
        "results/{pair}/benchmarks/build_rasters.tsv"
    params:
        out_dir=lambda wildcards: f"results/{wildcards.pair}/rasters",
        resolution_m=config["layers"]["resolution_m"],
        speeds_kmh=config["layers"]["speeds_kmh"],
        access_kmh=config["layers"]["access_kmh"],
        metadata=output_metadata(osm_source, [*BORDER_KEYS, "osm", "population", "layers"]),
    threads: 1
    resources:
        mem_mb=2500,
        runtime=60,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/build_rasters.py"


rule compute_border_districts:
    message:
        "Listing the {wildcards.pair} districts on the border beside the article's list"
    input:
        border="results/{pair}/border.gpkg",
        admin="results/{pair}/osm/admin.parquet",
        countries=countries_file,
    output:
        districts="results/{pair}/article/districts.csv",
    log:
        "results/{pair}/logs/compute_border_districts.log",
    benchmark:
        "results/{pair}/benchmarks/compute_border_districts.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        countries=countries_params,
    threads: 1
    resources:
        mem_mb=2000,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/compute_border_districts.py"


rule compute_river_km:
    message:
        "Measuring the {wildcards.pair} border that follows a river"
    input:
        border="results/{pair}/border.gpkg",
        waterways="results/{pair}/osm/waterways.parquet",
        admin=admin_areas,
        countries=countries_file,
    output:
        rivers="results/{pair}/article/rivers.csv",
    log:
        "results/{pair}/logs/compute_river_km.log",
    benchmark:
        "results/{pair}/benchmarks/compute_river_km.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        countries=countries_params,
        admin_layer=config["admin"]["layer"],
    threads: 1
    resources:
        mem_mb=2000,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/compute_river_km.py"
