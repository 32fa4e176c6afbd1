"""Flow: clone BAN (lieux-dits) into the warehouse (reference.ban_lieux_dits)."""

from __future__ import annotations

from prefect import flow

from flows.clones import cloner_jeu


@flow(name="clone-ban-lieux-dits", log_prints=True)
def clone_ban_lieux_dits_flow(urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    return cloner_jeu("ban_lieux_dits", urls, min_lignes)


if __name__ == "__main__":
    clone_ban_lieux_dits_flow()
