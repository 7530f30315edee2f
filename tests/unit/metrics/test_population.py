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
from borderzone.metrics.population import _zonal_sum, population_stats, region_population


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
