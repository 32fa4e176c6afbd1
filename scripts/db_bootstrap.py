"""Create the databases and the extensions they need, if missing. Idempotent.

Reads DATABASE_URL, WAREHOUSE_DATABASE_URL and, when Prefect is to run on PostgreSQL,
PREFECT_API_DATABASE_CONNECTION_URL. With `--test`, also the `test_` warehouse of the test suite.

Per-component roles: when DATABASE_ADMIN_URL (a superuser, e.g. `postgres`) is set, it does the
creating, and the users of the other URLs become roles of their own with just what they need
(`roles_ensure`): the web app's (DATABASE_URL) owns the webapp database, the flows' (WAREHOUSE_DATABASE_URL)
owns the warehouse, the read-only one (WAREHOUSE_READONLY_DATABASE_URL, the web app's `warehouse`
alias) may only SELECT the warehouse's `reference` schema. Without it (the local default), every
URL is the `postgres` superuser's and no role is created.

When the local cluster refuses the password-less connection of a fresh Debian install
(peer / scram auth), the `postgres` role gets the password of the URL through the local socket.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

EXTENSIONS = ["postgis", "pg_trgm", "unaccent", "postgres_fdw"]


def conninfo(url: str, dbname: str | None = None) -> dict:
    p = urlsplit(url.replace("postgis://", "postgresql://", 1).replace("postgresql+asyncpg://", "postgresql://", 1))
    return {
        "host": p.hostname or "127.0.0.1",
        "port": p.port or 5432,
        "user": p.username or "postgres",
        "password": p.password or None,
        "dbname": dbname or p.path.lstrip("/"),
    }


def connect_admin(url: str) -> psycopg.Connection:
    info = conninfo(url, dbname="postgres")
    try:
        return psycopg.connect(**info, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        local = info["host"] in ("127.0.0.1", "localhost", "::1")
        if not (local and info["password"] and os.geteuid() == 0):
            raise
        # Fresh Debian cluster: set the role's password through the peer-authenticated socket.
        print(f"[setup] {exc.__class__.__name__}: giving role {info['user']} the URL's password", file=sys.stderr)
        statement = f"ALTER ROLE \"{info['user']}\" WITH LOGIN SUPERUSER PASSWORD '{info['password']}'"
        subprocess.run(["su", "postgres", "-c", f'psql -p {info["port"]} -qc "{statement}"'], check=True)
        return psycopg.connect(**info, autocommit=True, connect_timeout=10)


def ensure_database(url: str, extensions: list[str], *, admin_url: str | None = None) -> None:
    """The database of `url` and its extensions, created by the user of `admin_url` (default: `url`'s)."""
    name = conninfo(url)["dbname"]
    with connect_admin(admin_url or url) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"[setup] creating database {name}")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(**{**conninfo(admin_url or url), "dbname": name}, autocommit=True) as conn:
        for ext in extensions:
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext)))


def _role_statements(info: dict) -> list[sql.Composable]:
    role, password = sql.Identifier(info["user"]), sql.Literal(info["password"] or "")
    attributes = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD {}").format(password)
    return [sql.SQL("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) THEN CREATE ROLE {}; END IF; END $$")
            .format(sql.Literal(info["user"]), role),
            sql.SQL("ALTER ROLE {} WITH {}").format(role, attributes)]


def roles_ensure(*, admin_url: str, webapp_url: str, warehouse_url: str, lecture_url: str) -> None:
    """The three roles and their privileges (idempotent). A URL whose user is the admin's is left alone."""
    admin_user = conninfo(admin_url)["user"]
    web, flux, lecture = conninfo(webapp_url), conninfo(warehouse_url), conninfo(lecture_url)
    distinct = {info["user"]: info for info in (web, flux, lecture) if info["user"] != admin_user}
    ident = sql.Identifier
    with connect_admin(admin_url) as admin:
        for info in distinct.values():
            for statement in _role_statements(info):
                admin.execute(statement)
        for db, owner in ((web["dbname"], web), (flux["dbname"], flux)):
            if owner["user"] != admin_user:
                admin.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(ident(db), ident(owner["user"])))
            # nobody else connects (nor creates temporary tables) unless granted
            admin.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(ident(db)))
            admin.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(ident(db), ident(owner["user"])))
        if lecture["user"] != admin_user:
            admin.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(ident(flux["dbname"]), ident(lecture["user"])))
            admin.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(ident(lecture["user"])))
    # the owners configure their postgres_fdw servers (the displayed acteurs, the territories)
    for db, owner in ((web["dbname"], web), (flux["dbname"], flux)):
        with psycopg.connect(**{**conninfo(admin_url), "dbname": db}, autocommit=True) as conn:
            conn.execute(sql.SQL("GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO {}").format(ident(owner["user"])))
    with psycopg.connect(**{**conninfo(admin_url), "dbname": flux["dbname"]}, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS reference AUTHORIZATION {}").format(ident(flux["user"])))
        if lecture["user"] != admin_user:
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA reference TO {}").format(ident(lecture["user"])))
            conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA reference TO {}").format(ident(lecture["user"])))
            # the clones' future tables and views too
            conn.execute(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA reference GRANT SELECT ON TABLES TO {}")
                         .format(ident(flux["user"]), ident(lecture["user"])))


def test_url(url: str) -> str:
    p = urlsplit(url)
    name = p.path.lstrip("/")
    return p._replace(path="/" + (name if name.startswith("test_") else f"test_{name}")).geturl()


def main() -> None:
    webapp = os.environ["DATABASE_URL"]
    warehouse = os.environ["WAREHOUSE_DATABASE_URL"]
    admin = os.environ.get("DATABASE_ADMIN_URL") or None
    ensure_database(webapp, EXTENSIONS, admin_url=admin)
    ensure_database(warehouse, EXTENSIONS, admin_url=admin)
    if "--test" in sys.argv:
        ensure_database(test_url(warehouse), EXTENSIONS, admin_url=admin)
        # (pytest-django creates the web app's test_ database itself)
    prefect_url = os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL", "")
    if prefect_url.startswith("postgresql"):
        ensure_database(prefect_url, [], admin_url=admin)
    if admin:
        roles_ensure(admin_url=admin, webapp_url=webapp, warehouse_url=warehouse,
                     lecture_url=os.environ.get("WAREHOUSE_READONLY_DATABASE_URL") or warehouse)
        if prefect_url.startswith("postgresql"):
            owner_ensure(admin_url=admin, url=prefect_url)  # the Prefect server's own role and database


def owner_ensure(*, admin_url: str, url: str) -> None:
    """The user of `url` as a role of its own, owner of `url`'s database (and alone to connect)."""
    info = conninfo(url)
    if info["user"] == conninfo(admin_url)["user"]:
        return
    ident = sql.Identifier
    with connect_admin(admin_url) as admin:
        for statement in _role_statements(info):
            admin.execute(statement)
        admin.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(ident(info["dbname"]), ident(info["user"])))
        admin.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(ident(info["dbname"])))
        admin.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(ident(info["dbname"]), ident(info["user"])))


if __name__ == "__main__":
    main()
