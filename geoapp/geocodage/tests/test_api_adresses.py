"""GET /api/v1/adresses: the offline geocoder in the GeoJSON shape of the BAN API."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db(databases=["default", "warehouse"])

BAN_PROPERTIES = {"label", "score", "id", "type", "housenumber", "street", "postcode", "citycode", "city"}


def test_an_address_comes_back_as_a_ban_feature_collection(client, ban_clone):
    response = client.get("/api/v1/adresses", {"q": "12 rue de la roquette paris 11e", "limit": 3})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["limit"] == 3 and body["query"] == "12 rue de la roquette paris 11e"
    assert 1 <= len(body["features"]) <= 3
    best = body["features"][0]
    assert best["geometry"]["type"] == "Point"
    lon, lat = best["geometry"]["coordinates"]
    assert abs(lon - 2.3724) < 0.002 and abs(lat - 48.8548) < 0.002
    assert BAN_PROPERTIES <= set(best["properties"])
    assert {k: best["properties"][k] for k in ("id", "type", "housenumber", "street", "postcode", "citycode", "city")} == {
        "id": "75111_8358_00012", "type": "housenumber", "housenumber": "12", "street": "Rue de la Roquette",
        "postcode": "75011", "citycode": "75111", "city": "Paris 11e Arrondissement"}
    assert best["properties"]["label"] == "12 Rue de la Roquette 75011 Paris 11e Arrondissement"
    assert 0.8 < best["properties"]["score"] <= 1
    scores = [f["properties"]["score"] for f in body["features"]]
    assert scores == sorted(scores, reverse=True)


def test_same_shape_as_the_real_ban_answer(client, ban_clone):
    real = json.loads((settings.DATA_DIR / "ban" / "api-adresse-reponse-exemple.json").read_text())
    ours = client.get("/api/v1/adresses", {"q": "rue de la roquette 75011"}).json()
    assert set(real) <= set(ours)
    assert set(real["features"][0]) == set(ours["features"][0])
    assert set(ours["features"][0]["properties"]) >= {"label", "score", "id", "type", "name", "postcode", "citycode", "city"}


def test_nonsense_gets_an_empty_collection(client, ban_clone):
    body = client.get("/api/v1/adresses", {"q": "xqzw lorem ipsum"}).json()
    assert body["features"] == []


@pytest.mark.parametrize("params, parametre", [
    ({}, "q"), ({"q": ""}, "q"), ({"q": "ab"}, "q"), ({"q": "!!!!"}, "q"), ({"q": "x" * 201}, "q"),
    ({"q": "rue de la roquette", "limit": "abc"}, "limit"), ({"q": "rue de la roquette", "limit": "0"}, "limit"),
    ({"q": "rue de la roquette", "limit": "500"}, "limit"),
])
def test_a_bad_parameter_gets_a_400_naming_it(client, params, parametre):
    response = client.get("/api/v1/adresses", params)
    assert response.status_code == 400
    body = response.json()
    assert body["parametre"] == parametre and parametre in body["erreur"]


@pytest.mark.django_db(transaction=True, databases=["default", "warehouse"])
def test_before_the_first_ban_clone_the_endpoint_says_it_is_not_ready(client, ban_clone, warehouse):
    import psycopg
    from django.db import connections

    connections["warehouse"].close()  # its prepared statements would still find the table by OID
    with psycopg.connect(**warehouse, autocommit=True) as admin:
        kind = admin.execute("SELECT relkind FROM pg_class WHERE oid = 'reference.ban_voie'::regclass").fetchone()[0]
        what = "VIEW" if kind == "v" else "TABLE"
        admin.execute(f"ALTER {what} reference.ban_voie RENAME TO ban_voie_absente")
        try:
            response = client.get("/api/v1/adresses", {"q": "12 rue de la roquette"})
        finally:
            connections["warehouse"].close()
            admin.execute(f"ALTER {what} reference.ban_voie_absente RENAME TO ban_voie")

    assert response.status_code == 503
    assert response["Retry-After"] == "3600"
    assert "BAN" in response.json()["erreur"]
