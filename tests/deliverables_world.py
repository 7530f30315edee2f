"""A small world for the deliverables tests (styles, QGIS project, report, web map).

A wavy border between RUS (north) and KAZ (south) from 50°E to 60°E, cut into 10
segments, with buffers, cells, roads, rail, checkpoints, places, crossings of every
category and segment metrics following the column contracts of the crossings and
segment_metrics stages, and a population density GeoTIFF. Everything is known by
construction: 10 crossings, 2 of them rail, one per category at least.
:func:`world_layers` assembles them into the layers of a deliverable GeoPackage;
:func:`parse_qml` reads a style back; :func:`world_run_record` is a synthetic run's record
(the population GeoTIFF and a made-up OSM file).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from rasterio.transform import Affine
from shapely import LineString, Point, Polygon, box, line_interpolate_point
from shapely.ops import substring

from borderzone.crossings import CATEGORIES
from borderzone.deliver.geopackage import deliverable_layers
from borderzone.deliver.run_record import file_record, run_record

CRS = "EPSG:4326"
N_SEG = 10


def border_line() -> LineString:
    x = np.linspace(50, 60, 201)
    return LineString(np.column_stack([x, 51 + 0.3 * np.sin((x - 50) / 10 * 2 * np.pi)]))


def crossings_frame(line: LineString) -> gpd.GeoDataFrame:
    rows = [
        # kind, category, surface, official, local_only, highway, name
        ("road", "international checkpoint", "paved", True, False, "trunk", "Karaozek"),
        ("road", "international checkpoint", "paved", True, False, "primary", None),
        ("road", "local checkpoint", "unpaved", True, True, "tertiary", "Ozinki"),
        ("road", "road without checkpoint", "paved", False, False, "secondary", None),
        ("road", "road without checkpoint", "unknown", False, False, "unclassified", None),
        ("road", "track", "unpaved", False, False, "track", None),
        ("road", "track", "unknown", False, False, "track", None),
        ("rail", "rail checkpoint", "unknown", True, False, None, "Iletsk-1"),
        ("rail", "rail without checkpoint", "unknown", False, False, None, None),
        ("road", "road without checkpoint", "unpaved", False, False, "unclassified", None),
    ]
    kms = np.linspace(30, 730, len(rows))
    out = []
    for i, ((kind, cat, surf, off, loc, hw, name), km) in enumerate(
        zip(rows, kms, strict=True), start=1
    ):
        frac = km / 760
        p = line_interpolate_point(line, frac, normalized=True)
        out.append(
            {
                "crossing_id": i,
                "kind": kind,
                "km": float(km),
                "seg_id": int(frac * N_SEG) + 1,
                "lon": p.x,
                "lat": p.y,
                "highway": hw,
                "ref": f"A-{i}" if hw in ("trunk", "primary") else None,
                "name": name,
                "surface_class": surf,
                "official": off,
                "checkpoint_name": name if off else None,
                "local_only": loc,
                "category": cat,
                "transit": i == 4,
                "in_gap": False,
                "osm_ids": [1000 + i, 2000 + i] if i % 2 else [1000 + i],
                "geometry": p,
            }
        )
    gdf = gpd.GeoDataFrame(out, crs=CRS)
    assert set(gdf["category"]) == set(CATEGORIES)
    return gdf


def make_world(tmp: Path | None = None) -> dict:
    """All layers of the small world; with ``tmp``, also a population GeoTIFF in it."""
    line = border_line()
    border = gpd.GeoDataFrame(
        {"pair": ["RUS-KAZ"], "length_km": [760.0], "official_length_km": [7644.0]},
        geometry=[line],
        crs=CRS,
    )
    seg_geoms = [substring(line, i / N_SEG, (i + 1) / N_SEG, normalized=True) for i in range(N_SEG)]
    segments = gpd.GeoDataFrame(
        {
            "seg_id": np.arange(1, N_SEG + 1),
            "from_km": np.arange(N_SEG) * 76.0,
            "to_km": np.arange(1, N_SEG + 1) * 76.0,
            "length_km": np.full(N_SEG, 76.0),
        },
        geometry=seg_geoms,
        crs=CRS,
    )
    cells = []
    for sid, g in zip(segments["seg_id"], seg_geoms, strict=True):
        c = np.asarray(g.coords)
        north = Polygon(np.vstack([c, c[::-1] + [0, 0.5]]))
        south = Polygon(np.vstack([c, c[::-1] - [0, 0.5]]))
        cells += [(sid, "RUS", north), (sid, "KAZ", south)]
    cells = gpd.GeoDataFrame(
        [
            {"seg_id": s, "side": side, "width_km": 50.0, "area_km2": 4000.0, "geometry": p}
            for s, side, p in cells
        ],
        crs=CRS,
    )
    buffer = cells.dissolve(by="side", as_index=False)[["side", "geometry"]]
    buffer["width_km"] = 50.0
    buffer["area_km2"] = 40000.0
    crossings = crossings_frame(line)
    roads, rail = [], []
    for r in crossings.itertuples():
        geom = LineString(
            [(r.lon - 0.05, r.lat - 0.4), (r.lon, r.lat), (r.lon + 0.05, r.lat + 0.4)]
        )
        if r.kind == "rail":
            rail.append(
                {
                    "osm_id": r.osm_ids[0],
                    "railway": "rail",
                    "name": r.name,
                    "side": "RUS",
                    "geometry": geom,
                }
            )
        else:
            roads.append(
                {
                    "osm_id": r.osm_ids[0],
                    "highway": r.highway,
                    "surface": None,
                    "ref": r.ref,
                    "name": r.name,
                    "side": "RUS",
                    "geometry": geom,
                }
            )
    roads.append(
        {
            "osm_id": 9,
            "highway": "living_street",
            "surface": "asphalt",
            "ref": None,
            "name": None,
            "side": "KAZ",
            "geometry": LineString([(55, 50.6), (55.2, 50.7)]),
        }
    )
    rail.append(
        {
            "osm_id": 10,
            "railway": "abandoned",
            "name": None,
            "side": "KAZ",
            "geometry": LineString([(56, 50.6), (56.3, 50.65)]),
        }
    )
    checkpoints = gpd.GeoDataFrame(
        [
            {
                "osm_id": 500 + int(r.crossing_id),
                "barrier": "border_control",
                "name": r.checkpoint_name,
                "side": "RUS",
                "geometry": Point(r.lon, r.lat + 0.01),
            }
            for r in crossings.itertuples()
            if r.official
        ],
        crs=CRS,
    )
    places = gpd.GeoDataFrame(
        {
            "osm_id": [1, 2, 3, 4],
            "place": ["city", "town", "village", "hamlet"],
            "name": ["Orsk", "Kostanay", "Ozinki", "Aul"],
            "population": [230000.0, 45000.0, 1200.0, 80.0],
            "side": ["RUS", "KAZ", "RUS", "KAZ"],
        },
        geometry=[Point(52, 51.4), Point(55, 50.5), Point(57, 51.2), Point(58, 50.8)],
        crs=CRS,
    )
    rng = np.random.default_rng(0)
    metrics = pd.DataFrame(
        {
            "seg_id": np.repeat(segments["seg_id"].to_numpy(), 2),
            "side": ["RUS", "KAZ"] * N_SEG,
        }
    )
    n = len(metrics)
    metrics["population"] = rng.integers(0, 50_000, n).astype(float)
    metrics["area_km2"] = 4000.0
    metrics["pop_density_km2"] = metrics["population"] / metrics["area_km2"]
    metrics["rural_share"] = rng.uniform(0.2, 1.0, n)
    metrics["dist_road_crossing_km"] = rng.uniform(0, 200, n)
    metrics["time_to_crossing_min"] = metrics["dist_road_crossing_km"] / 60 * 60
    metrics["road_km_per_km2"] = rng.uniform(0, 0.5, n)
    metrics["isolation_index"] = rng.uniform(0, 1, n)
    metrics["cluster"] = rng.integers(0, 3, n)
    metrics["label"] = metrics["cluster"].map({0: "connected", 1: "rural", 2: "remote"})
    world = {
        "border": border,
        "segments": segments,
        "buffer": buffer,
        "cells": cells,
        "network": {
            "roads": gpd.GeoDataFrame(roads, crs=CRS),
            "rail": gpd.GeoDataFrame(rail, crs=CRS),
            "checkpoints": checkpoints,
            "places": places,
        },
        "crossings": crossings,
        "metrics": metrics,
        "extent": tuple(box(*line.bounds).buffer(0.5).bounds),
    }
    if tmp is not None:
        tif = Path(tmp) / "population_density.tif"
        data = rng.gamma(2.0, 5.0, (40, 100)).astype("float32")
        with rasterio.open(
            tif,
            "w",
            driver="GTiff",
            height=40,
            width=100,
            count=1,
            dtype="float32",
            crs=CRS,
            transform=Affine(0.1, 0, 50, 0, -0.05, 52),
            nodata=-1,
        ) as dst:
            dst.write(data, 1)
        world["raster"] = tif
    return world


def world_layers(world: dict) -> dict[str, gpd.GeoDataFrame]:
    """The layers of the world's deliverable GeoPackage (metrics joined, no border gaps)."""
    return deliverable_layers(
        border=world["border"],
        segments=world["segments"],
        buffer=world["buffer"],
        cells=world["cells"],
        network=world["network"],
        crossings=world["crossings"],
        metrics=world["metrics"],
    )


def parse_qml(qml: str) -> ET.Element:
    """The root of a QML document, which must start with its doctype line."""
    assert qml.startswith("<!DOCTYPE qgis")
    return ET.fromstring(qml.split("\n", 1)[1])


def world_run_record(world: dict) -> dict:
    """The record of a synthetic run of the world (``make_world`` given a folder)."""
    return run_record(
        [
            file_record(world["raster"], role="population"),
            {"role": "osm", "name": "world.osm.pbf", "date": "2025-01-01", "sha256": "00"},
        ],
        config_sha256="c0ffee",
        synthetic=True,
    )
