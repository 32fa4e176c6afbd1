"""Flow: every clone, one after the other (each one is its own flow run)."""

from __future__ import annotations

from prefect import flow

from flows.clones.ban import clone_ban_flow
from flows.clones.ban_lieux_dits import clone_ban_lieux_dits_flow
from flows.clones.contours_communes import clone_contours_communes_flow
from flows.clones.contours_departements import clone_contours_departements_flow
from flows.clones.insee_communes import clone_insee_communes_flow
from flows.clones.insee_departements import clone_insee_departements_flow
from flows.clones.insee_epci import clone_insee_epci_flow
from flows.clones.laposte import clone_laposte_flow
from flows.clones.sirene_etablissement import clone_sirene_etablissement_flow
from flows.clones.sirene_lien_succession import clone_sirene_lien_succession_flow
from flows.clones.sirene_unite_legale import clone_sirene_unite_legale_flow

FLOWS = {
    "ban": clone_ban_flow,
    "sirene_etablissement": clone_sirene_etablissement_flow,
    "laposte_code_postal": clone_laposte_flow,
    "insee_commune": clone_insee_communes_flow,
    "insee_epci": clone_insee_epci_flow,
    "insee_departement": clone_insee_departements_flow,
    "contour_commune": clone_contours_communes_flow,
    "contour_departement": clone_contours_departements_flow,
    "ban_lieux_dits": clone_ban_lieux_dits_flow,
    "sirene_unite_legale": clone_sirene_unite_legale_flow,
    "sirene_lien_succession": clone_sirene_lien_succession_flow,
}


@flow(name="clones", log_prints=True)
def clones_flow(sources: dict[str, dict] | None = None) -> dict[str, dict]:
    """`sources`: {dataset: {"urls": [...], "min_lignes": n}}; missing datasets use the settings."""
    sources = sources or {}
    return {nom: run(**sources.get(nom, {})) for nom, run in FLOWS.items()}


if __name__ == "__main__":
    clones_flow()
