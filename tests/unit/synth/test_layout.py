"""Tests of borderzone.synth.layout: border coordinates and the placement of features."""

import numpy as np
import shapely

from borderzone.geodesy import GEOD
from borderzone.synth.countries import procedural_countries
from borderzone.synth.features import Feature, Way, design_features
from borderzone.synth.layout import FEATURE_SPACING_M, Frame, layout, place_features, trace
from borderzone.synth.osm_writer import Osm


def _border():
    countries = procedural_countries(np.random.default_rng(0), ("XAA", "XBB"))
    return countries, trace(countries, pair=("XAA", "XBB"))


def test_border_chainage_points_lie_on_the_line():
    _, border = _border()
    assert 450_000 < border.length < 700_000 and len(border.gaps) == 1
    s = np.linspace(0, border.length, 50)
    pts = border.points(s)
    assert shapely.distance(shapely.points(pts), border.line).max() < 1e-9
    assert (pts[[0, -1]] == border.coords[[0, -1]]).all()
    a, b = border.points(np.array([100_000.0, 101_000.0]))
    assert abs(GEOD.inv(*a, *b)[2] - 1000.0) < 1.0  # chainage is geodesic
    g0, g1 = border.gaps[0]
    assert border.in_gap((g0 + g1) / 2) and not border.in_gap(g0 - 1.0)
    assert border.near_a_gap(g0 - 1.0, 10.0)
    assert border.snap(float(border.chain[10]) + 20.0) == float(border.chain[10])


def test_frame_offsets_point_to_side_a():
    countries, border = _border()
    frame = Frame(border, 250_000.0)
    on, a, b = frame.xy([(0.0, 0.0), (0.0, 3000.0), (0.0, -3000.0)])
    assert (on == border.point(250_000.0)).all()
    assert shapely.contains_xy(countries.geometry.iloc[0], *a)
    assert shapely.contains_xy(countries.geometry.iloc[1], *b)
    assert abs(GEOD.inv(*on, *a)[2] - 3000.0) < 30.0
    back = frame.inv(frame.fwd(np.array([a, b])))
    assert np.allclose(back, [a, b], atol=1e-12)


def test_layout_refuses_a_way_that_does_not_cross_as_designed():
    _, border = _border()
    frame = Frame(border, 250_000.0)
    good = Feature(
        "x", "road", [Way([(0.0, 500.0), (0.0, 0.0), (0.0, -500.0)], {}, crosses_at=[0.0])], [0.0]
    )
    assert layout(good, frame) is not None
    stays = Feature("y", "road", [Way([(0.0, 500.0), (10.0, 600.0)], {}, crosses_at=[0.0])], [0.0])
    assert layout(stays, frame) is None


def test_place_features_spaces_them_and_adds_their_ways():
    _, border = _border()
    osm = Osm()
    feats = design_features(np.random.default_rng(0), border_length=border.length)
    placed = place_features(feats, border, osm)
    assert [p.feature.name for p in placed] == [f.name for f in feats]
    assert len(osm.ways) == sum(len(f.ways) for f in feats)
    crossings = sorted(p.frame.s0 + u for p in placed for u in p.feature.crossings)
    gaps = np.diff(crossings)
    assert (gaps[gaps > 5000] >= FEATURE_SPACING_M).all()
    in_gap = next(p for p in placed if p.feature.name == "in_gap")
    assert border.in_gap(in_gap.frame.s0)
    area = next(w for w in osm.ways if w[2].get("area") == "yes")
    assert area[1][0] == area[1][-1]  # the checkpoint area is a closed way
