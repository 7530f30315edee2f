"""Made-up Russian- and Kazakh-sounding names for the roads, places and regions of a world."""

from collections.abc import Sequence

import numpy as np

SYLLABLES = tuple(
    "ка ра тал су бу лак ор ен ба ев ин ан ай кол тау жар бек ал мир бор дон сар ит".split()
)
"""Syllables the stems of names are made of."""

SUFFIX_A = ("овка", "ино", "ск", "ное", "ево")
"""Endings of place names in the first country (and of the crossing roads)."""

SUFFIX_B = ("коль", "тау", "су", "агаш", "булак")
"""Endings of place names in the second country."""


def made_up_names(rng: np.random.Generator, n: int, *, suffixes: Sequence[str]) -> list[str]:
    """``n`` distinct names of two or three syllables and one of ``suffixes``, capitalised.

    Parameters
    ----------
    rng
        The world's random generator; each name draws its length, syllables and suffix.
    n
        How many names.
    suffixes
        Endings to choose from (e.g. :data:`SUFFIX_A` or ``(" область",)``).
    """
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        k = int(rng.integers(2, 4))
        stem = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), k))
        name = (stem + suffixes[int(rng.integers(0, len(suffixes)))]).capitalize()
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out
