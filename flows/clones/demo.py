"""`make demo`: the clones from the bundled extracts, served by a local HTTP server for the time
of the flows (no network)."""

from __future__ import annotations

from doublures.fichiers import serveur_donnees, sources_locales
from flows.clones.territoires_webapp import territoires_depuis_clones_flow
from flows.clones.tous import clones_flow


def clones_demo() -> dict[str, dict]:
    with serveur_donnees() as base_url:
        report = clones_flow(sources=sources_locales(base_url))
    report["territoires"] = territoires_depuis_clones_flow()
    return report
