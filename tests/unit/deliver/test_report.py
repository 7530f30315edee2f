import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from deliverables_world import make_world, world_run_record

from borderzone.deliver.comparison import NOT_COMPUTED_ADMIN
from borderzone.deliver.report import render_report, write_report
from borderzone.published import PUBLISHED_RUS_KAZ, published_figures
from tests.unit.deliver.parts_world import two_parts


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


# --- the article's tables


def article_tables_of(world, pair):
    from borderzone.border.generalisation import length_by_tolerance
    from borderzone.deliver.article import checkpoint_table

    return {
        "generalisation": length_by_tolerance(
            world["border"], tolerances_m=[0, 100, 5000], official_km=700.0
        ),
        "checkpoints": checkpoint_table(world["crossings"], pair=pair),
        # made by another rule: any article CSV gets its section
        "districts": pd.DataFrame({"district": ["Кош-Агачский район"], "border_km": [12.5]}),
    }


def test_article_tables_are_sections_after_the_published_table(tmp_path, world, record):
    html = write(tmp_path, world, record, article=article_tables_of(world, ("RUS", "KAZ")))
    ids = re.findall(r'<h3 id="(article-[a-z_]+)">', html)
    assert ids == ["article-districts", "article-checkpoints", "article-generalisation"]
    assert html.index('id="published-table"') < html.index('id="article"') < html.index('id="maps"')
    section = html[html.index('id="article-checkpoints"') :]
    assert "Source of the statements: article &#34;Interaction of border territories" in section
    assert "seanews.ru, 2024-07-04" in section.split("<h3", 1)[0]
    gen = html[html.index('id="article-generalisation"') :].split("<h2", 1)[0]
    assert "data:image/png;base64," in gen and "official 700 km" in gen
    assert "Кош-Агачский район" in html


def test_every_published_figure_cites_its_line(tmp_path, world, record):
    html = write(tmp_path, world, record)
    table = html[html.index('id="published-table"') :].split("</table>", 1)[0]
    assert "Interaction of border territories of the subjects of the Russian Federation" in table
    assert "line 150" in table  # the border length
    assert "alta.ru" in table  # the checkpoint counts keep their own source
    assert not re.search(r"\bissue\b", html, re.I)  # no issue of the project as a source


def test_another_pair_lists_no_rus_kaz_figure(tmp_path, world, record):
    border = world["border"].assign(pair="XAA-XBB", official_length_km=900.0)
    html = write(
        tmp_path,
        world,
        record,
        border=border,
        published=published_figures("XAA-XBB"),
        article=article_tables_of(world, ("XAA", "XBB")),
    )
    assert 'id="article-checkpoints"' in html  # the computed rows stay
    for text in ("7,644", "Interaction of border", "Взаимодействие", "alta.ru", "seanews",
                 "Wikipedia", "Kazakhstan", "Source of the statements"):  # fmt: skip
        assert text not in html, text


# --- the parts of the border


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """Cells of each body row of the table ``table_id``."""
    table = html[html.index(f'id="{table_id}"') :].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<.*?>", "", c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]
        for row in re.findall(r"<tr.*?</tr>", body, re.S)
    ]


def test_a_border_in_one_part_gets_one_sentence_and_the_whole_row(tmp_path, world, record):
    html = write(tmp_path, world, record)
    section = html[html.index('<h2 id="parts">') :].split("<h2", 2)[1]
    assert "The border is in one part, 760.0 km long in 10 segments" in section
    rows = table_rows(section, "parts-table")
    assert len(rows) == 1 and rows[0][0] == "whole border"
    assert 'id="breaks-table"' not in html and 'id="gaps-table"' not in html
    assert html.index('id="published-table"') < html.index('id="parts"') < html.index('id="maps"')


def test_a_border_in_parts_gets_a_row_per_part_its_breaks_and_gaps(tmp_path, world, record):
    w = two_parts(world)
    html = write(
        tmp_path,
        w,
        record,
        border=w["border"],
        segments=w["segments"],
        crossings=w["crossings"],
        metrics=w["metrics"].assign(width_km=50.0),
        cells=w["cells"],
        gaps=w["gaps"],
        breaks=w["breaks"],
    )
    rows = table_rows(html, "parts-table")
    assert [r[0] for r in rows] == ["1", "2", "whole border"]
    header = html[html.index('id="parts-table"') :].split("</thead>", 1)[0]
    names = re.findall(r"<th>(.*?)</th>", header)
    road, rail = names.index("road crossings"), names.index("rail crossings")
    assert [(r[road], r[rail]) for r in rows] == [("4", "0"), ("3", "2"), ("7", "2")]
    assert [r[names.index("segments")] for r in rows] == ["4", "5", "9"]
    assert "people within 50 km, RUS" in names  # the cells' width
    distance = f"{w['breaks']['distance_km'].iloc[0]:.1f}"
    assert table_rows(html, "breaks-table") == [
        ["1 and 2", "304.0", distance, "third country or sea"]
    ]
    assert table_rows(html, "gaps-table") == [
        ["1", "0", "0.0"],
        ["2", "1", "1.5"],
        ["whole border", "1", "1.5"],
    ]
    assert "The border is in 2 parts, 684.0 km in all in 9 segments" in html


def test_write_report_passes_the_breaks_on(tmp_path, world, record):
    w = two_parts(world)
    path = tmp_path / "report.html"
    write_report(
        path,
        border_layers={
            "border": w["border"],
            "segments": w["segments"],
            "border_gaps": w["gaps"],
            "border_breaks": w["breaks"],
        },
        crossings=w["crossings"],
        summary=w["crossings"].groupby("category").size().rename("n").reset_index(),
        metrics=w["metrics"],
        regions=pd.DataFrame({"side": [], "name": []}),
        pair=["RUS", "KAZ"],
        run_record=record,
    )
    assert table_rows(path.read_text("utf-8"), "breaks-table")[0][0] == "1 and 2"
