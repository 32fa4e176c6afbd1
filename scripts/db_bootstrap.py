"""Create the databases and the extensions they need, if missing. Idempotent.

Reads DATABASE_URL, WAREHOUSE_DATABASE_URL and, when Prefect is to run on PostgreSQL,
PREFECT_API_DATABASE_CONNECTION_URL. With `--test`, also the `test_` warehouse of the test suite.

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


def ensure_database(url: str, extensions: list[str]) -> None:
    name = conninfo(url)["dbname"]
    with connect_admin(url) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"[setup] creating database {name}")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(**conninfo(url), autocommit=True) as conn:
        for ext in extensions:
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext)))


def test_url(url: str) -> str:
    p = urlsplit(url)
    name = p.path.lstrip("/")
    return p._replace(path="/" + (name if name.startswith("test_") else f"test_{name}")).geturl()


def main() -> None:
    webapp = os.environ["DATABASE_URL"]
    warehouse = os.environ["WAREHOUSE_DATABASE_URL"]
    ensure_database(webapp, EXTENSIONS)
    ensure_database(warehouse, EXTENSIONS)
    if "--test" in sys.argv:
        ensure_database(test_url(warehouse), EXTENSIONS)
        # (pytest-django creates the web app's test_ database itself)
    prefect_url = os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL", "")
    if prefect_url.startswith("postgresql"):
        ensure_database(prefect_url, [])


if __name__ == "__main__":
    main()
