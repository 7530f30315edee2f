"""Tests of borderzone.published: every cited line of the article holds the figure cited.

The article's text is read from ``../shared/seed/000_f3fe62cfdd6cf39d.txt`` beside the
checkout, or from the file named by ``BORDERZONE_ARTICLE_TEXT``. The text is not part of
the repository (it is not ours to ship), so without it the citation tests are skipped
with the reason, on CI too; the other tests here need no text.
"""

import os
import re
from pathlib import Path

import pytest

from borderzone import published
from borderzone.published import (
    ARTICLE,
    ARTICLE_STATEMENTS,
    KAZ_REGION_NAMES,
    PUBLISHED_RUS_KAZ,
    RUS_REGION_NAMES,
    article_statements,
    other_lengths,
    published_figures,
)

REPO = Path(__file__).resolve().parents[2]
TEXT = Path(
    os.environ.get(
        "BORDERZONE_ARTICLE_TEXT", REPO.parent / "shared" / "seed" / "000_f3fe62cfdd6cf39d.txt"
    )
)


@pytest.fixture(scope="module")
def lines():
    if not TEXT.is_file():
        pytest.skip(
            f"the article's text {TEXT} is absent (set BORDERZONE_ARTICLE_TEXT to its path): "
            "its citations cannot be checked"
        )
    return [re.sub(r"\s+", " ", line).strip() for line in TEXT.read_text("utf-8").splitlines()]


def _cited():
    for fig in (*PUBLISHED_RUS_KAZ, *ARTICLE_STATEMENTS):
        for n, words in fig.cites:
            yield fig.key, n, words
    for name in (*RUS_REGION_NAMES, *KAZ_REGION_NAMES):
        for n, words in name.cites:
            yield name.name, n, words


@pytest.mark.parametrize(("key", "line", "words"), list(_cited()))
def test_every_cited_line_holds_the_words_cited(lines, key, line, words):
    assert 1 <= line <= len(lines), f"{key}: line {line} beyond the text"
    assert re.sub(r"\s+", " ", words) in lines[line - 1], f"{key}: line {line}: {lines[line - 1]}"


def test_russian_names_stand_on_their_cited_lines(lines):
    # the names are written without line-end hyphens: join the cited lines as read
    for name in (*RUS_REGION_NAMES, *KAZ_REGION_NAMES):
        numbers = [n for n, _ in name.cites]
        text = ""
        for line in lines[min(numbers) - 1 : max(numbers)]:
            text += line[:-1] if line.endswith("-") else line + " "
        assert name.name_ru in text, (name.name, text)
        assert bool(name.centre_ru) == bool(name.centre), name.name
        assert name.centre_ru in text, (name.name, text)


def test_a_misplaced_citation_is_caught(lines):
    # the check above can fail: the border length does not stand on the line before it
    assert "7644 км" not in lines[149 - 1] and "7644 км" in lines[150 - 1]


def test_every_figure_of_the_article_cites_a_line_and_others_none():
    for fig in (*PUBLISHED_RUS_KAZ, *ARTICLE_STATEMENTS):
        if fig.source == ARTICLE:
            assert fig.cites, fig.key
            assert "line" in fig.citation and fig.citation.startswith(ARTICLE)
        else:
            assert not fig.cites and fig.citation == fig.source, fig.key


def test_no_figure_cites_an_issue_of_the_project():
    assert not hasattr(published, "SOURCE_ISSUE")
    for fig in (*PUBLISHED_RUS_KAZ, *ARTICLE_STATEMENTS):
        assert "issue" not in fig.citation.lower(), fig.key


def test_the_article_lists_by_construction():
    assert len(RUS_REGION_NAMES) == 12 and len(KAZ_REGION_NAMES) == 7
    assert RUS_REGION_NAMES[0].name == "Astrakhan Oblast"  # west to east
    assert RUS_REGION_NAMES[-1].name == "Altai Republic"
    centres = {k.name: k.centre for k in KAZ_REGION_NAMES if k.centre}
    assert centres == {
        "West Kazakhstan Region": "Uralsk",
        "North Kazakhstan Region": "Petropavl",
        "East Kazakhstan Region": "Ust-Kamenogorsk",
    }


def test_checkpoint_counts_keep_their_own_sources():
    figs = {f.key: f for f in PUBLISHED_RUS_KAZ}
    assert figs["checkpoints_road"].value == 30 and "alta.ru" in figs["checkpoints_road"].source
    assert figs["checkpoints_multilateral"].value == 17
    assert figs["checkpoints_all"].source == "seanews.ru, 2024-07-04"


def test_one_place_for_each_figure():
    keys = [f.key for f in (*PUBLISHED_RUS_KAZ, *ARTICLE_STATEMENTS)]
    assert len(keys) == len(set(keys))


def test_another_pair_gets_no_figure():
    assert published_figures("XAA-XBB") == ()
    assert article_statements("FRA-ESP") == {} and other_lengths("FRA-ESP") == ()
    assert published_figures("KAZ-RUS") == PUBLISHED_RUS_KAZ
