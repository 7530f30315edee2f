"""The article's district list as data, and name matching on its own spellings."""

from pathlib import Path

import pandas as pd
import pytest

from borderzone import article_districts as article
from borderzone.metrics.districts import match_names
from borderzone.metrics.names import name_key

TEXT = Path("/work/shared/seed/000_f3fe62cfdd6cf39d.txt")

# ISO 9 (GOST 7.79 A) written out here, not taken from the code under test
ISO9 = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                "a b v g d e ë ž z i j k l m n o p r s t u f h c č š ŝ ʺ y ʹ è û â".split(),
                strict=True))  # fmt: skip
ENGLISH = {
    "Соль-Илецкий городской округ": ["Sol-Iletsky", "Sol'-Iletskiy", "Sol-Iletsky Urban Okrug"],
    "Ахтубинский район": ["Akhtubinsky District", "Akhtubinskiy rayon"],
    "Дергачевский район": ["Dergachyovsky District", "Dergachevskiy raion"],
    "Лебяжьевский район": ["Lebyazhyevsky District", "Lebyazh'yevskiy rayon"],
    "Чистоозерный район": ["Chistoozyorny District", "Chistoozernyy rayon"],
    "Михайловский район": ["Mikhaylovsky District", "Mikhailovskiy rayon"],
    "Немецкий национальный район": ["Nemetsky National District"],
    "Кош-Агачский район": ["Kosh-Agachsky District", "Kosh-Agachskiy rayon"],
    "Егорьевский район": ["Yegoryevsky District", "Egorievsky District"],
    "Хабарский район": ["Khabarsky District", "Habarskij rajon"],
    "Русско-Полянский район": ["Russko-Polyansky District"],
    "Ключевской район": ["Klyuchevsky District", "Klyuchevskoy rayon"],
}


def test_list_is_west_to_east_within_its_lines():
    assert len(article.REGIONS) == 12 and len(article.DISTRICTS) == 57
    assert [d.region_no for d in article.DISTRICTS] == sorted(
        d.region_no for d in article.DISTRICTS
    )
    assert all(150 <= d.line <= 205 for d in article.DISTRICTS)
    assert len(article.OBLASTS) == 7 and all(226 <= o.line <= 232 for o in article.OBLASTS)


@pytest.mark.skipif(not TEXT.exists(), reason="the article's text is not here")
def test_each_name_begins_on_its_line():
    lines = TEXT.read_text(encoding="utf-8").splitlines()
    for d in article.DISTRICTS:
        head = d.district.split()[0][:2]  # names broken across lines ("Ер-", "Тро-")
        assert head in lines[d.line - 1], (d.district, d.line)
        joined = ""
        for line in lines[d.line - 1 : d.line + 2]:
            line = line.strip()
            if not line:  # a page break between the halves of a word
                continue
            joined += line[:-1] if line.endswith("-") else line + " "
        assert d.district.split()[0] in joined, (d.district, d.line)


@pytest.mark.parametrize("entry", article.DISTRICTS, ids=lambda d: d.district)
def test_every_district_matches_its_iso9_transliteration(entry):
    iso9 = "".join(ISO9.get(ch, ISO9.get(ch.lower(), ch)) for ch in entry.district)
    assert name_key(iso9) == name_key(entry.district)
    got = match_names(pd.Series([iso9]), pd.Series([None]), [d.district for d in article.DISTRICTS])
    assert got == [(entry.district, "transliterated")]


@pytest.mark.parametrize("russian", list(ENGLISH))
def test_common_english_spellings_match(russian):
    for english in ENGLISH[russian]:
        got = match_names(
            pd.Series(["?"]), pd.Series([english]), [d.district for d in article.DISTRICTS]
        )
        assert got == [(russian, "transliterated")], english


def test_different_districts_do_not_match():
    keys = [name_key(d.district) for d in article.DISTRICTS]
    assert len(set(keys)) == len(keys)
    assert name_key("Троицкий район") != name_key("Трудовой район")
