# Configuration checks (at each parse, and once jobs are about to run), the configuration
# of each pair, target lists, params and input functions; no rules here.
import os
import sys

from snakemake.utils import validate

from borderzone import __version__
from borderzone.border.neighbours import neighbours_of
from borderzone.config import (
    check_config,
    check_outlines,
    check_schema,
    coerce_numbers,
    config_hash,
    pair_configs,
    pair_entries,
    width_label,
)
from borderzone.download import geofabrik_file_stem, geofabrik_files
from borderzone.errors import BorderzoneError
from borderzone.io import clear_interrupted_writes
from borderzone.osm.geofabrik_regions import geofabrik_regions_of
from borderzone.osm.prefilter import osmium_binary

# Each job is one thread (threads: 1), and jobs run side by side: the numerical libraries
# (OpenMP, OpenBLAS) run one thread per job too, unless set otherwise. Two jobs with two
# OpenMP threads each on two cores wait on each other (k-means of 620 cells: 20 s, not 0.2).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
# glibc's malloc (mallopt(3)) keeps the memory a job frees for its next arrays instead of
# handing each array of more than 128 kB back to the kernel and having it zeroed again:
# build_node_times spent 9 of its 29 s in the kernel doing that (1.7-3.7 s with these; peak
# RSS 3.08 → 3.15 GB), and osmium-tool runs 5-7 % faster; other libcs ignore them.
os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(2**32))
os.environ.setdefault("MALLOC_TRIM_THRESHOLD_", str(2**34))
os.environ.setdefault("MALLOC_TOP_PAD_", str(2**28))
# numpy asks the kernel for huge pages for every array of 4 MB or more (madvise); where the
# kernel then compacts memory to find each 2 MB page (Linux's THP "defrag" set to madvise,
# Debian's default), a job's first touch of its memory is that much slower: 1 GB in 6.6 s
# instead of 0.4 s on the bench's machines. At real density the cold run took 175-187 s
# in three runs instead of 200-210 s in two (numpy's NUMPY_MADVISE_HUGEPAGE; bench/README).
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

# Jobs on the longest chain of a run go first when cores are short: the extraction, the
# crossings, then the node times, then each width's cells, ranked and reported (the rasters,
# the districts, the rivers, the article's tables and the sources' checksums fill the other
# cores). Without
# priorities Snakemake starts the jobs with the largest inputs first: the node times waited
# for the clip and the rasters (16 s of a 2-core run at real density), the extraction for
# the checksums of the PBF it reads (8 s).
PRIORITY = {
    "extract_corridor": 60,
    "find_crossings": 50,
    "build_node_times": 40,
    "build_zones": 30,
    "clip_network": 30,
    "measure_cells": 20,
    "compute_segment_metrics": 10,
    "write_population_table": 10,
}

# Checks that open no file, at each parse (also -n and --lint): borderzone.config. Then the
# configuration of each pair (pair, pairs or neighbours_of), each in results/{A}-{B}/.
try:
    coerce_numbers(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
    check_schema(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
    validate(config, "../schemas/config.schema.yaml")  # fills in the defaults
    check_config(config)
    # neighbours_of is the one setting that opens a file at each parse: its pairs must be
    # known to plan their jobs, on a dry run too (borderzone.border.neighbours, ~1 s for
    # Russia in a world file)
    NEIGHBOURS = []
    if config.get("neighbours_of"):
        NEIGHBOURS = neighbours_of(
            config["countries"]["file"],
            iso3=config["neighbours_of"],
            snap_m=config["border"]["snap_m"],
            iso3_column=config["countries"]["iso3_column"],
            layer=config["countries"]["layer"],
        )
    # "A-B" -> that pair's configuration; its outputs hash it only (config.pair_configs)
    PAIRS = pair_configs(config, neighbours=NEIGHBOURS, regions_of=geofabrik_regions_of)
    PAIR_KEYS = {"-".join(entry["pair"]): key for key, entry in pair_entries(config)}
    # Geofabrik file name (last part of the region path) -> region path, over all pairs:
    # an extract that several pairs read is downloaded once, to data/osm/
    GEOFABRIK_REGIONS = geofabrik_files(
        region
        for pair_cfg in PAIRS.values()
        if pair_cfg["osm"]["source"] == "geofabrik"
        for region in pair_cfg["osm"]["geofabrik"]["regions"]
    )
except BorderzoneError as exc:
    sys.exit(f"borderzone: bad configuration: {exc}")


# The check that reads the outlines file, once jobs are about to run (not on -n, --lint,
# nothing to be done, or in per-job processes) and before the first one starts.
onstart:
    try:
        for name, pair_cfg in PAIRS.items():
            check_outlines(pair_cfg, key=PAIR_KEYS.get(name, "neighbours_of"))
    except BorderzoneError as exc:
        sys.exit(f"borderzone: bad configuration: {exc}")
    # what writes killed in an earlier run left (this run holds the lock: none is running)
    clear_interrupted_writes("results")


def pair_config(wildcards):
    """The configuration of the pair wildcards.pair (borderzone.config.pair_configs)."""
    if wildcards.pair not in PAIRS:
        raise ValueError(
            f"results/{wildcards.pair}/: {wildcards.pair} is not a pair of this run "
            f"({', '.join(PAIRS)}); set pair, pairs or neighbours_of"
        )
    return PAIRS[wildcards.pair]


def countries_of(wildcards):
    """Where the pair's two outlines are read from: the configured file, or the
    admin_level=2 relations of the OSM source, written by rule build_countries_from_osm."""
    countries = pair_config(wildcards)["countries"]
    if countries["source"] == "osm":
        return {
            "file": f"results/{wildcards.pair}/osm/countries.gpkg",
            "layer": "countries",
            "iso3_column": "iso3",
        }
    return countries


WIDTHS = [width_label(w) for w in config["buffers_km"]]
WIDEST = width_label(max(config["buffers_km"]))
NARROWEST = width_label(min(config["buffers_km"]))
RASTERS = ["distance_to_road", "travel_time_to_crossing", "population_density"]
OSM = config["osm"]
# the OSM corridor on both sides, its own setting: widths inside it never read OSM again
CORRIDOR_KM = OSM["corridor_km"]
# PBF files are cut by osmium-tool in a job of its own when the binary is on PATH (rule
# cut_corridor); without it extract_corridor reads them whole with pyosmium
OSMIUM_TOOL = osmium_binary("auto") is not None
# chunks of the border whose cells are measured in separate jobs (borderzone.metrics.chunks)
CHUNKS = config["chunks"]["count"]
OSM_LAYERS = ["roads", "rail", "checkpoints", "places", "admin", "waterways"]
if OSM["source"] == "synthetic":
    from borderzone.synth.demo import SYNTHETIC_NOTICE

    logger.warning(f"borderzone: {SYNTHETIC_NOTICE}")


def osm_source(wildcards):
    """What the pair's OSM layers were read from, for the outputs' metadata."""
    osm = pair_config(wildcards)["osm"]
    if osm["source"] == "synthetic":
        return SYNTHETIC_NOTICE
    if osm["source"] == "pbf":
        return "OpenStreetMap: " + ", ".join(osm["files"])
    if osm["source"] == "geofabrik":
        return "OpenStreetMap via Geofabrik: " + ", ".join(osm["geofabrik"]["regions"])
    return f"OpenStreetMap via Overpass: {osm['overpass']['url']}"


wildcard_constraints:
    pair=r"[A-Z]{3}-[A-Z]{3}",
    width=r"\d+(\.\d+)?",


def all_targets():
    """Every output of the configured run."""
    per_width = ["zones.gpkg", "network.gpkg", "metrics.gpkg", "borderzone.gpkg", "borderzone.qgz"]
    per_pair = ["border.gpkg", "crossings.gpkg", "report.html", "webmap.html"]
    per_pair += [f"osm/{name}.parquet" for name in OSM_LAYERS]
    per_pair += [f"rasters/{name}.{ext}" for name in RASTERS for ext in ("tif", "qml")]
    return [f"results/{pair}/{name}" for pair in PAIRS for name in per_pair] + [
        f"results/{pair}/{width}km/{name}"
        for pair in PAIRS
        for width in WIDTHS
        for name in per_width
    ]


def population_raster(wildcards):
    """The population raster of population.source (none for 'places')."""
    source = config["population"]["source"]
    if source == "synthetic":
        return [f"results/{wildcards.pair}/synthetic/population.tif"]
    if source == "file":
        return [config["population"]["file"]]
    if source == "worldpop":
        return [f"results/{wildcards.pair}/population/worldpop.tif"]
    return []


def admin_areas(wildcards):
    """The admin areas: the OSM corridor's, or a file."""
    if config["admin"]["source"] == "file":
        return config["admin"]["file"]
    return f"results/{wildcards.pair}/osm/admin.parquet"


def osm_pbf_files(wildcards):
    """The .osm.pbf files the pair's corridor is read from, by osm.source."""
    osm = pair_config(wildcards)["osm"]
    if osm["source"] == "synthetic":
        return [f"results/{wildcards.pair}/synthetic/world.osm.pbf"]
    if osm["source"] == "pbf":
        return osm["files"]
    if osm["source"] == "geofabrik":
        stems = (geofabrik_file_stem(region) for region in osm["geofabrik"]["regions"])
        return [f"data/osm/{stem}-latest.osm.pbf" for stem in stems]
    return []  # overpass: no files


def overpass_chunk_files(wildcards):
    """One layer file per Overpass chunk, known once the chunks are cut."""
    import pyogrio

    chunks = checkpoints.build_overpass_chunks.get(pair=wildcards.pair).output.chunks
    n = pyogrio.read_info(chunks)["features"]
    return [f"results/{wildcards.pair}/osm/overpass/chunk_{i}.gpkg" for i in range(n)]


def countries_file(wildcards):
    """The file that holds the pair's two country outlines."""
    return countries_of(wildcards)["file"]


BORDER_KEYS = ["pair", "countries", "border", "segment_km", "official_length_km"]
# every key of a pair's configuration but the list of widths and the chunks (the same
# layers whatever their number): what one width's outputs depend on besides its own width
# (sorted: the order of the config file changes nothing)
WIDTH_KEYS = sorted(
    key for key in config if key not in ("buffers_km", "pairs", "neighbours_of", "chunks")
)


def countries_params(wildcards):
    """Keyword arguments of borderzone.io.read_countries for the pair's two outlines."""
    countries = countries_of(wildcards)
    return {
        "iso3": wildcards.pair.split("-"),
        "iso3_column": countries["iso3_column"],
        "layer": countries["layer"],
    }


def output_metadata(source, keys):
    """Params function: the metadata stored in an output of a pair, its source (source:
    a function of the wildcards) and the version and the pair's config keys that made it
    (only those, so that other keys and other pairs do not make it stale)."""

    def metadata(wildcards):
        pair_cfg = pair_config(wildcards)
        return {
            "borderzone_version": __version__,
            "config_sha256": config_hash({key: pair_cfg[key] for key in keys}),
            "config_keys": ",".join(keys),
            "source": source(wildcards),
        }

    return metadata


def pair_hash(keys=None):
    """Params function: the SHA-256 of the pair's configuration (of its keys when given)."""

    def sha256(wildcards):
        pair_cfg = pair_config(wildcards)
        return config_hash(pair_cfg if keys is None else {key: pair_cfg[key] for key in keys})

    return sha256
