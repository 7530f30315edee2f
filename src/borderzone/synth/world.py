"""Synthetic worlds in real OpenStreetMap formats, with the expected answers known by construction.

:func:`generate_world` writes two countries (``countries.gpkg``), an OSM extract of the area
(``world.osm.pbf``, written by pyosmium), a population raster (``population.tif``) and a
truth file (``truth.gpkg``) that lists every physical crossing of the border by a road or a
railway. The truth comes from how the ways were built (each crossing way is laid out in
border coordinates, chainage and signed offset, with a node exactly on the border), never
from intersecting the output. Each feature is checked once while it is laid out, and moved
to another stretch of border if the border bends too much there for the design to hold.

Rules published here, which the crossing finder implements too
--------------------------------------------------------------
Surface class of a way: :func:`borderzone.osm.schema.surface_class`, the one published
rule (``surface``, then ``tracktype``, then ``smoothness``, then a class default), which
the crossing finder implements. The truth does not call it: every road of the feature
catalogue (:data:`borderzone.synth.features.CATALOGUE`) has its expected class and source
written out, and a test checks them against the rule.

A crossing is one point per physical crossing: crossing points of ways that belong to one
road (the carriageways and link of a dual carriageway) lie within 100 m of each other and
merge; crossings of one way more than 100 m apart (a zig-zag road) stay separate. A way that
reaches the border and returns to the side it came from, or runs along it, is no crossing.
``railway=abandoned``/``disused``/``construction``/``proposed`` lines are no crossings.

For a crossing:

- ``highway``: the highest class among the crossing ways, in the order of
  :data:`borderzone.osm.schema.ROAD_ORDER`; ``surface_class``/``surface_source`` come from
  the way of that class (the first in id order when several share it).
- ``official``: a ``barrier=border_control`` node or closed way (by its centroid) lies within
  2 km of the crossing point; for rail also a ``railway=border`` node.
- ``local_only``: official, and every such checkpoint has
  ``border_control=small_border_traffic``.
- ``category``: roads ``international checkpoint`` (official, not local only), ``local
  checkpoint`` (official, local only), ``track`` (``highway=track``, not official) or ``road
  without checkpoint``; rail ``rail checkpoint`` or ``rail without checkpoint``.
- ``surface_differs``: on each side, collect (highway class, surface class) of every way of
  the road (the crossing ways and the ways connected to them through shared nodes) that has
  a part on that side within 5 km of the crossing; the flag is set when the two sets differ.
- ``transit``: the railway leaves the first country and re-enters it (or the reverse).
- ``in_gap``: the crossing lies on a stretch of border that
  :func:`borderzone.border.line.trace_border` bridged.
"""

import contextlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from borderzone.crs import WGS84
from borderzone.io import write_layers
from borderzone.synth.bulk import bulk_tag_table, bulk_ways, far_starts
from borderzone.synth.countries import (
    add_admin_areas,
    add_enclave,
    prepare_countries,
    procedural_coast,
    procedural_countries,
)
from borderzone.synth.features import design_features
from borderzone.synth.layout import Border, Frame, place_features, trace
from borderzone.synth.osm_writer import (
    Osm,
    pbf_writer,
    write_after,
    write_bulk_ways,
    write_nodes,
    write_relations,
    write_ways,
)
from borderzone.synth.population import write_population
from borderzone.synth.rivers import add_rivers, river_truth
from borderzone.synth.towns import add_place_links, add_place_nodes, check_places, generate_places
from borderzone.synth.truth import district_truth, truth_layers, truth_rows

log = logging.getLogger(__name__)

BORDER_CLEARANCE_M = 1000.0  # ordinary ways keep at least this far from the border
_GDAL_DATE = "2020-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class World:
    """The files of one synthetic world.

    Attributes
    ----------
    pbf
        ``world.osm.pbf``: boundaries, places, roads, railways, checkpoints.
    countries
        ``countries.gpkg``, layer ``countries``: columns ``iso3``, ``name`` (EPSG:4326).
    truth
        ``truth.gpkg``: layers ``crossings``, ``non_crossings``, ``places``, ``rivers``
        (:func:`borderzone.synth.rivers.river_truth`) and ``districts``
        (:func:`borderzone.synth.truth.district_truth`).
    population
        ``population.tif``: float32 people per pixel, equal-area CRS, nodata set.
    """

    pbf: Path
    countries: Path
    truth: Path
    population: Path


def generate_world(
    out_dir: Path,
    *,
    countries: gpd.GeoDataFrame | None = None,
    pair: tuple[str, str] = ("XAA", "XBB"),
    places: pd.DataFrame | None = None,
    n_ways: int = 300,
    seed: int = 0,
    far_fraction: float = 0.0,
    border: Mapping[str, gpd.GeoDataFrame] | None = None,
    border_settings: Mapping[str, float | bool] | None = None,
) -> World:
    """Write a synthetic world: OSM extract, countries, population raster and truth.

    Parameters
    ----------
    out_dir
        Directory for ``world.osm.pbf``, ``countries.gpkg``, ``population.tif`` and
        ``truth.gpkg``; created if missing.
    countries
        Two outlines (columns ``iso3``, ``geometry``, optionally ``name``; EPSG:4326) such as
        ``data/rus_kaz_outlines.gpkg``. None draws two countries sharing a wiggly border of
        ~500 km near 50° N, 58–65° E, each reaching ~150 km from it, with one stretch where
        the outlines part so that the border has a bridged gap.
    pair
        ISO3 codes of the two countries; the first is side A.
    places
        Towns (columns ``name``, ``lon``, ``lat``, ``population``, ``iso3``) to use as place
        nodes; None generates some on both sides.
    n_ways
        About how many ways the extract holds (a few hundred for tests, a million for
        benchmarks). Ordinary ways average 40 nodes near the border and 320 far from it.
    seed
        Seed of every random choice: the same arguments give the same bytes.
    far_fraction
        Share of the ordinary ways laid out more than 300 km north of the border.
    border
        The ``border`` and ``border_gaps`` layers of the pair's ``border.gpkg``: the world is
        laid along that border (crossing features along its longest part, ordinary ways
        kept clear of every part). None traces it from the outlines with ``border_settings``.
    border_settings
        ``snap_m``, ``max_gap_km``, ``min_part_km``, ``reverse`` of
        :func:`borderzone.border.line.trace_border` when the border is traced here (the
        configured ``border`` section); its defaults when None.

    Returns
    -------
    World
        Paths of the four files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not 0.0 <= far_fraction <= 1.0:
        raise ValueError(f"far_fraction must lie in [0, 1], got {far_fraction}")
    rng = np.random.default_rng(seed)  # every step below draws from it, in this order
    pair = (str(pair[0]), str(pair[1]))
    procedural = countries is None
    if countries is None:
        countries = procedural_countries(rng, pair)
    else:
        countries = prepare_countries(countries, pair=pair)
    border = trace(countries, pair=pair, border=border, settings=border_settings)
    log.info("border %.1f km, %d gaps", border.length / 1000, len(border.gaps))

    osm = Osm()
    coast = procedural_coast(countries, border.coords[0]) if procedural else None
    districts = add_admin_areas(osm, countries, rng, maritime=coast)
    n_boundary_ways = len(osm.ways)
    placed = place_features(design_features(rng, border_length=border.length), border, osm)
    if places is None:
        places = generate_places(rng, countries, border.lines, int(np.clip(n_ways // 12, 24, 3000)))
    else:
        places = check_places(places)
    pop_tags = add_place_nodes(osm, places, second=pair[1])
    tree, clearance_deg = border.tree(), border.degrees(BORDER_CLEARANCE_M)
    n_links = add_place_links(rng, osm, places, tree, clearance_deg)
    log.info("%d roads between places", n_links)
    # rivers and the enclave draw nothing from rng and are written after every other
    # object, so that no other object's ids or coordinates move
    extra = Osm()
    frame_at = lambda s: Frame(border, s)  # noqa: E731
    rivers = add_rivers(
        extra,
        frame_at,
        length_m=border.length,
        near_gap=lambda s: border.near_a_gap(s, within_m=2000.0),
    )
    add_enclave(extra, frame_at, districts, length_m=border.length)
    pbf = out_dir / "world.osm.pbf"
    _write_pbf(
        pbf,
        rng,
        osm,
        # n_ways counts the ways of roads, rails and the like; boundaries come on top
        n_ways=n_ways - (len(osm.ways) - n_boundary_ways),
        far_fraction=far_fraction,
        places=places,
        border=border,
        tree=tree,
        clearance_deg=clearance_deg,
        extra=extra,
    )

    population = out_dir / "population.tif"
    total = write_population(population, countries, border.lines, places)
    crossings, non_crossings = truth_rows(placed)
    for row in crossings:  # chainage of the part the features lie on -> of the whole border
        row["border_km"] += border.start_km
    truth = truth_layers(crossings, non_crossings, places, pop_tags)
    truth["rivers"] = river_truth(rivers)
    truth["districts"] = district_truth(districts, [border.line, *border.others])
    meta = {
        "seed": str(seed),
        "n_ways": str(n_ways),
        "far_fraction": str(far_fraction),
        "pair": "-".join(pair),
        "total_population": f"{total:.3f}",
        "generator": "borderzone.synth.world",
    }
    countries_path = out_dir / "countries.gpkg"
    truth_path = out_dir / "truth.gpkg"
    with _fixed_write_date():
        write_layers(countries_path, {"countries": gpd.GeoDataFrame(countries, crs=WGS84)})
        write_layers(truth_path, truth, metadata=meta)
    log.info(
        "%d crossings, %d non-crossings in the truth",
        len(truth["crossings"]),
        len(truth["non_crossings"]),
    )
    return World(pbf=pbf, countries=countries_path, truth=truth_path, population=population)


def _write_pbf(
    path: Path,
    rng: np.random.Generator,
    osm: Osm,
    *,
    n_ways: int,
    far_fraction: float,
    places: pd.DataFrame,
    border: Border,
    tree: shapely.STRtree,
    clearance_deg: float,
    extra: Osm,
) -> None:
    """Write ``osm``, about ``n_ways`` ordinary ways, then ``extra`` with ids after them.

    Ordinary ways lie near the places, or far north; ``extra`` holds the rivers and the
    enclave.
    """
    table, tag_p = bulk_tag_table(rng)
    n_bulk = max(n_ways, len(table))
    n_far = int(round(n_bulk * far_fraction))
    n_near = n_bulk - n_far
    with pbf_writer(path) as writer:
        write_nodes(writer, osm)
        near, next_node = bulk_ways(
            rng,
            writer,
            n_ways=n_near,
            mode="near",
            next_id=len(osm.nodes) + 1,
            starts=np.column_stack([places.lon.to_numpy(), places.lat.to_numpy()]),
            border_tree=tree,
            clearance_deg=clearance_deg,
            tag_p=tag_p,
            cover=True,
        )
        far, next_node = bulk_ways(
            rng,
            writer,
            n_ways=n_far,
            mode="far",
            next_id=next_node,
            starts=far_starts(rng, border.lines.bounds),
            border_tree=None,
            clearance_deg=0.0,
            tag_p=tag_p,
            cover=n_near == 0,
        )
        ids = {"node0": next_node, "relation0": len(osm.relations) + 1}
        write_after(writer, extra, way0=0, what="nodes", **ids)
        write_ways(writer, osm)
        next_way = write_bulk_ways(writer, near, table, len(osm.ways) + 1)
        next_way = write_bulk_ways(writer, far, table, next_way)
        write_after(writer, extra, way0=next_way, what="ways", **ids)
        write_relations(writer, osm)
        write_after(writer, extra, way0=next_way, what="relations", **ids)
        next_node += len(extra.nodes)
        next_way += len(extra.ways)
    log.info("wrote %s: %d nodes, %d ways", path, next_node - 1, next_way - 1)


@contextlib.contextmanager
def _fixed_write_date() -> Iterator[None]:
    """GeoPackages written inside carry a fixed date, so that a world's bytes repeat."""
    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GDAL_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})
