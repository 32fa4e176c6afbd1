"""Writes: an acteur's geocoding."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

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
                                  seuil: float | None = None) -> list[GeocodageActeur]:
    """`geocodage_acteur_enregistrer` for many acteurs ((acteur_id, adresse, resultat) each, one
    line per acteur), in their order: the rows are COPYed into a temporary table, then upserted by
    one statement (`_geocodages_copier`)."""
    seuil = settings.GEOCODAGE_SCORE_MIN if seuil is None else seuil
    maintenant = timezone.now()
    geocodages = [GeocodageActeur(acteur_id=acteur_id, geocode_le=maintenant,
                                  **_valeurs(adresse=adresse, backend=backend, resultat=resultat, seuil=seuil))
                  for acteur_id, adresse, resultat in lignes]
    _geocodages_copier(geocodages)
    return geocodages


def _geocodages_copier(geocodages: list[GeocodageActeur]) -> None:
    """Upsert by COPY: ~7 times the rows per second of `bulk_create(update_conflicts=True)`, whose
    time went into building and parsing one statement of 2,000 × 10 parameters per batch. The
    check constraints are those of the table (the temporary one has none)."""
    champs = [GeocodageActeur._meta.get_field(c) for c in ("acteur", *GEOCODAGE_CHAMPS)]
    table, copie = sql.Identifier(GeocodageActeur._meta.db_table), sql.Identifier("geocodage_copie")
    colonnes = sql.SQL(", ").join(sql.Identifier(f.column) for f in champs)
    creer = sql.SQL("CREATE TEMPORARY TABLE {copie} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP").format(
        copie=copie, table=table)
    copier = sql.SQL("COPY {copie} ({colonnes}) FROM STDIN").format(copie=copie, colonnes=colonnes)
    remplacer = sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(f.column))
                                   for f in champs[1:])
    inserer = sql.SQL("INSERT INTO {table} ({colonnes}) SELECT {colonnes} FROM {copie} "
                      "ON CONFLICT ({cle}) DO UPDATE SET {remplacer}").format(
        table=table, colonnes=colonnes, copie=copie, cle=sql.Identifier(champs[0].column), remplacer=remplacer)
    with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:  # Django's errors
        brut = cursor.cursor  # psycopg's, for COPY and the composed statements as they are
        brut.execute(sql.SQL("DROP TABLE IF EXISTS {copie}").format(copie=copie))  # a caller's transaction
        brut.execute(creer)
        with brut.copy(copier) as flux:
            for g in geocodages:
                flux.write_row([_copiable(getattr(g, f.attname)) for f in champs])
        brut.execute(inserer)


def _copiable(valeur):
    """A value as COPY takes it: a point as hex EWKB (exact), anything else as it is."""
    return valeur.hexewkb.decode() if isinstance(valeur, Point) else valeur


def geocodage_acteur_geocoder(*, acteur_id: str, geocodeur: Geocodeur, seuil: float | None = None) -> GeocodageActeur:
    acteur = Acteur.objects.get(pk=acteur_id)
    adresse = acteur_adresse_texte(acteur=acteur)
    found = geocodeur.rechercher(q=adresse, limit=1) if len(adresse) >= 3 else []
    return geocodage_acteur_enregistrer(acteur_id=acteur_id, adresse=adresse, backend=geocodeur.nom,
                                        resultat=found[0] if found else None, seuil=seuil)
