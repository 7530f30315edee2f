"""Published figures on the Russia–Kazakhstan border, as data with their source.

The report (:mod:`borderzone.deliver.report`) sets each of them beside the figure computed by the
run. Every figure carries the text it was published as, its source and a note; a figure
that cannot be compared with a run's data is still listed, and the report says why it is
not computed rather than inventing a number.

The figures are those collected for the project in its issue 6 ("QGIS-ready deliverables,
a report that sets the published figures beside the computed ones"), where they are given
without a primary reference. Other publications give other lengths for the same border
(:data:`OTHER_LENGTHS`); the report lists them beside the 7,644 km used as the official
length in ``config/config.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SOURCE_ISSUE = (
    "borderzone issue 6: published RUS–KAZ figures (collected 2025; no primary reference)"
)


@dataclass(frozen=True)
class PublishedFigure:
    """One published figure.

    Attributes
    ----------
    key
        Identifier the report uses to find the computed figure (e.g. ``"border_km"``).
    label
        What is counted, in words.
    value
        The number (the lower bound for "more than", the approximate value for "about");
        None for a list.
    unit
        Unit of ``value``: ``"km"``, ``"count"``, ``"people"``, ``"share"``, ``"people/km²"``.
    text
        The figure as published, e.g. ``"~200"`` or ``"> 3 M"``.
    source
        Where it comes from.
    qualifier
        ``"="``, ``"~"`` (about), ``">"`` or ``"<"``.
    items
        For a list (regions touching the border), the names published.
    note
        How it is defined, where it is ambiguous.
    """

    key: str
    label: str
    value: float | None
    unit: str
    text: str
    source: str = SOURCE_ISSUE
    qualifier: str = "="
    items: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""


RUS_REGIONS = (
    "Astrakhan Oblast",
    "Volgograd Oblast",
    "Saratov Oblast",
    "Samara Oblast",
    "Orenburg Oblast",
    "Chelyabinsk Oblast",
    "Kurgan Oblast",
    "Tyumen Oblast",
    "Omsk Oblast",
    "Novosibirsk Oblast",
    "Altai Krai",
    "Altai Republic",
)
KAZ_REGIONS = (
    "Atyrau Region",
    "West Kazakhstan Region",
    "Aktobe Region",
    "Kostanay Region",
    "North Kazakhstan Region",
    "Pavlodar Region",
    "East Kazakhstan Region",
)

PUBLISHED_RUS_KAZ: tuple[PublishedFigure, ...] = (
    PublishedFigure("border_km", "Length of the land border", 7644, "km", "7,644 km"),
    PublishedFigure(
        "regions_RUS",
        "Russian regions on the border",
        len(RUS_REGIONS),
        "count",
        "12",
        items=RUS_REGIONS,
    ),
    PublishedFigure(
        "regions_KAZ",
        "Kazakh oblasts on the border",
        len(KAZ_REGIONS),
        "count",
        "7",
        items=KAZ_REGIONS,
        note="East Kazakhstan as published, before the 2022 split that created Abai Region.",
    ),
    PublishedFigure("rail_lines", "Railway lines crossing the border", 16, "count", "16"),
    PublishedFigure("roads", "Roads crossing the border", 200, "count", "~200", qualifier="~"),
    PublishedFigure("trunk_roads", "Trunk highways crossing the border", 6, "count", "6"),
    PublishedFigure("dirt_roads", "Dirt roads crossing the border", 33, "count", "33"),
    PublishedFigure(
        "pop_RUS_regions",
        "Population of the Russian border regions",
        26e6,
        "people",
        "~26 M",
        qualifier="~",
    ),
    PublishedFigure(
        "pop_RUS_districts",
        "Population of the Russian districts on the line",
        3e6,
        "people",
        "> 3 M",
        qualifier=">",
    ),
    PublishedFigure(
        "pop_KAZ_regions",
        "Population of the Kazakh border oblasts",
        5.8e6,
        "people",
        "~5.8 M",
        qualifier="~",
    ),
    PublishedFigure(
        "rural_share_KAZ",
        "Rural share of the population, Kazakh border oblasts",
        0.41,
        "share",
        "41 %",
    ),
    PublishedFigure(
        "pop_kurgan_tyumen",
        "Population of Kurgan + Tyumen",
        2.4e6,
        "people",
        "2.4 M",
        items=("Kurgan Oblast", "Tyumen Oblast"),
        note="Region pair, Russian side, facing Kostanay + North Kazakhstan.",
    ),
    PublishedFigure(
        "pop_kostanay_nko",
        "Population of Kostanay + North Kazakhstan",
        1.7e6,
        "people",
        "1.7 M",
        items=("Kostanay Region", "North Kazakhstan Region"),
        note="Region pair, Kazakh side, facing Kurgan + Tyumen.",
    ),
    PublishedFigure(
        "pop_altai_krai",
        "Population of Altai Krai",
        2.7e6,
        "people",
        "2.7 M",
        items=("Altai Krai",),
        note="Region pair, Russian side, facing East Kazakhstan.",
    ),
    PublishedFigure(
        "pop_east_kaz",
        "Population of East Kazakhstan",
        1.5e6,
        "people",
        "1.5 M",
        items=("East Kazakhstan Region",),
        note="Region pair, Kazakh side, facing Altai Krai.",
    ),
    PublishedFigure(
        "density_altai_republic",
        "Population density of the Altai Republic (border districts)",
        1.0,
        "people/km²",
        "< 1 person/km²",
        qualifier="<",
        items=("Altai Republic",),
    ),
)

OTHER_LENGTHS: tuple[tuple[str, str], ...] = (
    (
        "7,512.8 km (land and river; 5,936.1 km on land, 1,516.7 km rivers, 60 km lakes)",
        "Russian Wikipedia, 'Российско-казахстанская граница'",
    ),
    ("6,846 km", "English Wikipedia, 'Kazakhstan–Russia border'"),
)


def published_figures(pair: str = "RUS-KAZ") -> tuple[PublishedFigure, ...]:
    """Return the published figures for a pair of countries (none for other pairs)."""
    return PUBLISHED_RUS_KAZ if pair in ("RUS-KAZ", "KAZ-RUS") else ()


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
