"""The crossings stage: where roads and railways cross the border, classified."""

from borderzone.crossings.attributes import CATEGORIES
from borderzone.crossings.find import find_crossings

__all__ = ["CATEGORIES", "find_crossings"]
