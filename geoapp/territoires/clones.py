"""Writes: the web app's départements, EPCI and communes from the clones of the warehouse
(decoupage-administratif + contours), through postgres_fdw, each table replaced with an atomic
swap (`geoapp.common.databases.table_swap`), the three in ONE transaction.

The foreign keys between them (and any other pointing at them) are dropped before the swaps and
recreated, with their names and definitions, after: a swap builds a copy with `LIKE`, which does
not carry foreign keys, and could not drop a table another one references."""

from __future__ import annotations

from django.db import connection, transaction

from geoapp.common.databases import fdw_configure_webapp, table_swap

from .contours import ARRONDISSEMENT, TYPES_COMMUNE
from .models import Commune, Departement, Epci
from .services import multipolygone_valide

SERVER = "warehouse_reference_server"
SCHEMA = "warehouse_reference"  # in the web app: foreign tables of the warehouse's `reference`
TABLES = ["insee_commune", "insee_epci", "insee_departement", "contour_commune", "contour_departement"]

# the commune's type as stored, from decoupage-administratif's (the types kept: TYPES_COMMUNE)
_TYPE = "CASE c.type " + " ".join(f"WHEN '{de}' THEN '{vers}'" for de, vers in TYPES_COMMUNE.items()) + " END"
_TYPES_GARDES = ", ".join(f"'{t}'" for t in TYPES_COMMUNE)


def fdw_configure_reference() -> None:
    """In the web app: the warehouse's cloned tables as foreign tables of schema `warehouse_reference`
    (own server, so that the `warehouse` schema of the displayed acteurs is untouched)."""
    fdw_configure_webapp(server=SERVER, remote_schema="reference", local_schema=SCHEMA, tables=TABLES)


def _foreign_keys(cursor, tables: list[str]) -> list[tuple[str, str, str]]:
    cursor.execute(
        """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           WHERE c.contype = 'f' AND (c.conrelid = ANY(%s::regclass[]) OR c.confrelid = ANY(%s::regclass[]))
           ORDER BY 1, 2""",
        [tables, tables],
    )
    return cursor.fetchall()


def territoires_publier_depuis_clones() -> dict[str, int]:
    """Replace départements, EPCI and communes by those of the clones. All or nothing."""
    fdw_configure_reference()
    dep, epci, com = Departement._meta.db_table, Epci._meta.db_table, Commune._meta.db_table
    q = connection.ops.quote_name
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pg_temp._contour_commune, pg_temp._epci_membre")
            cursor.execute(f"CREATE TEMP TABLE _contour_commune ON COMMIT DROP AS "
                           f"SELECT code, geom FROM {SCHEMA}.contour_commune")
            cursor.execute("CREATE INDEX ON _contour_commune (code)")
            cursor.execute(f"""CREATE TEMP TABLE _epci_membre ON COMMIT DROP AS
                               SELECT DISTINCT ON (m.commune) m.commune, e.code AS epci
                               FROM {SCHEMA}.insee_epci e CROSS JOIN LATERAL unnest(e.membres) AS m(commune)
                               ORDER BY m.commune, e.code""")
            foreign_keys = _foreign_keys(cursor, [dep, epci, com])
            for table, name, _ in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {q(name)}")
        report = {
            "departements": table_swap(table=dep, fill_sql=f"""
                INSERT INTO {{new}} (code, nom, region, geom)
                SELECT d.code, d.nom, coalesce(d.region, ''), {multipolygone_valide('c.geom')}
                FROM {SCHEMA}.insee_departement d
                LEFT JOIN {SCHEMA}.contour_departement c ON c.code = d.code"""),
            "epci": table_swap(table=epci, fill_sql=f"""
                INSERT INTO {{new}} (code, nom, type, population, geom)
                SELECT e.code, e.nom, coalesce(e.type, ''), e.population,
                       (SELECT {multipolygone_valide('ST_Union(c.geom)')} FROM _contour_commune c
                        WHERE c.code = ANY(e.membres))
                FROM {SCHEMA}.insee_epci e"""),
            "communes": table_swap(table=com, fill_sql=f"""
                INSERT INTO {{new}} (code, nom, type, commune_parente, departement, epci_id, codes_postaux,
                                     population, geom)
                SELECT c.code, c.nom,
                       {_TYPE},
                       CASE WHEN c.type = '{ARRONDISSEMENT}' THEN coalesce(c.commune_parente, '') ELSE '' END,
                       coalesce(c.departement, ''), m.epci, coalesce(c.codes_postaux, ARRAY[]::text[]), c.population,
                       {multipolygone_valide('g.geom')}
                FROM {SCHEMA}.insee_commune c
                LEFT JOIN _epci_membre m
                       ON m.commune = CASE WHEN c.type = '{ARRONDISSEMENT}' THEN c.commune_parente ELSE c.code END
                LEFT JOIN LATERAL (SELECT geom FROM _contour_commune g WHERE g.code = c.code LIMIT 1) g ON true
                WHERE c.type IN ({_TYPES_GARDES})"""),
        }
        with connection.cursor() as cursor:
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {q(name)} {definition}")
            cursor.execute("DROP TABLE pg_temp._contour_commune, pg_temp._epci_membre")
    return report


