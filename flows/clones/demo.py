"""`make demo`: the clones from the bundled extracts, served by a local HTTP server for the time
of the flows (no network)."""

from __future__ import annotations

from flows.clones.serveur_local import serveur_donnees, sources_locales
from flows.clones.tous import clones_flow


def clones_demo() -> dict[str, dict]:
    with serveur_donnees() as base_url:
        return clones_flow(sources=sources_locales(base_url))
