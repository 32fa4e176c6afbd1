"""What every enrichment flow shares: its run id, the acteurs as displayed, reads of the clones,
and the task writing the run's cohort. Plain values only cross task boundaries."""

from __future__ import annotations

import uuid

import psycopg
from prefect import task
from prefect.runtime import flow_run

import flows  # noqa: F401  (Prefect and Django defaults)
from geoapp.common.databases import warehouse_connect


def run_id_courant() -> str:
    return str(flow_run.get_id() or "") or uuid.uuid4().hex


@task(name="lire les acteurs affichés")
def acteurs_lire(code_postal_prefixe: str | None = None) -> list[dict]:
    from geoapp.suggestions.selectors import acteurs_effectifs

    return acteurs_effectifs(code_postal_prefixe=code_postal_prefixe)


def reference_lire(query: str, params: dict | list | None = None) -> list[tuple]:
    """Rows of a query on the warehouse's clones (schema `reference`). A clone never loaded is a
    clear error naming it (its clone flow must run first), not a bare SQL error."""
    try:
        with warehouse_connect() as conn:
            return conn.execute(query, params or []).fetchall()
    except psycopg.errors.UndefinedTable as error:
        raise RuntimeError(f"clone absent de l'entrepôt ({error.diag.message_primary}) : "
                           "lancer d'abord son flow de clone (prefect.yaml, tag clone)") from error


@task(name="écrire la cohorte de suggestions")
def cohorte_ecrire(flux: str, run_id: str, propositions: list[dict]) -> dict:
    from geoapp.suggestions.enrichissements import enrichissement_cohorte_ecrire

    report = enrichissement_cohorte_ecrire(flux=flux, run_id=run_id, propositions=propositions)
    print(f"{flux}: {report}")
    return report


def changement(acteur: dict, champ: str, nouvelle) -> dict:
    """{champ: [old, new]} when the value changes, else {}."""
    return {champ: [acteur[champ], nouvelle]} if nouvelle is not None and acteur[champ] != nouvelle else {}


def communes_par_code_postal() -> dict[str, list[tuple[str, str]]]:
    """La Poste: postal code → [(code INSEE, official name)], the names of INSEE (accents)."""
    rows = reference_lire("""SELECT DISTINCT l.code_postal, l.code_commune_insee, coalesce(c.nom, l.nom_de_la_commune)
                             FROM reference.laposte_code_postal l
                             LEFT JOIN reference.insee_commune c ON c.code = l.code_commune_insee
                                  AND c.type IN ('commune-actuelle', 'arrondissement-municipal')
                             ORDER BY 1, 2""")
    out: dict[str, list[tuple[str, str]]] = {}
    for cp, code, nom in rows:
        out.setdefault(cp, []).append((code, nom))
    return out
