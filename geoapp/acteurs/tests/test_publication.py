"""Readers never wait on a publication: the displayed acteurs and their tile clusters are built
before any lock, and the swap's lock is asked with a short timeout and asked again."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.contrib.gis.geos import Point
from django.db import DatabaseError, connections

from geoapp.acteurs import displayed
from geoapp.acteurs.models import Acteur, DisplayedActeur, DisplayedActeurCluster
from geoapp.acteurs.services import displayed_acteur_refresh
from geoapp.common import databases

pytestmark = pytest.mark.usefixtures("warehouse", "referentiels")

PAUSE = 724_001  # the advisory lock a held publication waits on


def acteur(n: int, nom: str = "Lieu") -> None:
    Acteur.objects.create(identifiant_unique=f"ecosystem_{n}", uuid=f"uuid-{n}", identifiant_externe=str(n),
                          source_id="ecosystem", nom=f"{nom} {n}", acteur_type_id="commerce",
                          location=Point(2.3 + n / 1000, 48.8, srid=4326))


def reader() -> psycopg.Connection:
    """Another client of the web app's database, as a web request is."""
    info = {k: v for k, v in databases.webapp_conninfo().items() if v is not None}
    conn = psycopg.connect(**info, autocommit=True)
    conn.execute("SET statement_timeout = '20s'")
    return conn


def timed_read(conn: psycopg.Connection) -> tuple[float, list, int]:
    """What the map reads (acteurs by name, the tile clusters), and how long it took."""
    t = time.perf_counter()
    noms = [n for (n,) in conn.execute(f"SELECT nom FROM {DisplayedActeur._meta.db_table} ORDER BY nom")]
    groupes = conn.execute(f"SELECT count(*) FROM {DisplayedActeurCluster._meta.db_table} WHERE zoom = 5").fetchone()[0]
    return time.perf_counter() - t, noms, groupes


def in_thread(fn) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run():
        try:
            out["result"] = fn()
        except Exception as error:  # noqa: BLE001 - handed to the test
            out["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def waiting_on_pause(conn: psycopg.Connection) -> bool:
    return conn.execute("""SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                           AND objid = %s)""", [PAUSE]).fetchone()[0]


@pytest.mark.parametrize("held_before", ["acteurs_displayedacteur", "acteurs_displayedacteurcluster"])
def test_a_reader_answers_at_once_while_a_publication_is_held_mid_build(monkeypatch, held_before):
    acteur(1, "Ancien")
    displayed_acteur_refresh()
    Acteur.objects.filter(pk="ecosystem_1").update(nom="Nouveau 1")
    acteur(2, "Nouveau")

    build = databases.table_build

    def held_build(*, cursor, table, **kwargs):  # the publication stops before building `held_before`
        if table == held_before:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [PAUSE])
        return build(cursor=cursor, table=table, **kwargs)

    monkeypatch.setattr(displayed, "table_build", held_build)
    with reader() as pause, reader() as other:
        pause.execute("SELECT pg_advisory_lock(%s)", [PAUSE])
        thread, out = in_thread(displayed_acteur_refresh)
        try:
            wait_until(lambda: waiting_on_pause(other))
            elapsed, noms, groupes = timed_read(other)
            assert elapsed < 1.0  # answered at once, not after the publication
            assert noms == ["Ancien 1"] and groupes == 1  # the published table, whole
        finally:
            pause.execute("SELECT pg_advisory_unlock(%s)", [PAUSE])
            thread.join(timeout=60)
        assert "error" not in out, out
        assert timed_read(other)[1:] == (["Nouveau 1", "Nouveau 2"], 1)


def test_the_swap_waits_out_a_long_reader_without_holding_up_the_others():
    acteur(1, "Ancien")
    displayed_acteur_refresh()
    acteur(2, "Nouveau")
    with reader() as long_reader, reader() as other:
        long_reader.execute("BEGIN")
        long_reader.execute(f"SELECT count(*) FROM {DisplayedActeur._meta.db_table}")  # holds its lock until COMMIT
        thread, out = in_thread(displayed_acteur_refresh)
        try:
            # the swap asks for its lock, is refused after its lock_timeout, lets readers by, asks again
            wait_until(lambda: other.execute("""SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c
                       ON c.oid = l.relation WHERE c.relname = %s AND NOT l.granted)""",
                                             [DisplayedActeur._meta.db_table]).fetchone()[0])
            worst = max(timed_read(other)[0] for _ in range(10))
            assert worst < databases.SWAP_LOCK_TIMEOUT_MS / 1000 + 0.5
            assert timed_read(other)[1] == ["Ancien 1"]
            assert thread.is_alive()  # still trying
        finally:
            long_reader.execute("COMMIT")
            thread.join(timeout=60)
        assert "error" not in out, out
        assert out["result"]["published"] == 2
        assert timed_read(other)[1] == ["Ancien 1", "Nouveau 2"]


def test_a_swap_refused_its_lock_every_time_fails_and_leaves_the_published_tables(monkeypatch):
    acteur(1, "Ancien")
    displayed_acteur_refresh()
    acteur(2, "Nouveau")
    monkeypatch.setattr(databases, "SWAP_ATTEMPTS", 3)
    with reader() as long_reader:
        long_reader.execute("BEGIN")
        long_reader.execute(f"SELECT count(*) FROM {DisplayedActeurCluster._meta.db_table}")
        t = time.perf_counter()
        with pytest.raises(DatabaseError, match="lock"):
            displayed_acteur_refresh()
        assert time.perf_counter() - t < 5
        long_reader.execute("COMMIT")
    assert list(DisplayedActeur.objects.values_list("nom", flat=True)) == ["Ancien 1"]
    assert DisplayedActeurCluster.objects.filter(zoom=5).count() == 1
    displayed_acteur_refresh()  # and the next one goes through
    assert sorted(DisplayedActeur.objects.values_list("nom", flat=True)) == ["Ancien 1", "Nouveau 2"]
