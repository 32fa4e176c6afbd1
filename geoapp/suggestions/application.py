"""What applying any group shares, whatever it writes (an imported acteur in `services`, a revision
in `enrichissements`): the group is claimed in the statement that re-checks it is still `validée`
(a rejection made by staff meanwhile is never overwritten), a failure marks it `erreur` without
stopping the others, and the displayed acteurs are refreshed once at the end."""

from __future__ import annotations

import logging
from collections import Counter

from django.utils import timezone

from .models import GroupeSuggestion, StatutSuggestion

log = logging.getLogger(__name__)

APPLIQUEE, IGNOREE, ERREUR = "appliquees", "ignorees", "erreurs"  # outcomes of one group, counted


def groupe_reserver(*, groupe_id: int) -> bool:
    """Mark one group `appliquée` if, in this very statement, it is still `validée`; call it in
    the transaction that writes the group (the row stays locked until it commits, and a staff
    decision that waited for it then finds the group applied). False: it is no longer validated,
    write nothing."""
    return bool(GroupeSuggestion.objects.filter(pk=groupe_id, statut=StatutSuggestion.VALIDEE).update(
        statut=StatutSuggestion.APPLIQUEE, message="", modifie_le=timezone.now()))


def suggestion_groupe_apply_or_mark(*, groupe: GroupeSuggestion, apply) -> str:
    """Apply one group with `apply(groupe)` (which returns False when the group is no longer
    validated); if it fails, mark the group `erreur` with its message, unless staff changed it
    meanwhile (one group's failure never stops the others). Returns the outcome."""
    try:
        return APPLIQUEE if apply(groupe) is not False else IGNOREE
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        GroupeSuggestion.objects.filter(pk=groupe.pk, statut=StatutSuggestion.VALIDEE).update(
            statut=StatutSuggestion.ERREUR, message=message[:5000], modifie_le=timezone.now())
        log.warning("suggestion %s (%s) en erreur : %s", groupe.pk, groupe.identifiant_unique, message)
        return ERREUR


def suggestions_apply_report(*, counts: Counter, refresh: bool) -> dict[str, int]:
    """Refresh the displayed acteurs once if anything was applied; the counts of an apply."""
    from geoapp.acteurs.services import displayed_acteur_refresh

    if refresh and counts[APPLIQUEE]:
        counts.update({f"affiches_{k}": v for k, v in displayed_acteur_refresh().items()})
    return {APPLIQUEE: counts[APPLIQUEE], ERREUR: counts[ERREUR], IGNOREE: counts[IGNOREE],
            **{k: v for k, v in counts.items() if k.startswith("affiches_")}}
