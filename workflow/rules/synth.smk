# The demo: a SYNTHETIC world (OSM extract, population raster, truth) along the real border.


rule build_synthetic_world:
    message:
        "Generating the SYNTHETIC {wildcards.pair} world (roads and railways are not real)"
    input:
        countries=countries_file,
        border="results/{pair}/border.gpkg",
        corridor="results/{pair}/osm/corridor.gpkg",
    output:
        pbf="results/{pair}/synthetic/world.osm.pbf",
        countries="results/{pair}/synthetic/countries.gpkg",
        truth="results/{pair}/synthetic/truth.gpkg",
        population="results/{pair}/synthetic/population.tif",
    log:
        "results/{pair}/logs/build_synthetic_world.log",
    benchmark:
        "results/{pair}/benchmarks/build_synthetic_world.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        out_dir=lambda wildcards: f"results/{wildcards.pair}/synthetic",
        countries=countries_params,
        n_ways=config["osm"]["synthetic"]["n_ways"],
        seed=config["osm"]["synthetic"]["seed"],
    threads: 1
    resources:
        mem_mb=4000,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/build_synthetic_world.py"
