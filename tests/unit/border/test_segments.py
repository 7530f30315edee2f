import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from borderzone.border.line import build_border
from borderzone.border.segments import cut_segments
from borderzone.geodesy import geodesic_length_km
from borderzone.io import read_countries
from tests.parts_outlines import write_parts_outlines


def test_rus_kaz_segments_sum_to_border_length(rus_kaz_border):
    border = rus_kaz_border["border"]
    segments = rus_kaz_border["segments"]
    total = border["length_km"].iloc[0]
    assert segments["length_km"].sum() == pytest.approx(total, rel=1e-4)
    measured = geodesic_length_km(segments.geometry.values)
    assert measured.sum() == pytest.approx(total, rel=1e-4)
    assert np.allclose(measured[:-1], 25, rtol=1e-6)
    assert 0 < measured[-1] <= 25 + 1e-6
    assert list(segments["seg_id"]) == list(range(1, len(segments) + 1))
    assert np.allclose(segments["from_km"].to_numpy()[1:], segments["to_km"].to_numpy()[:-1])


def test_segments_join_end_to_end(rus_kaz_border):
    geoms = rus_kaz_border["segments"].geometry.values
    ends = shapely.get_coordinates(shapely.get_point(geoms, -1))[:-1]
    starts = shapely.get_coordinates(shapely.get_point(geoms, 0))[1:]
    assert np.abs(ends - starts).max() < 1e-9


def test_same_line_same_segments(rus_kaz_border):
    line = rus_kaz_border["border"].geometry.iloc[0]
    a = cut_segments(line, segment_km=25)
    b = cut_segments(line, segment_km=25)
    assert a.equals(b)


@settings(max_examples=40, deadline=None)
@given(
    lon0=st.floats(-170, 150),
    lat0=st.floats(-70, 70),
    steps=st.lists(st.tuples(st.floats(0.01, 2), st.floats(-1, 1)), min_size=1, max_size=30),
    segment_km=st.floats(0.5, 300),
)
def test_random_lines_cut_exactly(lon0, lat0, steps, segment_km):
    coords = np.cumsum(np.array([(lon0, lat0), *steps]), axis=0)
    coords[:, 1] = np.clip(coords[:, 1], -80, 80)
    line = shapely.LineString(coords)
    total = geodesic_length_km(line)
    segments = cut_segments(line, segment_km=segment_km)
    lengths = geodesic_length_km(segments.geometry.values)
    assert lengths.sum() == pytest.approx(total, rel=1e-6, abs=1e-6)
    assert np.allclose(lengths, segments["length_km"], rtol=1e-6, atol=1e-6)
    assert len(segments) == max(int(np.ceil(total / segment_km - 1e-9)), 1)


def test_segments_of_a_border_in_parts_never_span_two_parts(tmp_path):
    path = write_parts_outlines(tmp_path / "c.gpkg")
    layers = build_border(
        read_countries(path, iso3=["XAA", "XBB"]),
        pair=["XAA", "XBB"],
        snap_m=500,
        max_gap_km=10,
        segment_km=25,
    )
    border, segments = layers["border"], layers["segments"]
    assert segments["seg_id"].tolist() == list(range(1, len(segments) + 1))
    assert segments["part_id"].is_monotonic_increasing
    assert set(segments["part_id"]) == {1, 2, 3}
    for part in border.itertuples():
        own = segments[segments["part_id"] == part.part_id]
        # on the part's own line, and far from every other part (100 km of sea or wedge)
        others = border[border["part_id"] != part.part_id].geometry.union_all()
        assert shapely.distance(own.geometry.values, part.geometry).max() < 1e-9
        assert shapely.distance(own.geometry.values, others).min() > 0.5  # degrees
        measured = geodesic_length_km(own.geometry.values)
        assert measured.sum() == pytest.approx(part.length_km, rel=1e-6)
        assert own["length_km"].sum() == pytest.approx(part.length_km, rel=1e-9)
        assert np.allclose(measured[:-1], 25, rtol=1e-6) and 0 < measured[-1] <= 25 + 1e-6
        # chainage from the part's start, continuous within the part
        assert own["from_km"].iloc[0] == pytest.approx(part.from_km, abs=1e-9)
        assert own["to_km"].iloc[-1] == pytest.approx(part.to_km, abs=1e-6)
        assert np.allclose(own["from_km"].to_numpy()[1:], own["to_km"].to_numpy()[:-1])
        first = shapely.get_coordinates(own.geometry.iloc[0])[0]
        assert np.allclose(first, part.geometry.coords[0], atol=1e-9)
