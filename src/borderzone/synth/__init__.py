"""Synthetic worlds in real formats with known answers (the demo and the tests).

Nothing imports this package but its own rule and the tests.
"""

from borderzone.synth.demo import build_synthetic_world

__all__ = ["build_synthetic_world"]
