"""Synthetic worlds in real formats with known answers (the demo and the tests).

:func:`borderzone.synth.world.generate_world` writes a world in named steps: the two
countries and their admin boundaries (``countries``), the crossing features of the table in
``features`` laid out along the border (``layout``), places and the roads between them
(``towns``), the ordinary ways (``bulk``) written with the others to the PBF
(``osm_writer``), the population raster (``population``) and the truth (``truth``).
:func:`build_synthetic_world` (``demo``) is the rule's function: the world along a real
border with real GeoNames towns (``places``).

Nothing imports this package but its own rule, the tests and the benchmarks.
"""

from borderzone.synth.demo import build_synthetic_world

__all__ = ["build_synthetic_world"]
