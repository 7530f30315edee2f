import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from metrics_helpers import box_cells, constant_rasters
from rasterio.transform import Affine
from servers import LocalServer, Reply

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.metrics import build_population, retrieve_worldpop
from borderzone.metrics.cells import cell_area_km2
from borderzone.metrics.population import (
    MIN_COVERAGE,
    WARN_COVERAGE,
    _zonal_sum,
    check_population_raster,
    population_stats,
    raster_coverage,
    region_population,
)


def test_constant_density_raster_in_any_crs(tmp_path):
    ea, ll = constant_rasters(tmp_path, 10.0)
    cells = box_cells(
        [(59.5, 49.5, 60.0, 50.0), (60.0, 49.5, 60.5, 50.2), (59.3, 50.2, 60.77, 50.61)]
    )
    # an odd-shaped one too
    tri = gpd.GeoDataFrame(
        {"seg_id": [4], "side": ["AAA"]},
        geometry=[shapely.Polygon([(59.4, 49.3), (60.6, 49.35), (60.1, 50.9)])],
        crs=WGS84,
    )
    cells = pd.concat([cells, tri], ignore_index=True)
    for raster in (ea, ll):
        stats = population_stats(cells, raster=raster)
        assert stats["pop_density_km2"].to_numpy() == pytest.approx(10.0, rel=0.005)
    # cells in a projected CRS give the same
    stats = population_stats(cells.to_crs(3857), raster=ll)
    assert stats["pop_density_km2"].to_numpy() == pytest.approx(10.0, rel=0.005)


def test_population_from_places():
    cells = box_cells([(59.0, 49.0, 60.0, 50.0), (60.0, 49.0, 61.0, 50.0)])
    places = gpd.GeoDataFrame(
        {"population": [20_000, 5000, np.nan, 3000]},
        geometry=shapely.points([(59.5, 49.5), (59.2, 49.2), (59.7, 49.1), (60.5, 49.5)]),
        crs=WGS84,
    )
    stats = population_stats(cells, places=places, rural_below=10_000)
    assert stats["population"].tolist() == [25_000, 3000]
    assert stats["n_settlements"].tolist() == [3, 1]
    assert stats["rural_share"].tolist() == pytest.approx([0.2, 1.0])
    area = cell_area_km2(cells).to_numpy()
    assert stats["pop_density_km2"].to_numpy() == pytest.approx([25_000 / area[0], 3000 / area[1]])


def test_population_totals_over_cells_match_the_raster(world):
    w, countries, _, zones = world
    cells, buffer = zones["cells"], zones["buffer"]
    stats = population_stats(cells, raster=w.population)
    inside = _zonal_sum(np.asarray(buffer.geometry.values), w.population).sum()
    assert stats["population"].sum() == pytest.approx(inside, rel=0.005)
    # the countries hold every person of the raster (its total is in its tags)
    with rasterio.open(w.population) as src:
        total = float(src.tags()["TOTAL_POPULATION"])
    assert _zonal_sum(np.asarray(countries.geometry.values), w.population).sum() == pytest.approx(
        total, rel=0.005
    )


def _lonlat_raster(path, value, west):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=32,
        height=32,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=Affine(0.01, 0, west, 0, -0.01, 51.0),
        nodata=-1,
        tiled=True,
        blockxsize=16,
        blockysize=16,
    ) as dst:
        dst.write(np.full((32, 32), value, dtype="float32"), 1)
    return path


def test_build_population_mosaics_with_the_first_raster_winning(tmp_path):
    a = _lonlat_raster(tmp_path / "a.tif", 1.0, west=60.0)
    b = _lonlat_raster(tmp_path / "b.tif", 2.0, west=60.28)  # overlaps a by 4 columns
    dest = build_population([a, b], tmp_path / "mosaic.tif")
    assert dest == tmp_path / "mosaic.tif" and not list(tmp_path.glob(".*"))
    with rasterio.open(dest) as src:
        data = src.read(1)
        assert src.crs.to_epsg() == 4326 and data.shape == (32, 60)
    assert (data[:, :32] == 1).all() and (data[:, 32:] == 2).all()


def test_retrieve_worldpop_downloads_once(tmp_path):
    body = b"II*\x00" + bytes(range(256)) * 4
    path = "/GIS/Population/XAA/xaa_ppp_2020_1km.tif"
    with LocalServer() as server:
        server.route("GET", path, default=Reply(body=body))
        dest = tmp_path / "worldpop" / "XAA.tif"
        assert retrieve_worldpop(server.url + path, dest=str(dest)) == dest
        assert dest.read_bytes() == body
        retrieve_worldpop(server.url + path, dest=dest)  # in place: no request
        assert len(server.requests_to(path)) == 1


def test_region_population_and_a_raster_without_crs(tmp_path):
    ea, _ = constant_rasters(tmp_path, 10.0)
    regions = box_cells([(59.5, 49.5, 60.5, 50.5)]).assign(name=["R"])
    regions = pd.concat([regions, regions.assign(geometry=None)], ignore_index=True)
    out = region_population(regions, ea)
    assert len(out) == 1 and out.crs == WGS84
    assert out["pop_density_km2"].iloc[0] == pytest.approx(10.0, rel=0.005)
    assert out["population"].iloc[0] == pytest.approx(10.0 * out["area_km2"].iloc[0])
    with pytest.raises(InputDataError, match="does not exist"):
        population_stats(regions.iloc[:1], raster=tmp_path / "none.tif")
    bare = tmp_path / "bare.tif"
    with rasterio.open(
        bare, "w", driver="GTiff", width=2, height=2, count=1, dtype="float32"
    ) as dst:
        dst.write(np.ones((2, 2), dtype="float32"), 1)
    with pytest.raises(InputDataError, match="no CRS"):
        population_stats(regions.iloc[:1], raster=bare)


# ------------------------------------------------------------------ the raster check

AREA = gpd.GeoDataFrame(geometry=[shapely.box(60.2, 50.2, 60.8, 50.8)], crs=WGS84)


def _raster(path, values, *, west=60.0, nodata=-1.0, count=1, crs="EPSG:4326"):
    """A 100 × 100 raster of 0.01° from (west, 51°N), every band ``values``."""
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=100,
        height=100,
        count=count,
        dtype="float32",
        crs=crs,
        transform=Affine(0.01, 0, west, 0, -0.01, 51.0),
        nodata=nodata,
    ) as dst:
        for band in range(1, count + 1):
            dst.write(np.asarray(values, dtype="float32"), band)
    return path


def _ones():
    return np.ones((100, 100))


def _not_a_raster(tmp_path):
    path = tmp_path / "pop.tif"
    path.write_text("<html>404 Not Found</html>\n")
    return path


def _a_folder(tmp_path):
    path = tmp_path / "pop.tif"
    path.mkdir()
    return path


def _truncated(tmp_path):
    whole = _raster(tmp_path / "whole.tif", np.arange(10_000).reshape(100, 100))
    path = tmp_path / "pop.tif"
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _nodata_west_of(col):
    def make(tmp_path):
        values = _ones()
        values[:, :col] = -1  # nodata
        return _raster(tmp_path / "pop.tif", values)

    return make


def _negative(tmp_path):
    values = _ones()
    values[50, 50] = -453.0
    return _raster(tmp_path / "pop.tif", values)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            _not_a_raster,
            "is not a readable raster: not recognized as being in a supported file format",
        ),
        (_a_folder, "is not a file"),
        (_truncated, "cannot be read (truncated or damaged?): "),
        (
            lambda p: _raster(p / "pop.tif", _ones(), count=3),
            "has 3 bands: one band of people per pixel is expected",
        ),
        (lambda p: _raster(p / "pop.tif", _ones(), crs=None), "has no CRS"),
        (
            lambda p: _raster(p / "pop.tif", _ones(), west=10.0),
            "does not overlap the corridor's land: the raster covers lon 10.00 to 11.00, lat "
            "50.00 to 51.00; the corridor's land lon 60.20 to 60.80, lat 50.20 to 50.80",
        ),
        (
            lambda p: _raster(p / "pop.tif", np.full((100, 100), -1.0)),
            "holds only nodata over the corridor's land",
        ),
        (
            _nodata_west_of(62),  # data over cols 62..80 of the area's 20..80: 30 %
            "holds data over only 30.0 % of the corridor's land (0.0 % outside its extent, "
            "70.0 % nodata); at least 50 % is needed",
        ),
        (
            lambda p: _raster(p / "pop.tif", _ones(), west=60.6),  # two thirds outside
            "holds data over only 33.3 % of the corridor's land (66.7 % outside its extent, "
            "0.0 % nodata); at least 50 % is needed",
        ),
        (
            _negative,
            "holds negative values over the corridor's land (down to -453); people per pixel "
            "cannot be negative: if -453 marks missing data, set it as the file's nodata value",
        ),
    ],
)
def test_a_bad_population_raster_is_refused_on_one_line(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InputDataError) as info:
        check_population_raster(path, area=AREA)
    text = str(info.value)
    assert text.startswith(f"population raster {path} ") and message in text, text
    assert "\n" not in text


def test_a_raster_half_outside_is_refused_only_below_half(tmp_path):
    # 50.0 % exactly passes with a warning: the refusal is below MIN_COVERAGE
    cover = raster_coverage(_raster(tmp_path / "pop.tif", _ones(), west=60.5), AREA)
    assert cover.data == pytest.approx(0.5, abs=0.002) and cover.nodata == 0.0
    assert MIN_COVERAGE == 0.5 and WARN_COVERAGE == 0.99


def test_a_raster_covering_most_of_the_area_passes_with_a_warning(tmp_path, caplog):
    path = _nodata_west_of(26)(tmp_path)  # nodata over cols 20..26: 10 % of the area
    with caplog.at_level("INFO", logger="borderzone"):
        cover = check_population_raster(path, area=AREA, name="the 10 km cells")
    assert cover.data == pytest.approx(0.9, abs=0.002)
    assert cover.nodata == pytest.approx(0.1, abs=0.002) and cover.outside == 0.0
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"population raster {path} holds data over 90.0 % of the 10 km cells (0.0 % outside "
        "its extent, 10.0 % nodata): no people are counted there"
    ]


def test_a_full_raster_in_any_crs_passes_without_a_warning(tmp_path, caplog):
    ea, ll = constant_rasters(tmp_path, 10.0)
    area = gpd.GeoDataFrame(geometry=[shapely.box(59.5, 49.5, 60.5, 50.5)], crs=WGS84)
    with caplog.at_level("WARNING", logger="borderzone"):
        for raster in (ea, ll):
            cover = check_population_raster(raster, area=area.to_crs(3857))
            assert cover.data == pytest.approx(1.0, abs=1e-6) and cover.minimum > 0
    assert not caplog.records


def test_the_synthetic_worlds_raster_covers_its_buffer(world, caplog):
    w, _, _, zones = world
    with caplog.at_level("WARNING", logger="borderzone"):
        cover = check_population_raster(w.population, area=zones["buffer"])
    assert cover.data >= WARN_COVERAGE and not caplog.records
