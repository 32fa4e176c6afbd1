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
from flows.donnees_ouvertes import export_donnees_ouvertes_flow
from flows.enrichissement.tous import enrichissements_flow
from flows.referentiels import referentiels_flow
from flows.sources.demo import sources_demo
from flows.statistiques import statistiques_flow
from flows.tuiles import tuiles_precalcul_flow
from flows.warehouse.migrate import warehouse_migrate
from geoapp.carte.services import carte_configuration_demo_ensure


def prepare() -> None:
    call_command("migrate", interactive=False, verbosity=0)
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
    donnees_ouvertes_demo()
    statistiques_flow(complet=True)


def donnees_s3_demo_start() -> subprocess.Popen:
    """An S3 stand-in (moto) for the open-data files, alive as long as the demo (the web app
    streams /donnees/acteurs.* from it): its endpoint goes to the flows and the web app through the
    environment."""
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    os.environ.update(DONNEES_S3_ENDPOINT_URL=f"http://127.0.0.1:{port}", DONNEES_S3_ACCESS_KEY="test",
                      DONNEES_S3_SECRET_KEY="test")
    return moto


def donnees_ouvertes_demo() -> None:
    """The open-data export into the demo's S3 stand-in, published on a local data.gouv.fr stand-in."""
    from django.conf import settings

    from doublures.datagouv import DataGouvStandIn
    from geoapp.donnees.stockage import s3_client

    if not settings.DONNEES_S3_ENDPOINT_URL:
        print("export des données ouvertes : pas de S3 local (DONNEES_S3_ENDPOINT_URL), export non lancé")
        return
    client = s3_client()
    if settings.DONNEES_S3_BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
        client.create_bucket(Bucket=settings.DONNEES_S3_BUCKET,
                             CreateBucketConfiguration={"LocationConstraint": settings.DONNEES_S3_REGION})
    with DataGouvStandIn(api_key="demo", datasets=("acteurs-economie-circulaire",)) as datagouv:
        settings.DATAGOUV_API_URL, settings.DATAGOUV_API_KEY = datagouv.url, "demo"
        settings.DATAGOUV_DATASET = "acteurs-economie-circulaire"
        export_donnees_ouvertes_flow()


def serve() -> None:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"\n  La carte : http://{host}:{port}/   (Ctrl-C pour arrêter)\n", file=sys.stderr, flush=True)
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
            donnees_s3_demo_start()  # a child that lives on beside the web app (same process group)
            # The flows run in a child process that exits normally, so that Prefect's embedded
            # server stops with it (an exec into gunicorn would leave that server running orphaned).
            subprocess.run([sys.executable, "-m", "flows.demo", "--prepare-only"], check=True)
        serve()
