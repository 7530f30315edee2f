"""Tests of borderzone.synth.world: the written files, read back with real readers."""

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import pytest
import shapely
from synth_helpers import border_of, read_extract, to_local

from borderzone.errors import InputDataError
from borderzone.synth.world import generate_world


def test_files_open(world):
    assert all(Path(p).exists() for p in (world.pbf, world.countries, world.truth))
    countries = gpd.read_file(world.countries, layer="countries")
    assert list(countries.iso3) == ["XAA", "XBB"]
    assert {"iso3", "name"} <= set(countries.columns)
    assert countries.crs.to_epsg() == 4326
    assert countries.is_valid.all()
    assert pyogrio.list_layers(world.truth)[:, 0].tolist() == [
        "crossings",
        "non_crossings",
        "places",
        "rivers",
        "districts",
    ]


def test_same_seed_same_bytes_other_seed_differs(world, tmp_path):
    again = generate_world(tmp_path / "again", n_ways=300, seed=0)
    other = generate_world(tmp_path / "other", n_ways=300, seed=1)

    def digest(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()

    for name in ("pbf", "countries", "truth", "population"):
        assert digest(getattr(again, name)) == digest(getattr(world, name)), name
    assert digest(other.pbf) != digest(world.pbf)


def test_truth_metadata(world):
    meta = pyogrio.read_info(world.truth, layer="crossings")["dataset_metadata"]
    assert meta["seed"] == "0" and meta["n_ways"] == "300" and meta["pair"] == "XAA-XBB"
    assert meta["generator"] == "borderzone.synth.world"


def test_far_ways_lie_far_from_the_border(tmp_path):
    w = generate_world(tmp_path, n_ways=600, seed=3, far_fraction=0.5)
    ex = read_extract(w.pbf)
    line = border_of(w, ("XAA", "XBB"))
    lat_max = shapely.get_coordinates(line)[:, 1].max()
    far = [c for t, c, _ in ex.ways.values() if c[:, 1].min() > lat_max + 2.8]
    assert len(far) >= 200
    geod = pyproj.Geod(ellps="WGS84")
    # the nearest border point of the first vertex of each far way is more than 300 km away
    for c in far[:20]:
        nearest = shapely.ops.nearest_points(line, shapely.Point(c[0]))[0]
        assert geod.inv(nearest.x, nearest.y, *c[0])[2] > 300_000


def test_rus_kaz_world(rus_kaz):
    truth = gpd.read_file(rus_kaz.truth, layer="crossings")
    line = border_of(rus_kaz, ("RUS", "KAZ"))
    assert truth.in_gap.sum() == 1 and truth.transit.sum() == 2
    for p in truth.geometry:
        assert to_local(line, p.x, p.y).distance(to_local(p, p.x, p.y)) <= 1.0
    ex = read_extract(rus_kaz.pbf)
    iso = {t["ISO3166-1:alpha3"] for _, t, g in ex.areas if t.get("admin_level") == "2"}
    assert iso == {"RUS", "KAZ"}
    gap = truth[truth.in_gap].iloc[0]
    tags, coords, _ = ex.ways[int(gap.osm_ids)]
    p = gap.geometry
    hit = to_local(line, p.x, p.y).intersection(to_local(shapely.LineString(coords), p.x, p.y))
    assert hit.distance(shapely.Point(0, 0)) < 1.0


def test_only_the_truth_ways_meet_the_border(world, extract, border, truth):
    listed = {int(i) for ids in truth.osm_ids for i in ids.split(",")}
    non = gpd.read_file(world.truth, layer="non_crossings")
    listed |= set(non.osm_id.astype(int))
    ways = extract.ways.items()
    ids = [i for i, (t, c, _) in ways if not {"boundary", "waterway"} & set(t) and len(c) > 1]
    lines = [shapely.LineString(extract.ways[i][1]) for i in ids]
    meets = {ids[k] for k in np.flatnonzero(shapely.dwithin(lines, border, 1e-6))}
    assert meets == listed
    # of the rivers, only the one the truth lists as crossing meets the line
    rivers = gpd.read_file(world.truth, layer="rivers")
    water = [(t.get("name"), c) for t, c, _ in extract.ways.values() if "waterway" in t]
    wet = {
        n for n, c in water if len(c) > 1 and shapely.dwithin(shapely.LineString(c), border, 1e-6)
    }
    assert wet == set(rivers.loc[rivers["kind"] == "crossing", "name"])


def test_bad_arguments(tmp_path, rus_kaz_countries):
    with pytest.raises(ValueError, match="far_fraction"):
        generate_world(tmp_path, far_fraction=1.5)
    with pytest.raises(InputDataError, match="places lack columns"):
        generate_world(tmp_path, places=gpd.GeoDataFrame({"name": ["x"]}))
    with pytest.raises(InputDataError, match="no CRS"):
        generate_world(tmp_path, countries=rus_kaz_countries.set_crs(None, allow_override=True))
