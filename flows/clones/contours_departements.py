"""Flow: clone contours des départements into the warehouse (reference.contour_departement)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-contours-departements", log_prints=True)
def clone_contours_departements_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("contour_departement", urls, min_lignes)


if __name__ == "__main__":
    clone_contours_departements_flow()
