"""Flow: load the bundled real acteurs (data/reference/acteurs.json) and refresh the display."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task

from flows import REPO
from flows.displayed import displayed_refresh_flow
from geoapp.acteurs.services import acteur_load_reference
from geoapp.exploitation.observabilite import flux_mesure

DEFAULT_REFERENCE_DIR = REPO / "data" / "reference"


@task(name="charger les acteurs de référence")
def charger(reference_dir: str) -> dict[str, int]:
    return acteur_load_reference(reference_dir=Path(reference_dir))


@flow(name="acteurs-reference", log_prints=True)
@flux_mesure()
def acteurs_reference_flow(reference_dir: str = str(DEFAULT_REFERENCE_DIR)) -> dict:
    loaded = charger(reference_dir)
    displayed = displayed_refresh_flow()
    return {"loaded": loaded, "displayed": displayed}


if __name__ == "__main__":
    acteurs_reference_flow()
