"""Enrichment suggestions: staff validate and apply them from the back office like the others,
and they are written on the acteur's revision, so that the source's next import does not undo
them."""

import pytest

from geoapp.acteurs.models import Acteur, DisplayedActeur, RevisionActeur
from geoapp.suggestions.enrichissements import enrichissement_cohorte_ecrire
from geoapp.suggestions.models import GroupeSuggestion

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")


def test_staff_apply_an_enrichment_from_the_admin_onto_the_revision(admin_client):
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
