"""Flow: the web app's départements, EPCI and communes replaced by those of the clones
(decoupage-administratif + contours), through postgres_fdw with atomic swaps."""

from __future__ import annotations

from prefect import flow, task

import flows  # noqa: F401  (Prefect and Django defaults)
from geoapp.territoires.clones import territoires_publier_depuis_clones
from geoapp.exploitation.observabilite import flux_mesure


@task(name="publier les territoires clonés (échange atomique)")
def publier() -> dict[str, int]:
    return territoires_publier_depuis_clones()


@flow(name="territoires-depuis-clones", log_prints=True)
@flux_mesure()
def territoires_depuis_clones_flow() -> dict[str, int]:
    report = publier()
    print(f"territoires publiés : {report}")
    return report


if __name__ == "__main__":
    territoires_depuis_clones_flow()
