import geopandas as gpd
import pytest

from borderzone.border.line import build_border
from borderzone.border.zones import build_zones
from borderzone.synth.world import generate_world


@pytest.fixture(scope="package")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    w = generate_world(out, n_ways=300)
    countries = gpd.read_file(w.countries)
    pair = list(countries["iso3"])
    layers = build_border(countries, pair=pair, snap_m=500, max_gap_km=10, segment_km=25)
    zones = build_zones(
        layers["border"].geometry.iloc[0], layers["segments"], countries, pair=pair, width_km=25
    )
    return w, countries, layers, zones
