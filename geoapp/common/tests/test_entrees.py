"""Bad input never gets a 500: NUL, surrogates, bytes that are not UTF-8 and overlong values in a
query parameter or a path segment answer 400 naming the parameter (JSON on the API, an HTML page
elsewhere); a cookie holding them is dropped."""

from __future__ import annotations

import pytest
from django.test import Client

from geoapp.common.entrees import chaine_requete_refus, texte_refus


def test_texte_refus_names_what_postgresql_refuses():
    assert texte_refus("Paris 4e", longueur_max=10) is None
    assert "nul" in texte_refus("a\x00b", longueur_max=10)
    assert "U+D800" in texte_refus("a\ud800", longueur_max=10)
    assert "trop long" in texte_refus("x" * 11, longueur_max=10)
    assert texte_refus("é" * 10, longueur_max=10) is None  # characters, not bytes


def test_chaine_requete_refus_finds_the_parameter_that_is_not_utf8():
    assert chaine_requete_refus(b"q=caf%C3%A9&limit=5") is None
    assert chaine_requete_refus("q=café".encode()) is None  # not percent-encoded, but UTF-8
    assert chaine_requete_refus(b"limit=5&q=%ff%fe")[0] == "q"
    assert chaine_requete_refus(b"q=caf\xe9")[0] == "q"  # latin-1, not percent-encoded
    assert chaine_requete_refus(b"q=%ED%A0%80")[0] == "q"  # a surrogate, encoded: not UTF-8
    parametre, raison = chaine_requete_refus(b"%ff=1")
    assert "nom du paramètre" in raison


@pytest.fixture
def http():
    return Client(raise_request_exception=False)


# (url, the parameter the 400 names)
API = [
    ("/api/v1/acteurs?sous_categorie=%00", "sous_categorie"),
    ("/api/v1/acteurs?action=ecran%00", "action"),
    ("/api/v1/acteurs?commune=75%00056", "commune"),
    ("/api/v1/acteurs?epci=%00", "epci"),
    ("/api/v1/acteurs?near=2.35,48.85%00", "near"),
    ("/api/v1/acteurs?limit=5&%00=1", "\x00"),
    ("/api/v1/communes?q=%00pa", "q"),
    ("/api/v1/communes?q=%ff%fe", "q"),
    ("/api/v1/communes?q=" + "a" * 5000, "q"),
    ("/api/v1/communes/%00", "code"),
    ("/api/v1/acteurs/%00", "uuid"),
    ("/api/v1/acteurs/uuid-%00-x", "uuid"),
    ("/api/v1/tiles/12/2074/1409.pbf?label=%00", "label"),
    ("/api/v1/adresses?q=10 rue%00", "q"),
    ("/api/v1/labels?x=%00", "x"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url,parametre", API)
def test_the_api_answers_400_naming_the_parameter(http, url, parametre):
    response = http.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["parametre"] == parametre
    assert body["erreur"]


@pytest.mark.django_db
def test_too_many_parameters_is_a_json_400(http):
    response = http.get("/api/v1/acteurs?" + "&".join(f"p{i}=1" for i in range(1200)))
    assert response.status_code == 400
    assert response.json()["erreur"].startswith("trop de paramètres")


PAGES = [
    ("/carte/?near=%00", "near"),
    ("/?q=%ff", "q"),
    ("/carte/demo%00/", "chemin"),  # not a slug: no pattern's name for it
    ("/carte/%00/embed.js", "chemin"),
    ("/admin/acteurs/acteur/?q=%00", "q"),
    ("/api/docs/?lang=%00", "lang"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url,parametre", PAGES)
def test_pages_answer_an_html_400_naming_the_parameter(http, url, parametre):
    response = http.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Requête invalide" in html
    assert f'<code id="parametre">{parametre}</code>' in html


@pytest.mark.django_db
def test_the_html_400_renders_the_parameter_as_text(http):
    response = http.get("/carte/?%3Cimg%20src%3Dx%3E=%00")
    assert response.status_code == 400
    assert "<img" not in response.content.decode() and "&lt;img src=x&gt;" in response.content.decode()


@pytest.mark.django_db
def test_a_session_cookie_holding_a_nul_is_dropped(http, admin_user):
    from django.http import parse_cookie

    cookie = 'sessionid="\\000abcdefghijkl"'  # the octal escape a quoted cookie may carry
    assert "\x00" in parse_cookie(cookie)["sessionid"]
    response = http.get("/admin/", HTTP_COOKIE=cookie)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]  # as without a session


@pytest.mark.django_db
def test_good_input_goes_through(http):
    assert http.get("/api/v1/communes?q=par").status_code == 200
    assert http.get("/api/v1/acteurs?sous_categorie=inconnue").json()["parametre"] == "sous_categorie"  # looked up



@pytest.mark.django_db
def test_a_tile_filtered_by_every_known_code_is_no_server_error(http):
    """The longest filters the API accepts (every code of every referential: ~3,500 characters of
    query, under gunicorn's request line limit) make the longest tile cache key."""
    from pathlib import Path

    from django.conf import settings

    from geoapp.acteurs import models as acteurs
    from geoapp.acteurs.services import referentiel_load

    referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")
    params = {name: ",".join(model.objects.values_list("pk", flat=True))
              for name, model in (("sous_categorie", acteurs.SousCategorieObjet), ("source", acteurs.Source),
                                  ("action", acteurs.Action), ("label", acteurs.LabelQualite),
                                  ("acteur_type", acteurs.ActeurType), ("groupe_action", acteurs.GroupeAction))}
    assert len("&".join(f"{k}={v}" for k, v in params.items())) > 3000
    response = http.get("/api/v1/tiles/12/2074/1409.pbf", params)
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_api_400_carries_the_cors_headers(http):
    response = http.get("/api/v1/acteurs?action=%00", HTTP_ORIGIN="https://partenaire.example")
    assert response.status_code == 400 and response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
def test_a_nul_in_an_admin_form_is_a_form_error(admin_client):
    """Form fields (POST) are Django's: its text fields refuse NUL with a message on the form."""
    from geoapp.carte.models import CarteConfiguration

    admin_client.raise_request_exception = False
    response = admin_client.post("/admin/carte/carteconfiguration/add/",
                                 {"slug": "partenaire", "titre": "Carte\x00", "vue": "carte", "nombre_resultats": "10"})
    assert response.status_code == 200
    assert "titre" in response.context["adminform"].form.errors  # the message is on the field
    assert not CarteConfiguration.objects.exists()
