"""The OSM stage: the corridor's layers from PBF files or Overpass, cut to each buffer."""

from borderzone.osm.clip import clip_network
from borderzone.osm.overpass import build_overpass_chunks, retrieve_overpass_chunk
from borderzone.osm.pbf import build_countries_from_osm, collect_overpass, extract_corridor

__all__ = [
    "build_countries_from_osm",
    "build_overpass_chunks",
    "clip_network",
    "collect_overpass",
    "extract_corridor",
    "retrieve_overpass_chunk",
]
