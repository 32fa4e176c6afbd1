"""Flow: load the referentials (actions, objects, acteur types, services, labels, sources)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from flows import REPO
from geoapp.acteurs.services import referentiel_load
from geoapp.assistant.services import produit_index_load
from geoapp.exploitation.observabilite import flux_mesure

DEFAULT_REFERENCE_DIR = REPO / "data" / "reference"


@task(name="charger les référentiels")
def charger(reference_dir: str) -> dict[str, dict[str, int]]:
    return referentiel_load(reference_dir=Path(reference_dir))


@task(name="charger les produits de l'assistant")
def charger_produits(reference_dir: str) -> dict[str, int]:
    return produit_index_load(index_path=Path(reference_dir) / "produits-index.json",
                              conseils_path=REPO / "data" / "assistant" / "conseils.json")


@flow(name="referentiels", log_prints=True)
@flux_mesure()
def referentiels_flow(reference_dir: str = str(DEFAULT_REFERENCE_DIR)) -> dict[str, dict[str, int]]:
    report = charger(reference_dir)
    produits = charger_produits(reference_dir)
    lines = ["| référentiel | créés | modifiés | inchangés |", "|---|---|---|---|"]
    lines += [f"| {name} | {s['created']} | {s['updated']} | {s['unchanged']} |" for name, s in report.items()]
    create_markdown_artifact(markdown="\n".join(lines), key="referentiels", description="Chargement des référentiels")
    lines.append(f"\nAssistant : {produits['produits_crees']} produits et {produits['synonymes_crees']} synonymes "
                 f"créés, {produits['conseils_remplis']} fiches de conseils complétées.")
    print("\n".join(lines))
    return report


if __name__ == "__main__":
    referentiels_flow()
