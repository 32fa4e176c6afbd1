"""What applying any group shares, whatever it writes (an imported acteur in `services`, a revision
in `enrichissements`): the group is claimed in the statement that re-checks it is still `validée`
(a rejection made by staff meanwhile is never overwritten), a failure marks it `erreur` without
stopping the others, and the displayed acteurs are refreshed once at the end."""

from __future__ import annotations

import datetime
import logging
from collections import Counter

from django.db import connection
from django.db.models.functions import Now
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
        statut=StatutSuggestion.APPLIQUEE, message="", modifie_le=Now()))  # the database's clock, as `suggestions_debut`


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


def suggestions_debut() -> datetime.datetime:
    """The database's clock when an apply starts (`now()`: the groups it marks `appliquée` are
    stamped later by the same clock, with their transaction's start, even inside an outer one)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def suggestions_identifiants_appliques(*, depuis: datetime.datetime) -> list[str]:
    """The acteurs the groups applied since `depuis` wrote: each group's acteur, and a cluster's
    children."""
    identifiants: set[str] = set()
    # a minute's margin: a group saved again afterwards is stamped by the web app's clock (refreshing
    # an acteur a previous apply touched costs nothing but time)
    for identifiant, enfants in GroupeSuggestion.objects.filter(
            statut=StatutSuggestion.APPLIQUEE, modifie_le__gte=depuis - datetime.timedelta(minutes=1)) \
            .values_list("identifiant_unique", "donnees__enfants"):
        identifiants.add(identifiant)
        identifiants.update(e for e in (enfants if isinstance(enfants, list) else []) if isinstance(e, str))
    return sorted(identifiants)


def suggestions_apply_report(*, counts: Counter, refresh: bool, depuis: datetime.datetime | None = None) -> dict[str, int]:
    """Refresh the displayed acteurs once if anything was applied; the counts of an apply. Up to
    AFFICHES_PARTIEL_MAX acteurs applied since `depuis`, only those (and their parents and
    children) are refreshed, in place, in about a second; more, or without `depuis`, the full
    rebuild and swap."""
    from django.conf import settings

    from geoapp.acteurs.services import displayed_acteur_refresh, displayed_acteur_refresh_partial

    if refresh and counts[APPLIQUEE]:
        identifiants = suggestions_identifiants_appliques(depuis=depuis) if depuis is not None else None
        if identifiants is not None and len(identifiants) <= settings.AFFICHES_PARTIEL_MAX:
            rapport = displayed_acteur_refresh_partial(identifiants=identifiants)
        else:
            rapport = displayed_acteur_refresh()
        counts.update({f"affiches_{k}": v for k, v in rapport.items()})
    return {APPLIQUEE: counts[APPLIQUEE], ERREUR: counts[ERREUR], IGNOREE: counts[IGNOREE],
            **{k: v for k, v in counts.items() if k.startswith("affiches_")}}
