"""docker compose's optional profiles on this machine, which has no Docker engine: the services'
commands, read from `docker-compose.yml`, run as local processes (compose's host names made
127.0.0.1, free ports, `uv run --frozen` dropped: this environment is the image's). The second
worker joins the first's pool; the Dask worker's processes join the scheduler and score. The
profile `echelle`'s pgbouncer settings are run by the replica's test (`doublures/replique.py`)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from flows import REPO
from flows.execution_locale import dask_workers_attendre, port_libre, processus_arreter, processus_attendre

pytestmark = pytest.mark.django_db(databases=[])

SERVICES = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]


def _profil(nom: str) -> set[str]:
    return {service for service, s in SERVICES.items() if nom in s.get("profiles", [])}


def _commande(service: str, remplacer: dict[str, str]) -> list[str]:
    """The service's command as this machine runs it: its program from this environment, each
    argument in `remplacer` replaced."""
    commande = SERVICES[service]["command"]
    assert commande[:3] == ["uv", "run", "--frozen"], commande  # the project's locked environment
    programme, *arguments = commande[3:]
    return [str(Path(sys.executable).parent / programme), *(remplacer.get(a, a) for a in arguments)]


def _env(service: str, **autres: str) -> dict[str, str]:
    """This machine's environment; the service's PYTHONPATH (the image's /app) is the repository here."""
    env = {**os.environ, **autres}
    if "PYTHONPATH" in (SERVICES[service].get("environment") or {}):
        env["PYTHONPATH"] = str(REPO)
    return env


def test_the_optional_profiles_add_the_replica_pgbouncer_a_second_worker_and_dask():
    assert _profil("echelle") == {"db-replique", "pgbouncer"}
    assert _profil("plusieurs-workers") == {"worker-2", "dask-scheduler", "dask-worker"}
    optionnels = _profil("echelle") | _profil("plusieurs-workers")
    for service, s in SERVICES.items():  # `docker compose up` alone starts without them
        if service not in optionnels:
            assert not set(s.get("depends_on") or {}) & optionnels, service
    # the second worker serves the first's pool, with the same kind of worker
    premier, second = SERVICES["worker"]["command"], SERVICES["worker-2"]["command"]
    assert second[:len(premier)] == premier and second[len(premier):] == ["--name", "worker-2"]
    # the Dask worker reaches the scheduler where it listens, and so does the flow set up by .env.example
    planificateur = SERVICES["dask-scheduler"]["command"]
    adresse = f"tcp://dask-scheduler:{planificateur[planificateur.index('--port') + 1]}"
    assert adresse in SERVICES["dask-worker"]["command"]
    assert f"#DEDOUBLONNAGE_DASK_ADRESSE={adresse}\n" in (REPO / ".env.example").read_text()


def test_the_dask_services_commands_start_a_scheduler_and_workers_that_score(prefect_api):
    from prefect.settings import PREFECT_API_URL

    from prefect import flow

    from bench.dedoublonnage import jeu_etiquete
    from flows.enrichissement.dedoublonnage import DASK_ADRESSE_ENV, lots_scorer, task_runner_choisir
    from flows.enrichissement.doublons import fiche_depuis_acteur, lots_former, paires_candidates, paires_scorer

    port = port_libre()
    planificateur = SERVICES["dask-scheduler"]["command"]
    ecoute = planificateur[planificateur.index("--port") + 1]
    scheduler = subprocess.Popen(
        _commande("dask-scheduler", {ecoute: str(port)}), cwd=REPO, env=_env("dask-scheduler"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    processus = [scheduler]
    try:
        adresse = f"tcp://127.0.0.1:{port}"
        worker = SERVICES["dask-worker"]["command"]
        n = int(worker[worker.index("--nworkers") + 1])
        processus.append(subprocess.Popen(
            _commande("dask-worker", {f"tcp://dask-scheduler:{ecoute}": adresse}), cwd=REPO,
            env=_env("dask-worker", PREFECT_API_URL=PREFECT_API_URL.value()),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        dask_workers_attendre(adresse=adresse, n=n, delai=120)

        acteurs, _ = jeu_etiquete(acteurs=600, graine=3)
        fiches = [fiche_depuis_acteur(a) for a in acteurs]
        paires = sorted(paires_candidates(fiches))

        @flow(name="compose-dask")
        def scorer():
            return lots_scorer(lots_former(paires, taille=40), fiches)

        scorees, executants = scorer.with_options(task_runner=task_runner_choisir({DASK_ADRESSE_ENV: adresse}))()
        assert scorees == paires_scorer(fiches, paires) and scorees
        assert len(executants) == n  # every process of the compose's Dask worker scored lots
    finally:
        for p in reversed(processus):
            processus_arreter(p)


def test_the_second_workers_command_joins_the_pool(prefect_api):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    premier = SERVICES["worker"]["command"]
    pool = premier[premier.index("--pool") + 1]
    essai = f"compose-{uuid.uuid4().hex[:8]}"  # a pool of its own: this session's runs stay unpicked
    worker = subprocess.Popen(_commande("worker-2", {pool: essai}), cwd=REPO,
                              env=_env("worker-2", PREFECT_API_URL=PREFECT_API_URL.value()),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def en_ligne() -> bool:
        with get_client(sync_client=True) as client:
            try:
                workers = client.read_workers_for_work_pool(essai)
            except Exception:  # the pool not created yet
                return False
        return any(w.name == "worker-2" and w.status.value == "ONLINE" for w in workers)

    try:
        processus_attendre(worker, en_ligne, nom="worker-2", delai=120, pas=0.5)
        with get_client(sync_client=True) as client:
            assert client.read_work_pool(essai).type == "process"
    finally:
        processus_arreter(worker)

