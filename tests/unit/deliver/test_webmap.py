import json
import re
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import pytest
from deliverables_world import make_world
from shapely import Point, Polygon, box
from shapely.geometry import shape

from borderzone.deliver.styles import CATEGORY_COLORS
from borderzone.deliver.webmap import (
    CONTEXT_MARGIN_DEG,
    OSM_TILES,
    leaflet_assets,
    render_webmap,
    write_webmap,
)
from tests.unit.deliver.parts_world import two_parts


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.scripts, self.in_script, self.script_text = [], [], False, []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        for k in ("src", "href"):
            if d.get(k):
                self.urls.append(d[k])
        if tag == "script":
            self.scripts.append(d)
            self.in_script = True

    def handle_endtag(self, tag):
        self.in_script = self.in_script and tag != "script"

    def handle_data(self, data):
        if self.in_script:
            self.script_text.append(data)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    try:
        leaflet_assets()
    except ValueError as exc:
        pytest.skip(str(exc))
    w = make_world()
    path = tmp_path_factory.mktemp("web") / "map.html"
    render_webmap(
        path,
        border=w["border"],
        segments=w["segments"],
        crossings=w["crossings"],
        buffers={50: w["buffer"], 10: w["buffer"]},
        metrics=w["metrics"],
    )
    return path.read_text("utf-8"), w


def test_no_external_src_or_href(page):
    html, _ = page
    p = Tags()
    p.feed(html)
    assert not [u for u in p.urls if re.match(r"(https?:)?//", u)]
    assert all("src" not in s for s in p.scripts)  # every script inline
    assert "<link" not in html
    assert not re.search(r"url\(['\"]?(https?:)?//", html)  # no CSS fetches
    assert "url(images/" not in html


def test_data_inline(page):
    html, w = page
    m = re.search(r"const BZ = (\{.*?\});\n", html, re.S)
    data = json.loads(m.group(1).replace("<\\/", "</"))
    feats = data["crossings"]["features"]
    assert len(feats) == len(w["crossings"])
    assert feats[0]["properties"]["osm_ids"] == [1001, 2001]
    assert {f["properties"]["category"] for f in feats} == set(w["crossings"]["category"])
    assert [b["width"] for b in data["buffers"]] == [50.0, 10.0]
    segs = data["segments"]["features"]
    assert len(segs) == 10 and all(f["properties"]["color"].startswith("#") for f in segs)
    assert "isolation" in segs[0]["properties"]


def test_segments_by_id_without_metrics(tmp_path):
    w = make_world()
    path = tmp_path / "map.html"
    render_webmap(
        path, border=w["border"], segments=w["segments"], crossings=None, buffers=w["buffer"]
    )
    html = path.read_text("utf-8")
    data = json.loads(re.search(r"const BZ = (\{.*?\});\n", html, re.S).group(1))
    assert data["crossings"]["features"] == []
    colors = {f["properties"]["color"] for f in data["segments"]["features"]}
    assert len(colors) > 1


def test_script_end_tags_escaped(tmp_path):
    w = make_world()
    w["crossings"].loc[0, "name"] = "</script><script>alert(1)</script>"
    path = tmp_path / "map.html"
    render_webmap(
        path,
        border=w["border"],
        segments=w["segments"],
        crossings=w["crossings"],
        buffers=w["buffer"],
    )
    html = path.read_text("utf-8")
    assert "alert(1)</script>" not in html


def test_write_webmap_takes_the_rule_inputs(page, tmp_path):
    _, w = page
    path = tmp_path / "webmap.html"
    write_webmap(
        path,
        border_layers={"border": w["border"], "segments": w["segments"]},
        crossings=w["crossings"],
        buffers={50.0: w["buffer"], 10.0: w["buffer"]},
        metrics=w["metrics"],
        synthetic=True,
    )
    html = path.read_text("utf-8")
    data = json.loads(re.search(r"const BZ = (\{.*?\});\n", html, re.S).group(1))
    assert data["synthetic"] is True and [b["width"] for b in data["buffers"]] == [50.0, 10.0]
    assert data["categoryColors"] == CATEGORY_COLORS


def _bz(path) -> dict:
    html = path.read_text("utf-8")
    return json.loads(
        re.search(r"const BZ = (\{.*?\});\n", html, re.S).group(1).replace("<\\/", "</")
    )


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """The world with its two countries (bands north and south of the line, RUS reaching
    far north), four regions (admin_level 4) cut at 55°E, a district (level 6), the towns,
    and the cells carrying the metrics; and the map written from them."""
    try:
        leaflet_assets()
    except ValueError as exc:
        pytest.skip(str(exc))
    w = make_world()
    c = np.asarray(w["border"].geometry.iloc[0].coords)
    north = Polygon(np.vstack([c, [[60, 75], [50, 75]]]))
    south = Polygon(np.vstack([c, [[60, 49], [50, 49]]]))
    w["countries"] = gpd.GeoDataFrame({"iso3": ["RUS", "KAZ"]}, geometry=[north, south], crs=4326)
    west, east = box(49, 48, 55, 76), box(55, 48, 61, 76)
    names = ["Westland", "Eastland", "Southwest", "Southeast", "Some District"]
    w["admin"] = gpd.GeoDataFrame(
        {"name": names, "admin_level": [4, 4, 4, 4, 6]},
        geometry=[
            north.intersection(west),
            north.intersection(east),
            south.intersection(west),
            south.intersection(east),
            north.intersection(box(52, 51, 53, 53)),
        ],
        crs=4326,
    )
    places = w["network"]["places"].copy()
    places.loc[3, "population"] = np.nan
    w["places"] = places
    w["cell_metrics"] = w["cells"].merge(
        w["metrics"].drop(columns=["area_km2"]), on=["seg_id", "side"]
    )
    path = tmp_path_factory.mktemp("web") / "map.html"
    render_webmap(
        path,
        border=w["border"],
        segments=w["segments"],
        crossings=w["crossings"],
        buffers={50: w["buffer"]},
        metrics=w["cell_metrics"],
        countries=w["countries"],
        admin=w["admin"],
        places=w["places"],
    )
    return w, _bz(path)


def test_countries_cut_to_the_border_surroundings(context):
    _, data = context
    feats = data["countries"]["features"]
    assert [f["properties"]["iso3"] for f in feats] == ["RUS", "KAZ"]
    north = shape(feats[0]["geometry"])
    # the border reaches 51.3°N; RUS (to 75°N) is cut 2° beyond the border's bounding box
    assert north.bounds[3] == pytest.approx(51.3 + CONTEXT_MARGIN_DEG, abs=0.01)


def test_regions_are_the_level_4_areas_with_a_label_point_inside(context):
    w, data = context
    feats = data["regions"]["features"]
    assert [f["properties"]["label"] for f in feats] == [
        "Westland",
        "Eastland",
        "Southwest",
        "Southeast",
    ]
    for f in feats:
        p = f["properties"]
        assert shape(f["geometry"]).buffer(1e-3).contains(Point(p["lon"], p["lat"]))


def test_towns_by_population_largest_first(context):
    _, data = context
    props = [f["properties"] for f in data["towns"]["features"]]
    assert [p["name"] for p in props] == ["Orsk", "Kostanay", "Ozinki", "Aul"]
    assert [p["population"] for p in props] == [230000, 45000, 1200, None]


def test_cell_layers_in_classes(context):
    w, data = context
    assert [m["key"] for m in data["metrics"]] == ["isolation", "density", "time"]
    assert data["metrics"][0]["name"] == "isolation index, 50 km cells"
    cells = data["cells"]["features"]
    assert len(cells) == len(w["cell_metrics"]) == 20
    iso = data["metrics"][0]
    # 20 distinct values in quantile classes: 4 cells in each of 5
    assert "quantile" in iso["scheme"] and [c["count"] for c in iso["classes"]] == [4] * 5
    assert "log" in data["metrics"][1]["scheme"]
    for m in data["metrics"]:
        assert sum(c["count"] for c in m["classes"]) == 20
        assert len(m["classes"]) > 1
        # a cell's class is the one its value lies in
        for f in cells:
            lo, hi = (
                float(x.replace(",", ""))
                for x in m["classes"][f["properties"]["c_" + m["key"]]]["label"].split(" – ")
            )
            v = f["properties"]["v_" + m["key"]]
            assert lo - 0.01 * abs(lo) - 1e-3 <= v <= hi + 0.01 * abs(hi) + 1e-3


def test_basemap_is_osm_by_default_and_can_be_left_out(context, tmp_path):
    w, data = context
    assert data["tiles"] == OSM_TILES == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in data["attribution"]
    path = tmp_path / "map.html"
    render_webmap(
        path,
        border=w["border"],
        segments=w["segments"],
        crossings=None,
        buffers=w["buffer"],
        tiles=None,
    )
    assert _bz(path)["tiles"] is None


def test_coordinates_rounded(context):
    _, data = context
    text = json.dumps([data["cells"], data["buffers"], data["regions"], data["border"]])
    decimals = [len(d) for d in re.findall(r"-?\d+\.(\d+)", text)]
    assert max(decimals) <= 4


def test_write_webmap_passes_the_context(context, tmp_path):
    w, _ = context
    path = tmp_path / "webmap.html"
    write_webmap(
        path,
        border_layers={"border": w["border"], "segments": w["segments"]},
        crossings=w["crossings"],
        buffers={50.0: w["buffer"]},
        metrics=w["cell_metrics"],
        synthetic=False,
        countries=w["countries"],
        admin=w["admin"],
        places=w["places"],
        tiles=None,
    )
    data = _bz(path)
    assert len(data["countries"]["features"]) == 2 and len(data["regions"]["features"]) == 4
    assert len(data["towns"]["features"]) == 4 and data["tiles"] is None


def test_border_by_part_and_the_breaks_between(tmp_path):
    try:
        leaflet_assets()
    except ValueError as exc:
        pytest.skip(str(exc))
    w = two_parts(make_world())
    path = tmp_path / "map.html"
    write_webmap(
        path,
        border_layers={
            "border": w["border"],
            "segments": w["segments"],
            "border_breaks": w["breaks"],
        },
        crossings=w["crossings"],
        buffers={50.0: w["buffer"]},
        metrics=w["metrics"],
        synthetic=False,
    )
    data = _bz(path)
    parts = [f["properties"] for f in data["border"]["features"]]
    assert [(p["part_id"], p["from_km"], p["to_km"]) for p in parts] == [
        (1, 0.0, 304.0),
        (2, 304.0, 684.0),
    ]
    assert parts[0]["color"] != parts[1]["color"]
    assert [f["properties"]["part_id"] for f in data["segments"]["features"]] == [1] * 4 + [2] * 5
    (brk,) = data["breaks"]["features"]
    assert (brk["properties"]["from_part"], brk["properties"]["to_part"]) == (1, 2)
    assert brk["properties"]["between"] == "third country or sea"
    ends = [shape(f["geometry"]).coords for f in data["border"]["features"]]
    assert brk["geometry"]["coordinates"] == [list(ends[0][-1]), list(ends[1][0])]
    one = make_world()  # a border in one part: no breaks
    render_webmap(
        path, border=one["border"], segments=one["segments"], crossings=None, buffers=one["buffer"]
    )
    data = _bz(path)
    assert data["breaks"]["features"] == [] and len(data["border"]["features"]) == 1
    assert data["border"]["features"][0]["properties"]["part_id"] == 1
