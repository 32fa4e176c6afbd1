"""`make demo`: a Prefect server (http://127.0.0.1:4200, unless PREFECT_API_URL names a running
one), its work pool, warehouse block and deployments; the flows on the bundled data, reporting to
that server; then, until Ctrl-C, the web app on http://127.0.0.1:$PORT (8000), the Prefect server
and a worker of pool `default` running the deployments on their schedules."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import flows  # noqa: F401  (Prefect and Django defaults)
from django.core.management import call_command

from flows.acteurs_reference import acteurs_reference_flow
from flows.clones.demo import clones_demo
from flows.donnees_ouvertes import export_donnees_ouvertes_flow
from flows.enrichissement.tous import enrichissements_flow
from flows.referentiels import referentiels_flow
from flows.sauvegarde_demo import sauvegarde_demo
from flows.sources.demo import sources_demo
from flows.statistiques import statistiques_flow
from flows.tuiles import tuiles_precalcul_flow
from flows.warehouse.migrate import warehouse_migrate
from geoapp.backoffice.roles import ROLES
from geoapp.backoffice.services import MOT_DE_PASSE_DEMO, comptes_demo_creer
from geoapp.carte.services import carte_configuration_demo_ensure

PYTHON = sys.executable


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
    donnees_ouvertes_demo()
    statistiques_flow(complet=True)
    sauvegarde_demo()  # the backup flow into the local S3 stand-in


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

    from doublures.datagouv import DoublureDataGouv
    from geoapp.donnees.stockage import s3_client

    if not settings.DONNEES_S3_ENDPOINT_URL:
        print("export des données ouvertes : pas de S3 local (DONNEES_S3_ENDPOINT_URL), export non lancé")
        return
    client = s3_client()
    if settings.DONNEES_S3_BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
        client.create_bucket(Bucket=settings.DONNEES_S3_BUCKET,
                             CreateBucketConfiguration={"LocationConstraint": settings.DONNEES_S3_REGION})
    with DoublureDataGouv(api_key="demo", datasets=("acteurs-economie-circulaire",)) as datagouv:
        settings.DATAGOUV_API_URL, settings.DATAGOUV_API_KEY = datagouv.url, "demo"
        settings.DATAGOUV_DATASET = "acteurs-economie-circulaire"
        export_donnees_ouvertes_flow()


def prefect_attendre(*, api: str, serveur: subprocess.Popen | None, delai: float = 240) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if serveur is not None and serveur.poll() is not None:
            raise SystemExit(f"le serveur Prefect s'est arrêté (code {serveur.returncode})")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=3):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"le serveur Prefect ne répond pas sur {api} après {delai:.0f} s")


def gunicorn_commande() -> list[str]:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    return [
        PYTHON, "-m", "gunicorn", "geoapp.config.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", os.environ.get("WEB_WORKERS", "2"),
        # threads keep connections alive (bench/README.md: 2 gthread workers × 4 threads measured best)
        "--worker-class", "gthread", "--threads", os.environ.get("WEB_THREADS", "4"),
        "--env", f"DJANGO_SETTINGS_MODULE={os.environ['DJANGO_SETTINGS_MODULE']}",
        "--access-logfile", "-",
    ]


def main(*, serve_only: bool = False) -> int:
    enfants: list[subprocess.Popen] = []

    def arreter(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, arreter)
    try:
        serveur = None
        if not os.environ.get("PREFECT_API_URL"):
            port = os.environ.get("PREFECT_SERVER_API_PORT", "4200")
            serveur = subprocess.Popen([PYTHON, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                        "--port", port, "--log-level", "WARNING"])
            enfants.append(serveur)
            os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
        api = os.environ["PREFECT_API_URL"]
        os.environ.setdefault("CIRCULAIRE_REPO", str(flows.REPO))
        prefect_attendre(api=api, serveur=serveur)
        subprocess.run([PYTHON, "-m", "flows.installation", "--sans-deploiements"], check=True)
        # `prefect deploy --all` (~40 s) runs while the flows do
        deploiements = subprocess.Popen([PYTHON, "-m", "flows.installation", "--deploiements-seulement"])
        enfants.append(deploiements)
        if not serve_only:
            enfants.append(donnees_s3_demo_start())  # the open-data files' S3, alive beside the web app
            subprocess.run([PYTHON, "-m", "flows.demo", "--prepare-only"], check=True)
        if deploiements.wait():
            return deploiements.returncode
        enfants.append(subprocess.Popen([PYTHON, "-m", "prefect", "worker", "start", "--pool", "default",
                                         "--type", "process"]))
        enfants.append(subprocess.Popen(gunicorn_commande()))
        ui = api.removesuffix("/api")
        print(f"\n  La carte : http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}/"
              f"\n  Le back office : http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}/admin/"
              f"   comptes de démonstration {', '.join(ROLES)} (mot de passe « {MOT_DE_PASSE_DEMO} »)"
              f"\n  Prefect  : {ui}/  (déploiements, exécutions, artefacts, journaux)"
              "\n  Ctrl-C pour tout arrêter\n", file=sys.stderr, flush=True)
        while all(p.poll() is None for p in enfants[-2:] + ([serveur] if serveur else [])):
            time.sleep(1)
        return 1  # one of them stopped by itself
    except (KeyboardInterrupt, subprocess.CalledProcessError) as erreur:
        return 0 if isinstance(erreur, KeyboardInterrupt) else 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for p in reversed(enfants):
            if p.poll() is None:
                p.terminate()
        for p in reversed(enfants):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    if "--prepare-only" in sys.argv:
        prepare()
    else:
        sys.exit(main(serve_only="--serve-only" in sys.argv))
