"""Suggestions: written per run in cohorts, never twice, applied group by group."""

import pytest

from geoapp.acteurs.models import Acteur, ActeurStatut, DisplayedActeur
from geoapp.acteurs.selectors import source_list_with_counts
from geoapp.suggestions import services
from geoapp.suggestions.lignes import ligne_canonique, lignes_changements
from geoapp.suggestions.models import ExecutionSource, GroupeSuggestion, StatutSuggestion
from geoapp.suggestions.selectors import acteur_lignes_par_sources

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")


def ligne(identifiant, **fields):
    return ligne_canonique({
        "identifiant_unique": f"refashion_{identifiant}", "identifiant_externe": identifiant, "source": "refashion",
        "acteur_type": "commerce", "nom": f"Boutique {identifiant}", "statut": "ACTIF",
        "location": [2.35, 48.85], "labels": ["refashion"], "acteur_services": ["structure_de_collecte"],
        "propositions": [{"action": "trier", "sous_categories": ["vetement", "chaussures"]}], **fields,
    })


def ajout(l):
    return {"type": "ajout", "identifiant_unique": l["identifiant_unique"], "source": l["source"], "donnees": l,
            "changements": {c: [None, v] for c, v in l.items() if c != "identifiant_unique"}}


def run(run_id="run-1"):
    services.execution_start(run_id=run_id, flux="refashion", sources=["refashion"])
    return run_id


def test_validated_suggestions_create_acteurs_that_the_map_then_shows():
    services.politique_set(source_codes=["refashion"], politique="auto")
    counts = services.suggestions_write(run_id=run(), propositions=[ajout(ligne("A1")), ajout(ligne("A2"))])
    assert counts == {"ajout": 2}
    assert set(GroupeSuggestion.objects.values_list("statut", flat=True)) == {StatutSuggestion.VALIDEE}

    applied = services.suggestions_apply(source_codes=["refashion"])

    assert applied["appliquees"] == 2 and applied["erreurs"] == 0
    displayed = DisplayedActeur.objects.get(identifiant_unique="refashion_A1")
    assert displayed.nom == "Boutique A1"
    assert displayed.propositions == [{"action": "trier", "sous_categories": ["chaussures", "vetement"]}]
    assert displayed.labels == ["refashion"]
    # what was applied reads back as the same ligne: a new diff finds nothing
    assert acteur_lignes_par_sources(source_codes=["refashion"])["refashion_A1"] == ligne("A1")


def test_a_few_applied_acteurs_are_refreshed_alone_many_by_the_full_rebuild(settings):
    from geoapp.acteurs.displayed import displayed_published_version
    from geoapp.acteurs.services import displayed_acteur_refresh

    services.politique_set(source_codes=["refashion"], politique="auto")
    services.suggestions_write(run_id=run(), propositions=[ajout(ligne(f"P{i}")) for i in range(3)])
    displayed_acteur_refresh()  # a publication in place (the nightly one)
    DisplayedActeur.objects.create(identifiant_unique="refashion_ANCIEN", uuid="u-ancien", nom="Ancien",
                                   statut="ACTIF")  # not in the warehouse: a full rebuild would drop it

    applied = services.suggestions_apply(source_codes=["refashion"])

    # three acteurs: only them, in place (the row a full rebuild would have dropped is still there)
    assert applied["appliquees"] == 3 and applied["affiches_touches"] == 3 and applied["affiches_published"] == 3
    assert set(DisplayedActeur.objects.values_list("identifiant_unique", flat=True)) == {
        "refashion_P0", "refashion_P1", "refashion_P2", "refashion_ANCIEN"}
    version = displayed_published_version()

    settings.AFFICHES_PARTIEL_MAX = 2  # more than the limit: the full rebuild and swap
    services.suggestions_write(run_id=run("run-2"), propositions=[ajout(ligne(f"Q{i}")) for i in range(3)])
    applied = services.suggestions_apply(source_codes=["refashion"])

    assert "affiches_touches" not in applied and applied["affiches_published"] == 6
    assert displayed_published_version() > version
    assert DisplayedActeur.objects.filter(identifiant_unique__startswith="refashion_Q").count() == 3
    assert not DisplayedActeur.objects.filter(identifiant_unique="refashion_ANCIEN").exists()


def test_review_policy_waits_for_staff_and_rejected_groups_are_never_applied():
    services.suggestions_write(run_id=run(), propositions=[ajout(ligne("B1")), ajout(ligne("B2"))])
    assert services.suggestions_apply(source_codes=["refashion"])["appliquees"] == 0
    b1 = GroupeSuggestion.objects.get(identifiant_unique="refashion_B1")
    b2 = GroupeSuggestion.objects.get(identifiant_unique="refashion_B2")
    services.suggestion_groupes_set_statut(groupe_ids=[b1.pk], statut="validee")
    services.suggestion_groupes_set_statut(groupe_ids=[b2.pk], statut="rejetee")

    services.suggestions_apply(source_codes=["refashion"])

    assert list(Acteur.objects.values_list("pk", flat=True)) == ["refashion_B1"]
    b2.refresh_from_db()
    assert b2.statut == StatutSuggestion.REJETEE


def test_a_failing_group_is_marked_erreur_with_its_message_and_the_others_are_applied():
    services.politique_set(source_codes=["refashion"], politique="auto")
    bad = ligne("C2", acteur_type="type_inconnu")
    services.suggestions_write(run_id=run(), propositions=[ajout(ligne("C1")), ajout(bad), ajout(ligne("C3"))])

    counts = services.suggestions_apply(source_codes=["refashion"])

    assert counts["appliquees"] == 2 and counts["erreurs"] == 1
    assert sorted(Acteur.objects.values_list("pk", flat=True)) == ["refashion_C1", "refashion_C3"]
    failed = GroupeSuggestion.objects.get(identifiant_unique="refashion_C2")
    assert failed.statut == StatutSuggestion.ERREUR
    assert "type_inconnu" in failed.message or "acteur_type" in failed.message
    assert not Acteur.objects.filter(pk="refashion_C2").exists()  # nothing half-written
    assert DisplayedActeur.objects.count() == 2


def test_modification_and_suppression_change_only_the_fields_proposed():
    services.politique_set(source_codes=["refashion"], politique="auto")
    services.suggestions_write(run_id=run("r1"), propositions=[ajout(ligne("D1")), ajout(ligne("D2"))])
    services.suggestions_apply(source_codes=["refashion"])
    actuelle = acteur_lignes_par_sources(source_codes=["refashion"])["refashion_D1"]
    nouvelle = ligne("D1", telephone="0140000000", propositions=[{"action": "reparer", "sous_categories": ["vetement"]}])
    changes = lignes_changements(actuelle=actuelle, nouvelle=nouvelle)
    assert set(changes) == {"telephone", "propositions"}

    services.suggestions_write(run_id=run("r2"), propositions=[
        {"type": "modification", "identifiant_unique": "refashion_D1", "source": "refashion", "donnees": nouvelle,
         "changements": changes},
        {"type": "suppression", "identifiant_unique": "refashion_D2", "source": "refashion", "donnees": {},
         "changements": {"statut": ["ACTIF", "SUPPRIME"]}},
    ])
    services.suggestions_apply(source_codes=["refashion"])

    assert acteur_lignes_par_sources(source_codes=["refashion"])["refashion_D1"] == nouvelle
    assert Acteur.objects.get(pk="refashion_D2").statut == ActeurStatut.SUPPRIME
    assert list(DisplayedActeur.objects.values_list("identifiant_unique", flat=True)) == ["refashion_D1"]


def test_the_same_proposal_is_never_written_twice():
    services.suggestions_write(run_id=run("r1"), propositions=[ajout(ligne("E1"))])
    counts = services.suggestions_write(run_id=run("r2"), propositions=[ajout(ligne("E1")), ajout(ligne("E2"))])
    assert counts == {"deja_proposees": 1, "ajout": 1}
    assert GroupeSuggestion.objects.count() == 2


def test_sources_list_every_source_with_its_last_successful_run():
    services.politique_set(source_codes=["refashion"], politique="auto")
    services.suggestions_write(run_id=run("r1"), propositions=[ajout(ligne("F1"))])
    services.suggestions_apply(source_codes=["refashion"])
    services.execution_finish(run_id="r1", reussie=True, compteurs={"created": 1})
    services.execution_start(run_id="r2", flux="refashion", sources=["refashion"])
    services.execution_finish(run_id="r2", reussie=False, message="boom")

    sources = {s["code"]: s for s in source_list_with_counts()}

    assert sources["refashion"]["acteurs_count"] == 1
    finished = ExecutionSource.objects.get(run_id="r1").fin
    assert sources["refashion"]["derniere_execution_reussie"] == finished.isoformat()
    assert sources["citeo"] == {**sources["citeo"], "acteurs_count": 0, "derniere_execution_reussie": None}
    assert len(sources) > 70  # every source of the referential


def test_modifications_are_applied_together_and_one_that_fails_does_not_stop_the_others():
    services.politique_set(source_codes=["refashion"], politique="auto")
    services.suggestions_write(run_id=run("r1"), propositions=[ajout(ligne(i)) for i in ("G1", "G2", "G3")])
    services.suggestions_apply(source_codes=["refashion"])
    actuelles = acteur_lignes_par_sources(source_codes=["refashion"])
    nouvelles = {
        "refashion_G1": ligne("G1", labels=[], location=[2.36, 48.86], lieu_prestation="A_DOMICILE",
                              perimetre_rayon_km=12.5, perimetre_departements=["75", "2A"]),
        "refashion_G2": ligne("G2", acteur_type="type_inconnu", nom="Boutique G2 bis"),
        "refashion_G3": ligne("G3", nom="Boutique G3 bis", acteur_services=["service_de_reparation"],
                              propositions=[{"action": "reparer", "sous_categories": ["vetement"]}]),
    }
    services.suggestions_write(run_id=run("r2"), propositions=[
        {"type": "modification", "identifiant_unique": i, "source": "refashion", "donnees": n,
         "changements": lignes_changements(actuelle=actuelles[i], nouvelle=n)} for i, n in nouvelles.items()])

    counts = services.suggestions_apply(source_codes=["refashion"])

    assert (counts["appliquees"], counts["erreurs"]) == (2, 1)
    apres = acteur_lignes_par_sources(source_codes=["refashion"])
    assert apres["refashion_G1"] == nouvelles["refashion_G1"] and apres["refashion_G3"] == nouvelles["refashion_G3"]
    assert apres["refashion_G2"] == actuelles["refashion_G2"]  # nothing half-written
    failed = GroupeSuggestion.objects.get(identifiant_unique="refashion_G2", cohorte__type="modification")
    assert failed.statut == StatutSuggestion.ERREUR and "type_inconnu" in failed.message
    shown = DisplayedActeur.objects.get(identifiant_unique="refashion_G1")
    assert (shown.perimetre_rayon_km, shown.perimetre_departements) == (12.5, ["2A", "75"])


@pytest.mark.parametrize("chemin", ["par lot", "groupe par groupe"])
def test_a_rejection_landing_between_selection_and_write_is_never_overwritten(monkeypatch, chemin):
    services.politique_set(source_codes=["refashion"], politique="auto")
    services.suggestions_write(run_id=run(), propositions=[ajout(ligne("G1")), ajout(ligne("G2"))])
    g2 = GroupeSuggestion.objects.get(identifiant_unique="refashion_G2")
    lot = services._chunk_apply

    def staff_rejette_puis_lot(**kwargs):  # the groups were selected; staff reject G2 before the write
        services.suggestion_groupes_set_statut(groupe_ids=[g2.pk], statut="rejetee")
        return lot(**kwargs) if chemin == "par lot" else None  # None: the chunk failed, replayed one by one

    monkeypatch.setattr(services, "_chunk_apply", staff_rejette_puis_lot)

    counts = services.suggestions_apply(source_codes=["refashion"])

    assert counts["appliquees"] == 1 and counts["erreurs"] == 0
    assert list(Acteur.objects.values_list("pk", flat=True)) == ["refashion_G1"]
    g2.refresh_from_db()
    assert g2.statut == StatutSuggestion.REJETEE

