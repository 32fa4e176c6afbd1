"""Flow: clone SIRENE StockUniteLegale into the warehouse (reference.sirene_unite_legale)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-sirene-unite-legale", log_prints=True)
def clone_sirene_unite_legale_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("sirene_unite_legale", urls, min_lignes)


if __name__ == "__main__":
    clone_sirene_unite_legale_flow()
