"""Writes of administrative areas: the bundled-file loader of the tests' and benchmarks' fixtures
(here) and the publication from the clones (`clones.py`), which share the SQL pieces below."""

from __future__ import annotations

from pathlib import Path

from django.db import connection, transaction

from .contours import commune_rows, departement_rows, epci_rows
from .models import Commune, Departement, Epci


def multipolygone_valide(geometrie: str) -> str:
    """SQL: the geometry expression `geometrie` as a valid MultiPolygon (invalid rings repaired,
    polygons promoted, anything else dropped): what every contour table holds."""
    return f"ST_Multi(ST_CollectionExtract(ST_MakeValid({geometrie}), 3))"


def _upsert(table: str, columns: list[str], rows: list[dict], *, geometry: bool) -> int:
    """The rows COPYed into a temporary table, then one INSERT … ON CONFLICT (code) DO UPDATE
    writing only the rows that differ (of a code given twice, the last). Returns rows written."""
    cols = columns + (["geom"] if geometry else [])
    copied = columns + (["geojson"] if geometry else [])
    staging = f"_chargement_{table}"
    geom = f"CASE WHEN s.geojson IS NULL THEN NULL ELSE {multipolygone_valide('ST_SetSRID(ST_GeomFromGeoJSON(s.geojson), 4326)')} END"
    selected = ", ".join([f"s.{c}" for c in columns] + ([geom] if geometry else []))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c != "code")
    differs = " OR ".join(f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in cols if c not in ("code", "geom"))
    if geometry:
        differs += f" OR NOT ST_OrderingEquals(COALESCE({table}.geom, 'MULTIPOLYGON EMPTY'::geometry), COALESCE(EXCLUDED.geom, 'MULTIPOLYGON EMPTY'::geometry))"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(f"CREATE TEMP TABLE {staging} AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA")
        cursor.execute(f"ALTER TABLE {staging} ADD COLUMN n integer" + (", ADD COLUMN geojson text" if geometry else ""))
        with cursor.cursor.copy(f"COPY {staging} (n, {', '.join(copied)}) FROM STDIN") as copy:
            for n, r in enumerate(rows):
                copy.write_row([n] + [r[c] for c in copied])
        cursor.execute(f"INSERT INTO {table} ({', '.join(cols)}) "
                       f"SELECT {selected} FROM (SELECT DISTINCT ON (code) * FROM {staging} ORDER BY code, n DESC) s "
                       f"ON CONFLICT (code) DO UPDATE SET {updates} WHERE {differs}")
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {staging}")
    return written


@transaction.atomic
def territoire_load_bundled(*, geo_dir: Path) -> dict[str, int]:
    """Load départements, EPCI and communes (with contours where bundled) from `data/geo`.
    Idempotent: a second load writes nothing. EPCI contours are the union of their members'."""
    report = {
        "departements": _upsert(Departement._meta.db_table, ["code", "nom", "region"], departement_rows(geo_dir), geometry=True),
        "epci": _upsert(Epci._meta.db_table, ["code", "nom", "type", "population"], epci_rows(geo_dir), geometry=False),
        "communes": _upsert(
            Commune._meta.db_table,
            ["code", "nom", "type", "commune_parente", "departement", "epci_id", "codes_postaux", "population"],
            commune_rows(geo_dir), geometry=True,
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH u AS (
              SELECT c.epci_id AS code, {multipolygone_valide("ST_Union(c.geom)")} AS geom
              FROM {Commune._meta.db_table} c
              WHERE c.epci_id IS NOT NULL AND c.type = 'commune' AND c.geom IS NOT NULL
              GROUP BY c.epci_id)
            UPDATE {Epci._meta.db_table} e SET geom = u.geom FROM u
            WHERE e.code = u.code AND (e.geom IS NULL OR NOT ST_OrderingEquals(e.geom, u.geom))""")
        report["epci_contours"] = cursor.rowcount
    return report
