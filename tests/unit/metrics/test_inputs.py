import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.metrics.inputs import (
    BOX_GRID_DEG,
    box_cover,
    check_frame,
    lonlat_bounds,
    place_population,
    to_conformal,
    to_lonlat,
)


def test_check_frame_names_what_is_wrong():
    with pytest.raises(InputDataError, match="roads must be a"):
        check_frame([1, 2], "roads")
    with pytest.raises(InputDataError, match="lacks column.*highway"):
        check_frame(pd.DataFrame({"a": [1]}), "roads", ["highway"])
    with pytest.raises(InputDataError, match="roads has no CRS"):
        check_frame(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]), "roads")
    check_frame(pd.DataFrame({"highway": []}), "roads", ["highway"])


def test_lonlat_geometries_bounds_and_conic():
    points = gpd.GeoDataFrame(geometry=[shapely.Point(60, 50), shapely.Point(60, 51)], crs=WGS84)
    geoms = to_lonlat(points.to_crs(3857))
    assert shapely.get_coordinates(geoms).ravel() == pytest.approx([60, 50, 60, 51])
    # no width: widened to a degree of longitude
    assert lonlat_bounds(geoms) == pytest.approx((59.5, 50.0, 60.5, 51.0))
    x, y = to_conformal(geoms).transform(60.0, 50.0)
    assert np.isfinite([x, y]).all()


def test_place_population_reads_numbers_and_zero_for_unknown():
    places = pd.DataFrame({"population": ["1200", None, "n/a", 30]})
    assert place_population(places).tolist() == [1200.0, 0.0, 0.0, 30.0]


def test_box_cover_keeps_every_point_of_a_box_and_none_far_from_them():
    rng = np.random.default_rng(3)
    points = np.c_[rng.uniform(40, 90, 200_000), rng.uniform(35, 60, 200_000)]
    boxes = np.array([[50.0, 40.0, 50.3, 40.2], [61.234, 52.1, 65.0, 52.15], [80, 55, 80, 55]])
    keep = box_cover(points, boxes)
    inside = np.zeros(len(points), dtype=bool)
    near = np.zeros(len(points), dtype=bool)  # within one cell of the grid of a box
    for x0, y0, x1, y1 in boxes:
        box_in = (points[:, 0] >= x0) & (points[:, 0] <= x1)
        box_in &= (points[:, 1] >= y0) & (points[:, 1] <= y1)
        inside |= box_in
        d = BOX_GRID_DEG
        grown = (points[:, 0] >= x0 - d) & (points[:, 0] <= x1 + d)
        near |= grown & (points[:, 1] >= y0 - d) & (points[:, 1] <= y1 + d)
    assert inside.sum() > 20
    assert keep[inside].all()
    assert not keep[~near].any()
    # a point exactly on a box's corner, and a box of no size holding one point
    on = np.array([[61.234, 52.1], [65.0, 52.15], [80.0, 55.0]])
    assert box_cover(on, boxes).all()
