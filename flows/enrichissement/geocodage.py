"""Flow: geocode (offline geocoder over the cloned BAN, in batch) the active acteurs without a
location or whose address changed since their last geocoding. Every answer is kept
(GeocodageActeur: score, BAN id, type, backend); at or above the score threshold the position is
proposed, under it there is no precise location and the acteur is flagged.

With `departement` the run takes only that département's acteurs (of their postal code): the part
of `geocodage_departements.py`'s partitioned run, one flow run per département on the workers.
A part holds one slot of the global concurrency limit `base-de-donnees` while it reads (the
offline geocoder) and writes; each request to the BAN API takes a slot of its host's rate limit
(`api-data.geopf.fr`, `flows/partage.py`), shared by the parts of every worker."""

from __future__ import annotations

import re
from contextlib import nullcontext

from prefect import flow, task
from prefect.concurrency.sync import concurrency
from prefect.utilities.annotations import quote

from flows.enrichissement.commun import acteurs_lire, changement, cohorte_ecrire, run_id_courant
from flows.partage import LIMITE_BASE
from flows.progression import Progression
from geoapp.exploitation.observabilite import flux_mesure

FLUX = "enrichissement-geocodage"
LOT = 1000  # addresses per call of the geocoder (one request of the BAN API's /search/csv/)
SANS_DEPARTEMENT = "inconnu"  # the part of the acteurs without a valid postal code


def departement_de(code_postal: str | None) -> str:
    """Pure: the département of a postal code (2A / 2B in Corsica, 3 digits overseas), else
    `SANS_DEPARTEMENT`. A postal code names its département but for a few border communes,
    which does not matter here: the partition only has to be stable."""
    code = (code_postal or "").strip()
    if not re.fullmatch(r"\d{5}", code) or code.startswith("00"):
        return SANS_DEPARTEMENT
    if code.startswith("20"):
        return "2A" if code < "20200" else "2B"
    if code[:2] in ("97", "98"):
        return code[:3]
    return code[:2]


def code_postal_prefixe(departement: str | None) -> str | None:
    """Pure: the start of the postal codes of a département (what its part reads; `departement_de`
    then keeps its own), None for every acteur (no département, or those without one)."""
    if departement is None or departement == SANS_DEPARTEMENT:
        return None
    return "20" if departement in ("2A", "2B") else departement


def adresse_texte(acteur: dict) -> str:
    """Pure: the text geocoded for an acteur (what GeocodageActeur.adresse keeps)."""
    return " ".join(p for p in (acteur["adresse"], acteur["code_postal"], acteur["ville"]) if p).strip()[:512]


def a_geocoder(acteur: dict) -> bool:
    """Pure: an address changed since its last geocoding; or no location yet, unless this very
    address was already flagged (a found position not yet applied is geocoded again: its
    suggestion is not written twice, and a run killed before writing it loses nothing)."""
    adresse = adresse_texte(acteur)
    if len(adresse) < 3:
        return False
    if acteur["adresse_geocodee"] is None:
        return acteur["location"] is None
    if acteur["adresse_geocodee"] != adresse:
        return True
    return acteur["location"] is None and not acteur["geocodage_signale"]


@task(name="géocoder par lot et garder les réponses", retries=2, retry_delay_seconds=[10, 60])  # `ban_api`: network
def geocoder(acteurs: list[dict]) -> list[dict]:
    from django.conf import settings

    from geoapp.geocodage.geocodeurs import geocodeur_par_defaut
    from geoapp.geocodage.services import geocodage_acteurs_enregistrer

    geocodeur = geocodeur_par_defaut()
    adresses = [adresse_texte(a) for a in acteurs]
    par_api = settings.GEOCODAGE_BACKEND == "ban_api"
    resultats = []
    progression = Progression(cle="geocodage", description="Géocodage des adresses")
    # offline, the geocoder's reads are the database's work: one slot of `base-de-donnees` for the
    # part's reads and writes (taken per batch, 20 acquisitions cost 5 s of a 30 s part); through
    # the BAN API, the database's for the writes only (each request takes a slot of the API's
    # rate limit in the HTTP plumbing)
    with nullcontext() if par_api else concurrency(LIMITE_BASE, occupy=1):
        for debut in range(0, len(adresses), LOT):
            resultats += geocodeur.geocoder_lot(adresses=adresses[debut:debut + LOT])
            progression.avancer(len(resultats), len(adresses), "adresses géocodées")
        progression.terminer()
        with concurrency(LIMITE_BASE, occupy=1) if par_api else nullcontext():
            geocodages = geocodage_acteurs_enregistrer(
                lignes=[(a["identifiant_unique"], adresse, r) for a, adresse, r in zip(acteurs, adresses, resultats)],
                backend=geocodeur.nom)
    propositions = []
    for acteur, adresse, resultat, geocodage in zip(acteurs, adresses, resultats, geocodages):
        if geocodage.signale:
            continue
        location = [round(geocodage.location.x, 6), round(geocodage.location.y, 6)]
        changes = changement(acteur, "location", location)
        if changes:
            propositions.append({"identifiant_unique": acteur["identifiant_unique"], "changements": changes,
                                 "contexte": {"adresse": adresse, "label": resultat.label, "score": resultat.score,
                                              "ban_id": resultat.id, "type": resultat.type,
                                              "seuil": settings.GEOCODAGE_SCORE_MIN}})
    return propositions


@flow(name="enrichissement-geocodage", log_prints=True)
@flux_mesure(par="departement")
def enrichissement_geocodage_flow(departement: str | None = None) -> dict:
    acteurs = [a for a in acteurs_lire(code_postal_prefixe(departement)) if a_geocoder(a)
               and (departement is None or departement_de(a["code_postal"]) == departement)]
    print(f"{len(acteurs)} acteurs à géocoder" + (f" (département {departement})" if departement else ""))
    propositions = geocoder(quote(acteurs))  # quote: Prefect would walk 20,000 dicts for futures (25 s)
    with concurrency(LIMITE_BASE, occupy=1):
        return cohorte_ecrire(FLUX, run_id_courant(), quote(propositions))


if __name__ == "__main__":
    enrichissement_geocodage_flow()
