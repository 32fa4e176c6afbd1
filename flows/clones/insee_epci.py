"""Flow: clone EPCI et leurs membres (decoupage-administratif) into the warehouse (reference.insee_epci)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-insee-epci", log_prints=True)
def clone_insee_epci_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("insee_epci", urls, min_lignes)


if __name__ == "__main__":
    clone_insee_epci_flow()
