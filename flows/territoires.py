"""Flow: load départements, EPCI and communes with their contours from the bundled files.
(The clone flows of the enrichment replace this source with the official downloads.)"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task

from flows import REPO
from geoapp.territoires.services import territoire_load_bundled

DEFAULT_GEO_DIR = REPO / "data" / "geo"


@task(name="charger les contours")
def charger(geo_dir: str) -> dict[str, int]:
    return territoire_load_bundled(geo_dir=Path(geo_dir))


@flow(name="territoires", log_prints=True)
def territoires_flow(geo_dir: str = str(DEFAULT_GEO_DIR)) -> dict[str, int]:
    report = charger(geo_dir)
    print(f"territoires écrits : {report}")
    return report


if __name__ == "__main__":
    territoires_flow()
