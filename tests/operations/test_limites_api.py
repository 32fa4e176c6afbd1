"""An outside API's rate holds for every worker together: flow runs in separate processes (as on
several hosts) that request one API's host share its Prefect rate limit, on top of each process's
own rate per host. Times are read on the local stand-in server's side."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from flows import REPO
from flows.partage import limite_api_nom, limites
from geoapp.common.tests.test_http import serveur

# a flow run that, once the file `go` of its folder exists, sends 6 requests to the CMA's API, its
# process's own rate per host off: only the shared limit can space them
_FLOW = """
import os, sys, time
from pathlib import Path
import flows
from django.conf import settings
from prefect import flow
from flows.sources.clients.http import HttpClient

@flow(name="requetes-cma")
def requetes(dossier: str) -> None:
    (Path(dossier) / f"pret-{os.getpid()}").touch()
    while not (Path(dossier) / "go").exists():
        time.sleep(0.05)
    with HttpClient(rate_per_host=0, retries=1) as http:
        for k in range(6):
            http.get(f"{settings.SOURCES_CMA_URL}/r{k}")

requetes(sys.argv[1])
"""


def test_the_outside_apis_limits_are_one_per_host_named_after_it(settings):
    settings.BAN_API_URL = "https://data.geopf.fr/geocodage"
    settings.SOURCES_GEOCODAGE_URL = "https://data.geopf.fr/geocodage/search/"
    settings.SOURCES_CMA_URL = "http://127.0.0.1:8123"
    par_nom = {limite.nom: limite for limite in limites()}
    assert {"base-de-donnees", "api-data.geopf.fr", "api-127.0.0.1:8123"} <= set(par_nom)
    # the BAN API and the sources' geocoding are one host: one limit, the first's rate
    assert len([n for n in par_nom if "geopf" in n]) == 1
    assert (par_nom["api-data.geopf.fr"].limite, par_nom["api-data.geopf.fr"].decroissance) == (5, 5.0)
    assert par_nom["base-de-donnees"].decroissance is None  # a concurrency limit, not a rate


def test_two_processes_requesting_one_api_get_its_rate_between_them(prefect_api, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.settings import PREFECT_API_URL

    with serveur() as s:
        nom = limite_api_nom(s["url"])
        with get_client(sync_client=True) as client:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                name=nom, limit=2, slot_decay_per_second=2.0))
        try:
            env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "SOURCES_CMA_URL": s["url"],
                   "DJANGO_SETTINGS_MODULE": "geoapp.config.settings.test", "PREFECT_LOGGING_LEVEL": "WARNING"}
            processus = [subprocess.Popen([sys.executable, "-c", _FLOW, str(tmp_path)], cwd=REPO, env=env,
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                         for _ in range(2)]
            fin = time.monotonic() + 150
            while len(list(tmp_path.glob("pret-*"))) < 2 and time.monotonic() < fin:
                assert all(p.poll() is None for p in processus), [p.communicate()[0] for p in processus]
                time.sleep(0.1)
            (tmp_path / "go").touch()  # both flow runs started: they request together
            sorties = [p.communicate(timeout=150)[0] for p in processus]
            assert [p.returncode for p in processus] == [0, 0], sorties
        finally:
            with get_client(sync_client=True) as client:
                client.delete_global_concurrency_limit_by_name(nom)

    temps = sorted(s["temps"])
    assert len(temps) == 12
    # 2 at once, then 2 per second for both processes together: 5 s for the 12; had each process
    # its own limit, 2 s; with none, at once
    assert temps[-1] - temps[0] >= 4.0, [round(t - temps[0], 2) for t in temps]
    # no second of the run saw more than the burst and a second's slots
    assert max(sum(1 for u in temps if t <= u < t + 1.0) for t in temps) <= 4
