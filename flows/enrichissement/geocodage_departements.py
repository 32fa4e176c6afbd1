"""Flow: the geocoding enrichment split by département — one flow run of the deployment
`enrichissement-geocodage` (parameter `departement`) per département having acteurs to geocode,
run in parallel by the workers of the pool (`flows/partage.py`: a part whose worker died is run
again). Each part writes its own cohort of suggestions (one per département, for staff)."""

from __future__ import annotations

from prefect import flow, task

from flows.enrichissement.commun import acteurs_lire
from flows.enrichissement.geocodage import a_geocoder, departement_de
from flows.partage import limites_creer, parties_executer
from geoapp.exploitation.observabilite import flux_mesure

DEPLOIEMENT = "enrichissement-geocodage/enrichissement-geocodage"


def departements_a_geocoder(acteurs: list[dict]) -> list[str]:
    """Pure: the départements of the acteurs to geocode, the largest first (they finish last)."""
    comptes: dict[str, int] = {}
    for acteur in acteurs:
        if a_geocoder(acteur):
            d = departement_de(acteur["code_postal"])
            comptes[d] = comptes.get(d, 0) + 1
    return sorted(comptes, key=lambda d: (-comptes[d], d))


@task(name="lister les départements à géocoder")
def departements_lister() -> list[str]:
    return departements_a_geocoder(acteurs_lire.fn())


@flow(name="enrichissement-geocodage-departements", log_prints=True)
@flux_mesure()
def enrichissement_geocodage_departements_flow(deploiement: str = DEPLOIEMENT, tentatives: int = 3,
                                               intervalle: float = 2.0) -> dict:
    creees = limites_creer()
    if creees:
        print(f"limites de concurrence créées : {creees}")
    departements = departements_lister()
    print(f"{len(departements)} départements : {departements}")
    parts = parties_executer(deploiement=deploiement, parametres=[{"departement": d} for d in departements],
                             tentatives=tentatives, intervalle=intervalle)
    echecs = {nom: p for nom, p in parts.items() if p["etat"] != "COMPLETED"}
    if echecs:
        raise RuntimeError(f"parties en échec : {echecs}")
    return parts


if __name__ == "__main__":
    enrichissement_geocodage_departements_flow()
