"""Tests of borderzone.osm.countries: outlines from admin_level=2 relations in PBF files."""

import os
import shutil
from pathlib import Path

import pytest
import shapely
from osm_helpers import write_pbf

from borderzone.errors import OsmDataError
from borderzone.osm.countries import build_countries_from_osm

# Locally a missing osmium-tool skips its tests; in CI (CI=true) they must run.
IN_CI = os.environ.get("CI") == "true"
HAS_OSMIUM = shutil.which("osmium") is not None or IN_CI
NEEDS_OSMIUM = pytest.mark.skipif(not HAS_OSMIUM, reason="osmium-tool not installed")
ENGINES = ["pyosmium", pytest.param("osmium-tool", marks=NEEDS_OSMIUM)]


def two_countries(path: Path) -> Path:
    """AAA = box(0,0,1,1), BBB = box(1,0,2,1); land border x=1 for y 0.5..1, sea below."""
    nodes = {
        1: (1.0, 1.0, {}),
        2: (1.0, 0.5, {}),
        3: (1.0, 0.0, {}),
        4: (0.0, 1.0, {}),
        5: (0.0, 0.0, {}),
        6: (2.0, 1.0, {}),
        7: (2.0, 0.0, {}),
    }
    ways = {
        10: ([1, 2], {"boundary": "administrative", "admin_level": "2"}),  # land border
        11: ([2, 3], {"boundary": "administrative", "admin_level": "2", "maritime": "yes"}),
        12: ([1, 4, 5, 3], {"boundary": "administrative", "admin_level": "2"}),  # A, land side
        13: ([1, 6, 7, 3], {"boundary": "administrative", "admin_level": "2"}),
    }
    tags = {"type": "boundary", "boundary": "administrative", "admin_level": "2"}
    relations = {
        100: (
            [("w", 10, "outer"), ("w", 11, "outer"), ("w", 12, "outer")],
            {**tags, "ISO3166-1:alpha3": "AAA", "name": "A"},
        ),
        101: (
            [("w", 10, "outer"), ("w", 11, "outer"), ("w", 13, "outer")],
            {**tags, "ISO3166-1:alpha3": "BBB", "name": "B"},
        ),
    }
    return write_pbf(path, nodes, ways, relations)


@pytest.mark.parametrize("engine", ENGINES)
def test_country_outlines_without_maritime_border(tmp_path, engine):
    path = two_countries(tmp_path / "countries.osm.pbf")
    out = build_countries_from_osm([path], iso3=["BBB", "AAA"], engine=engine)
    assert out.iso3.tolist() == ["BBB", "AAA"]
    assert out.crs.to_epsg() == 4326
    a = out.set_index("iso3").geometry["AAA"]
    b = out.set_index("iso3").geometry["BBB"]
    assert a.is_valid and b.is_valid
    assert a.geom_type == "MultiPolygon"
    # the land border is shared, the maritime one is not: 1000 m each side is cut out
    shared = a.intersection(b)
    assert shared.length == pytest.approx(0.5, abs=1e-6)
    lo, hi = (
        shapely.get_coordinates(shared)[:, 1].min(),
        shapely.get_coordinates(shared)[:, 1].max(),
    )
    assert (lo, hi) == pytest.approx((0.5, 1.0))
    sea = shapely.LineString([(1.0, 0.0), (1.0, 0.49)])
    assert a.distance(sea) > 0.008 and b.distance(sea) > 0.008  # ~0.009 deg = 1 km
    # only a band along the maritime way is removed
    assert a.area == pytest.approx(1.0 - 0.5 * 0.009, rel=0.01)


def test_country_missing(tmp_path):
    path = two_countries(tmp_path / "countries.osm.pbf")
    with pytest.raises(OsmDataError, match="CCC"):
        build_countries_from_osm([path], iso3=["AAA", "CCC"], engine="pyosmium")
