import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from deliverables_world import make_world, world_run_record

from borderzone.deliver.comparison import NOT_COMPUTED_ADMIN
from borderzone.deliver.report import render_report, write_report
from borderzone.published import PUBLISHED_RUS_KAZ, published_figures


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.scripts, self.rows = [], 0, []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href") and v:
                self.urls.append(v)
        self.scripts += tag == "script"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return make_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def record(world):
    return world_run_record(world)


def write(tmp_path, world, record, **kw):
    path = tmp_path / "report.html"
    args = dict(
        border=world["border"],
        segments=world["segments"],
        crossings=world["crossings"],
        summary=world["crossings"].groupby("category").size().rename("n").reset_index(),
        metrics=world["metrics"],
        region_table=None,
        published=published_figures("RUS-KAZ"),
        run_record=record,
        cells=world["cells"],
    )
    args.update(kw)
    render_report(path, **args)
    return path.read_text("utf-8")


def test_published_table_lists_every_figure(tmp_path, world, record):
    html = write(tmp_path, world, record)
    table = html[
        html.index('id="published-table"') : html.index("</table>", html.index("published-table"))
    ]
    for fig in PUBLISHED_RUS_KAZ:
        assert fig.label in table
        assert fig.text.replace(">", "&gt;").replace("<", "&lt;") in table
    assert "7,644 km" in table and "760 km" in table  # published beside computed
    assert NOT_COMPUTED_ADMIN in table  # no region table: regional figures not computed
    assert "Differs by" in table


def test_synthetic_heading_and_notice(tmp_path, world, record):
    html = write(tmp_path, world, record)
    assert 'id="synthetic-notice"' in html
    heading = re.search(r'<h2 id="published">(.*?)</h2>', html, re.S).group(1)
    assert "SYNTHETIC" in heading
    real = write(tmp_path, world, {**record, "synthetic": False})
    assert "SYNTHETIC" not in re.search(r'<h2 id="published">(.*?)</h2>', real, re.S).group(1)
    assert 'id="synthetic-notice"' not in real


def test_self_contained(tmp_path, world, record):
    html = write(tmp_path, world, record)
    p = Links()
    p.feed(html)
    assert p.scripts == 0
    assert p.urls and all(u.startswith(("data:image/png;base64,", "#")) for u in p.urls), [
        u[:40] for u in p.urls
    ]
    assert html.count("data:image/png;base64,") >= 4  # crossings, isolation, density, profiles


def test_footer_has_provenance(tmp_path, world, record):
    html = write(tmp_path, world, record)
    footer = html[html.index('<footer id="provenance">') :]
    assert "c0ffee" in footer and record["sources"][0]["sha256"] in footer
    assert "population_density.tif" in footer and "borderzone" in footer


def test_write_report_takes_the_rule_inputs(tmp_path, world, record):
    path = tmp_path / "report.html"
    common = dict(
        border_layers={"border": world["border"], "segments": world["segments"]},
        crossings=world["crossings"],
        summary=world["crossings"].groupby("category").size().rename("n").reset_index(),
        metrics=world["metrics"],
        pair=["RUS", "KAZ"],
        run_record=record,
    )
    write_report(path, regions=pd.DataFrame({"side": [], "name": []}), **common)
    html = path.read_text("utf-8")
    assert NOT_COMPUTED_ADMIN in html and "c0ffee" in html
    regions = pd.DataFrame({"side": ["RUS"], "name": ["Altai Krai"], "population": [2.1e6]})
    write_report(path, regions=regions, **common)
    regions_section = path.read_text("utf-8").split('id="regions"', 1)[1]
    assert "Altai Krai" in regions_section.split("<h2", 1)[0]
