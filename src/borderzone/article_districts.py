"""The article's lists of the regions and districts on the Russia–Kazakhstan border.

The article «Взаимодействие приграничных территорий субъектов Российской Федерации и
Республики Казахстан» ("Interaction of border territories of the subjects of the Russian
Federation and the Republic of Kazakhstan") names, from west to east, the 12 Russian
regions on the border and, for each, its districts on the line (lines 150–205 of its text),
and the 7 of 14 Kazakh oblasts on the border with the administrative centres it gives
(lines 226–232). Names are as the article spells them (Russian, ``ё`` written ``е`` as in
the text); ``line`` is the line of the text where the name begins.

Data, not code: :data:`DISTRICTS` is a table; the synthetic world names its districts
after it. The regions and oblasts themselves are the article's lists in
:mod:`borderzone.published` (:data:`~borderzone.published.RUS_REGION_NAMES`,
:data:`~borderzone.published.KAZ_REGION_NAMES`), in their Russian spelling here.
"""

from typing import NamedTuple

from borderzone.published import ARTICLE, KAZ_REGION_NAMES, RUS_REGION_NAMES

TITLE = ARTICLE
"""The article, by its title (:data:`borderzone.published.ARTICLE`)."""

PAIR = ("RUS", "KAZ")
"""The country pair the lists belong to; no other pair is compared with them."""


class ArticleDistrict(NamedTuple):
    """One district the article lists on the line."""

    region_no: int  # 1-12, west to east as the article numbers them
    region: str
    district: str
    line: int


class ArticleOblast(NamedTuple):
    """One Kazakh oblast on the border, with the centre the article names (or None)."""

    oblast: str
    centre: str | None
    line: int


_REGIONS = {no: r.name_ru for no, r in enumerate(RUS_REGION_NAMES, start=1)}

_DISTRICTS: tuple[tuple[int, str, int], ...] = (
    (1, "Ахтубинский район", 154),
    (2, "Палласовский район", 157),
    (2, "Старополтавский район", 158),
    (3, "Озинский район", 160),
    (3, "Дергачевский район", 161),
    (3, "Федоровский район", 161),
    (3, "Ершовский район", 161),
    (3, "Краснопартизанский район", 162),
    (4, "Большая Черниговка", 164),  # the village; the district is Большечерниговский район
    (5, "Акбулакский район", 165),
    (5, "Соль-Илецкий городской округ", 167),
    (5, "Домбаровский район", 167),
    (5, "Светлинский район", 168),
    (5, "Адамовский район", 168),
    (5, "Кваркенский район", 169),
    (6, "Карталинский район", 171),
    (6, "Варненский район", 172),
    (6, "Брединский район", 172),
    (6, "Троицкий район", 172),
    (6, "Октябрьский район", 174),
    (6, "Нагайбакский район", 174),
    (7, "Половинский район", 177),
    (7, "Целинный район", 178),
    (7, "Макушинский район", 178),
    (7, "Петуховский район", 178),
    (7, "Лебяжьевский район", 179),
    (8, "Казанский район", 181),
    (8, "Бердюжский район", 182),
    (8, "Армизонский район", 182),
    (8, "Упоровский район", 182),
    (8, "Юргинский район", 183),
    (8, "Исетский район", 183),
    (9, "Черлакский район", 186),
    (9, "Нововаршавский район", 186),
    (9, "Павлоградский район", 187),
    (9, "Русско-Полянский район", 188),
    (9, "Таврический район", 188),
    (9, "Одесский район", 189),
    (9, "Оконешниковский район", 189),
    (10, "Карасукский район", 191),
    (10, "Купинский район", 192),
    (10, "Чистоозерный район", 192),
    (11, "Кулундинский район", 194),
    (11, "Славгородский район", 195),
    (11, "Табунский район", 195),
    (11, "Михайловский район", 195),
    (11, "Ключевской район", 196),
    (11, "Благовещенский район", 196),
    (11, "Бурлинский район", 197),
    (11, "Хабарский район", 197),
    (11, "Немецкий национальный район", 198),
    (11, "Родинский район", 198),
    (11, "Рубцовский район", 199),
    (11, "Угловский район", 199),
    (11, "Волчихинский район", 200),
    (11, "Егорьевский район", 200),
    (12, "Кош-Агачский район", 202),
)

DISTRICTS: tuple[ArticleDistrict, ...] = tuple(
    ArticleDistrict(n, _REGIONS[n], name, line) for n, name, line in _DISTRICTS
)
"""The article's districts on the line, west to east by region (lines 150–205)."""

REGIONS: tuple[str, ...] = tuple(_REGIONS.values())
"""The article's 12 Russian border regions, west to east."""

OBLASTS: tuple[ArticleOblast, ...] = tuple(
    ArticleOblast(f"{o.name_ru} область", o.centre_ru or None, o.cites[0][0])
    for o in KAZ_REGION_NAMES
)
"""The 7 Kazakh oblasts on the border the article names, with their centres (lines 226–232).

The article gives the oblasts as adjectives of «области» ("области Атырауская,
Западно-Казахстанская..."); they are written here as full names.
"""
