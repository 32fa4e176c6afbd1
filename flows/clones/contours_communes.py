"""Flow: clone contours des communes into the warehouse (reference.contour_commune)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-contours-communes", log_prints=True)
def clone_contours_communes_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("contour_commune", urls, min_lignes)


if __name__ == "__main__":
    clone_contours_communes_flow()
