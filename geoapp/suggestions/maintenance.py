"""Maintenance of the suggestions (flow `maintenance-entrepot`): which runs are still referenced,
and the groups applied or rejected long ago, read for the warehouse's archive then deleted."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q

from geoapp.suggestions.models import ChangementSuggestion, ExecutionSource, GroupeSuggestion, StatutExecution, StatutSuggestion

TERMINES = [StatutSuggestion.APPLIQUEE, StatutSuggestion.REJETEE]


def executions_referencees_lister() -> dict[str, set[str]]:
    """`en_cours`: the runs still running; `referencees`: those plus the runs with a suggestion
    still waiting for staff or for applying (à valider, validée, erreur)."""
    en_cours = set(ExecutionSource.objects.filter(statut=StatutExecution.EN_COURS).values_list("run_id", flat=True))
    attente = set(ExecutionSource.objects.filter(
        cohortes__groupes__statut__in=[StatutSuggestion.A_VALIDER, StatutSuggestion.VALIDEE, StatutSuggestion.ERREUR],
    ).values_list("run_id", flat=True).distinct())
    return {"en_cours": en_cours, "referencees": en_cours | attente}


def groupes_anciens_lister(*, avant: datetime, limite: int = 5000) -> list[dict]:
    """Groups applied or rejected and untouched since before `avant`, with their changes, as rows
    of `archive.groupe_suggestion`."""
    groupes = (GroupeSuggestion.objects.filter(Q(statut__in=TERMINES), modifie_le__lt=avant)
               .select_related("cohorte__execution").prefetch_related("changements").order_by("id")[:limite])
    return [{
        "id": g.id, "run_id": g.cohorte.execution.run_id, "flux": g.cohorte.execution.flux, "type": g.cohorte.type,
        "source": g.source_id, "identifiant_unique": g.identifiant_unique, "statut": g.statut,
        "empreinte": g.empreinte, "message": g.message, "modifie_le": g.modifie_le, "donnees": g.donnees,
        "changements": [{"champ": c.champ, "ancienne_valeur": c.ancienne_valeur, "nouvelle_valeur": c.nouvelle_valeur}
                        for c in g.changements.all()],
    } for g in groupes]


def groupes_supprimer(*, ids: list[int]) -> dict[str, int]:
    """Delete these groups (their changes with them) if still applied or rejected: how many, and
    the bytes their rows held."""
    groupes = GroupeSuggestion.objects.filter(id__in=ids, statut__in=TERMINES)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT (SELECT coalesce(sum(pg_column_size(g.*)), 0) FROM {GroupeSuggestion._meta.db_table} g
                         WHERE g.id = ANY(%s) AND g.statut = ANY(%s))
                     + (SELECT coalesce(sum(pg_column_size(c.*)), 0) FROM {ChangementSuggestion._meta.db_table} c
                         JOIN {GroupeSuggestion._meta.db_table} g ON g.id = c.groupe_id
                         WHERE g.id = ANY(%s) AND g.statut = ANY(%s))""",
            [ids, [str(s) for s in TERMINES]] * 2)
        octets = int(cursor.fetchone()[0])
        _, par_modele = groupes.delete()
    return {"groupes": par_modele.get(GroupeSuggestion._meta.label, 0), "octets": octets}
