"""Geocoding of source rows that come without coordinates (the pharmacies): by batch, through the
BAN geocoding API's `/search/csv/` (geoapp.geocodage's client), with a cache in the warehouse
keyed by the normalised address: a re-run does not geocode again what it asked less than
`SOURCES_GEOCODAGE_CACHE_JOURS` days ago (the BAN changes: an older answer is asked again)."""

from __future__ import annotations

import logging
from typing import Callable

from psycopg.types.json import Jsonb

from geoapp.common.databases import warehouse_connect
from geoapp.geocodage.resultats import Resultat
from geoapp.geocodage.normalisation import normaliser

log = logging.getLogger(__name__)


def reponse_geojson(resultat: Resultat | None) -> dict:
    """Pure: the answer of `/search/` for one address (what the archive keeps per request)."""
    return {"type": "FeatureCollection", "features": [resultat.feature()] if resultat else []}


def geocoder_avec_cache(requetes: list[str], *, geocoder_lot: Callable[[list[str]], list[Resultat | None]],
                        lot: int = 5000, duree_jours: float | None = None) -> dict[str, dict]:
    """Each request → the geocoder's answer; addresses in the cache (same normalised text)
    geocoded less than `duree_jours` ago (default: the setting) are not sent again; the others go
    by batches of `lot`, and join (or refresh) the cache."""
    if duree_jours is None:
        from django.conf import settings

        duree_jours = settings.SOURCES_GEOCODAGE_CACHE_JOURS
    cles = {q: normaliser(q) for q in requetes}
    with warehouse_connect() as conn:
        rows = conn.execute("SELECT adresse_normalisee, reponse FROM staging.source_geocodage "
                            "WHERE adresse_normalisee = ANY(%s) AND geocode_le > now() - make_interval(secs => %s)",
                            [sorted(set(cles.values())), float(duree_jours) * 86400]).fetchall()
    cache = {cle: reponse for cle, reponse in rows}
    a_geocoder = sorted({cle: q for q, cle in cles.items() if cle not in cache}.items())
    for i in range(0, len(a_geocoder), lot):
        chunk = a_geocoder[i:i + lot]
        resultats = geocoder_lot([q for _, q in chunk])
        nouvelles = {cle: reponse_geojson(r) for (cle, _), r in zip(chunk, resultats)}
        with warehouse_connect() as conn:
            with conn.cursor() as cur:
                cur.executemany("""INSERT INTO staging.source_geocodage (adresse_normalisee, reponse) VALUES (%s, %s)
                                   ON CONFLICT (adresse_normalisee) DO UPDATE SET reponse = EXCLUDED.reponse,
                                   geocode_le = now()""", [(cle, Jsonb(r)) for cle, r in nouvelles.items()])
        cache.update(nouvelles)
        log.info("géocodage : %d/%d adresses envoyées au géocodeur", i + len(chunk), len(a_geocoder))
    log.info("géocodage : %d adresses, %d déjà connues", len(cles), len(cles) - len(a_geocoder))
    return {q: cache[cle] for q, cle in cles.items()}


def geocodeur_ban(*, search_url: str, timeout: float, debit_par_hote: float = 0.0):
    """The BAN API client for the `/search/` URL of the settings (its batch endpoint is beside)."""
    from geoapp.geocodage.ban_api import GeocodeurBanApi

    base = search_url.rstrip("/").removesuffix("/search")
    return GeocodeurBanApi(base_url=base, timeout=timeout, debit_par_hote=debit_par_hote)
