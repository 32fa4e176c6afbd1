"""Apply the warehouse's SQL migrations (flows/warehouse/migrations/NNNN_name.sql) in order, each
once, each in its own transaction. Run: `python -m flows.warehouse.migrate`."""

from __future__ import annotations

import sys
from pathlib import Path

import flows  # noqa: F401  (Django settings)
from geoapp.common.databases import warehouse_connect

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def pending_migrations(applied: set[str], directory: Path = MIGRATIONS_DIR) -> list[Path]:
    return [p for p in sorted(directory.glob("[0-9][0-9][0-9][0-9]_*.sql")) if p.stem not in applied]


def warehouse_migrate() -> list[str]:
    with warehouse_connect(autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('warehouse_migrate'))")
        conn.execute("CREATE SCHEMA IF NOT EXISTS meta")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS meta.schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        applied = {row[0] for row in conn.execute("SELECT name FROM meta.schema_migration")}
        done = []
        for path in pending_migrations(applied):
            with conn.transaction():
                conn.execute(path.read_text(encoding="utf-8"))
                conn.execute("INSERT INTO meta.schema_migration (name) VALUES (%s)", [path.stem])
            done.append(path.stem)
        conn.execute("SELECT pg_advisory_unlock(hashtext('warehouse_migrate'))")
        return done

if __name__ == "__main__":
    applied = warehouse_migrate()
    print(f"warehouse: {len(applied)} migration(s) applied" + (f": {', '.join(applied)}" if applied else ""), file=sys.stderr)
