"""The workflow on one synthetic world through each OSM source: a local PBF, Geofabrik and
Overpass (both served by a local HTTP server on 127.0.0.1), and the synthetic default."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import osmium
import pyogrio
import pytest
import yaml
from servers import LocalServer, Reply, status_text

from borderzone.synth.world import generate_world

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.workflow


def run(workdir: Path, config: dict) -> subprocess.CompletedProcess:
    cfg = workdir / "test-config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            str(REPO / "Snakefile"),
            "--directory",
            str(workdir),
            "--configfile",
            str(cfg),
            "--cores",
            "2",
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
    )


def overpass_reply(pbf: Path) -> bytes:
    """The whole world as an Overpass JSON reply (nodes with tags, ways with node lists)."""
    elements = []
    for obj in osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY):
        tags = {t.k: t.v for t in obj.tags}
        if obj.is_node():
            node = {"type": "node", "id": obj.id, "lat": obj.location.lat, "lon": obj.location.lon}
            elements.append({**node, "tags": tags} if tags else node)
        else:
            elements.append(
                {"type": "way", "id": obj.id, "nodes": [n.ref for n in obj.nodes], "tags": tags}
            )
    reply = {"version": 0.6, "generator": "Overpass API (test)", "elements": elements}
    return json.dumps(reply).encode()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return generate_world(tmp_path_factory.mktemp("world"), n_ways=400, seed=3)


def config_for(world, **osm) -> dict:
    return {
        "pair": ["XAA", "XBB"],
        "buffers_km": [5, 20],
        "segment_km": 50,
        "countries": {"source": "file", "file": str(world.countries), "layer": "countries"},
        "osm": {"corridor_km": 25, **osm},
        "population": {"source": "file", "file": str(world.population)},
    }


def network_ids(workdir: Path, width: str) -> dict[str, set[int]]:
    path = workdir / f"results/XAA-XBB/{width}km/network.gpkg"
    return {
        layer: set(pyogrio.read_dataframe(path, layer=layer, columns=["osm_id"])["osm_id"])
        for layer in ("roads", "rail", "checkpoints", "places")
    }


@pytest.fixture(scope="module")
def pbf_run(world, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("pbf")
    proc = run(workdir, config_for(world, source="pbf", files=[str(world.pbf)]))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return workdir


def test_pbf_source_gives_layers_in_each_buffer(pbf_run):
    for width in ("5", "20"):
        ids = network_ids(pbf_run, width)
        assert ids["roads"] and ids["rail"] and ids["checkpoints"]
    narrow, wide = network_ids(pbf_run, "5"), network_ids(pbf_run, "20")
    assert narrow["roads"] < wide["roads"]


def test_geofabrik_source_downloads_once_and_matches_pbf(world, pbf_run, tmp_path):
    data = world.pbf.read_bytes()
    md5 = hashlib.md5(data).hexdigest()
    with LocalServer() as server:
        server.route("GET", "/asia/xaa-latest.osm.pbf", default=Reply(body=data, ranges=True))
        server.route(
            "GET",
            "/asia/xaa-latest.osm.pbf.md5",
            default=Reply(body=f"{md5}  xaa-latest.osm.pbf\n".encode()),
        )
        config = config_for(
            world, source="geofabrik", geofabrik={"regions": ["asia/xaa"], "base_url": server.url}
        )
        proc = run(tmp_path, config)
        assert proc.returncode == 0, proc.stderr[-3000:]
        downloads = [r for r in server.requests if r.path.endswith(".pbf")]
        assert len(downloads) == 1
        assert (tmp_path / "data/osm/xaa-latest.osm.pbf").read_bytes() == data
        # a second run with other widths downloads nothing
        proc = run(tmp_path, {**config, "buffers_km": [5, 10]})
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert len([r for r in server.requests if r.path.endswith(".pbf")]) == 1
    for width in ("5", "20"):
        assert network_ids(tmp_path, width) == network_ids(pbf_run, width)


def test_overpass_source_matches_pbf(world, pbf_run, tmp_path):
    reply = overpass_reply(world.pbf)
    with LocalServer() as server:
        server.route("GET", "/api/status", default=lambda r: Reply(body=status_text()))
        server.route(
            "POST",
            "/api/interpreter",
            default=Reply(body=reply, headers={"Content-Type": "application/json"}),
        )
        config = config_for(
            world, source="overpass", overpass={"url": f"{server.url}/api", "chunk_km": 150}
        )
        proc = run(tmp_path, config)
        assert proc.returncode == 0, proc.stderr[-3000:]
    chunks = sorted((tmp_path / "results/XAA-XBB/osm/overpass").glob("chunk_*.gpkg"))
    assert len(chunks) >= 3  # one job per chunk
    for width in ("5", "20"):
        assert network_ids(tmp_path, width) == network_ids(pbf_run, width)


def test_countries_from_osm_give_the_same_border(world, pbf_run, tmp_path):
    config = config_for(world, source="pbf", files=[str(world.pbf)])
    config["countries"] = {"source": "osm"}
    proc = run(tmp_path, config)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ours = pyogrio.read_dataframe(tmp_path / "results/XAA-XBB/border.gpkg", layer="border")
    theirs = pyogrio.read_dataframe(pbf_run / "results/XAA-XBB/border.gpkg", layer="border")
    # the maritime west coast is not border; the line is the same one within a few metres
    assert ours["length_km"].iloc[0] == pytest.approx(theirs["length_km"].iloc[0], rel=1e-3)
    assert ours.geometry.iloc[0].hausdorff_distance(theirs.geometry.iloc[0]) < 0.01
    assert network_ids(tmp_path, "20")["roads"] == network_ids(pbf_run, "20")["roads"]
