"""The back office's roles and reviewing suggestions, through the server: the groups a migration
made, the demo accounts (dev settings only), a cohort reviewed by a valideur in a real browser
(accept, edit then accept, reject, apply as a flow run, the result on /carte/), a lecteur who
cannot validate (no button, 403), and a partner map configured by an administrateur with its live
preview and snippets (one end-to-end test: one data set, one apply's flow run)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import Point
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from playwright.sync_api import expect

from geoapp.acteurs.models import RevisionActeur
from geoapp.backoffice.roles import ROLES
from geoapp.backoffice.services import comptes_demo_creer
from geoapp.carte.models import CarteConfiguration
from geoapp.suggestions import services
from geoapp.suggestions.models import ApplicationSuggestions, GroupeSuggestion

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")

NOMS = ["Ressourcerie Oberkampf", "Repair Café Bastille", "Friperie Voltaire"]
POSITIONS = [[2.3700, 48.8650], [2.3690, 48.8530], [2.3800, 48.8580]]


def _cohorte_a_revoir() -> None:
    """Three acteurs of refashion on the map, then a run proposing a new name for each, to review."""
    services.politique_set(source_codes=["refashion"], politique="auto")
    services.execution_start(run_id="r1", flux="refashion", sources=["refashion"])
    lignes = [{"identifiant_unique": f"refashion_{i}", "identifiant_externe": str(i), "source": "refashion",
               "acteur_type": "commerce", "nom": nom, "statut": "ACTIF", "location": pos, "siret": f"1234567890001{i}",
               "propositions": [{"action": "donner", "sous_categories": ["vetement"]}]}
              for i, (nom, pos) in enumerate(zip(NOMS, POSITIONS))]
    services.suggestions_write(run_id="r1", propositions=[
        {"type": "ajout", "identifiant_unique": ligne["identifiant_unique"], "source": "refashion", "donnees": ligne,
         "changements": {}} for ligne in lignes])
    services.suggestions_apply(source_codes=["refashion"])  # displayed
    services.politique_set(source_codes=["refashion"], politique="review")
    services.execution_start(run_id="r2", flux="refashion", sources=["refashion"])
    services.suggestions_write(run_id="r2", propositions=[
        {"type": "modification", "identifiant_unique": ligne["identifiant_unique"], "source": "refashion",
         "donnees": {**ligne, "nom": ligne["nom"] + " (nouveau)"},
         "changements": {"nom": [ligne["nom"], ligne["nom"] + " (nouveau)"]}} for ligne in lignes])


def _connecter(page, url: str, nom: str) -> None:
    page.goto(url + "/admin/login/")
    page.fill("#id_username", nom)
    page.fill("#id_password", "demo")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()


def test_roles_are_groups_demo_accounts_exist_only_under_the_dev_settings_and_each_decision_takes_its_role(
        transactional_db, client):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    perms = {g: set(Group.objects.get(name=g).permissions.values_list("content_type__app_label", "codename"))
             for g in ROLES}
    assert ("suggestions", "view_groupesuggestion") in perms["lecteur"]
    assert not {p for p in perms["lecteur"] if not p[1].startswith("view_")}  # reads, nothing else
    assert ("acteurs", "change_revisionacteur") in perms["contributeur"]
    assert ("acteurs", "change_acteur") not in perms["contributeur"]  # never the imported acteur
    assert ("suggestions", "valider_groupesuggestion") not in perms["contributeur"]
    assert {("suggestions", "valider_groupesuggestion"), ("suggestions", "appliquer_groupesuggestion")} \
        <= perms["valideur"]
    assert ("carte", "change_carteconfiguration") not in perms["valideur"]
    assert {("carte", "change_carteconfiguration"), ("auth", "change_user"), ("suggestions", "change_politiquesource"),
            ("acteurs", "change_source")} <= perms["administrateur"]
    assert perms["lecteur"] < perms["contributeur"] < perms["valideur"] < perms["administrateur"]

    with pytest.raises(ImproperlyConfigured):  # the production and test settings create none
        comptes_demo_creer()
    assert not User.objects.exists()
    with override_settings(BACKOFFICE_COMPTES_DEMO=True):
        comptes_demo_creer()
        comptes_demo_creer()  # `make demo` run again
    for role in ROLES:
        user = User.objects.get(username=role)
        assert user.is_staff and not user.is_superuser and user.check_password("demo")
        assert list(user.groups.values_list("name", flat=True)) == [role]

    # bulk decisions on a cohort take the permission, and a bad field is a 400 that loses nothing
    services.execution_start(run_id="r1", flux="refashion", sources=["refashion"])
    services.suggestions_write(run_id="r1", propositions=[
        {"type": "ajout", "identifiant_unique": f"refashion_{i}", "source": "refashion",
         "donnees": {"identifiant_unique": f"refashion_{i}", "nom": f"Friperie {i}"}, "changements": {}}
        for i in range(2)])
    groupe = GroupeSuggestion.objects.order_by("pk").first()
    url = f"/admin/suggestions/cohortesuggestion/{groupe.cohorte_id}/change/"

    client.login(username="contributeur", password="demo")
    assert "refashion_0" in client.get(url).content.decode()
    assert client.post(url, {"_tout_valider": "1"}).status_code == 403
    client.login(username="valideur", password="demo")
    assert client.post(url, {"_tout_valider": "1", "champ": "pas_un_champ"}).status_code == 400
    assert client.post(f"/admin/suggestions/groupesuggestion/{groupe.pk}/change/",
                       {"_accepter": "1", "valeur__location": "48.85"}).status_code == 400  # said on its field
    assert set(GroupeSuggestion.objects.values_list("statut", flat=True)) == {"a_valider"}
    assert client.post(url, {"_tout_valider": "1", "champ": ""}).status_code == 302
    assert set(GroupeSuggestion.objects.values_list("statut", flat=True)) == {"validee"}
    liste = client.get("/admin/suggestions/cohortesuggestion/?nature=ajout").content.decode()
    assert "refashion – ajout" in liste
    assert "refashion – ajout" not in client.get("/admin/suggestions/cohortesuggestion/?nature=enrichissement") \
        .content.decode()


@pytest.mark.slow
def test_a_valideur_reviews_a_cohort_applies_it_and_sees_it_on_the_map_a_lecteur_cannot_an_administrateur_maps_it(
        live_server, new_context, flow_run_env, client):
    _cohorte_a_revoir()
    with override_settings(BACKOFFICE_COMPTES_DEMO=True):
        comptes_demo_creer()
    g0, g1, _ = GroupeSuggestion.objects.filter(cohorte__type="modification").order_by("pk")

    # a lecteur reads the review page, has no button, and a forged decision is refused
    client.login(username="lecteur", password="demo")
    page_lecteur = client.get(f"/admin/suggestions/groupesuggestion/{g0.pk}/change/").content.decode()
    assert "Ressourcerie Oberkampf (nouveau)" in page_lecteur and "_accepter" not in page_lecteur
    assert client.post(f"/admin/suggestions/groupesuggestion/{g0.pk}/change/", {"_accepter": "1"}).status_code == 403
    cohorte_url = f"/admin/suggestions/cohortesuggestion/{g0.cohorte_id}/change/"
    assert "_tout_valider" not in client.get(cohorte_url).content.decode()
    assert client.post(cohorte_url, {"_tout_valider": "1"}).status_code == 403
    assert client.post(cohorte_url, {"_appliquer": "1"}).status_code == 403
    assert client.get("/admin/carte/carteconfiguration/add/").status_code == 403
    assert set(GroupeSuggestion.objects.filter(cohorte__type="modification").values_list("statut", flat=True)) \
        == {"a_valider"}

    page = new_context().new_page()
    _connecter(page, live_server.url, "valideur")
    page.goto(live_server.url + "/admin/suggestions/cohortesuggestion/?a_revoir=oui")
    ligne = page.locator("#result_list tr", has_text="Modification")
    expect(ligne.locator("td.field-a_valider")).to_have_text("3")
    expect(ligne.locator("td.field-nature")).to_have_text("modification")
    ligne.locator("th a").first.click()
    page.locator("#cohorte-revoir").click()

    # the first group: the field highlighted, its four values, the small map, the SIRET's link
    expect(page.locator("#revue-acteur")).to_have_text("Ressourcerie Oberkampf")
    nom = page.locator("#revue-champs tr[data-champ=nom]")
    expect(nom).to_have_class(re.compile("change"))
    expect(nom.locator("td").nth(0)).to_have_text("Ressourcerie Oberkampf")  # imported
    expect(nom.locator("td").nth(2)).to_have_text("Ressourcerie Oberkampf")  # displayed
    expect(nom.locator("input")).to_have_value("Ressourcerie Oberkampf (nouveau)")  # proposed
    expect(page.locator("#revue-annuaire")).to_have_attribute(
        "href", "https://annuaire-entreprises.data.gouv.fr/etablissement/12345678900010")
    expect(page.locator("#revue-carte.leaflet-container")).to_be_visible()  # (no background tiles in tests: contours only on la carte)
    expect(page.locator("#revue-carte path.revue-avant")).to_have_count(1)
    page.keyboard.press("a")  # accept: the next waiting group opens
    expect(page.locator("#revue-acteur")).to_have_text("Repair Café Bastille")

    # the second: edited before accepting (a NUL byte is refused first, nothing lost)
    page.locator("#revue-champs tr[data-champ=nom] input").fill("Repair Café\x00")
    page.get_by_role("button", name="Accepter").click()
    expect(page.locator("#revue-champs .errornote")).to_contain_text("caractère nul")
    page.locator("#revue-champs tr[data-champ=nom] input").fill("Repair Café de la Bastille")
    page.get_by_role("button", name="Accepter").click()
    expect(page.locator("#revue-acteur")).to_have_text("Friperie Voltaire")
    expect(page.locator("#revue-carte.leaflet-container")).to_be_visible()  # revue.js ran: its keys listen
    page.keyboard.press("r")  # the third rejected: back to the cohort, nothing left to review
    expect(page.locator("#cohorte-comptes")).to_contain_text("2validée")
    expect(page.locator("#cohorte-comptes")).to_contain_text("1rejetée")
    expect(page.locator("#cohorte-revoir")).to_have_count(0)

    page.locator("#cohorte-appliquer").click()  # a flow run: its state and report on the cohort
    expect(page.locator("#cohorte-applications tbody tr")).to_have_count(1)
    for _ in range(120):
        application = ApplicationSuggestions.objects.get()
        if application.fin:
            break
        page.wait_for_timeout(1000)
    page.reload()
    expect(page.locator("#cohorte-applications .etat")).to_have_text("Completed", timeout=60000)
    expect(page.locator("#cohorte-applications .rapport")).to_contain_text("appliquees : 2")
    expect(page.locator("#cohorte-comptes")).to_contain_text("2appliquée")
    assert RevisionActeur.objects.get(pk="refashion_1").nom == "Repair Café de la Bastille"  # staff's value

    page.goto(live_server.url + "/carte/?near=2.3730,48.8600&vue=liste")
    resultats = page.locator(".resultat")
    expect(resultats).to_have_count(3)
    texte = " ".join(resultats.all_text_contents())
    assert "Ressourcerie Oberkampf (nouveau)" in texte and "Repair Café de la Bastille" in texte
    assert "Friperie Voltaire" in texte and "Friperie Voltaire (nouveau)" not in texte

    # the history says who decided what
    page.goto(live_server.url + f"/admin/suggestions/groupesuggestion/{g1.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text("Repair Café de la Bastille")
    expect(page.locator("#change-history")).to_contain_text("valideur")
    assert page.goto(live_server.url + "/admin/carte/carteconfiguration/add/").status == 403  # not a valideur's

    # an administrateur configures a partner map of these acteurs: live preview, snippets
    config = CarteConfiguration.objects.create(slug="partenaire", titre="Le réseau <b>partenaire</b>",
                                               centre=Point(2.3730, 48.8600, srid=4326))
    page = new_context().new_page()
    _connecter(page, live_server.url, "administrateur")
    page.goto(live_server.url + f"/admin/carte/carteconfiguration/{config.pk}/change/")
    expect(page.locator(".leaflet-container").first).to_be_visible()  # centre and bbox drawn on maps
    iframe = page.locator("#integration-iframe")
    expect(iframe).to_have_value(re.compile(r'<iframe src="http://[^"]+/carte/partenaire/" title="Le réseau '
                                            r'&lt;b&gt;partenaire&lt;/b&gt;"'))
    expect(page.locator("#integration-script")).to_have_value(re.compile(r'<script src="http://[^"]+/carte/partenaire/embed.js"'))

    page.select_option("#id_vue", "liste")  # the preview follows the form before it is saved
    page.fill("#id_nombre_resultats", "2")
    apercu = page.locator("#apercu-carte")
    expect(apercu).to_have_attribute("src", re.compile(r"^/carte/partenaire/\?.*vue=liste.*"))
    expect(apercu).to_have_attribute("src", re.compile(r"limit=2"))
    expect(apercu).to_have_attribute("src", re.compile(r"near=2\.373000%2C48\.860000"))
    expect(page.frame_locator("#apercu-carte").locator(".resultat")).to_have_count(2)
    # the legend and the partner's branding, previewed before they are saved
    apercu_carte = page.frame_locator("#apercu-carte")
    expect(apercu_carte.locator(".legende")).to_have_count(1)
    page.uncheck("#id_legende")
    page.fill("#id_couleur", "#8a2be2")
    page.fill("#id_partenaire_nom", "Ressourcerie <b>du Port</b>")
    page.fill("#id_partenaire_url", "https://port.example/")
    expect(apercu_carte.locator(".partenaire")).to_have_text("Carte proposée par Ressourcerie <b>du Port</b> (nouvelle fenêtre)")
    expect(apercu_carte.locator(".legende")).to_have_count(0)
    expect(apercu_carte.locator("body")).to_have_class(re.compile("couleur-partenaire"))
    fond = apercu_carte.locator("#autour").evaluate("b => getComputedStyle(document.body).getPropertyValue('--couleur-partenaire')")
    assert fond.strip() == "#8a2be2"
    page.get_by_role("button", name="Enregistrer et continuer les modifications").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    config.refresh_from_db()
    assert (config.vue, config.nombre_resultats) == ("liste", 2)
    assert (config.legende, config.couleur, config.partenaire_nom) == (False, "#8a2be2", "Ressourcerie <b>du Port</b>")
