"""Flow: recompute the displayed acteurs in the warehouse and swap them into the web app."""

from __future__ import annotations

from prefect import flow, task

from geoapp.acteurs.displayed import displayed_acteur_compute, displayed_acteur_publish


@task(name="calculer les acteurs affichés (entrepôt)")
def calculer() -> int:
    return displayed_acteur_compute()


@task(name="publier les acteurs affichés (échange atomique)")
def publier() -> int:
    return displayed_acteur_publish()


@flow(name="acteurs-affiches", log_prints=True)
def displayed_refresh_flow() -> dict[str, int]:
    computed = calculer()
    published = publier()
    print(f"{computed} acteurs calculés, {published} publiés")
    return {"computed": computed, "published": published}


if __name__ == "__main__":
    displayed_refresh_flow()
