"""Staff see a suggestion with its field changes and validate then apply it from the back office:
applying is a Prefect flow run outside the request, whose state the admin shows; each action is
offered only to staff holding its permission."""

import time

import pytest
from django.contrib.auth.models import Permission

from geoapp.acteurs.models import Acteur
from geoapp.suggestions import services
from geoapp.suggestions.models import ApplicationSuggestions, GroupeSuggestion

from .conftest import application_finie

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")


def test_staff_validate_then_apply_a_suggestion_from_the_admin(admin_client, flow_run_env):
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

    response = admin_client.post("/admin/suggestions/groupesuggestion/",
                                 {"action": "valider", "_selected_action": [groupe.pk]}, follow=True)
    assert response.status_code == 200
    started = time.monotonic()
    response = admin_client.post("/admin/suggestions/groupesuggestion/",
                                 {"action": "appliquer", "_selected_action": [groupe.pk]}, follow=True)
    assert time.monotonic() - started < 5  # returns at once: the apply runs in its own flow run
    assert "Application lancée" in response.content.decode()

    application = application_finie(ApplicationSuggestions.objects.get())

    groupe.refresh_from_db()
    assert groupe.statut == "appliquee"
    assert Acteur.objects.get(pk="refashion_1").nom == "Friperie Voltaire 2"
    assert application.compteurs["appliquees"] == 1
    page = admin_client.get("/admin/suggestions/applicationsuggestions/").content.decode()
    assert "Completed" in page and "refashion" in page


def _staff(django_user_model, username: str, *codenames: str):
    user = django_user_model.objects.create_user(username, password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label="suggestions", codename__in=["view_groupesuggestion", "change_groupesuggestion",
                                                              *codenames]))
    return user


def test_actions_are_offered_only_with_their_permission_and_a_forged_post_is_refused(client, django_user_model):
    services.execution_start(run_id="r1", flux="refashion", sources=["refashion"])
    services.suggestions_write(run_id="r1", propositions=[{
        "type": "ajout", "identifiant_unique": "refashion_9", "source": "refashion",
        "donnees": {"identifiant_unique": "refashion_9", "nom": "Friperie"}, "changements": {}}])
    groupe = GroupeSuggestion.objects.get()

    client.force_login(_staff(django_user_model, "lecteur"))
    page = client.get("/admin/suggestions/groupesuggestion/").content.decode()
    assert 'value="valider"' not in page and 'value="rejeter"' not in page and 'value="appliquer"' not in page
    for action in ("valider", "rejeter", "appliquer"):  # forged: refused, nothing changes
        client.post("/admin/suggestions/groupesuggestion/", {"action": action, "_selected_action": [groupe.pk]})
    groupe.refresh_from_db()
    assert groupe.statut == "a_valider"
    assert not ApplicationSuggestions.objects.exists()

    client.force_login(_staff(django_user_model, "valideuse", "valider_groupesuggestion"))
    page = client.get("/admin/suggestions/groupesuggestion/").content.decode()
    assert 'value="valider"' in page and 'value="rejeter"' in page and 'value="appliquer"' not in page
    client.post("/admin/suggestions/groupesuggestion/", {"action": "appliquer", "_selected_action": [groupe.pk]})
    assert not ApplicationSuggestions.objects.exists()
    client.post("/admin/suggestions/groupesuggestion/", {"action": "valider", "_selected_action": [groupe.pk]})
    groupe.refresh_from_db()
    assert groupe.statut == "validee"
