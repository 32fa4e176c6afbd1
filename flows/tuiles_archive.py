"""Flow: the map's unfiltered low-zoom vector tiles (zooms 0–8, those computed ahead) of the
published displayed acteurs, as one PMTiles archive in the tiles' S3 bucket (`TUILES_S3_*`). With
`MAP_PMTILES_URL` set (the object's public URL, a CDN in production), the map reads those zooms
from it by HTTP range requests and asks the web app only for higher zooms and filtered tiles.
Idempotent: the object carries the generation of its tiles, and a run finding the current one
there writes nothing."""

from __future__ import annotations

from prefect import flow, task

from geoapp.api.services import tuile_archive_publier
from geoapp.exploitation.observabilite import flux_mesure


@task(name="déposer l'archive des tuiles (PMTiles, z0–8)", retries=2, retry_delay_seconds=10)
def deposer_archive() -> dict:
    return tuile_archive_publier()


@flow(name="tuiles-archive", log_prints=True)
@flux_mesure()
def tuiles_archive_flow() -> dict:
    result = deposer_archive()
    if result["deposee"]:
        print(f"archive de la génération {result['generation']} déposée : {result['tuiles']} tuiles, "
              f"{result['octets']} octets")
    else:
        print(f"l'archive de la génération {result['generation']} est déjà dans le bucket")
    return result


if __name__ == "__main__":
    tuiles_archive_flow()
