"""Flow: clone SIRENE StockEtablissementLiensSuccession into the warehouse (reference.sirene_lien_succession)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-sirene-lien-succession", log_prints=True)
def clone_sirene_lien_succession_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("sirene_lien_succession", urls, min_lignes)


if __name__ == "__main__":
    clone_sirene_lien_succession_flow()
