"""Flow: city names checked against the communes of the acteur's postal code (La Poste, INSEE
names): typos corrected, former communes merged since (INSEE) replaced by the new one; postal
codes normalised ("75 011", a lost leading zero, "CEDEX")."""

from __future__ import annotations

from prefect import flow, task
from prefect.utilities.annotations import quote

from flows.enrichissement.commun import (
    acteurs_lire, changement, cohorte_ecrire, communes_par_code_postal, reference_lire, run_id_courant,
)
from flows.enrichissement.regles import code_postal_normaliser, ville_corriger
from geoapp.geocodage.normalisation import normaliser
from geoapp.exploitation.observabilite import flux_mesure

FLUX = "enrichissement-villes"


@task(name="lire La Poste et les communes fusionnées (INSEE)")
def referentiels_lire() -> tuple[dict, dict]:
    """(postal code → communes, postal code → {former commune's normalised name → (code, name)})."""
    par_cp = communes_par_code_postal()
    fusions: dict[str, dict[str, tuple[str, str]]] = {}
    rows = reference_lire("""SELECT d.nom, n.code, n.nom, n.codes_postaux FROM reference.insee_commune d
                             JOIN reference.insee_commune n ON n.code = d.commune_parente AND n.type = 'commune-actuelle'
                             WHERE d.type IN ('commune-deleguee', 'commune-associee') AND d.code <> n.code""")
    for ancien, code, nom, codes_postaux in rows:
        for cp in codes_postaux or []:
            fusions.setdefault(cp, {})[normaliser(ancien)] = (code, nom)
    return par_cp, fusions


def propositions_villes(acteurs: list[dict], par_cp: dict, fusions: dict) -> list[dict]:
    """Pure: the proposals of the city / postal code rules for these acteurs."""
    out = []
    for acteur in acteurs:
        cp = code_postal_normaliser(acteur["code_postal"])
        changes = changement(acteur, "code_postal", cp)
        raison = None
        if acteur["ville"]:
            decision = ville_corriger(ville=acteur["ville"], code_postal=cp, communes_par_cp=par_cp,
                                      fusions=fusions.get(cp or ""))
            if decision.nom:
                changes.update(changement(acteur, "ville", decision.nom))
                raison = decision.raison
        if changes:
            out.append({"identifiant_unique": acteur["identifiant_unique"], "changements": changes,
                        "contexte": {"raison_ville": raison} if raison else {}})
    return out


@flow(name="enrichissement-villes", log_prints=True)
@flux_mesure()
def enrichissement_villes_flow() -> dict:
    acteurs = [a for a in acteurs_lire() if a["code_postal"] or a["ville"]]
    par_cp, fusions = referentiels_lire()
    return cohorte_ecrire(FLUX, run_id_courant(), quote(propositions_villes(acteurs, par_cp, fusions)))


if __name__ == "__main__":
    enrichissement_villes_flow()
