"""The places of a world: made up when none are given, their OSM nodes, roads between them."""

import numpy as np
import pandas as pd
import shapely

from borderzone.errors import InputDataError
from borderzone.synth.countries import NEAR_KM
from borderzone.synth.names import SUFFIX_A, SUFFIX_B, made_up_names
from borderzone.synth.osm_writer import Osm

PLACE_COLUMNS = ("name", "lon", "lat", "population", "iso3")
"""Columns a table of places needs."""

PLACE_KINDS: tuple[tuple[int, str], ...] = ((100_000, "city"), (10_000, "town"), (200, "village"))
"""``place`` of a town from this population up (first match; below them ``hamlet``)."""

LINK_CLASSES: tuple[tuple[int, str], ...] = (
    (100_000, "trunk"), (20_000, "primary"), (5000, "secondary"), (1000, "tertiary"),
)  # fmt: skip
"""Class of a road between two places by the larger population (below them
``unclassified``); trunk and primary roads are tagged ``surface=asphalt``."""


def _first_at_least(value: float, table: tuple[tuple[int, str], ...], default: str) -> str:
    return next((name for least, name in table if value >= least), default)


def generate_places(
    rng: np.random.Generator, countries: pd.DataFrame, border: shapely.LineString, n: int
) -> pd.DataFrame:
    """``n`` places inside the two countries within ~150 km of the border, half on each side.

    Populations are log-normal, but for a city of 180,000 and a town of 25,000 per side.
    """
    near = shapely.buffer(border, NEAR_KM / 111.0)
    rows = []
    for k, row in enumerate(countries.itertuples()):
        area = shapely.intersection(row.geometry, near)
        shapely.prepare(area)
        x0, y0, x1, y1 = area.bounds
        pts = np.empty((0, 2))
        while len(pts) < n // 2:
            cand = np.column_stack([rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)])
            pts = np.concatenate([pts, cand[shapely.contains_xy(area, cand[:, 0], cand[:, 1])]])
        pts = pts[: n // 2]
        pop = np.exp(rng.normal(6.3, 1.4, len(pts))).round()
        pop[0], pop[1] = 180_000, 25_000
        names = made_up_names(rng, len(pts), suffixes=SUFFIX_A if k == 0 else SUFFIX_B)
        rows.append(
            pd.DataFrame(
                {
                    "name": names,
                    "lon": pts[:, 0],
                    "lat": pts[:, 1],
                    "population": pop.astype(int),
                    "iso3": row.iso3,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def check_places(places: pd.DataFrame) -> pd.DataFrame:
    """Given places, renumbered from 0; InputDataError when a column is missing."""
    need = set(PLACE_COLUMNS) - set(places.columns)
    if need:
        raise InputDataError(f"places lack columns {sorted(need)}")
    return places.reset_index(drop=True)


def place_tags(places: pd.DataFrame, *, second: str) -> tuple[list[dict[str, str]], list[str]]:
    """OSM tags of each place; a few population values are left unparseable on purpose.

    Returns
    -------
    (tags, population tags)
        The tags of each place and its ``population`` value; three places of 150 to 3,000
        people get ``ок. <hundreds>``, which no number parser reads.
    """
    tags, pop_tags = [], []
    small = set(places.index[(places.population > 150) & (places.population < 3000)][:3])
    for i, r in places.iterrows():
        pop = int(r.population)
        kind = _first_at_least(pop, PLACE_KINDS, "hamlet")
        ptag = f"ок. {round(pop, -2)}" if i in small else str(pop)
        t = {"place": kind, "name": str(r["name"]), "population": ptag}
        t["name:kk" if r.iso3 == second else "name:ru"] = str(r["name"])
        tags.append(t)
        pop_tags.append(ptag)
    return tags, pop_tags


def add_place_nodes(osm: Osm, places: pd.DataFrame, *, second: str) -> list[str]:
    """Add a node per place to ``osm``; return the ``population`` tag of each."""
    tags, pop_tags = place_tags(places, second=second)
    for r, t in zip(places.itertuples(), tags, strict=True):
        osm.node(r.lon, r.lat, t)
    return pop_tags


def add_place_links(
    rng: np.random.Generator,
    osm: Osm,
    places: pd.DataFrame,
    tree: shapely.STRtree,
    clearance_deg: float,
) -> int:
    """Roads from each place to its nearest neighbours of the same country, off the border.

    A road that would come within ``clearance_deg`` of the border (``tree``) is left out.
    Returns how many roads were added.
    """
    xy = places[["lon", "lat"]].to_numpy()
    iso = places.iso3.to_numpy()
    pop = places.population.to_numpy()
    done: set[tuple[int, int]] = set()
    n = 0
    for i in range(len(places)):
        same = np.flatnonzero((iso == iso[i]) & (np.arange(len(places)) != i))
        if not len(same):
            continue
        d = np.hypot(*(xy[same] - xy[i]).T)
        for j in same[np.argsort(d, kind="stable")[:2]]:
            key = (min(i, j), max(i, j))
            if key in done:
                continue
            done.add(key)
            a, b = xy[i], xy[j]
            steps = max(int(np.hypot(*(b - a)) / 0.003), 2)
            t = np.linspace(0, 1, steps + 1)[:, None]
            normal = np.array([-(b - a)[1], (b - a)[0]])
            wiggle = 0.04 * np.sin(np.pi * t * rng.integers(1, 4)) * rng.uniform(-1, 1)
            line = a + t * (b - a) + wiggle * normal
            line[0] += [0.0005, 0.0003]
            line[-1] += [0.0005, 0.0003]
            geom = shapely.LineString(line)
            if len(tree.query(geom, predicate="dwithin", distance=clearance_deg)):
                continue
            hw = _first_at_least(max(pop[i], pop[j]), LINK_CLASSES, "unclassified")
            tags = {"highway": hw, "name": f"{places.name[i]} — {places.name[j]}"}
            if hw in ("trunk", "primary"):
                tags["surface"] = "asphalt"
            osm.line(line, tags)
            n += 1
    return n
