"""Tests of borderzone.synth.population: the raster and its total."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio

from borderzone.synth.countries import procedural_countries
from borderzone.synth.layout import trace
from borderzone.synth.population import RURAL_DENSITY, write_population


def test_population_total(world):
    with rasterio.open(world.population) as src:
        data = src.read(1)
        tags = src.tags()
        assert src.crs is not None and src.nodata is not None
        assert src.crs.is_projected
    total = float(data.sum(dtype=np.float64))
    assert total == pytest.approx(float(tags["TOTAL_POPULATION"]), rel=1e-6)
    meta = pyogrio.read_info(world.truth, layer="crossings")["dataset_metadata"]
    assert float(meta["total_population"]) == pytest.approx(total, rel=1e-6)
    places = gpd.read_file(world.truth, layer="places")
    rural = data[data > 0].min()
    expected = places.population.sum() + (data > 0).sum() * 1.5
    assert total == pytest.approx(expected, rel=1e-3)
    assert rural == pytest.approx(1.5, rel=1e-3)
    assert (data >= 0).all()


def test_one_town_on_the_rural_floor(tmp_path):
    countries = procedural_countries(np.random.default_rng(0), ("XAA", "XBB"))
    line = trace(countries, pair=("XAA", "XBB")).line
    town = pd.DataFrame({"lon": [61.0], "lat": [51.0], "population": [50_000]})
    total = write_population(tmp_path / "p.tif", countries, line, town)
    with rasterio.open(tmp_path / "p.tif") as src:
        data = src.read(1)
        assert src.res == (1000.0, 1000.0) and src.tags()["UNITS"] == "people per pixel"
    inside = (data > 0).sum()
    assert total == pytest.approx(50_000 + RURAL_DENSITY * inside, rel=1e-5)
    assert data.max() > 300  # the town spread over ~5 px (sigma) around its pixel
