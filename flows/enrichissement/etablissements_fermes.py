"""Flow: acteurs whose SIRET is closed in SIRENE → the successor of the establishment
(StockEtablissementLiensSuccession), else another open SIRET of the same SIREN, else the acteur
is proposed inactive."""

from __future__ import annotations

from prefect import flow, task
from prefect.utilities.annotations import quote

from flows.enrichissement.commun import acteurs_lire, changement, cohorte_ecrire, reference_lire, run_id_courant
from flows.enrichissement.regles import Etablissement, etablissement_ferme_resoudre
from geoapp.exploitation.observabilite import flux_mesure

FLUX = "enrichissement-etablissements-fermes"


@task(name="lire SIRENE (établissements des SIREN, successions)")
def sirene_lire(sirets: list[str]) -> tuple[dict[str, list], list[list[str]]]:
    successions = reference_lire(
        """SELECT siretetablissementpredecesseur, siretetablissementsuccesseur, dateliensuccession
           FROM reference.sirene_lien_succession WHERE siretetablissementpredecesseur = ANY(%(s)s)""",
        {"s": sirets})
    rows = reference_lire(
        """SELECT siret, etatadministratifetablissement, codepostaletablissement, etablissementsiege = 'true'
           FROM reference.sirene_etablissement
           WHERE siren = ANY(%(sirens)s) OR siret = ANY(%(successeurs)s)""",
        {"sirens": sorted({s[:9] for s in sirets}), "successeurs": sorted({r[1] for r in successions})})
    return {r[0]: list(r) for r in rows}, [list(s) for s in successions]


def propositions_fermes(acteurs: list[dict], etablissements: dict[str, list],
                        successions: list[list[str]]) -> list[dict]:
    """Pure: the proposals of the closed-establishment rule for these acteurs."""
    etabs = {s: Etablissement(siret=r[0], etat=r[1], code_postal=r[2] or "", siege=bool(r[3]))
             for s, r in etablissements.items()}
    links = [tuple(s) for s in successions]
    out = []
    for acteur in acteurs:
        decision = etablissement_ferme_resoudre(siret=acteur["siret"], etablissements=etabs, successions=links)
        if decision.action in ("successeur", "autre_siret"):
            changes = {**changement(acteur, "siret", decision.siret), **changement(acteur, "siren", decision.siret[:9])}
        elif decision.action == "inactif":
            changes = changement(acteur, "statut", "INACTIF")
        else:
            continue
        if changes:
            out.append({"identifiant_unique": acteur["identifiant_unique"], "changements": changes,
                        "contexte": {"decision": decision.action, "raison": decision.raison,
                                     "siret_ferme": acteur["siret"]}})
    return out


@flow(name="enrichissement-etablissements-fermes", log_prints=True)
@flux_mesure()
def enrichissement_etablissements_fermes_flow() -> dict:
    acteurs = [a for a in acteurs_lire() if len(a["siret"]) == 14 and a["siret"].isdigit()]
    etablissements, successions = sirene_lire(sorted({a["siret"] for a in acteurs}))
    return cohorte_ecrire(FLUX, run_id_courant(), quote(propositions_fermes(acteurs, etablissements, successions)))


if __name__ == "__main__":
    enrichissement_etablissements_fermes_flow()
