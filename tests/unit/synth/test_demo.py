"""Tests of borderzone.synth.demo: the rule's function says that its world is synthetic."""

import logging

import geopandas as gpd
import numpy as np
import shapely

from borderzone.crs import WGS84
from borderzone.synth import build_synthetic_world
from borderzone.synth.countries import procedural_countries


def test_build_synthetic_world_warns_and_writes(tmp_path, caplog):
    countries = procedural_countries(np.random.default_rng(0), ("XAA", "XBB"))
    corridor = gpd.GeoDataFrame(geometry=[shapely.box(58, 48, 65, 52)], crs=WGS84)
    with caplog.at_level(logging.WARNING, logger="borderzone.synth.demo"):
        world = build_synthetic_world(
            tmp_path, countries=countries, corridor=corridor, pair=["XAA", "XBB"], n_ways=200,
            seed=0,
        )  # fmt: skip
    assert "SYNTHETIC" in caplog.text
    assert all(p.exists() for p in (world.pbf, world.countries, world.truth, world.population))
    places = gpd.read_file(world.truth, layer="places")
    assert len(places) == 24  # no GeoNames places for user-assigned codes: generated
