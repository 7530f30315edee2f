import base64
import io

import geopandas as gpd
import numpy as np
import pytest
from deliverables_world import make_world
from PIL import Image
from shapely import Polygon, box

from borderzone.deliver.report_maps import (
    COUNTRY_FILLS,
    _context,
    _map_crossings,
    _map_metric,
    _pyplot,
    class_index,
    class_labels,
    class_scheme,
    log_breaks,
    metric_classes,
    ramp_colors,
    region_areas,
)


@pytest.fixture(scope="module")
def world():
    """The deliverables world, its two countries the bands 2° north and south of the line,
    each cut at 55°E into two named regions (admin_level 4), plus a district (level 6)."""
    w = make_world()
    c = np.asarray(w["border"].geometry.iloc[0].coords)
    north = Polygon(np.vstack([c, [[60, 53], [50, 53]]]))
    south = Polygon(np.vstack([c, [[60, 49], [50, 49]]]))
    w["countries"] = gpd.GeoDataFrame({"iso3": ["RUS", "KAZ"]}, geometry=[north, south], crs=4326)
    west, east = box(49, 48, 55, 54), box(55, 48, 61, 54)
    w["admin"] = gpd.GeoDataFrame(
        {
            "name": ["Westland", "Eastland", "Southwest", "Southeast", "Some District"],
            "name:en": [None, "East Land", None, None, None],
            "admin_level": ["4", "4", "4", "4", "6"],
        },
        geometry=[
            north.intersection(west),
            north.intersection(east),
            south.intersection(west),
            south.intersection(east),
            north.intersection(box(52, 51, 53, 53)),
        ],
        crs=4326,
    )
    w["cell_metrics"] = w["cells"].merge(
        w["metrics"].drop(columns=["area_km2"]), on=["seg_id", "side"]
    )
    return w


def test_quantile_classes_split_a_skewed_distribution_in_fifths():
    # 100 distinct values crowded towards 1: two thirds of them lie in the top fifth of
    # the range, so equal intervals would put most cells in the top class
    v = 1 - (np.arange(100) / 100) ** 4
    assert (v > v.min() + 0.8 * (v.max() - v.min())).sum() == 67
    edges = metric_classes(v, scheme="quantile")
    idx = class_index(v, edges)
    assert np.bincount(idx).tolist() == [20, 20, 20, 20, 20]
    # each class holds the next 20 values in order
    order = np.argsort(v)
    assert (idx[order] == np.repeat(np.arange(5), 20)).all()


def test_log_classes_of_a_skewed_density():
    # 50 cells of 1.5 people/km², 30 of 5, 15 of 50 and 5 of 400
    v = np.repeat([1.5, 5.0, 50.0, 400.0], [50, 30, 15, 5])
    edges = log_breaks(v)
    assert edges == [1, 3, 10, 30, 100, 300, 1000]
    assert np.bincount(class_index(v, edges), minlength=6).tolist() == [50, 30, 0, 15, 0, 5]
    assert class_labels(edges)[-1] == "300 – 1,000"
    assert metric_classes(v, scheme="log") == edges


def test_log_classes_start_at_zero_for_empty_cells():
    edges = log_breaks([0.0, 0.0, 2.0, 20.0, np.nan])
    assert edges == [0, 1, 3, 10, 30]
    assert class_index([0.0, 2.0, 20.0, np.nan], edges).tolist() == [0, 1, 3, -1]


def test_upper_edges_belong_to_their_class():
    assert class_index([1.0, 3.0, 3.0001, 10.0], [1, 3, 10]).tolist() == [0, 0, 1, 1]


def test_scheme_by_measure_and_unknown_scheme():
    assert class_scheme("pop_density_km2") == "log"
    assert class_scheme("isolation_index") == "quantile"
    assert class_scheme("time_to_crossing_min") == "quantile"
    with pytest.raises(ValueError, match="'equal'"):
        metric_classes([1, 2], scheme="equal")


def test_ramp_colors_interpolate_between_stops():
    assert ramp_colors(["#000000", "#ffffff"], 3) == ["#000000", "#808080", "#ffffff"]
    assert ramp_colors(["#ff0000", "#00ff00", "#0000ff"], 3) == ["#ff0000", "#00ff00", "#0000ff"]


def test_region_areas_are_level_4_named_in_english_where_they_can_be(world):
    r = region_areas(world["admin"])
    assert r["label"].tolist() == ["Westland", "East Land", "Southwest", "Southeast"]
    assert len(region_areas(None)) == 0


def test_context_names_the_regions_and_countries_in_view(world):
    plt = _pyplot()
    fig, ax = plt.subplots()
    _context(ax, (49.5, 48.5, 60.5, 53.5), world["countries"], world["admin"])
    texts = {t.get_text().replace("\n", " ") for t in ax.texts}
    plt.close(fig)
    assert texts == {"RUS", "KAZ", "Westland", "East Land", "Southwest", "Southeast"}
    # a view over the western half only names the western regions
    fig, ax = plt.subplots()
    _context(ax, (50, 48.5, 54, 53.5), world["countries"], world["admin"])
    texts = {t.get_text() for t in ax.texts}
    plt.close(fig)
    assert {"Westland", "Southwest"} <= texts and not {"East Land", "Southeast"} & texts


def _pixels(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    img = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert img.format == "PNG"
    return np.asarray(img.convert("RGB"))


def _share_of(pixels: np.ndarray, color: str) -> float:
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return float((pixels == rgb).all(axis=2).mean())


def test_metric_map_drawn_over_the_country_outlines(world):
    g = world["cell_metrics"]
    with_context = _pixels(
        _map_metric(
            g,
            "isolation_index",
            "Isolation",
            "YlOrRd",
            outlines=world["countries"],
            regions=world["admin"],
        )
    )
    without = _pixels(_map_metric(g, "isolation_index", "Isolation", "YlOrRd"))
    # the first country's fill shows around the cells only when the outlines are given
    assert _share_of(with_context, COUNTRY_FILLS[0]) > 0.02
    assert _share_of(without, COUNTRY_FILLS[0]) == 0


def test_crossings_map_drawn_over_the_country_outlines(world):
    pixels = _pixels(
        _map_crossings(
            world["border"],
            world["crossings"],
            outlines=world["countries"],
            regions=world["admin"],
        )
    )
    assert _share_of(pixels, COUNTRY_FILLS[0]) > 0.02
    assert _share_of(pixels, COUNTRY_FILLS[1]) > 0.02
