"""Suggestion groups and their change rows written by COPY, for every flow that writes a cohort
(sources, enrichments, deduplication). Model instances and `bulk_create` cost more than the
database's work: 20,000 groups of an enrichment with their changes took 3.6 s through the ORM.

JSON values are encoded by orjson (`geoapp.common.jsonb`); a Python `None` is SQL NULL, as the
ORM writes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection
from django.utils import timezone
from psycopg import sql

from geoapp.common.jsonb import jsonb

from .models import ChangementSuggestion, GroupeSuggestion


class GroupeACopier(NamedTuple):
    cohorte_id: int
    source: str
    identifiant_unique: str
    statut: str
    donnees: dict
    empreinte: str
    # (champ, ancienne valeur, nouvelle valeur); an ajout has none (its values are its `donnees`)
    changements: tuple[tuple[str, object, object], ...] = ()


_COLONNES_GROUPE = ("cohorte_id", "source_id", "identifiant_unique", "statut", "donnees", "empreinte", "message",
                    "modifie_le")
_COLONNES_CHANGEMENT = ("groupe_id", "champ", "ancienne_valeur", "nouvelle_valeur")


def _copie(table: str, colonnes: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("COPY {table} ({colonnes}) FROM STDIN").format(
        table=sql.Identifier(table), colonnes=sql.SQL(", ").join(map(sql.Identifier, colonnes)))


# a group's id by its cohort and acteur (unique: `groupe_cohorte_acteur_uniq`)
_IDS = sql.SQL("SELECT cohorte_id, identifiant_unique, id FROM {table} WHERE cohorte_id = ANY(%s)").format(
    table=sql.Identifier(GroupeSuggestion._meta.db_table))


def _json(valeur):
    return None if valeur is None else jsonb(valeur)


def groupes_copier(*, groupes: Iterable[GroupeACopier]) -> int:
    """Insert the groups, then the change rows of those that have some, in the caller's
    transaction; returns how many groups. The change rows find their group by (cohort, acteur)."""
    groupes = list(groupes)
    if not groupes:
        return 0
    maintenant = timezone.now()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        brut = cursor.cursor  # psycopg's, for COPY and the composed statements as they are
        with brut.copy(_copie(GroupeSuggestion._meta.db_table, _COLONNES_GROUPE)) as copie:
            for g in groupes:
                copie.write_row([g.cohorte_id, g.source, g.identifiant_unique, g.statut, jsonb(g.donnees),
                                 g.empreinte, "", maintenant])
        avec_changements = [g for g in groupes if g.changements]
        if not avec_changements:
            return len(groupes)
        brut.execute(_IDS, [sorted({g.cohorte_id for g in avec_changements})])
        ids = {(cohorte, ident): pk for cohorte, ident, pk in brut.fetchall()}
        with brut.copy(_copie(ChangementSuggestion._meta.db_table, _COLONNES_CHANGEMENT)) as copie:
            for g in avec_changements:
                pk = ids[(g.cohorte_id, g.identifiant_unique)]
                for champ, ancienne, nouvelle in g.changements:
                    copie.write_row([pk, champ, _json(ancienne), _json(nouvelle)])
    return len(groupes)
