"""Flow `sauvegarde` (daily): `pg_dump --format=custom` of the web app's and the warehouse's
databases streamed into the backups' S3 bucket under one timestamp, a manifest written last (the
backup is complete from then on), then the retention: 7 daily, 4 weekly and 12 monthly copies
kept (settings `SAUVEGARDE_*`), the others deleted. `manage.py restaurer` restores one."""

from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from geoapp.exploitation import services, stockage
from geoapp.exploitation.observabilite import flux_mesurer


@task(name="sauvegarder une base (pg_dump → S3)", retries=2, retry_delay_seconds=30)
def sauvegarder(base: str, horodatage: str) -> dict:
    return services.sauvegarde_base_deposer(base=base, horodatage=horodatage)


@task(name="écrire le manifeste", retries=2, retry_delay_seconds=10)
def ecrire_manifeste(horodatage: str, dumps: list[dict]) -> None:
    services.sauvegarde_manifeste_deposer(horodatage=horodatage, dumps=dumps)


@task(name="élaguer les anciennes sauvegardes", retries=2, retry_delay_seconds=10)
def elaguer() -> dict:
    e = services.sauvegardes_elaguer()
    return {"gardees": e.gardees, "supprimees": e.supprimees, "octets_liberes": e.octets_liberes}


def rapport(*, horodatage: str, dumps: list[dict], elagage: dict) -> str:
    """Pure: the run's markdown report."""
    lignes = [f"# Sauvegarde {horodatage}", "", "| base | base de données | taille (octets) | sha256 |", "|---|---|---:|---|"]
    lignes += [f"| {d['base']} | {d['dbname']} | {d['taille']} | `{d['sha256'][:16]}…` |" for d in dumps]
    lignes += ["", f"{len(elagage['gardees'])} sauvegardes gardées, {len(elagage['supprimees'])} supprimées "
               f"({elagage['octets_liberes']} octets libérés) : {', '.join(elagage['supprimees']) or 'aucune'}."]
    return "\n".join(lignes)


@flow(name="sauvegarde", log_prints=True)
def sauvegarde_flow(bases: list[str] | None = None) -> dict:
    horodatage = stockage.horodatage_texte(datetime.now(timezone.utc))
    with flux_mesurer(flux="sauvegarde") as mesures:
        dumps = [sauvegarder(base, horodatage) for base in (bases or list(services.BASES))]
        ecrire_manifeste(horodatage, dumps)
        for d in dumps:
            print(f"{d['base']} ({d['dbname']}) : {d['taille']} octets → {d['cle']}")
            mesures[f"octets_{d['base']}"] = d["taille"]
        elagage = elaguer()
        mesures["supprimees"] = len(elagage["supprimees"])
    print(f"{len(elagage['gardees'])} sauvegardes gardées, supprimées : {', '.join(elagage['supprimees']) or 'aucune'}")
    create_markdown_artifact(key="sauvegarde", markdown=rapport(horodatage=horodatage, dumps=dumps, elagage=elagage),
                             description="Sauvegarde des bases et rétention")
    return {"horodatage": horodatage, "dumps": dumps, **elagage}


if __name__ == "__main__":
    sauvegarde_flow()
