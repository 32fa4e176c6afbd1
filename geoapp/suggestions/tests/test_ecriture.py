"""Groups and their changes written by COPY read back through the ORM as the values proposed: what
staff see in the back office is what the flow proposed."""

import pytest

from geoapp.suggestions import services
from geoapp.suggestions.ecriture import GroupeACopier, groupes_copier
from geoapp.suggestions.models import ChangementSuggestion, CohorteSuggestion, GroupeSuggestion

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")


def test_groups_of_several_cohorts_keep_their_own_changes_and_values_as_proposed():
    execution = services.execution_start(run_id="r-copie", flux="refashion", sources=["refashion"])
    modification = CohorteSuggestion.objects.create(execution=execution, type="modification")
    suppression = CohorteSuggestion.objects.create(execution=execution, type="suppression")
    ajout = CohorteSuggestion.objects.create(execution=execution, type="ajout")
    texte = "Atelier\t«\xa0Vélo\xa0»\nrue \\N du Port \\ 2"
    ecrits = groupes_copier(groupes=[
        GroupeACopier(modification.pk, "refashion", "refashion_1", "a_valider", {"raison": texte}, "e1",
                      (("nom", "Vélo", texte), ("location", [2.35, 48.85], [2.3512345, 48.8587654]),
                       ("siret", None, "12345678900011"), ("ville", "Lyon", None))),
        # the same acteur in another cohort of the run: its changes stay under its own group
        GroupeACopier(suppression.pk, "refashion", "refashion_1", "validee", {}, "e2", (("statut", "ACTIF", "SUPPRIME"),)),
        GroupeACopier(ajout.pk, "refashion", "refashion_2", "a_valider", {"nom": "Neuf", "labels": ["ess"]}, "e3"),
    ])

    assert ecrits == 3
    groupe = GroupeSuggestion.objects.get(cohorte=modification)
    assert (groupe.identifiant_unique, groupe.statut, groupe.donnees, groupe.message) == (
        "refashion_1", "a_valider", {"raison": texte}, "")
    assert {c.champ: [c.ancienne_valeur, c.nouvelle_valeur] for c in groupe.changements.all()} == {
        "nom": ["Vélo", texte], "location": [[2.35, 48.85], [2.3512345, 48.8587654]],
        "siret": [None, "12345678900011"], "ville": ["Lyon", None]}
    # None is SQL NULL, as the ORM writes it (not a JSON null)
    assert ChangementSuggestion.objects.filter(groupe=groupe, ancienne_valeur__isnull=True).get().champ == "siret"
    retrait = GroupeSuggestion.objects.get(cohorte=suppression)
    assert retrait.statut == "validee"
    assert [(c.champ, c.nouvelle_valeur) for c in retrait.changements.all()] == [("statut", "SUPPRIME")]
    nouveau = GroupeSuggestion.objects.get(cohorte=ajout)
    assert nouveau.donnees == {"nom": "Neuf", "labels": ["ess"]} and not nouveau.changements.exists()
    assert groupe.modifie_le is not None


def test_nothing_to_write_touches_nothing():
    assert groupes_copier(groupes=iter([])) == 0
    assert not GroupeSuggestion.objects.exists()
