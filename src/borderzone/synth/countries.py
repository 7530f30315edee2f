"""The two countries of a world: drawn procedurally or given, and their admin boundaries.

Each country becomes an ``admin_level=2`` boundary relation; the first is cut into three
regions (``admin_level=4``) and the second into two, each region into two or three districts
(``admin_level=6``). Boundary ways share nodes where rings meet, are split every 500 nodes
and at both ends of a coast, and carry ``maritime=yes`` along it.

The first country's districts, west to east, take the names of :data:`DISTRICT_NAMES`:
districts of the article's list (:mod:`borderzone.article_districts`) spelled as OSM may
spell them (Russian ``name`` with a transliterated ``name:en``, Russian only, Latin only,
``ё`` for the article's ``е``), and one made-up name that is not in the list.
"""

from typing import NamedTuple

import geopandas as gpd
import numpy as np
import shapely

from borderzone.crs import WGS84
from borderzone.errors import InputDataError
from borderzone.synth.names import made_up_names
from borderzone.synth.osm_writer import Osm

NEAR_KM = 150.0  # procedural countries reach this far from the border

COUNTRY_NAMES = {
    "RUS": {"en": "Russia", "ru": "Россия", "kk": "Ресей", "alpha2": "RU"},
    "KAZ": {"en": "Kazakhstan", "ru": "Казахстан", "kk": "Қазақстан", "alpha2": "KZ"},
}
"""Names and ISO 3166-1 alpha-2 codes of the countries the generator knows by name."""


class DistrictName(NamedTuple):
    """OSM names of a district and the article's name it stands for (None: not listed)."""

    name: str | None  # None: the made-up name
    name_en: str | None
    article: str | None
    matched_by: str  # how the name matches the article's: exact / transliterated / none


DISTRICT_NAMES: tuple[DistrictName, ...] = (
    DistrictName("Ахтубинский район", "Akhtubinsky District", "Ахтубинский район", "exact"),
    DistrictName("Палласовский район", None, "Палласовский район", "exact"),
    DistrictName(
        "Sol'-Iletskiy gorodskoy okrug", None, "Соль-Илецкий городской округ", "transliterated"
    ),
    DistrictName(
        "Кваркенский муниципальный район", "Kvarkensky District", "Кваркенский район",
        "transliterated",
    ),
    DistrictName(None, None, None, "none"),
    DistrictName("Дергачёвский район", "Dergachyovsky District", "Дергачевский район", "exact"),
    DistrictName("Кош-Агачский район", "Kosh-Agachsky District", "Кош-Агачский район", "exact"),
)  # fmt: skip
"""Names of the first country's districts, west to east; the truth says what they match."""

ENCLAVE_NAME = DistrictName("Заречный городской округ", "Zarechny Urban Okrug", None, "none")
"""An urban district inside the first district of the first country, off the line."""


def country_name(iso3: str) -> str:
    """English name of a country: known, or made up from the code (``XAA`` -> ``Xaaland``)."""
    return COUNTRY_NAMES.get(iso3, {}).get("en", f"{iso3.title()}land")


def procedural_countries(rng: np.random.Generator, pair: tuple[str, str]) -> gpd.GeoDataFrame:
    """Two countries sharing a wiggly border from 58° to 65° E near 50° N, with a sliver gap."""
    lon = np.arange(58.0, 65.0 + 1e-9, 0.004)
    lat = np.full_like(lon, 50.0)
    for amp, wave in ((0.12, 3.1), (0.05, 1.1), (0.02, 0.37), (0.006, 0.09)):
        lat += amp * np.sin(2 * np.pi * lon / wave + rng.uniform(0, 2 * np.pi))
    depth = NEAR_KM / 111.0
    north, south = lat.max() + depth, lat.min() - depth
    # a sliver where the first country's outline bulges away: a gap of the shared boundary
    g0 = 58.0 + 0.55 * 7.0 + rng.uniform(-0.3, 0.3)
    t = np.clip((lon - g0) / 0.06, 0.0, 1.0)
    bump = 0.009 * np.sin(np.pi * t) ** 2
    ring_a = np.concatenate(
        [np.column_stack([lon, lat + bump]), [[65.0, north], [58.0, north]], [[lon[0], lat[0]]]]
    )
    coast = np.column_stack([np.full(40, 58.0), np.linspace(south, lat[0], 40)])
    ring_b = np.concatenate(
        [np.column_stack([lon, lat]), [[65.0, south]], [[58.0, south]], coast[1:]]
    )
    poly_a = shapely.Polygon(ring_a)
    poly_b = shapely.Polygon(ring_b)
    return gpd.GeoDataFrame(
        {"iso3": list(pair), "name": [country_name(c) for c in pair]},
        geometry=[shapely.make_valid(poly_a), shapely.make_valid(poly_b)],
        crs=WGS84,
    )


def procedural_coast(countries: gpd.GeoDataFrame, border_start: np.ndarray) -> shapely.Polygon:
    """Return the sea of a procedural world, along the west edge of the second country."""
    x0 = countries.geometry.iloc[1].bounds[0]
    return shapely.box(x0 - 0.01, -90, x0 + 0.001, border_start[1] - 0.05)


def prepare_countries(countries: gpd.GeoDataFrame, *, pair: tuple[str, str]) -> gpd.GeoDataFrame:
    """Check given outlines and keep those of ``pair``, in that order.

    Returns
    -------
    geopandas.GeoDataFrame
        ``iso3``, ``name`` (made up when missing) and ``geometry``, in EPSG:4326.

    Raises
    ------
    InputDataError
        When ``iso3`` or ``geometry`` is missing, or the CRS is not set.
    """
    missing = {"iso3", "geometry"} - set(countries.columns)
    if missing:
        raise InputDataError(f"countries lack columns {sorted(missing)}")
    if countries.crs is None:
        raise InputDataError("countries have no CRS")
    countries = countries.to_crs(WGS84)
    countries = countries[countries.iso3.isin(pair)].set_index("iso3").loc[list(pair)]
    countries = countries.reset_index()
    if "name" not in countries:
        countries["name"] = [country_name(c) for c in pair]
    return countries[["iso3", "name", "geometry"]]


def _rings(geom: shapely.Geometry) -> list[tuple[np.ndarray, str]]:
    out = []
    for poly in shapely.get_parts(geom):
        if shapely.get_type_id(poly) != 3:
            continue
        out.append((shapely.get_coordinates(poly.exterior), "outer"))
        out += [(shapely.get_coordinates(r), "inner") for r in poly.interiors]
    return out


def boundary_relation(
    osm: Osm,
    geom: shapely.Geometry,
    tags: dict[str, str],
    *,
    max_nodes: int = 500,
    maritime: shapely.Geometry | None = None,
) -> int:
    """Add a boundary relation of the rings of ``geom``, split into ways; nodes shared by place."""
    members: list[tuple[str, int, str]] = []
    for ring, role in _rings(geom):
        ids = [osm.shared_node(x, y) for x, y in ring]
        ids[-1] = ids[0]
        keep = np.concatenate([[True], np.diff(ids) != 0])  # no zero-length edges
        ring, ids = ring[keep], [i for i, k in zip(ids, keep, strict=True) if k]
        if len(ids) < 4:
            continue
        sea = (
            np.zeros(len(ring), dtype=bool)
            if maritime is None
            else shapely.contains_xy(maritime, ring[:, 0], ring[:, 1])
        )
        # split every max_nodes nodes and at both ends of each maritime run
        cuts = {0, len(ids) - 1} | set(range(0, len(ids), max_nodes))
        change = np.flatnonzero(sea[1:] != sea[:-1]) + 1
        cuts |= {int(i) if sea[i] else int(i) - 1 for i in change}
        bounds = sorted(cuts)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            wtags = {"boundary": "administrative", "admin_level": tags["admin_level"]}
            if sea[a : b + 1].all():
                wtags["maritime"] = "yes"
            members.append(("w", osm.way(ids[a : b + 1], wtags), role))
    return osm.relation(members, tags)


def _admin_tags(level: str, name: str, **more: str) -> dict[str, str]:
    return {"type": "boundary", "boundary": "administrative", "admin_level": level,
            "name": name, **more}  # fmt: skip


def add_admin_areas(
    osm: Osm,
    countries: gpd.GeoDataFrame,
    rng: np.random.Generator,
    *,
    maritime: shapely.Geometry | None,
) -> list[dict]:
    """Add the boundary relations of the countries, their regions and districts to ``osm``.

    Parameters
    ----------
    osm
        Receives nodes, ways and relations.
    countries
        The two countries (:func:`prepare_countries` or :func:`procedural_countries`).
    rng
        The world's random generator (names of regions and districts).
    maritime
        The sea, whose boundary ways get ``maritime=yes``; None when there is none.

    Returns
    -------
    list of dict
        One per district: ``iso3``, ``region``, ``name``, ``name_en``, ``article``,
        ``matched_by``, ``west``/``east`` (the meridians that bound it) and ``geometry``.
    """
    districts: list[dict] = []
    for row in countries.itertuples():
        iso3, geom = row.iso3, row.geometry
        known = COUNTRY_NAMES.get(iso3, {})
        alpha2 = known.get("alpha2", iso3[:2])
        tags = _admin_tags(
            "2",
            row.name,
            **{
                "name:en": row.name,
                "name:ru": known.get("ru", row.name),
                "name:kk": known.get("kk", row.name),
                "ISO3166-1": alpha2,
                "ISO3166-1:alpha2": alpha2,
                "ISO3166-1:alpha3": iso3,
            },
        )
        boundary_relation(osm, geom, tags, maritime=maritime)
        x0, _, x1, _ = geom.bounds
        n_reg = 3 if row.Index == 0 else 2
        edges = np.linspace(x0 - 1e-6, x1 + 1e-6, n_reg + 1)
        suffix = " область" if row.Index == 0 else " облысы"
        names = made_up_names(rng, n_reg * 3, suffixes=(suffix,))
        for r in range(n_reg):
            region = shapely.intersection(geom, shapely.box(edges[r], -90, edges[r + 1], 90))
            if region.is_empty:
                continue
            code = {"ISO3166-2": f"{alpha2}-R{r + 1}"}
            boundary_relation(osm, region, _admin_tags("4", names[r], **code))
            n_dist = 2 + (r % 2)
            sub = np.linspace(edges[r], edges[r + 1], n_dist + 1)
            for k in range(n_dist):
                dist = shapely.intersection(region, shapely.box(sub[k], -90, sub[k + 1], 90))
                if dist.is_empty:
                    continue
                dname = f"{names[n_reg + r * 2 + (k % 2)].split()[0]} район {k + 1}"
                known = DistrictName(None, None, None, "none")
                if row.Index == 0 and len(districts) < len(DISTRICT_NAMES):
                    known = DISTRICT_NAMES[len(districts)]
                more = {"name:en": known.name_en} if known.name_en else {}
                dname = known.name or dname
                boundary_relation(osm, dist, _admin_tags("6", dname, **more))
                districts.append(
                    {"iso3": iso3, "region": names[r], "name": dname, "name_en": known.name_en,
                     "article": known.article, "matched_by": known.matched_by,
                     "west": sub[k], "east": sub[k + 1], "geometry": dist}
                )  # fmt: skip
    return districts


ENCLAVE_OFFSET_M = 5000.0
"""Distance of the enclave's centre from the line (inside any corridor of the tests)."""


def add_enclave(osm: Osm, frame_at, districts: list[dict], *, length_m: float) -> dict | None:
    """Add an urban district off the line, inside the first country's first district.

    A square of 3 km at :data:`ENCLAVE_OFFSET_M` from the line on the first country's side,
    at the first chainage (5 %, 6 %... of ``length_m``) where it lies inside the first
    district; an enclave as Russian urban districts often are in a rural one.

    Parameters
    ----------
    osm
        Receives its nodes, ways and relation (the world's objects written after all
        others, so that no id of another object moves).
    frame_at
        Chainage (m) to a :class:`borderzone.synth.layout.Frame` there.
    districts
        What :func:`add_admin_areas` returned; the enclave is appended to it.
    length_m
        Length of the line the frames are laid along.

    Returns
    -------
    dict or None
        The enclave's row (as in :func:`add_admin_areas`, ``west``/``east`` None), or None
        when no site fits.
    """
    first = next((d for d in districts if d["iso3"] == districts[0]["iso3"]), None)
    if first is None:
        return None
    for fraction in np.arange(0.05, 0.5, 0.01):
        frame = frame_at(float(fraction) * length_m)
        h = 1500.0
        corners = [(-h, ENCLAVE_OFFSET_M - h), (h, ENCLAVE_OFFSET_M - h),
                   (h, ENCLAVE_OFFSET_M + h), (-h, ENCLAVE_OFFSET_M + h)]  # fmt: skip
        ring = frame.xy(corners)
        square = shapely.Polygon(ring)
        if not (square.is_valid and first["geometry"].contains(square)):
            continue
        row = {**first, "region": first["region"], "name": ENCLAVE_NAME.name,
               "name_en": ENCLAVE_NAME.name_en, "article": None, "matched_by": "none",
               "west": None, "east": None, "geometry": square}  # fmt: skip
        tags = _admin_tags("6", ENCLAVE_NAME.name, **{"name:en": ENCLAVE_NAME.name_en})
        boundary_relation(osm, square, tags)
        districts.append(row)
        return row
    return None
