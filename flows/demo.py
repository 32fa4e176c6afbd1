"""`make demo`: prepare the databases, run the flows on the bundled data, then serve the web app
on http://127.0.0.1:$PORT (8000) until Ctrl-C."""

from __future__ import annotations

import os
import subprocess
import sys

import flows  # noqa: F401  (Prefect and Django defaults)
from django.core.management import call_command

from flows.acteurs_reference import acteurs_reference_flow
from flows.clones.demo import clones_demo
from flows.enrichissement.tous import enrichissements_flow
from flows.referentiels import referentiels_flow
from flows.sources.demo import sources_demo
from flows.tuiles import tuiles_precalcul_flow
from flows.warehouse.migrate import warehouse_migrate
from geoapp.backoffice.roles import ROLES
from geoapp.backoffice.services import MOT_DE_PASSE_DEMO, comptes_demo_creer
from geoapp.carte.services import carte_configuration_demo_ensure


def prepare() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    comptes_demo_creer()  # dev settings only (BACKOFFICE_COMPTES_DEMO)
    warehouse_migrate()
    # reference datasets from the bundled extracts, through a local HTTP server; then the web app's
    # départements, EPCI and communes (with contours) published from those clones: their one source
    clones_demo()
    referentiels_flow()
    acteurs_reference_flow()
    sources_demo()
    enrichissements_flow()  # their suggestions stay `à valider` for the back office
    carte_configuration_demo_ensure()
    tuiles_precalcul_flow()  # the low-zoom tiles of the last publication (none left to compute if it ran)


def serve() -> None:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"\n  La carte : http://{host}:{port}/   (Ctrl-C pour arrêter)"
          f"\n  Le back office : http://{host}:{port}/admin/   comptes de démonstration "
          f"{', '.join(ROLES)} (mot de passe « {MOT_DE_PASSE_DEMO} »)\n", file=sys.stderr, flush=True)
    os.execvp(sys.executable, [
        sys.executable, "-m", "gunicorn", "geoapp.config.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", os.environ.get("WEB_WORKERS", "2"),
        # threads keep connections alive (bench/README.md: 2 gthread workers × 4 threads measured best)
        "--worker-class", "gthread", "--threads", os.environ.get("WEB_THREADS", "4"),
        "--env", f"DJANGO_SETTINGS_MODULE={os.environ['DJANGO_SETTINGS_MODULE']}",
        "--access-logfile", "-",
    ])


if __name__ == "__main__":
    if "--prepare-only" in sys.argv:
        prepare()
    else:
        if "--serve-only" not in sys.argv:
            # The flows run in a child process that exits normally, so that Prefect's embedded
            # server stops with it (an exec into gunicorn would leave that server running orphaned).
            subprocess.run([sys.executable, "-m", "flows.demo", "--prepare-only"], check=True)
        serve()
