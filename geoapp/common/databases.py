"""Plumbing between the three databases: the warehouse connection, the postgres_fdw servers that
link the web app and the warehouse both ways, and the atomic swap of a web app table."""

from __future__ import annotations

import hashlib
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import unquote, urlsplit

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from psycopg import sql

WEBAPP_SERVER = "webapp_server"  # in the warehouse, pointing at the web app's database
WEBAPP_SCHEMA = "webapp"  # in the warehouse: foreign tables of the web app
WAREHOUSE_SERVER = "warehouse_server"  # in the web app, pointing at the warehouse
WAREHOUSE_SCHEMA = "warehouse"  # in the web app: foreign tables of the warehouse's `displayed` schema


def conninfo_from_url(url: str) -> dict:
    parts = urlsplit(re.sub(r"^[a-z0-9+]+://", "postgresql://", url))
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": str(parts.port or 5432),
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password) if parts.password else None,
        "dbname": parts.path.lstrip("/"),
    }


# Where the flows read the warehouse's URL first (flows/__init__.py sets it to the Prefect block's
# reader, flows/connecteur.py); None or an answer None: WAREHOUSE_DATABASE_URL.
warehouse_url_fournisseur: Callable[[], str | None] | None = None


def warehouse_conninfo() -> dict:
    url = warehouse_url_fournisseur() if warehouse_url_fournisseur else None
    return conninfo_from_url(url or settings.WAREHOUSE_DATABASE_URL)


@contextmanager
def warehouse_connect(*, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    info = {k: v for k, v in warehouse_conninfo().items() if v is not None}
    with psycopg.connect(**info, autocommit=autocommit, connect_timeout=10) as conn:
        yield conn


# Settings of the transactions that compute or publish in bulk (the server's defaults suit the web
# requests): sorts, hashes and index builds in memory, temp tables cached (`temp_buffers` only
# counts before the session's first temp table). All SET LOCAL: they end with the transaction.
# JIT stays on: at 500,000 acteurs the displayed build takes 37 s with it and 64 s without (its
# ~2 s of compilation only outweigh the gain below ~100,000).
BULK_SETTINGS = {"work_mem": "64MB", "maintenance_work_mem": "256MB", "temp_buffers": "256MB"}


def bulk_settings_sql(*, temp_buffers: bool = False) -> list[str]:
    """The `SET LOCAL` statements of BULK_SETTINGS (`temp_buffers`: only where the session has not
    used a temp table yet)."""
    return [f"SET LOCAL {k} = '{v}'" for k, v in BULK_SETTINGS.items() if temp_buffers or k != "temp_buffers"]


def webapp_conninfo() -> dict:
    """The web app's database as Django uses it now (under tests: the `test_` database)."""
    s = connection.settings_dict
    return {
        "host": s.get("HOST") or "127.0.0.1",
        "port": str(s.get("PORT") or 5432),
        "user": s.get("USER") or "postgres",
        "password": s.get("PASSWORD") or None,
        "dbname": s["NAME"],
    }


def _server_statements(*, server: str, target: dict, host: str, port: str) -> list[sql.Composable]:
    options = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(k), sql.Literal(v))
        for k, v in {"host": host or target["host"], "port": port or target["port"], "dbname": target["dbname"],
                     "fetch_size": "20000"}.items()
    )
    mapping = {"user": target["user"], **({"password": target["password"]} if target["password"] else {})}
    mapping_options = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(k), sql.Literal(v)) for k, v in mapping.items()
    )
    return [
        sql.SQL("CREATE EXTENSION IF NOT EXISTS postgres_fdw"),
        sql.SQL("DROP SERVER IF EXISTS {} CASCADE").format(sql.Identifier(server)),
        sql.SQL("CREATE SERVER {} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ({})").format(sql.Identifier(server), options),
        sql.SQL("CREATE USER MAPPING FOR CURRENT_USER SERVER {} OPTIONS ({})").format(sql.Identifier(server), mapping_options),
    ]


def _import_statements(*, server: str, remote_schema: str, local_schema: str, tables: list[str] | None) -> list[sql.Composable]:
    limit = (
        sql.SQL(" LIMIT TO ({})").format(sql.SQL(", ").join(map(sql.Identifier, tables))) if tables else sql.SQL("")
    )
    return [
        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(local_schema)),
        sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(local_schema)),
        sql.SQL("IMPORT FOREIGN SCHEMA {}{} FROM SERVER {} INTO {}").format(
            sql.Identifier(remote_schema), limit, sql.Identifier(server), sql.Identifier(local_schema)
        ),
    ]


def fdw_configure_warehouse(*, webapp_tables: list[str], conn: psycopg.Connection | None = None) -> None:
    """In the warehouse: a server pointing at the web app and its tables as foreign tables in
    schema `webapp`. Recreated each time (cheap), so it always follows the web app's schema.
    Pass `conn` to do it inside the caller's transaction (and under its lock)."""
    statements = _server_statements(
        server=WEBAPP_SERVER, target=webapp_conninfo(),
        host=settings.FDW_WEBAPP_HOST, port=settings.FDW_WEBAPP_PORT,
    ) + _import_statements(server=WEBAPP_SERVER, remote_schema="public", local_schema=WEBAPP_SCHEMA, tables=webapp_tables)
    if conn is not None:
        for statement in statements:
            conn.execute(statement)
        return
    with warehouse_connect() as own:
        own.execute("SELECT pg_advisory_xact_lock(hashtext('fdw_configure_warehouse'))")
        for statement in statements:
            own.execute(statement)


def fdw_configure_webapp(*, remote_schema: str = "displayed", server: str = WAREHOUSE_SERVER,
                         local_schema: str = WAREHOUSE_SCHEMA, tables: list[str] | None = None) -> None:
    """In the web app: a server pointing at the warehouse and a warehouse schema (`displayed` by
    default) imported as foreign tables in `local_schema` (`warehouse` by default). Recreated
    each time, one at a time per server."""
    statements = _server_statements(
        server=server, target=warehouse_conninfo(),
        host=settings.FDW_WAREHOUSE_HOST, port=settings.FDW_WAREHOUSE_PORT,
    ) + _import_statements(server=server, remote_schema=remote_schema, local_schema=local_schema, tables=tables)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"fdw_configure_webapp:{server}"])
        for statement in statements:
            cursor.execute(statement.as_string(cursor.connection))


def _swap_name(name: str) -> str:
    return "swap_" + hashlib.md5(name.encode()).hexdigest()[:24]


def warehouse_copy_into(*, cursor, query: str, table: str, columns: list[str]) -> int:
    """Stream the rows of warehouse `query` (its columns in the order of `columns`) into web app
    table `table` with a binary COPY, through the web app `cursor` (Django's, in its transaction).
    Values are cast in the warehouse to the web app columns' types (binary arrays carry their
    element type). Faster than an INSERT … SELECT through postgres_fdw, which moves rows as text and
    parses each value again. Returns the number of rows copied."""
    cursor.execute(
        """SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
           WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped""", [table.strip('"')])
    types = dict(cursor.fetchall())
    q = connection.ops.quote_name
    select = ", ".join(f"{q(c)}::{types[c]}" for c in columns)
    names = ", ".join(q(c) for c in columns)
    with warehouse_connect() as warehouse, \
            warehouse.cursor().copy(f"COPY (SELECT {select} FROM ({query}) s) TO STDOUT (FORMAT BINARY)") as source, \
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as target:
        for block in source:
            target.write(block)
    return cursor.cursor.rowcount


@dataclass(frozen=True)
class TableCopie:
    """A filled and indexed copy of a web app table, built in the caller's transaction and not yet
    swapped in (`table_build`, then `tables_swap_in`)."""

    table: str  # the live table
    new: str  # the copy, quoted
    rows: int  # rows written into it
    constraints: tuple[tuple[str, str], ...]  # the live table's (name, definition), given to the copy
    indexes: tuple[tuple[str, str], ...]


# A swap waits for its ACCESS EXCLUSIVE lock at most SWAP_LOCK_TIMEOUT_MS (every reader arriving
# meanwhile queues behind the waiting lock), then lets readers through and tries again, up to
# SWAP_ATTEMPTS times (pauses growing to SWAP_PAUSE_MAX_S: about a minute in all). Once granted,
# the lock is held for the renames alone: milliseconds.
SWAP_LOCK_TIMEOUT_MS = 200
SWAP_ATTEMPTS = 60
SWAP_PAUSE_MAX_S = 1.0
LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED = "55P03", "40P01"


def table_build(*, cursor, table: str, fill_sql: str | None = None, params: list | None = None,
                fill: Callable[[Any, str], int] | None = None) -> TableCopie:
    """In the caller's transaction (`cursor`: Django's), a copy of web app table `table` (`LIKE`:
    defaults, check constraints, generated columns) filled by `fill_sql` (which inserts into
    `{new}`) or by `fill(cursor, new)` (which returns the rows it wrote), given the live table's
    unique / primary / exclusion constraints and indexes under temporary names, and analysed.
    Nothing here takes a lock a reader of `table` would wait on: readers go on reading the live
    table, however long the build. One build per table at a time (an advisory lock, held until
    the transaction ends)."""
    q = connection.ops.quote_name
    new = q(f"{table}__new")
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"table_swap:{table}"])
    cursor.execute(f"DROP TABLE IF EXISTS {new}")
    cursor.execute(f"CREATE TABLE {new} (LIKE {q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)")
    if fill is not None:
        rows = fill(cursor, new)
    else:
        cursor.execute(fill_sql.format(new=new), params or [])
        rows = cursor.rowcount
    cursor.execute(
        """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u', 'x') ORDER BY c.conname""", [table])
    constraints = tuple(cursor.fetchall())
    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = %s::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
           ORDER BY i.relname""", [table])
    indexes = tuple(cursor.fetchall())
    for name, definition in constraints:
        cursor.execute(f"ALTER TABLE {new} ADD CONSTRAINT {q(_swap_name(name))} {definition}")
    for name, definition in indexes:
        head = re.match(r"^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ ", definition)
        if head is None:
            raise RuntimeError(f"index definition not understood: {definition}")
        cursor.execute(f"CREATE {head.group(1) or ''}INDEX {q(_swap_name(name))} ON {new} " + definition[head.end():])
    cursor.execute(f"ANALYZE {new}")
    return TableCopie(table=table, new=new, rows=rows, constraints=constraints, indexes=indexes)


def _lock_refused(error: DatabaseError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in (LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED)


def tables_swap_in(*, cursor, copies: list[TableCopie], lock_timeout_ms: int | None = None,
                   attempts: int | None = None) -> None:
    """Rename each built copy over its live table (the old one dropped; constraints and indexes
    take back their names, those of Django's migrations), all or none, in the caller's
    transaction: readers see every old table until its commit, every new one after. The tables'
    ACCESS EXCLUSIVE locks are asked with a `lock_timeout` of `lock_timeout_ms`; refused (a long
    reader holds a table), the attempt is rolled back to its savepoint and tried again after a
    pause, `attempts` times at most, then the error is raised (the live tables untouched).
    The locks, once granted, are held until the caller's commit: commit soon after.
    Defaults: SWAP_LOCK_TIMEOUT_MS, SWAP_ATTEMPTS."""
    q = connection.ops.quote_name
    lock_timeout_ms = SWAP_LOCK_TIMEOUT_MS if lock_timeout_ms is None else lock_timeout_ms
    attempts = SWAP_ATTEMPTS if attempts is None else attempts
    cursor.execute("SELECT current_setting('lock_timeout')")
    previous = cursor.fetchone()[0]
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(lock_timeout_ms)}ms"])
                cursor.execute("LOCK TABLE " + ", ".join(q(c.table) for c in copies) + " IN ACCESS EXCLUSIVE MODE")
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
                for c in copies:
                    old = q(f"{c.table}__old")
                    cursor.execute(f"ALTER TABLE {q(c.table)} RENAME TO {old}")
                    cursor.execute(f"ALTER TABLE {c.new} RENAME TO {q(c.table)}")
                    cursor.execute(f"DROP TABLE {old}")
                    for name, _ in c.constraints:
                        cursor.execute(f"ALTER TABLE {q(c.table)} RENAME CONSTRAINT {q(_swap_name(name))} TO {q(name)}")
                    for name, _ in c.indexes:
                        cursor.execute(f"ALTER INDEX {q(_swap_name(name))} RENAME TO {q(name)}")
            return
        except DatabaseError as error:
            if not _lock_refused(error) or attempt == attempts:
                raise
            time.sleep(min(SWAP_PAUSE_MAX_S, 0.05 * attempt))


def table_swap(*, table: str, fill_sql: str | None = None, params: list | None = None,
               fill: Callable[[Any, str], int] | None = None) -> int:
    """Replace the rows of web app table `table` by those `fill_sql` inserts into `{new}` (or that
    `fill(cursor, new)` writes into table `new` and counts), in one transaction: a copy of the
    table is filled and indexed with no lock on the live table (`table_build`), then renamed over
    it under a lock held for milliseconds (`tables_swap_in`). A reader sees the old table until the
    commit and the new one after; never a half-built one, and it never waits on the build.
    Constraints and indexes keep their names (Django's migrations stay in step). Returns the
    number of rows written."""
    with transaction.atomic(), connection.cursor() as cursor:
        copy = table_build(cursor=cursor, table=table, fill_sql=fill_sql, params=params, fill=fill)
        tables_swap_in(cursor=cursor, copies=[copy])
    return copy.rows
