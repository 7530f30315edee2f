"""Edge lengths from geocentric chords agree with the geodesic on the ellipsoid."""

import numpy as np
import pytest
import shapely

from borderzone.crs import GEOCENTRIC_BLOCK, geocentric
from borderzone.geodesy import GEOD, chord_lengths_m, geodesic_length_km, single_parts


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


def test_geocentric_coordinates_are_those_of_the_ellipsoid_across_its_blocks():
    """x, y, z from the closed form on WGS84 (a, f), for points on both sides of a block's end."""
    rng = np.random.default_rng(1)
    n = 2 * GEOCENTRIC_BLOCK + 7
    lon, lat = rng.uniform(-180, 180, n), rng.uniform(-90, 90, n)
    a, f = 6_378_137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    phi, lam = np.radians(lat), np.radians(lon)
    normal = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    expected = np.column_stack(
        [
            normal * np.cos(phi) * np.cos(lam),
            normal * np.cos(phi) * np.sin(lam),
            normal * (1 - e2) * np.sin(phi),
        ]
    )
    got = geocentric(lon, lat)
    assert got.shape == (n, 3)
    assert np.abs(got - expected).max() < 1e-6  # metres
    assert geocentric(np.zeros(0), np.zeros(0)).shape == (0, 3)


def test_geodesic_lengths_of_lines_across_blocks_are_pyproj_s():
    """Lines whose vertices fill more than two blocks, some lying across a block's end."""
    rng = np.random.default_rng(2)
    sizes = rng.integers(2, 5_000, 240)
    assert sizes.sum() > 2 * GEOCENTRIC_BLOCK
    lines = []
    for size in sizes:
        start = rng.uniform([20, 35], [90, 70])
        lines.append(shapely.LineString(start + np.cumsum(rng.normal(0, 0.001, (size, 2)), 0)))
    multi = shapely.MultiLineString([lines[0], lines[1]])
    got = geodesic_length_km(np.array([*lines, multi], dtype=object))
    expected = [GEOD.geometry_length(line) / 1000 for line in lines]
    assert got[:-1] == pytest.approx(expected, rel=3e-8)
    assert got[-1] == pytest.approx(expected[0] + expected[1], rel=3e-8)
    assert geodesic_length_km(lines[5]) == pytest.approx(expected[5], rel=3e-8)


@pytest.mark.parametrize(
    "geoms",
    [
        [shapely.LineString([(0, 0), (1, 1)]), shapely.Point(2, 2), shapely.LineString()],
        [
            shapely.LineString([(0, 0), (1, 1)]),
            shapely.MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 1)]]),
        ],
        [shapely.Point(0, 0), None, shapely.box(0, 0, 1, 1)],
        [shapely.GeometryCollection([shapely.Point(0, 0), shapely.LineString([(0, 0), (0, 1)])])],
        [],
        [
            shapely.MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 1)], [(5, 5), (6, 6)]]),
            shapely.LineString([(0, 0), (1, 1)]),
            shapely.MultiLineString(),
            None,
            shapely.MultiPoint([(0, 0), (1, 1)]),
            shapely.LineString(),
            shapely.MultiLineString([[(7, 7), (8, 8)]]),
        ],
    ],
    ids=["single", "multi", "missing", "collection", "none", "mixed"],
)
def test_single_parts_are_shapely_s_parts_of_the_same_geometries(geoms):
    geoms = np.array(geoms, dtype=object)
    parts, index = single_parts(geoms)
    want, want_index = shapely.get_parts(geoms, return_index=True)
    assert np.array_equal(index, want_index)
    assert len(parts) == len(want)
    assert all(shapely.equals_identical(parts, want))
