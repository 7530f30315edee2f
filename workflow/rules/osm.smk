# OpenStreetMap for the corridor: local PBF files, Geofabrik extracts or Overpass (the
# demo's synthetic world is in synth.smk); then the layers cut down to each buffer.


rule build_countries_from_osm:
    message:
        "Building the {wildcards.pair} country outlines from OSM admin_level=2 relations"
    input:
        pbf=osm_pbf_files,
    output:
        countries="results/{pair}/osm/countries.gpkg",
    log:
        "results/{pair}/logs/build_countries_from_osm.log",
    benchmark:
        "results/{pair}/benchmarks/build_countries_from_osm.tsv"
    params:
        pair=lambda wildcards: wildcards.pair.split("-"),
        metadata=output_metadata(osm_source, ["pair", "osm"]),
    threads: 2
    resources:
        mem_mb=4000,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/build_countries_from_osm.py"


rule retrieve_geofabrik:
    message:
        "Downloading the Geofabrik extract {wildcards.region}"
    output:
        pbf=protected("data/osm/{region}-latest.osm.pbf"),
    log:
        "data/osm/logs/retrieve_geofabrik_{region}.log",
    params:
        region=lambda wildcards: GEOFABRIK_REGIONS[wildcards.region],
        base_url=config["osm"]["geofabrik"]["base_url"],
    wildcard_constraints:
        region=r"[a-z0-9-]+",
    threads: 1
    resources:
        mem_mb=500,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/retrieve_geofabrik.py"


if config["osm"]["source"] == "overpass":

    checkpoint build_overpass_chunks:
        message:
            "Cutting the {wildcards.pair} corridor into Overpass chunks"
        input:
            border="results/{pair}/border.gpkg",
        output:
            chunks="results/{pair}/osm/overpass/chunks.gpkg",
        log:
            "results/{pair}/logs/build_overpass_chunks.log",
        params:
            width_km=CORRIDOR_KM,
            chunk_km=config["osm"]["overpass"]["chunk_km"],
        threads: 1
        resources:
            mem_mb=1000,
        conda:
            "../envs/borderzone.yaml"
        script:
            "../scripts/build_overpass_chunks.py"

    rule retrieve_overpass_chunk:
        message:
            "Querying Overpass for chunk {wildcards.chunk} of the {wildcards.pair} corridor"
        input:
            chunks="results/{pair}/osm/overpass/chunks.gpkg",
        output:
            layers="results/{pair}/osm/overpass/chunk_{chunk}.gpkg",
        log:
            "results/{pair}/logs/retrieve_overpass_chunk_{chunk}.log",
        params:
            chunk=lambda wildcards: int(wildcards.chunk),
            url=config["osm"]["overpass"]["url"],
            timeout_s=config["osm"]["overpass"]["timeout_s"],
            cache_dir="data/overpass-cache",
        wildcard_constraints:
            chunk=r"\d+",
        threads: 1
        resources:
            mem_mb=2000,
            overpass=1,
        conda:
            "../envs/borderzone.yaml"
        script:
            "../scripts/retrieve_overpass_chunk.py"

    rule collect_overpass:
        message:
            "Merging the Overpass chunks of the {wildcards.pair} corridor"
        input:
            chunks=overpass_chunk_files,
        output:
            **{name: f"results/{{pair}}/osm/{name}.parquet" for name in OSM_LAYERS},
        log:
            "results/{pair}/logs/collect_overpass.log",
        params:
            source=osm_source,
        threads: 1
        resources:
            mem_mb=4000,
        conda:
            "../envs/borderzone.yaml"
        script:
            "../scripts/collect_overpass.py"

else:

    # With osmium-tool, its cut of the PBF files (both cores) is a job of its own, so that
    # the other core runs jobs needing no OSM layer while extract_corridor reads the cut.
    rule cut_corridor:
        message:
            "Cutting {input.pbf} to the {wildcards.pair} corridor with osmium-tool"
        input:
            pbf=osm_pbf_files,
            corridor="results/{pair}/osm/corridor.gpkg",
        output:
            cut=temp("results/{pair}/osm/corridor.osm.pbf"),
        log:
            "results/{pair}/logs/cut_corridor.log",
        benchmark:
            "results/{pair}/benchmarks/cut_corridor.tsv"
        params:
            include_paths=config["osm"]["include_paths"],
            rail_exclude=config["osm"]["rail_exclude"],
        priority: PRIORITY["extract_corridor"]
        threads: 2
        resources:
            mem_mb=1000,
            runtime=120,
        conda:
            "../envs/borderzone.yaml"
        script:
            "../scripts/cut_corridor.py"

    rule extract_corridor:
        message:
            "Extracting the {wildcards.pair} corridor layers from {input.pbf}"
        input:
            pbf=osm_pbf_files,
            corridor="results/{pair}/osm/corridor.gpkg",
            cut=lambda wildcards: (
                f"results/{wildcards.pair}/osm/corridor.osm.pbf" if OSMIUM_TOOL else []
            ),
        output:
            **{name: f"results/{{pair}}/osm/{name}.parquet" for name in OSM_LAYERS},
        log:
            "results/{pair}/logs/extract_corridor.log",
        benchmark:
            "results/{pair}/benchmarks/extract_corridor.tsv"
        params:
            source=osm_source,
            include_paths=config["osm"]["include_paths"],
            rail_exclude=config["osm"]["rail_exclude"],
        priority: PRIORITY["extract_corridor"]
        threads: 1 if OSMIUM_TOOL else 2  # pyosmium alone decodes the whole files
        resources:
            mem_mb=4000,
            runtime=120,
        conda:
            "../envs/borderzone.yaml"
        script:
            "../scripts/extract_corridor.py"


rule clip_network:
    message:
        "Cutting the {wildcards.pair} OSM layers to the {wildcards.width} km buffer"
    input:
        zones="results/{pair}/{width}km/zones.gpkg",
        **{name: f"results/{{pair}}/osm/{name}.parquet" for name in OSM_LAYERS},
    output:
        network="results/{pair}/{width}km/network.gpkg",
    log:
        "results/{pair}/logs/clip_network_{width}km.log",
    benchmark:
        "results/{pair}/benchmarks/clip_network_{width}km.tsv"
    params:
        metadata=output_metadata(osm_source, [*BORDER_KEYS, "osm"]),
    priority: PRIORITY["clip_network"]
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/borderzone.yaml"
    script:
        "../scripts/clip_network.py"
