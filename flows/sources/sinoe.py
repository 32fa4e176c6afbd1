"""Flow: SINOE déchèteries (data.ademe.fr, data-fair, filtered by the year of SOURCES_SINOE_ANNEE) with its waste nomenclature → suggestions."""

from __future__ import annotations

import flows  # noqa: F401  (Prefect and Django defaults)
from prefect import flow

from flows.sources.tasks import source_executer


@flow(name="source-sinoe", log_prints=True)
def sinoe_flow(base_url: str | None = None, rejouer: str | None = None) -> dict:
    """`base_url` overrides the URL of the settings; `rejouer`: a run id replayed offline."""
    return source_executer(flux="sinoe", base_url=base_url, rejouer=rejouer)


if __name__ == "__main__":
    sinoe_flow()
