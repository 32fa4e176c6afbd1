"""Flow: one eco-organisme's data-fair dataset → suggestions (shared by all 16; the differences are
entries of `config.ECO_ORGANISMES`)."""

from __future__ import annotations

import flows  # noqa: F401  (Prefect and Django defaults)
from prefect import flow

from flows.sources.config import ECO_ORGANISMES
from flows.sources.tasks import source_executer
from geoapp.exploitation.observabilite import flux_mesure


@flow(name="source-eco-organisme", flow_run_name="source-{source}", log_prints=True)
@flux_mesure(par="source")
def eco_organisme_flow(source: str, base_url: str | None = None, rejouer: str | None = None,
                       rafraichir: bool = True) -> dict:
    """`source`: a key of ECO_ORGANISMES (refashion, citeo, ...); `base_url` overrides the data-fair
    host of the settings; `rejouer`: a run id whose archived payloads are replayed offline."""
    if source not in ECO_ORGANISMES:
        raise ValueError(f"éco-organisme inconnu : {source}")
    return source_executer(flux=source, base_url=base_url, rejouer=rejouer, refresh=rafraichir)


if __name__ == "__main__":
    import sys

    eco_organisme_flow(source=sys.argv[1])
