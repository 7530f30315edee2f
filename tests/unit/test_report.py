import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from deliverables_world import make_world

from borderzone.deliver.report import (
    NOT_COMPUTED_ADMIN,
    compare_published,
    file_record,
    metadata_strings,
    provenance,
    render_report,
    tag_geotiff,
)
from borderzone.published import PUBLISHED_RUS_KAZ, match_region, published_figures


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
def prov(world):
    return provenance(
        [
            file_record(world["raster"], role="population"),
            {"role": "osm", "name": "world.osm.pbf", "date": "2025-01-01", "sha256": "00"},
        ],
        config_sha256="c0ffee",
        synthetic=True,
    )


REGIONS = pd.DataFrame(
    {
        "side": ["RUS", "RUS", "RUS", "KAZ", "KAZ", "KAZ"],
        "region": [
            "Курганская область",
            "Tyumen Oblast",
            "Altai Krai",
            "Kostanay Region",
            "Северо-Казахстанская область",
            "East Kazakhstan Region",
        ],
        "population": [0.8e6, 1.6e6, 2.1e6, 0.83e6, 0.53e6, 1.36e6],
        "area_km2": [71_500, 160_100, 168_000, 196_000, 98_000, 283_000],
        "rural_share": [0.4, 0.3, 0.45, 0.5, 0.55, 0.35],
    }
)


def write(tmp_path, world, prov, **kw):
    path = tmp_path / "report.html"
    args = dict(
        border=world["border"],
        segments=world["segments"],
        crossings=world["crossings"],
        summary=world["crossings"].groupby("category").size().rename("n").reset_index(),
        metrics=world["metrics"],
        region_table=None,
        published=published_figures("RUS-KAZ"),
        provenance=prov,
        cells=world["cells"],
    )
    args.update(kw)
    render_report(path, **args)
    return path.read_text("utf-8")


def test_published_table_lists_every_figure(tmp_path, world, prov):
    html = write(tmp_path, world, prov)
    table = html[
        html.index('id="published-table"') : html.index("</table>", html.index("published-table"))
    ]
    for fig in PUBLISHED_RUS_KAZ:
        assert fig.label in table
        assert fig.text.replace(">", "&gt;").replace("<", "&lt;") in table
    assert "7,644 km" in table and "760 km" in table  # published beside computed
    assert NOT_COMPUTED_ADMIN in table  # no region table: regional figures not computed
    assert "Differs by" in table


def test_synthetic_heading_and_notice(tmp_path, world, prov):
    html = write(tmp_path, world, prov)
    assert 'id="synthetic-notice"' in html
    heading = re.search(r'<h2 id="published">(.*?)</h2>', html, re.S).group(1)
    assert "SYNTHETIC" in heading
    real = write(tmp_path, world, {**prov, "synthetic": False})
    assert "SYNTHETIC" not in re.search(r'<h2 id="published">(.*?)</h2>', real, re.S).group(1)
    assert 'id="synthetic-notice"' not in real


def test_self_contained(tmp_path, world, prov):
    html = write(tmp_path, world, prov)
    p = Links()
    p.feed(html)
    assert p.scripts == 0
    assert p.urls and all(u.startswith(("data:image/png;base64,", "#")) for u in p.urls), [
        u[:40] for u in p.urls
    ]
    assert html.count("data:image/png;base64,") >= 4  # crossings, isolation, density, profiles


def test_footer_has_provenance(tmp_path, world, prov):
    html = write(tmp_path, world, prov)
    footer = html[html.index('<footer id="provenance">') :]
    assert "c0ffee" in footer and prov["sources"][0]["sha256"] in footer
    assert "population_density.tif" in footer and "borderzone" in footer


def test_regions_computed_when_given(world, prov):
    rows = {
        r.label: r
        for r in compare_published(
            PUBLISHED_RUS_KAZ,
            border=world["border"],
            crossings=world["crossings"],
            region_table=REGIONS,
            metrics=world["metrics"],
            provenance=prov,
        )
    }
    pair = rows["Population of Kurgan + Tyumen"]
    assert pair.computed == "2.40 M" and pair.differs is False
    assert rows["Population of Kostanay + North Kazakhstan"].computed == "1.36 M"
    assert rows["Population of Kostanay + North Kazakhstan"].differs is True
    assert rows["Russian regions on the border"].computed == "3"
    assert "Astrakhan" in rows["Russian regions on the border"].note
    assert rows["Population of the Russian districts on the line"].computed.startswith(
        "not computed"
    )
    assert rows["Population density of the Altai Republic (border districts)"].computed.startswith(
        "not computed"
    )
    assert rows["Railway lines crossing the border"].computed == "2"
    assert "synthetic" in rows["Railway lines crossing the border"].note


def test_region_names_match():
    assert match_region("Алтайский край") == "Altai Krai"
    assert match_region("Республика Алтай") == "Altai Republic"
    assert match_region("North Kazakhstan Region") == "North Kazakhstan Region"
    assert match_region("Тауанор область") is None


def test_provenance_in_geotiff(world, prov):
    import rasterio

    tag_geotiff(world["raster"], prov)
    with rasterio.open(world["raster"]) as ds:
        tags = ds.tags()
    assert tags["config_sha256"] == "c0ffee"
    assert metadata_strings(prov)["synthetic"] == "true"
