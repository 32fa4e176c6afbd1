"""Per-component database roles (scripts/db_bootstrap.py): the web app's read-only `warehouse`
alias connects as a role that may read the warehouse's reference schema and nothing else."""

from __future__ import annotations

import secrets
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from scripts.db_bootstrap import roles_ensure


def url(info: dict, *, user: str | None = None, password: str | None = None, dbname: str | None = None) -> str:
    user = user or info["user"]
    password = password if password is not None else (info.get("password") or "")
    return (f"postgresql://{quote(user)}:{quote(password)}@{info['host']}:{info['port']}/"
            f"{dbname or info['dbname']}")


@pytest.fixture
def lecture(warehouse):
    """A read-only role of this test warehouse's own (roles are cluster-wide), dropped afterwards."""
    role = f"{warehouse['dbname']}_lecture"[:63]
    password = secrets.token_urlsafe(16)
    with psycopg.connect(**warehouse, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS reference.essai_avant (n int)")  # before the grants
        conn.execute("INSERT INTO reference.essai_avant VALUES (1)")
    roles_ensure(admin_url=url(warehouse, dbname="postgres"), webapp_url=url(warehouse),
                 warehouse_url=url(warehouse), lecture_url=url(warehouse, user=role, password=password))
    with psycopg.connect(**warehouse, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS reference.essai_apres (n int)")  # a later clone
    yield {**warehouse, "user": role, "password": password}
    with psycopg.connect(**warehouse, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS reference.essai_avant, reference.essai_apres")
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO PUBLIC").format(sql.Identifier(warehouse["dbname"])))


def test_the_read_only_role_reads_the_reference_schema_and_cannot_write(lecture):
    with psycopg.connect(**lecture, autocommit=True) as conn:
        assert conn.execute("SELECT n FROM reference.essai_avant").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM reference.essai_apres").fetchone() == (0,)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("INSERT INTO reference.essai_avant VALUES (2)")
        conn.execute("SET default_transaction_read_only = off")  # even so, no privilege to write
        for statement in ("INSERT INTO reference.essai_avant VALUES (2)", "DELETE FROM reference.essai_apres",
                          "CREATE TABLE reference.intrus (n int)", "CREATE TABLE public.intrus (n int)",
                          "SELECT count(*) FROM raw.source_payload", "DROP TABLE reference.essai_avant"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
