"""The metrics stage: per-segment measures, typology, region tables, population, rasters."""

from borderzone.metrics.layers import build_population, build_rasters, compute_segment_metrics

__all__ = ["build_population", "build_rasters", "compute_segment_metrics"]
