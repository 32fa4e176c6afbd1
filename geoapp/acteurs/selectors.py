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
    """Sources that have displayed acteurs, with their count (an acteur may have several)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.code, s.libelle, s.licence, count(*) AS acteurs_count
            FROM {DisplayedActeur._meta.db_table} d
            CROSS JOIN LATERAL unnest(d.sources) AS src(code)
            JOIN {Source._meta.db_table} s ON s.code = src.code
            GROUP BY s.code, s.libelle, s.licence
            ORDER BY acteurs_count DESC, s.code
            """
        )
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
