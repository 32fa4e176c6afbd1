"""Flow: clone départements (decoupage-administratif) into the warehouse (reference.insee_departement)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-insee-departements", log_prints=True)
def clone_insee_departements_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("insee_departement", urls, min_lignes)


if __name__ == "__main__":
    clone_insee_departements_flow()
