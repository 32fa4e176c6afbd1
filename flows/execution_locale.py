"""Several hosts on one machine: a Prefect server on PostgreSQL and `process` workers, a Dask
scheduler and its workers, each a process of its own, as the split flows run in production
(docs/deploiement.md). Used by the tests of the split geocoding (`tests/enrichissement/
test_workers.py`) and of the deduplication's scoring on Dask (`test_dedoublonnage_dask.py`), and by
the benchmark of the split geocoding (`bench/geocodage_workers.py`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flows import REPO

PREFECT = str(Path(sys.executable).parent / "prefect")
DASK = str(Path(sys.executable).parent / "dask")


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serveur_prefect_demarrer(*, base_url: str | None, env: dict[str, str] | None = None,
                             delai: float = 120.0) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on the PostgreSQL database `base_url` (postgis:// or postgresql://;
    None: SQLite in its temporary home), UI off, on a free port; returns the process and its API
    URL once it answers."""
    import httpx

    port = port_libre()
    env = {**os.environ, "PREFECT_HOME": tempfile.mkdtemp(prefix="prefect-serveur-"), "PREFECT_UI_ENABLED": "false",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **(env or {})}
    if base_url:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = f"postgresql+asyncpg://{base_url.split('://', 1)[1]}"
    env.pop("PREFECT_API_URL", None)
    serveur = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"

    def pret() -> bool:
        try:
            return httpx.get(f"{api}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    processus_attendre(serveur, pret, nom=f"le serveur Prefect ({api})", delai=delai, pas=0.5)
    return serveur, api


def processus_attendre(processus: subprocess.Popen, pret, *, nom: str, delai: float, pas: float) -> None:
    """Until `pret()`; stops `processus` and raises if it exits or `delai` passes first."""
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if pret():
            return
        if processus.poll() is not None:
            raise RuntimeError(f"{nom} s'est arrêté (code {processus.returncode})")
        time.sleep(pas)
    processus_arreter(processus)
    raise RuntimeError(f"{nom} ne répond pas après {delai:.0f} s")


def worker_prefect_demarrer(*, api: str, pool: str, nom: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`prefect worker start` of the `process` pool `pool`, one flow run at a time (a host of one
    slot: the runs spread over the workers), polling every second, in the repository."""
    env = {**os.environ, "PREFECT_API_URL": api, "PREFECT_HOME": tempfile.mkdtemp(prefix=f"prefect-{nom}-"),
           "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "1", **(env or {})}
    return subprocess.Popen([PREFECT, "worker", "start", "--pool", pool, "--type", "process", "--name", nom,
                             "--limit", "1"], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def deploiement_creer(*, api: str, pool: str, flow: str, entrypoint: str) -> str:
    """A `process` pool `pool` and a deployment of `flow` named after it (the server's database may
    outlive the caller: a name of its own), run from the repository; returns `flow/pool`."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
        client.create_deployment(
            flow_id=client.create_flow_from_name(flow), name=pool, work_pool_name=pool, entrypoint=entrypoint,
            pull_steps=[{"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}])
    return f"{flow}/{pool}"


def dask_scheduler_demarrer(*, delai: float = 60.0) -> tuple[subprocess.Popen, str]:
    """`dask scheduler` on a free port, no dashboard; returns the process and its address once it
    accepts connections."""
    port = port_libre()
    scheduler = subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 env=_env_dask(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)

    def pret() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    processus_attendre(scheduler, pret, nom=f"le scheduler Dask (port {port})", delai=delai, pas=0.2)
    return scheduler, f"tcp://127.0.0.1:{port}"


def dask_worker_demarrer(*, adresse: str, nom: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`dask worker` of the scheduler `adresse`: one process of one thread (the scoring is Python on
    the CPU), in the repository, named `nom`."""
    return subprocess.Popen([DASK, "worker", adresse, "--name", nom, "--nworkers", "1", "--nthreads", "1",
                             "--no-dashboard"], env=_env_dask(env), cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _env_dask(env: dict[str, str] | None = None) -> dict[str, str]:
    """The scheduler and the workers unpickle the tasks: they import the project (not installed in
    its environment: `package = false`), from the repository."""
    chemins = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(chemins), **(env or {})}


def dask_workers_attendre(*, adresse: str, n: int, delai: float = 60.0) -> None:
    from distributed import Client

    with Client(adresse, timeout=delai) as client:
        client.wait_for_workers(n, timeout=delai)


def processus_arreter(processus: subprocess.Popen, *, delai: float = 30.0) -> None:
    """SIGTERM to its process group, SIGKILL if it is still there after `delai`."""
    if processus.poll() is None:
        os.killpg(processus.pid, signal.SIGTERM)
    try:
        processus.wait(delai)
    except subprocess.TimeoutExpired:
        os.killpg(processus.pid, signal.SIGKILL)
        processus.wait()
