"""The OSM stage: the corridor's layers from PBF files or Overpass, cut to each buffer."""

from borderzone.osm.chunks import build_overpass_chunks, collect_overpass
from borderzone.osm.clip import clip_network
from borderzone.osm.countries import build_countries_from_osm
from borderzone.osm.geofabrik import retrieve_geofabrik
from borderzone.osm.overpass import retrieve_overpass_chunk
from borderzone.osm.pbf import cut_corridor, extract_corridor

__all__ = [
    "build_countries_from_osm",
    "build_overpass_chunks",
    "clip_network",
    "collect_overpass",
    "cut_corridor",
    "extract_corridor",
    "retrieve_geofabrik",
    "retrieve_overpass_chunk",
]
