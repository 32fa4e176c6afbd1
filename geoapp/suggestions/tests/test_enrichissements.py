"""Enrichment suggestions: staff validate and apply them from the back office like the others,
and they are written on the acteur's revision, so that the source's next import does not undo
them."""

import pytest

from geoapp.acteurs.models import Acteur, DisplayedActeur, RevisionActeur
from geoapp.suggestions.enrichissements import enrichissement_cohorte_ecrire
from geoapp.suggestions.models import ApplicationSuggestions, GroupeSuggestion

from .conftest import application_finie

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")


def test_staff_apply_an_enrichment_from_the_admin_onto_the_revision(admin_client, flow_run_env):
    Acteur.objects.create(identifiant_unique="refashion_1", uuid="u1", source_id="refashion", nom="Jean Dupont",
                          acteur_type_id="commerce")
    report = enrichissement_cohorte_ecrire(flux="enrichissement-rgpd", run_id="r1", propositions=[
        {"identifiant_unique": "refashion_1", "changements": {"nom": ["Jean Dupont", "Vélo Malin"]},
         "contexte": {"raison": "nom d'une personne physique"}}])
    groupe = GroupeSuggestion.objects.get(cohorte_id=report["cohorte"])
    assert "Vélo Malin" in admin_client.get(f"/admin/suggestions/groupesuggestion/{groupe.pk}/change/").content.decode()

    for action in ("valider", "appliquer"):
        response = admin_client.post("/admin/suggestions/groupesuggestion/",
                                     {"action": action, "_selected_action": [groupe.pk]}, follow=True)
        assert response.status_code == 200
    application_finie(ApplicationSuggestions.objects.get())  # applying is a flow run of its own

    groupe.refresh_from_db()
    assert groupe.statut == "appliquee"
    assert Acteur.objects.get(pk="refashion_1").nom == "Jean Dupont"  # the source's data stays as it is
    assert RevisionActeur.objects.get(pk="refashion_1").nom == "Vélo Malin"
    assert DisplayedActeur.objects.get(pk="refashion_1").nom == "Vélo Malin"


def test_a_field_an_enrichment_may_not_change_is_refused_and_nothing_is_written():
    with pytest.raises(ValueError, match=r"non modifiables .*\['labels'\]"):
        enrichissement_cohorte_ecrire(flux="enrichissement-x", run_id="r2", propositions=[
            {"identifiant_unique": "refashion_1", "changements": {"labels": [[], ["ess"]]}}])
    assert not GroupeSuggestion.objects.exists()


def test_applying_every_validated_suggestion_writes_enrichments_on_the_revision_only():
    """`suggestions_apply()` without sources (what an ops script would call) never writes an
    enrichment onto the imported acteur."""
    from geoapp.suggestions.services import suggestion_groupes_set_statut, suggestions_apply

    Acteur.objects.create(identifiant_unique="refashion_2", uuid="u2", source_id="refashion", nom="Jeanne Martin",
                          acteur_type_id="commerce")
    report = enrichissement_cohorte_ecrire(flux="enrichissement-rgpd", run_id="r3", propositions=[
        {"identifiant_unique": "refashion_2", "changements": {"nom": ["Jeanne Martin", "Atelier Couture"]}}])
    groupe = GroupeSuggestion.objects.get(cohorte_id=report["cohorte"])
    suggestion_groupes_set_statut(groupe_ids=[groupe.pk], statut="validee")

    assert suggestions_apply()["appliquees"] == 1

    assert Acteur.objects.get(pk="refashion_2").nom == "Jeanne Martin"
    assert RevisionActeur.objects.get(pk="refashion_2").nom == "Atelier Couture"
    assert DisplayedActeur.objects.get(pk="refashion_2").nom == "Atelier Couture"


def test_an_enrichment_staff_accept_for_a_field_forced_empty_is_displayed():
    """Staff forced the siret empty (the source's was wrong); the one an enrichment finds, once
    they accept it, is displayed: accepting a value ends the field's being forced empty."""
    from geoapp.suggestions.services import suggestion_groupes_set_statut, suggestions_apply

    Acteur.objects.create(identifiant_unique="refashion_3", uuid="u3", source_id="refashion", nom="Atelier",
                          acteur_type_id="commerce", siret="11111111111111", ville="Lyon")
    RevisionActeur.objects.create(identifiant_unique="refashion_3", champs_vides=["siret", "ville"])
    report = enrichissement_cohorte_ecrire(flux="enrichissement-sirene", run_id="r4", propositions=[
        {"identifiant_unique": "refashion_3", "changements": {"siret": ["", "12345678900011"]}}])
    suggestion_groupes_set_statut(groupe_ids=[GroupeSuggestion.objects.get(cohorte_id=report["cohorte"]).pk],
                                  statut="validee")

    suggestions_apply()

    assert RevisionActeur.objects.get(pk="refashion_3").champs_vides == ["ville"]
    displayed = DisplayedActeur.objects.get(pk="refashion_3")
    assert (displayed.siret, displayed.ville) == ("12345678900011", "")
