"""Clusters of duplicates (flow `dedoublonnage`) as staff meet them in the admin: validated and
applied, the place is displayed once, under a new parent (a revision without an imported acteur)
that keeps where each field came from; rejected, members taken out or split, never proposed again."""

import pytest
from django.contrib.gis.geos import Point

from geoapp.acteurs.models import Acteur, DisplayedActeur, RevisionActeur
from geoapp.suggestions.models import GroupeSuggestion
from geoapp.suggestions.regroupements import (regroupement_membres_retirer, regroupement_paires_rejetees,
                                              regroupement_scinder)

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels", "prefect_api")


def acteur(ident: str, source: str, nom: str, adresse: str, metres_est: float = 0.0, **champs) -> None:
    Acteur.objects.create(identifiant_unique=ident, uuid=f"u-{ident}", source_id=source, acteur_type_id="commerce",
                          nom=nom, adresse=adresse, code_postal="75011", ville="Paris", code_commune_insee="75111",
                          location=Point(2.37 + metres_est / 73_000, 48.85, srid=4326), **champs)


def trois_doublons() -> None:
    acteur("refashion_1", "refashion", "Cordonnerie Martin", "12 boulevard Voltaire", siret="12345678900012",
           telephone="01 43 55 66 77")
    acteur("cmareparacteur_9", "cmareparacteur", "CORDONNERIE MARTIN", "12 bd Voltaire", 18,
           telephone="+33 1 43 55 66 77", url="https://cordonnerie-martin.fr")
    acteur("ecomaison_4", "ecomaison", "cordonnerie martin sarl", "12, BD VOLTAIRE", 30)
    acteur("ecomaison_5", "ecomaison", "Boulangerie Dupont", "12 boulevard Voltaire", 2, siret="98765432100019")
    from geoapp.acteurs.services import displayed_acteur_refresh

    displayed_acteur_refresh()  # displayed, as their sources' runs leave them


def run() -> dict:
    from flows.enrichissement.dedoublonnage import dedoublonnage_flow

    return dedoublonnage_flow()


def admin_action(client, action: str, groupe: GroupeSuggestion) -> None:
    if action == "appliquer":  # the admin's *Appliquer* starts a flow run (tested in geoapp/securite): here, its service
        from geoapp.suggestions.services import suggestions_apply

        suggestions_apply(source_codes=[groupe.source_id])
        return
    response = client.post("/admin/suggestions/groupesuggestion/", {"action": action, "_selected_action": [groupe.pk]},
                           follow=True)
    assert response.status_code == 200


def test_a_validated_cluster_is_displayed_once_under_a_new_parent(admin_client):
    trois_doublons()
    report = run()
    assert report["proposees"] == 1
    groupe = GroupeSuggestion.objects.get(cohorte_id=report["cohorte"])
    assert groupe.cohorte.type == "regroupement" and groupe.statut == "a_valider"
    assert groupe.donnees["enfants"] == ["cmareparacteur_9", "ecomaison_4", "refashion_1"]  # not the bakery
    page = admin_client.get(f"/admin/suggestions/groupesuggestion/{groupe.pk}/change/").content.decode()
    assert "cmareparacteur_9" in page and "refashion_1" in page

    admin_action(admin_client, "valider", groupe)
    admin_action(admin_client, "appliquer", groupe)
    groupe.refresh_from_db()
    assert groupe.statut == "appliquee", groupe.message
    parent = RevisionActeur.objects.get(pk=groupe.identifiant_unique)
    assert not Acteur.objects.filter(pk=parent.pk).exists()  # a revision without an imported acteur
    assert sorted(parent.enfants.values_list("pk", flat=True)) == groupe.donnees["enfants"]
    assert parent.siret == "12345678900012" and parent.url == "https://cordonnerie-martin.fr"
    assert groupe.donnees["provenance"]["siret"] == "refashion_1"
    affiche = DisplayedActeur.objects.get(pk=parent.pk)
    assert sorted(affiche.sources) == ["cmareparacteur", "ecomaison", "refashion"]
    assert sorted(affiche.enfants) == groupe.donnees["enfants"]
    assert not DisplayedActeur.objects.filter(pk="refashion_1").exists()
    assert DisplayedActeur.objects.filter(pk="ecomaison_5").exists()

    assert run()["proposees"] == 0  # idempotent: nothing new


def test_a_new_duplicate_is_attached_to_the_existing_parent(admin_client):
    trois_doublons()
    groupe = GroupeSuggestion.objects.get(cohorte_id=run()["cohorte"])
    admin_action(admin_client, "valider", groupe)
    admin_action(admin_client, "appliquer", groupe)
    acteur("soren_7", "soren", "Cordonnerie MARTIN", "12 Boulevard Voltaire", 10, telephone="0143556677")
    report = run()
    nouveau = GroupeSuggestion.objects.get(cohorte_id=report["cohorte"])
    assert (nouveau.identifiant_unique, nouveau.donnees["nouveau_parent"]) == (groupe.identifiant_unique, False)
    assert nouveau.donnees["nouveaux_enfants"] == ["soren_7"]
    admin_action(admin_client, "valider", nouveau)
    admin_action(admin_client, "appliquer", nouveau)
    assert RevisionActeur.objects.get(pk="soren_7").parent_id == groupe.identifiant_unique
    assert RevisionActeur.objects.filter(parent_id=groupe.identifiant_unique).count() == 4  # the others stay


def test_a_rejected_cluster_is_never_proposed_again(admin_client):
    trois_doublons()
    groupe = GroupeSuggestion.objects.get(cohorte_id=run()["cohorte"])
    admin_action(admin_client, "rejeter", groupe)
    assert frozenset({"refashion_1", "ecomaison_4"}) in regroupement_paires_rejetees()
    assert run()["proposees"] == 0
    assert not RevisionActeur.objects.exists()


def test_a_member_staff_take_out_is_never_proposed_with_the_others_again():
    trois_doublons()
    groupe = GroupeSuggestion.objects.get(cohorte_id=run()["cohorte"])
    ancien_parent = groupe.identifiant_unique
    regroupement_membres_retirer(groupe_id=groupe.pk, identifiants=["ecomaison_4"])
    groupe.refresh_from_db()
    assert groupe.donnees["enfants"] == ["cmareparacteur_9", "refashion_1"]
    assert groupe.identifiant_unique != ancien_parent and groupe.statut == "a_valider"
    groupe.statut = "rejetee"  # the rest is rejected too: nothing is proposed with ecomaison_4 again
    groupe.save()
    assert run()["proposees"] == 0


def test_staff_split_a_cluster_and_both_parts_wait():
    trois_doublons()
    groupe = GroupeSuggestion.objects.get(cohorte_id=run()["cohorte"])
    groupe, nouveau = regroupement_scinder(groupe_id=groupe.pk, partie=["ecomaison_4", "refashion_1"])
    assert groupe.statut == "rejetee"  # one member left: nothing to group
    assert nouveau.donnees["enfants"] == ["ecomaison_4", "refashion_1"] and nouveau.statut == "a_valider"
    assert frozenset({"cmareparacteur_9", "refashion_1"}) in regroupement_paires_rejetees()
    with pytest.raises(ValueError, match="ne se modifie plus"):
        regroupement_scinder(groupe_id=groupe.pk, partie=["refashion_1"])
    assert run()["proposees"] == 0


def test_staff_take_a_member_out_of_a_cluster_in_the_admin(admin_client):
    trois_doublons()
    groupe = GroupeSuggestion.objects.get(cohorte_id=run()["cohorte"])
    url = f"/admin/suggestions/groupesuggestion/{groupe.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "Retirer du regroupement" in page and "CORDONNERIE MARTIN (cmareparacteur_9)" in page
    response = admin_client.post(url, {"retirer": ["ecomaison_4"], "changements-TOTAL_FORMS": "0",
                                       "changements-INITIAL_FORMS": "0"}, follow=True)
    assert response.status_code == 200
    groupe = GroupeSuggestion.objects.get(pk=groupe.pk)
    assert groupe.donnees["enfants"] == ["cmareparacteur_9", "refashion_1"]
    assert frozenset({"ecomaison_4", "refashion_1"}) in regroupement_paires_rejetees()
