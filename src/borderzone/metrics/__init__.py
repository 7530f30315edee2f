"""The metrics stage: per-segment measures, typology, region tables, population, rasters.

One job per module: :mod:`~borderzone.metrics.cells` (area, road and rail density, reach
of roads), :mod:`~borderzone.metrics.chainage` (crossings along the border),
:mod:`~borderzone.metrics.travel` (road graph and travel times),
:mod:`~borderzone.metrics.node_times` (every road node's minutes to a crossing and a town
over the corridor, once per pair),
:mod:`~borderzone.metrics.population` (WorldPop and people per cell and region),
:mod:`~borderzone.metrics.regions` (region tables), :mod:`~borderzone.metrics.typology`,
:mod:`~borderzone.metrics.segment` (all of one width together),
:mod:`~borderzone.metrics.chunks` (the cells of one width in chunks of the border),
:mod:`~borderzone.metrics.grid` and :mod:`~borderzone.metrics.rasters` (the rasters),
:mod:`~borderzone.metrics.districts` (districts on the line, with
:mod:`~borderzone.metrics.names` and :mod:`~borderzone.metrics.border_samples`) and
:mod:`~borderzone.metrics.rivers` (border that follows a river).
"""

from borderzone.metrics.chunks import measure_cells
from borderzone.metrics.districts import compute_border_districts
from borderzone.metrics.node_times import build_node_times
from borderzone.metrics.population import build_population, retrieve_worldpop
from borderzone.metrics.rasters import build_rasters
from borderzone.metrics.rivers import compute_river_km
from borderzone.metrics.segment import compute_segment_metrics

__all__ = [
    "build_node_times",
    "build_population",
    "build_rasters",
    "compute_border_districts",
    "compute_river_km",
    "compute_segment_metrics",
    "measure_cells",
    "retrieve_worldpop",
]
