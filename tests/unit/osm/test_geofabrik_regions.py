"""The Geofabrik extract of each country, and one download per extract for many pairs."""

from pathlib import Path

import pytest
import yaml

from borderzone.config import known_iso3
from borderzone.download import geofabrik_files, geofabrik_path
from borderzone.errors import ConfigError, DownloadError
from borderzone.osm.geofabrik_regions import GEOFABRIK_BY_ISO3, geofabrik_regions_of

REPO = Path(__file__).resolve().parents[3]
RUSSIAS_NEIGHBOURS = "NOR FIN EST LVA LTU POL BLR UKR GEO AZE KAZ CHN MNG PRK".split()
KAZAKHSTANS_NEIGHBOURS = "RUS CHN KGZ UZB TKM".split()
SPLIT_BORDERS = "ARG CHL USA CAN AUT CHE LIE FRA ESP AND CHN IND NPL BTN".split()


@pytest.mark.parametrize(
    "code", sorted({*RUSSIAS_NEIGHBOURS, *KAZAKHSTANS_NEIGHBOURS, *SPLIT_BORDERS})
)
def test_the_countries_named_have_an_extract(code):
    assert code in GEOFABRIK_BY_ISO3


def test_every_entry_is_a_country_and_a_geofabrik_path():
    assert set(GEOFABRIK_BY_ISO3) <= known_iso3()
    for path in GEOFABRIK_BY_ISO3.values():
        assert geofabrik_path(path) == path  # already a path, nothing to map


def test_russia_kazakhstan_reads_the_extracts_of_the_real_run():
    with open(REPO / "config" / "rus-kaz-osm.yaml") as f:
        named = yaml.safe_load(f)["osm"]["geofabrik"]["regions"]
    assert geofabrik_regions_of(["RUS", "KAZ"]) == [geofabrik_path(r) for r in named]


def test_an_extract_of_two_countries_is_read_once():
    assert geofabrik_regions_of(["ISR", "PSE"]) == ["asia/israel-and-palestine"]


def test_an_unknown_code_is_one_line_naming_it():
    with pytest.raises(ConfigError) as err:
        geofabrik_regions_of(["RUS", "XAA"], key="pairs[2]")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("pairs[2]: no Geofabrik extract is known for XAA")
    assert "osm.geofabrik.regions" in message


def test_pairs_sharing_an_extract_download_it_once():
    regions = [*geofabrik_regions_of(["RUS", "KAZ"]), *geofabrik_regions_of(["RUS", "MNG"])]
    assert geofabrik_files(regions) == {
        "russia": "russia",
        "kazakhstan": "asia/kazakhstan",
        "mongolia": "asia/mongolia",
    }


def test_two_extracts_with_one_file_name_are_refused():
    with pytest.raises(DownloadError, match="europe/georgia and north-america/us/georgia"):
        geofabrik_files(["europe/georgia", "north-america/us/georgia"])
