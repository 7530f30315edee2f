"""Tests of borderzone.osm.prefilter: the osmium-tool cut of PBF files to a corridor."""

import os
import shutil

import osmium
import pytest
import shapely
from osm_helpers import write_pbf

from borderzone.errors import BorderzoneError, OsmDataError
from borderzone.osm.prefilter import osmium_binary, prefilter, unreadable

IN_CI = os.environ.get("CI") == "true"
HAS_OSMIUM = shutil.which("osmium") is not None or IN_CI
NEEDS_OSMIUM = pytest.mark.skipif(not HAS_OSMIUM, reason="osmium-tool not installed")


def test_engine_choice() -> None:
    assert osmium_binary("pyosmium") is None
    with pytest.raises(BorderzoneError, match="not one of"):
        osmium_binary("gdal")


def test_unreadable_names_the_file_on_one_line(tmp_path) -> None:
    error = unreadable(tmp_path / "x.osm.pbf", "first line\nInvalid BlobHeader size\n")
    assert isinstance(error, OsmDataError)
    assert str(error) == f"OSM file {tmp_path / 'x.osm.pbf'} is not a readable .osm.pbf: " + (
        "Invalid BlobHeader size"
    )


@NEEDS_OSMIUM
def test_prefilter_cuts_to_corridor_and_tags_and_merges(tmp_path) -> None:
    nodes = {1: (10.5, 10.5, {}), 2: (10.6, 10.5, {}), 3: (20.0, 20.0, {}), 4: (20.1, 20.0, {})}
    a = write_pbf(
        tmp_path / "a.osm.pbf",
        nodes,
        {10: ([1, 2], {"highway": "primary"}), 11: ([3, 4], {"highway": "primary"})},
    )
    b = write_pbf(tmp_path / "b.osm.pbf", nodes, {12: ([1, 2], {"building": "yes"})})
    out = prefilter(
        osmium_binary("osmium-tool"),
        [a, b],
        tag_filters=["w/highway=primary"],
        corridor=shapely.box(10, 10, 11, 11),
        tmp=tmp_path,
    )
    ways = [w.id for w in osmium.FileProcessor(str(out), osmium.osm.WAY)]
    assert ways == [10]


@NEEDS_OSMIUM
def test_prefilter_of_a_corrupt_file_names_it(tmp_path) -> None:
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all" * 20)
    with pytest.raises(OsmDataError, match="bad.osm.pbf is not a readable"):
        prefilter(
            osmium_binary("osmium-tool"),
            [bad],
            tag_filters=["w/highway"],
            corridor=None,
            tmp=tmp_path,
        )
