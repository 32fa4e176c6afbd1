"""Flow: the same place published by several sources (eco-organismes, CMA, staff…) grouped under
one parent. Candidate pairs by blocking, scored, clustered (`doublons.py`, pure), written as ONE
cohort of `regroupement` suggestions (`geoapp/suggestions/regroupements.py`) for staff: a new
parent (a revision without an imported acteur, its fields chosen field by field among its
children) or new children for an existing parent. What staff rejected is never proposed again.

The scoring (rapidfuzz on every candidate pair: Python on the CPU, the flow's heaviest stage) is
cut into lots of `LOT_PAIRES` pairs, one task each, run by the flow's task runner
(`task_runner_choisir`): a Dask cluster through `prefect-dask` when `DEDOUBLONNAGE_DASK_ADRESSE`
names its scheduler (workers on several hosts) or `DEDOUBLONNAGE_DASK_WORKERS` asks for a local
one (processes on this host), else threads in the flow's process (one core: today's behaviour).
The clusters are formed once, from every lot's pairs: the result does not depend on the cut."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows.enrichissement.commun import run_id_courant
from flows.enrichissement.doublons import (Fiche, FichesPartagees, Grappe, LotDePaires, fiche_depuis_acteur,
                                           grappes_former, lot_scorer, lots_former, paires_candidates,
                                           scores_deballer, scores_emballer)
from geoapp.exploitation.observabilite import flux_mesure

if TYPE_CHECKING:
    import distributed

FLUX = "dedoublonnage"
# `DEDOUBLONNAGE_PRIORITE_SOURCES=cmareparacteur,refashion`: a new parent takes each field from
# the child of the first of these sources that has it; without it (or for the other sources),
# from the most recently modified child
PRIORITE_SOURCES_ENV = "DEDOUBLONNAGE_PRIORITE_SOURCES"
DASK_ADRESSE_ENV = "DEDOUBLONNAGE_DASK_ADRESSE"  # tcp://scheduler:8786: a Dask cluster's scheduler
DASK_WORKERS_ENV = "DEDOUBLONNAGE_DASK_WORKERS"  # N: a local Dask cluster of N processes per run
# pairs per scoring task (~1 s of CPU here): each task costs ~0.1 s of Prefect's bookkeeping on
# its worker; 500,000 acteurs make 17 lots, enough to spread over 8 workers (bench/README.md)
LOT_PAIRES = 200_000


def task_runner_choisir(env: dict[str, str]) -> TaskRunner:
    """The task runner of the scoring lots, from the deployment's environment."""
    adresse, workers = env.get(DASK_ADRESSE_ENV, "").strip(), env.get(DASK_WORKERS_ENV, "").strip()
    if adresse or workers:
        from prefect_dask import DaskTaskRunner

        if adresse:
            return DaskTaskRunner(address=adresse)
        return DaskTaskRunner(cluster_kwargs={"n_workers": int(workers), "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    return ThreadPoolTaskRunner(max_workers=1)


def propositions_regroupement(acteurs: list[dict], fiches: list[Fiche], grappes: list[Grappe], *,
                              en_attente: set[str], priorite_sources: tuple[str, ...] = ()) -> list[dict]:
    """Pure: one proposal per cluster bringing something new. A cluster holding an existing
    parent's children attaches the others to it; any other cluster gets a new parent. Acteurs
    already waiting in a proposed cluster are left out until staff decide on it."""
    from geoapp.suggestions.regroupements import CHAMPS_PARENT, champs_choisir, parent_identifiant

    out = []
    for g in grappes:
        membres = [acteurs[i] for i in g.membres]
        anciens = [a["identifiant_unique"] for a in membres if g.parent and a["parent"] == g.parent]
        nouveaux = [a["identifiant_unique"] for a in membres
                    if a["identifiant_unique"] not in anciens and a["identifiant_unique"] not in en_attente]
        enfants = anciens + nouveaux
        if not nouveaux or len(enfants) < 2:
            continue
        gardes = [a for a in membres if a["identifiant_unique"] in enfants]
        ids = {i: acteurs[i]["identifiant_unique"] for i in g.membres}
        paires = [[ids[i], ids[j], round(s, 2)] for i, j, s in g.paires if ids[i] in enfants and ids[j] in enfants]
        memo = {a["identifiant_unique"]: {c: a.get(c) for c in (*CHAMPS_PARENT, "source", "modifie_le",
                                                                  "identifiant_unique")} for a in gardes}
        p = {"parent": g.parent or parent_identifiant(enfants), "nouveau_parent": g.parent is None,
             "enfants": sorted(enfants), "nouveaux_enfants": sorted(nouveaux), "paires": paires,
             "membres": memo, "priorite_sources": list(priorite_sources), "valeurs": {}, "provenance": {}}
        if g.parent is None:
            p["valeurs"], p["provenance"] = champs_choisir(gardes, CHAMPS_PARENT, priorite_sources=priorite_sources)
        out.append(p)
    return out


def grappes_en_attente(acteurs: list[dict], grappes: list[Grappe], *, en_attente: set[str]) -> int:
    """Pure: how many clusters hold an acteur already waiting in a proposed cluster (left out of
    the proposals until staff decide: a re-run says so instead of proposing nothing silently)."""
    return sum(1 for g in grappes if any(acteurs[i]["identifiant_unique"] in en_attente for i in g.membres))


# no cache: the inputs are every acteur (hashing 500,000 dicts costs more than nothing), and a
# rerun must read the decisions staff took since
@task(name="lire les acteurs et les décisions de l'équipe", cache_policy=NO_CACHE)
def acteurs_lire() -> tuple[list[dict], list[list[str]], list[str]]:
    from geoapp.suggestions.regroupements import (acteurs_a_dedoublonner, regroupement_membres_en_attente,
                                                  regroupement_paires_rejetees)

    return (acteurs_a_dedoublonner(), [sorted(p) for p in regroupement_paires_rejetees()],
            sorted(regroupement_membres_en_attente()))


@task(name="former les paires candidates", cache_policy=NO_CACHE)
def paires_trouver(acteurs: list[dict]) -> tuple[list[Fiche], list[tuple[int, int]]]:
    fiches = [fiche_depuis_acteur(a) for a in acteurs]
    paires = sorted(paires_candidates(fiches))
    print(f"{len(fiches)} acteurs, {len(paires)} paires candidates")
    return fiches, paires


@task(name="scorer un lot de paires", cache_policy=NO_CACHE)
def lot_scorer_tache(lot: LotDePaires, fiches: FichesPartagees) -> tuple[tuple, str]:
    """A lot's pairs at or above the threshold (packed: `scores_emballer`), and where they were
    scored (the Dask worker)."""
    try:
        from distributed import get_worker

        ou = get_worker().name
    except (ImportError, ValueError):
        ou = "processus du flow"
    return scores_emballer(lot_scorer(lot, fiches.fiches)), str(ou)


def fiches_partager(fiches: list[Fiche]) -> FichesPartagees | distributed.Future:
    """The fiches as the lots' tasks receive them: on a Dask cluster, sent once to every worker
    (`scatter(broadcast=True)`: a Dask future, which Dask replaces by the worker's copy when it
    runs a task), else as they are. A worker that joins later gets them from another worker."""
    partagees = FichesPartagees(fiches)
    runner = FlowRunContext.get().task_runner
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:  # prefect-dask not installed: no Dask runner either
        return partagees
    if not isinstance(runner, DaskTaskRunner):
        return partagees
    return runner.client.scatter(partagees, broadcast=True, hash=False)


def lots_scorer(lots: list[LotDePaires], fiches: list[Fiche]) -> tuple[list[tuple[int, int, float, bool]], set[str]]:
    """Inside a flow: one `lot_scorer_tache` per lot on the flow's task runner; every lot's scored
    pairs, in the lots' order, and the workers that scored them."""
    partagees = fiches_partager(fiches)
    scorees, executants = [], set()
    for future in [lot_scorer_tache.submit(lot, partagees) for lot in lots]:
        paquet, ou = future.result()
        scorees += scores_deballer(paquet)
        executants.add(ou)
    return scorees, executants


@task(name="former les grappes et les propositions", cache_policy=NO_CACHE)
def doublons_proposer(acteurs: list[dict], fiches: list[Fiche], scorees: list[tuple[int, int, float, bool]],
                      rejetees: list[list[str]], en_attente: list[str],
                      priorite_sources: list[str]) -> tuple[list[dict], int]:
    """The proposals, and how many clusters wait for staff already."""
    grappes = grappes_former(fiches, scorees, {frozenset(p) for p in rejetees})
    propositions = propositions_regroupement(acteurs, fiches, grappes, en_attente=set(en_attente),
                                             priorite_sources=tuple(priorite_sources))
    return propositions, grappes_en_attente(acteurs, grappes, en_attente=set(en_attente))


@task(name="écrire la cohorte de regroupements", cache_policy=NO_CACHE)
def cohorte_ecrire(run_id: str, propositions: list[dict], en_attente: int = 0) -> dict:
    from geoapp.suggestions.regroupements import regroupement_cohorte_ecrire

    report = regroupement_cohorte_ecrire(flux=FLUX, run_id=run_id, propositions=propositions, en_attente=en_attente)
    print(f"{FLUX}: {report}")
    return report


@flow(name="dedoublonnage", log_prints=True, task_runner=task_runner_choisir(os.environ))
@flux_mesure()
def dedoublonnage_flow(priorite_sources: list[str] | None = None, lot_paires: int = LOT_PAIRES) -> dict:
    if priorite_sources is None:
        priorite_sources = [s for s in os.environ.get(PRIORITE_SOURCES_ENV, "").split(",") if s.strip()]
    acteurs, rejetees, en_attente = acteurs_lire()
    # quote: Prefect would walk every dict and fiche looking for futures
    fiches, paires = paires_trouver(quote(acteurs))
    lots = lots_former(paires, taille=lot_paires)
    scorees, executants = lots_scorer(lots, fiches)
    print(f"{len(scorees)} paires au-dessus du seuil, {len(lots)} lots scorés par {sorted(executants)}")
    propositions, attente = doublons_proposer(quote(acteurs), quote(fiches), quote(scorees), rejetees, en_attente,
                                              [s.strip() for s in priorite_sources])
    report = cohorte_ecrire(run_id_courant(), quote(propositions), attente)
    return {**report, "lots": len(lots), "executants": sorted(executants)}


if __name__ == "__main__":
    dedoublonnage_flow()
