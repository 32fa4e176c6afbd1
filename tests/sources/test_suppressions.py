"""One bad extract never mass-deletes a source's acteurs, even under the `auto` policy: an extract
shorter than announced fails the run; rows that fail normalisation keep their identifiant and
protect their acteurs; deletions beyond a share of the active acteurs wait for staff. And two runs
of one source never run side by side."""

from dataclasses import replace

import pytest

from flows.sources import pipeline, registre
from flows.sources.eco_organismes import eco_organisme_flow
from geoapp.acteurs.models import Acteur
from geoapp.suggestions import services
from geoapp.suggestions.executions import execution_verrou
from geoapp.suggestions.models import ExecutionSource, GroupeSuggestion

pytestmark = pytest.mark.usefixtures("source_db")


@pytest.fixture
def importe(doublure_sources, settings):
    """aliapur in `auto`, its 30 acteurs imported (3 pages of 10)."""
    settings.SOURCES_DATAFAIR_PAGE_SIZE = 10
    services.politique_set(source_codes=["aliapur"], politique="auto")
    assert eco_organisme_flow(source="aliapur")["appliquees"] == 30
    return doublure_sources


def actifs():
    return Acteur.objects.filter(source_id="aliapur", statut="ACTIF").count()


def derniere_execution():
    return ExecutionSource.objects.filter(flux="aliapur").order_by("-debut").first()


def test_an_extract_shorter_than_announced_fails_the_run_and_deletes_nothing(importe):
    importe.faults["donnees-eo-aliapur/lines"] = ["ok", "coupe"]  # the second page forgets its next

    with pytest.raises(Exception, match="extrait tronqué : 20 lignes reçues pour 30 annoncées"):
        eco_organisme_flow(source="aliapur")

    run = derniere_execution()
    assert run.statut == "echouee" and "extrait tronqué : 20 lignes reçues pour 30 annoncées" in run.message
    assert actifs() == 30 and not GroupeSuggestion.objects.filter(cohorte__type="suppression").exists()


def test_a_renamed_column_quarantines_every_row_and_each_protects_its_acteur(importe):
    importe._cache = {k: [{("latitude" if f == "latitudewgs84" else f): v for f, v in r.items()} for r in rows]
                      for k, rows in importe._cache.items()}

    counts = eco_organisme_flow(source="aliapur")

    assert (counts["recues"], counts["quarantaine"], counts["suppressions"], counts["proteges"]) == (30, 30, 0, 30)
    assert actifs() == 30 and not GroupeSuggestion.objects.filter(cohorte__type="suppression").exists()
    reasons = {q["raison"] for q in pipeline.quarantaine_read(run_id=derniere_execution().run_id)}
    assert {r.split(" : ")[-1] for r in reasons} == {"coordonnées manquantes"}


def test_a_normaliser_that_raises_on_every_row_deletes_nothing(importe, monkeypatch):
    def casse(record):
        raise KeyError("champ_disparu")

    monkeypatch.setattr(pipeline, "NORMALISATION_VERSION", "règles cassées")  # new rules: every record read again
    monkeypatch.setitem(registre.SPECS, "aliapur", replace(registre.SPECS["aliapur"], normaliser=casse))

    counts = eco_organisme_flow(source="aliapur")

    assert (counts["quarantaine"], counts["suppressions"], counts["proteges"], counts["appliquees"]) == (30, 0, 30, 0)
    assert actifs() == 30
    quarantaine = pipeline.quarantaine_read(run_id=derniere_execution().run_id)
    assert {q["raison"] for q in quarantaine} == {"erreur de normalisation : KeyError: 'champ_disparu'"}
    assert sorted(q["identifiant_unique"] for q in quarantaine) == sorted(
        Acteur.objects.filter(source_id="aliapur").values_list("pk", flat=True))


def test_deletions_beyond_the_share_wait_for_staff_whatever_the_policy(importe, settings):
    settings.SOURCES_SUPPRESSIONS_PART_MAX = 0.10
    importe.config.sizes["aliapur"] = 20  # a third of the acteurs gone at once

    counts = eco_organisme_flow(source="aliapur")

    # (the generator's shared places depend on the extract's size: the 20 kept records may carry
    # field changes, applied under auto; the deletions are not)
    assert (counts["suppressions"], counts["suppressions_retenues"]) == (10, 10)
    assert actifs() == 30
    groupes = GroupeSuggestion.objects.filter(cohorte__type="suppression")
    assert groupes.count() == 10 and set(groupes.values_list("statut", flat=True)) == {"a_valider"}
    assert derniere_execution().compteurs["suppressions_retenues"] == 10
    # staff agree: applying them from the back office deletes them
    services.suggestion_groupes_set_statut(groupe_ids=list(groupes.values_list("pk", flat=True)), statut="validee")
    services.suggestions_apply(source_codes=["aliapur"])
    assert actifs() == 20


def test_the_report_says_why_nothing_was_deleted():
    compteurs = pipeline.rapport_compteurs(
        normalisation={"recues": 30, "quarantaine": 0}, diff={"ajouts": 0, "inchanges": 20, "suppressions": 10},
        ecrites={"suppression": 10}, appliquees=None, suppressions_retenues=10)
    markdown = pipeline.rapport_markdown(flux="aliapur", run_id="r", compteurs=compteurs, raisons=[], inconnus={},
                                         part_max=0.1)
    assert "| suppressions laissées à valider (trop nombreuses) | `suppressions_retenues` | 10 |" in markdown
    assert "supprimer 10 acteurs (plus de 10% de ses acteurs actifs)" in markdown
    protege = pipeline.rapport_markdown(flux="aliapur", run_id="r", raisons=[("coordonnées manquantes", 30)],
                                        inconnus={"latitude": 30}, compteurs={**compteurs, "suppressions_retenues": 0,
                                                                             "quarantaine": 30, "proteges": 30})
    assert "30 acteurs absents de l'extrait valide ne sont pas supprimés : leur ligne est en quarantaine" in protege
    assert "- `latitude` : 30 lignes" in protege


def test_a_second_run_while_one_is_running_is_refused(doublure_sources):
    with execution_verrou(flux="citeo") as obtenu:  # a run of citeo is alive (its lock is held)
        assert obtenu
        state = eco_organisme_flow(source="citeo", return_state=True)

    assert state.is_cancelled() and "une autre exécution de la source citeo est en cours" in state.message
    run = ExecutionSource.objects.get(flux="citeo")
    assert run.statut == "refusee" and run.message == "refusée : une autre exécution de la source citeo est en cours"
    assert not doublure_sources.requests and not GroupeSuggestion.objects.exists()
    # once it is over, the next run goes ahead
    assert eco_organisme_flow(source="citeo")["ajouts"] == 30
