"""Flow: clone La Poste codes postaux into the warehouse (reference.laposte_code_postal)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-laposte-codes-postaux", log_prints=True)
def clone_laposte_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("laposte_code_postal", urls, min_lignes)


if __name__ == "__main__":
    clone_laposte_flow()
