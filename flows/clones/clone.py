"""Flow: clone one reference dataset (`jeu`, a key of `jeux.JEUX`) into the warehouse's
`reference` schema (chargement.py for the mechanics). The datasets differ only by their
declarations; prefect.yaml has one deployment per dataset (`clone-ban`, ...), each naming its
dataset in its parameters."""

from __future__ import annotations

import httpx
from django.conf import settings
from prefect import flow, task

import flows  # noqa: F401  (Prefect and Django defaults)
from flows.clones.chargement import JeuDeDonnees, clone_charger
from flows.clones.jeux import JEUX
from flows.progression import Progression
from geoapp.exploitation.observabilite import flux_mesure


def clone_parametres(*, jeu: JeuDeDonnees, urls: list[str] | None, min_lignes: int | None,
                     urls_env: dict[str, str], min_lignes_env: dict[str, int]) -> tuple[list[str], int]:
    """Where to download `jeu` from and how many rows it needs at least: the flow's parameters,
    else the environment's override (settings CLONE_URLS / CLONE_MIN_ROWS), else the declaration."""
    inconnus = sorted((set(urls_env) | set(min_lignes_env)) - set(JEUX))
    if inconnus:
        raise ValueError(f"CLONE_URL_* / CLONE_MIN_ROWS_* : jeux de données inconnus {inconnus} "
                         f"(connus : {sorted(JEUX)})")
    urls = urls or [urls_env.get(jeu.nom, jeu.url)]
    minimum = min_lignes if min_lignes is not None else min_lignes_env.get(jeu.nom, jeu.min_lignes)
    return urls, minimum


def _erreur_reseau(task, task_run, state) -> bool:
    """Retry network failures only: a bad schema or a short file will not get better."""
    try:
        state.result()
    except (httpx.TransportError, httpx.HTTPStatusError):
        return True
    except Exception:
        return False
    return False


@task(name="cloner", retries=3, retry_delay_seconds=[10, 60, 300], retry_condition_fn=_erreur_reseau,
      task_run_name="cloner {nom}")
def cloner(nom: str, urls: list[str], min_lignes: int) -> dict:
    progression = Progression(cle=f"clone-{nom}", description=f"Clone de {nom}", etapes=len(urls) + 1)
    rapport = clone_charger(jeu=JEUX[nom], urls=urls, min_lignes=min_lignes, timeout=settings.CLONE_TIMEOUT,
                            progression=progression)
    progression.terminer()
    return rapport.as_dict()


@flow(name="clone", flow_run_name="clone-{jeu}", log_prints=True)
@flux_mesure(par="jeu")
def clone_flow(jeu: str, urls: list[str] | None = None, min_lignes: int | None = None) -> dict:
    """`jeu`: a key of JEUX (ban, sirene_etablissement, ...); `urls` (their rows appended) and
    `min_lignes` override the download and the minimum row count of the environment / declaration."""
    if jeu not in JEUX:
        raise ValueError(f"jeu de données inconnu : {jeu!r} (connus : {sorted(JEUX)})")
    urls, minimum = clone_parametres(jeu=JEUX[jeu], urls=urls, min_lignes=min_lignes,
                                     urls_env=settings.CLONE_URLS, min_lignes_env=settings.CLONE_MIN_ROWS)
    report = cloner(jeu, urls, minimum)
    print(f"{jeu}: {report['lignes']} lignes en {report['secondes']} s → {report['table']}")
    return report


if __name__ == "__main__":
    import sys

    clone_flow(jeu=sys.argv[1])
