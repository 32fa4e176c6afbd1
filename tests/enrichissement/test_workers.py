"""The geocoding enrichment split by département over two Prefect workers (separate processes, a
`process` pool) of a Prefect server on PostgreSQL: the parts run on both workers; one worker is
killed (with the flow run it runs: its host goes down) mid-run; its part ends Crashed, is run again
by the other worker, and the data are those of a clean run: every acteur geocoded once, one
suggestion per acteur the BAN places, one cohort per département that has one."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from flows.execution_locale import (deploiement_creer, processus_arreter, serveur_prefect_demarrer,
                                    worker_prefect_demarrer)
from geoapp.acteurs.models import Acteur
from geoapp.acteurs.services import referentiel_load
from geoapp.geocodage.models import GeocodageActeur
from geoapp.suggestions.models import CohorteSuggestion, GroupeSuggestion

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "warehouse"])

def _url(db: dict, name: str) -> str:
    return f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture(scope="module")
def serveur_prefect_postgresql():
    """A Prefect server on its own PostgreSQL database (kept between runs: its migrations run
    once). Yields its API URL."""
    db = settings.DATABASES["default"]
    nom = f"{db['NAME']}_prefect"  # the test database's own
    admin = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
                 dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nom)))
    # a worker missing 3 heartbeats of 1 s is OFFLINE (production: 30 s, checked every 15 s)
    serveur, api = serveur_prefect_demarrer(base_url=_url(db, nom), delai=120,
                                            env={"PREFECT_SERVER_SERVICES_FOREMAN_LOOP_SECONDS": "1"})
    try:
        yield api
    finally:
        processus_arreter(serveur)


def _ppid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


class Observateur(threading.Thread):
    """Watches the running parts (REST API): which worker runs each (the parent process of its
    flow run's process), and kills the first worker seen running one, with that flow run."""

    def __init__(self, api: str, workers: dict[str, subprocess.Popen]):
        super().__init__(daemon=True)
        self.api, self.workers, self.fini = api, workers, threading.Event()
        self.executants: dict[str, set[str]] = {}  # flow run name → workers seen running it
        self.tue: str | None = None

    def run(self):
        par_pid = {w.pid: nom for nom, w in self.workers.items()}
        with httpx.Client(base_url=self.api, timeout=5) as client:
            while not self.fini.is_set():
                runs = client.post("/flow_runs/filter", json={"flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}}}).json()
                for run in runs:
                    if not run.get("infrastructure_pid") or not run.get("deployment_id"):
                        continue
                    pid = int(run["infrastructure_pid"].rsplit(":", 1)[-1])
                    nom = par_pid.get(_ppid(pid))
                    if nom is None:
                        continue
                    self.executants.setdefault(run["name"], set()).add(nom)
                    if self.tue is None:
                        self.tue = nom
                        os.killpg(self.workers[nom].pid, signal.SIGKILL)  # the host goes down:
                        os.killpg(pid, signal.SIGKILL)  # nothing reports the run's end
                time.sleep(0.2)


def test_parts_spread_over_two_workers_and_a_killed_worker_s_part_runs_again(ban_clone, serveur_prefect_postgresql):
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.enrichissement.geocodage_departements import enrichissement_geocodage_departements_flow

    referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")
    adresses = {  # département → addresses (Paris: in the cloned BAN; elsewhere: no answer, flagged)
        "75": [("10 bd Voltaire", "75011"), ("2 rue de la Roquette", "75011"), ("1 rue de Rivoli", "75004")],
        "13": [("1 la Canebière", "13001")],
    }
    for d, lignes in adresses.items():
        for i, (adresse, cp) in enumerate(lignes):
            Acteur.objects.create(identifiant_unique=f"refashion_w{d}_{i}", uuid=f"uuid-w{d}-{i}", source_id="refashion",
                                  acteur_type_id="commerce", nom=f"Atelier {d} {i}", location=None,
                                  adresse=adresse, code_postal=cp, ville="Paris" if d == "75" else "Ailleurs")

    api = serveur_prefect_postgresql
    pool = f"partage-{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    bases = {"DATABASE_URL": _url(db, db["NAME"]), "WAREHOUSE_DATABASE_URL": settings.WAREHOUSE_DATABASE_URL,
             "GEOCODAGE_BACKEND": "hors_ligne", "PREFECT_WORKER_HEARTBEAT_SECONDS": "1",
             "DJANGO_SETTINGS_MODULE": "geoapp.config.settings.dev"}
    deploiement = deploiement_creer(api=api, pool=pool, flow="enrichissement-geocodage",
                                    entrypoint="flows/enrichissement/geocodage.py:enrichissement_geocodage_flow")
    workers = {nom: worker_prefect_demarrer(api=api, pool=pool, nom=nom, env=bases) for nom in ("hote-1", "hote-2")}
    observateur = Observateur(api, workers)
    try:
        with temporary_settings(updates={PREFECT_API_URL: api}):
            observateur.start()
            parts = enrichissement_geocodage_departements_flow(deploiement=deploiement, intervalle=0.5)
            # send this process's logs and events to this server now, not at exit to a stopped one
            APILogWorker.drain_all(timeout=30, at_exit=False)
            EventsWorker.drain_all(timeout=30, at_exit=False)
    finally:
        observateur.fini.set()
        for w in workers.values():
            processus_arreter(w)

    # one part per département, all completed; the killed worker's part ran twice
    assert sorted(p["parametres"]["departement"] for p in parts.values()) == ["13", "75"]
    assert {p["etat"] for p in parts.values()} == {"COMPLETED"}
    relancees = [nom for nom, p in parts.items() if p["tentatives"] == 2]
    assert len(relancees) == 1 and observateur.tue is not None
    assert observateur.executants[relancees[0]] == {"hote-1", "hote-2"}  # killed on one, finished on the other
    assert set().union(*observateur.executants.values()) == {"hote-1", "hote-2"}

    # the data of a clean run
    acteurs = sorted(Acteur.objects.filter(identifiant_unique__startswith="refashion_w").values_list("pk", flat=True))
    assert sorted(GeocodageActeur.objects.values_list("acteur_id", flat=True)) == acteurs  # once each
    signales = set(GeocodageActeur.objects.filter(signale=True).values_list("acteur_id", flat=True))
    assert signales == {a for a in acteurs if not a.startswith("refashion_w75")}
    groupes = list(GroupeSuggestion.objects.values_list("identifiant_unique", flat=True))
    assert sorted(groupes) == [f"refashion_w75_{i}" for i in range(3)]  # once each
    assert CohorteSuggestion.objects.count() == 1  # the only département with a position to propose
