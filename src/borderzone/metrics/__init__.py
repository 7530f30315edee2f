"""The metrics stage: per-segment measures, typology, region tables, population, rasters.

One job per module: :mod:`~borderzone.metrics.cells` (area, road and rail density, reach
of roads), :mod:`~borderzone.metrics.chainage` (crossings along the border),
:mod:`~borderzone.metrics.travel` (road graph and travel times),
:mod:`~borderzone.metrics.population` (WorldPop and people per cell and region),
:mod:`~borderzone.metrics.regions` (region tables), :mod:`~borderzone.metrics.typology`,
:mod:`~borderzone.metrics.segment` (all of one width together),
:mod:`~borderzone.metrics.grid` and :mod:`~borderzone.metrics.rasters` (the rasters).
"""

from borderzone.metrics.population import build_population, retrieve_worldpop
from borderzone.metrics.rasters import build_rasters
from borderzone.metrics.segment import compute_segment_metrics

__all__ = ["build_population", "build_rasters", "compute_segment_metrics", "retrieve_worldpop"]
