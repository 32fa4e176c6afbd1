"""The BAN geocoding API client (`/search/`, `/search/csv/`), against a local server speaking that
protocol (answered by the offline geocoder): same interface, same answers as the offline backend."""

from __future__ import annotations

import csv

import pytest
from django.conf import settings

from geoapp.geocodage.ban_api import BanApiError, GeocodeurBanApi
from geoapp.geocodage.resultats import COLONNES_RESULTAT_CSV
from geoapp.geocodage.selectors import GeocodeurHorsLigne
from doublures.ban import serveur_ban

pytestmark = pytest.mark.django_db(databases=["default", "warehouse"])


def test_search_answers_like_the_offline_geocoder(ban_clone):
    with serveur_ban() as server:
        client = GeocodeurBanApi(base_url=server["url"], timeout=5)
        found = client.rechercher(q="10 bd voltaire paris", limit=3)
        nothing = client.rechercher(q="xqzw lorem ipsum", limit=3)
    assert found == GeocodeurHorsLigne().rechercher(q="10 bd voltaire paris", limit=3)
    assert (found[0].id, found[0].type, found[0].housenumber, found[0].citycode) == ("75111_9907_00010", "housenumber", "10", "75111")
    assert nothing == []


def test_batch_csv_geocoding_returns_every_row_in_order_with_the_result_columns(ban_clone):
    with serveur_ban() as server:
        client = GeocodeurBanApi(base_url=server["url"], timeout=5)
        results = client.geocoder_lot(adresses=["10 bd voltaire paris", "xqzw lorem ipsum", "3 r st maur 75011"])
        assert server["requetes"] == 1  # one request for the whole batch
    assert [r.id if r else None for r in results] == ["75111_9907_00010", None, "75111_8699_00003"]


def test_the_official_sample_csv_goes_through_with_its_columns_kept(ban_clone):
    with open(settings.DATA_DIR / "ban" / "geocodage-exemple-search.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    paris = {"nom": "Mairie du 11e", "adresse": "12 place leon blum", "postcode": "75011", "city": "Paris"}
    with serveur_ban() as server:
        answered = GeocodeurBanApi(base_url=server["url"], timeout=5).geocoder_tableau(
            lignes=rows + [paris], colonnes=["adresse", "city"], colonne_code_postal="postcode")
    assert len(answered) == len(rows) + 1
    assert list(answered[0]) == ["nom", "adresse", "postcode", "city", *COLONNES_RESULTAT_CSV]
    assert [a["nom"] for a in answered] == [r["nom"] for r in rows] + ["Mairie du 11e"]
    # the bundled clone is Paris only: the Nancy schools are not found, rather than found wrong
    assert {a["result_status"] for a in answered[:-1]} == {"not-found"}
    assert (answered[-1]["result_status"], answered[-1]["result_citycode"], answered[-1]["result_type"]) == ("ok", "75111", "housenumber")
    assert answered[-1]["result_id"].startswith("75111_") and float(answered[-1]["result_score"]) > 0.8


def test_unavailable_service_is_retried_then_reported(ban_clone):
    with serveur_ban(pannes=2) as server:
        client = GeocodeurBanApi(base_url=server["url"], timeout=5, essais=3, pause=0.01)
        assert client.rechercher(q="10 bd voltaire paris", limit=1)[0].id == "75111_9907_00010"
        assert server["requetes"] == 3
    with serveur_ban(pannes=5) as server:
        client = GeocodeurBanApi(base_url=server["url"], timeout=5, essais=2, pause=0.01)
        with pytest.raises(BanApiError, match="HTTP 503 after 2 attempts"):
            client.rechercher(q="10 bd voltaire paris", limit=1)


def test_a_bad_request_is_a_clear_error_not_retried(ban_clone):
    with serveur_ban() as server:
        client = GeocodeurBanApi(base_url=server["url"], timeout=5, essais=3, pause=0.01)
        with pytest.raises(BanApiError, match="HTTP 400.*q must contain"):
            client.rechercher(q="ab")
        assert server["requetes"] == 1
