"""Flow: every clone, one after the other (each one is its own flow run of `clone`)."""

from __future__ import annotations

from prefect import flow

from flows.clones.clone import clone_flow
from flows.clones.jeux import JEUX


@flow(name="clones", log_prints=True)
def clones_flow(sources: dict[str, dict] | None = None) -> dict[str, dict]:
    """`sources`: {dataset: {"urls": [...], "min_lignes": n}}; missing datasets use the settings."""
    sources = sources or {}
    return {nom: clone_flow(jeu=nom, **sources.get(nom, {})) for nom in JEUX}


if __name__ == "__main__":
    clones_flow()
