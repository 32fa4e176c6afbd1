"""Citizens' corrections and proposed places (server-rendered forms): each becomes a suggestion of
the source `contribution` for staff, the e-mail kept apart; spam (honeypot, quota, length, NUL)
gets its errors in the page and nothing is saved. And the background drawn from the contours."""

from __future__ import annotations

from pathlib import Path

import mapbox_vector_tile
import pytest

import mercantile
from geoapp.api.tests.conftest import displayed, load_everything

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quota_neuf():
    from django.core.cache import cache

    cache.clear()  # each test starts with its quota


@pytest.fixture(scope="module")
def lieu(django_db_setup, django_db_blocker):
    """Committed once for the module (loading the contours is the slow part); tests only write in
    their rolled-back transaction."""
    from geoapp.api.tests.conftest import clear_everything

    from geoapp.api.tests.conftest import acteurs_autour_de_paris

    acteur = displayed("cma_1", 2.3522, 48.8566, nom="Atelier Vélo Rivoli", telephone="01 00 00 00 00",
                       horaires_description="lundi 9 h - 12 h")
    with django_db_blocker.unblock():
        load_everything([acteur, *acteurs_autour_de_paris(n=300)])
        yield acteur
        from geoapp.acteurs.models import DisplayedActeur

        if DisplayedActeur.objects.exists():  # the browser test, last, already emptied everything
            clear_everything()


def saved(identifiant: str | None = None):
    from geoapp.carte.models import Contribution
    from geoapp.suggestions.models import ExecutionSource, GroupeSuggestion

    return (GroupeSuggestion.objects.filter(**({"identifiant_unique": identifiant} if identifiant else {})).count(),
            Contribution.objects.count(), ExecutionSource.objects.count())


def test_a_correction_becomes_a_suggestion_of_the_source_contribution_with_the_email_apart(client, lieu):
    from geoapp.suggestions.models import GroupeSuggestion

    url = f"/carte/signaler/{lieu.uuid}/"
    page = client.get(url)
    assert page.status_code == 200 and "Atelier Vélo Rivoli" in page.content.decode()
    r = client.post(url, {"motif": "telephone", "telephone": "01 23 45 67 89", "message": "J'ai appelé",
                          "email": "citoyen@exemple.fr", "site_web": ""})
    assert r.status_code == 302 and r["Location"] == "/carte/merci/"
    g = GroupeSuggestion.objects.get(identifiant_unique="cma_1")
    assert (g.source_id, g.statut, g.identifiant_unique, g.cohorte.type) == (
        "contribution", "a_valider", "cma_1", "modification")
    assert [(c.champ, c.ancienne_valeur, c.nouvelle_valeur) for c in g.changements.all()] == [
        ("telephone", "01 00 00 00 00", "01 23 45 67 89")]
    assert g.donnees["motif"] == "telephone" and g.donnees["message"] == "J'ai appelé"
    assert "citoyen@exemple.fr" not in str(g.donnees) and g.contribution.email == "citoyen@exemple.fr"
    assert g.cohorte.execution.flux == "contribution" and g.cohorte.execution.statut == "reussie"
    # never published: not in the acteur's API detail
    assert "citoyen@" not in client.get(f"/api/v1/acteurs/{lieu.uuid}").content.decode()
    # the same report again is not written twice
    client.post(url, {"motif": "telephone", "telephone": "01 23 45 67 89", "message": "J'ai appelé"})
    assert GroupeSuggestion.objects.count() == 1
    # a closed place: statut → INACTIF
    client.post(url, {"motif": "ferme"})
    assert GroupeSuggestion.objects.filter(changements__champ="statut",
                                           changements__nouvelle_valeur="INACTIF").count() == 1


def test_a_proposed_place_becomes_an_ajout_suggestion(client, lieu):
    from geoapp.suggestions.models import GroupeSuggestion

    form = client.get("/carte/proposer/?lon=2.35&lat=48.85").content.decode()
    assert 'name="lon" value="2.35"' in form
    r = client.post("/carte/proposer/", {
        "nom": "Repair café du 11e", "adresse": "3 rue Oberkampf", "code_postal": "75011", "ville": "Paris",
        "groupes_actions": ["reparer"], "url": "repaircafe.example", "lon": "2.35", "lat": "48.85", "site_web": ""})
    assert r.status_code == 302
    g = GroupeSuggestion.objects.get(cohorte__type="ajout")
    assert g.cohorte.type == "ajout" and g.identifiant_unique.startswith("contribution_")
    assert {k: g.donnees[k] for k in ("nom", "code_postal", "groupes_actions", "url", "centre_carte")} == {
        "nom": "Repair café du 11e", "code_postal": "75011", "groupes_actions": ["reparer"],
        "url": "https://repaircafe.example", "centre_carte": [2.35, 48.85]}


@pytest.mark.parametrize("data, champ, erreur", [
    ({"motif": "telephone", "telephone": "", "site_web": ""}, "telephone", "nécessaire pour ce signalement"),
    ({"motif": "autre", "message": "x" * 2001}, "message", "2000 caractères"),
    ({"motif": "horaires", "horaires": "9h\x0012h"}, "horaires", ""),  # NUL: Django's own message
    ({"motif": "deplace", "adresse": "1 rue X", "email": "pas-un-mail"}, "email", ""),
    ({"motif": "ferme", "site_web": "http://spam.example"}, None, "un champ invisible a été rempli"),
])
def test_an_invalid_report_gets_its_errors_in_the_page_and_saves_nothing(client, lieu, data, champ, erreur):
    r = client.post(f"/carte/signaler/{lieu.uuid}/", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert erreur in html or erreur in html.replace("&#x27;", "'")
    if champ:
        assert f'id="{champ}-erreur"' in html
    assert saved() == (0, 0, 0)


def test_a_client_over_its_quota_is_refused_and_nothing_saved(client, lieu, settings):
    settings.CARTE_CONTRIBUTIONS_MAX = 2
    url = f"/carte/signaler/{lieu.uuid}/"
    for motif in ("ferme", "telephone"):  # the second invalid: it counts too
        client.post(url, {"motif": motif})
    r = client.post(url, {"motif": "autre", "message": "encore"})
    assert r.status_code == 429 and "Trop de contributions" in r.content.decode()
    assert saved()[0] == 1
    assert client.get("/carte/signaler/inconnu/").status_code == 404


def test_the_background_tiles_carry_the_departements_communes_arrondissements_and_their_names(client, lieu):
    def tile(z, lon=2.3522, lat=48.8566):
        x, y = mercantile.tile(lon, lat, z)[:2]
        r = client.get(f"/carte/fond/{z}/{x}/{y}.pbf")
        assert r.status_code == 200 and r["Content-Type"] == "application/vnd.mapbox-vector-tile"
        return r, mapbox_vector_tile.decode(r.content)

    def noms(t, niveau):
        return {f["properties"]["nom"] for f in t.get("noms", {}).get("features", [])
                if f["properties"]["niveau"] == niveau}

    r, t6 = tile(6)
    assert "Paris" in {f["properties"]["nom"] for f in t6["departements"]["features"]}
    assert {"Paris", "Hauts-de-Seine"} <= noms(t6, "departement") and "communes" not in t6
    _, t10 = tile(10)
    assert {"Boulogne-Billancourt", "Montreuil"} <= noms(t10, "commune") and "communes" in t10
    _, t12 = tile(12)
    assert "Paris 4e Arrondissement" in noms(t12, "arrondissement")
    assert "Paris" not in {f["properties"]["nom"] for f in t12["communes"]["features"]}  # its arrondissements
    assert client.get("/carte/fond/6/0/0.pbf", HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304
    assert client.get("/carte/fond/3/9/0.pbf").status_code == 400


# --- in the browser (last in the module: its `transactional_db` empties the database after it) ---

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
AXE_RUN = """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
  .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))"""


def axe_violations(page) -> list[str]:
    """axe-core (npm, vendored) in the page: its serious or critical WCAG 2.1 AA violations."""
    page.evaluate(AXE)  # through the DevTools protocol: the page's policy allows no injected script
    return page.evaluate(AXE_RUN)


def tuiles_chargees(page):
    page.wait_for_function("() => window.carte && window.carte.tuilesChargees()")
    page.wait_for_timeout(150)  # the last canvas painted


def acteurs_des_tuiles(reponses, *, filtre: str | None) -> tuple[int, set]:
    """Of the tiles of the deepest zoom the page received (filtered by `filtre` or not): the sum of
    `nombre` of the features inside each tile (the margin repeats its neighbours') and the uuids."""
    tuiles = {}
    for r in reponses:
        url = r.url
        if "/api/v1/tiles/" in url and ((filtre is None and "?" not in url) or (filtre and filtre in url)) \
                and r.status == 200:
            z, x, y = (int(v) for v in url.split("/api/v1/tiles/")[1].split(".pbf")[0].split("/"))
            tuiles[(z, x, y)] = r
    zmax = max(z for z, _, _ in tuiles)
    total, uuids = 0, set()
    for (z, _, _), r in tuiles.items():
        if z != zmax:
            continue
        for f in mapbox_vector_tile.decode(r.body()).get("acteurs", {}).get("features", []):
            px, py = f["geometry"]["coordinates"]
            if 0 <= px < 4096 and 0 <= py < 4096:
                total += f["properties"]["nombre"]
                uuids.add(f["properties"].get("uuid"))
    return total, uuids - {None}


@pytest.mark.slow
def test_the_map_draws_every_acteur_from_the_tiles_citizens_correct_it_and_it_is_accessible(
        lieu, live_server, new_context, tmp_path):
    from geoapp.acteurs.models import DisplayedActeur
    from geoapp.carte.services import carte_configuration_demo_ensure
    from geoapp.suggestions.models import GroupeSuggestion

    carte_configuration_demo_ensure()
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    reponses = []
    page.on("response", lambda r: reponses.append(r))
    page.goto(live_server.url + "/carte/")
    tuiles_chargees(page)
    # zoomed out over France: clusters whose counts add up to the displayed acteurs, on a
    # background drawn from the contours (nothing left the machine: `new_context`)
    total, _ = acteurs_des_tuiles(reponses, filtre=None)
    assert total == DisplayedActeur.objects.count() == 301
    assert any("/carte/fond/" in r.url and r.status == 200 for r in reponses)
    assert page.locator(".leaflet-control-attribution").inner_text().count("IGN") == 1
    assert axe_violations(page) == []

    # a filter changes what the tiles show
    page.locator("#filtres summary").click()
    page.locator("label[for=groupe-donner_echanger_rapporter]").click()
    page.wait_for_function("() => window.carte.tuilesUrl().indexOf('groupe_action=') > 0")
    tuiles_chargees(page)
    total, _ = acteurs_des_tuiles(reponses, filtre="groupe_action=donner_echanger_rapporter")
    assert total == DisplayedActeur.objects.filter(
        groupes_actions__contains=["donner_echanger_rapporter"]).count() < 301
    page.locator("label[for=groupe-donner_echanger_rapporter]").click()  # off again
    page.locator("#filtres summary").click()

    # a click on a cluster zooms in (the one holding the Atelier: its grid cell's, drawn at the
    # centre of the cell's acteurs; display zoom 8 draws the data tiles of zoom 7)
    page.wait_for_function("() => window.carte.tuilesUrl().indexOf('?') < 0")
    page.evaluate("() => window.carte.map.setView([48.8566, 2.3522], 8, {animate: false})")
    tuiles_chargees(page)
    boite = page.locator("#carte").bounding_box()

    def cliquer(lat, lon):
        point = page.evaluate(f"() => window.carte.map.latLngToContainerPoint([{lat}, {lon}])")
        page.mouse.click(boite["x"] + point["x"], boite["y"] + point["y"])

    from django.contrib.gis.geos import Point

    from geoapp.acteurs.models import DisplayedActeurCluster

    atelier = Point(2.3522, 48.8566, srid=4326).transform(3857, clone=True)
    groupe = min(DisplayedActeurCluster.objects.filter(zoom=7), key=lambda c: c.geom.distance(atelier))
    centre = groupe.geom.transform(4326, clone=True)
    assert groupe.geom.distance(atelier) < 40075016.7 / 2**7 / 8 * 1.5  # within about a cell of it
    cliquer(centre.y, centre.x)
    page.wait_for_function("() => window.carte.map.getZoom() === 10")
    tuiles_chargees(page)

    # zoomed in: points (display zoom 16 draws the data tiles of zoom 15); a click on one opens its detail
    with page.expect_response(lambda r: "/api/v1/tiles/15/" in r.url):
        page.evaluate("() => window.carte.map.setView([48.8566, 2.3522], 16, {animate: false})")
    tuiles_chargees(page)
    _, uuids = acteurs_des_tuiles(reponses, filtre=None)
    assert lieu.uuid in uuids
    cliquer(48.8566, 2.3522)
    from playwright.sync_api import expect

    expect(page.locator("#detail-titre")).to_have_text("Atelier Vélo Rivoli")

    # the citizen's correction reaches the suggestions, the e-mail apart
    page.get_by_role("link", name="Signaler une erreur / proposer une modification").click()
    expect(page.locator("#acteur-concerne")).to_contain_text("Atelier Vélo Rivoli")
    assert axe_violations(page) == []
    page.get_by_text("Les horaires sont faux").click()  # DSFR draws the radio on its label
    page.get_by_label("Les bons horaires").fill("du mardi au samedi, 10 h - 19 h")
    page.get_by_label("Votre e-mail (facultatif)").fill("citoyenne@exemple.fr")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#merci")).to_be_visible()
    g = GroupeSuggestion.objects.get(source_id="contribution", identifiant_unique="cma_1")
    assert [(c.champ, c.nouvelle_valeur) for c in g.changements.all()] == [
        ("horaires_description", "du mardi au samedi, 10 h - 19 h")]
    assert g.contribution.email == "citoyenne@exemple.fr"
    # a form whose honeypot a robot filled saves nothing, and says so in the page
    page.go_back()
    page.get_by_text("Le lieu a fermé").click()
    page.locator("#id_site_web").fill("http://spam.example", force=True)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#erreurs")).to_contain_text("un champ invisible a été rempli")
    assert saved("cma_1")[0] == 1

    # accessibility of the list mode, the embedded map, the home page and "Proposer un lieu"
    page.goto(live_server.url + "/carte/?near=2.3522,48.8566&vue=liste")
    expect(page.locator(".resultat").first).to_be_visible()
    assert axe_violations(page) == []
    for chemin in ("/carte/demo/", "/", "/carte/proposer/"):
        page.goto(live_server.url + chemin)
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == [], chemin

    # at 375 px: the whole of France at the opening (one zoom out), then the search, the map, the
    # list and the detail panel are usable
    mobile = new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True).new_page()
    mobile.goto(live_server.url + "/carte/")
    mobile.wait_for_function("() => window.carte && window.carte.map")
    from django.conf import settings

    assert mobile.evaluate("() => window.carte.map.getZoom()") == settings.LEAFLET_CONFIG["DEFAULT_ZOOM"] - 1
    france = mobile.evaluate("() => { var b = window.carte.map.getBounds(); return [b.getWest(), b.getEast()]; }")
    assert france[0] < -4.5 and france[1] > 8  # Brest to Strasbourg
    mobile.goto(live_server.url + "/carte/?near=2.3522,48.8566")
    expect(mobile.locator(".resultat").first).to_be_visible()
    for selecteur in ("#adresse", "#carte", "#resultats"):
        b = mobile.locator(selecteur).bounding_box()
        assert b["width"] > 200 and b["x"] >= 0 and b["x"] + b["width"] <= 375, selecteur
    assert mobile.evaluate("() => document.documentElement.scrollWidth") <= 375
    mobile.locator(".resultat").first.click()
    expect(mobile.locator("#detail")).to_be_in_viewport()
    b = mobile.locator("#detail").bounding_box()
    assert b["x"] >= 0 and b["x"] + b["width"] <= 375
    mobile.screenshot(path=str(tmp_path / "carte-375px.png"), full_page=True)
    assert (tmp_path / "carte-375px.png").stat().st_size > 10_000
