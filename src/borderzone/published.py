"""Published figures on the Russia–Kazakhstan border, as data with their source and line.

Most figures come from one article, :data:`ARTICLE`: "Interaction of border territories
of the subjects of the Russian Federation and the Republic of Kazakhstan" («Взаимодействие
приграничных территорий субъектов Российской Федерации и Республики Казахстан»), a
regional-economics study of the two countries as members of the Eurasian Economic Union.
Each of its figures carries ``cites``: the line of the article's text where it stands and
the words (the number as printed) found on that line, so that a test can check every
citation against the text. The article's numbered references [6]–[28] are its own sources.

Other figures are their own rows, with their own sources: the checkpoint counts
(:data:`KZ_DECREE`, :data:`SEANEWS`) and other published lengths (:data:`OTHER_LENGTHS`).

:data:`PUBLISHED_RUS_KAZ` holds the figures the report's main table compares;
:data:`ARTICLE_STATEMENTS` the article's statements that its per-topic tables
(:mod:`borderzone.deliver.article`) set beside the run: crossings per region, lines through
the other country, river stretches. :data:`RUS_REGION_NAMES` (west to east) and
:data:`KAZ_REGION_NAMES` (with their centres) are the article's lists of regions. A pair
other than Russia–Kazakhstan gets none of them (:func:`published_figures`,
:func:`article_statements`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ARTICLE = (
    'article "Interaction of border territories of the subjects of the Russian Federation '
    'and the Republic of Kazakhstan" («Взаимодействие приграничных территорий субъектов '
    "Российской Федерации и Республики Казахстан»)"
)
"""The article most figures come from, cited by its title."""

KZ_DECREE = (
    "decree of the Government of Kazakhstan on the checkpoints of the Kazakhstan–Russia "
    "border, reported by alta.ru and adyrna.kz"
)
SEANEWS = "seanews.ru, 2024-07-04"

Cite = tuple[int, str]
"""A line of the article's text (1-based) and words that stand on it, as printed."""


def _lines(cites: tuple[Cite, ...]) -> str:
    nums = sorted({n for n, _ in cites})
    if not nums:
        return ""
    if len(nums) == 1:
        return f"line {nums[0]}"
    if nums == list(range(nums[0], nums[-1] + 1)):
        return f"lines {nums[0]}–{nums[-1]}"
    return "lines " + ", ".join(map(str, nums))


@dataclass(frozen=True)
class PublishedFigure:
    """One published figure or statement.

    Attributes
    ----------
    key
        Identifier the report uses to find the computed figure (e.g. ``"border_km"``).
    label
        What is counted, in words.
    value
        The number (the lower bound for "more than" or a range, the approximate value for
        "about"); None for a list.
    unit
        Unit of ``value``: ``"km"``, ``"count"``, ``"people"``, ``"share"``, ``"people/km²"``.
    text
        The figure as published, in English, e.g. ``"~200"`` or ``"> 3 M"``.
    source
        Where it comes from (:data:`ARTICLE` unless said).
    cites
        For a figure of the article, the line(s) of its text the figure stands on, each
        with words found on that line.
    qualifier
        ``"="``, ``"~"`` (about), ``">"`` or ``"<"``.
    items
        Regions the figure is about (names as in :data:`REGION_ALIASES`), or the names of
        a published list.
    note
        How it is defined, where it is ambiguous.
    upper
        The upper bound of a published range (``value`` is the lower one).
    """

    key: str
    label: str
    value: float | None
    unit: str
    text: str
    source: str = ARTICLE
    cites: tuple[Cite, ...] = ()
    qualifier: str = "="
    items: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""
    upper: float | None = None

    @property
    def lines(self) -> str:
        """The line(s) of the article's text, e.g. ``"lines 149–150"``; empty without."""
        return _lines(self.cites)

    @property
    def citation(self) -> str:
        """The source with the line(s) of the text, e.g. ``'article "…", lines 149–150'``."""
        return f"{self.source}, {self.lines}" if self.cites else self.source


@dataclass(frozen=True)
class ArticleName:
    """A region or oblast the article names, with the line(s) it stands on.

    Attributes
    ----------
    name
        English name (as the keys of :data:`REGION_ALIASES`).
    name_ru
        The name as the article prints it (without a line-end hyphen).
    cites
        Line(s) of the article's text and the words found there.
    centre
        For a Kazakh oblast: the administrative centre the article names, if any.
    centre_ru
        That centre as the article prints it (without a line-end hyphen).
    """

    name: str
    name_ru: str
    cites: tuple[Cite, ...]
    centre: str = ""
    centre_ru: str = ""


def _n(name: str, ru: str, *cites: Cite, centre: str = "", centre_ru: str = "") -> ArticleName:
    return ArticleName(name, ru, tuple(cites), centre, centre_ru)


RUS_REGION_NAMES: tuple[ArticleName, ...] = (
    _n("Astrakhan Oblast", "Астраханская область", (154, "1. Астраханская область")),
    _n("Volgograd Oblast", "Волгоградская область", (157, "2. Волгоградская область")),
    _n("Saratov Oblast", "Саратовская область", (160, "3. Саратовская область")),
    _n("Samara Oblast", "Самарская область", (164, "4. Самарская область")),
    _n("Orenburg Oblast", "Оренбургская область", (165, "5. Оренбургская область")),
    _n("Chelyabinsk Oblast", "Челябинская область", (171, "6. Челябинская область")),
    _n("Kurgan Oblast", "Курганская область", (177, "7. Курганская область")),
    _n("Tyumen Oblast", "Тюменская область", (181, "8. Тюменская область")),
    _n("Omsk Oblast", "Омская область", (186, "9. Омская область")),
    _n("Novosibirsk Oblast", "Новосибирская область", (191, "10. Новосибирская область")),
    _n("Altai Krai", "Алтайский край", (194, "11. Алтайский край")),
    _n("Altai Republic", "Республика Алтай", (202, "12. Республика Алтай")),
)
"""The 12 Russian regions on the border, west to east, as the article lists them."""

KAZ_REGION_NAMES: tuple[ArticleName, ...] = (
    _n("Atyrau Region", "Атырауская", (227, "Аты-"), (228, "рауская")),
    _n(
        "West Kazakhstan Region",
        "Западно-Казахстанская",
        (228, "Западно-Казахстанская"),
        (229, "центр — Уральск"),
        centre="Uralsk",
        centre_ru="Уральск",
    ),
    _n("Aktobe Region", "Актюбинская", (229, "Актюбинская")),
    _n("Kostanay Region", "Кустанайская", (230, "Кустанайская")),
    _n(
        "North Kazakhstan Region",
        "Северо-Казахстанская",
        (230, "Северо-Казахстанская (Петро-"),
        (231, "павловск)"),
        centre="Petropavl",
        centre_ru="Петропавловск",
    ),
    _n("Pavlodar Region", "Павлодарская", (231, "Павлодарская")),
    _n(
        "East Kazakhstan Region",
        "Восточно-Казахстанская",
        (231, "Восточно-Казах-"),
        (232, "станская (Усть-Каменогорск)"),
        centre="Ust-Kamenogorsk",
        centre_ru="Усть-Каменогорск",
    ),
)
"""The 7 Kazakh oblasts (of 14) on the border, with the centres the article names."""

RUS_REGIONS = tuple(r.name for r in RUS_REGION_NAMES)
KAZ_REGIONS = tuple(r.name for r in KAZ_REGION_NAMES)

PUBLISHED_RUS_KAZ: tuple[PublishedFigure, ...] = (
    PublishedFigure(
        "border_km",
        "Length of the land border",
        7644,
        "km",
        "7,644 km",
        cites=((150, "7644 км"),),
    ),
    PublishedFigure(
        "regions_RUS",
        "Russian regions on the border",
        len(RUS_REGIONS),
        "count",
        "12",
        cites=((207, "12 регионов РФ"),) + tuple(c for r in RUS_REGION_NAMES for c in r.cites),
        items=RUS_REGIONS,
    ),
    PublishedFigure(
        "regions_KAZ",
        "Kazakh oblasts on the border",
        len(KAZ_REGIONS),
        "count",
        "7",
        cites=((227, "7 областей из 14"),) + tuple(c for r in KAZ_REGION_NAMES for c in r.cites),
        items=KAZ_REGIONS,
        note="East Kazakhstan as published, before the 2022 split that created Abai Region.",
    ),
    PublishedFigure(
        "rail_lines",
        "Railway lines crossing the border",
        16,
        "count",
        "16",
        cites=((246, "16 железнодо-"),),
    ),
    PublishedFigure(
        "roads",
        "Roads crossing the border",
        200,
        "count",
        "~200",
        cites=((247, "около 200 автодорог"),),
        qualifier="~",
    ),
    PublishedFigure(
        "trunk_roads",
        "Trunk highways crossing the border",
        6,
        "count",
        "6",
        cites=((248, "6 магистралей"),),
    ),
    PublishedFigure(
        "dirt_roads",
        "Dirt roads crossing the border",
        33,
        "count",
        "33",
        cites=((248, "однако 33"), (249, "грунтовые пути")),
    ),
    PublishedFigure(
        "checkpoints_road",
        "Road checkpoints on the border",
        30,
        "count",
        "30",
        source=KZ_DECREE,
    ),
    PublishedFigure(
        "checkpoints_multilateral",
        "Multilateral road checkpoints",
        17,
        "count",
        "17",
        source=KZ_DECREE,
        note="Multilateral: open to citizens of any country (bilateral: of the two only).",
    ),
    PublishedFigure(
        "checkpoints_all",
        "Checkpoints of all kinds (road, rail)",
        50,
        "count",
        "~50",
        source=SEANEWS,
        qualifier="~",
    ),
    PublishedFigure(
        "pop_RUS_regions",
        "Population of the Russian border regions",
        26e6,
        "people",
        "~26 M",
        cites=((339, "порядка 26 млн человек"),),
        qualifier="~",
    ),
    PublishedFigure(
        "pop_RUS_districts",
        "Population of the Russian districts on the line",
        3e6,
        "people",
        "> 3 M",
        cites=((339, "свыше 3 млн"),),
        qualifier=">",
    ),
    PublishedFigure(
        "pop_KAZ_regions",
        "Population of the Kazakh border oblasts",
        5.8e6,
        "people",
        "~5.8 M",
        cites=((344, "около 5,8 млн жителей"),),
        qualifier="~",
    ),
    PublishedFigure(
        "rural_share_KAZ",
        "Rural share of the population, Kazakh border oblasts",
        0.41,
        "share",
        "41 % (2.4 M)",
        cites=((345, "41 % (2,4 млн)"),),
    ),
    PublishedFigure(
        "pop_kurgan_tyumen",
        "Population of Kurgan + Tyumen",
        2.4e6,
        "people",
        "2.4 M",
        cites=((354, "Тюменская области РФ (2,4 млн)"),),
        items=("Kurgan Oblast", "Tyumen Oblast"),
        note="Region pair, Russian side, facing Kostanay + North Kazakhstan.",
    ),
    PublishedFigure(
        "pop_kostanay_nko",
        "Population of Kostanay + North Kazakhstan",
        1.7e6,
        "people",
        "1.7 M",
        cites=((355, "Северо-Казахстанская области"), (356, "РК (1,7 млн)")),
        items=("Kostanay Region", "North Kazakhstan Region"),
        note="Region pair, Kazakh side, facing Kurgan + Tyumen.",
    ),
    PublishedFigure(
        "pop_altai_krai",
        "Population of Altai Krai",
        2.7e6,
        "people",
        "2.7 M",
        cites=((356, "Алтайский край РФ (2,7 млн)"),),
        items=("Altai Krai",),
        note="Region pair, Russian side, facing East Kazakhstan.",
    ),
    PublishedFigure(
        "pop_east_kaz",
        "Population of East Kazakhstan",
        1.5e6,
        "people",
        "1.5 M",
        cites=((357, "Восточно-Казахстанская область РК (1,5 млн)"),),
        items=("East Kazakhstan Region",),
        note="Region pair, Kazakh side, facing Altai Krai (before the 2022 split).",
    ),
    PublishedFigure(
        "pop_west_kaz",
        "Population of West Kazakhstan",
        0.63e6,
        "people",
        "630 thousand",
        cites=((359, "Казахстанская область (630 тыс.)"),),
        items=("West Kazakhstan Region",),
        note="Region pair, Kazakh side, facing Volgograd + Saratov + Orenburg.",
    ),
    PublishedFigure(
        "pop_volgograd_saratov_orenburg",
        "Population of Volgograd + Saratov + Orenburg",
        7.6e6,
        "people",
        "7.6 M",
        cites=((360, "Волгоградской, Саратовской и Оренбургской"), (362, "7,6 млн")),
        items=("Volgograd Oblast", "Saratov Oblast", "Orenburg Oblast"),
        note="Region pair, Russian side, facing West Kazakhstan.",
    ),
    PublishedFigure(
        "pop_aktobe",
        "Population of Aktobe",
        0.683e6,
        "people",
        "683 thousand",
        cites=((363, "Актюбинской"), (364, "(683 тыс.)")),
        items=("Aktobe Region",),
        note="Region pair, Kazakh side, facing Orenburg.",
    ),
    PublishedFigure(
        "pop_orenburg",
        "Population of Orenburg",
        2.2e6,
        "people",
        "2.2 M",
        cites=((364, "Оренбургской областью России"), (365, "(2,2 млн)")),
        items=("Orenburg Oblast",),
        note="Region pair, Russian side, facing Aktobe.",
    ),
    PublishedFigure(
        "density_altai_republic",
        "Population density of the Altai Republic (border districts)",
        1.0,
        "people/km²",
        "< 1 person/km²",
        cites=((322, "одного человека на квадратный километр"), (372, "менее 1 чел./км²")),
        qualifier="<",
        items=("Altai Republic",),
    ),
)
"""The figures of the report's main table (published beside computed)."""

ARTICLE_STATEMENTS: tuple[PublishedFigure, ...] = (
    PublishedFigure(
        "roads_altai_republic",
        "Road crossings, Altai Republic",
        1,
        "count",
        "1 road of the lowest class",
        cites=((282, "Алтай (1 дорога низшего класса)"),),
        items=("Altai Republic",),
        note="The article's example of the least cross-border activity.",
    ),
    PublishedFigure(
        "secondary_volgograd",
        "Secondary roads crossing, Volgograd Oblast",
        5,
        "count",
        "5 secondary roads",
        cites=((282, "Вол-"), (283, "гоградская область (5 второстепенных автодо-")),
        items=("Volgograd Oblast",),
        note="Read as the roads of secondary class or lower (второстепенные) that cross.",
    ),
    PublishedFigure(
        "rail_leaders",
        "Most rail crossings",
        None,
        "count",
        "Tyumen, Omsk, Chelyabinsk, Altai Krai lead",
        cites=(
            (284, "(Тюменская"),
            (285, "Омская, Челябинская области, Алтайский"),
            (286, "лидеры по числу железнодорожных"),
        ),
        items=("Tyumen Oblast", "Omsk Oblast", "Chelyabinsk Oblast", "Altai Krai"),
    ),
    PublishedFigure(
        "transit_transsib",
        "Trans-Siberian Railway, Kurgan–Omsk, through North Kazakhstan",
        100,
        "km",
        "100+ km",
        cites=(
            (255, "Транссиба"),
            (256, "Курган–Омск проходит через Северо-Казахстан-"),
            (257, "(100+ км)"),
        ),
        qualifier=">",
        items=("North Kazakhstan Region",),
    ),
    PublishedFigure(
        "transit_siberian_mainlines",
        "Middle-Siberian (Chelyabinsk–Kostanay–Kokshetau–Kamen-na-Obi) and South-Siberian "
        "(Magnitogorsk–Astana–Pavlodar–Barnaul) mainlines through Kazakhstan",
        700,
        "km",
        "700–1,200 km",
        cites=(
            (257, "среднесибирская"),
            (258, "Костанай — Кокшетау"),
            (259, "Южносибирская (Магнитогорск"),
            (260, "Павлодар — Барнаул"),
            (261, "пересекают Казахстан на 700—1200 км"),
        ),
        items=("Kostanay Region", "Pavlodar Region"),
        upper=1200,
    ),
    PublishedFigure(
        "transit_caspian",
        "Caspian–Central Russia railway, crossing in Volgograd and Astrakhan",
        2,
        "count",
        "crosses the border twice",
        cites=(
            (262, "Прикаспий — Центральная"),
            (263, "дважды пересекает границу в Волго-"),
            (264, "градской и Астраханской областях"),
        ),
        items=("Volgograd Oblast", "Astrakhan Oblast"),
    ),
    PublishedFigure(
        "border_river_km",
        "Border along river beds",
        150,
        "km",
        "150 km",
        cites=((240, "Лишь 150 км ли-"), (241, "проходят по речным рус-")),
    ),
)
"""The article's statements that its per-topic tables set beside the run."""

POPULATION_BALANCES: tuple[tuple[str, str], ...] = (
    ("pop_kurgan_tyumen", "pop_kostanay_nko"),
    ("pop_altai_krai", "pop_east_kaz"),
    ("pop_volgograd_saratov_orenburg", "pop_west_kaz"),
    ("pop_orenburg", "pop_aktobe"),
)
"""The article's facing groups of regions (lines 352–365): (Russian side, Kazakh side) keys
of :data:`PUBLISHED_RUS_KAZ`."""

OTHER_LENGTHS: tuple[tuple[str, str], ...] = (
    (
        "7,512.8 km (land and river; 5,936.1 km on land, 1,516.7 km rivers, 60 km lakes)",
        "Russian Wikipedia, 'Российско-казахстанская граница'",
    ),
    ("6,846 km", "English Wikipedia, 'Kazakhstan–Russia border'"),
)

_RUS_KAZ = ("RUS-KAZ", "KAZ-RUS")


def published_figures(pair: str = "RUS-KAZ") -> tuple[PublishedFigure, ...]:
    """Return the figures of the main table for a pair of countries (none for others)."""
    return PUBLISHED_RUS_KAZ if pair in _RUS_KAZ else ()


def article_statements(pair: str = "RUS-KAZ") -> dict[str, PublishedFigure]:
    """Return the article's statements by key for a pair of countries (none for others)."""
    return {f.key: f for f in ARTICLE_STATEMENTS} if pair in _RUS_KAZ else {}


def other_lengths(pair: str = "RUS-KAZ") -> tuple[tuple[str, str], ...]:
    """Return the other published lengths of the pair's border (none for other pairs)."""
    return OTHER_LENGTHS if pair in _RUS_KAZ else ()


#: Names under which a published region may appear in admin data (English and Russian or
#: Kazakh OSM names, Natural Earth spellings), matched case-insensitively as substrings, in
#: this order.
REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "Astrakhan Oblast": ("astrakhan", "астраханская"),
    "Volgograd Oblast": ("volgograd", "волгоградская"),
    "Saratov Oblast": ("saratov", "саратовская"),
    "Samara Oblast": ("samara", "самарская"),
    "Orenburg Oblast": ("orenburg", "оренбургская"),
    "Chelyabinsk Oblast": ("chelyabinsk", "челябинская"),
    "Kurgan Oblast": ("kurgan", "курганская"),
    "Tyumen Oblast": ("tyumen", "тюменская"),
    "Omsk Oblast": ("omsk", "омская"),
    "Novosibirsk Oblast": ("novosibirsk", "новосибирская"),
    # the republic first: Natural Earth calls it Gorno-Altay and the krai plain Altay
    "Altai Republic": ("altai republic", "republic of altai", "республика алтай", "gorno-altay"),
    "Altai Krai": ("altai krai", "altay krai", "алтайский край", "altay"),
    "Atyrau Region": ("atyrau", "атырауская", "атырау"),
    "West Kazakhstan Region": ("west kazakhstan", "западно-казахстанская", "батыс қазақстан"),
    "Aktobe Region": ("aktobe", "aqtöbe", "актюбинская", "ақтөбе"),
    "Kostanay Region": ("kostanay", "kostanai", "qostanay", "костанайская", "қостанай"),
    "North Kazakhstan Region": ("north kazakhstan", "северо-казахстанская", "солтүстік"),
    "Pavlodar Region": ("pavlodar", "павлодарская", "павлодар"),
    "East Kazakhstan Region": ("east kazakhstan", "восточно-казахстанская", "шығыс"),
}


def match_region(name: str) -> str | None:
    """Return the published region a name from admin data stands for, if any."""
    low = str(name).lower()
    for region, aliases in REGION_ALIASES.items():
        if any(a in low for a in aliases):
            return region
    return None
