"""Tests of borderzone.synth.names."""

import numpy as np

from borderzone.synth.names import SUFFIX_B, made_up_names


def test_made_up_names_are_distinct_and_repeat_with_the_seed():
    names = made_up_names(np.random.default_rng(0), 200, suffixes=SUFFIX_B)
    assert len(set(names)) == 200
    assert all(n[0].isupper() and n.endswith(SUFFIX_B) for n in names)
    assert names == made_up_names(np.random.default_rng(0), 200, suffixes=SUFFIX_B)
    assert made_up_names(np.random.default_rng(1), 3, suffixes=(" область",))[0].endswith(
        " область"
    )
