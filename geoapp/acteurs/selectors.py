"""Reads of acteurs and referentials. Views, serializers and flows call these."""

from __future__ import annotations

from django.db.models import QuerySet

from . import models
from .models import DisplayedActeur, Source

Paire = tuple[str, str]  # (action, sous-catégorie)


def displayed_acteur_count() -> int:
    return DisplayedActeur.objects.count()


def displayed_acteur_list(*, limit: int = 50) -> QuerySet[DisplayedActeur]:
    return DisplayedActeur.objects.order_by("nom", "identifiant_unique")[:limit]


def source_list_with_counts() -> list[dict]:
    """Every source with the number of displayed acteurs it gives (0 when none; an acteur may have
    several sources) and `derniere_execution_reussie`: when its last successful run finished (ISO
    8601), from the run registry of the source flows, or None."""
    from geoapp.common.replique import lecture_connexion
    from geoapp.suggestions.models import ExecutionSource

    with lecture_connexion().cursor() as cursor:
        cursor.execute(
            f"""
            WITH counts AS (
                SELECT src.code, count(*) AS n
                FROM {DisplayedActeur._meta.db_table} d CROSS JOIN LATERAL unnest(d.sources) AS src(code)
                GROUP BY src.code
            ), runs AS (
                SELECT code, max(e.fin) AS fin
                FROM {ExecutionSource._meta.db_table} e CROSS JOIN LATERAL unnest(e.sources) AS code
                WHERE e.statut = 'reussie' AND e.fin IS NOT NULL
                GROUP BY code
            )
            SELECT s.code, s.libelle, s.licence, coalesce(c.n, 0) AS acteurs_count, r.fin
            FROM {Source._meta.db_table} s
            LEFT JOIN counts c ON c.code = s.code
            LEFT JOIN runs r ON r.code = s.code
            ORDER BY acteurs_count DESC, s.code
            """
        )
        return [
            {"code": code, "libelle": libelle, "licence": licence, "acteurs_count": count,
             "derniere_execution_reussie": fin.isoformat() if fin else None}
            for code, libelle, licence, count, fin in cursor.fetchall()
        ]


def propositions_paires_get(*, identifiant: str, revision: bool) -> set[Paire]:
    """The propositions de service of an acteur as (action, sous-catégorie) pairs: its revision's
    (`revision=True`) or the imported acteur's."""
    model = models.RevisionPropositionService if revision else models.PropositionService
    through = model.sous_categories.through
    owner = f"{model._meta.model_name}__acteur_id"
    return set(through.objects.filter(**{owner: identifiant}).values_list(
        f"{model._meta.model_name}__action_id", "souscategorieobjet_id"))


def paires_par_action(paires: set[Paire]) -> dict[str, list[str]]:
    """Pure: (action, sous-catégorie) pairs as action → its sous-catégories, both sorted."""
    par_action: dict[str, list[str]] = {}
    for action, sous_categorie in sorted(paires):
        par_action.setdefault(action, []).append(sous_categorie)
    return par_action


def propositions_grille_get() -> dict:
    """The grid of the propositions de service: the actions (columns) and the sous-catégories by
    catégorie (rows), in their display order."""
    actions = list(models.Action.objects.order_by("groupe_action__order", "order", "code").values("code", "libelle"))
    categories: dict[str, dict] = {}
    for s in (models.SousCategorieObjet.objects.select_related("categorie")
              .order_by("categorie__libelle", "libelle", "code")):
        categorie = categories.setdefault(s.categorie_id, {"code": s.categorie_id, "libelle": s.categorie.libelle,
                                                          "sous_categories": []})
        categorie["sous_categories"].append({"code": s.code, "libelle": s.libelle})
    return {"actions": actions, "categories": list(categories.values())}
