"""Flow `statistiques` (tag `stats`): a snapshot of the day's figures, kept over time for
/statistiques/. Weekly complete (`complet=True`: with the median distance from the inhabitants to
the nearest place per action), daily without those distances. Each run leaves its tables as Prefect
artifacts. Running twice the same day replaces the day's figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from prefect import flow, task
from prefect.artifacts import create_table_artifact

from geoapp.statistiques.selectors import statistiques_comptages, statistiques_distances
from geoapp.statistiques.services import releve_enregistrer
from geoapp.exploitation.observabilite import flux_mesure


@task(name="compter les acteurs affichés, les suggestions et les recherches")
def compter(jour: str) -> list[tuple[str, str, float]]:
    return statistiques_comptages(jour=dt.date.fromisoformat(jour))


@task(name="distances médianes au lieu le plus proche par action")
def distances() -> list[tuple[str, str, float]]:
    return statistiques_distances()


@task(name="enregistrer le relevé")
def enregistrer(jour: str, figures: list, complet: bool) -> int:
    return releve_enregistrer(jour=dt.date.fromisoformat(jour), figures=[tuple(f) for f in figures],
                              complet=complet).pk


def tables_par_indicateur(figures: list[tuple[str, str, float]]) -> dict[str, list[dict]]:
    """The figures as one table per indicator (key, value), largest first: pure, for the artifacts."""
    tables: dict[str, list[dict]] = defaultdict(list)
    for indicateur, cle, valeur in figures:
        tables[indicateur].append({"cle": cle or "total", "valeur": valeur})
    return {i: sorted(t, key=lambda r: (-r["valeur"], r["cle"])) for i, t in sorted(tables.items())}


@flow(name="statistiques", log_prints=True)
@flux_mesure()
def statistiques_flow(complet: bool = True, jour: str | None = None) -> dict[str, int]:
    jour = jour or dt.date.today().isoformat()
    figures = list(compter(jour))
    if complet:
        figures += distances()
    enregistrer(jour, figures, complet)
    tables = tables_par_indicateur(figures)
    for indicateur, table in tables.items():
        create_table_artifact(key=f"statistiques-{indicateur.replace('_', '-')}", table=table,
                              description=f"{indicateur}, relevé du {jour}")
    print(f"relevé du {jour}{' (complet)' if complet else ''} : {len(figures)} valeurs, {len(tables)} indicateurs")
    return {"valeurs": len(figures), "indicateurs": len(tables)}


if __name__ == "__main__":
    statistiques_flow()
