"""Communes, referentials, sources, OpenAPI docs, CORS and per-client throttling."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("paris_data")]


def test_commune_detail_is_its_contour_in_geojson(client):
    response = client.get("/api/v1/communes/75104")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "Feature" and body["geometry"]["type"] == "MultiPolygon"
    assert body["properties"]["nom"].startswith("Paris") and body["properties"]["code"] == "75104"
    missing = client.get("/api/v1/communes/00000")
    assert missing.status_code == 404 and "00000" in missing.json()["erreur"]


def test_paris_contour_is_the_union_of_its_arrondissements(client):
    body = client.get("/api/v1/communes/75056").json()
    assert body["geometry"]["type"] == "MultiPolygon" and body["properties"]["nom"] == "Paris"
    inside = client.get("/api/v1/acteurs", {"commune": "75056", "limit": 500}).json()["features"]
    in_4e = client.get("/api/v1/acteurs", {"commune": "75104", "limit": 500}).json()["features"]
    assert {f["properties"]["uuid"] for f in in_4e} < {f["properties"]["uuid"] for f in inside}


@pytest.mark.parametrize("q, code", [("lorient", "56121"), ("Lorient", "56121"), ("56100", "56121"),
                                     ("boulogne-bill", "92012")])
def test_commune_search_by_name_or_postal_code(client, q, code):
    body = client.get("/api/v1/communes", {"q": q}).json()
    assert code in [c["code"] for c in body][:3]


def test_commune_search_without_q_is_a_400(client):
    response = client.get("/api/v1/communes", {"q": "a"})
    assert response.status_code == 400 and response.json()["parametre"] == "q"


@pytest.mark.parametrize("path, code", [("actions", "reparer"), ("groupes-actions", "reparer"),
                                        ("sous-categories", "ecran"), ("labels", "qualirepar"),
                                        ("acteur-types", "commerce"), ("sources", "refashion")])
def test_referentials(client, path, code):
    body = client.get(f"/api/v1/{path}").json()
    assert code in [r["code"] for r in body]


def test_sources_list_every_source_with_its_displayed_count(client, paris_data):
    body = {s["code"]: s for s in client.get("/api/v1/sources").json()}
    expected = sum(1 for a in paris_data if "refashion" in a.sources)
    assert body["refashion"]["acteurs_count"] == expected > 0
    assert body["sinoe"]["acteurs_count"] == 0  # a source without acteurs is listed too
    assert body["refashion"]["derniere_execution_reussie"] is None
    assert set(body["refashion"]) == {"code", "libelle", "licence", "acteurs_count", "derniere_execution_reussie"}


def test_openapi_schema_and_docs_served_locally(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/acteurs", "/api/v1/tiles/{z}/{x}/{y}.pbf", "/api/v1/communes/{code}", "/api/v1/sources"):
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)  # no CDN: assets from our static files


def test_cors_is_open_for_get(client):
    response = client.get("/api/v1/actions", HTTP_ORIGIN="https://partenaire.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/actions", HTTP_ORIGIN="https://partenaire.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


@override_settings(API_THROTTLE_RATE="3/min")
def test_a_client_over_the_rate_gets_a_429_with_retry_after(client):
    for _ in range(3):
        assert client.get("/api/v1/actions").status_code == 200
    response = client.get("/api/v1/actions")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "réessayez" in response.json()["erreur"]
    other = client.get("/api/v1/actions", REMOTE_ADDR="10.1.2.3")  # another client is not limited
    assert other.status_code == 200
