"""Flow: every enrichment, one after the other (each one is its own flow run and writes its own
cohort)."""

from __future__ import annotations

from prefect import flow

from flows.enrichissement.dedoublonnage import dedoublonnage_flow
from flows.enrichissement.etablissements_fermes import enrichissement_etablissements_fermes_flow
from flows.enrichissement.geocodage import enrichissement_geocodage_flow
from flows.enrichissement.rgpd import enrichissement_rgpd_flow
from flows.enrichissement.territoires import enrichissement_territoires_flow
from flows.enrichissement.villes import enrichissement_villes_flow

# geocoding first: the territories use the positions it finds once staff applied them
FLOWS = {
    "geocodage": enrichissement_geocodage_flow,
    "etablissements_fermes": enrichissement_etablissements_fermes_flow,
    "villes": enrichissement_villes_flow,
    "territoires": enrichissement_territoires_flow,
    "rgpd": enrichissement_rgpd_flow,
    "dedoublonnage": dedoublonnage_flow,  # its clusters wait in the back office
}


@flow(name="enrichissements", log_prints=True)
def enrichissements_flow() -> dict[str, dict]:
    return {nom: run() for nom, run in FLOWS.items()}


if __name__ == "__main__":
    enrichissements_flow()
