"""Vector tiles: points at high zoom, precomputed groups at low zoom, the same filters, and an
impossible tile is a 400."""

from __future__ import annotations

import mapbox_vector_tile
import mercantile
import pytest

from geoapp.acteurs.models import DisplayedActeurCluster

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("paris_data")]


def tile(client, z, x, y, **params):
    response = client.get(f"/api/v1/tiles/{z}/{x}/{y}.pbf", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content).get("acteurs", {"features": []})["features"]


def test_a_high_zoom_tile_holds_the_acteurs_inside_it(client, paris_data):
    a = paris_data[0]
    x, y = mercantile.tile(a.location.x, a.location.y, 14)[:2]
    features = tile(client, 14, x, y)
    assert a.uuid in [f["properties"]["uuid"] for f in features]
    assert all(f["geometry"]["type"] == "Point" for f in features)


def test_a_low_zoom_tile_draws_precomputed_groups_counting_every_acteur(client, paris_data):
    x, y = mercantile.tile(2.35, 48.85, 3)[:2]  # all of the data is in it
    features = tile(client, 3, x, y)
    assert sum(f["properties"]["nombre"] for f in features) == len(paris_data)
    assert len(features) < len(paris_data) / 3  # grouped
    assert DisplayedActeurCluster.objects.filter(zoom=3).count() == len(features)


def test_tiles_take_the_same_filters(client, paris_data):
    x, y = mercantile.tile(2.35, 48.85, 3)[:2]
    low = tile(client, 3, x, y, action="louer")
    assert sum(f["properties"]["nombre"] for f in low) == sum(1 for a in paris_data if "louer" in a.actions)
    a = next(a for a in paris_data if "louer" not in a.actions)
    x, y = mercantile.tile(a.location.x, a.location.y, 15)[:2]
    assert a.uuid not in [f["properties"]["uuid"] for f in tile(client, 15, x, y, action="louer")]
    assert a.uuid in [f["properties"]["uuid"] for f in tile(client, 15, x, y)]


def test_an_empty_tile_is_empty(client):
    assert tile(client, 14, 0, 0) == []


@pytest.mark.parametrize("path", ["3/8/0", "3/0/8", "23/0/0", "-1/0/0", "2/-1/0"])
def test_an_impossible_tile_is_a_400(client, path):
    response = client.get(f"/api/v1/tiles/{path}.pbf")
    assert response.status_code == 400
    assert response.json()["parametre"] == "tuile"


def test_a_bad_filter_on_a_tile_is_a_400(client):
    response = client.get("/api/v1/tiles/5/16/11.pbf", {"action": "voler"})
    assert response.status_code == 400 and response.json()["parametre"] == "action"


def test_the_swapped_cluster_table_keeps_one_partial_spatial_index_per_zoom():
    from django.db import connection

    from geoapp.acteurs.models import CLUSTER_MAX_ZOOM

    with connection.cursor() as cursor:  # the fixture refreshed the clusters with table_swap
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'acteurs_displayedacteurcluster'")
        indexes = dict(cursor.fetchall())
    for z in range(CLUSTER_MAX_ZOOM + 1):
        assert f"WHERE (zoom = {z})" in indexes[f"displayed_cluster_z{z}_gist"]


def test_a_tile_carries_a_version_etag_and_if_none_match_answers_304(client, paris_data):
    x, y = mercantile.tile(2.35, 48.85, 10)[:2]
    first = client.get(f"/api/v1/tiles/10/{x}/{y}.pbf")
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"v') and "max-age" in first["Cache-Control"]
    again = client.get(f"/api/v1/tiles/10/{x}/{y}.pbf", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    stale = client.get(f"/api/v1/tiles/10/{x}/{y}.pbf", HTTP_IF_NONE_MATCH='"v0.1"')
    assert stale.status_code == 200 and stale.content == first.content


def test_a_cached_tile_is_served_until_a_new_version_is_published(client, paris_data,
                                                                 django_capture_on_commit_callbacks):
    from geoapp.acteurs.displayed import displayed_cluster_refresh
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.api.models import TuileCache

    from .conftest import displayed

    x, y = mercantile.tile(2.35, 48.85, 11)[:2]
    before = client.get(f"/api/v1/tiles/11/{x}/{y}.pbf", {"action": "reparer,donner"})
    count = sum(f["properties"]["nombre"] for f in
                mapbox_vector_tile.decode(before.content)["acteurs"]["features"])
    # the same filters in another order are the same cached tile (in this process's memory: filtered)
    assert memorised(f"11/{x}/{y}?") == 1
    assert client.get(f"/api/v1/tiles/11/{x}/{y}.pbf", {"action": "donner,reparer"}).content == before.content
    assert memorised(f"11/{x}/{y}?") == 1
    assert not TuileCache.objects.filter(cle__startswith=f"11/{x}/{y}").exists()

    DisplayedActeur.objects.bulk_create([displayed(f"nouveau_{i}", 2.35, 48.85) for i in range(3)])
    assert client.get(f"/api/v1/tiles/11/{x}/{y}.pbf", {"action": "reparer,donner"}).content == before.content
    with django_capture_on_commit_callbacks(execute=True):  # what a publication does: a new generation
        displayed_cluster_refresh()
    after = client.get(f"/api/v1/tiles/11/{x}/{y}.pbf", {"action": "reparer,donner"},
                       HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert sum(f["properties"]["nombre"] for f in
               mapbox_vector_tile.decode(after.content)["acteurs"]["features"]) == count + 3


def test_a_publication_only_invalidates_and_the_low_zoom_tiles_are_computed_ahead_by_their_own_step(client, paris_data):
    from geoapp.api.models import TuileCache
    from geoapp.api.selectors import tuile_generation
    from geoapp.api.services import tuile_cache_precompute

    a = paris_data[0]
    # the fixture's clusters refresh committed: its signal computed no tile ahead
    assert not TuileCache.objects.filter(generation=tuile_generation()).exists()
    x5, y5 = mercantile.tile(a.location.x, a.location.y, 5)[:2]
    on_the_fly = client.get(f"/api/v1/tiles/5/{x5}/{y5}.pbf").content  # not computed ahead: computed now
    TuileCache.objects.all().delete()

    result = tuile_cache_precompute()

    cached = {c: g for c, g in TuileCache.objects.values_list("cle", "generation")}
    assert result == {"tuiles": len(cached), "calculees": len(cached)}
    for z in range(9):  # the unfiltered tiles of zooms 0 to 8 holding acteurs
        x, y = mercantile.tile(a.location.x, a.location.y, z)[:2]
        assert cached[f"{z}/{x}/{y}"] == tuile_generation()
    assert not any(cle.startswith("9/") for cle in cached)
    assert bytes(TuileCache.objects.get(cle=f"5/{x5}/{y5}").tuile) == on_the_fly
    assert client.get(f"/api/v1/tiles/5/{x5}/{y5}.pbf").content == on_the_fly
    assert tuile_cache_precompute() == {"tuiles": len(cached), "calculees": 0}  # run again: nothing to compute


def test_the_tile_memory_of_a_process_drops_the_least_recently_used_past_its_size():
    from geoapp.api.selectors import TuilesMemoire

    entry = TuilesMemoire.poids(("g1", "t00"), bytes(50))  # a tile's bytes, its key and the entry's overhead
    memory = TuilesMemoire(max_bytes=20 * entry)
    for i in range(20):  # 20 entries: full
        memory.put(("g1", f"t{i:02d}"), bytes(50))
    assert memory.get(("g1", "t00")) is not None  # used: now the most recent
    memory.put(("g1", "t20"), bytes(50))
    assert memory.get(("g1", "t01")) is None  # the least recently used went
    assert memory.get(("g1", "t00")) is not None and memory.get(("g1", "t20")) is not None
    assert memory.size == 20 * entry
    assert memory.get(("g2", "t20")) is None  # another generation: not served
    memory.put(("g1", "grosse"), bytes(2 * entry))  # over a tenth of the memory: not kept
    assert memory.get(("g1", "grosse")) is None


def memorised(prefix: str) -> int:
    from geoapp.api.selectors import TUILES_MEMOIRE

    return sum(1 for _, cle in list(TUILES_MEMOIRE.tiles) if cle.startswith(prefix))


def test_only_unfiltered_tiles_of_groups_holding_acteurs_are_kept_in_the_shared_cache(client, paris_data):
    from geoapp.api.filters import ActeurRecherche
    from geoapp.api.models import TuileCache
    from geoapp.api.selectors import acteur_tuile

    a = paris_data[0]
    x8, y8 = mercantile.tile(a.location.x, a.location.y, 8)[:2]
    x12, y12 = mercantile.tile(a.location.x, a.location.y, 12)[:2]
    x13, y13 = mercantile.tile(a.location.x, a.location.y, 13)[:2]
    x14, y14 = mercantile.tile(a.location.x, a.location.y, 14)[:2]
    assert tile(client, 8, x8, y8) and tile(client, 12, x12, y12)  # worth sharing: unfiltered, groups, acteurs
    assert TuileCache.objects.filter(cle__in=[f"8/{x8}/{y8}", f"12/{x12}/{y12}"]).count() == 2
    rows = TuileCache.objects.count()

    asked = [
        (8, x8, y8, {"action": "reparer"}, ActeurRecherche(codes={"actions": ["reparer"]})),
        (8, x8, y8, {"near": "2.35123,48.85123", "dist": "30000"}, ActeurRecherche(near=(2.35123, 48.85123), dist=30000)),
        (13, x13, y13, {}, ActeurRecherche()),  # beyond the groups: one point per acteur
        (14, x14, y14, {}, ActeurRecherche()),
        (8, 0, 0, {}, ActeurRecherche()),  # the sea: empty
        (14, 0, 0, {}, ActeurRecherche()),
    ]
    assert acteur_tuile(z=8, x=x8, y=y8, recherche=asked[0][4]) != acteur_tuile(z=8, x=x8, y=y8,
                                                                             recherche=ActeurRecherche())
    for z, x, y, params, recherche in asked:
        for _ in range(2):  # computed, then from this process's memory: the same bytes
            response = client.get(f"/api/v1/tiles/{z}/{x}/{y}.pbf", params)
            assert response.status_code == 200
            assert response.content == acteur_tuile(z=z, x=x, y=y, recherche=recherche), (z, params)
    assert tile(client, 14, x14, y14) and tile(client, 8, 0, 0) == []
    assert TuileCache.objects.count() == rows


def test_the_memory_of_a_process_stays_bounded_by_empty_tiles_too():
    from geoapp.api.selectors import TuilesMemoire

    memory = TuilesMemoire(max_bytes=100_000)
    for i in range(10_000):
        memory.put(("g1", f"14/{i}/0"), b"")
    assert memory.size <= 100_000
    assert len(memory.tiles) < 500
    assert memory.get(("g1", "14/9999/0")) == b""  # the latest are kept


def test_the_tile_precompute_flow_runs_on_the_prefect_api(prefect_api, paris_data):
    from flows.tuiles import tuiles_precalcul_flow
    from geoapp.api.models import TuileCache

    state = tuiles_precalcul_flow(return_state=True)

    assert state.is_completed()
    assert state.result()["tuiles"] == TuileCache.objects.count() > 0


def test_the_tiles_holding_groups_are_the_tiles_of_the_acteurs(paris_data):
    from geoapp.api.selectors import tuiles_avec_groupes

    expected = {(z, *mercantile.tile(a.location.x, a.location.y, z)[:2]) for a in paris_data for z in range(9)}
    assert tuiles_avec_groupes(z_max=8) == sorted(expected)
