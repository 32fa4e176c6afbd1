"""Staff see a suggestion with its field changes and validate then apply it from the back office."""

import pytest

from geoapp.acteurs.models import Acteur
from geoapp.suggestions import services
from geoapp.suggestions.models import GroupeSuggestion

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")


def test_staff_validate_then_apply_a_suggestion_from_the_admin(admin_client):
    services.execution_start(run_id="r1", flux="refashion", sources=["refashion"])
    services.politique_set(source_codes=["refashion"], politique="auto")
    ligne = {"identifiant_unique": "refashion_1", "identifiant_externe": "1", "source": "refashion",
             "acteur_type": "commerce", "nom": "Friperie Voltaire", "statut": "ACTIF", "location": [2.38, 48.86],
             "propositions": [{"action": "donner", "sous_categories": ["vetement"]}]}
    services.suggestions_write(run_id="r1", propositions=[{"type": "ajout", "identifiant_unique": "refashion_1",
                                                          "source": "refashion", "donnees": ligne, "changements": {}}])
    services.suggestions_apply(source_codes=["refashion"])
    services.politique_set(source_codes=["refashion"], politique="review")
    services.execution_start(run_id="r2", flux="refashion", sources=["refashion"])
    services.suggestions_write(run_id="r2", propositions=[{
        "type": "modification", "identifiant_unique": "refashion_1", "source": "refashion",
        "donnees": {**ligne, "nom": "Friperie Voltaire 2"}, "changements": {"nom": ["Friperie Voltaire", "Friperie Voltaire 2"]}}])
    groupe = GroupeSuggestion.objects.get(cohorte__type="modification")

    page = admin_client.get(f"/admin/suggestions/groupesuggestion/{groupe.pk}/change/").content.decode()
    assert "Friperie Voltaire 2" in page and "à valider" in admin_client.get(
        "/admin/suggestions/groupesuggestion/").content.decode()

    for action in ("valider", "appliquer"):
        response = admin_client.post("/admin/suggestions/groupesuggestion/",
                                     {"action": action, "_selected_action": [groupe.pk]}, follow=True)
        assert response.status_code == 200

    groupe.refresh_from_db()
    assert groupe.statut == "appliquee"
    assert Acteur.objects.get(pk="refashion_1").nom == "Friperie Voltaire 2"
