"""Which Geofabrik extract holds each country: a table from ISO3 code to Geofabrik path.

When ``osm.geofabrik.regions`` is not given (for the whole run or for one pair), a pair
reads the extracts of its two countries, looked up here: ``[RUS, KAZ]`` reads ``russia``
and ``asia/kazakhstan``. The paths are those of Geofabrik's download server
(``https://download.geofabrik.de/<path>-latest.osm.pbf``). A few extracts hold several
countries (``asia/israel-and-palestine``, ``asia/malaysia-singapore-brunei``,
``asia/gcc-states``, ``africa/senegal-and-gambia``, ``central-america/haiti-and-domrep``,
``europe/ireland-and-northern-ireland``); a pair of two of their countries reads the
extract once. Russia has its own top-level directory (Kaliningrad included).

The table covers the land neighbours of Russia and Kazakhstan, the rest of Europe, most of
Asia and the Americas; for a country it lacks, give ``osm.geofabrik.regions`` (in the pair's
entry of ``pairs:``) with the path from Geofabrik's site.
"""

from collections.abc import Sequence

from borderzone.errors import ConfigError

GEOFABRIK_BY_ISO3: dict[str, str] = {
    # Russia and its land neighbours
    "RUS": "russia",
    "NOR": "europe/norway",
    "FIN": "europe/finland",
    "EST": "europe/estonia",
    "LVA": "europe/latvia",
    "LTU": "europe/lithuania",
    "POL": "europe/poland",
    "BLR": "europe/belarus",
    "UKR": "europe/ukraine",
    "GEO": "europe/georgia",
    "AZE": "asia/azerbaijan",
    "KAZ": "asia/kazakhstan",
    "CHN": "asia/china",
    "MNG": "asia/mongolia",
    "PRK": "asia/north-korea",
    # Kazakhstan's other land neighbours, and Central and South Asia
    "KGZ": "asia/kyrgyzstan",
    "UZB": "asia/uzbekistan",
    "TKM": "asia/turkmenistan",
    "TJK": "asia/tajikistan",
    "AFG": "asia/afghanistan",
    "PAK": "asia/pakistan",
    "IRN": "asia/iran",
    "IND": "asia/india",
    "NPL": "asia/nepal",
    "BTN": "asia/bhutan",
    "BGD": "asia/bangladesh",
    "MMR": "asia/myanmar",
    "LAO": "asia/laos",
    "VNM": "asia/vietnam",
    "THA": "asia/thailand",
    "KHM": "asia/cambodia",
    "KOR": "asia/south-korea",
    "ARM": "asia/armenia",
    "IRQ": "asia/iraq",
    "SYR": "asia/syria",
    "JOR": "asia/jordan",
    "LBN": "asia/lebanon",
    "ISR": "asia/israel-and-palestine",
    "PSE": "asia/israel-and-palestine",
    "MYS": "asia/malaysia-singapore-brunei",
    "SGP": "asia/malaysia-singapore-brunei",
    "BRN": "asia/malaysia-singapore-brunei",
    "IDN": "asia/indonesia",
    "SAU": "asia/gcc-states",
    "ARE": "asia/gcc-states",
    "OMN": "asia/gcc-states",
    "QAT": "asia/gcc-states",
    "KWT": "asia/gcc-states",
    "YEM": "asia/yemen",
    # Europe
    "AND": "europe/andorra",
    "AUT": "europe/austria",
    "BEL": "europe/belgium",
    "BGR": "europe/bulgaria",
    "BIH": "europe/bosnia-herzegovina",
    "CHE": "europe/switzerland",
    "CZE": "europe/czech-republic",
    "DEU": "europe/germany",
    "DNK": "europe/denmark",
    "ESP": "europe/spain",
    "FRA": "europe/france",
    "GBR": "europe/great-britain",
    "GRC": "europe/greece",
    "HRV": "europe/croatia",
    "HUN": "europe/hungary",
    "IRL": "europe/ireland-and-northern-ireland",
    "ITA": "europe/italy",
    "LIE": "europe/liechtenstein",
    "LUX": "europe/luxembourg",
    "MDA": "europe/moldova",
    "MKD": "europe/macedonia",
    "MNE": "europe/montenegro",
    "NLD": "europe/netherlands",
    "PRT": "europe/portugal",
    "ROU": "europe/romania",
    "SRB": "europe/serbia",
    "SVK": "europe/slovakia",
    "SVN": "europe/slovenia",
    "SWE": "europe/sweden",
    "TUR": "europe/turkey",
    "ALB": "europe/albania",
    # The Americas and Africa (a few)
    "USA": "north-america/us",
    "CAN": "north-america/canada",
    "MEX": "north-america/mexico",
    "ARG": "south-america/argentina",
    "CHL": "south-america/chile",
    "BOL": "south-america/bolivia",
    "BRA": "south-america/brazil",
    "PER": "south-america/peru",
    "PRY": "south-america/paraguay",
    "URY": "south-america/uruguay",
    "COL": "south-america/colombia",
    "ECU": "south-america/ecuador",
    "VEN": "south-america/venezuela",
    "HTI": "central-america/haiti-and-domrep",
    "DOM": "central-america/haiti-and-domrep",
    "SEN": "africa/senegal-and-gambia",
    "GMB": "africa/senegal-and-gambia",
    "EGY": "africa/egypt",
    "MAR": "africa/morocco",
}
"""ISO 3166-1 alpha-3 code -> path of the Geofabrik extract that holds the country."""


def geofabrik_regions_of(pair: Sequence[str], *, key: str = "pair") -> list[str]:
    """Geofabrik paths of the extracts that hold the countries of ``pair``, each once.

    Parameters
    ----------
    pair
        ISO3 codes, e.g. ``["RUS", "KAZ"]``.
    key
        Configuration key of the pair, for the message.

    Returns
    -------
    list of str
        In the order of ``pair``: ``["russia", "asia/kazakhstan"]``.

    Raises
    ------
    ConfigError
        For a code the table lacks, naming it and the key to set instead.

    Examples
    --------
    >>> geofabrik_regions_of(["ISR", "PSE"])
    ['asia/israel-and-palestine']
    """
    regions = []
    for code in pair:
        if code not in GEOFABRIK_BY_ISO3:
            raise ConfigError(
                f"{key}: no Geofabrik extract is known for {code}; give its path (e.g. "
                "asia/mongolia, from download.geofabrik.de) in osm.geofabrik.regions"
            )
        if GEOFABRIK_BY_ISO3[code] not in regions:
            regions.append(GEOFABRIK_BY_ISO3[code])
    return regions
