"""Flow: geocode (offline geocoder over the cloned BAN, in batch) the active acteurs without a
location or whose address changed since their last geocoding. Every answer is kept
(GeocodageActeur: score, BAN id, type, backend); at or above the score threshold the position is
proposed, under it there is no precise location and the acteur is flagged."""

from __future__ import annotations

from prefect import flow, task

from flows.enrichissement.commun import acteurs_lire, changement, cohorte_ecrire, run_id_courant

FLUX = "enrichissement-geocodage"


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
    from geoapp.geocodage.services import geocodage_acteur_enregistrer

    geocodeur = geocodeur_par_defaut()
    adresses = [adresse_texte(a) for a in acteurs]
    resultats = geocodeur.geocoder_lot(adresses=adresses) if adresses else []
    propositions = []
    for acteur, adresse, resultat in zip(acteurs, adresses, resultats):
        geocodage = geocodage_acteur_enregistrer(acteur_id=acteur["identifiant_unique"], adresse=adresse,
                                                 backend=geocodeur.nom, resultat=resultat)
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
def enrichissement_geocodage_flow() -> dict:
    acteurs = [a for a in acteurs_lire() if a_geocoder(a)]
    print(f"{len(acteurs)} acteurs à géocoder")
    return cohorte_ecrire(FLUX, run_id_courant(), geocoder(acteurs))


if __name__ == "__main__":
    enrichissement_geocodage_flow()
