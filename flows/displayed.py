"""Flows: recompute the displayed acteurs in the warehouse and swap them into the web app, then
compute the map's low-zoom tiles ahead (its own task: a publication only invalidates the tiles);
and the incremental refresh of only the acteurs some change touched (`acteurs-affiches-partiel`)."""

from __future__ import annotations

from django.conf import settings
from prefect import flow, task

from flows.progression import Progression
from flows.tuiles import precalculer_tuiles
from flows.tuiles_archive import deposer_archive
from geoapp.acteurs.displayed import displayed_acteur_compute, displayed_acteur_publish
from geoapp.acteurs.services import displayed_acteur_refresh_partial
from geoapp.exploitation.observabilite import flux_mesure


@task(name="calculer les acteurs affichés (entrepôt)")
def calculer() -> dict[str, int]:
    computed = displayed_acteur_compute()
    return {"version": computed.version, "rows": computed.rows}


@task(name="publier les acteurs affichés (échange atomique)")
def publier(version: int) -> int:
    return displayed_acteur_publish(version=version)


@flow(name="acteurs-affiches", log_prints=True)
@flux_mesure()
def displayed_refresh_flow() -> dict[str, int]:
    progression = Progression(cle="publication-acteurs-affiches", description="Publication des acteurs affichés",
                              etapes=4 if settings.MAP_PMTILES_URL else 3)
    progression.etape(0, "calcul dans l'entrepôt")
    computed = calculer()
    progression.etape(1, f"copie et échange de la version {computed['version']} ({computed['rows']} acteurs)")
    published = publier(computed["version"])
    print(f"version {computed['version']} : {computed['rows']} acteurs calculés, {published} affichés")
    progression.etape(2, "tuiles z0–8 calculées d'avance")
    tuiles = precalculer_tuiles()
    print(f"{tuiles['calculees']} tuiles calculées d'avance ({tuiles['tuiles']} tuiles z0–8 avec des acteurs)")
    if settings.MAP_PMTILES_URL:  # the map reads z0–8 from the archive: give it this publication's
        progression.etape(3, "archive PMTiles déposée")
        deposer_archive()
    progression.terminer()
    return {"computed": computed["rows"], "published": published, "tuiles_calculees": tuiles["calculees"]}


@task(name="rafraîchir les acteurs touchés (entrepôt → publication en place)")
def rafraichir_partiel(identifiants: list[str]) -> dict[str, int]:
    return displayed_acteur_refresh_partial(identifiants=identifiants)


@flow(name="acteurs-affiches-partiel", log_prints=True)
@flux_mesure()
def displayed_refresh_partial_flow(identifiants: list[str]) -> dict[str, int]:
    """Only the displayed acteurs `identifiants` touch (themselves, their parents and children):
    what a correction or a few applied suggestions need; the full flow stays the nightly run."""
    report = rafraichir_partiel(identifiants)
    print(f"{report['touches']} acteurs touchés, {report['published']} affichés écrits")
    return report


if __name__ == "__main__":
    import sys

    if sys.argv[1:]:
        displayed_refresh_partial_flow(sys.argv[1:])
    else:
        displayed_refresh_flow()
