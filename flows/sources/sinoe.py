"""Flow: SINOE déchèteries (data.ademe.fr, data-fair, filtered by the year of SOURCES_SINOE_ANNEE) with its waste nomenclature → suggestions."""

from __future__ import annotations

import flows  # noqa: F401  (Prefect and Django defaults)
from prefect import flow

from flows.sources.tasks import source_executer
from geoapp.exploitation.observabilite import flux_mesure


@flow(name="source-sinoe", log_prints=True)
@flux_mesure()
def sinoe_flow(base_url: str | None = None, rejouer: str | None = None, rafraichir: bool = True) -> dict:
    """`base_url` overrides the URL of the settings; `rejouer`: a run id replayed offline;
    `rafraichir`: refresh the displayed acteurs after applying (a batch of runs does it once)."""
    return source_executer(flux="sinoe", base_url=base_url, rejouer=rejouer, refresh=rafraichir)


if __name__ == "__main__":
    sinoe_flow()
