from pathlib import Path

import pytest

from borderzone.border.line import build_border
from borderzone.border.zones import build_zones
from borderzone.io import read_countries

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "data" / "rus_kaz_outlines.gpkg"


@pytest.fixture(scope="session")
def rus_kaz_countries():
    return read_countries(SHIPPED, iso3=["RUS", "KAZ"])


@pytest.fixture(scope="session")
def rus_kaz_border(rus_kaz_countries):
    return build_border(
        rus_kaz_countries,
        pair=["RUS", "KAZ"],
        snap_m=500,
        max_gap_km=10,
        segment_km=25,
        official_length_km=7644,
    )


@pytest.fixture(scope="session")
def rus_kaz_zones(rus_kaz_countries, rus_kaz_border):
    line = rus_kaz_border["border"].geometry.iloc[0]
    return {
        w: build_zones(
            line, rus_kaz_border["segments"], rus_kaz_countries, pair=["RUS", "KAZ"], width_km=w
        )
        for w in (10, 50)
    }
