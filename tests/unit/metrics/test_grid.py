import os
import stat

import numpy as np
import pytest
import rasterio
import shapely
from metrics_helpers import GRID_CRS as CRS
from metrics_helpers import grid, lines
from rasterio.features import rasterize

from borderzone.metrics.grid import burn_lines, write_cog
from borderzone.metrics.rasters import distance_to_road_km


def test_cog_layout_crs_nodata_and_units(tmp_path):
    g = grid(1200, res=100.0)
    roads = lines(g, [[(600, 0), (600, 1199)]], highway=["track"])
    d = distance_to_road_km(roads, g)
    d[:10] = np.nan
    path = tmp_path / "distance.tif"
    write_cog(path, d, g, units="km", description="distance to road")
    with rasterio.open(path) as src:
        assert src.crs is not None and src.crs.to_wkt() == CRS.to_wkt() or src.crs == CRS.to_wkt()
        assert src.nodata == -9999.0
        assert src.profile["tiled"] or src.block_shapes[0][0] < src.height
        assert src.block_shapes[0] == (512, 512)
        assert src.overviews(1)
        assert src.tags()["UNITS"] == "km"
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT", "COG") == "COG"
        a = src.read(1, masked=True)
        assert a.mask[:10].all() and not a.mask[10:].any()
        assert float(a[600, 3]) == 0.0 and float(a[700, 3]) == pytest.approx(10.0)
    assert not list(tmp_path.glob(".*"))  # no temporary files left


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_a_cog_has_the_permissions_of_the_umask_as_a_plain_file_beside_it(tmp_path, umask):
    g = grid(300, res=100.0)
    old = os.umask(umask)
    try:
        write_cog(tmp_path / "d.tif", np.ones(g.shape), g, units="km", description="d")
        (tmp_path / "plain.txt").write_text("x")
    finally:
        os.umask(old)
    modes = [stat.S_IMODE((tmp_path / name).stat().st_mode) for name in ("d.tif", "plain.txt")]
    assert modes == [0o666 & ~umask] * 2


def test_burnt_lines_are_the_pixels_rasterio_burns_for_the_geometries_themselves():
    g = grid(60)
    line = shapely.LineString([(500.0, 500.0), (40_300.0, 23_700.0), (59_500.0, 700.0)])
    multi = shapely.MultiLineString(
        [[(3_000.0, 59_000.0), (3_000.0, 2_000.0)], [(0, 0), (9e3, 9e3)]]
    )
    later = shapely.LineString([(0.0, 30_100.0), (59_999.0, 30_100.0)])
    same = shapely.LineString([(30_100.0, 0.0), (30_100.0, 59_999.0)])  # a run of two 5s
    last = shapely.LineString([(0.0, 100.0), (59_999.0, 59_900.0)])  # over all of them
    geoms = np.array([line, None, multi, shapely.LineString(), later, same, last], dtype=object)
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 6.0])
    kept = [0, 2, 4, 5, 6]
    expected = rasterize(
        zip(geoms[kept], values[kept], strict=True),
        out_shape=g.shape,
        transform=g.transform,
        all_touched=True,
        dtype="float32",
    )
    burnt = burn_lines(geoms, g, values)
    assert (burnt == expected).all()
    assert set(np.unique(burnt)) == {0.0, 1.0, 3.0, 5.0, 6.0}  # later lines over earlier ones


def test_lines_of_many_vertices_a_pixel_burn_the_pixels_of_all_their_vertices():
    """Random walks of ~20 vertices a pixel, and walks along pixel edges and through corners."""
    g = grid(40)
    rng = np.random.default_rng(5)
    walks = [
        shapely.LineString(start + np.cumsum(rng.normal(0, 60.0, (400, 2)), axis=0))
        for start in rng.uniform(2_000, 38_000, (30, 2))
    ]
    # vertices on the edges and corners of pixels, and a run inside one pixel that turns back
    on_edges = shapely.LineString([(5_000.0, y) for y in np.arange(3_000.0, 9_000.0, 250.0)])
    corners = shapely.LineString([(1_000.0 * k, 1_000.0 * k) for k in range(3, 30)])
    back = shapely.LineString([(20_100, 20_100), (20_900, 20_500), (20_200, 20_800), (21_500, 1e4)])
    # short lines one after another in one pixel, the last of them leaving it
    short = [shapely.LineString([(30_100 + d, 30_100), (30_200 + d, 30_300)]) for d in (0, 300)]
    leaving = shapely.LineString([(30_500, 30_500), (30_600, 30_600), (35_000, 36_000)])
    geoms = np.array([*walks, on_edges, corners, back, *short, leaving], dtype=object)
    values = rng.integers(1, 5, len(geoms)).astype(float)
    expected = rasterize(
        zip(geoms, values, strict=True),
        out_shape=g.shape,
        transform=g.transform,
        all_touched=True,
        dtype="float32",
    )
    assert (burn_lines(geoms, g, values) == expected).all()
