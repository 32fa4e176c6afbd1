"""Reads of acteurs and referentials. Views, serializers and flows call these."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import DisplayedActeur, Source


def displayed_acteur_count() -> int:
    return DisplayedActeur.objects.count()


def displayed_acteur_list(*, limit: int = 50) -> QuerySet[DisplayedActeur]:
    return DisplayedActeur.objects.order_by("nom", "identifiant_unique")[:limit]


def displayed_acteur_get(*, uuid: str) -> DisplayedActeur | None:
    return DisplayedActeur.objects.filter(uuid=uuid).first()


def source_list_with_counts() -> list[dict]:
    """Every source with its number of displayed acteurs (0 when none; an acteur may cite several)
    and `derniere_execution_reussie` (the end of its last successful run; None until runs are
    recorded)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.code, s.libelle, s.licence, COALESCE(n.acteurs_count, 0) AS acteurs_count,
                   NULL::timestamptz AS derniere_execution_reussie
            FROM {Source._meta.db_table} s
            LEFT JOIN (
              SELECT src.code, count(*) AS acteurs_count
              FROM {DisplayedActeur._meta.db_table} d CROSS JOIN LATERAL unnest(d.sources) AS src(code)
              GROUP BY src.code) n ON n.code = s.code
            ORDER BY acteurs_count DESC, s.code
            """
        )
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
