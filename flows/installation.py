"""What a fresh Prefect server needs before the deployments of `prefect.yaml` can run: the work
pool `default` (a `process` pool), the `SqlAlchemyConnector` block `entrepot` (created from
WAREHOUSE_DATABASE_URL when missing: ops then change the credentials in the UI), and the
deployments themselves (`prefect deploy --all`). Idempotent: run twice, nothing changes.

    PREFECT_API_URL=http://127.0.0.1:4200/api uv run python -m flows.installation
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists
from prefect_sqlalchemy import ConnectionComponents, SqlAlchemyConnector

from flows import REPO
from flows.connecteur import BLOC_ENTREPOT
from flows.partage import limites_creer
from geoapp.common.databases import conninfo_from_url

log = logging.getLogger(__name__)
POOL = "default"


def pool_assurer(*, nom: str = POOL) -> bool:
    """Create the `process` work pool `nom` when missing; True when it was created."""
    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=nom, type="process"))
        except ObjectAlreadyExists:
            return False
    log.info("work pool %s créé", nom)
    return True


def bloc_entrepot_assurer(*, url: str, nom: str = BLOC_ENTREPOT) -> bool:
    """Create the warehouse's SqlAlchemyConnector block from `url` when missing (an existing block,
    maybe edited by ops in the UI, is kept); True when it was created."""
    try:
        SqlAlchemyConnector.load(nom)
        return False
    except ValueError:  # no such block document
        pass
    info = conninfo_from_url(url)
    SqlAlchemyConnector(connection_info=ConnectionComponents(
        driver="postgresql+psycopg", host=info["host"], port=int(info["port"]), database=info["dbname"],
        username=info["user"], password=info["password"],
    )).save(nom)
    log.info("bloc SqlAlchemyConnector %s créé (%s@%s/%s)", nom, info["user"], info["host"], info["dbname"])
    return True


def deploiements_enregistrer() -> None:
    """`prefect deploy --all` from the repository, on the server of PREFECT_API_URL (the pull step
    of `prefect.yaml` runs the flows from CIRCULAIRE_REPO: this repository unless set)."""
    env = {**os.environ, "CIRCULAIRE_REPO": os.environ.get("CIRCULAIRE_REPO", str(REPO)),
           "PREFECT_LOGGING_LEVEL": "WARNING"}
    fait = subprocess.run([sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"],
                          cwd=REPO, env=env, capture_output=True, text=True)
    if fait.returncode:
        raise RuntimeError(f"prefect deploy --all a échoué :\n{fait.stdout[-3000:]}\n{fait.stderr[-3000:]}")
    log.info("déploiements de prefect.yaml enregistrés")


def installer(*, deployer: bool = True) -> None:
    from django.conf import settings

    pool_assurer()
    bloc_entrepot_assurer(url=settings.WAREHOUSE_DATABASE_URL)
    creees = limites_creer()  # the database's and each outside API's, shared by every worker
    if creees:
        log.info("limites de concurrence créées : %s", ", ".join(creees))
    if deployer:
        deploiements_enregistrer()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="[prefect] %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if "--deploiements-seulement" in sys.argv:
        deploiements_enregistrer()
    else:
        installer(deployer="--sans-deploiements" not in sys.argv)
