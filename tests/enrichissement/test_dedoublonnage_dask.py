"""The deduplication's scoring on a Dask cluster (`prefect-dask`): a scheduler and two workers, each
a process of its own (two hosts); the lots are Prefect tasks run by both workers, and staff get the
clusters that one process finds over every pair."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from bench.dedoublonnage import jeu_etiquete
from flows.enrichissement.dedoublonnage import (DASK_ADRESSE_ENV, DASK_WORKERS_ENV, dedoublonnage_flow,
                                                task_runner_choisir)
from flows.enrichissement.doublons import doublons_trouver
from flows.execution_locale import (dask_scheduler_demarrer, dask_worker_demarrer, dask_workers_attendre,
                                    processus_arreter)
from geoapp.acteurs.models import Acteur, Source
from geoapp.suggestions.models import GroupeSuggestion
from geoapp.suggestions.regroupements import acteurs_a_dedoublonner

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels", "prefect_api")


def test_the_scoring_runner_is_a_dask_cluster_only_when_the_deployment_asks_for_one():
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    assert isinstance(task_runner_choisir({}), ThreadPoolTaskRunner)
    distant = task_runner_choisir({DASK_ADRESSE_ENV: "tcp://dask:8786"})
    assert isinstance(distant, DaskTaskRunner) and distant.address == "tcp://dask:8786"
    local = task_runner_choisir({DASK_WORKERS_ENV: "3"})
    assert isinstance(local, DaskTaskRunner) and local.cluster_kwargs["n_workers"] == 3


@pytest.fixture
def cluster_dask(prefect_api):
    """A Dask scheduler and two workers (`hote-1`, `hote-2`), as processes, their tasks reporting to
    the session's Prefect API (else each would start a temporary server of its own); yields its
    address."""
    from prefect.settings import PREFECT_API_URL

    scheduler, adresse = dask_scheduler_demarrer()
    workers = [dask_worker_demarrer(adresse=adresse, nom=f"hote-{i}", env={"PREFECT_API_URL": PREFECT_API_URL.value()})
               for i in (1, 2)]
    try:
        dask_workers_attendre(adresse=adresse, n=2)
        yield adresse
    finally:
        for processus in (*workers, scheduler):
            processus_arreter(processus)


def test_the_scoring_lots_run_on_two_dask_workers_and_staff_get_the_clusters_of_one_process(cluster_dask):
    from geoapp.acteurs.services import displayed_acteur_refresh

    acteurs, _ = jeu_etiquete(acteurs=600, graine=7)
    for code in {a["source"] for a in acteurs}:  # the set's 8 sources, some not in the referentials
        Source.objects.get_or_create(code=code, defaults={"libelle": code})
    Acteur.objects.bulk_create([
        Acteur(identifiant_unique=a["identifiant_unique"], uuid=f"u-{a['identifiant_unique']}", source_id=a["source"],
               acteur_type_id="commerce", nom=a["nom"], adresse=a["adresse"], code_postal=a["code_postal"],
               ville="Ville", code_commune_insee=a["code_commune_insee"], siret=a["siret"],
               telephone=a["telephone"], email=a["email"], url=a["url"], location=Point(*a["location"], srid=4326))
        for a in acteurs])
    displayed_acteur_refresh()
    fiches, grappes = doublons_trouver(acteurs_a_dedoublonner())  # the reference: one process, every pair
    attendues = {frozenset(fiches[i].identifiant_unique for i in g.membres) for g in grappes}
    assert len(attendues) > 20

    runner = task_runner_choisir({DASK_ADRESSE_ENV: cluster_dask})  # the deployment's environment
    report = dedoublonnage_flow.with_options(task_runner=runner)(lot_paires=20)

    assert report["lots"] >= 10
    assert report["executants"] == ["hote-1", "hote-2"]  # both Dask workers scored lots
    proposees = {frozenset(e) for e in GroupeSuggestion.objects.filter(cohorte_id=report["cohorte"])
                 .values_list("donnees__enfants", flat=True)}
    assert proposees == attendues
