"""Writes: an acteur's geocoding."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction

from geoapp.acteurs.models import Acteur

from .geocodeurs import Geocodeur
from .resultats import Resultat
from .models import GeocodageActeur


def acteur_adresse_texte(*, acteur: Acteur) -> str:
    return " ".join(p for p in (acteur.adresse, acteur.code_postal, acteur.ville) if p).strip()


@transaction.atomic
def geocodage_acteur_enregistrer(*, acteur_id: str, adresse: str, backend: str, resultat: Resultat | None,
                                 seuil: float | None = None) -> GeocodageActeur:
    """Keep what the geocoder answered for the acteur. Under `seuil` (GEOCODAGE_SCORE_MIN) or without
    an answer, no precise location: the acteur is flagged."""
    seuil = settings.GEOCODAGE_SCORE_MIN if seuil is None else seuil
    geocodage, _ = GeocodageActeur.objects.update_or_create(acteur_id=acteur_id, defaults=_valeurs(
        adresse=adresse, backend=backend, resultat=resultat, seuil=seuil))
    return geocodage


def _valeurs(*, adresse: str, backend: str, resultat: Resultat | None, seuil: float) -> dict:
    sur = resultat is not None and resultat.score >= seuil
    return {
        "adresse": adresse[:512],
        "backend": backend,
        "score": resultat.score if resultat else None,
        "ban_id": resultat.id if resultat else "",
        "type_resultat": resultat.type if resultat else "",
        "label": resultat.label[:512] if resultat else "",
        "location": Point(resultat.lon, resultat.lat, srid=4326) if sur else None,
        "signale": not sur,
    }


GEOCODAGE_CHAMPS = ["adresse", "backend", "score", "ban_id", "type_resultat", "label", "location", "signale",
                    "geocode_le"]


def geocodage_acteurs_enregistrer(*, lignes: list[tuple[str, str, Resultat | None]], backend: str,
                                  seuil: float | None = None, lot: int = 2000) -> list[GeocodageActeur]:
    """`geocodage_acteur_enregistrer` for many acteurs ((acteur_id, adresse, resultat) each), by
    upserts of `lot` rows (one statement each instead of two per acteur); in their order."""
    seuil = settings.GEOCODAGE_SCORE_MIN if seuil is None else seuil
    geocodages = [GeocodageActeur(acteur_id=acteur_id, **_valeurs(adresse=adresse, backend=backend,
                                                                  resultat=resultat, seuil=seuil))
                  for acteur_id, adresse, resultat in lignes]
    GeocodageActeur.objects.bulk_create(geocodages, batch_size=lot, update_conflicts=True, unique_fields=["acteur"],
                                        update_fields=GEOCODAGE_CHAMPS)
    return geocodages


def geocodage_acteur_geocoder(*, acteur_id: str, geocodeur: Geocodeur, seuil: float | None = None) -> GeocodageActeur:
    acteur = Acteur.objects.get(pk=acteur_id)
    adresse = acteur_adresse_texte(acteur=acteur)
    found = geocodeur.rechercher(q=adresse, limit=1) if len(adresse) >= 3 else []
    return geocodage_acteur_enregistrer(acteur_id=acteur_id, adresse=adresse, backend=geocodeur.nom,
                                        resultat=found[0] if found else None, seuil=seuil)
