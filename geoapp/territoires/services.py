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


# A GeoJSON geometry → a valid MultiPolygon in EPSG:4326.
_GEOM = multipolygone_valide("ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326)")


def _upsert(table: str, columns: list[str], rows: list[dict], *, geometry: bool) -> int:
    """INSERT … ON CONFLICT (code) DO UPDATE, writing only rows that differ. Returns rows written."""
    cols = columns + (["geom"] if geometry else [])
    values = ", ".join(["%s"] * len(columns) + ([f"CASE WHEN %s::text IS NULL THEN NULL ELSE {_GEOM} END"] if geometry else []))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c != "code")
    differs = " OR ".join(f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in cols if c not in ("code", "geom"))
    if geometry:
        differs += f" OR NOT ST_OrderingEquals(COALESCE({table}.geom, 'MULTIPOLYGON EMPTY'::geometry), COALESCE(EXCLUDED.geom, 'MULTIPOLYGON EMPTY'::geometry))"
    statement = (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({values}) "
                 f"ON CONFLICT (code) DO UPDATE SET {updates} WHERE {differs} RETURNING 1")
    params = [[r[c] for c in columns] + ([r["geojson"], r["geojson"]] if geometry else []) for r in rows]
    written = 0
    with connection.cursor() as cursor:
        for p in params:
            cursor.execute(statement, p)
            written += cursor.rowcount
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
