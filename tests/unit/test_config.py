"""Configuration checks: which run at each parse (no file opened) and which read the outlines."""

import re
from pathlib import Path

import pytest
from outlines import write_outlines
from world_outlines import write_world_outlines

import borderzone.config
from borderzone.config import (
    check_config,
    check_outlines,
    check_schema,
    check_widths,
    coerce_numbers,
    config_hash,
    is_user_assigned,
    longest_shared_m,
    pair_configs,
    shares_border,
    width_label,
)
from borderzone.errors import ConfigError
from borderzone.io import read_countries
from borderzone.osm.geofabrik_regions import geofabrik_regions_of
from tests.unit.test_read_countries import null_outline, touching_at_a_point

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture(scope="module")
def outlines(tmp_path_factory) -> Path:
    return write_outlines(tmp_path_factory.mktemp("data") / "outlines.gpkg")


@pytest.fixture
def garbage(tmp_path) -> Path:
    """An outlines file that exists but that no reader can open."""
    path = tmp_path / "garbage.gpkg"
    path.write_bytes(b"not a GeoPackage\n")
    return path


def config_for(outlines: Path, **overrides) -> dict:
    """A configuration as the workflow has it after the schema filled in the defaults."""
    config = {
        "pair": ["XAA", "XBB"],
        "buffers_km": [5, 20],
        "countries": {
            "source": "file",
            "file": str(outlines),
            "layer": "countries",
            "iso3_column": "iso3",
        },
        "border": {"snap_m": 500, "max_gap_km": 10},
        "osm": {"source": "synthetic", "geofabrik": {"regions": ["russia", "kazakhstan"]}},
        "population": {"source": "synthetic"},
        "admin": {"source": "osm"},
    }
    config.update(overrides)
    return config


def test_check_config_accepts_a_good_configuration(outlines):
    check_config(config_for(outlines))


def test_check_config_opens_no_file(garbage, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("check_config read the outlines file")

    monkeypatch.setattr(borderzone.config, "read_countries", fail)
    check_config(config_for(garbage))


def test_check_config_needs_the_outlines_file_to_exist(tmp_path):
    missing = tmp_path / "missing.gpkg"
    with pytest.raises(
        ConfigError, match=re.escape(f"countries.file: countries file {missing} does not")
    ):
        check_config(config_for(missing))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"pair": ["XAA", "ABC"]}, "pair: 'ABC' is not an ISO 3166-1 alpha-3 country code"),
        ({"pair": ["XAA", "XAA"]}, r"pair: the two countries are the same \(XAA\)"),
        ({"buffers_km": [5, 5.0]}, "buffers_km: widths .* repeat"),
        ({"osm": {"source": "pbf"}}, "osm.files: osm.source 'pbf' needs at least one"),
        ({"osm": {"source": "pbf", "files": ["no.pbf"]}}, "osm.files: no.pbf does not exist"),
        ({"population": {"source": "file"}}, "population.file: population.source 'file' needs"),
        ({"admin": {"source": "file", "file": "no.gpkg"}}, "admin.file: no.gpkg does not exist"),
    ],
)
def test_check_config_names_the_key_at_fault(outlines, override, message):
    with pytest.raises(ConfigError, match=message):
        check_config(config_for(outlines, **override))


def test_check_config_osm_outlines_need_osm_files(tmp_path):
    config = config_for(tmp_path / "not-needed.gpkg")
    config["countries"] = {**config["countries"], "source": "osm"}
    with pytest.raises(ConfigError, match="it needs osm.source pbf or geofabrik, not 'synthetic'"):
        check_config(config)
    config["osm"] = {"source": "geofabrik", "geofabrik": {"regions": ["kazakhstan"]}}
    config["population"] = {"source": "places"}
    check_config(config)  # the outlines file is not used, so need not exist


def test_check_outlines_accepts_a_pair_that_shares_a_border(outlines):
    check_outlines(config_for(outlines))


def test_check_outlines_names_the_file_when_the_pair_shares_no_border(outlines):
    with pytest.raises(ConfigError) as info:
        check_outlines(config_for(outlines, pair=["XAA", "XCC"]))
    message = str(info.value)
    assert message.startswith(f"pair: XAA and XCC share no border in {outlines} ")
    assert "border.snap_m=500 m" in message
    assert "\n" not in message


def test_check_outlines_names_a_missing_country(outlines):
    with pytest.raises(ConfigError, match=r"countries.file: .* has no outline for FRA"):
        check_outlines(config_for(outlines, pair=["XAA", "FRA"]))


def test_check_outlines_reads_the_file(garbage):
    with pytest.raises(
        ConfigError, match=re.escape(f"countries.file: countries file {garbage} cannot be")
    ):
        check_outlines(config_for(garbage))


def test_check_outlines_skips_osm_outlines(tmp_path):
    config = config_for(tmp_path / "missing.gpkg")
    config["countries"] = {**config["countries"], "source": "osm"}
    check_outlines(config)


def test_shares_border(outlines):
    countries = read_countries(outlines, iso3=["XAA", "XBB", "XCC"], layer="countries")
    assert shares_border(countries, pair=["XAA", "XBB"], snap_m=500)
    assert not shares_border(countries, pair=["XAA", "XCC"], snap_m=500)


def test_check_schema_names_the_key():
    with pytest.raises(ConfigError, match=r"^buffers_km\[0\]: 0 is less than or equal to"):
        check_schema({"buffers_km": [0]}, str(SCHEMA))
    with pytest.raises(ConfigError, match="'buffer_km' was unexpected"):
        check_schema({"buffer_km": [5]}, str(SCHEMA))
    check_schema({"buffers_km": [5, 7.5]}, str(SCHEMA))


def test_coerce_numbers_turns_command_line_strings_into_numbers():
    config = {
        "buffers_km": ["7.5", "20", 5, "wide"],
        "chunks": {"count": "6", "halo_km": "250.5"},
        "pair": ["RUS", "KAZ"],
        "pairs": [{"pair": ["ARG", "CHL"], "border": {"reverse": "true", "snap_m": "500"}}],
        "osm": {"geofabrik": {"regions": ["100"]}},
    }
    coerce_numbers(config, str(SCHEMA))
    assert config["buffers_km"] == [7.5, 20, 5, "wide"]
    assert isinstance(config["buffers_km"][1], int)
    assert config["chunks"] == {"count": 6, "halo_km": 250.5}
    assert config["pairs"][0]["border"] == {"reverse": True, "snap_m": 500}
    # text stays text where the schema asks for text
    assert config["pair"] == ["RUS", "KAZ"] and config["osm"]["geofabrik"]["regions"] == ["100"]
    check_schema(config | {"buffers_km": [7.5, 20]}, str(SCHEMA))


def test_width_label_and_user_assigned_codes():
    assert [width_label(w) for w in (10, 7.5, 20.0)] == ["10", "7.5", "20"]
    assert all(is_user_assigned(c) for c in ("AAB", "QMA", "XAA", "ZZZ"))
    assert not any(is_user_assigned(c) for c in ("ABC", "QAA", "RUS", "ZYX"))


def test_config_hash_ignores_key_order():
    assert config_hash({"a": 1, "b": [2]}) == config_hash({"b": [2], "a": 1})
    assert len(config_hash({"a": 1})) == 64
    assert config_hash({"a": 1}) != config_hash({"a": 2})


WIDTH_WILDCARD = r"\d+(\.\d+)?"  # workflow/rules/common.smk


@pytest.mark.parametrize(
    ("width", "label"),
    [(0.001, "0.001"), (7.5, "7.5"), (12.25, "12.25"), (100, "100"), (1000.0, "1000")],
)
def test_width_labels_round_trip_through_the_wildcard(width, label):
    assert width_label(width) == label
    assert re.fullmatch(WIDTH_WILDCARD, label) and float(label) == width
    check_widths([width])


def test_every_finite_width_gets_a_label_that_round_trips():
    for width in (1e-9, 5e-5, 0.1 + 0.2, 999.999, 1e-300):
        label = width_label(width)
        assert re.fullmatch(WIDTH_WILDCARD, label) and float(label) == width, label


@pytest.mark.parametrize(
    ("widths", "message"),
    [
        (
            [1e-9],
            "buffers_km: 1e-09 km is not a whole number of metres; give each width in km with "
            "at most 3 decimals (at least 0.001)",
        ),
        (
            [5, 12.3456],
            "buffers_km: 12.3456 km is not a whole number of metres; give each width in km "
            "with at most 3 decimals (at least 0.001)",
        ),
        ([float("nan")], "buffers_km: nan is not a width in km; give a number"),
        ([5, 5.0], "buffers_km: widths [5, 5.0] repeat"),
    ],
)
def test_widths_that_cannot_be_labelled_are_refused(outlines, widths, message):
    with pytest.raises(ConfigError) as info:
        check_config(config_for(outlines, buffers_km=widths))
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"countries": "DIR"},
            "countries.file: countries file DIR is a directory, not a vector file; give the "
            "file itself",
        ),
        (
            {"population": {"source": "file", "file": "DIR"}},
            "population.file: DIR is a directory, not a GeoTIFF; give the file itself",
        ),
        (
            {"osm": {"source": "pbf", "files": ["DIR"]}},
            "osm.files: DIR is a directory, not an .osm.pbf file; give the file itself",
        ),
        (
            {"admin": {"source": "file", "file": "DIR"}},
            "admin.file: DIR is a directory, not a vector file; give the file itself",
        ),
    ],
)
def test_a_directory_where_a_file_is_expected_is_named_as_one(
    tmp_path, outlines, override, message
):
    folder = tmp_path / "folder"
    folder.mkdir()
    if override.pop("countries", None):
        config = config_for(folder)
    else:
        key, value = next(iter(override.items()))
        value = {
            k: ([str(folder)] if isinstance(v, list) else str(folder)) if "DIR" in str(v) else v
            for k, v in value.items()
        }
        config = config_for(outlines, **{key: value})
    with pytest.raises(ConfigError) as info:
        check_config(config)
    assert str(info.value) == message.replace("DIR", str(folder))


def test_check_outlines_catches_a_pair_that_touches_at_a_point(tmp_path):
    path = touching_at_a_point(tmp_path / "outlines.gpkg")
    with pytest.raises(ConfigError) as info:
        check_outlines(config_for(path))
    assert str(info.value) == (
        f"pair: XAA and XBB touch only at a point in {path} (near 64.000, 50.000): their "
        "outlines run within border.snap_m=500 m of each other along 1.0 km at most, less "
        "than the 1 km (2 x border.snap_m) a border needs; check the pair and the outlines"
    )


def test_longest_shared_stretch(outlines, tmp_path):
    countries = read_countries(outlines, iso3=["XAA", "XBB", "XCC"], layer="countries")
    length_m, (lon, lat) = longest_shared_m(countries, pair=["XAA", "XBB"], snap_m=500)
    assert 890e3 < length_m < 910e3  # the whole border: 12° of longitude near 50°N, winding
    assert 58 < lon < 70 and 49 < lat < 51
    touching = read_countries(touching_at_a_point(tmp_path / "t.gpkg"), iso3=["XAA", "XBB"])
    length_m, where = longest_shared_m(touching, pair=["XAA", "XBB"], snap_m=500)
    assert length_m < 1000
    assert where == pytest.approx((64.0, 50.0), abs=0.01)


def test_check_outlines_names_a_null_outline(tmp_path):
    path = null_outline(tmp_path / "outlines.gpkg")
    with pytest.raises(ConfigError) as info:
        check_outlines(config_for(path))
    assert str(info.value) == (
        f"countries.file: countries file {path}: the outline of XBB (feature 2) is NULL; give "
        "it a polygon or remove the row"
    )


# Many pairs in one run: pairs and neighbours_of (borderzone.config.pair_configs).


def world_config(world: Path, **overrides) -> dict:
    """A validated configuration on the world of tests/world_outlines.py."""
    return config_for(world, **{"pair": ["RUS", "KAZ"], "official_length_km": 7644, **overrides})


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    return write_world_outlines(tmp_path_factory.mktemp("world") / "world.gpkg")


def test_pair_alone_is_one_pair_with_the_run_s_settings(outlines):
    config = config_for(outlines, official_length_km=900)
    configs = pair_configs(config)
    assert list(configs) == ["XAA-XBB"]
    assert configs["XAA-XBB"] == config  # the same keys, so the same hashes as before


def test_pairs_run_each_pair_with_its_own_settings(world, tmp_path):
    other = write_world_outlines(tmp_path / "other.gpkg", iso3_column="code")
    config = world_config(
        world,
        pairs=[
            ["XAA", "XBB"],
            {
                "pair": ["XBB", "XCC"],
                "official_length_km": 450,
                "countries": {"file": str(other), "iso3_column": "code"},
            },
        ],
    )
    check_config(config)
    configs = pair_configs(config)
    assert list(configs) == ["XAA-XBB", "XBB-XCC"]
    first, second = configs.values()
    assert first["pair"] == ["XAA", "XBB"] and second["pair"] == ["XBB", "XCC"]
    # a published length names one border: the top-level one is pair's, not every pair's
    assert first["official_length_km"] is None and second["official_length_km"] == 450
    assert first["countries"] == config["countries"]
    assert second["countries"] == {**config["countries"], "file": str(other), "iso3_column": "code"}
    assert "pairs" not in first and first["border"] == config["border"]
    check_outlines(first, key="pairs[0]")
    check_outlines(second, key="pairs[1]")


def test_a_pair_s_border_settings_update_the_run_s(world):
    config = world_config(
        world,
        border={"snap_m": 300, "max_gap_km": 10, "min_part_km": 5, "reverse": False},
        pairs=[
            ["XAA", "XBB"],
            {"pair": ["XBB", "XCC"], "border": {"max_gap_km": 40, "reverse": True}},
        ],
    )
    check_config(config)
    first, second = pair_configs(config).values()
    assert first["border"] == config["border"]
    assert second["border"] == {"snap_m": 300, "max_gap_km": 40, "min_part_km": 5, "reverse": True}
    assert config["border"]["reverse"] is False  # the run's settings are not changed


def test_a_pair_s_unknown_border_setting_is_refused(world, tmp_path):
    config = world_config(world)
    config["pairs"] = [{"pair": ["XAA", "XBB"], "border": {"max_gap": 40}}]
    with pytest.raises(ConfigError, match="max_gap"):
        check_schema(config, str(SCHEMA))


def test_a_pair_s_settings_do_not_depend_on_the_other_pairs(world):
    alone = pair_configs(world_config(world, pairs=[["XAA", "XBB"]]))
    more = pair_configs(world_config(world, pairs=[["XAA", "XBB"], ["XBB", "XDD"]]))
    single = pair_configs(world_config(world, pair=["XAA", "XBB"], official_length_km=None))
    assert config_hash(alone["XAA-XBB"]) == config_hash(more["XAA-XBB"])
    assert config_hash(single["XAA-XBB"]) == config_hash(more["XAA-XBB"])


def test_geofabrik_regions_are_looked_up_unless_given(world):
    osm = {"source": "geofabrik", "geofabrik": {"regions": None}}
    config = world_config(
        world,
        osm=osm,
        population={"source": "places"},
        pairs=[
            ["RUS", "KAZ"],
            {"pair": ["RUS", "MNG"], "osm": {"geofabrik": {"regions": ["mongolia"]}}},
        ],
    )
    check_config(config)
    configs = pair_configs(config, regions_of=geofabrik_regions_of)
    assert configs["RUS-KAZ"]["osm"]["geofabrik"]["regions"] == ["russia", "asia/kazakhstan"]
    assert configs["RUS-MNG"]["osm"]["geofabrik"]["regions"] == ["mongolia"]
    config["pairs"].append(["XAA", "XBB"])
    with pytest.raises(ConfigError, match=r"^pairs\[2\]: no Geofabrik extract is known for XAA"):
        pair_configs(config, regions_of=geofabrik_regions_of)


def test_neighbours_of_runs_each_border_of_the_country(world):
    config = world_config(world, neighbours_of="XBB")
    check_config(config)
    configs = pair_configs(config, neighbours=["XAA", "XCC", "XDD"])
    assert list(configs) == ["XBB-XAA", "XBB-XCC", "XBB-XDD"]
    assert all(c["official_length_km"] is None for c in configs.values())
    assert all("neighbours_of" not in c for c in configs.values())


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (
            [["XAA", "XBB"], {"pair": ["XBB", "XCC"], "length": 4}],
            r"pairs\[1\]: Additional propert.*'length' was unexpected",
        ),
        (
            [["XAA", "XBB"], ["XAA", "XBB"]],
            r"pairs\[1\]: XAA-XBB is listed twice \(also as pairs\[0\]\)",
        ),
        ([["XAA", "XBB"], {"pair": ["XBB", "XAA"]}], r"pairs\[1\]: XBB-XAA is listed twice"),
        ([["XAA", "XBB"], ["XCC", "XCC"]], r"pairs\[1\]: the two countries are the same \(XCC\)"),
        ([["XAA", "ABC"]], r"pairs\[0\]: 'ABC' is not an ISO 3166-1 alpha-3 country code"),
        ([["XAA", "XBB", "XCC"]], r"pairs\[0\]: .* is too long"),
        (
            [{"pair": ["XAA", "XBB"], "countries": {"file": "missing.gpkg"}}],
            r"pairs\[0\]\.countries\.file: countries file missing.gpkg does not exist",
        ),
    ],
)
def test_a_bad_entry_of_pairs_is_one_line_naming_it(world, pairs, message):
    config = world_config(world, pairs=pairs)
    with pytest.raises(ConfigError) as err:
        check_schema(config, str(SCHEMA))
        check_config(config)
    assert "\n" not in str(err.value)
    assert re.match(message, str(err.value)), str(err.value)


def test_a_country_missing_from_the_outlines_is_one_line_naming_the_pair(world):
    config = world_config(world, pairs=[["XAA", "XBB"], ["XBB", "FRA"]])
    check_config(config)
    second = pair_configs(config)["XBB-FRA"]
    with pytest.raises(ConfigError) as err:
        check_outlines(second, key="pairs[1]")
    assert str(err.value) == (
        f"pairs[1]: countries file {world} has no outline for FRA in column 'iso3'"
    )


def test_pairs_and_neighbours_of_together_are_refused(world):
    config = world_config(world, pairs=[["XAA", "XBB"]], neighbours_of="XBB")
    with pytest.raises(ConfigError, match="^pairs, neighbours_of: give one of them"):
        check_config(config)
