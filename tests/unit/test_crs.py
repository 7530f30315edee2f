"""Transformers written as PROJ pipelines give the numbers of pyproj's own look-up."""

import numpy as np
import pyproj
import pytest

from borderzone.crs import WGS84, local_aeqd, local_aeqd_transformers


@pytest.mark.parametrize("lon, lat", [(50.0, 51.0), (61.123456, 54.654321), (87.5, 49.2)])
def test_local_aeqd_transformers_are_those_of_its_crs_both_ways(lon, lat):
    rng = np.random.default_rng(0)
    x, y = rng.uniform(lon - 2, lon + 2, 1000), rng.uniform(lat - 1, lat + 1, 1000)
    fwd, inv = local_aeqd_transformers(lon, lat)
    crs = local_aeqd(lon, lat)
    want = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True).transform(x, y)
    assert np.array_equal(fwd.transform(x, y), want)
    back = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True).transform(*want)
    assert np.array_equal(inv.transform(*want), back)
    assert np.abs(np.subtract(back, (x, y))).max() < 1e-9
