"""Web reads on a streaming replica, through pgbouncer (issue 18): a PostgreSQL 15 primary and its
hot standby on two free ports (doublures/replique.py, removed after), pgbouncer in front of both
with docker compose's `pgbouncer.ini` (transaction mode; local hosts and ports), the web app under
gunicorn with `DATABASE_URL` and `DATABASE_REPLICA_URL` on pgbouncer. The replica's replay is paused to tell which server answered: the API reads the
replica; a write is seen through the primary at once, by the client who wrote too, and by the
others once the replica has replayed it."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from doublures.replique import PG_BIN, grappe_replique, port_libre

REPO = Path(__file__).resolve().parents[3]
PARIS = (2.3488, 48.8534)
STICKY_S = 2
MOT_DE_PASSE = "replique-mot-de-passe"
# (so that pytest-django makes the test database, whose schema the primary copies)
pytestmark = pytest.mark.django_db

def _schema_copier(*, vers: str) -> None:
    """The web app's schema, as its migrations left the test database, into the primary."""
    from django.db import connections

    d = connections["default"].settings_dict  # the test database pytest-django made
    env = {**os.environ, "PGPASSWORD": d.get("PASSWORD") or ""}
    dump = subprocess.run([str(PG_BIN / "pg_dump"), "-s", "--no-owner", "--no-privileges", "-h", d["HOST"] or "127.0.0.1",
                           "-p", str(d["PORT"] or 5432), "-U", d["USER"], "-d", d["NAME"]],
                          env=env, check=True, capture_output=True, timeout=120).stdout
    # the migrations' SQL functions call each other unqualified (as the migrations created them)
    dump = dump.replace(b"SELECT pg_catalog.set_config('search_path', '', false);", b"SET search_path = public;")
    restaure = subprocess.run([str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", vers], input=dump,
                              capture_output=True, timeout=120)
    assert restaure.returncode == 0, restaure.stderr.decode()


def _acteur_inserer(conn: psycopg.Connection, *, identifiant: str, lon: float, lat: float) -> None:
    """A displayed acteur as the publication's swap leaves it (every column, Django's defaults)."""
    from geoapp.acteurs.models import DisplayedActeur

    valeurs = {"identifiant_unique": identifiant, "uuid": f"uuid-{identifiant}", "nom": f"Lieu {identifiant}",
               "statut": "ACTIF", "actions": ["reparer"], "groupes_actions": ["reparer"]}
    colonnes, morceaux, params = [], [], []
    for field in DisplayedActeur._meta.concrete_fields:
        if field.generated:
            continue
        colonnes.append(sql.Identifier(field.column))
        if field.name == "location":
            morceaux.append(sql.SQL("ST_GeogFromText(%s)"))
            params.append(f"SRID=4326;POINT({lon} {lat})")
            continue
        valeur = valeurs.get(field.name, field.get_default())
        morceaux.append(sql.SQL("%s"))
        params.append(Jsonb(valeur) if field.get_internal_type() == "JSONField" else valeur)
    conn.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(DisplayedActeur._meta.db_table), sql.SQL(", ").join(colonnes), sql.SQL(", ").join(morceaux)),
        params)


@pytest.fixture(scope="module")
def replique(django_db_setup, django_db_blocker):
    from django.contrib.auth.hashers import make_password

    with django_db_blocker.unblock():
        mot_de_passe = make_password(MOT_DE_PASSE)
    ports, port = (port_libre(), port_libre(), port_libre()), port_libre()
    pgbouncer = f"postgis://postgres@127.0.0.1:{ports[2]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "geoapp.config.settings.test", "DJANGO_READ_DOT_ENV": "false",
           "DATABASE_URL": f"{pgbouncer}/primaire", "DATABASE_REPLICA_URL": f"{pgbouncer}/replique",
           "DATABASE_PGBOUNCER": "true", "DATABASE_REPLICA_STICKY_S": str(STICKY_S),
           "REDIS_KEY_PREFIX": f"test_replique_{port}", "API_TILE_GENERATION_MAX_AGE_S": "0"}
    # the server boots (imports) while the clusters are made: it connects on its first request
    serveur = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "gunicorn"), "geoapp.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--worker-class", "gthread", "--threads", "4", "--graceful-timeout", "2",
         "--log-level", "warning"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        with grappe_replique(extensions=(), ports=ports) as grappe:
            assert grappe.url("pgbouncer_primaire") == env["DATABASE_URL"]
            _schema_copier(vers=grappe.conninfo("primaire"))
            with psycopg.connect(grappe.conninfo("primaire"), autocommit=True) as conn:
                # the replica streams as compose's replication role (deployments/docker/replication.sh)
                assert conn.execute("SELECT usename FROM pg_stat_replication").fetchall() == [
                    ("circulaire_replication",)]
                conn.execute("""INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                                is_staff, is_active, date_joined)
                                VALUES (%s, true, 'equipe', '', '', '', true, true, now())""", [mot_de_passe])
                _acteur_inserer(conn, identifiant="avant", lon=PARIS[0], lat=PARIS[1])
            grappe.attendre_rejeu()
            _attendre_http(url, serveur)
            yield grappe, url
    finally:
        serveur.terminate()
        _, erreurs = serveur.communicate(timeout=20)
    assert "Traceback" not in erreurs, erreurs


def _attendre_http(url: str, serveur: subprocess.Popen, *, delai_s: float = 60.0) -> None:
    fin = time.monotonic() + delai_s
    while time.monotonic() < fin:
        assert serveur.poll() is None, serveur.stderr.read()
        try:
            httpx.get(f"{url}/api/v1/actions", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise TimeoutError(url)


def _autour(client: httpx.Client, url: str) -> list[str]:
    r = client.get(f"{url}/api/v1/acteurs", params={"near": f"{PARIS[0]},{PARIS[1]}", "dist": 5000})
    assert r.status_code == 200, r.text
    return [f["properties"]["uuid"].removeprefix("uuid-") for f in r.json()["features"]]


def test_api_lit_la_replique_et_le_client_qui_ecrit_lit_le_primaire(replique):
    grappe, url = replique
    with psycopg.connect(grappe.conninfo("pgbouncer_replique"), autocommit=True) as r:
        # pgbouncer's connect_query stands for the `options` the app no longer sends it
        assert r.execute("SELECT pg_is_in_recovery(), current_setting('jit')").fetchone() == (True, "off")
    anonyme, equipe = httpx.Client(timeout=10), httpx.Client(timeout=10)

    # replayed: everyone reads it, the map's tiles too (the shared tile cache is on the primary:
    # an UNLOGGED table cannot be read on a standby)
    assert anonyme.get(f"{url}/api/v1/acteurs/uuid-avant").status_code == 200
    assert _autour(anonyme, url) == ["avant"]
    for z, x, y in [(14, 8298, 5636), (10, 518, 352)]:
        tuile = anonyme.get(f"{url}/api/v1/tiles/{z}/{x}/{y}.pbf")
        assert tuile.status_code == 200, (z, tuile.text)
    assert anonyme.get(f"{url}/api/v1/tiles/14/8298/5636.pbf").content  # the acteur drawn from the replica

    # the replica stops replaying: a write on the primary is there at once, not on the replica
    with psycopg.connect(grappe.conninfo("replique"), autocommit=True) as r:
        r.execute("SELECT pg_wal_replay_pause()")
        while r.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
            time.sleep(0.05)
        with psycopg.connect(grappe.conninfo("pgbouncer_primaire"), autocommit=True) as p:
            _acteur_inserer(p, identifiant="apres", lon=PARIS[0] + 0.001, lat=PARIS[1])
            assert p.execute("SELECT count(*) FROM acteurs_displayedacteur WHERE uuid = 'uuid-apres'").fetchone() == (1,)
        assert r.execute("SELECT count(*) FROM acteurs_displayedacteur WHERE uuid = 'uuid-apres'").fetchone() == (0,)

        # the API reads the replica
        assert anonyme.get(f"{url}/api/v1/acteurs/uuid-apres").status_code == 404
        assert _autour(anonyme, url) == ["avant"]

        # a client who writes (staff logging in: its session and last login) reads the primary
        # for DATABASE_REPLICA_STICKY_S seconds: what it did is there at once
        page = equipe.get(f"{url}/admin/login/")  # the admin reads the primary
        assert page.status_code == 200
        jeton = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        connexion = equipe.post(f"{url}/admin/login/?next=/admin/", data={
            "csrfmiddlewaretoken": jeton, "username": "equipe", "password": MOT_DE_PASSE, "next": "/admin/"})
        ecrit_a = time.monotonic()
        assert connexion.status_code == 302 and connexion.headers["location"] == "/admin/", connexion.text
        assert "lecture_primaire" in equipe.cookies
        assert equipe.get(f"{url}/api/v1/acteurs/uuid-apres").status_code == 200
        assert _autour(equipe, url) == ["avant", "apres"]
        assert equipe.get(f"{url}/admin/").status_code == 200  # logged in: its session, on the primary
        assert anonyme.get(f"{url}/api/v1/acteurs/uuid-apres").status_code == 404
        time.sleep(max(0.0, ecrit_a + STICKY_S + 0.2 - time.monotonic()))
        assert equipe.get(f"{url}/api/v1/acteurs/uuid-apres").status_code == 404  # back on the replica

        # replayed again: everyone sees it
        r.execute("SELECT pg_wal_replay_resume()")
    grappe.attendre_rejeu()
    assert anonyme.get(f"{url}/api/v1/acteurs/uuid-apres").status_code == 200
    assert _autour(anonyme, url) == ["avant", "apres"]
    assert equipe.get(f"{url}/api/v1/acteurs/uuid-apres").status_code == 200
    anonyme.close()
    equipe.close()
