"""A PostgreSQL 15 primary and its streaming replica (pg_basebackup, hot standby) on two free ports
of 127.0.0.1, and pgbouncer in front of both, as docker compose's profile `echelle` makes them:
the replica connects as the role of compose's `deployments/docker/replication.sh`, pgbouncer runs
compose's `pgbouncer.ini` (transaction mode) with this machine's hosts and ports. The set-up of
the replica's test, on this one machine. Everything lives in a temporary directory, removed with
the clusters when the context ends. Run as root, the servers run as the `postgres` user (PostgreSQL and
pgbouncer refuse root)."""

from __future__ import annotations

import configparser
import dataclasses
import io
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg

PG_BIN = Path("/usr/lib/postgresql/15/bin")
BASE = "circulaire"  # the database, on the primary (and so on the replica)
# small, quick servers: nothing here must survive a crash of the machine
REGLAGES = {"listen_addresses": "'127.0.0.1'", "wal_level": "replica", "max_wal_senders": "4",
            "hot_standby": "on", "fsync": "off", "full_page_writes": "off", "shared_buffers": "32MB",
            "max_connections": "40", "jit": "off", "wal_receiver_status_interval": "1s"}


# docker compose's (profile `echelle`): the test runs pgbouncer with its settings
PGBOUNCER_INI = Path(__file__).resolve().parents[1] / "deployments" / "docker" / "pgbouncer.ini"
_HOTES_COMPOSE = {"db": "primaire", "db-replique": "replique"}  # compose's hosts, this set-up's names
REPLICATION_SH = PGBOUNCER_INI.parent / "replication.sh"  # compose's, on the primary's first start


def pgbouncer_ini(grappe: "Grappe") -> str:
    """Compose's `pgbouncer.ini` on this machine: each database of its `[databases]` under this
    set-up's name for its host (`primaire`, `replique`), on the local ports and database, the same
    options (`connect_query`…); its `[pgbouncer]` pool settings as they are, the address, port,
    files and authentication (trust: local servers without passwords) this machine's."""
    ini = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    ini.optionxform = str  # pgbouncer's keys and database names as written
    ini.read(PGBOUNCER_INI)
    ports = {"primaire": grappe.port_primaire, "replique": grappe.port_replique}
    bases = {}
    for valeur in ini["databases"].values():
        nom = _HOTES_COMPOSE[re.search(r"\bhost=(\S+)", valeur).group(1)]
        valeur = re.sub(r"\bhost=\S+", "host=127.0.0.1", valeur)
        valeur = re.sub(r"\bport=\d+", f"port={ports[nom]}", valeur)
        bases[nom] = re.sub(r"\bdbname=\S+", f"dbname={BASE}", valeur)
    assert set(bases) == set(ports), f"{PGBOUNCER_INI}: databases {sorted(bases)}"
    ini["databases"] = bases
    d = grappe.dossier
    ini["pgbouncer"].update({"listen_addr": "127.0.0.1", "listen_port": str(grappe.port_pgbouncer),
                             "unix_socket_dir": str(d), "auth_type": "trust", "auth_file": f"{d}/userlist.txt",
                             "max_client_conn": "200", "default_pool_size": "8", "logfile": f"{d}/pgbouncer.log"})
    sortie = io.StringIO()
    ini.write(sortie)
    return sortie.getvalue()


@dataclasses.dataclass(frozen=True)
class Grappe:
    dossier: Path
    port_primaire: int
    port_replique: int
    port_pgbouncer: int

    def _port_base(self, qui: str) -> tuple[int, str]:
        if qui.startswith("pgbouncer_"):  # pgbouncer's database of that name
            return self.port_pgbouncer, qui.removeprefix("pgbouncer_")
        return {"primaire": self.port_primaire, "replique": self.port_replique}[qui], BASE

    def conninfo(self, qui: str) -> str:
        """`primaire` / `replique` directly, `pgbouncer_primaire` / `pgbouncer_replique` through pgbouncer."""
        port, base = self._port_base(qui)
        return f"host=127.0.0.1 port={port} user=postgres dbname={base}"

    def url(self, qui: str) -> str:
        port, base = self._port_base(qui)
        return f"postgis://postgres@127.0.0.1:{port}/{base}"

    def attendre_rejeu(self, *, delai_s: float = 20.0) -> None:
        """Until the replica has replayed everything the primary wrote so far."""
        with psycopg.connect(self.conninfo("primaire"), autocommit=True) as p:
            lsn = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        fin = time.monotonic() + delai_s
        with psycopg.connect(self.conninfo("replique"), autocommit=True) as r:
            while r.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0] is not True:
                if time.monotonic() > fin:
                    raise TimeoutError(f"the replica did not replay {lsn} within {delai_s} s")
                time.sleep(0.05)


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _en_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _lancer(cmd: list[str], *, env: dict[str, str] | None = None) -> None:
    """`cmd` as `postgres`, with these variables besides the environment's."""
    subprocess.run(_en_postgres(cmd), check=True, capture_output=True, text=True, timeout=120,
                   env={**os.environ, **(env or {})})


def _attendre_connexion(conninfo: str, *, delai_s: float = 30.0) -> None:
    fin = time.monotonic() + delai_s
    while True:
        try:
            psycopg.connect(conninfo, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > fin:
                raise
            time.sleep(0.1)


@contextmanager
def grappe_replique(*, extensions: tuple[str, ...] = ("postgis", "pg_trgm", "unaccent"),
                    ports: tuple[int, int, int] | None = None) -> Iterator[Grappe]:
    """A primary with database `circulaire` (and these extensions), its replica, pgbouncer, on
    `ports` (primary, replica, pgbouncer; by default free ones)."""
    dossier = Path(tempfile.mkdtemp(prefix="replique_"))
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(dossier, pw.pw_uid, pw.pw_gid)
    grappe = Grappe(dossier, *(ports or (port_libre(), port_libre(), port_libre())))
    primaire, replique = dossier / "primaire", dossier / "replique"
    demarres: list[Path] = []
    pgbouncer = None
    try:
        # initdb's pg_hba trusts local connections; its replication lines go: the replica connects
        # as compose's does, by the role and the line of compose's `replication.sh`, with a password
        _lancer([str(PG_BIN / "initdb"), "-D", str(primaire), "-U", "postgres", "--auth=trust",
                 "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])
        hba = primaire / "pg_hba.conf"
        hba.write_text("".join(ligne for ligne in hba.read_text().splitlines(keepends=True)
                               if " replication " not in f" {ligne} "))
        with open(primaire / "postgresql.conf", "a") as f:
            f.write("".join(f"{k} = {v}\n" for k, v in REGLAGES.items()))
            f.write(f"unix_socket_directories = '{dossier}'\n")
        _lancer([str(PG_BIN / "pg_ctl"), "-D", str(primaire), "-w", "-l", str(dossier / "primaire.log"),
                 "-o", f"-p {grappe.port_primaire}", "start"])
        demarres.append(primaire)
        _attendre_connexion(f"host=127.0.0.1 port={grappe.port_primaire} user=postgres dbname=postgres")
        with psycopg.connect(f"host=127.0.0.1 port={grappe.port_primaire} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {BASE}")
        with psycopg.connect(grappe.conninfo("primaire"), autocommit=True) as conn:
            for ext in extensions:
                conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
        # compose's script for the primary's first start: the replication role and its pg_hba line
        replication = {"PGPASSWORD": secrets.token_hex(12)}
        _lancer(["bash", str(REPLICATION_SH)], env={
            "PGDATA": str(primaire), "PGHOST": str(dossier), "PGPORT": str(grappe.port_primaire),
            "DB_REPLICATION_PASSWORD": replication["PGPASSWORD"], "PATH": f"{PG_BIN}:{os.environ['PATH']}"})
        _lancer([str(PG_BIN / "pg_ctl"), "-D", str(primaire), "reload"])
        # the replica, as compose's `db-replique` starts: a base backup streaming the WAL during the
        # copy, standby.signal and primary_conninfo written by -R, as the replication role
        _lancer([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(grappe.port_primaire),
                 "-U", "circulaire_replication", "-D", str(replique), "-R", "-X", "stream", "--no-sync", "-c", "fast"],
                env=replication)
        _lancer([str(PG_BIN / "pg_ctl"), "-D", str(replique), "-w", "-l", str(dossier / "replique.log"),
                 "-o", f"-p {grappe.port_replique}", "start"], env=replication)
        demarres.append(replique)
        _attendre_connexion(grappe.conninfo("replique"))
        (dossier / "userlist.txt").write_text('"postgres" ""\n')
        (dossier / "pgbouncer.ini").write_text(pgbouncer_ini(grappe))
        if os.geteuid() == 0:
            for p in ("userlist.txt", "pgbouncer.ini"):
                os.chown(dossier / p, pw.pw_uid, pw.pw_gid)
        pgbouncer = subprocess.Popen(_en_postgres([shutil.which("pgbouncer") or "/usr/sbin/pgbouncer",
                                                   str(dossier / "pgbouncer.ini")]),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _attendre_connexion(grappe.conninfo("pgbouncer_replique"))
        yield grappe
    finally:
        if pgbouncer is not None:
            pgbouncer.terminate()
            try:
                pgbouncer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pgbouncer.kill()
        for data in reversed(demarres):
            subprocess.run(_en_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                           capture_output=True, timeout=60)
        shutil.rmtree(dossier, ignore_errors=True)
