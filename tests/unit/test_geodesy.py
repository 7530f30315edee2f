"""Edge lengths from geocentric chords agree with the geodesic on the ellipsoid."""

import numpy as np

from borderzone.crs import geocentric
from borderzone.geodesy import GEOD, chord_lengths_m


def test_chord_lengths_are_the_geodesic_lengths_of_the_edges():
    rng = np.random.default_rng(0)
    n = 20_000
    lon, lat = rng.uniform(20, 90, n), rng.uniform(35, 70, n)
    metres = 10 ** rng.uniform(0, 5, n)  # 1 m to 100 km
    # the far end of each edge: pyproj's direct geodesic problem, the given length away
    lon2, lat2, _ = GEOD.fwd(lon, lat, rng.uniform(0, 360, n), metres)
    got = chord_lengths_m(geocentric(lon, lat), geocentric(lon2, lat2))
    error = np.abs(got - metres) / metres
    assert error[metres < 50_000].max() < 3e-8
    assert error.max() < 1.5e-7
    assert np.array_equal(chord_lengths_m(geocentric(lon, lat), geocentric(lon, lat)), np.zeros(n))
