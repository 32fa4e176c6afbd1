"""Killing a source flow at any point and running it again ends with the same acteurs as a clean
run. The flow runs in a real subprocess (SIGKILL, no clean-up) against the test databases."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from flows.sources.config import ECO_ORGANISMES
from flows.sources.eco_organismes import eco_organisme_flow
from flows.sources.normalise import eo_normaliser
from flows.sources.pipeline import normaliser_tout
from doublures.sources import generateur
from geoapp.acteurs.models import Acteur, DisplayedActeur
from geoapp.common.databases import warehouse_connect
from geoapp.suggestions import services
from geoapp.suggestions.models import ExecutionSource, GroupeSuggestion
from geoapp.suggestions.selectors import acteur_lignes_par_sources

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("source_db")


def payloads_archived(flux):
    with warehouse_connect() as conn:
        return conn.execute("SELECT count(*) FROM raw.source_payload WHERE flux = %s", [flux]).fetchone()[0]


KILL_POINTS = {
    "pendant le téléchargement": lambda: payloads_archived("pyreo") >= 2,
    "après l'écriture des suggestions": lambda: GroupeSuggestion.objects.filter(source_id="pyreo").exists(),
    "pendant l'application": lambda: Acteur.objects.filter(source_id="pyreo").exists(),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_then_rerun_ends_with_the_acteurs_of_a_clean_run(doublure_sources, settings, point, admin_client):
    from prefect.settings import PREFECT_API_URL

    services.politique_set(source_codes=["pyreo"], politique="auto")
    settings.SOURCES_DATAFAIR_PAGE_SIZE = 10
    if point == "pendant le téléchargement":
        doublure_sources.slow_seconds = 0.5
        doublure_sources.faults["donnees-eo-pyreo/lines"] = ["ok", "lent", "lent"]
    db = connection.settings_dict
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "geoapp.config.settings.test",
        "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD'] or 'x'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "PREFECT_API_URL": PREFECT_API_URL.value(), "SOURCES_DATAFAIR_PAGE_SIZE": "10",
        "SOURCES_HTTP_TIMEOUT": "5", "SOURCES_HTTP_RATE_PER_HOST": "0",
    }
    code = ("from flows.sources.eco_organismes import eco_organisme_flow; "
            f"eco_organisme_flow(source='pyreo', base_url={doublure_sources.url!r})")
    child = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not KILL_POINTS[point]() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert child.poll() is None, "the flow ended before the kill point"
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)

    counts = eco_organisme_flow(source="pyreo")

    records = generateur.eo_records("pyreo", 30)
    clean = normaliser_tout(records, normaliser=lambda r: eo_normaliser(r, ECO_ORGANISMES["pyreo"]),
                            referentiels=None, sources={"pyreo"})
    assert acteur_lignes_par_sources(source_codes=["pyreo"]) == clean.lignes
    assert DisplayedActeur.objects.filter(sources__contains=["pyreo"]).count() == 30
    assert counts["erreurs"] == 0
    assert not GroupeSuggestion.objects.filter(source_id="pyreo", statut__in=["validee", "erreur"]).exists()
    # the killed run does not stay `en cours`: the registry shows it interrupted, with a message
    killed, rerun = ExecutionSource.objects.filter(flux="pyreo").order_by("debut")
    assert (killed.statut, rerun.statut) == ("interrompue", "reussie")
    assert killed.fin is not None and "interrompue" in killed.message and rerun.run_id in killed.message
    registre = admin_client.get("/admin/suggestions/executionsource/?flux=pyreo").content.decode()
    assert "interrompue : le processus" in registre
