"""Flow `export-donnees-ouvertes` (weekly, tag `stats`): the published displayed acteurs in CSV,
GeoJSON and GeoParquet, validated against the Table Schema (a file that does not hold fails the run
before anything is deposited), deposited in the open-data bucket (the day's version + `latest`, 30
days of versions kept) and published on data.gouv.fr. Running twice the same day replaces that
day's version with the same files."""

from __future__ import annotations

import datetime as dt
import tempfile

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from geoapp.donnees.services import (
    export_datagouv_publier, export_fichiers_deposer, export_fichiers_ecrire, export_fichiers_valider,
)
from geoapp.exploitation.observabilite import flux_mesure


@task(name="écrire les fichiers (CSV, GeoJSON, GeoParquet)")
def ecrire(dossier: str) -> int:
    return export_fichiers_ecrire(dossier=dossier)


@task(name="valider contre le schéma (frictionless)")
def valider(dossier: str, lignes: int) -> dict[str, int]:
    return export_fichiers_valider(dossier=dossier, lignes=lignes)


@task(name="déposer dans le bucket (version datée + latest)", retries=3, retry_delay_seconds=10)
def deposer(dossier: str, jour: str, lignes: int) -> list[dict]:
    return export_fichiers_deposer(dossier=dossier, jour=dt.date.fromisoformat(jour), lignes=lignes)


@task(name="publier sur data.gouv.fr", retries=3, retry_delay_seconds=30)
def publier(deposes: list[dict]) -> list[dict] | None:
    return export_datagouv_publier(deposes=deposes)


@flow(name="export-donnees-ouvertes", log_prints=True)
@flux_mesure()
def export_donnees_ouvertes_flow(jour: str | None = None) -> dict:
    jour = jour or dt.date.today().isoformat()
    with tempfile.TemporaryDirectory(prefix="donnees-ouvertes-") as dossier:
        lignes = ecrire(dossier)
        valider(dossier, lignes)
        deposes = deposer(dossier, jour, lignes)
    ressources = publier(deposes)
    create_table_artifact(
        key="export-donnees-ouvertes",
        table=[{"format": d["format"], "fichier": d["cle"], "octets": d["taille"], "lignes": d["lignes"],
                "sha256": d["sha256"]} for d in deposes],
        description=f"Export des données ouvertes du {jour} : {lignes} acteurs, schéma {deposes[0]['version_schema']}.",
    )
    datagouv = ("non publié (DATAGOUV_API_KEY ou DATAGOUV_DATASET absent)" if ressources is None
                else ", ".join(r["id"] for r in ressources))
    create_markdown_artifact(key="export-donnees-ouvertes-datagouv",
                             markdown=f"# data.gouv.fr\n\nRessources : {datagouv}\n")
    print(f"{lignes} acteurs exportés ({jour}) ; data.gouv.fr : {datagouv}")
    return {"jour": jour, "lignes": lignes, "fichiers": [d["cle"] for d in deposes],
            "datagouv": [r["id"] for r in ressources] if ressources is not None else None}


if __name__ == "__main__":
    export_donnees_ouvertes_flow()
