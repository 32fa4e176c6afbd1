"""The back office's corrections in a real browser against the real server: a contributeur moves an
acteur on the map and draws its service area, each visible in the API at once, and the history
shows both; forces a field empty and edits the propositions as a grid; a parent made from two duplicates appears once on the map."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from geoapp.acteurs.models import Acteur, DisplayedActeur, PropositionService, RevisionActeur
from geoapp.acteurs.services import displayed_acteur_refresh

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")  # the browser: the root conftest's

MOT_DE_PASSE = "motdepasse-demo-14"
PERMISSIONS = {
    # what the `contributeur` group gets (the roles' migration gives them to the group)
    "contributeur": ["view_acteur", "view_displayedacteur", "view_revisionacteur", "add_revisionacteur",
                     "change_revisionacteur", "view_revisionpropositionservice", "add_revisionpropositionservice",
                     "change_revisionpropositionservice", "delete_revisionpropositionservice"],
}
PERMISSIONS["valideur"] = [*PERMISSIONS["contributeur"], "fusionner_revisionacteur"]


def compte(django_user_model, role: str):
    user = django_user_model.objects.create_user(role, f"{role}@exemple.fr", MOT_DE_PASSE, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="acteurs",
                                                        codename__in=PERMISSIONS[role]))
    return user


def connecter(page, live_server, role: str) -> None:
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", role)
    page.fill("#id_password", MOT_DE_PASSE)
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()


def importe(identifiant: str, nom: str, lon: float, lat: float, source: str = "ecosystem") -> Acteur:
    acteur = Acteur.objects.create(identifiant_unique=identifiant, uuid=f"uuid-{identifiant}", source_id=source,
                                   identifiant_externe=identifiant.split("_", 1)[1], nom=nom, acteur_type_id="artisan",
                                   adresse="12 rue des Lilas", ville="Paris", location=Point(lon, lat, srid=4326))
    PropositionService.objects.create(acteur=acteur, action_id="reparer").sous_categories.set(["ecran"])
    return acteur


def contributeur_devant(live_server, new_context, django_user_model, identifiant: str, nom: str):
    """An imported acteur displayed, and a contributeur logged in: their page."""
    importe(identifiant, nom, 2.3522, 48.8566)
    displayed_acteur_refresh()
    compte(django_user_model, "contributeur")
    page = new_context().new_page()
    connecter(page, live_server, "contributeur")
    return page


def glisser(page, element, dx: int, dy: int) -> None:
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


def test_a_contributeur_moves_an_acteur_and_draws_its_service_area_and_the_history_shows_both(
        live_server, new_context, django_user_model, client):
    page = contributeur_devant(live_server, new_context, django_user_model, "ecosystem_1", "Réparateur à domicile")

    # the imported acteur is read-only; its correction is its revision, the imported values beside
    page.goto(live_server.url + "/admin/acteurs/acteur/ecosystem_1/change/")
    assert page.locator("#acteur_form input[name=nom]").count() == 0
    page.locator("#acteur_form a", has_text="Corriger").click()
    expect(page.locator("#id_identifiant_unique")).to_have_value("ecosystem_1")
    importe_nom = page.locator('.acteur-importe[data-champ="nom"]')
    expect(importe_nom).to_contain_text("Réparateur à domicile")
    importe_nom.get_by_role("button", name="Copier").click()
    expect(page.locator("#id_nom")).to_have_value("Réparateur à domicile")
    page.fill("#id_nom", "Réparateur Lilas")

    # the marker starts at the imported position; dragged, it is the revision's location
    carte = page.locator("#id_location-map")
    marker = carte.locator(".leaflet-marker-icon")
    expect(marker).to_have_count(1)
    glisser(page, marker, 120, 60)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("ajouté")

    revision = RevisionActeur.objects.get(pk="ecosystem_1")
    assert revision.location is not None
    assert revision.location.x > 2.3522 and revision.location.y < 48.8566  # right and down on the map
    # visible at once, without the full rebuild: the API answers the correction
    feature = client.get("/api/v1/acteurs/uuid-ecosystem_1").json()
    assert feature["properties"]["nom"] == "Réparateur Lilas"
    assert feature["geometry"]["coordinates"] == pytest.approx([revision.location.x, revision.location.y], abs=1e-6)

    # then the service area, drawn as a polygon on its own map
    page.select_option("#id_lieu_prestation", "A_DOMICILE")
    zone = page.locator("#id_perimetre_zone-map")
    zone.scroll_into_view_if_needed()
    zone.locator(".leaflet-draw-draw-polygon").click()
    zone.scroll_into_view_if_needed()
    box = zone.bounding_box()
    sommets = [(0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7), (0.3, 0.3)]  # back to the first: closes it
    for fx, fy in sommets:
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        page.mouse.move(x, y, steps=4)  # Leaflet.draw places a vertex where the pointer went
        page.mouse.down()
        page.mouse.up()
        page.wait_for_timeout(400)  # not a double click
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("modifié")

    displayed = DisplayedActeur.objects.get(pk="ecosystem_1")
    assert displayed.perimetre_zone is not None and displayed.perimetre_zone.num_geom == 1
    assert displayed.lieu_prestation == "A_DOMICILE"
    assert displayed.location.equals_exact(RevisionActeur.objects.get(pk="ecosystem_1").location, 1e-6)

    # the history: who, and each field before → after
    page.locator("a.historylink").click()
    historique = page.locator("#change-history")
    expect(historique).to_contain_text("contributeur")
    expect(historique).to_contain_text(re.compile("zone d.intervention", re.I))  # the area drawn
    expect(historique).to_contain_text(re.compile("lieu prestation", re.I))
    expect(historique).to_contain_text(re.compile("location", re.I))  # the move (the revision's creation with it)
    expect(historique).to_contain_text("POINT")
    expect(historique).to_contain_text("MULTIPOLYGON")


def test_a_contributeur_forces_a_field_empty_and_edits_the_propositions_as_a_grid(
        live_server, new_context, django_user_model, client):
    page = contributeur_devant(live_server, new_context, django_user_model, "ecosystem_2", "Atelier Lilas")
    page.goto(live_server.url + "/admin/acteurs/revisionacteur/add/?identifiant_unique=ecosystem_2")

    # the address the source gives is wrong and none is known: forced empty, beside the field
    forcer = page.get_by_role("checkbox", name="Forcer vide : Adresse", exact=True)
    expect(page.locator("fieldset.champs-vides")).to_be_hidden()  # every box moved beside its field
    forcer.check()
    expect(page.locator("#id_adresse")).to_be_disabled()

    # the grid starts from the imported propositions (réparer / écran, marked), one box per pair
    reparer_ecran = page.get_by_role("checkbox", name="réparer Écran", exact=True)
    expect(reparer_ecran).to_be_checked()
    page.fill(".grille-filtre", "écran")
    expect(page.locator('.grille-propositions tr[data-libelle]:visible')).to_have_count(1)
    page.get_by_role("checkbox", name="donner Écran", exact=True).check()
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("ajouté")

    # the API at once: no address, both propositions
    props = client.get("/api/v1/acteurs/uuid-ecosystem_2").json()["properties"]
    assert props["adresse"] == ""
    assert {p["action"] for p in props["propositions"]} == {"donner", "reparer"}
    # the page again: still forced empty, the grid as saved
    expect(page.get_by_role("checkbox", name="Forcer vide : Adresse", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="donner Écran", exact=True)).to_be_checked()

    # unticked, the source's address is displayed again
    page.get_by_role("checkbox", name="Forcer vide : Adresse", exact=True).uncheck()
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("modifié")
    assert client.get("/api/v1/acteurs/uuid-ecosystem_2").json()["properties"]["adresse"] == "12 rue des Lilas"

    page.locator("a.historylink").click()
    historique = page.locator("#change-history")
    expect(historique).to_contain_text("Propositions de service : + donner / ecran")
    expect(historique).to_contain_text(re.compile("champs forcés vides", re.I))


def test_a_parent_made_from_two_duplicates_appears_once_on_the_map(live_server, new_context, django_user_model):
    importe("ecosystem_10", "Recyclerie du Port", 2.3522, 48.8566)
    importe("refashion_20", "Recyclerie du port (textile)", 2.3524, 48.8567, source="refashion")
    importe("corepile_30", "Autre lieu", 2.36, 48.86, source="corepile")
    displayed_acteur_refresh()
    compte(django_user_model, "valideur")
    page = new_context().new_page()
    connecter(page, live_server, "valideur")

    page.goto(live_server.url + "/admin/acteurs/displayedacteur/?q=Recyclerie")
    # one selected in the list, the other on the map of the list's acteurs
    page.locator('input[name=_selected_action][value="ecosystem_10"]').check()
    points = page.locator("#selection-carte path.point-acteur")
    expect(points).to_have_count(2)
    expect(page.locator('#selection-carte path.point-acteur.choisi[data-identifiant="ecosystem_10"]')).to_have_count(1)
    page.locator('#selection-carte path.point-acteur[data-identifiant="refashion_20"]').click()
    expect(page.locator('input[name=_selected_action][value="refashion_20"]')).to_be_checked()
    expect(page.locator(".action-counter")).to_contain_text("2 sur 2")
    page.select_option("select[name=action]", "faire_un_parent")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("Parent créé pour 2 acteurs")
    # the parent's page: its children, on a map, and which one gave each displayed field
    expect(page.locator(".field-enfants_et_provenance")).to_contain_text("ecosystem_10")
    expect(page.locator("#enfants-carte .leaflet-marker-icon")).to_have_count(2)
    expect(page.locator("table.provenance")).to_contain_text("refashion_20")  # the most recent child gives nom

    parent = RevisionActeur.objects.get(enfants__identifiant_unique="ecosystem_10")
    displayed = DisplayedActeur.objects.get(pk=parent.pk)
    assert sorted(displayed.enfants) == ["ecosystem_10", "refashion_20"]
    assert displayed.sources == ["ecosystem", "refashion"]

    carte = new_context().new_page()
    carte.goto(live_server.url + "/carte/?near=2.3522,48.8566")
    expect(carte.locator(".resultat").first).to_be_visible()
    uuids = carte.locator(".resultat").evaluate_all("els => els.map(e => e.dataset.uuid)")
    assert uuids.count(parent.uuid) == 1
    assert "uuid-ecosystem_10" not in uuids and "uuid-refashion_20" not in uuids
    assert "uuid-corepile_30" in uuids
    assert len(uuids) == 2
