"""Flow: compute ahead the map's unfiltered low-zoom vector tiles (zooms 0–8) for the published
displayed acteurs, into the API's shared tile cache. A publication only invalidates the cache; the
displayed-acteurs flow runs this as its own task right after publishing, and it is a deployment of
its own (`tuiles-precalcul`) to rerun by hand. Tiles not computed ahead are computed on their first
request: this only spares the first visitors of a new publication the wait."""

from __future__ import annotations

from prefect import flow, task

from geoapp.api.services import tuile_cache_precompute
from geoapp.exploitation.observabilite import flux_mesure


@task(name="précalculer les tuiles (z0–8, sans filtre)")
def precalculer_tuiles() -> dict[str, int]:
    return tuile_cache_precompute()


@flow(name="tuiles-precalcul", log_prints=True)
@flux_mesure()
def tuiles_precalcul_flow() -> dict[str, int]:
    result = precalculer_tuiles()
    print(f"{result['calculees']} tuiles calculées ({result['tuiles']} tuiles z0–8 avec des acteurs)")
    return result


if __name__ == "__main__":
    tuiles_precalcul_flow()
