"""Clone flows (tag `clone`): one per reference dataset, copying an official download into the
warehouse's `reference` schema (see flows/clones/chargement.py for the mechanics)."""

from __future__ import annotations

import httpx
from django.conf import settings
from prefect import task

import flows  # noqa: F401  (Prefect and Django defaults)
from flows.clones.chargement import clone_charger
from flows.clones.jeux import JEUX


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
    return clone_charger(jeu=JEUX[nom], urls=urls, min_lignes=min_lignes, timeout=settings.CLONE_TIMEOUT).as_dict()


def cloner_jeu(nom: str, urls: list[str] | None, min_lignes: int | None) -> dict:
    """The body of every clone flow: its dataset from `urls` (default: the setting) with at least
    `min_lignes` rows (default: the production threshold of the settings)."""
    urls = urls or [settings.CLONE_URLS[nom]]
    minimum = settings.CLONE_MIN_ROWS[nom] if min_lignes is None else min_lignes
    report = cloner(nom, urls, minimum)
    print(f"{nom}: {report['lignes']} lignes en {report['secondes']} s → {report['table']}")
    return report
