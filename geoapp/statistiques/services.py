"""Writes of the statistics: a day's snapshot, replaced indicator by indicator (running twice the
same day gives the same snapshot; a daily run keeps the distances of the day's weekly run)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .models import Indicateur, ReleveStatistique, ValeurStatistique


def releve_enregistrer(*, jour: dt.date, figures: list[tuple[str, str, float]], complet: bool) -> ReleveStatistique:
    """Replaces the day's values of every indicator this run computes (all of them when `complet`,
    all but the median distances otherwise), even those that have no value today."""
    indicateurs = {str(i) for i in Indicateur} - (set() if complet else {str(Indicateur.DISTANCE_MEDIANE)})
    with transaction.atomic():
        releve, _ = ReleveStatistique.objects.select_for_update().get_or_create(jour=jour)
        releve.complet = releve.complet or complet
        releve.save()
        ValeurStatistique.objects.filter(releve=releve, indicateur__in=indicateurs).delete()
        ValeurStatistique.objects.bulk_create(
            [ValeurStatistique(releve=releve, indicateur=i, cle=c, valeur=v) for i, c, v in figures])
    return releve
