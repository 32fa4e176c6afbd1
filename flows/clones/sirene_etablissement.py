"""Flow: clone SIRENE StockEtablissement into the warehouse (reference.sirene_etablissement)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-sirene-etablissement", log_prints=True)
def clone_sirene_etablissement_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("sirene_etablissement", urls, min_lignes)


if __name__ == "__main__":
    clone_sirene_etablissement_flow()
