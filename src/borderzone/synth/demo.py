"""The embedded default world: synthetic roads and railways along a real border."""

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd

from borderzone.synth.places import geonames_places
from borderzone.synth.world import World, generate_world

log = logging.getLogger(__name__)

SYNTHETIC_NOTICE = (
    "SYNTHETIC roads and railways (borderzone.synth.world): not real OpenStreetMap data; "
    "towns and populations are real (GeoNames). For real OSM data run "
    "`python3 dev.py run --configfile config/rus-kaz-osm.yaml`."
)


def build_synthetic_world(
    out_dir: str | Path,
    *,
    countries: gpd.GeoDataFrame,
    corridor: gpd.GeoDataFrame,
    pair: Sequence[str],
    n_ways: int,
    seed: int,
    border: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> World:
    """Generate a synthetic OSM world along the real border, with real GeoNames towns.

    Parameters
    ----------
    out_dir
        Directory receiving ``world.osm.pbf``, ``countries.gpkg``, ``population.tif`` and
        ``truth.gpkg`` (see :func:`borderzone.synth.world.generate_world`).
    countries
        The two outlines (``iso3``, ``geometry``).
    corridor
        Area whose towns become place nodes (the OSM corridor).
    pair
        ISO3 codes; the first is side A.
    n_ways, seed
        Size and seed of the synthetic road network.
    border
        The ``border`` and ``border_gaps`` layers of ``border.gpkg``: the world is laid along
        the configured border rather than one built with default settings.
    """
    log.warning(SYNTHETIC_NOTICE)
    places = geonames_places(corridor, pair=pair)
    return generate_world(
        Path(out_dir),
        countries=countries,
        pair=tuple(pair),
        places=places if len(places) else None,  # none for user-assigned codes: generated
        n_ways=n_ways,
        seed=seed,
        border=border,
    )
