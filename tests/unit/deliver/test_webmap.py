import json
import re
from html.parser import HTMLParser

import pytest
from deliverables_world import make_world

from borderzone.deliver.styles import CATEGORY_COLORS
from borderzone.deliver.webmap import leaflet_assets, render_webmap, write_webmap


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
