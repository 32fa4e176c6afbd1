"""Flow (RGPD): acteurs whose name is a natural person's — the legal unit is an individual
entrepreneur (SIRENE StockUniteLegale, catégorie juridique 1000) and the acteur's name contains
their name — are proposed under their sign (enseigne) or, without one, their activity (NAF)."""

from __future__ import annotations

import json
from functools import lru_cache

from prefect import flow, task
from prefect.utilities.annotations import quote

from flows import REPO
from flows.enrichissement.commun import acteurs_lire, changement, cohorte_ecrire, reference_lire, run_id_courant
from flows.enrichissement.regles import acteur_anonymiser
from geoapp.exploitation.observabilite import flux_mesure

FLUX = "enrichissement-rgpd"


@lru_cache(maxsize=1)
def libelles_naf() -> dict[str, str]:
    """NAF rev.2 code ("47.89Z") → label (data/sirene/codes-naf-socialgouv-1.1.1.json)."""
    rows = json.loads((REPO / "data" / "sirene" / "codes-naf-socialgouv-1.1.1.json").read_text(encoding="utf-8"))
    return {r["id"]: r["label"] for r in rows}


@task(name="lire SIRENE (unités légales, enseignes)")
def sirene_lire(sirens: list[str], sirets: list[str]) -> tuple[dict, dict]:
    unites = {r[0]: list(r[1:]) for r in reference_lire(
        """SELECT siren, categoriejuridiqueunitelegale, coalesce(nomusageunitelegale, nomunitelegale),
                  concat_ws(' ', prenomusuelunitelegale, prenom1unitelegale, prenom2unitelegale),
                  activiteprincipaleunitelegale
           FROM reference.sirene_unite_legale WHERE siren = ANY(%(s)s)""", {"s": sirens})}
    etablissements = {r[0]: list(r[1:]) for r in reference_lire(
        """SELECT siret, coalesce(enseigne1etablissement, denominationusuelleetablissement),
                  activiteprincipaleetablissement
           FROM reference.sirene_etablissement WHERE siret = ANY(%(s)s)""", {"s": sirets})}
    return unites, etablissements


def propositions_rgpd(acteurs: list[dict], unites: dict, etablissements: dict, naf: dict[str, str]) -> list[dict]:
    """Pure: the proposals of the anonymisation rule for these acteurs."""
    out = []
    for acteur in acteurs:
        unite = unites.get(acteur["siren"] or acteur["siret"][:9])
        if unite is None:
            continue
        categorie, nom_personne, prenoms, activite_unite = unite
        enseigne, activite = etablissements.get(acteur["siret"], [None, None])
        nouveau = acteur_anonymiser(nom=acteur["nom"], categorie_juridique=categorie, nom_personne=nom_personne,
                                    prenoms=prenoms, enseigne=enseigne,
                                    libelle_activite=naf.get(activite or activite_unite or "", "Entreprise individuelle"))
        changes = changement(acteur, "nom", nouveau)
        if changes:
            out.append({"identifiant_unique": acteur["identifiant_unique"], "changements": changes,
                        "contexte": {"raison": "nom d'une personne physique (entrepreneur individuel)",
                                     "categorie_juridique": categorie}})
    return out


@flow(name="enrichissement-rgpd", log_prints=True)
@flux_mesure()
def enrichissement_rgpd_flow() -> dict:
    acteurs = [a for a in acteurs_lire() if a["nom"] and (len(a["siren"]) == 9 or len(a["siret"]) == 14)]
    unites, etablissements = sirene_lire(sorted({a["siren"] or a["siret"][:9] for a in acteurs}),
                                         sorted({a["siret"] for a in acteurs if a["siret"]}))
    return cohorte_ecrire(FLUX, run_id_courant(), quote(propositions_rgpd(acteurs, unites, etablissements, libelles_naf())))


if __name__ == "__main__":
    enrichissement_rgpd_flow()
