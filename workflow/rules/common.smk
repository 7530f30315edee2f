# Configuration checks (at each parse, and once jobs are about to run), target lists, params
# and input functions; no rules here.
import sys

from snakemake.utils import validate

from borderzone import __version__
from borderzone.config import (
    check_config,
    check_outlines,
    check_schema,
    coerce_numbers,
    config_hash,
    width_label,
)
from borderzone.download import geofabrik_file_stem
from borderzone.errors import BorderzoneError
from borderzone.io import clear_interrupted_writes

# Checks that open no file, at each parse (also -n and --lint): borderzone.config.
try:
    coerce_numbers(config)
    check_schema(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
    validate(config, "../schemas/config.schema.yaml")  # fills in the defaults
    check_config(config)
except BorderzoneError as exc:
    sys.exit(f"borderzone: bad configuration: {exc}")


# The check that reads the outlines file, once jobs are about to run (not on -n, --lint,
# nothing to be done, or in per-job processes) and before the first one starts.
onstart:
    try:
        check_outlines(config)
    except BorderzoneError as exc:
        sys.exit(f"borderzone: bad configuration: {exc}")
    # what writes killed in an earlier run left (this run holds the lock: none is running)
    clear_interrupted_writes("results")


PAIR = "-".join(config["pair"])
# where the two outlines are read from: the configured file, or the admin_level=2
# relations of the OSM source, written by rule build_countries_from_osm
if config["countries"]["source"] == "osm":
    COUNTRIES = {
        "file": f"results/{PAIR}/osm/countries.gpkg",
        "layer": "countries",
        "iso3_column": "iso3",
    }
else:
    COUNTRIES = config["countries"]
WIDTHS = [width_label(w) for w in config["buffers_km"]]
WIDEST = width_label(max(config["buffers_km"]))
NARROWEST = width_label(min(config["buffers_km"]))
RASTERS = ["distance_to_road", "travel_time_to_crossing", "population_density"]
OSM = config["osm"]
# the OSM corridor on both sides, its own setting: widths inside it never read OSM again
CORRIDOR_KM = OSM["corridor_km"]
OSM_LAYERS = ["roads", "rail", "checkpoints", "places", "admin"]
# Geofabrik file name (last part of the region path) -> region path
GEOFABRIK_REGIONS = {geofabrik_file_stem(r): r for r in OSM["geofabrik"]["regions"]}
if OSM["source"] == "synthetic":
    from borderzone.synth.demo import SYNTHETIC_NOTICE

    OSM_SOURCE = SYNTHETIC_NOTICE
    logger.warning(f"borderzone: {SYNTHETIC_NOTICE}")
elif OSM["source"] == "pbf":
    OSM_SOURCE = "OpenStreetMap: " + ", ".join(OSM["files"])
elif OSM["source"] == "geofabrik":
    OSM_SOURCE = "OpenStreetMap via Geofabrik: " + ", ".join(OSM["geofabrik"]["regions"])
else:
    OSM_SOURCE = f"OpenStreetMap via Overpass: {OSM['overpass']['url']}"


wildcard_constraints:
    pair=r"[A-Z]{3}-[A-Z]{3}",
    width=r"\d+(\.\d+)?",


def all_targets():
    """Every output of the configured run."""
    per_width = ["zones.gpkg", "network.gpkg", "metrics.gpkg", "borderzone.gpkg", "borderzone.qgz"]
    per_pair = ["border.gpkg", "crossings.gpkg", "report.html", "webmap.html"]
    per_pair += [f"osm/{name}.parquet" for name in OSM_LAYERS]
    per_pair += [f"rasters/{name}.{ext}" for name in RASTERS for ext in ("tif", "qml")]
    return [f"results/{PAIR}/{name}" for name in per_pair] + [
        f"results/{PAIR}/{width}km/{name}" for width in WIDTHS for name in per_width
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
    """The .osm.pbf files the corridor is read from, by osm.source."""
    if OSM["source"] == "synthetic":
        return [f"results/{wildcards.pair}/synthetic/world.osm.pbf"]
    if OSM["source"] == "pbf":
        return OSM["files"]
    if OSM["source"] == "geofabrik":
        return [f"data/osm/{name}-latest.osm.pbf" for name in GEOFABRIK_REGIONS]
    return []  # overpass: no files


def overpass_chunk_files(wildcards):
    """One layer file per Overpass chunk, known once the chunks are cut."""
    import pyogrio

    chunks = checkpoints.build_overpass_chunks.get(pair=wildcards.pair).output.chunks
    n = pyogrio.read_info(chunks)["features"]
    return [f"results/{wildcards.pair}/osm/overpass/chunk_{i}.gpkg" for i in range(n)]


def countries_file(wildcards):
    """The file that holds the two country outlines."""
    return COUNTRIES["file"]


BORDER_KEYS = ["pair", "countries", "border", "segment_km", "official_length_km"]
# every key but the list of widths: what one width's outputs depend on besides its own width
WIDTH_KEYS = [key for key in config if key != "buffers_km"]


def countries_params(wildcards):
    """Keyword arguments of borderzone.io.read_countries for the pair's two outlines."""
    return {
        "iso3": wildcards.pair.split("-"),
        "iso3_column": COUNTRIES["iso3_column"],
        "layer": COUNTRIES["layer"],
    }


def output_metadata(source, keys):
    """Metadata stored in an output: its source, and the version and the config keys that
    made it (only those, so that other keys do not make it stale)."""
    return {
        "borderzone_version": __version__,
        "config_sha256": config_hash({key: config[key] for key in keys}),
        "config_keys": ",".join(keys),
        "source": source,
    }
