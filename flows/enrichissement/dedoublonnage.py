"""Flow: the same place published by several sources (eco-organismes, CMA, staff…) grouped under
one parent. Candidate pairs by blocking, scored, clustered (`doublons.py`, pure), written as ONE
cohort of `regroupement` suggestions (`geoapp/suggestions/regroupements.py`) for staff: a new
parent (a revision without an imported acteur, its fields chosen field by field among its
children) or new children for an existing parent. What staff rejected is never proposed again."""

from __future__ import annotations

import os

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.enrichissement.commun import run_id_courant
from flows.enrichissement.doublons import Fiche, Grappe, doublons_trouver
from geoapp.exploitation.observabilite import flux_mesure

FLUX = "dedoublonnage"
# `DEDOUBLONNAGE_PRIORITE_SOURCES=cmareparacteur,refashion`: a new parent takes each field from
# the child of the first of these sources that has it; without it (or for the other sources),
# from the most recently modified child
PRIORITE_SOURCES_ENV = "DEDOUBLONNAGE_PRIORITE_SOURCES"


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


@task(name="trouver les doublons", cache_policy=NO_CACHE)
def doublons_proposer(acteurs: list[dict], rejetees: list[list[str]], en_attente: list[str],
                      priorite_sources: list[str]) -> tuple[list[dict], int]:
    """The proposals, and how many clusters wait for staff already."""
    fiches, grappes = doublons_trouver(acteurs, rejetees={frozenset(p) for p in rejetees})
    propositions = propositions_regroupement(acteurs, fiches, grappes, en_attente=set(en_attente),
                                             priorite_sources=tuple(priorite_sources))
    return propositions, grappes_en_attente(acteurs, grappes, en_attente=set(en_attente))


@task(name="écrire la cohorte de regroupements", cache_policy=NO_CACHE)
def cohorte_ecrire(run_id: str, propositions: list[dict], en_attente: int = 0) -> dict:
    from geoapp.suggestions.regroupements import regroupement_cohorte_ecrire

    report = regroupement_cohorte_ecrire(flux=FLUX, run_id=run_id, propositions=propositions, en_attente=en_attente)
    print(f"{FLUX}: {report}")
    return report


@flow(name="dedoublonnage", log_prints=True)
@flux_mesure()
def dedoublonnage_flow(priorite_sources: list[str] | None = None) -> dict:
    if priorite_sources is None:
        priorite_sources = [s for s in os.environ.get(PRIORITE_SOURCES_ENV, "").split(",") if s.strip()]
    acteurs, rejetees, en_attente = acteurs_lire()
    propositions, attente = doublons_proposer(acteurs, rejetees, en_attente, [s.strip() for s in priorite_sources])
    return cohorte_ecrire(run_id_courant(), propositions, attente)


if __name__ == "__main__":
    dedoublonnage_flow()
