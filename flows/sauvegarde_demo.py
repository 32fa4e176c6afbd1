"""The demo's backup: the flow `sauvegarde` into a bucket of the local S3 stand-in (moto, in
memory: the copies last as long as the demo's preparation), then the latest one listed as
`manage.py restaurer --lister` shows it. `python -m flows.sauvegarde_demo` runs it alone."""

from __future__ import annotations

import logging

import flows  # noqa: F401  (Prefect and Django defaults)
from django.test import override_settings

from doublures.sources.s3 import DoublureS3
from flows.sauvegarde import sauvegarde_flow

log = logging.getLogger(__name__)


def sauvegarde_demo() -> dict:
    with DoublureS3(bucket="circulaire-sauvegardes-demo", size=1) as s3, override_settings(
        SAUVEGARDE_S3_ENDPOINT_URL=s3.url, SAUVEGARDE_S3_BUCKET=s3.bucket,
        SAUVEGARDE_S3_ACCESS_KEY="demo", SAUVEGARDE_S3_SECRET_KEY="demo",
    ):
        resultat = sauvegarde_flow()
    for d in resultat["dumps"]:
        log.info("sauvegarde %s : %s (%s) %s octets", resultat["horodatage"], d["base"], d["dbname"], d["taille"])
    return resultat


if __name__ == "__main__":
    sauvegarde_demo()
