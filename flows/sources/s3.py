"""Flow: one Excel/CSV file of an S3 bucket → suggestions. The file's first folder names its
source (`lvao/acteurs.xlsx` → source `lvao`)."""

from __future__ import annotations

import flows  # noqa: F401  (Prefect and Django defaults)
from prefect import flow

from flows.sources.tasks import source_executer
from geoapp.exploitation.observabilite import flux_mesure


@flow(name="source-s3", flow_run_name="source-s3-{cle}", log_prints=True)
@flux_mesure()
def s3_flow(cle: str = "lvao/acteurs.xlsx", endpoint_url: str | None = None, rejouer: str | None = None,
            rafraichir: bool = True) -> dict:
    """`cle`: the object's key in SOURCES_S3_BUCKET; `endpoint_url` overrides SOURCES_S3_ENDPOINT_URL."""
    return source_executer(flux=f"s3/{cle}", base_url=endpoint_url, rejouer=rejouer, refresh=rafraichir)


if __name__ == "__main__":
    import sys

    s3_flow(*sys.argv[1:2])
