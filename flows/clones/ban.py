"""Flow: clone BAN (adresses) into the warehouse (reference.ban)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-ban", log_prints=True)
def clone_ban_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("ban", urls, min_lignes)


if __name__ == "__main__":
    clone_ban_flow()
