"""The map's low-zoom tiles as a PMTiles archive on object storage (issue 18): the flow
`tuiles-archive` (a thin caller of `services.tuile_archive_publier`) writes the unfiltered tiles of zooms 0–8 into the tiles' bucket (moto's S3 server
here); every tile of the archive decodes to the same features as the API's, every tile it lacks is
empty in the API, and a second run writes nothing until a new generation is published."""

from __future__ import annotations

import gzip
import socket

import mapbox_vector_tile
import pytest
from django.test import override_settings

pytestmark = [pytest.mark.django_db]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def tuiles_bucket():
    """An S3 server on loopback (moto) with the tiles' bucket; the settings point at it."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=url, region_name="eu-west-3", aws_access_key_id="test",
                          aws_secret_access_key="test")
    try:  # moto's state is the process's: a module importing this fixture gets its own server, same buckets
        client.create_bucket(Bucket="tuiles-test", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    with override_settings(TUILES_S3_ENDPOINT_URL=url, TUILES_S3_BUCKET="tuiles-test", TUILES_S3_CLE="carte/acteurs.pmtiles",
                           TUILES_S3_ACCESS_KEY="test", TUILES_S3_SECRET_KEY="test", TUILES_S3_REGION="eu-west-3"):
        yield client
    server.stop()


def archive_get(client) -> tuple[bytes, dict]:
    obj = client.get_object(Bucket="tuiles-test", Key="carte/acteurs.pmtiles")
    return obj["Body"].read(), obj


def features(tile: bytes) -> list:
    return sorted((f["geometry"]["coordinates"], sorted(f["properties"].items()))
                  for f in mapbox_vector_tile.decode(tile).get("acteurs", {"features": []})["features"])


def test_the_archive_holds_the_apis_low_zoom_tiles_and_a_rerun_writes_it_once_per_generation(
        client, paris_data, tuiles_bucket, django_capture_on_commit_callbacks):
    from pmtiles.reader import MemorySource, Reader, all_tiles
    from pmtiles.tile import Compression, TileType

    from geoapp.acteurs.displayed import displayed_cluster_refresh
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.api.selectors import tuile_generation
    from geoapp.api.services import tuile_archive_publier

    from .conftest import displayed

    first = tuile_archive_publier()
    assert first["deposee"] and first["generation"] == tuile_generation()
    body, obj = archive_get(tuiles_bucket)
    assert obj["ContentType"] == "application/vnd.pmtiles" and obj["Metadata"]["generation"] == first["generation"]
    assert "max-age" in obj["CacheControl"] and first["octets"] == len(body)
    reader = Reader(MemorySource(body))
    header = reader.header()
    assert header["tile_type"] == TileType.MVT and header["tile_compression"] == Compression.GZIP
    assert (header["min_zoom"], header["max_zoom"]) == (0, 8)
    assert reader.metadata()["generation"] == first["generation"]

    archived = {zxy: gzip.decompress(data) for zxy, data in all_tiles(reader.get_bytes)}
    assert len(archived) == first["tuiles"] and {z for z, _, _ in archived} == set(range(9))
    counted = {z: 0 for z in range(9)}
    for (z, x, y), tile in archived.items():
        api = client.get(f"/api/v1/tiles/{z}/{x}/{y}.pbf")
        assert api.status_code == 200
        assert tile == api.content  # the same bytes, so the same features
        assert features(tile) == features(api.content) != []
        counted[z] += sum(f["properties"]["nombre"] for f in mapbox_vector_tile.decode(tile)["acteurs"]["features"]
                          if _inside(f))
    # each acteur is in exactly one group per zoom: the archive draws them all, at every zoom
    assert counted == {z: len(paris_data) for z in range(9)}
    # a tile the archive lacks is empty in the API: its neighbours at every zoom
    for (z, x, y) in list(archived):
        for dx, dy in [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1)]:
            voisin = (z, x + dx, y + dy)
            if voisin not in archived and 0 <= voisin[1] < 2**z and 0 <= voisin[2] < 2**z:
                assert client.get("/api/v1/tiles/{}/{}/{}.pbf".format(*voisin)).content == b""

    # run twice: the bucket holds this generation already, nothing is written
    again = tuile_archive_publier()
    assert not again["deposee"] and archive_get(tuiles_bucket)[1]["ETag"] == obj["ETag"]

    # a publication (a new generation): the next run writes the new tiles
    DisplayedActeur.objects.bulk_create([displayed(f"archive_{i}", 2.35, 48.85) for i in range(4)])
    with django_capture_on_commit_callbacks(execute=True):
        displayed_cluster_refresh()
    third = tuile_archive_publier()
    assert third["deposee"] and third["generation"] != first["generation"]
    body3, obj3 = archive_get(tuiles_bucket)
    assert obj3["Metadata"]["generation"] == third["generation"]
    reader3 = Reader(MemorySource(body3))
    z0 = {zxy: gzip.decompress(t) for zxy, t in all_tiles(reader3.get_bytes) if zxy[0] == 0}
    assert sum(f["properties"]["nombre"] for f in mapbox_vector_tile.decode(z0[(0, 0, 0)])["acteurs"]["features"]) \
        == len(paris_data) + 4


def _inside(feature) -> bool:
    """A group drawn inside its tile (not in the margin, where the neighbour tile draws it too)."""
    x, y = feature["geometry"]["coordinates"]
    return 0 <= x < 4096 and 0 <= y < 4096


def test_the_archive_flow_runs_on_the_prefect_api(paris_data, tuiles_bucket, prefect_api):
    from flows.tuiles_archive import tuiles_archive_flow
    from geoapp.api.selectors import tuile_generation

    result = tuiles_archive_flow()
    generation = tuile_generation()
    assert result["generation"] == generation
    assert archive_get(tuiles_bucket)[1]["Metadata"]["generation"] == generation
    import yaml

    from flows import REPO

    (deploiement,) = [d for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
                      if d["entrypoint"] == "flows/tuiles_archive.py:tuiles_archive_flow"]
    assert deploiement["name"] == "tuiles-archive" and deploiement["schedules"] and "maintenance" in deploiement["tags"]
