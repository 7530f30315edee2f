"""The border stage: the shared line, its segments, the buffers and cells, the corridor."""

from borderzone.border.line import build_border
from borderzone.border.zones import build_corridor, build_zones

__all__ = ["build_border", "build_corridor", "build_zones"]
