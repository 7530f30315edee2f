"""The crossings stage: where roads and railways cross the border, classified."""

from borderzone.crossings.detect import find_crossings

__all__ = ["find_crossings"]
